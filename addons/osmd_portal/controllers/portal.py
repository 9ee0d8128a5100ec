from datetime import date
from decimal import Decimal

from odoo import fields, http
from odoo.fields import Domain
from odoo.http import request

from odoo.addons.account.controllers.portal import PortalAccount
from odoo.addons.osmd_billing.report.osmd_receipt import RECEIPT_REPORT
from odoo.addons.osmd_billing.tools.formatting import fmt_number
from odoo.addons.osmd_billing.tools.money import round_money, to_decimal
from odoo.addons.osmd_payment_card.controllers.portal import OsmdCardPayment
from odoo.addons.portal.controllers import portal

HISTORY_MONTHS = 24


def fmt_money(value):
    return fmt_number(round_money(to_decimal(value or 0)), 2)


def fmt_date(value):
    return value.strftime("%d.%m.%Y") if value else ""


class OsmdResidentPortal(portal.CustomerPortal):
    """The resident's cabinet: the personal accounts the person sees today (the record rules of osmd_base decide:
    holders and residents with cabinet access, whose period includes today), each read with the person's own
    rights first and only then, for the ledger, as superuser."""

    # ------------------------------------------------------------
    # ACCESS
    # ------------------------------------------------------------

    @staticmethod
    def _osmd_my_accounts():
        """The accounts the current user sees in the cabinet: their own, never every account staff may read."""
        partner = request.env.user.partner_id
        # the domain of the residents' record rule: for staff too, whose rights reach every account of the association
        return (
            request.env["osmd.account"]
            .sudo()
            .search(Domain("portal_partner_ids", "in", [partner.id]), order="company_id, number")
        )

    @staticmethod
    def _osmd_my_start(account):
        """The first day of the person's current period on ``account``: what happened before belongs to the people
        before them (their payments, their accruals)."""
        partner = request.env.user.partner_id
        starts = account._get_portal_starts(account._osmd_access_today(), partners=partner)
        return starts.get((account.id, partner.id)) or account.date_open

    # ------------------------------------------------------------
    # FIGURES
    # ------------------------------------------------------------

    @staticmethod
    def _osmd_summary(account):
        """What the account's card shows: balance, debt by service, the date to pay by, the last payment."""
        lang = request.env["res.partner"]._osmd_document_lang(account.company_id)
        balance = round_money(to_decimal(account.balance))
        owed, other = account.with_context(lang=lang)._osmd_debt_by_service()
        Move = request.env["account.move"].sudo()
        open_invoices = Move.search(
            Domain("osmd_account_id", "=", account.id)
            & Domain("move_type", "=", "out_invoice")
            & Domain("state", "=", "posted")
            & Domain("amount_residual", ">", 0),
            order="invoice_date_due, id",
        )
        today = account._osmd_access_today()
        pay_by = open_invoices[:1].invoice_date_due if balance > 0 else False
        last_payment = OsmdResidentPortal._osmd_payment_lines(account, limit=1)
        return {
            "account": account,
            "balance": balance,
            "balance_text": fmt_money(abs(balance)),
            "due": max(balance, Decimal(0)),
            "services": [(product.name, fmt_money(amount)) for product, amount in owed]
            + ([(request.env._("Other debt"), fmt_money(other))] if other > 0 else []),
            "pay_by": fmt_date(pay_by),
            "overdue": bool(pay_by and pay_by < today),
            "pay_by_text": pay_by
            and (
                request.env._("Overdue since %(date)s", date=fmt_date(pay_by))
                if pay_by < today
                else request.env._("Pay by %(date)s", date=fmt_date(pay_by))
            ),
            "last_payment_text": (
                request.env._(
                    "Last payment: %(amount)s UAH on %(date)s",
                    amount=fmt_money(-last_payment.balance),
                    date=fmt_date(last_payment.date),
                )
                if last_payment
                else request.env._("No payments yet.")
            ),
        }

    @staticmethod
    def _osmd_payment_lines(account, limit=None, since=None):
        """The receivable items of the account's payments (entries crediting the receivable: bank, agents, cards),
        newest first; a payment taken back shows as a negative payment."""
        domain = (
            Domain("move_id.osmd_account_id", "=", account.id)
            & Domain("account_type", "=", "asset_receivable")
            & Domain("parent_state", "=", "posted")
            & Domain("move_id.move_type", "=", "entry")
        )
        if since:
            domain &= Domain("date", ">=", since)
        if limit == 1:  # the last payment: not a payment taken back
            domain &= Domain("credit", ">", 0)
        return request.env["account.move.line"].sudo().search(domain, order="date desc, id desc", limit=limit)

    @staticmethod
    def _osmd_history(account, since):
        """Accrual invoices and recalculations of the account from ``since``, newest first, each with its billing
        lines (the explanation of every amount)."""
        Move = request.env["account.move"].sudo()
        documents = Move.search(
            Domain("osmd_account_id", "=", account.id)
            & Domain("move_type", "in", ["out_invoice", "out_refund"])
            & Domain("state", "=", "posted")
            & Domain("invoice_date", ">=", since),
            order="invoice_date desc, id desc",
            limit=HISTORY_MONTHS,
        )
        # a run posts one invoice per account: its lines of this account explain that invoice
        runs = {move.osmd_billing_run_id.id: move.id for move in documents if move.osmd_billing_run_id}
        billing_lines = (
            request.env["osmd.billing.line"]
            .sudo()
            .search(Domain("run_id", "in", list(runs)) & Domain("account_id", "=", account.id))
        )
        by_move = {}
        for line in billing_lines:
            by_move.setdefault(runs[line.run_id.id], []).append(line)
        return [
            {
                "move": move,
                "sign": -1 if move.move_type == "out_refund" else 1,
                "amount": fmt_money(move.amount_total),
                "residual": fmt_money(move.amount_residual),
                "paid": move.payment_state in ("paid", "in_payment", "reversed"),
                "lines": [
                    (line.product_id.name, line.explanation, fmt_money(line.amount))
                    for line in by_move.get(move.id, [])
                ],
                "is_receipt": move.move_type == "out_invoice",
            }
            for move in documents
        ]

    @staticmethod
    def _osmd_book(account, date_from, date_to):
        """The electronic account book: the opening balance on ``date_from``, every accrual and payment up to
        ``date_to`` with the running balance, the totals and the closing balance."""
        Line = request.env["account.move.line"].sudo()
        base = (
            Domain("move_id.osmd_account_id", "=", account.id)
            & Domain("account_type", "=", "asset_receivable")
            & Domain("parent_state", "=", "posted")
        )
        [(opening,)] = Line._read_group(base & Domain("date", "<", date_from), aggregates=["balance:sum"])
        lines = Line.search(
            base & Domain("date", ">=", date_from) & Domain("date", "<=", date_to), order="date, move_id, id"
        )
        running = round_money(to_decimal(opening or 0))
        opening_balance = running
        rows, accrued, paid = [], Decimal(0), Decimal(0)
        for line in lines:
            amount = round_money(to_decimal(line.balance))
            running += amount
            move = line.move_id
            if move.move_type == "out_invoice":
                what = request.env._("Accrual for %(period)s", period=move.osmd_period_label or fmt_date(move.date))
            elif move.move_type == "out_refund":
                what = request.env._("Recalculation %(name)s", name=move.name)
            elif amount < 0:
                what = request.env._("Payment (%(channel)s)", channel=move.journal_id.name)
            else:
                what = request.env._("Payment taken back (%(channel)s)", channel=move.journal_id.name)
            if amount > 0:
                accrued += amount
            else:
                paid -= amount
            rows.append(
                {
                    "date": fmt_date(line.date),
                    "what": what,
                    "document": move.name,
                    "debit": fmt_money(amount) if amount > 0 else "",
                    "credit": fmt_money(-amount) if amount < 0 else "",
                    "balance": fmt_money(running),
                }
            )
        return {
            "period_text": request.env._(
                "Period: %(start)s – %(end)s.", start=fmt_date(date_from), end=fmt_date(date_to)
            ),
            "opening_text": request.env._(
                "Balance on %(date)s: %(amount)s UAH", date=fmt_date(date_from), amount=fmt_money(opening_balance)
            ),
            "closing_text": request.env._(
                "Balance on %(date)s: %(amount)s UAH", date=fmt_date(date_to), amount=fmt_money(running)
            ),
            "opening": fmt_money(opening_balance),
            "rows": rows,
            "accrued": fmt_money(accrued),
            "paid": fmt_money(paid),
            "closing": fmt_money(running),
        }

    # ------------------------------------------------------------
    # PAGES
    # ------------------------------------------------------------

    @http.route()
    def home(self, **kw):
        response = super().home(**kw)
        accounts = self._osmd_my_accounts()
        response.qcontext["osmd_cards"] = [self._osmd_summary(account) for account in accounts]
        return response

    @http.route(["/my/accounts", "/my/balance"], type="http", auth="user", website=True, sitemap=False)
    def osmd_accounts(self, **kw):
        accounts = self._osmd_my_accounts()
        if len(accounts) == 1:
            return request.redirect(f"/my/accounts/{accounts.id}")
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="osmd_accounts",
            osmd_cards=[self._osmd_summary(account) for account in accounts],
        )
        return request.render("osmd_portal.accounts", values)

    @staticmethod
    def _osmd_payment_qr(account, due):
        """The NBU payment QR of the amount due, as the receipt prints it (the purpose names the account and the last
        accrued month, the key banks' statements are matched by); on a phone its link opens the bank's app."""
        if due <= 0:
            return {}
        last = (
            request.env["account.move"]
            .sudo()
            .search(
                Domain("osmd_account_id", "=", account.id)
                & Domain("move_type", "=", "out_invoice")
                & Domain("state", "=", "posted")
                & Domain("osmd_period", "!=", False),
                order="osmd_period desc, id desc",
                limit=1,
            )
        )
        period = last.osmd_period or request.env["osmd.account"]._osmd_access_today().replace(day=1)
        report = request.env["report.osmd_billing.report_receipt"].sudo()
        return report._prepare_qr(account.company_id.sudo(), account.sudo(), period, due)

    @http.route("/my/accounts/<int:account_id>", type="http", auth="user", website=True, sitemap=False)
    def osmd_account(self, account_id, **kw):
        account = OsmdCardPayment._osmd_account(account_id)
        since = self._osmd_my_start(account)
        card = self._osmd_summary(account)
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="osmd_account",
            card=card,
            qr=self._osmd_payment_qr(account, card["due"]),
            history=self._osmd_history(account, since),
            payments=[
                {"date": fmt_date(line.date), "amount": fmt_money(-line.balance), "channel": line.journal_id.name}
                for line in self._osmd_payment_lines(account, limit=HISTORY_MONTHS * 2, since=since)
            ],
            company=account.company_id,
            edrpou_text=request.env._("EDRPOU code %(code)s", code=account.company_id.osmd_edrpou or ""),
            purpose_text=request.env._("Purpose: personal account %(number)s", number=account.number),
        )
        return request.render("osmd_portal.account", values)

    @http.route(
        "/my/accounts/<int:account_id>/receipts/<int:move_id>", type="http", auth="user", website=True, sitemap=False
    )
    def osmd_receipt(self, account_id, move_id, download=False, **kw):
        account = OsmdCardPayment._osmd_account(account_id)
        since = self._osmd_my_start(account)
        move = (
            request.env["account.move"]
            .sudo()
            .search(
                Domain("id", "=", move_id)
                & Domain("osmd_account_id", "=", account.id)
                & Domain("move_type", "=", "out_invoice")
                & Domain("state", "=", "posted")
                & Domain("invoice_date", ">=", since),
                limit=1,
            )
        )
        if not move:
            raise request.not_found()
        attachment = move.invoice_pdf_report_id
        if not attachment:
            # the receipt is generated once and kept as Odoo's Send keeps it (the e-mail then carries the same file):
            # a PDF costs about a second of a core, residents open the same receipt again and again
            report = request.env["ir.actions.report"].sudo().with_context(osmd_receipt_per_record=True)
            content, kind = report._render_qweb_pdf(RECEIPT_REPORT, move.ids)
            if kind != "pdf" or not content.startswith(b"%PDF"):
                # no wkhtmltopdf (or tests): shown as Odoo shows reports
                return self._show_report(model=move, report_type="pdf", report_ref=RECEIPT_REPORT, download=download)
            attachment = (
                request.env["ir.attachment"]
                .sudo()
                .create(
                    {
                        "name": move._get_invoice_report_filename(report=request.env.ref(RECEIPT_REPORT)),
                        "raw": content,
                        "mimetype": "application/pdf",
                        "res_model": "account.move",
                        "res_id": move.id,
                        "res_field": "invoice_pdf_report_file",
                    }
                )
            )
        disposition = "attachment" if download else "inline"
        return request.make_response(
            attachment.raw,
            headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Length", len(attachment.raw)),
                ("Content-Disposition", http.content_disposition(attachment.name, disposition_type=disposition)),
            ],
        )

    @http.route("/my/accounts/<int:account_id>/book", type="http", auth="user", website=True, sitemap=False)
    def osmd_book(self, account_id, date_from=None, date_to=None, **kw):
        account = OsmdCardPayment._osmd_account(account_id)
        since = self._osmd_my_start(account)
        today = account._osmd_access_today()
        error = None
        try:
            start = fields.Date.to_date(date_from) if date_from else date(today.year, 1, 1)
            end = fields.Date.to_date(date_to) if date_to else today
        except ValueError:
            start, end = date(today.year, 1, 1), today
            error = request.env._("Enter the dates as day, month and year.")
        if start > end:
            start, end = end, start
        # never before the person's own period
        start = max(start, since)
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="osmd_book",
            account=account,
            company=account.company_id,
            date_from=start,
            date_to=end,
            since=since,
            error=error,
            book=self._osmd_book(account, start, end),
            holder_text=request.env._("Holder: %(name)s", name=account.holder_id.name or ""),
        )
        return request.render("osmd_portal.book", values)


class OsmdResidentInvoices(PortalAccount):
    """Odoo's invoice pages lead a resident to the cabinet: the account page and the association's receipt, not
    Odoo's generic invoice (its "Proforma" and English terms)."""

    @http.route()
    def portal_my_invoices(self, *args, **kw):
        if OsmdResidentPortal._osmd_my_accounts():
            return request.redirect("/my/accounts")
        return super().portal_my_invoices(*args, **kw)

    @http.route()
    def portal_my_invoice_detail(self, invoice_id, access_token=None, report_type=None, download=False, **kw):
        if not request.env.user._is_public():
            move = request.env["account.move"].sudo().browse(invoice_id).exists()
            account = move.osmd_account_id
            if account and account in OsmdResidentPortal._osmd_my_accounts():
                if report_type == "pdf" and move.move_type == "out_invoice":
                    suffix = "?download=1" if download else ""
                    return request.redirect(f"/my/accounts/{account.id}/receipts/{move.id}{suffix}")
                return request.redirect(f"/my/accounts/{account.id}")
        return super().portal_my_invoice_detail(
            invoice_id, access_token=access_token, report_type=report_type, download=download, **kw
        )
