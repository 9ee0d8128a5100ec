from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command, Domain

from odoo.addons.osmd_base.tools.company_access import check_own_associations
from odoo.addons.osmd_base.tools.phone import PhoneError, normalize_phone

from ..tools.formatting import NBSP, fmt_number


class OsmdBillingSend(models.TransientModel):
    """Send the receipts of a billing run (or of selected accrual invoices) by e-mail and payment
    reminders by SMS to the debtors among them, respecting each holder's notification preferences."""

    _name = "osmd.billing.send"
    _description = "Send receipts and reminders"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", string="Association", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    run_id = fields.Many2one("osmd.billing.run", string="Billing run", check_company=True)
    move_ids = fields.Many2many("account.move", string="Invoices", check_company=True)
    send_email = fields.Boolean(string="E-mail receipts", default=True)
    send_sms = fields.Boolean(string="SMS reminders to debtors")
    min_amount = fields.Monetary(
        string="Minimum debt", help="SMS only to accounts whose amount due is above this amount."
    )
    provider_id = fields.Many2one(
        "osmd.sms.provider",
        string="SMS provider",
        check_company=True,
        compute="_compute_provider_id",
        store=True,
        readonly=False,
    )
    state = fields.Selection([("draft", "Draft"), ("done", "Done")], default="draft", required=True)
    email_count = fields.Integer(string="E-mails queued", readonly=True)
    email_optout_count = fields.Integer(string="E-mail opted out", readonly=True)
    email_missing_count = fields.Integer(string="Without e-mail", readonly=True)
    sms_count = fields.Integer(string="SMS sent", readonly=True)
    sms_failed_count = fields.Integer(string="SMS failed", readonly=True)
    sms_optout_count = fields.Integer(string="SMS opted out", readonly=True)
    sms_missing_count = fields.Integer(string="Without phone", readonly=True)
    sms_ids = fields.Many2many("sms.sms", string="SMS", readonly=True)

    @api.constrains("company_id")
    def _check_own_association(self):
        check_own_associations(self)

    @api.depends("company_id")
    def _compute_provider_id(self):
        providers = self.env["osmd.sms.provider"].search([("company_id", "in", self.company_id.ids)])
        for wizard in self:
            wizard.provider_id = providers.filtered(lambda p, wizard=wizard: p.company_id == wizard.company_id)[:1]

    @api.model
    def default_get(self, fields):
        values = super().default_get(fields)
        model, ids = self.env.context.get("active_model"), self.env.context.get("active_ids") or []
        if model == "osmd.billing.run" and ids:
            run = self.env["osmd.billing.run"].browse(ids[:1])
            values.update(run_id=run.id, company_id=run.company_id.id)
        elif model == "account.move" and ids:
            moves = self.env["account.move"].browse(ids)
            values.update(move_ids=[Command.set(moves.ids)], company_id=moves.company_id[:1].id)
        return values

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_send(self):
        self.ensure_one()
        moves = self._get_moves()
        if not moves:
            raise UserError(self.env._("There are no posted accrual invoices to send."))
        if self.send_sms and not self.provider_id:
            raise UserError(self.env._("Configure an SMS provider of the association first."))
        values = {"state": "done"}
        if self.send_email:
            values.update(self._do_send_email(moves))
        if self.send_sms:
            values.update(self._do_send_sms(moves))
        self.write(values)
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Send receipts and reminders"),
        }

    def action_view_sms(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("osmd_billing.osmd_sms_message_action")
        action["domain"] = [("id", "in", self.sms_ids.ids)]
        return action

    # ------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------

    def _get_moves(self):
        moves = self.move_ids or self.run_id.move_ids
        # invoices of a cancelled billing run stay posted (reversed by credit notes): never sent
        return moves.filtered_domain(Domain("company_id", "=", self.company_id.id) & moves._osmd_live_accrual_domain())

    def _do_send_email(self, moves):
        """Send each receipt by Odoo's invoice sending (PDF + invoice mail template), mails queued."""
        optout = moves.filtered(lambda move: move.partner_id.osmd_notify_receipts != "email")
        missing = (moves - optout).filtered(lambda move: not move.partner_id.email)
        todo = moves - optout - missing
        if todo:
            self.env["account.move.send"].with_context(mail_notify_force_send=False)._generate_and_send_invoices(
                todo, sending_methods={"email"}, allow_fallback_pdf=True
            )
        return {"email_count": len(todo), "email_optout_count": len(optout), "email_missing_count": len(missing)}

    def _do_send_sms(self, moves):
        """One SMS per debtor account (amount due above the minimum) through the association's provider."""
        accounts = moves.osmd_account_id
        due = dict(
            self.env["account.move"]._read_group(
                Domain("osmd_account_id", "in", accounts.ids)
                & Domain("state", "=", "posted")
                & Domain("move_type", "in", ["out_invoice", "out_refund"]),
                ["osmd_account_id"],
                ["amount_residual_signed:sum"],
            )
        )
        currency = self.currency_id
        period_by_account = {}
        for move in moves.sorted("osmd_period"):
            period_by_account[move.osmd_account_id] = move.osmd_period
        counts = {"sms_optout_count": 0, "sms_missing_count": 0}
        vals_list = []
        for account in accounts:
            amount = due.get(account, 0.0)
            if currency.compare_amounts(amount, self.min_amount) <= 0:
                continue
            holder = account.holder_id
            if holder.osmd_notify_debt != "sms":
                counts["sms_optout_count"] += 1
                continue
            try:
                number = normalize_phone(holder.phone or "", "UA")
            except PhoneError:
                counts["sms_missing_count"] += 1
                continue
            vals_list.append(
                {
                    "number": number,
                    "body": self._prepare_sms_text(account, amount, period_by_account[account]),
                    "partner_id": holder.id,
                    "osmd_account_id": account.id,
                    "osmd_company_id": self.company_id.id,
                    "osmd_provider_id": self.provider_id.id,
                    "state": "outgoing",
                }
            )
        # sms.sms is a technical model (administrators only): the association's staff send through sudo
        sms = self.env["sms.sms"].sudo().create(vals_list)
        sms.send(unlink_failed=False, unlink_sent=False, raise_exception=False)
        sent = sms.filtered(lambda s: s.state in ("pending", "sent"))
        return {
            **counts,
            "sms_count": len(sent),
            "sms_failed_count": len(sms) - len(sent),
            "sms_ids": [Command.set(sms.ids)],
        }

    def _prepare_sms_text(self, account, amount, period):
        lang = account.holder_id._osmd_document_lang(self.company_id)
        env = self.with_context(lang=lang).env
        return env._(
            "%(association)s: account %(account)s, amount due %(amount)s UAH for %(period)s.",
            association=self.company_id.name,
            account=account.number,
            amount=fmt_number(self.currency_id.round(amount), 2).replace(NBSP, " "),
            period=period.strftime("%m.%Y") if period else "",
        )
