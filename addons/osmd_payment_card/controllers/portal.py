from decimal import Decimal, InvalidOperation

from werkzeug.exceptions import Forbidden, NotFound

from odoo import http
from odoo.exceptions import AccessError, MissingError, ValidationError
from odoo.http import request

from odoo.addons.osmd_billing.tools.formatting import fmt_number
from odoo.addons.osmd_billing.tools.money import round_money
from odoo.addons.payment import utils as payment_utils
from odoo.addons.payment.controllers import portal as payment_portal

# the most one card payment may carry for a personal account (a year of a large flat's charges, with a margin)
MAX_AMOUNT = Decimal("100000")


class OsmdCardPayment(payment_portal.PaymentPortal):
    """The resident pays a personal account they hold or live in: the amount due, a part or an advance, through the
    association's own card providers. The page and the transaction route check the account against the person's
    access (record rules), the amount against a token bound to the account, and the provider against the account's
    association."""

    @staticmethod
    def _osmd_account(account_id):
        account = request.env["osmd.account"].browse(account_id)
        try:
            account.check_access("read")
            if not account.exists():
                raise MissingError(account._name)
        except (AccessError, MissingError):
            raise NotFound() from None  # never tell an account that exists from one that is not theirs
        return account.sudo()

    @staticmethod
    def _osmd_parse_amount(text):
        """(amount, error) from what the payer typed: comma or point, at most two decimals, above zero, at most
        MAX_AMOUNT."""
        try:
            amount = Decimal(str(text).strip().replace(" ", "").replace("\xa0", "").replace(",", "."))
        except InvalidOperation:
            return None, request.env._("Enter the amount as a number, for example 1250,50.")
        if not amount.is_finite() or amount.as_tuple().exponent < -2:
            return None, request.env._("Enter the amount in hryvnias and kopecks, at most two decimals.")
        if amount <= 0:
            return None, request.env._("The amount to pay must be above zero.")
        if amount > MAX_AMOUNT:
            return None, request.env._("One payment cannot exceed %(max)s UAH.", max=f"{MAX_AMOUNT:,.2f}")
        return amount, None

    @http.route(
        "/my/osmd/accounts/<int:account_id>/pay", type="http", auth="user", methods=["GET"], website=True, sitemap=False
    )
    def osmd_account_pay(self, account_id, amount=None, tx_id=None, access_token=None, **kwargs):
        account = self._osmd_account(account_id)
        company = account.company_id
        currency = company.currency_id
        partner = request.env.user.partner_id
        due = max(round_money(account.balance), Decimal(0))
        error = None
        if amount not in (None, ""):
            value, error = self._osmd_parse_amount(amount)
        else:
            value = due
        value = value or Decimal(0)
        tx = request.env["payment.transaction"]
        if tx_id and access_token:
            # back from the provider: the transaction's state, shown only with the token it was created with
            tx = tx.sudo().browse(self._cast_as_int(tx_id)).exists()
            if not (
                tx
                and tx.osmd_account_id == account
                and payment_utils.check_access_token(
                    access_token, tx.partner_id.id, tx.amount, tx.currency_id.id, account.id
                )
            ):
                tx = request.env["payment.transaction"]
        report = {}
        providers = request.env["payment.provider"].sudo()
        methods = request.env["payment.method"].sudo()
        if value and not error:
            providers = providers._get_compatible_providers(
                company.id, partner.id, float(value), currency_id=currency.id, report=report
            )
            methods = methods._get_compatible_payment_methods(
                providers.ids, partner.id, currency_id=currency.id, report=report
            )
        values = {
            "page_name": "osmd_pay",
            "account": account,
            "res_company": company,
            "due_text": fmt_number(due, 2),
            # a wrong amount stays in the field as typed, next to the message
            "amount_text": str(amount)[:30] if error else (fmt_number(value, 2) if value else ""),
            "error": error,
            "tx": tx,
            # the payment form
            "reference_prefix": account.number,
            "amount": float(value),
            "currency": currency,
            "partner_id": partner.id,
            "providers_sudo": providers,
            "payment_methods_sudo": methods,
            "tokens_sudo": request.env["payment.token"].sudo(),
            "availability_report": report,
            "show_tokenize_input_mapping": {provider.id: False for provider in providers},
            "transaction_route": f"/my/osmd/accounts/{account.id}/pay/transaction",
            "landing_route": f"/my/osmd/accounts/{account.id}/pay",
            "access_token": payment_utils.generate_access_token(partner.id, float(value), currency.id, account.id),
        }
        return request.render("osmd_payment_card.pay", values)

    @http.route("/my/osmd/accounts/<int:account_id>/pay/transaction", type="jsonrpc", auth="user")
    def osmd_account_transaction(self, account_id, amount, access_token, **kwargs):
        account = self._osmd_account(account_id)
        currency = account.company_id.currency_id
        partner = request.env.user.partner_id
        amount = amount and float(amount)
        # the token binds the payer, the amount, the currency and the account shown on the page
        if not payment_utils.check_access_token(access_token, partner.id, amount, currency.id, account.id):
            raise Forbidden()
        self._validate_transaction_kwargs(kwargs)
        provider = request.env["payment.provider"].sudo().browse(self._cast_as_int(kwargs.get("provider_id")))
        if not provider.exists() or provider.company_id != account.company_id or provider.state == "disabled":
            # money of an association goes only to its own providers
            raise ValidationError(request.env._("This payment method is not available for this personal account."))
        if kwargs.get("flow") == "token" or kwargs.get("is_validation"):
            raise Forbidden()
        kwargs.update(
            landing_route=f"/my/osmd/accounts/{account.id}/pay",
            tokenization_requested=False,
        )
        tx = self._create_transaction(
            amount=amount,
            currency_id=currency.id,
            partner_id=partner.id,
            custom_create_values={"osmd_account_id": account.id},
            **kwargs,
        )
        self._update_landing_route(tx, access_token)
        return tx._get_processing_values()
