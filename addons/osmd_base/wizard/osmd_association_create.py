import base64

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tools import email_normalize

from ..models.res_company import ASSOCIATION_KINDS, STATUTE_RULES
from ..tools.edrpou import clean_edrpou, clean_ua_iban
from ..tools.phone import PhoneError, normalize_phone

UA_CHART_TEMPLATE = "ua_psbo"


class OsmdAssociationCreate(models.TransientModel):
    """Onboarding: create an association with its books, chairman and registry.

    Everything happens in the transaction of the button: a problem anywhere
    (a bad registry row, a login already taken) raises and nothing is created.
    """

    _name = "osmd.association.create"
    _description = "New association"

    name = fields.Char(required=True, help="Full name, e.g. OSBB 'Khreshchatyk 10'.")
    kind = fields.Selection(ASSOCIATION_KINDS, string="Association kind", required=True, default="osbb")
    edrpou = fields.Char(
        string="EDRPOU code",
        required=True,
        help="8-digit code in the Unified State Register (ЄДРПОУ).",
    )
    iban = fields.Char(string="IBAN", help="Current account of the association (UA + 27 digits).")
    statute_rules = fields.Selection(STATUTE_RULES, string="Statute rule set", required=True, default="after_2023")
    street = fields.Char()
    city = fields.Char()
    zip = fields.Char(string="Postcode")
    phone = fields.Char()
    email = fields.Char()
    chairman_name = fields.Char(required=True)
    chairman_email = fields.Char(required=True, help="The chairman's login; the invitation is sent here.")
    chairman_phone = fields.Char()
    file = fields.Binary(
        string="Registry workbook",
        help="Optional: buildings, premises, owners and accounts to import (.xlsx).",
    )
    filename = fields.Char()

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------

    @api.constrains("edrpou")
    def _check_edrpou(self):
        for wizard in self:
            wizard._clean_edrpou()

    @api.constrains("iban")
    def _check_iban(self):
        for wizard in self.filtered("iban"):
            wizard._clean_iban()

    @api.constrains("phone", "chairman_phone", "email", "chairman_email")
    def _check_contacts(self):
        for wizard in self:
            wizard._clean_phone(wizard.phone)
            wizard._clean_phone(wizard.chairman_phone)
            wizard._clean_email(wizard.email)
            wizard._clean_email(wizard.chairman_email)

    def _clean_edrpou(self):
        try:
            return clean_edrpou(self.edrpou)
        except ValueError as exc:
            raise ValidationError(
                self.env._(
                    "EDRPOU code %(code)s is not valid: it must be 8 digits with a correct check digit.",
                    code=self.edrpou,
                )
            ) from exc

    def _clean_iban(self):
        try:
            return clean_ua_iban(self.iban)
        except ValueError as exc:
            raise ValidationError(
                self.env._(
                    "IBAN %(iban)s is not valid: a Ukrainian IBAN is UA and 27 digits with correct check digits.",
                    iban=self.iban,
                )
            ) from exc

    def _clean_phone(self, phone):
        if not phone:
            return False
        try:
            return normalize_phone(phone)
        except PhoneError as exc:
            raise ValidationError(self.env._("%(phone)s is not a valid phone number.", phone=phone)) from exc

    def _clean_email(self, email):
        if not email:
            return False
        normalized = email_normalize(email)
        if not normalized:
            raise ValidationError(self.env._("%(email)s is not a valid e-mail.", email=email))
        return normalized

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_create(self):
        self.ensure_one()
        Import = self.env["osmd.registry.import"]
        # Parse the workbook first: a bad row stops here, before any record exists.
        data = self.file and Import._parse_file(base64.b64decode(self.file))
        login = self._clean_email(self.chairman_email)
        # any case and archived users too: never a second account, never an existing one
        if self.env["osmd.staff.member"]._osmd_search_users_by_login({login}):
            raise UserError(
                self.env._(
                    "A user with the login %(login)s already exists: choose another e-mail for the chairman.",
                    login=login,
                )
            )
        company = self._create_company()
        self._load_chart_of_accounts(company)
        if self.iban:
            company._osmd_set_iban(self._clean_iban())
        company._osmd_get_account_sequence()
        chairman = self._create_chairman(company, login)
        company.osmd_chairman_id = chairman
        self._send_invitation(chairman)
        # the admin keeps access to the association, to switch to it
        self.env.user.write({"company_ids": [Command.link(company.id)]})
        if data:
            # sudo: a platform administrator need not hold a role in the association;
            # every record is created with company_id = the new association.
            Import.sudo().with_company(company)._import_data(company, data)
        return self._get_association_action(company)

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _prepare_company_vals(self):
        self.ensure_one()
        edrpou = self._clean_edrpou()
        return {
            "name": self.name,
            "osmd_kind": self.kind,
            "osmd_edrpou": edrpou,
            "company_registry": edrpou,
            "osmd_statute_rules": self.statute_rules,
            "street": self.street,
            "city": self.city,
            "zip": self.zip,
            "phone": self._clean_phone(self.phone),
            "email": self._clean_email(self.email),
            "country_id": self.env.ref("base.ua").id,
            "currency_id": self.env.ref("base.UAH").id,
        }

    def _create_company(self):
        uah = self.env.ref("base.UAH")
        if not uah.active:
            uah.sudo().active = True
        # chart_template_load: no automatic localisation install and no second chart
        # loading at commit; the chart is loaded explicitly just below.
        company = self.env["res.company"].with_context(chart_template_load=True).create(self._prepare_company_vals())
        if "uk_UA" in dict(self.env["res.lang"].get_installed()):
            # the association's own documents (run names, letters) are in Ukrainian once it is installed
            company.partner_id.lang = "uk_UA"
        return company

    def _load_chart_of_accounts(self, company):
        """The Ukrainian chart (ПСБО): accounts, taxes and journals (bank included)."""
        self.env["account.chart.template"].try_loading(UA_CHART_TEMPLATE, company, install_demo=False)

    def _create_chairman(self, company, login):
        Users = self.env["res.users"].with_context(no_reset_password=True)
        groups = Users._default_groups() | self.env.ref("osmd_base.group_osmd_chairman")
        return Users.create(
            {
                "name": self.chairman_name,
                "login": login,
                "email": login,
                "phone": self._clean_phone(self.chairman_phone),
                "company_id": company.id,
                "company_ids": [Command.set(company.ids)],
                "lang": company.partner_id.lang or self.env.lang,
                "group_ids": [Command.set(groups.ids)],
            }
        )

    def _send_invitation(self, user):
        """Queue the sign-up invitation Odoo sends to new internal users.

        Odoo's own ``action_reset_password`` sends it at once and fails without a
        mail server; queued, it leaves with the mail cron and only if the whole
        onboarding is committed.
        """
        user.partner_id.signup_prepare(signup_type="signup")
        template = self.env.ref("auth_signup.set_password_email", raise_if_not_found=False)
        if not template:
            return
        template.send_mail(
            user.id,
            force_send=False,
            email_values={
                "email_to": user.email,
                "email_cc": False,
                "auto_delete": True,
                "message_type": "user_notification",
                "recipient_ids": [],
                "partner_ids": [],
                "scheduled_date": False,
            },
        )

    def _get_association_action(self, company):
        action = self.env["ir.actions.act_window"]._for_xml_id("osmd_base.osmd_association_action")
        action.update(
            {
                "res_id": company.id,
                "view_mode": "form",
                "views": [(self.env.ref("osmd_base.osmd_association_view_form").id, "form")],
                "target": "current",
            }
        )
        return action
