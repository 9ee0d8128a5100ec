from babel.dates import format_date as babel_format_date

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import get_lang
from odoo.tools.misc import babel_locale_parse

RECEIPT_REPORT = "osmd_billing.action_report_osmd_receipt"

# Fields of a posted billing document (a move with an osmd field set: the accrual invoice of a personal account, a
# recalculation's invoice or credit note) that nobody changes, whatever the context, on top of what Odoo's own
# write refuses (it lets ``skip_readonly_check`` through and leaves the others open) and of the osmd fields.
FROZEN_DOCUMENT_FIELDS = (
    "partner_id",
    "commercial_partner_id",
    "partner_shipping_id",
    "payment_reference",
    "invoice_origin",
    "company_id",
    "journal_id",
    "move_type",
    "currency_id",
    "date",
    "invoice_date",
    "name",
    "line_ids",
    "invoice_line_ids",
    "fiscal_position_id",
    "invoice_payment_term_id",
    "invoice_cash_rounding_id",
    "amount_untaxed",
    "amount_tax",
    "amount_total",
    "amount_residual",
    "amount_untaxed_signed",
    "amount_tax_signed",
    "amount_total_signed",
    "amount_residual_signed",
    "amount_total_in_currency_signed",
)
# Fields of the lines of a posted billing document that nobody changes (reconciliation fields stay open).
FROZEN_LINE_FIELDS = (
    "move_id",
    "account_id",
    "partner_id",
    "product_id",
    "product_uom_id",
    "name",
    "quantity",
    "price_unit",
    "discount",
    "debit",
    "credit",
    "balance",
    "amount_currency",
    "price_subtotal",
    "price_total",
    "tax_ids",
    "tax_line_id",
    "tax_repartition_line_id",
    "currency_id",
    "display_type",
    "company_id",
    "journal_id",
    "date",
)


def field_changes(record, vals, fnames):
    """The fields of ``fnames`` whose value in ``vals`` differs from the record's (x2many: always)."""
    record.ensure_one()
    changed = []
    for fname in fnames:
        if fname not in vals:
            continue
        field = record._fields[fname]
        if field.type in ("one2many", "many2many") or field.convert_to_cache(
            vals[fname], record, validate=False
        ) != field.convert_to_cache(record[fname], record, validate=False):
            changed.append(fname)
    return changed


