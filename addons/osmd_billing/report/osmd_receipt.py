from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date as babel_format_date

from odoo import api, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools.misc import babel_locale_parse

from ..tools.amount_words import amount_in_words_uah
from ..tools.formatting import fmt_number, unit_label
from ..tools.nbu_qr import QrError, build_payload, payment_link, purpose_text
from ..tools.proration import month_bounds
from ..tools.qr_image import png_data_uri, qr_png

RECEIPTS_PER_PAGE = 2
RECEIPT_REPORT = "osmd_billing.action_report_osmd_receipt"
# Odoo's generic invoice reports: no association header, "Payment communication", no period
GENERIC_INVOICE_REPORTS = ("account.account_invoices", "account.account_invoices_without_payment")
CENT = Decimal("0.01")


def _dec(value):
    return Decimal(str(value or 0)).quantize(CENT)


class ReportOsmdReceipt(models.AbstractModel):
    """Receipt (квитанція) of a personal account for a period, printed from its posted accrual invoice.

    The figures come from the ledger (posted receivable journal items), per personal account:

    * the account's own items are the receivable items of the entries that carry the account
      (``account.move.osmd_account_id``): accrual invoices, recalculation invoices and credit notes,
      and payment entries tagged with the account;
    * a payment entry that is not tagged with an account (a bank payment matched by hand) belongs to the
      account through its reconciliation with one of the account's items: each ``account.partial.reconcile``
      counts for the amount reconciled, on the date of the payment's item.

    Opening balance = own items dated before the period + reconciled untagged items dated before it
    (debit positive: a debt; negative: an advance). In the period: the accrual invoice (every line shown,
    so recalculation and penalty lines appear too), other own invoices and credit notes (adjustments),
    and payments (tagged payment entries and untagged ones reconciled with the account's items).
    Amount due = opening balance + accrued + adjustments − payments, i.e. the ledger balance at the end of
    the period; below zero it prints as 0 with the overpayment.
    """

    _name = "report.osmd_billing.report_receipt"
    _description = "Personal account receipt"

    @api.model
    def _get_report_values(self, docids, data=None):
        moves = self.env["account.move"].browse(docids)
        moves.check_access("read")
        self._check_moves(moves)
        receipts = self._prepare_receipts(moves)
        per_page = 1 if self.env.context.get("osmd_receipt_per_record") else RECEIPTS_PER_PAGE
        return {
            "doc_ids": docids,
            "doc_model": "account.move",
            "docs": moves,
            "receipts": receipts,
            "fmt": fmt_number,
            # sending: one receipt per article, so that Odoo splits the PDF into one attachment per invoice
            "per_record": bool(self.env.context.get("osmd_receipt_per_record")),
            "pages": [receipts[i : i + per_page] for i in range(0, len(receipts), per_page)],
        }

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    @api.model
    def _action_print_for_accounts(self, accounts, period=None):
        """The receipt action for personal accounts: their accrual invoices of ``period`` (or of the
        ``osmd_period`` context key), else of each account's last billed period."""
        period = period or self.env.context.get("osmd_period")
        # invoices of a cancelled billing run stay posted (reversed by credit notes): never printed
        domain = Domain("osmd_account_id", "in", accounts.ids) & self.env["account.move"]._osmd_live_accrual_domain()
        if period:
            domain &= Domain("osmd_period", "=", month_bounds(period)[0])
        moves = self.env["account.move"].search(domain, order="osmd_period desc, id desc")
        if not period:
            latest = {}
            for move in moves:
                latest.setdefault(move.osmd_account_id, move)
            moves = self.env["account.move"].union(*latest.values())
        if not moves:
            raise UserError(self.env._("The selected personal accounts have no posted accrual invoice to print."))
        moves = moves.sorted(lambda m: (m.osmd_account_id.building_id.id, m.osmd_account_id.premise_number_sort))
        return self.env.ref(RECEIPT_REPORT).report_action(moves)

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _check_moves(self, moves):
        wrong = moves - moves.filtered_domain(moves._osmd_receipt_domain())
        if wrong:
            raise UserError(
                self.env._(
                    "Receipts are printed from posted monthly accrual invoices only, or from the documents of a "
                    "recalculation, not from %(invoice)s.",
                    invoice=wrong[0].display_name,
                )
            )

    @api.model
    def _prepare_receipts(self, moves):
        """One dict of values per move (in the order of ``moves``), with the ledger, the meter readings and the
        debts read in a few queries whatever the number of receipts."""
        ledger = self._read_ledger(moves)
        readings = self._read_meter_readings(moves)
        debts = self._read_debts(moves)
        receipts = []
        for move in moves:
            account, period = move.osmd_account_id, month_bounds(move.osmd_period)[0]
            company = move.company_id
            lang = move.osmd_document_lang
            locale = babel_locale_parse(lang)
            figures = ledger[(account.id, period)]
            accrued = _dec(move.amount_total_signed)
            adjusted = sum((row["amount"] for row in figures["adjustments"]), Decimal(0))
            paid = sum((row["amount"] for row in figures["payments"]), Decimal(0))
            balance = figures["opening"] + accrued + adjusted - paid
            due = max(balance, Decimal(0))
            receipt = {
                "move": move,
                "lang": lang,
                "company": company,
                "account": account,
                "premise": account.premise_id,
                "premise_label": self._premise_label(account.premise_id),
                "holder": move.partner_id,
                "period_label": babel_format_date(period, "LLLL y", locale=locale),
                "date_due": move.invoice_date_due,
                "meters": self._meter_rows(readings.get((account.premise_id.id, period), []), lang),
                "debts": debts.get((account.id, period), []) if figures["opening"] > 0 else [],
                "opening": figures["opening"],
                # the services named in the document language, not in that of who prints
                "lines": move.invoice_line_ids.filtered(lambda line: line.display_type == "product").with_context(
                    lang=lang
                ),
                "accrued": accrued,
                "adjustments": figures["adjustments"],
                "payments": figures["payments"],
                "paid": paid,
                "due": due,
                "overpayment": max(-balance, Decimal(0)),
                "due_words": amount_in_words_uah(due),
            }
            receipt.update(self.with_context(lang=lang)._prepare_qr(company, account, period, due))
            receipts.append(receipt)
        return receipts

    @api.model
    def _premise_label(self, premise):
        building = premise.building_id
        address = ", ".join(part for part in (building.street, building.city) if part)
        return f"{premise.display_name} ({address})" if address else premise.display_name or ""

    @api.model
    def _prepare_qr(self, company, account, period, due):
        """The payment QR of a receipt: the image holds the NBU link (``https://bank.gov.ua/qr/…``) of the
        format-002 data string, the link is printed under it. The purpose is always Ukrainian."""
        purpose = purpose_text(account.number, period, company.osmd_kind)
        try:
            payload = build_payload(company.name, company.osmd_iban, due, company.osmd_edrpou, purpose)
        except QrError as error:
            return {
                "purpose": purpose,
                "qr_src": False,
                "qr_link": False,
                "qr_error": self.env._(
                    "No payment QR code: check the association's %(field)s (name, IBAN and EDRPOU code).",
                    field=error.field,
                ),
            }
        link = payment_link(payload)
        return {
            "purpose": purpose,
            "qr_payload": payload,
            "qr_src": png_data_uri(qr_png(link)),
            "qr_link": link,
            "qr_error": False,
        }

    @api.model
    def _read_meter_readings(self, moves):
        """{(premise id, period): confirmed readings of the premise's meters in the period} for the printed
        receipts, in one query."""
        premises = moves.osmd_account_id.premise_id
        periods = {month_bounds(move.osmd_period)[0] for move in moves}
        if not premises:
            return {}
        Reading = self.env["osmd.meter.reading"]
        readings = Reading.search_fetch(
            Domain("premise_id", "in", premises.ids)
            & Domain("period", "in", list(periods))
            & Domain("state", "=", "confirmed"),
            ["meter_id", "premise_id", "period", "utility_id", "previous_id", "value1", "value2", "value3"]
            + ["consumption1", "consumption2", "consumption3"],
            order="period, meter_id, date, id",
        )
        result = defaultdict(list)
        for reading in readings:
            result[(reading.premise_id.id, reading.period)].append(reading)
        return result

    @api.model
    def _meter_rows(self, readings, lang):
        """Rows of the receipt's meter table: per meter and zone, the previous reading (before the period's
        first confirmed reading), the current one (the period's last), the consumption and the unit."""
        rows = []
        by_meter = defaultdict(list)
        for reading in readings:
            by_meter[reading.meter_id].append(reading)
        for meter, meter_readings in by_meter.items():
            first, last = meter_readings[0], meter_readings[-1]
            utility = meter.utility_id.with_context(lang=lang)
            unit = unit_label(utility.uom_id.with_context(lang=lang).name or "", lang)
            zones = int(meter.zone_count or 1)
            for zone in range(1, zones + 1):
                previous = first.previous_id[f"value{zone}"] if first.previous_id else meter[f"initial_value{zone}"]
                rows.append(
                    {
                        "meter": f"{utility.name} № {meter.serial}",
                        "zone": utility[f"zone{zone}_name"] if zones > 1 else "",
                        "previous": Decimal(str(previous or 0)),
                        "current": Decimal(str(last[f"value{zone}"] or 0)),
                        "consumption": sum(
                            (Decimal(str(reading[f"consumption{zone}"] or 0)) for reading in meter_readings),
                            Decimal(0),
                        ),
                        "unit": unit,
                    }
                )
        return rows

    @api.model
    def _read_debts(self, moves):
        """{(account id, printed period): [{"service", "amount"}]}: what the account still owes (today's open
        amount) on its billing documents of earlier periods, by service. The open amount of a document is split
        over its lines in proportion to their totals, half-up to the kopeck, the remainder on its largest line."""
        result = defaultdict(list)
        if not moves:
            return result
        periods = defaultdict(set)
        for move in moves:
            periods[move.osmd_account_id.id].add(month_bounds(move.osmd_period)[0])
        Move = self.env["account.move"]
        earlier = Move.search_fetch(
            Domain("osmd_account_id", "in", moves.osmd_account_id.ids)
            & Domain("state", "=", "posted")
            & Domain("move_type", "in", ["out_invoice", "out_refund"])
            & Domain("osmd_period", "<", max(max(days) for days in periods.values()))
            & Domain("amount_residual", "!=", 0),
            ["osmd_account_id", "osmd_period", "amount_residual_signed", "amount_total_signed", "invoice_line_ids"],
        )
        shares = defaultdict(Decimal)  # (account id, document period, service) -> open amount
        for document in earlier:
            open_amount = _dec(document.amount_residual_signed)
            lines = document.invoice_line_ids.filtered(lambda line: line.display_type == "product")
            total = sum((_dec(line.price_total) for line in lines), Decimal(0))
            if not lines or not total:
                continue
            parts = {
                line: (open_amount * _dec(line.price_total) / total).quantize(CENT, rounding=ROUND_HALF_UP)
                for line in lines
            }
            largest = max(lines, key=lambda line: abs(_dec(line.price_total)))
            parts[largest] += open_amount - sum(parts.values(), Decimal(0))
            period = month_bounds(document.osmd_period)[0]
            for line, amount in parts.items():
                shares[(document.osmd_account_id.id, period, line.product_id)] += amount
        for (account_id, period, product), amount in shares.items():
            for printed in periods[account_id]:
                if period < printed:
                    result[(account_id, printed)].append({"service": product, "amount": amount})
        for (account_id, printed), rows in list(result.items()):
            merged = defaultdict(Decimal)
            for row in rows:
                merged[row["service"]] += row["amount"]
            result[(account_id, printed)] = [
                {"service": product, "amount": amount}
                for product, amount in sorted(merged.items(), key=lambda item: (item[0].name or "", item[0].id))
                if amount
            ]
        return result

    @api.model
    def _read_ledger(self, moves):
        """{(account id, period): {"opening": Decimal, "adjustments": [row], "payments": [row]}} for the
        accounts and periods of ``moves`` (the printed accrual invoices); rows are {"date", "name", "amount"}
        sorted by date. A few queries whatever the number of receipts."""
        result = defaultdict(lambda: {"opening": Decimal(0), "adjustments": [], "payments": []})
        if not moves:
            return result
        accounts = moves.osmd_account_id
        periods = defaultdict(set)  # account id -> printed periods
        for move in moves:
            periods[move.osmd_account_id.id].add(month_bounds(move.osmd_period)[0])
        first_day = min(min(days) for days in periods.values())
        last_day = month_bounds(max(max(days) for days in periods.values()))[1]

        def spread(account_id, day, amount, row=None, kind=None):
            """Count an amount dated ``day`` in the opening balance of the account's later printed periods,
            and list it in the period it falls in."""
            for period in periods[account_id]:
                if day < period:
                    result[(account_id, period)]["opening"] += amount
                elif row and day <= month_bounds(period)[1]:
                    result[(account_id, period)][kind].append(row)

        # the printed accrual invoices count in the opening balance of the same account's later periods
        for move in moves:
            spread(move.osmd_account_id.id, month_bounds(move.osmd_period)[1], _dec(move.amount_total_signed))
        AML = self.env["account.move.line"]
        own = (
            Domain("parent_state", "=", "posted")
            & Domain("account_type", "=", "asset_receivable")
            & Domain("move_id.osmd_account_id", "in", accounts.ids)
            & Domain("move_id", "not in", moves.ids)
        )
        # the account's own items before the first period: sums per month
        for account, month, balance in AML._read_group(
            own & Domain("date", "<", first_day), ["move_id.osmd_account_id", "date:month"], ["balance:sum"]
        ):
            spread(account.id, month_bounds(month)[0], _dec(balance))
        # from the first period on: per entry, as they may be listed
        for move, balance in AML._read_group(
            own & Domain("date", ">=", first_day) & Domain("date", "<=", last_day), ["move_id"], ["balance:sum"]
        ):
            if move.move_type in ("out_invoice", "out_refund", "out_receipt"):
                row, kind = {"date": move.date, "name": move.name, "amount": _dec(balance)}, "adjustments"
            else:
                row, kind = {"date": move.date, "name": move.ref or move.name, "amount": -_dec(balance)}, "payments"
            spread(move.osmd_account_id.id, move.date, _dec(balance), row, kind)
        # untagged entries (bank payments, refunds) reconciled with the account's items, on their own date
        untagged_payments = (
            Domain("debit_move_id.move_id.osmd_account_id", "in", accounts.ids)
            & Domain("debit_move_id.parent_state", "=", "posted")
            & Domain("credit_move_id.move_id.osmd_account_id", "=", False)
            & Domain("credit_move_id.parent_state", "=", "posted")
            & Domain("credit_move_id.date", "<=", last_day)
        )
        untagged_refunds = (
            Domain("credit_move_id.move_id.osmd_account_id", "in", accounts.ids)
            & Domain("credit_move_id.parent_state", "=", "posted")
            & Domain("debit_move_id.move_id.osmd_account_id", "=", False)
            & Domain("debit_move_id.parent_state", "=", "posted")
            & Domain("debit_move_id.date", "<=", last_day)
        )
        paid = defaultdict(Decimal)  # (account id, untagged entry) -> amount paid in (negative: paid out)
        for partial in self.env["account.partial.reconcile"].search(untagged_payments | untagged_refunds):
            debit, credit = partial.debit_move_id, partial.credit_move_id
            if credit.move_id.osmd_account_id:
                paid[(credit.move_id.osmd_account_id.id, debit.move_id)] -= _dec(partial.amount)
            else:
                paid[(debit.move_id.osmd_account_id.id, credit.move_id)] += _dec(partial.amount)
        for (account_id, move), amount in paid.items():
            row = {"date": move.date, "name": move.ref or move.name, "amount": amount}
            spread(account_id, move.date, -amount, row, "payments")
        for figures in result.values():
            figures["adjustments"].sort(key=lambda row: (row["date"], row["name"]))
            figures["payments"].sort(key=lambda row: (row["date"], row["name"]))
        return result


class IrActionsReport(models.Model):
    # kept beside the receipt it puts first (models/__init__.py belongs to another change in progress)
    _inherit = "ir.actions.report"

    def get_valid_action_reports(self, model, record_ids):
        """The Print menu of accrual and recalculation documents offers the receipt, not Odoo's generic invoice."""
        valid_ids = super().get_valid_action_reports(model, record_ids)
        if model != "account.move" or not record_ids:
            return valid_ids
        moves = self.env["account.move"].browse(record_ids)
        if moves != moves.filtered_domain(moves._osmd_receipt_domain()):
            return valid_ids
        generic = {
            report.id for xmlid in GENERIC_INVOICE_REPORTS if (report := self.env.ref(xmlid, raise_if_not_found=False))
        }
        return [report_id for report_id in valid_ids if report_id not in generic]
