from odoo import api, fields, models
from odoo.fields import Domain

from odoo.addons.osmd_billing.tools.amount_words import amount_in_words_uah
from odoo.addons.osmd_billing.tools.money import to_decimal


class OsmdAct(models.Model):
    """An act of services rendered for one accrual invoice: the same lines and total as the invoice (it is printed
    from them), a number of its own per association and year. A document, not a ledger entry."""

    _name = "osmd.act"
    _description = "Act of services rendered"
    _inherit = ["mail.thread"]
    _order = "date desc, name desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Number", readonly=True, copy=False, index=True)
    company_id = fields.Many2one("res.company", string="Association", required=True, index=True, readonly=True)
    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        required=True,
        index=True,
        ondelete="restrict",
        readonly=True,
        check_company=True,
    )
    partner_id = fields.Many2one(related="move_id.partner_id", string="Customer", store=True, index=True)
    account_id = fields.Many2one(related="move_id.osmd_account_id", string="Personal account", store=True, index=True)
    building_id = fields.Many2one(related="move_id.osmd_account_id.building_id", string="Building", store=True)
    period = fields.Date(related="move_id.osmd_period", store=True, index=True)
    date = fields.Date(string="Act date", required=True, readonly=True)
    currency_id = fields.Many2one(related="move_id.currency_id")
    amount_untaxed = fields.Monetary(related="move_id.amount_untaxed", string="Without VAT")
    amount_tax = fields.Monetary(related="move_id.amount_tax", string="VAT")
    amount_total = fields.Monetary(related="move_id.amount_total", string="Total")
    cancelled = fields.Boolean(
        compute="_compute_cancelled",
        help="The invoice was reversed (its billing run cancelled): the act no longer holds.",
    )

    _unique_move = models.UniqueIndex("(move_id)", "An invoice has one act.")

    def _compute_cancelled(self):
        for act in self:
            act.cancelled = act.move_id.state != "posted" or act.move_id.payment_state == "reversed"

    @api.model_create_multi
    def create(self, vals_list):
        acts = super().create(vals_list)
        for act in acts.sorted(lambda a: (a.company_id.id, a.date, a.account_id.number or "", a.id)):
            act.name = act._act_sequence().next_by_id(sequence_date=act.date)
        return acts

    def _act_sequence(self):
        """The association's numbering of acts, restarting every year (e.g. 2026-00001)."""
        self.ensure_one()
        Sequence = self.env["ir.sequence"].sudo()
        sequence = Sequence.search([("code", "=", "osmd.act"), ("company_id", "=", self.company_id.id)], limit=1)
        if not sequence:
            sequence = Sequence.create(
                {
                    "name": f"Acts of services: {self.company_id.name}",
                    "code": "osmd.act",
                    "company_id": self.company_id.id,
                    "prefix": "%(range_year)s-",
                    "padding": 5,
                    "use_date_range": True,
                    "number_next": 1,
                }
            )
        return sequence

    def _lines(self):
        """The invoice's service lines, as the act prints them."""
        self.ensure_one()
        return self.move_id.invoice_line_ids.filtered(lambda line: line.display_type == "product")

    def _total_words(self):
        self.ensure_one()
        return amount_in_words_uah(to_decimal(self.amount_total))

    def _document_lang(self):
        self.ensure_one()
        return self.partner_id._osmd_document_lang(self.company_id)

    @api.model
    def _needs_act(self, partner):
        """Companies and sole proprietors (a tax number), and anybody who asked for acts."""
        partner = partner.commercial_partner_id
        return bool(partner.is_company or partner.osmd_wants_act)

    @api.model
    def _generate_for_moves(self, moves):
        """Acts for the posted accrual invoices of ``moves`` whose customer needs one and that have none yet."""
        moves = moves.filtered(lambda move: move.state == "posted" and move.move_type == "out_invoice")
        existing = set(self.sudo().search([("move_id", "in", moves.ids)]).move_id.ids)
        todo = moves.filtered(lambda move: move.id not in existing and self._needs_act(move.partner_id))
        return self.sudo().create(
            [{"company_id": move.company_id.id, "move_id": move.id, "date": move.invoice_date} for move in todo]
        )


class ResPartner(models.Model):
    _inherit = "res.partner"

    osmd_wants_act = fields.Boolean(
        string="Needs acts of services",
        help="Gets an act of services rendered with each monthly invoice (companies always get one).",
    )


class OsmdBillingRun(models.Model):
    _inherit = "osmd.billing.run"

    act_count = fields.Integer(compute="_compute_act_count", string="Acts")

    def _compute_act_count(self):
        counts = dict(
            self.env["osmd.act"]._read_group(
                Domain("move_id.osmd_billing_run_id", "in", self.ids), ["move_id.osmd_billing_run_id"], ["__count"]
            )
        )
        for run in self:
            run.act_count = counts.get(run, 0)

    def _do_post(self, batch_size=None, in_cron=False):
        done = super()._do_post(batch_size=batch_size, in_cron=in_cron)
        if done:
            for run in self:
                self.env["osmd.act"]._generate_for_moves(run.move_ids)
        return done

    def action_generate_acts(self):
        for run in self.filtered(lambda r: r.state == "posted"):
            self.env["osmd.act"]._generate_for_moves(run.move_ids)
        return self.action_view_acts()

    def action_view_acts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("osmd_act.osmd_act_action")
        action["domain"] = [("move_id.osmd_billing_run_id", "=", self.id)]
        return action
