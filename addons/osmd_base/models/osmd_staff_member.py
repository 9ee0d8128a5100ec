from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import email_normalize

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

    Odoo groups belong to a user, not to a (user, company) pair, so a person who works
    for several associations has the same OSMD role in all of them. Therefore:

    * an existing user is added to another association only with the role they already
      have, and the role of such a shared user cannot be changed by one association;
    * archiving the member deactivates the user if they work for no other association,
      otherwise it only removes this association from the user's companies (their role
      group stays, as it is the role they keep in the other associations).
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
    email = fields.Char(required=True, tracking=True, help="Login and address of the invitation.")
    phone = fields.Char()
    role = fields.Selection(STAFF_ROLES, required=True, default="engineer", tracking=True)
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

    @api.constrains("email")
    def _check_email(self):
        for member in self:
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

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            if any("user_id" in vals for vals in vals_list):
                raise AccessError(self.env._("The user of a staff member is set from its e-mail address."))
            companies = self.env["res.company"].browse(
                {vals.get("company_id") or self.env.company.id for vals in vals_list}
            )
            self._osmd_check_staff_manager(companies)
        members = super().create(vals_list)
        members.filtered("active")._osmd_provision_users()
        return members

    def write(self, vals):
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

    def _osmd_check_user_manageable(self, user):
        """Never touch administrators or residents through staff management."""
        if user._is_admin() or user._is_system():
            raise UserError(
                self.env._(
                    "%(login)s is an administrator account: it cannot be managed as a staff user.",
                    login=user.login,
                )
            )
        if user.share:
            raise UserError(
                self.env._(
                    "%(login)s is a resident (portal) account: use another e-mail address for the staff user.",
                    login=user.login,
                )
            )

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

    def _osmd_other_companies(self, user):
        self.ensure_one()
        return user.company_ids - self.company_id

    def _osmd_provision_users(self):
        """Give each member an internal user: a new one or the one of the login."""
        if not self:
            return
        self._osmd_check_staff_manager()
        # sudo: the chairman has no right on res.users; checked just above
        Users = self.env["res.users"].sudo().with_context(active_test=False)
        logins = {member: email_normalize(member.email) for member in self}
        users_by_login = {user.login: user for user in Users.search([("login", "in", list(set(logins.values())))])}
        to_create = {}
        for member in self:
            if not member.user_id and logins[member] not in users_by_login:
                to_create.setdefault(logins[member], member)
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
        created._osmd_send_invitations()

    def _osmd_attach_user(self, user):
        """Let the internal ``user`` work for the association in the member's role."""
        self.ensure_one()
        self._osmd_check_user_manageable(user)
        if not user.active:
            # an archived user starts afresh: only this association
            user.write(
                {
                    "active": True,
                    "company_id": self.company_id.id,
                    "company_ids": [Command.set(self.company_id.ids)],
                    "group_ids": self._osmd_role_group_commands(user),
                }
            )
        elif self._osmd_other_companies(user):
            role_group = self._osmd_role_group()
            if (user.group_ids & self._osmd_osmd_groups()) != role_group:
                raise UserError(
                    self.env._(
                        "%(login)s already works for another association "
                        "with another role. "
                        "A person has the same role in all their associations: "
                        "add them as %(role)s, or ask the other association first.",
                        login=user.login,
                        role=", ".join((user.group_ids & self._osmd_osmd_groups()).mapped("name")) or "-",
                    )
                )
            user.write({"company_ids": [Command.link(self.company_id.id)]})
        else:
            user.write(
                {
                    "company_ids": [Command.link(self.company_id.id)],
                    "group_ids": self._osmd_role_group_commands(user),
                }
            )
        if self.user_id != user:
            self.sudo().user_id = user

    def _osmd_detach_users(self):
        """Archived members: deactivate the user, or take this association away."""
        self._osmd_check_staff_manager()
        for member in self.filtered("user_id"):
            user = member.user_id.sudo()  # guarded by _osmd_check_staff_manager above
            member._osmd_check_user_manageable(user)
            others = member._osmd_other_companies(user)
            if not others:
                if user.active:
                    user.write({"active": False})
            elif member.company_id in user.company_ids:
                vals = {"company_ids": [Command.unlink(member.company_id.id)]}
                if user.company_id == member.company_id:
                    vals["company_id"] = others[0].id
                user.write(vals)

    def _osmd_update_role_groups(self):
        self._osmd_check_staff_manager()
        for member in self:
            user = member.user_id.sudo()  # guarded by _osmd_check_staff_manager above
            member._osmd_check_user_manageable(user)
            if (user.group_ids & self._osmd_osmd_groups()) == member._osmd_role_group():
                continue
            if member._osmd_other_companies(user):
                raise UserError(
                    self.env._(
                        "%(name)s also works for another association, "
                        "where they keep the same role: "
                        "their role cannot be changed by one association alone.",
                        name=member.name,
                    )
                )
            user.write({"group_ids": member._osmd_role_group_commands(user)})

    def _osmd_update_logins(self):
        """A new e-mail address is the new login (users of this association only)."""
        self._osmd_check_staff_manager()
        logins = {member: email_normalize(member.email) for member in self}
        taken = (
            self.env["res.users"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("login", "in", list(logins.values())),
                    ("id", "not in", self.user_id.ids),
                ]
            )
        )
        if taken:
            raise UserError(
                self.env._(
                    "The login %(login)s is already used by another user.",
                    login=taken[0].login,
                )
            )
        for member in self:
            user = member.user_id.sudo()  # guarded by _osmd_check_staff_manager above
            member._osmd_check_user_manageable(user)
            if member._osmd_other_companies(user):
                raise UserError(
                    self.env._(
                        "%(name)s also works for another association: "
                        "their e-mail address and login cannot be "
                        "changed by one association alone.",
                        name=member.name,
                    )
                )
            user.write({"login": logins[member], "email": member.email})

    def _osmd_send_invitations(self):
        """Queue the Odoo invitation (signup link) or password reset mail."""
        if not self:
            return
        self._osmd_check_staff_manager()
        users = self.user_id.sudo()  # guarded by _osmd_check_staff_manager above
        for user in users:
            self._osmd_check_user_manageable(user)
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
