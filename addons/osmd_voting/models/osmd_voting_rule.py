from fractions import Fraction

from odoo import api, fields, models


class OsmdVotingThreshold(models.Model):
    """How many of ALL co-owners' votes a decision needs: a fraction and whether it must be exceeded ("more than
    half") or only reached ("at least two thirds"). Data, not code: the statute or a later law may change it."""

    _name = "osmd.voting.threshold"
    _description = "Decision threshold"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one("res.company", string="Association", index=True, help="Empty: every association.")
    numerator = fields.Integer(required=True, default=1)
    denominator = fields.Integer(required=True, default=2)
    strict = fields.Boolean(
        string="Strictly more",
        default=True,
        help="Ticked: the votes for must exceed the fraction (more than half). Unticked: reaching it is enough "
        "(at least two thirds).",
    )
    active = fields.Boolean(default=True)

    _fraction_valid = models.Constraint(
        "CHECK(numerator > 0 AND denominator > 0 AND numerator < denominator)",
        "A threshold is a fraction between 0 and 1, e.g. 1/2 or 2/3.",
    )

    @property
    def ratio(self):
        self.ensure_one()
        return Fraction(self.numerator, self.denominator)


class OsmdVotingRule(models.Model):
    """The rules a meeting follows, from the association's statute and the law in force for it: how many days before
    the meeting the co-owners must be notified, how long the written poll lasts, whether votes are taken online.
    Associations registered before 10.11.2023 keep their old statutes (14 days' notice) until the end of martial law
    plus 3 years; the 2023 model statute asks for 10 days."""

    _name = "osmd.voting.rule"
    _description = "Meeting rules"
    _order = "company_id, sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one("res.company", string="Association", index=True, help="Empty: every association.")
    notice_days = fields.Integer(
        string="Notice, days", required=True, default=14, help="Co-owners are notified at least this many days before."
    )
    poll_days = fields.Integer(
        string="Written poll, days",
        required=True,
        default=15,
        help="How long the written poll of the co-owners who did not vote at the meeting lasts.",
    )
    online_voting = fields.Boolean(
        string="Online votes", default=True, help="Co-owners may vote in the cabinet until the meeting's deadline."
    )
    online_notices = fields.Boolean(
        string="E-mail and cabinet notices count",
        default=True,
        help="Unticked: only notices handed against signature or sent by (registered) letter count for the notice "
        "period; e-mails and cabinet notices are still sent and recorded.",
    )
    note = fields.Text(help="The statute or law these rules come from, and what to check in it.")
    active = fields.Boolean(default=True)

    _days_valid = models.Constraint(
        "CHECK(notice_days >= 0 AND poll_days >= 0)", "Notice and poll periods cannot be negative."
    )

    @api.model
    def _default_for(self, company):
        return self.search(["|", ("company_id", "=", company.id), ("company_id", "=", False)], limit=1)
