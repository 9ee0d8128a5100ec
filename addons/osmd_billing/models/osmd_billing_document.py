from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain


def first_day(day):
    return fields.Date.to_date(day).replace(day=1) if day else day


class OsmdBillingDocument(models.AbstractModel):
    """What a billing run and a recalculation share: an association, a billed month (``period``, always
    stored as its first day), some or all of its buildings, the sales journal they post in, and the lock
    that keeps two of them from computing or posting for one association at the same time."""

    _name = "osmd.billing.document"
    _description = "Billing document"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", string="Association", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    building_ids = fields.Many2many(
        "osmd.building", string="Buildings", check_company=True, help="Empty: every building of the association."
    )
    journal_id = fields.Many2one(
        "account.journal",
        compute="_compute_journal_id",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        domain="[('type', '=', 'sale')]",
    )

    @api.depends("company_id")
    def _compute_journal_id(self):
        for document in self:
            document.journal_id = self.env["account.journal"].search(
                Domain("type", "=", "sale") & Domain("company_id", "=", document.company_id.id),
                order="sequence, id",
                limit=1,
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("period"):
                vals["period"] = first_day(vals["period"])
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("period"):
            vals["period"] = first_day(vals["period"])
        return super().write(vals)

    def _lock(self):
        """Refuse to work on the document while another transaction computes or posts a billing run or a
        recalculation of the association."""
        self.ensure_one()
        if not self.company_id.try_lock_for_update(allow_referencing=True) or not self.try_lock_for_update():
            raise UserError(
                self.env._(
                    "Another billing run or recalculation of %(company)s is being processed: try again in a moment.",
                    company=self.company_id.name,
                )
            )

    def _get_buildings(self):
        return self.building_ids or self.env["osmd.building"].search(Domain("company_id", "=", self.company_id.id))

    def _action_view_documents(self, field_name):
        """The customer invoices and credit notes posted by the document (``field_name`` on account.move)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        action["domain"] = [(field_name, "=", self.id)]
        action["context"] = {"create": False, "default_move_type": "out_invoice"}
        return action
