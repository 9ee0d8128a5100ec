from collections import defaultdict
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command, Domain

from ..tools.formatting import fmt_number
from .osmd_billing_document import first_day
from .osmd_billing_run import to_decimal

RECALCULATION_STATES = [("draft", "Draft"), ("computed", "Computed"), ("posted", "Posted")]


class AccountMove(models.Model):
    _inherit = "account.move"

    osmd_recalc_period = fields.Date(
        string="Recalculated period",
        index=True,
        copy=False,
        readonly=True,
        help="Billing period whose accrual this adjustment invoice or credit note corrects.",
    )
    osmd_recalculation_id = fields.Many2one(
        "osmd.recalculation", string="Recalculation", index=True, copy=False, readonly=True, ondelete="restrict"
    )


class OsmdRecalculation(models.Model):
    """Recalculation (перерахунок) of an already posted period.

    Compute recomputes the period's accruals with the billing run's own computation and compares them,
    per personal account × service, with what was posted (the accrual invoices and the recalculations
    posted before); post issues the differences in the current period as an adjustment invoice
    (increases) and/or a credit note (decreases) per account. Posted entries are never modified.
    """

    _name = "osmd.recalculation"
    _description = "Recalculation"
    _inherit = ["osmd.billing.document", "mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    period = fields.Date(
        string="Recalculated period",
        required=True,
        index=True,
        tracking=True,
        help="First day of the already billed month to recalculate (any day of the month may be entered).",
    )
    date = fields.Date(
        string="Document date",
        required=True,
        default=fields.Date.context_today,
        tracking=True,
        help="Date of the adjustment invoices and credit notes: the differences are booked in its month.",
    )
    account_ids = fields.Many2many(
        "osmd.account",
        string="Personal accounts",
        check_company=True,
        help="Empty: every personal account billed for the period.",
    )
    reason = fields.Char(help="Why the period is recalculated, e.g. a late meter reading or a tariff correction.")
    state = fields.Selection(RECALCULATION_STATES, default="draft", required=True, index=True, tracking=True)
    note = fields.Text(string="Warnings", readonly=True)
    line_ids = fields.One2many("osmd.recalculation.line", "recalculation_id", string="Differences", readonly=True)
    move_ids = fields.One2many("account.move", "osmd_recalculation_id", string="Documents", readonly=True)
    amount_increase = fields.Monetary(compute="_compute_totals", string="Increase")
    amount_decrease = fields.Monetary(compute="_compute_totals", string="Decrease")
    move_count = fields.Integer(compute="_compute_totals", string="Documents posted")

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("period")
    def _compute_name(self):
        for recalculation in self:
            period = recalculation.period.strftime("%m.%Y") if recalculation.period else ""
            # stored: in the association's language, not in that of whoever triggers the computation
            lang = self.env["res.partner"]._osmd_document_lang(recalculation.company_id)
            recalculation.name = recalculation.with_context(lang=lang).env._("Recalculation %(period)s", period=period)

    @api.depends("line_ids.difference", "move_ids.state")
    def _compute_totals(self):
        for recalculation in self:
            differences = recalculation.line_ids.mapped("difference")
            recalculation.amount_increase = sum(d for d in differences if d > 0)
            recalculation.amount_decrease = -sum(d for d in differences if d < 0)
            recalculation.move_count = len(recalculation.move_ids.filtered(lambda m: m.state == "posted"))

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    def write(self, vals):
        if {"period", "building_ids", "account_ids", "company_id", "date"} & set(vals) and self.filtered(
            lambda r: r.state == "posted"
        ):
            raise UserError(self.env._("A posted recalculation cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_posted(self):
        if self.filtered(lambda r: r.state == "posted"):
            raise UserError(self.env._("A posted recalculation is kept: it is the history of the ledger."))

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_compute(self):
        for recalculation in self:
            if recalculation.state == "posted":
                raise UserError(self.env._("A posted recalculation cannot be computed again."))
            recalculation._lock()
            recalculation._do_compute()
        return True

    def action_reset_to_draft(self):
        if self.filtered(lambda r: r.state != "computed"):
            raise UserError(self.env._("Only a computed recalculation goes back to draft."))
        self.line_ids.unlink()
        self.write({"state": "draft", "note": False})
        return True

    def action_post(self):
        for recalculation in self:
            if recalculation.state != "computed":
                raise UserError(self.env._("Compute the recalculation before posting it."))
            if recalculation.line_ids and not recalculation.journal_id:
                raise UserError(self.env._("The association has no sales journal."))
            recalculation._lock()
            recalculation._do_post()
        return True

    def action_view_moves(self):
        return self._action_view_documents("osmd_recalculation_id")

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _get_original_invoices(self):
        """The posted accrual invoices of the period for the selected accounts and buildings."""
        self.ensure_one()
        domain = (
            Domain("company_id", "=", self.company_id.id)
            & self.env["account.move"]._osmd_live_accrual_domain()
            & Domain("osmd_period", "=", self.period)
        )
        if self.account_ids:
            domain &= Domain("osmd_account_id", "in", self.account_ids.ids)
        if self.building_ids:
            domain &= Domain("osmd_account_id.building_id", "in", self.building_ids.ids)
        return self.env["account.move"].search(domain)

    def _get_posted_amounts(self, invoices):
        """{(account id, product id): [amount, explanation]} posted for the period: the accrual lines of
        ``invoices`` (penalties and one-off charges apart: they belong to the month they were charged in, and no
        tariff or reading changes them) plus the
        differences of the recalculations of the period posted before."""
        posted = defaultdict(lambda: [Decimal(0), []])
        billing_lines = self.env["osmd.billing.line"].search(
            Domain("move_id", "in", invoices.ids) & Domain("kind", "not in", ("penalty", "extra")),
            order="sequence, id",
        )
        for line in billing_lines:
            entry = posted[(line.account_id.id, line.product_id.id)]
            entry[0] += to_decimal(line.amount)
            entry[1].append(line.explanation)
        previous = self.env["osmd.recalculation.line"].search(
            Domain("recalculation_id", "!=", self.id)
            & Domain("recalculation_id.state", "=", "posted")
            & Domain("recalculation_id.company_id", "=", self.company_id.id)
            & Domain("recalculation_id.period", "=", self.period)
            & Domain("account_id", "in", invoices.osmd_account_id.ids),
            order="id",
        )
        for line in previous:
            entry = posted[(line.account_id.id, line.product_id.id)]
            entry[0] += to_decimal(line.difference)
            # the latest recalculation tells what the period now amounts to
            entry[1] = [line.new_explanation] if line.new_explanation else []
        return {key: (amount, "; ".join(texts)) for key, (amount, texts) in posted.items()}

    def _do_compute(self):
        self.ensure_one()
        self.line_ids.unlink()
        invoices = self._get_original_invoices()
        if not invoices:
            raise UserError(
                self.env._(
                    "Nothing to recalculate: no posted accrual invoice for %(period)s.",
                    period=self.period.strftime("%m.%Y"),
                )
            )
        accounts = invoices.osmd_account_id
        partners = {invoice.osmd_account_id.id: invoice.partner_id for invoice in invoices}
        old = self._get_posted_amounts(invoices)
        # an unsaved run of every building: only the accounts of the invoices are computed
        run = self.env["osmd.billing.run"].new({"company_id": self.company_id.id, "period": self.period})
        lines, problems = run._compute_lines(accounts, with_penalties=False)
        blocking = [problem["message"] for problem in problems if problem["severity"] == "blocking"]
        if blocking:
            raise UserError(
                self.env._(
                    "The period cannot be recalculated while %(count)s blocking problem(s) remain, e.g.: %(examples)s",
                    count=len(blocking),
                    examples="; ".join(blocking[:5]),
                )
            )
        new = defaultdict(lambda: [Decimal(0), []])
        for line in lines:
            entry = new[(line["account_id"], line["product_id"])]
            entry[0] += to_decimal(line["amount"])
            entry[1].append(line["explanation"])
        accounts_by_id = {account.id: account for account in accounts}
        vals_list, lang_envs = [], {}
        period = self.period.strftime("%m.%Y")
        for key in sorted(set(old) | set(new), key=lambda k: (accounts_by_id[k[0]].premise_number_sort, k)):
            account_id, product_id = key
            old_amount, old_text = old.get(key, (Decimal(0), ""))
            new_amount, new_texts = new.get(key, (Decimal(0), []))
            difference = new_amount - old_amount
            if not difference:
                continue
            partner = partners[account_id]
            lang = self.env["osmd.billing.run"]._get_document_lang(partner, self.company_id)
            if lang not in lang_envs:
                lang_envs[lang] = self.with_context(lang=lang)
            env = lang_envs[lang].env
            new_text = "; ".join(new_texts)
            not_charged = env._("not charged")
            vals_list.append(
                {
                    "recalculation_id": self.id,
                    "account_id": account_id,
                    "partner_id": partner.id,
                    "product_id": product_id,
                    "old_amount": float(old_amount),
                    "new_amount": float(new_amount),
                    "difference": float(difference),
                    "old_explanation": old_text,
                    "new_explanation": new_text,
                    "explanation": env._(
                        "Recalculation for %(period)s: %(new)s instead of %(old)s (difference %(diff)s)",
                        period=period,
                        new=new_text or not_charged,
                        old=old_text or not_charged,
                        diff=("+" if difference > 0 else "−") + fmt_number(abs(difference), 2),
                    ),
                }
            )
        self.env["osmd.recalculation.line"].create(vals_list)
        warnings = [problem["message"] for problem in problems]
        self.write({"state": "computed", "note": "\n".join(warnings) or False})

    def _prepare_move_vals(self, account, move_type, lines, origin):
        self.ensure_one()
        company_taxes = self.env["account.tax"]._check_company_domain(self.company_id)
        partner = lines[0].partner_id
        lang = self.env["osmd.billing.run"]._get_document_lang(partner, self.company_id)
        return {
            "move_type": move_type,
            "company_id": self.company_id.id,
            "journal_id": self.journal_id.id,
            "partner_id": partner.id,
            "invoice_date": self.date,
            "date": self.date,
            # due by the association's payment deadline after the month it is posted in, as an accrual
            "invoice_date_due": self.company_id._osmd_payment_deadline(self.date),
            "currency_id": self.currency_id.id,
            "payment_reference": account.number,
            "ref": self.with_context(lang=lang).env._(
                "Recalculation for %(period)s", period=self.period.strftime("%m.%Y")
            ),
            "invoice_origin": origin,
            "osmd_account_id": account.id,
            "osmd_period": first_day(self.date),
            "osmd_recalc_period": self.period,
            "osmd_recalculation_id": self.id,
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": line.product_id.id,
                        "name": f"{line.product_id.with_context(lang=lang).name}: {line.explanation}",
                        "quantity": 1.0,
                        "price_unit": abs(line.difference),
                        "tax_ids": [Command.set(line.product_id.taxes_id.filtered_domain(company_taxes).ids)],
                    }
                )
                for line in lines
            ],
        }

    def _do_post(self):
        """One adjustment invoice (increases) and/or one credit note (decreases) per personal account."""
        self.ensure_one()
        recalculation = self.with_company(self.company_id)
        origins = {invoice.osmd_account_id: invoice.name for invoice in self._get_original_invoices()}
        vals_list, targets = [], []
        for account, lines in recalculation.line_ids.grouped("account_id").items():
            for move_type, part in (
                ("out_invoice", lines.filtered(lambda line: line.difference > 0)),
                ("out_refund", lines.filtered(lambda line: line.difference < 0)),
            ):
                if part:
                    vals_list.append(
                        recalculation._prepare_move_vals(account, move_type, part, origins.get(account, ""))
                    )
                    targets.append(part)
        if vals_list:
            # the chatter of the documents shows who created and posted them, as Odoo's own posting does
            Move = recalculation.env["account.move"].with_context(
                mail_create_nolog=False, mail_notrack=False, tracking_disable=False
            )
            moves = Move.create(vals_list)
            moves.action_post()
            for part, move in zip(targets, moves, strict=True):
                part.move_id = move
        self.state = "posted"