class AccountMove(models.Model):
    _inherit = "account.move"

    osmd_account_id = fields.Many2one(
        "osmd.account",
        string="Personal account",
        index=True,
        ondelete="restrict",
        check_company=True,
        copy=False,
        readonly=True,
    )
    osmd_period = fields.Date(string="Billing period", index=True, copy=False, readonly=True)
    osmd_is_accrual = fields.Boolean(
        string="Monthly accrual",
        copy=False,
        readonly=True,
        help="The invoice is the monthly accrual of its personal account and period: at most one each that is "
        "neither cancelled nor reversed (a cancelled billing run reverses its invoices with credit notes).",
    )
    osmd_billing_run_id = fields.Many2one(
        "osmd.billing.run", string="Billing run", index=True, copy=False, readonly=True, ondelete="restrict"
    )
    # staff screens and e-mails (residents' readable fields are an explicit list, see test_curious_resident)
    osmd_period_label = fields.Char(
        string="Period",
        compute="_compute_osmd_period_label",
        groups="base.group_user",
        help='The billing period as a month in words, e.g. "листопад 2026".',
    )

    # a reversed invoice (the reversal of a cancelled billing run) no longer counts: the period can be billed again
    # without touching the posted invoice; un-reconciling the reversal of an invoice billed again is refused
    _osmd_accrual_uniq = models.UniqueIndex(
        "(osmd_account_id, osmd_period) WHERE osmd_is_accrual AND move_type = 'out_invoice' AND state != 'cancel' "
        "AND payment_state IS DISTINCT FROM 'reversed'",
        "This personal account has already been billed for the period: use a recalculation.",
    )

    osmd_document_lang = fields.Char(
        string="Document language",
        compute="_compute_osmd_document_lang",
        groups="base.group_user",
        help="Language of the receipt and its e-mail: the association's, unless the holder chose another.",
    )

    # ------------------------------------------------------------
    # COMPUTES
    # ------------------------------------------------------------

    @api.depends("osmd_period")
    @api.depends_context("lang")
    def _compute_osmd_period_label(self):
        locale = babel_locale_parse(get_lang(self.env).code)
        for move in self:
            move.osmd_period_label = (
                babel_format_date(move.osmd_period, "LLLL y", locale=locale) if move.osmd_period else False
            )

    @api.depends("partner_id.osmd_document_lang", "company_id.partner_id.lang")
    def _compute_osmd_document_lang(self):
        for move in self:
            move.osmd_document_lang = move.partner_id._osmd_document_lang(move.company_id)

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    def write(self, vals):
        if vals:
            self._osmd_check_write(vals)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _osmd_unlink_except_posted_document(self):
        # Odoo's own guard on the lines gives way to the ``force_delete`` context key, which any RPC caller sets
        for move in self:
            if move._osmd_is_document() and (move.state != "draft" or move.posted_before):
                raise UserError(
                    self.env._(
                        "%(move)s has been posted: it is kept in the ledger. Correct it with a recalculation, or "
                        "cancel its billing run (which reverses it with a credit note).",
                        move=move.display_name,
                    )
                )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_send_and_print(self):
        # sending writes on the invoices (sent flag, PDF, chatter): refused at once to read-only staff (the audit
        # commission), not after the wizard
        self.check_access("write")
        return super().action_send_and_print()

    def action_force_register_payment(self):
        self.check_access("write")
        return super().action_force_register_payment()

    def _get_mail_template(self):
        if self and self == self.filtered_domain(self._osmd_receipt_domain()):
            template = self.env.ref("osmd_billing.mail_template_osmd_receipt", raise_if_not_found=False)
            if template:
                return template
        return super()._get_mail_template()

    def action_print_pdf(self):
        """The form's Print: the receipt for accrual and recalculation documents (Odoo's generic invoice, with
        its "Payment communication" and layout configurator, for the others)."""
        if self and self == self.filtered_domain(self._osmd_receipt_domain()):
            return self.env.ref(RECEIPT_REPORT).report_action(self, config=False)
        return super().action_print_pdf()

    def _post(self, soft=True):
        untracked = self._osmd_untracked_documents()
        posted = super()._post(soft=soft)
        untracked = untracked.filtered(lambda m: m.state == "posted")
        if untracked:
            # logged by the user who posts, with the tracking value Odoo writes when an invoice is posted from its
            # form (a note: nobody is notified, the bulk path can write the same for its invoices)
            tracked = self.fields_get(["state"], attributes=("string", "type", "selection", "currency_field"))
            for move in untracked:
                _changes, tracking_value_ids = move._mail_track(tracked, {"state": "draft"})
                move._message_log(tracking_value_ids=tracking_value_ids)
        return posted

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _osmd_untracked_documents(self):
        """The draft billing documents of ``self`` whose posting Odoo's tracking would not show.

        Odoo discards the tracking of records created in the transaction, so a billing document created and posted
        in one go (a billing run, a recalculation, the background posting) would show its creation but not who
        posted it. Nothing is logged when the caller disables tracking."""
        if self.env.context.get("tracking_disable") or self.env.context.get("mail_notrack"):
            return self.browse()
        discarded = self.env.cr.precommit.data.get(f"mail.tracking.{self._name}", {})
        return self.filtered(
            lambda m: m.state == "draft" and m.id in discarded and discarded[m.id] is None and m._osmd_is_document()
        )

    @api.model
    def _osmd_frozen_fnames(self):
        """The osmd fields of account.move: set when the move is created, never changed once it is posted."""
        return [
            fname
            for fname, field in self._fields.items()
            if fname.startswith("osmd_") and field.store and not field.compute and not field.related
        ]

    def _osmd_is_document(self):
        """Whether the move is a billing document: any of its osmd fields is set."""
        self.ensure_one()
        return any(self[fname] for fname in self._osmd_frozen_fnames())

    def _osmd_check_write(self, vals):
        """Refuse any change of an osmd field once the move has been posted, any change of the ledger fields of a
        posted billing document, and a billing document leaving the posted or cancelled state."""
        osmd_fnames = [fname for fname in self._osmd_frozen_fnames() if fname in vals]
        document_fnames = [fname for fname in FROZEN_DOCUMENT_FIELDS if fname in vals]
        if not (osmd_fnames or document_fnames or "state" in vals):
            return
        for move in self:
            if osmd_fnames and (move.state != "draft" or move.posted_before):
                changed = field_changes(move, vals, osmd_fnames)
                if changed:
                    raise UserError(
                        self.env._(
                            "%(move)s has been posted: its field %(field)s cannot be changed.",
                            move=move.display_name,
                            field=move._fields[changed[0]].get_description(self.env)["string"],
                        )
                    )
            if not move._osmd_is_document():
                continue
            if move.state == "posted" and document_fnames:
                changed = field_changes(move, vals, document_fnames)
                if changed:
                    raise UserError(
                        self.env._(
                            "%(move)s is a posted billing document: its field %(field)s cannot be changed. Correct "
                            "it with a recalculation.",
                            move=move.display_name,
                            field=move._fields[changed[0]].get_description(self.env)["string"],
                        )
                    )
            if "state" in vals and move.state in ("posted", "cancel") and vals["state"] != move.state:
                raise UserError(
                    self.env._(
                        "%(move)s is a billing document that has been posted or cancelled: it is never reset to "
                        "draft. Correct it with a recalculation, or cancel its billing run (which reverses it with a "
                        "credit note).",
                        move=move.display_name,
                    )
                )

    @api.model
    def _osmd_billed_domain(self):
        """Accrual invoices that count for the unique index of the account and period (``_osmd_accrual_uniq``)."""
        return (
            Domain("osmd_is_accrual", "=", True)
            & Domain("move_type", "=", "out_invoice")
            & Domain("state", "!=", "cancel")
            & Domain("payment_state", "!=", "reversed")
        )

    @api.model
    def _osmd_receipt_domain(self):
        """Posted documents printed and sent as a receipt: the live accrual invoices and the posted adjustment
        invoices and credit notes of recalculations."""
        return self._osmd_live_accrual_domain() | (
            Domain("osmd_recalculation_id", "!=", False)
            & Domain("move_type", "in", ["out_invoice", "out_refund"])
            & Domain("state", "=", "posted")
        )

    @api.model
    def _osmd_live_accrual_domain(self):
        """Posted accrual invoices whose billing run is not cancelled (the invoices of a cancelled run stay posted,
        reversed by credit notes)."""
        return (
            Domain("osmd_is_accrual", "=", True)
            & Domain("move_type", "=", "out_invoice")
            & Domain("state", "=", "posted")
            & Domain("osmd_billing_run_id", "not any", Domain("state", "=", "cancel"))
        )


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    @api.model_create_multi
    def create(self, vals_list):
        move_ids = {vals["move_id"] for vals in vals_list if vals.get("move_id")}
        if move_ids:
            for move in self.env["account.move"].browse(move_ids):
                if move.state == "posted" and move._osmd_is_document():
                    raise UserError(
                        self.env._(
                            "%(move)s is a posted billing document: no line is added to it. Correct it with a "
                            "recalculation.",
                            move=move.display_name,
                        )
                    )
        return super().create(vals_list)

    def write(self, vals):
        fnames = [fname for fname in FROZEN_LINE_FIELDS if fname in vals]
        if fnames:
            for move, lines in self.grouped("move_id").items():
                if move.state != "posted" or not move._osmd_is_document():
                    continue
                for line in lines:
                    changed = field_changes(line, vals, fnames)
                    if changed:
                        raise UserError(
                            self.env._(
                                "%(move)s is a posted billing document: the field %(field)s of its line "
                                "%(line)s cannot be changed. Correct it with a recalculation.",
                                move=move.display_name,
                                field=line._fields[changed[0]].get_description(self.env)["string"],
                                line=line.name or line.account_id.display_name,
                            )
                        )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _osmd_unlink_except_posted_document(self):
        # whatever the context (Odoo's guard gives way to ``force_delete``)
        for move in self.move_id:
            if move.state == "posted" and move._osmd_is_document():
                raise UserError(
                    self.env._(
                        "%(move)s is a posted billing document: its lines are kept in the ledger.",
                        move=move.display_name,
                    )
                )
