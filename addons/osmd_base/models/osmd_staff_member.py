from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import email_normalize, escape_psql

from ..tools.phone import PhoneError, normalize_phone

STAFF_ROLES = [
    ("engineer", "Engineer"),
    ("audit", "Audit commission"),
    ("accountant", "Accountant"),
    ("board", "Board member"),
    ("chairman", "Chairman"),
]

ROLE_GROUPS = {
    "engineer": "osmd_base.group_osmd_engineer",
    "audit": "osmd_base.group_osmd_audit",
    "accountant": "osmd_base.group_osmd_accountant",
    "board": "osmd_base.group_osmd_board",
    "chairman": "osmd_base.group_osmd_chairman",
}

STAFF_MANAGER_GROUP = "osmd_base.group_osmd_chairman"


class OsmdStaffMember(models.Model):
    """A person working for an association, and the internal Odoo user they log in with.

    The chairman manages staff here without any right on ``res.users``: the user is
    created and updated with sudo, after ``_osmd_check_staff_manager`` has checked that
    the current user is a chairman of every association concerned.

    Staff users are per association. A chairman only ever manages the association's
    *own* users (see ``_osmd_get_foreign_users``): a member's e-mail address becomes a
    new user, or reuses an existing user only when nothing ties that user to anyone
    else (never an administrator, a resident, nor a user who works or worked for
    another association, active or archived). Every other address is refused with one
    message that says nothing about the user behind it, so that a chairman can
    neither take over nor look up the users of another association, nor make their
    own IP allowlist apply to another association's staff. A person who works for two
    associations has a user (an e-mail address) per association.

    A user the platform shared between associations (or data older than this rule)
    is frozen for each of them: its role, login and invitations are changed by the
    platform administrator; archiving the member only takes the association away.
    """

    _name = "osmd.staff.member"
    _description = "Staff user of an association"
    _inherit = ["mail.thread"]
    _order = "company_id, role desc, name"

    company_id = fields.Many2one(
        "res.company",
        string="Association",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    name = fields.Char(required=True, tracking=True)
    email = fields.Char(
        tracking=True,
        help="Login and address of the invitation. An address that is already the login of another user "
        "can only be used again for a former staff user of this association.",
    )
    phone = fields.Char(help="Mobile or landline number; saved as +380…")
    # no default: a chairman must choose the rights of every new person
    role = fields.Selection(STAFF_ROLES, required=True, tracking=True)
    user_id = fields.Many2one("res.users", readonly=True, copy=False, ondelete="restrict")
    active = fields.Boolean(default=True, tracking=True)
    login_date = fields.Datetime(related="user_id.login_date", string="Last login")

    _user_company_uniq = models.Constraint(
        "UNIQUE(company_id, user_id)",
        "This user is already a staff member of the association.",
    )

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------

    @api.constrains("email", "user_id")
    def _check_email(self):
        for member in self:
            if not member.email and member.user_id:
                # a user created outside this list (by the platform) may have a login that is not an address
                continue
            if not email_normalize(member.email):
                raise ValidationError(
                    self.env._(
                        "%(email)s is not a valid e-mail address: it is the login of %(name)s.",
                        email=member.email,
                        name=member.name,
                    )
                )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model
    def _osmd_normalize_phone_vals(self, vals, company):
        if not vals.get("phone"):
            return vals
        try:
            phone = normalize_phone(vals["phone"], company.country_id.code or "UA")
        except PhoneError as exc:
            raise ValidationError(
                self.env._(
                    "Phone %(phone)s of %(name)s is not a valid phone number: write it as 067 123 45 67 "
                    "or +380 67 123 45 67.",
                    phone=vals["phone"],
                    name=vals.get("name") or self.name or "",
                )
            ) from exc
        return {**vals, "phone": phone}

    @api.model_create_multi
    def create(self, vals_list):
        if self.env.context.get("osmd_staff_synced"):
            return super().create(vals_list)
        if not self.env.su:
            if any("user_id" in vals for vals in vals_list):
                raise AccessError(self.env._("The user of a staff member is set from its e-mail address."))
            companies = self.env["res.company"].browse(
                {vals.get("company_id") or self.env.company.id for vals in vals_list}
            )
            self._osmd_check_staff_manager(companies)
        for vals in vals_list:
            if not vals.get("role"):
                raise ValidationError(
                    self.env._(
                        "Choose the role of %(name)s: it decides what they may see and do.", name=vals.get("name") or ""
                    )
                )
        Company = self.env["res.company"]
        vals_list = [
            self._osmd_normalize_phone_vals(vals, Company.browse(vals.get("company_id")) or self.env.company)
            for vals in vals_list
        ]
        members = super().create(vals_list)
        members.filtered("active")._osmd_provision_users()
        return members

    def write(self, vals):
        if vals.get("phone"):
            for company in self.company_id or self.env.company:
                vals = self._osmd_normalize_phone_vals(vals, company)
        if not self.env.su:
            if "user_id" in vals:
                raise AccessError(self.env._("The user of a staff member is set from its e-mail address."))
            if "company_id" in vals and any(m.company_id.id != vals["company_id"] for m in self):
                raise UserError(
                    self.env._(
                        "A staff member cannot be moved to another association: archive it and create a new one."
                    )
                )
        changed_active = self.filtered(lambda m: m.active != vals["active"]) if "active" in vals else self.browse()
        changed_email = (
            self.filtered(lambda m: m.user_id and email_normalize(m.email) != email_normalize(vals["email"]))
            if vals.get("email")
            else self.browse()
        )
        res = super().write(vals)
        if changed_active:
            changed_active.filtered("active")._osmd_provision_users()
            (changed_active - changed_active.filtered("active"))._osmd_detach_users()
        if changed_email:
            changed_email.filtered("active")._osmd_update_logins()
            # a deactivated member's user gets the address when reactivated: refuse it now
            (changed_email - changed_email.filtered("active")).filtered("user_id")._osmd_check_new_logins()
        if "role" in vals:
            (self - changed_active).filtered(lambda m: m.active and m.user_id)._osmd_update_role_groups()
        return res

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_invite(self):
        """(Re)send the invitation: a signup link, or a password reset after a login."""
        members = self.filtered(lambda m: m.active and m.user_id)
        if not members:
            raise UserError(self.env._("Only active staff members with a user can be invited."))
        members._osmd_check_staff_manager()
        members._osmd_send_invitations()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("The invitation is queued and will be sent by e-mail."),
                "sticky": False,
            },
        }

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def action_osmd_open_staff(self):
        """The staff list of the current association, with the staff users made outside it."""
        self._osmd_sync_staff_users(companies=self.env.company)
        return self.env["ir.actions.act_window"]._for_xml_id("osmd_base.osmd_staff_member_action")

    @api.model
    def _osmd_sync_staff_users(self, users=None, companies=None):
        """Give a staff member to every staff user of an association that has none.

        Staff users created outside this list (by the platform administrator in Settings, the new
        association wizard or the demo) were missing from it: the chairman did not see who works for
        the association. The member gets the user's highest role; its users are not changed.
        Platform administrators are not staff of an association.
        """
        roles = self._osmd_osmd_groups() - self.env.ref("osmd_base.group_osmd_resident")
        Users = self.env["res.users"].sudo().with_context(active_test=False)
        domain = [("share", "=", False), ("all_group_ids", "in", roles.ids)]
        if users is not None:
            domain.append(("id", "in", users.ids))
        if companies is not None:
            domain.append(("company_ids", "in", companies.ids))
        users = Users.search(domain).filtered(lambda u: not (u._is_superuser() or u._is_system()))
        if not users:
            return self.browse()
        Members = self.sudo().with_context(active_test=False)
        existing = {(m.company_id.id, m.user_id.id) for m in Members.search([("user_id", "in", users.ids)])}
        associations = self.env["res.company"].sudo().search([("osmd_kind", "!=", False)])
        if companies is not None:
            associations &= companies
        vals_list = []
        for user in users:
            role = next(
                (role for role, xmlid in reversed(ROLE_GROUPS.items()) if self.env.ref(xmlid) in user.all_group_ids),
                False,
            )
            for company in user.company_ids & associations:
                if (company.id, user.id) in existing:
                    continue
                vals_list.append(
                    {
                        "company_id": company.id,
                        "user_id": user.id,
                        "name": user.name,
                        "email": email_normalize(user.email or user.login) or False,
                        "phone": False,
                        "role": role,
                        "active": user.active,
                    }
                )
        return Members.with_context(osmd_staff_synced=True, tracking_disable=True).create(vals_list)

    def _osmd_check_staff_manager(self, companies=None):
        """Raise unless the current user may manage the staff users of ``companies``.

        Called before every sudo operation on res.users: only a chairman who works for
        the association (it is in their companies) manages its staff users.
        """
        if self.env.su:
            return
        companies = self.company_id if companies is None else companies
        user = self.env.user
        if not user.has_group(STAFF_MANAGER_GROUP) or companies - user.company_ids:
            raise AccessError(self.env._("Only the chairman of the association can manage its staff users."))

    def _osmd_refused_email_error(self):
        """The one refusal of an e-mail address: it must not tell why (see the class doc)."""
        return UserError(
            self.env._("This e-mail address cannot be used for a staff user of this association. Use another address.")
        )

    def _osmd_not_own_user_error(self):
        """Refuse to change the user of this existing member (not the association's own)."""
        self.ensure_one()
        return UserError(
            self.env._(
                "The user of %(name)s is not managed by this association alone: ask the platform administrator.",
                name=self.name,
            )
        )

    def _osmd_check_own_users(self):
        """Raise unless the members' users are managed by their association alone."""
        for company, members in self.filtered("user_id").grouped("company_id").items():
            foreign = self._osmd_get_foreign_users(members.user_id, company)
            for member in members:
                if member.user_id & foreign:
                    raise member._osmd_not_own_user_error()

    @api.model
    def _osmd_search_users_by_login(self, logins):
        """Users (archived ones too) whose login is one of ``logins``, whatever its case.

        Odoo keeps the case of a login and compares it exactly, while an e-mail
        address is one mailbox in any case: ``Olha@x.test`` and ``olha@x.test`` are
        the same person. The result maps each normalized login to its users.
        """
        logins = {login for login in logins if login}
        if not logins:
            return {}
        # sudo: the chairman has no right on res.users; only logins are matched
        users = (
            self.env["res.users"]
            .sudo()
            .with_context(active_test=False)
            .search(Domain.OR(Domain("login", "=ilike", escape_psql(login)) for login in logins))
        )
        users_by_login = {}
        for user in users:
            login = email_normalize(user.login) or user.login.lower()
            if login in logins:
                users_by_login[login] = users_by_login.get(login, users.browse()) | user
        return users_by_login

    @api.model
    def _osmd_get_foreign_users(self, users, company):
        """The ``users`` that ``company`` may not use or manage as its own staff users.

        A user is the association's own when nothing ties it to anyone else: it is
        not the superuser, an administrator or a portal/public user, and the
        association is the only company it has (``company_ids``, ``company_id``, its
        partner's company) or ever had as far as the database remembers: staff
        records of other associations (archived ones too), another association's
        chairman, refused logins at another association.

        Only facts that another association cannot create count: a chairman can make
        any internal user's partner follow their own records, so followers would let
        one association freeze the staff of another.
        """
        users = users.sudo().with_context(active_test=False)
        foreign = users.filtered(
            lambda u: (
                u._is_superuser()
                or u._is_admin()
                or u._is_system()
                or u.share
                or (u.company_ids | u.company_id | u.partner_id.company_id) - company
            )
        )
        rest = users - foreign
        if not rest:
            return foreign
        # sudo: the ties are looked for in every association, archived records included
        Members = self.sudo().with_context(active_test=False)
        foreign |= Members.search([("user_id", "in", rest.ids), ("company_id", "!=", company.id)]).user_id
        foreign |= (
            self.env["res.company"]
            .sudo()
            .with_context(active_test=False)
            .search([("osmd_chairman_id", "in", rest.ids), ("id", "!=", company.id)])
            .osmd_chairman_id
        )
        foreign |= (
            self.env["osmd.login.denial"]
            .sudo()
            .search([("user_id", "in", rest.ids), ("company_id", "!=", company.id)])
            .user_id
        )
        return foreign

    def _osmd_role_group(self):
        self.ensure_one()
        return self.env.ref(ROLE_GROUPS[self.role])

    def _osmd_osmd_groups(self):
        return self.env.ref("osmd_base.res_groups_privilege_osmd").sudo().group_ids

    def _osmd_role_group_commands(self, user):
        """Commands replacing the OSMD groups of ``user`` by the member's role group."""
        self.ensure_one()
        role_group = self._osmd_role_group()
        obsolete = (user.group_ids & self._osmd_osmd_groups()) - role_group
        return [Command.unlink(group.id) for group in obsolete] + [
            Command.link(self.env.ref("base.group_user").id),
            Command.link(role_group.id),
        ]

    def _osmd_provision_users(self):
        """Give each member an internal user: a new one, or its own or the login's one.

        Every existing user is checked before anything is written: one that is not
        the association's own (``_osmd_get_foreign_users``) refuses the whole batch.
        """
        if not self:
            return
        self._osmd_check_staff_manager()
        logins = {member: email_normalize(member.email) for member in self}
        users_by_login = self._osmd_search_users_by_login({logins[member] for member in self if not member.user_id})
        # sudo: the chairman has no right on res.users; checked just above
        Users = self.env["res.users"].sudo().with_context(active_test=False)
        users = {member: member.user_id.sudo() or users_by_login.get(logins[member], Users) for member in self}
        for company, members in self.grouped("company_id").items():
            existing = Users.union(*(users[member] for member in members))
            if any(len(users[member]) > 1 for member in members) or self._osmd_get_foreign_users(existing, company):
                raise self._osmd_refused_email_error()
        new_logins = {}
        for member in self.filtered(lambda m: not users[m]):
            new_logins.setdefault(logins[member], member)
            if new_logins[logins[member]].company_id != member.company_id:
                # one new address for two associations
                raise self._osmd_refused_email_error()
        self._osmd_check_former_members({member: users[member] for member in self if not member.user_id})
        to_create = new_logins
        new_users = Users.with_context(no_reset_password=True).create(
            [
                {
                    "name": member.name,
                    "login": login,
                    "email": member.email,
                    "phone": member.phone,
                    "company_id": member.company_id.id,
                    "company_ids": [Command.set(member.company_id.ids)],
                    "group_ids": [
                        Command.set(
                            [
                                self.env.ref("base.group_user").id,
                                member._osmd_role_group().id,
                            ]
                        )
                    ],
                }
                for login, member in to_create.items()
            ]
        )
        for user in new_users:
            to_create[user.login].sudo().user_id = user
            users_by_login[user.login] = user
        created = self.browse([member.id for member in to_create.values()])
        for member in self - created:
            member._osmd_attach_user(member.user_id.sudo() or users_by_login[logins[member]])
        # a member archived with one address and reactivated with another
        (self - created).filtered(lambda m: m.user_id.sudo().login != logins[m])._osmd_update_logins()
        created._osmd_send_invitations()

    def _osmd_check_former_members(self, users):
        """Point to the association's member who has the user already, archived or not.

        :param users: {member: the existing user of its login} for new members
        """
        pairs = {(member.company_id.id, user.id): member for member, user in users.items() if user}
        if not pairs:
            return
        # sudo: archived members of the association, to name the one to reactivate
        holders = (
            self.sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("user_id", "in", [user_id for _company_id, user_id in pairs]),
                    ("company_id", "in", [company_id for company_id, _user_id in pairs]),
                    ("id", "not in", self.ids),
                ]
            )
        )
        for holder in holders:
            member = pairs.get((holder.company_id.id, holder.user_id.id))
            if member:
                raise UserError(
                    self.env._(
                        "%(email)s is the login of %(name)s, a staff member of this association "
                        "(perhaps deactivated): reactivate or edit that member instead.",
                        email=member.email,
                        name=holder.name,
                    )
                )

    def _osmd_attach_user(self, user):
        """Let the association's own ``user`` work for it in the member's role.

        The caller has checked that the user is the association's own.
        """
        self.ensure_one()
        vals = {
            "company_id": self.company_id.id,
            "company_ids": [Command.set(self.company_id.ids)],
            "group_ids": self._osmd_role_group_commands(user),
        }
        if not user.active:
            vals["active"] = True
        user.write(vals)
        if self.user_id != user:
            self.sudo().user_id = user

    def _osmd_detach_users(self):
        """Archived members: deactivate the user, or take this association away.

        A user shared with other associations (by the platform) keeps them.
        """
        self._osmd_check_staff_manager()
        for member in self.filtered("user_id"):
            user = member.user_id.sudo()  # guarded by _osmd_check_staff_manager above
            if user._is_superuser() or user._is_admin() or user._is_system() or user.share:
                raise member._osmd_not_own_user_error()
            others = user.company_ids - member.company_id
            if not others:
                if user.active:
                    user.write({"active": False})
            elif member.company_id in user.company_ids:
                vals = {"company_ids": [Command.unlink(member.company_id.id)]}
                if user.company_id == member.company_id:
                    vals["company_id"] = others[0].id
                user.write(vals)
                member._osmd_unfollow_association(user.partner_id)

    def _osmd_unfollow_association(self, partner):
        """The partner of a user who no longer works for the association stops following its records."""
        self.ensure_one()
        # sudo: followers of records of this association only; the caller is its chairman (checked by the caller)
        Followers = self.env["mail.followers"].sudo()
        followers = Followers.search([("partner_id", "=", partner.id)])
        by_model = {}
        for follower in followers:
            by_model.setdefault(follower.res_model, []).append(follower)
        stale = Followers.browse()
        for model, rows in by_model.items():
            Model = self.env.get(model)
            if Model is None or "company_id" not in Model._fields:
                continue
            records = Model.sudo().browse([row.res_id for row in rows]).exists()
            mine = set(records.filtered(lambda rec: rec.company_id == self.company_id).ids)
            stale |= Followers.browse([row.id for row in rows if row.res_id in mine])
        stale.unlink()

    def _osmd_update_role_groups(self):
        self._osmd_check_staff_manager()
        self._osmd_check_own_users()
        for member in self:
            user = member.user_id.sudo()  # guarded by _osmd_check_staff_manager above
            if (user.group_ids & self._osmd_osmd_groups()) != member._osmd_role_group():
                user.write({"group_ids": member._osmd_role_group_commands(user)})

    def _osmd_check_new_logins(self):
        """Raise unless each member's e-mail address can become the login of its user.

        Only the association's own users change login, and never to a login of any
        other user (or twice in the batch): that gets the one refusal of
        ``_osmd_refused_email_error``, which says nothing about the other user.
        """
        self._osmd_check_staff_manager()
        self._osmd_check_own_users()
        logins = [email_normalize(member.email) for member in self]
        taken = self._osmd_search_users_by_login(set(logins))
        if len(set(logins)) < len(logins) or any(users - self.user_id for users in taken.values()):
            raise self._osmd_refused_email_error()

    def _osmd_update_logins(self):
        """A new e-mail address is the new login (the association's own users only)."""
        if not self:
            return
        self._osmd_check_new_logins()
        for member in self:
            user = member.user_id.sudo()  # guarded by _osmd_check_staff_manager above
            user.write({"login": email_normalize(member.email), "email": member.email})

    def _osmd_send_invitations(self):
        """Queue the Odoo invitation (signup link) or password reset mail."""
        if not self:
            return
        self._osmd_check_staff_manager()
        self._osmd_check_own_users()
        users = self.user_id.sudo()  # guarded by _osmd_check_staff_manager above
        never_logged = users.filtered(lambda u: not u.login_date)
        never_logged.partner_id.signup_prepare(signup_type="signup")
        (users - never_logged).partner_id.signup_prepare(signup_type="reset")
        template = self.env.ref("auth_signup.set_password_email").sudo()
        template.send_mail_batch(users.ids, force_send=False)
        self._message_log_batch(
            {
                member.id: Markup("<p>%s</p>")
                % self.env._(
                    "Invitation queued for %(email)s (login %(login)s).",
                    email=member.user_id.sudo().email,
                    login=member.user_id.sudo().login,
                )
                for member in self
            }
        )
