from odoo import fields, models


class OsmdPaymentAgentLog(models.Model):
    """Every request of the payment gateway and its answer: who, when, what, the result and how long it took. Read by
    the chairman, the accountant and the audit commission; written only by the gateway."""

    _name = "osmd.payment.agent.log"
    _description = "Payment gateway request"
    _order = "id desc"

    agent_id = fields.Many2one("osmd.payment.agent", string="Agent", readonly=True, index=True, ondelete="set null")
    company_id = fields.Many2one("res.company", string="Association", readonly=True, index=True)
    protocol = fields.Char(readonly=True)
    operation = fields.Char(readonly=True)
    ip = fields.Char(string="Address", readonly=True)
    txn_id = fields.Char(string="Agent's transaction", readonly=True, index="btree_not_null")
    account_number = fields.Char(string="Personal account", readonly=True)
    request_body = fields.Text(string="Request", readonly=True)
    response_body = fields.Text(string="Answer", readonly=True)
    http_status = fields.Integer(string="HTTP status", readonly=True)
    result = fields.Char(readonly=True, help="ok, or the refusal's code (not_found, conflict, bad_amount, …).")
    duration_ms = fields.Integer(string="Duration, ms", readonly=True)

    def init(self):
        # the rate limit counts an agent's requests of the last minute
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS osmd_payment_agent_log_agent_date_idx "
            "ON osmd_payment_agent_log (agent_id, create_date)"
        )
