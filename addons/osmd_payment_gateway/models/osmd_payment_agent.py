from decimal import Decimal

import psycopg2.errors

from odoo import api, fields, models
from odoo.exceptions import ConcurrencyError, ValidationError
from odoo.fields import Domain

from odoo.addons.osmd_base.tools.ipnet import ip_allowed, parse_network
from odoo.addons.osmd_billing.tools.money import round_money

from ..tools import gateway
from ..tools.gateway import GatewayError, _lt


class OsmdPaymentAgent(models.Model):
    """A collector's agent (terminal network, bank app, payment service) allowed to take payments for the personal
    accounts of one association through the payment gateway: its key (stored hashed), addresses, limits."""

    _name = "osmd.payment.agent"
    _description = "Payment agent (online payments)"
    _inherit = ["mail.thread"]
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", string="Association", required=True, default=lambda self: self.env.company, index=True
    )
    active = fields.Boolean(default=True, tracking=True)
    collector_id = fields.Many2one(
        "osmd.payment.collector",
        string="Collector",
        check_company=True,
        help="The collector whose registry and lump-sum transfer settle this agent's payments.",
    )
    key_index = fields.Char(readonly=True, copy=False, index=True, groups="base.group_system")
    key_hash = fields.Char(readonly=True, copy=False, groups="base.group_system")
    has_key = fields.Boolean(compute="_compute_has_key", string="Key issued")
    key_issued_at = fields.Datetime(string="Key issued on", readonly=True, copy=False, tracking=True)
    ip_allowlist = fields.Char(
        string="Allowed addresses",
        tracking=True,
        help="The agent's servers (IPv4/IPv6 addresses or CIDR ranges, separated by spaces or commas). Empty: "
        "requests from any address are refused.",
    )
    signature_secret = fields.Char(
        string="Signature secret",
        groups="base.group_system",
        copy=False,
        help="When set, every request must carry X-Signature: HMAC-SHA256 of its body with this secret (hex).",
    )
    signature_secret_input = fields.Char(
        string="New signature secret",
        compute="_compute_signature_secret_input",
        inverse="_inverse_signature_secret_input",
        help="Write-only: the secret is never shown again.",
    )
    signed = fields.Boolean(compute="_compute_has_key", string="Requests signed")
    rate_limit = fields.Integer(string="Requests per minute", default=600, tracking=True)
    max_amount = fields.Monetary(string="Largest payment", default=100000.0, tracking=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    journal_id = fields.Many2one(
        "account.journal",
        string="Journal",
        required=True,
        check_company=True,
        domain="[('type', '=', 'general'), ('company_id', '=', company_id)]",
        default=lambda self: self._default_journal(),
        help="Journal of the entries of this agent's payments.",
    )
    clearing_account_id = fields.Many2one(
        "account.account",
        string="Settlement account",
        required=True,
        domain="[('company_ids', 'in', company_id), ('reconcile', '=', True), "
        "('account_type', 'not in', ('asset_receivable', 'liability_payable'))]",
        help="What the agent owes the association for the payments it took, until its transfer reaches the bank "
        "account (e.g. 377).",
    )
    transaction_ids = fields.One2many("osmd.payment.agent.transaction", "agent_id", string="Payments")
    transaction_count = fields.Integer(compute="_compute_transaction_count", string="Payments taken")

    @api.model
    def _default_journal(self):
        return self.env["account.journal"].search(
            Domain("company_id", "=", self.env.company.id) & Domain("type", "=", "general"), limit=1
        )

    def _compute_has_key(self):
        for agent, sudo in zip(self, self.sudo(), strict=True):
            agent.has_key = bool(sudo.key_hash)
            agent.signed = bool(sudo.signature_secret)

    def _compute_signature_secret_input(self):
        self.signature_secret_input = False

    def _inverse_signature_secret_input(self):
        for agent in self:
            if agent.signature_secret_input:
                agent.sudo().signature_secret = agent.signature_secret_input.strip()

    def _compute_transaction_count(self):
        counts = dict(
            self.env["osmd.payment.agent.transaction"]._read_group(
                Domain("agent_id", "in", self.ids), ["agent_id"], ["__count"]
            )
        )
        for agent in self:
            agent.transaction_count = counts.get(agent, 0)

    @api.constrains("ip_allowlist")
    def _check_ip_allowlist(self):
        for agent in self:
            for item in agent._ip_networks_text():
                try:
                    parse_network(item)
                except ValueError:
                    raise ValidationError(
                        self.env._("%(agent)s: “%(item)s” is not an IP address or range.", agent=agent.name, item=item)
                    ) from None

    @api.constrains("rate_limit", "max_amount")
    def _check_limits(self):
        for agent in self:
            if agent.rate_limit < 1 or agent.max_amount <= 0:
                raise ValidationError(self.env._("%(agent)s: the limits must be more than zero.", agent=agent.name))

    @api.constrains("clearing_account_id", "company_id")
    def _check_clearing_account(self):
        for agent in self:
            account = agent.clearing_account_id
            if account.account_type in ("asset_receivable", "liability_payable") or not account.reconcile:
                raise ValidationError(
                    self.env._(
                        "%(agent)s: the settlement account must allow reconciliation and must not be a receivable or "
                        "payable account.",
                        agent=agent.name,
                    )
                )
            if account.company_ids and agent.company_id not in account.company_ids:
                raise ValidationError(
                    self.env._("%(agent)s: the settlement account belongs to another association.", agent=agent.name)
                )

    def _ip_networks_text(self):
        self.ensure_one()
        return [item for item in (self.ip_allowlist or "").replace(",", " ").split() if item]

    def action_issue_key(self):
        """Issue a new key (the old one stops working at once); it is shown once and stored only hashed."""
        self.ensure_one()
        self.check_access("write")
        key, index, digest = gateway.new_key()
        self.sudo().write({"key_index": index, "key_hash": digest, "key_issued_at": fields.Datetime.now()})
        self.message_post(body=self.env._("A new key was issued; the previous one no longer works."))
        # shown once, never stored in clear (not even in a wizard's record)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("The agent's new key (copy it now, it is not shown again)"),
                "message": key,
                "sticky": True,
                "type": "warning",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # ------------------------------------------------------------
    # AUTHENTICATION (called by the protocol adapters, as superuser)
    # ------------------------------------------------------------

    @api.model
    def _osmd_authenticate(self, key, ip, body=b"", signature=None):
        """The active agent of ``key`` calling from ``ip``: the key must be one of ours (checked against its hash),
        the address allowed, the body signed when the agent signs. Raises GatewayError."""
        index = gateway.key_index(key)
        agent = self.sudo().search(Domain("key_index", "=", index), limit=1) if index else self.browse()
        if not agent or not gateway.key_matches(key, agent.key_hash):
            raise GatewayError("unauthorized", _lt("Unknown or expired key."))
        networks = agent._ip_networks_text()
        if not networks or not ip_allowed(ip, networks):
            raise GatewayError("forbidden", _lt("Requests from %(ip)s are not allowed for this agent."), ip=ip)
        if agent.signature_secret and not gateway.signature_matches(agent.signature_secret, body, signature):
            raise GatewayError("bad_signature", _lt("The signature of the request is missing or wrong."))
        return agent

    def _osmd_check_rate(self):
        """Refuse the request when the agent made ``rate_limit`` requests in the last minute (counted from the
        request log, so every worker of the server counts the same)."""
        self.ensure_one()
        self.env.cr.execute(
            "SELECT COUNT(*) FROM osmd_payment_agent_log WHERE agent_id = %s "
            "AND create_date > (now() AT TIME ZONE 'UTC') - interval '1 minute'",
            [self.id],
        )
        if self.env.cr.fetchone()[0] >= self.rate_limit:
            raise GatewayError(
                "rate_limited", _lt("Too many requests: at most %(limit)s a minute."), limit=self.rate_limit
            )

    # ------------------------------------------------------------
    # THE CORE: CHECK, PAY, CANCEL, STATUS
    # ------------------------------------------------------------

    def _osmd_account(self, number):
        """The personal account ``number`` of the agent's association (leading zeros optional)."""
        self.ensure_one()
        number = str(number or "").strip()
        if not number or not number.isdigit() or len(number) > 20:
            raise GatewayError("not_found", _lt("Personal account %(account)s not found."), account=number[:30])
        bare = number.lstrip("0") or "0"
        candidates = {number} | {bare.zfill(width) for width in range(len(bare), 13)}
        accounts = (
            self.env["osmd.account"]
            .sudo()
            .search(Domain("company_id", "=", self.company_id.id) & Domain("number", "in", sorted(candidates)))
        )
        exact = accounts.filtered(lambda account: account.number == number)
        accounts = exact or accounts
        if len(accounts) != 1:
            raise GatewayError("not_found", _lt("Personal account %(account)s not found."), account=number)
        if accounts.state == "closed":
            raise GatewayError("closed", _lt("Personal account %(account)s is closed."), account=accounts.number)
        return accounts

    def _osmd_check(self, number):
        """What a payer sees at the terminal: the masked holder, the address, the debt by service, what to pay."""
        self.ensure_one()
        account = self._osmd_account(number)
        balance = round_money(account.balance)
        services = self._osmd_debt_by_service(account)
        invoices = (
            self.env["account.move"]
            .sudo()
            .search(
                Domain("osmd_account_id", "=", account.id)
                & Domain("move_type", "=", "out_invoice")
                & Domain("state", "=", "posted"),
                order="invoice_date desc, id desc",
                limit=1,
            )
        )
        return {
            "account": account.number,
            "holder": gateway.mask_name(account.holder_id.name),
            "address": account.premise_id.display_name or "",
            "currency": self.currency_id.name,
            "balance": f"{balance:.2f}",
            "debt": f"{max(balance, Decimal(0)):.2f}",
            "advance": f"{max(-balance, Decimal(0)):.2f}",
            "to_pay": f"{max(balance, Decimal(0)):.2f}",
            "period": invoices.invoice_date.strftime("%Y-%m") if invoices.invoice_date else None,
            "due_date": invoices.invoice_date_due.isoformat() if invoices.invoice_date_due else None,
            "services": services,
        }

    def _osmd_debt_by_service(self, account):
        # names as the association's documents write them (in Ukrainian when it is installed)
        lang = "uk_UA" if "uk_UA" in dict(self.env["res.lang"].get_installed()) else self.env.lang
        owed, other = account.with_context(lang=lang)._osmd_debt_by_service()
        services = [
            {"code": product.default_code or str(product.id), "name": product.name, "debt": f"{amount:.2f}"}
            for product, amount in owed
        ]
        if other > 0:
            services.append({"code": "other", "name": "Інша заборгованість", "debt": f"{other:.2f}"})
        return services

    def _osmd_pay(self, txn_id, number, amount, when=None, services=None, confirm=True):
        """Take the payment ``txn_id`` of the agent: posted to the personal account at once and reconciled with its
        invoices as an imported payment would be. The same transaction again gives the same answer; the same id
        with another account or amount is a conflict. ``confirm=False`` (two-step protocols): only reserved, booked
        by ``_osmd_confirm``."""
        self.ensure_one()
        txn_id = str(txn_id or "").strip()
        if not txn_id or len(txn_id) > 64:
            raise GatewayError("bad_request", _lt("The transaction id is missing or longer than 64 characters."))
        amount = gateway.parse_amount(amount, self.max_amount)
        Transaction = self.env["osmd.payment.agent.transaction"].sudo()
        existing = Transaction.search(Domain("agent_id", "=", self.id) & Domain("txn_id", "=", txn_id), limit=1)
        if existing:
            return existing._osmd_replay(number, amount)
        account = self._osmd_account(number)
        if not account.holder_id:
            raise GatewayError("closed", _lt("Personal account %(account)s has no holder."), account=account.number)
        today = fields.Date.context_today(self.with_context(tz="Europe/Kyiv"))
        day = self._osmd_date(when) or today
        if day > today:
            raise GatewayError("bad_request", _lt("The payment date %(date)s is in the future."), date=day.isoformat())
        try:
            with self.env.cr.savepoint():
                transaction = Transaction.create(
                    {
                        "agent_id": self.id,
                        "txn_id": txn_id,
                        "account_id": account.id,
                        "amount": float(amount),
                        "date": day,
                        "services": services or False,
                        "state": "paid" if confirm else "pending",
                    }
                )
        except psycopg2.errors.UniqueViolation:
            # the same transaction sent twice at once: the request is retried and answers as a replay
            raise ConcurrencyError("payment %s of agent %s taken concurrently" % (txn_id, self.id)) from None
        if confirm:
            transaction._osmd_post()
        return transaction._osmd_answer()

    def _osmd_confirm(self, payment_id):
        """Book a reserved payment (second step of a two-step protocol); confirming again answers the same."""
        transaction = self._osmd_payment_by_id(payment_id)
        if transaction.state == "cancelled":
            raise GatewayError("cancel_refused", _lt("Payment %(txn)s was cancelled."), txn=transaction.txn_id)
        if transaction.state == "pending":
            transaction._osmd_post()
        return transaction

    def _osmd_payment_by_id(self, payment_id):
        """The agent's payment by the id our answers gave it (PaymentId of the two-step protocols)."""
        self.ensure_one()
        text = str(payment_id or "").strip()
        transaction = self.env["osmd.payment.agent.transaction"].sudo()
        if text.isdigit() and len(text) < 12:
            transaction = transaction.search(Domain("id", "=", int(text)) & Domain("agent_id", "=", self.id), limit=1)
        if not transaction:
            raise GatewayError("not_found", _lt("Payment %(txn)s not found."), txn=text[:64])
        return transaction

    def _osmd_cancel(self, txn_id):
        self.ensure_one()
        transaction = self._osmd_transaction(txn_id)
        transaction._osmd_cancel()
        return transaction._osmd_answer()

    def _osmd_status(self, txn_id):
        self.ensure_one()
        return self._osmd_transaction(txn_id)._osmd_answer()

    def _osmd_find_transaction(self, txn_id):
        self.ensure_one()
        return (
            self.env["osmd.payment.agent.transaction"]
            .sudo()
            .search(Domain("agent_id", "=", self.id) & Domain("txn_id", "=", str(txn_id or "").strip()), limit=1)
        )

    def _osmd_transaction(self, txn_id):
        transaction = self._osmd_find_transaction(txn_id)
        if not transaction:
            raise GatewayError("not_found", _lt("Payment %(txn)s not found."), txn=str(txn_id or "")[:64])
        return transaction

    @api.model
    def _osmd_date(self, value):
        if not value:
            return None
        try:
            return fields.Date.to_date(str(value)[:10])
        except ValueError:
            raise GatewayError(
                "bad_request", _lt("The payment date %(date)s is not a date."), date=str(value)[:30]
            ) from None
