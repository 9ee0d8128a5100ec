from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import email_normalize

from ..tools.phone import PhoneError, normalize_phone

GRANT_STATUSES = [
    ("invite", "Will be invited"),
    ("has_access", "Already has access"),
    ("internal", "Staff user: skipped"),
    ("no_contact", "No e-mail or phone"),
    ("invalid_phone", "Invalid phone"),
    ("invalid_email", "Invalid e-mail"),
    ("login_taken", "Login used by another user"),
    ("granted", "Access granted"),
]

GRANT_CHANNELS = [
    ("email", "Invitation by e-mail"),
    ("link", "Signup link to hand over"),
]


class OsmdPortalGrant(models.TransientModel):
    """Give holders (and optionally residents) of personal accounts a resident cabinet.

    Follows Odoo's ``portal.wizard``: portal users are attached to the people's existing
    partners, created without the automatic mail (``no_reset_password``), then invited.
    People with a valid phone but no e-mail get the phone (E.164) as login and a signup
    link that the staff hands over or sends by SMS.
    """

    _name = "osmd.portal.grant"
    _description = "Grant resident cabinet access"

    def _default_account_ids(self):
        if self.env.context.get("active_model") != "osmd.account":
            return self.env["osmd.account"]
        return self.env["osmd.account"].browse(self.env.context.get("active_ids") or [])

    account_ids = fields.Many2many(
        "osmd.account",
        string="Personal accounts",
        default=lambda self: self._default_account_ids(),
    )
    include_residents = fields.Boolean(
        string="Also residents",
        help="Also give access to the current residents marked with resident cabinet access, not only to the holders.",
    )
    resend_invitations = fields.Boolean(
        string="Invite again who never logged in",
        help="People who already have access but never logged in get a new invitation "
        "(a new signup link when they have no e-mail): signup links expire.",
    )
    state = fields.Selection([("preview", "Preview"), ("done", "Done")], default="preview", required=True)
    line_ids = fields.One2many(
        "osmd.portal.grant.line",
        "wizard_id",
        string="People",
        compute="_compute_line_ids",
        store=True,
        readonly=False,
    )
    invite_count = fields.Integer(compute="_compute_counts")
    problem_count = fields.Integer(compute="_compute_counts")
    link_count = fields.Integer(compute="_compute_counts")

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("account_ids", "include_residents", "resend_invitations")
    def _compute_line_ids(self):
        for wizard in self:
            if wizard.state == "done":
                wizard.line_ids = wizard.line_ids
                continue
            wizard.line_ids = [Command.clear()] + [
                Command.create(wizard._prepare_line_vals(entry)) for entry in wizard._osmd_plan()
            ]

    @api.depends("line_ids.status", "line_ids.channel")
    def _compute_counts(self):
        problems = {"no_contact", "invalid_phone", "invalid_email", "login_taken"}
        for wizard in self:
            wizard.invite_count = len(wizard.line_ids.filtered(lambda line: line.status in ("invite", "granted")))
            wizard.problem_count = len(wizard.line_ids.filtered(lambda line: line.status in problems))
            wizard.link_count = len(wizard.line_ids.filtered(lambda line: line.signup_url))

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_grant(self):
        """Create the portal users in one batch, invite them, show who needs a link."""
        self.ensure_one()
        accounts = self.account_ids.filtered(lambda a: a.state == "active")
        self._osmd_check_can_grant(accounts)
        plan = self._osmd_plan()
        resident_group = self.env.ref("osmd_base.group_osmd_resident")
        # sudo: accountants have no right on res.users; _osmd_check_can_grant checked
        Users = self.env["res.users"].sudo()

        to_invite = [entry for entry in plan if entry["status"] == "invite"]
        new_entries = [entry for entry in to_invite if not entry["user"]]
        new_users = Users.with_context(no_reset_password=True).create(
            [
                {
                    "partner_id": entry["partner"].id,
                    "login": entry["login"],
                    "company_id": entry["companies"][:1].id,
                    "company_ids": [Command.set(entry["companies"].ids)],
                    "group_ids": [Command.set(resident_group.ids)],
                }
                for entry in new_entries
            ]
        )
        for entry, user in zip(new_entries, new_users, strict=True):
            entry["user"] = user
        # archived portal users are reactivated; existing ones get the new associations
        for entry in plan:
            user = entry["user"]
            if entry["status"] not in ("invite", "has_access") or user in new_users:
                continue
            vals = {}
            if not user.active:
                vals["active"] = True
            if entry["companies"] - user.company_ids:
                vals["company_ids"] = [Command.link(company.id) for company in entry["companies"] - user.company_ids]
            if resident_group not in user.group_ids:
                vals["group_ids"] = [Command.link(resident_group.id)]
            if vals:
                user.write(vals)

        invited_users = Users.union(*(entry["user"] for entry in to_invite))
        invited_users.partner_id.signup_prepare(signup_type="signup")
        by_email = Users.union(*(entry["user"] for entry in to_invite if entry["channel"] == "email"))
        if by_email:
            template = self.env.ref("auth_signup.portal_set_password_email").sudo()
            template.with_context(medium="portalinvite").send_mail_batch(by_email.ids, force_send=False)
        by_link = Users.union(*(entry["user"] for entry in to_invite if entry["channel"] == "link"))
        urls = by_link.partner_id._get_signup_url_for_action()
        for entry in to_invite:
            entry["status"] = "granted"
            if entry["channel"] == "link":
                entry["signup_url"] = urls.get(entry["partner"].id)

        self._osmd_log_on_accounts(to_invite)
        self.write(
            {
                "state": "done",
                "line_ids": [Command.clear()] + [Command.create(self._prepare_line_vals(entry)) for entry in plan],
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Resident cabinet access"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _osmd_check_can_grant(self, accounts):
        """Only the staff keeping these accounts gives access to them (before sudo)."""
        if not self.env.user.has_group("osmd_base.group_osmd_accountant"):
            raise AccessError(self.env._("Only accountants and board members can give resident cabinet access."))
        if not accounts:
            raise UserError(self.env._("Select at least one active personal account."))
        accounts.check_access("write")
        if accounts.company_id - self.env.user.company_ids:
            raise AccessError(self.env._("You cannot give access to accounts of another association."))

    def _osmd_plan(self):
        """One entry per person of the selected active accounts: how they get access.

        :return: list of dicts with keys partner, accounts, companies, email, phone,
            login, channel, status, user, signup_url
        """
        self.ensure_one()
        today = fields.Date.context_today(self)
        accounts = self.account_ids._origin.filtered(lambda a: a.state == "active")
        people = {}
        for account in accounts:
            partners = account.holder_id
            if self.include_residents:
                partners |= account.resident_ids.filtered(
                    lambda r: r.has_portal_access and r._is_valid_on(today)
                ).partner_id
            for partner in partners:
                people[partner.id] = people.get(partner.id, accounts.browse()) | account
        partners = self.env["res.partner"].browse(list(people)).sudo().with_context(active_test=False)

        plan = []
        for partner in partners:
            accounts_of = people[partner.id]
            entry = {
                "partner": partner.sudo(False),
                "accounts": accounts_of,
                "companies": accounts_of.company_id,
                "email": partner.email,
                "phone": partner.phone,
                "login": False,
                "channel": False,
                "status": "invite",
                "user": partner.user_ids.browse(),
                "signup_url": False,
            }
            plan.append(entry)
            users = partner.user_ids
            if users.filtered(lambda u: not u.share):
                entry.update(status="internal", user=users.filtered(lambda u: not u.share)[:1])
                continue
            portal_users = users.filtered(lambda u: u._is_portal())
            if portal_users:
                user = portal_users.filtered("active")[:1] or portal_users[:1]
                entry.update(
                    user=user,
                    login=user.login,
                    channel="email" if user.email else "link",
                    status="invite"
                    if not user.active or (self.resend_invitations and not user.login_date)
                    else "has_access",
                )
                continue
            region = accounts_of.company_id[:1].country_id.code or "UA"
            email = email_normalize(partner.email) if partner.email else False
            phone = False
            if partner.phone:
                try:
                    phone = normalize_phone(partner.phone, region)
                except PhoneError:
                    phone = False
            if email:
                entry.update(login=email, channel="email")
            elif phone:
                entry.update(login=phone, channel="link")
            elif partner.phone:
                entry["status"] = "invalid_phone"
            elif partner.email:
                entry["status"] = "invalid_email"
            else:
                entry["status"] = "no_contact"

        # a login must belong to nobody else, in the database or earlier in this batch
        new_entries = [entry for entry in plan if entry["status"] == "invite" and not entry["user"]]
        taken = set(
            self.env["res.users"]
            .sudo()
            .with_context(active_test=False)
            .search([("login", "in", [entry["login"] for entry in new_entries])])
            .mapped("login")
        )
        for entry in new_entries:
            if entry["login"] in taken:
                entry["status"] = "login_taken"
            taken.add(entry["login"])
        return plan

    def _prepare_line_vals(self, entry):
        return {
            "partner_id": entry["partner"].id,
            "account_ids": [Command.set(entry["accounts"].ids)],
            "email": entry["email"],
            "phone": entry["phone"],
            "login": entry["login"],
            "channel": entry["channel"] if entry["status"] in ("invite", "granted", "has_access") else False,
            "status": entry["status"],
            "user_id": entry["user"].id,
            "signup_url": entry["signup_url"],
        }

    def _osmd_log_on_accounts(self, entries):
        """Internal note on each account: who got access and how. Never the signup link itself: a link
        opens the account of its person for days, and the chatter is read by every audit and accounting
        user; the staff member who granted access gets the links on screen (wizard lines) only."""
        items = {}
        for entry in entries:
            if entry["channel"] == "link":
                text = self.env._(
                    "%(name)s: login %(login)s, no e-mail; a signup link was given to %(user)s to hand over.",
                    name=entry["partner"].name,
                    login=entry["login"],
                    user=self.env.user.name,
                )
            else:
                text = self.env._(
                    "%(name)s: login %(login)s, invitation sent by e-mail.",
                    name=entry["partner"].name,
                    login=entry["login"],
                )
            item = Markup("<li>%s</li>") % text
            for account in entry["accounts"]:
                items.setdefault(account.id, []).append(item)
        if not items:
            return
        title = self.env._("Resident cabinet access granted")
        self.env["osmd.account"].browse(list(items))._message_log_batch(
            {
                account_id: Markup("<p>%s</p><ul>%s</ul>") % (title, Markup().join(account_items))
                for account_id, account_items in items.items()
            }
        )


class OsmdPortalGrantLine(models.TransientModel):
    _name = "osmd.portal.grant.line"
    _description = "Person in a resident cabinet access grant"
    _order = "id"

    wizard_id = fields.Many2one("osmd.portal.grant", required=True, ondelete="cascade", index=True)
    partner_id = fields.Many2one("res.partner", string="Person", readonly=True)
    account_ids = fields.Many2many("osmd.account", string="Accounts", readonly=True)
    email = fields.Char(readonly=True)
    phone = fields.Char(readonly=True)
    login = fields.Char(readonly=True)
    channel = fields.Selection(GRANT_CHANNELS, readonly=True)
    status = fields.Selection(GRANT_STATUSES, readonly=True)
    user_id = fields.Many2one("res.users", readonly=True)
    signup_url = fields.Char(string="Signup link", readonly=True)
