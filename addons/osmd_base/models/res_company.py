from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..tools.edrpou import clean_edrpou, clean_ua_iban
from ..tools.phone import PhoneError, normalize_phone

ASSOCIATION_KINDS = [
    ("osbb", "Condominium association (OSBB)"),
    ("zhbk", "Housing co-operative (ZhBK)"),
    ("management", "Management company"),
    ("dormitory", "Dormitory"),
    ("departmental", "Departmental house"),
]

STATUTE_RULES = [
    ("before_2023", "Statute adopted before 10.11.2023"),
    ("after_2023", "Model statute in force since 10.11.2023"),
]


# Odoo's company fields the chairman keeps: the association's contacts and address (printed on receipts).
CHAIRMAN_CONTACT_FIELDS = {
    "street",
    "street2",
    "city",
    "zip",
    "state_id",
    "phone",
    "email",
    "website",
    "logo",
}
# Our fields that stay with the platform administrator: what makes a company an association, its
# chairman (user rights), the numbering, and the IP allowlist (edited by the chairman in its own list,
# under its record rules, not through the company).
PLATFORM_FIELDS = {"osmd_kind", "osmd_chairman_id", "osmd_account_sequence_id", "osmd_ip_range_ids"}


class ResCompany(models.Model):
    _inherit = "res.company"

    osmd_kind = fields.Selection(
        ASSOCIATION_KINDS,
        string="Association kind",
        help="Set on companies that are condominium associations; empty for other companies.",
    )
    osmd_edrpou = fields.Char(string="EDRPOU code", size=8, help="8-digit code in the Unified State Register (ЄДРПОУ).")
    osmd_iban = fields.Char(
        string="IBAN",
        compute="_compute_osmd_iban",
        compute_sudo=True,  # public on every receipt; the journal may be of a company not selected now
        inverse="_inverse_osmd_iban",
        help="Current account of the association, printed on receipts and in the payment QR code.",
    )
    osmd_bank_journal_id = fields.Many2one(
        "account.journal",
        string="Bank journal",
        domain="[('type', '=', 'bank'), ('company_id', '=', id)]",
        help="Bank journal holding the association's IBAN; payments arrive here.",
    )
    osmd_statute_rules = fields.Selection(
        STATUTE_RULES,
        string="Statute rule set",
        default="after_2023",
        help="Which rules the association follows for meetings and voting: its statute adopted "
        "before 10.11.2023 (kept until three years after martial law ends) or the model statute "
        "under Law 3270-IX.",
    )
    osmd_chairman_id = fields.Many2one(
        "res.users", string="Chairman", domain="[('share', '=', False), ('company_ids', 'in', id)]"
    )
    osmd_account_sequence_id = fields.Many2one(
        "ir.sequence", string="Personal account numbering", copy=False, readonly=True
    )
    osmd_ip_range_ids = fields.One2many("osmd.ip.range", "company_id", string="Staff IP allowlist")
    # who sees a personal account in the resident cabinet besides its holders (the statute or the board decides)
    osmd_portal_co_owners = fields.Boolean(
        string="Co-owners see the accounts",
        default=True,
        help="Every current co-owner of a premise sees its open personal accounts in the resident cabinet, not only "
        "the holder of the account, from the first day of their ownership.",
    )
    osmd_portal_residents = fields.Boolean(
        string="Registered residents see the accounts",
        default=True,
        help="Residents registered on a personal account see it in the resident cabinet, unless their cabinet access "
        "is unticked on their line (for example a child). When off, only holders and co-owners do.",
    )
    osmd_building_count = fields.Integer(compute="_compute_osmd_building_count", string="Buildings")
    osmd_is_platform_admin = fields.Boolean(
        string="Platform administrator",
        compute="_compute_osmd_is_platform_admin",
        help="The current user manages the associations of the platform (kind, chairman, IP allowlist).",
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("osmd_bank_journal_id.bank_account_id.acc_number")
    def _compute_osmd_iban(self):
        for company in self:
            company.osmd_iban = company.osmd_bank_journal_id.bank_account_id.acc_number or False

    def _inverse_osmd_iban(self):
        for company in self.filtered("osmd_iban"):
            company._osmd_set_iban(company.osmd_iban)

    @api.depends_context("uid")
    def _compute_osmd_is_platform_admin(self):
        self.osmd_is_platform_admin = self.env.user.has_group("base.group_erp_manager")

    def _compute_osmd_building_count(self):
        counts = dict(
            self.env["osmd.building"]._read_group([("company_id", "in", self.ids)], ["company_id"], ["__count"])
        )
        for company in self:
            company.osmd_building_count = counts.get(company, 0)

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------

    @api.constrains("osmd_edrpou")
    def _check_osmd_edrpou(self):
        for company in self.filtered("osmd_edrpou"):
            try:
                clean_edrpou(company.osmd_edrpou)
            except ValueError as exc:
                raise ValidationError(
                    self.env._(
                        "EDRPOU code %(code)s of %(company)s is not valid: it must be 8 digits with a correct "
                        "check digit.",
                        code=company.osmd_edrpou,
                        company=company.name,
                    )
                ) from exc

    @api.constrains("osmd_bank_journal_id")
    def _check_osmd_bank_journal(self):
        for company in self.sudo().filtered("osmd_bank_journal_id"):
            if company.osmd_bank_journal_id.company_id != company or company.osmd_bank_journal_id.type != "bank":
                raise ValidationError(
                    self.env._(
                        "%(company)s: the bank journal must be a bank journal of the association itself.",
                        company=company.name,
                    )
                )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if "iap_enrich_auto_done" in self._fields:
            # partner_autocomplete (auto-installed) would send the new association's e-mail domain
            # to an outside enrichment service; an association's data stays in its database.
            for vals in vals_list:
                if vals.get("osmd_kind"):
                    vals.setdefault("iap_enrich_auto_done", True)
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("phone") and self and all(self.mapped("osmd_kind")):
            vals = {**vals, "phone": self._osmd_normalize_phone(vals["phone"])}
        if self.env.su or not vals or self.env.user.has_group("base.group_erp_manager"):
            return super().write(vals)
        if not self._osmd_is_own_chairman():
            raise AccessError(self.env._("Only the chairman of the association changes its settings."))
        forbidden = vals.keys() - self._osmd_chairman_settings_fields()
        if forbidden:
            labels = ", ".join(
                sorted(
                    self._fields[name].get_description(self.env)["string"] if name in self._fields else name
                    for name in forbidden
                )
            )
            raise AccessError(
                self.env._(
                    "The chairman changes the association's own settings only; these are changed by the "
                    "platform administrator: %(fields)s.",
                    fields=labels,
                )
            )
        self._osmd_check_settings_targets(vals)
        # The chairman has no right on Odoo's companies: the checked settings of their own association
        # are written with sudo, which keeps the user for the tracking.
        return super(ResCompany, self.sudo()).write(vals)

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    @api.model
    def action_osmd_association_settings(self):
        """The settings form of the association the user works in now."""
        company = self.env.company
        if not company.osmd_kind:
            if self.env.user.has_group("base.group_erp_manager"):
                # the platform's own company: the administrator picks the association from the list
                return self.env["ir.actions.act_window"]._for_xml_id("osmd_base.osmd_association_action")
            raise UserError(self.env._("Choose an association in the company switcher to see its settings."))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Association settings"),
            "res_model": "res.company",
            "res_id": company.id,
            "view_mode": "form",
            "views": [(self.env.ref("osmd_base.osmd_association_view_form").id, "form")],
            "target": "current",
            "context": {"create": False, "delete": False},
        }

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _osmd_normalize_phone(self, phone):
        """The association's phone as +380…, or a clear error."""
        try:
            return normalize_phone(phone, self[:1].country_id.code or "UA")
        except PhoneError as exc:
            raise ValidationError(
                self.env._(
                    "Phone %(phone)s of the association is not a valid phone number: write it as "
                    "044 123 45 67 or +380 44 123 45 67.",
                    phone=phone,
                )
            ) from exc

    def _osmd_is_own_chairman(self):
        """The current user is a chairman working for every association of ``self``."""
        user = self.env.user
        return user.has_group("osmd_base.group_osmd_chairman") and not (self - user.company_ids)

    def _osmd_check_settings_targets(self, vals):
        """The records a chairman links in the settings (bank journal, engineer, accounts…) are the
        association's own: written with sudo, nothing else would check it."""
        for name, value in vals.items():
            field = self._fields.get(name)
            if not value or field is None or field.type != "many2one":
                continue
            target = self.env[field.comodel_name].sudo().browse(value).exists()
            if field.comodel_name == "res.users":
                own = target and not target.share and not (self - target.company_ids)
            elif "company_id" in target._fields:
                own = target and (not target.company_id or target.company_id == self)
            else:
                own = bool(target)
            if not own:
                raise AccessError(
                    self.env._(
                        "%(field)s: choose a record of the association itself.",
                        field=field.get_description(self.env)["string"],
                    )
                )

    @api.model
    def _osmd_chairman_settings_fields(self):
        """Fields of an association its chairman may change: contacts, and our own settings.

        Our settings are every writable ``osmd_`` field of the company (the addons add their own:
        reading window, penalties…) except the platform's; Odoo's technical company fields (currency,
        chart of accounts, fiscal data, parent company, users) never are.
        """
        own = {
            name
            for name, field in self._fields.items()
            if name.startswith("osmd_")
            and name not in PLATFORM_FIELDS
            and not field.readonly
            and (field.store or field.inverse)
            and field.type not in ("one2many", "many2many")
        }
        return own | CHAIRMAN_CONTACT_FIELDS

    def _osmd_set_iban(self, iban):
        """Attach ``iban`` to the association's bank journal (created if missing)."""
        self.ensure_one()
        try:
            compact = clean_ua_iban(iban)
        except ValueError as exc:
            raise ValidationError(
                self.env._(
                    "IBAN %(iban)s is not valid: a Ukrainian IBAN is UA and 27 digits with correct check digits.",
                    iban=iban,
                )
            ) from exc
        Bank = self.env["res.partner.bank"].sudo()  # the bank account belongs to the company partner
        bank_account = Bank.search(
            [("sanitized_acc_number", "=", compact), ("partner_id", "=", self.partner_id.id)], limit=1
        ) or Bank.create({"acc_number": compact, "partner_id": self.partner_id.id, "company_id": self.id})
        journal = self.osmd_bank_journal_id
        if not journal:
            journal = (
                self.env["account.journal"]
                .sudo()
                .search([("type", "=", "bank"), ("company_id", "=", self.id)], order="sequence, id", limit=1)
            )
        if journal:
            journal.bank_account_id = bank_account
        else:
            journal = (
                self.env["account.journal"]
                .sudo()
                .create(
                    {
                        "name": self.env._("Bank"),
                        "type": "bank",
                        "code": "BNK1",
                        "company_id": self.id,
                        "bank_account_id": bank_account.id,
                    }
                )
            )
        if self.osmd_bank_journal_id != journal:
            self.osmd_bank_journal_id = journal

    def _osmd_get_account_sequence(self):
        """The per-association sequence of personal account numbers (digits only)."""
        self.ensure_one()
        if not self.osmd_account_sequence_id:
            self.sudo().osmd_account_sequence_id = (
                self.env["ir.sequence"]
                .sudo()
                .create(
                    {
                        "name": self.env._("Personal accounts of %s", self.name),
                        "code": "osmd.account",
                        "company_id": self.id,
                        "padding": 6,
                        "number_next": 1,
                        "implementation": "no_gap",
                    }
                )
            )
        return self.osmd_account_sequence_id

    @api.model
    def _osmd_user_association(self):
        """The association the current user works in (their current company)."""
        return self.env.company
