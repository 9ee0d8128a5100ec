from odoo import fields, models

UTILITY_KINDS = [
    ("cold_water", "Cold water"),
    ("hot_water", "Hot water"),
    ("gas", "Gas"),
    ("electricity", "Electricity"),
    ("heating", "Heating"),
    ("custom", "Other"),
]


class OsmdUtility(models.Model):
    _name = "osmd.utility"
    _description = "Metered utility"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    kind = fields.Selection(UTILITY_KINDS, required=True, default="custom")
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company",
        string="Association",
        index=True,
        # an association's staff create their own utilities; only the platform offers one to every association
        default=lambda self: False if self.env.user._is_system() else self.env.company,
        help="Empty: offered to every association.",
    )
    uom_id = fields.Many2one("uom.uom", string="Unit", required=True)
    zone_count = fields.Selection(
        [("1", "Single"), ("2", "Day / night"), ("3", "Three zones")],
        string="Zones",
        default="1",
        required=True,
        help="Default number of tariff zones of new meters of this utility.",
    )
    zone1_name = fields.Char(string="Zone 1", default="T1", translate=True)
    zone2_name = fields.Char(string="Zone 2", default="T2", translate=True)
    zone3_name = fields.Char(string="Zone 3", default="T3", translate=True)
    estimate_method = fields.Selection(
        [("average", "Average of the last months"), ("norm", "Norm per registered person"), ("none", "No estimate")],
        default="average",
        required=True,
        help="How consumption is estimated for a period without a reading.",
    )
    estimate_months = fields.Integer(string="Months in the average", default=6)
    norm_per_person = fields.Float(
        string="Norm per person",
        digits=(12, 3),
        help="Monthly consumption per registered person, used for estimates by norm.",
    )
    anomaly_factor = fields.Float(
        string="Anomaly factor",
        digits=(6, 2),
        default=3.0,
        help="A consumption above this multiple of the average of the last 6 months is flagged.",
    )
    loss_basis = fields.Selection(
        [("area", "Total area"), ("persons", "Registered persons")],
        string="Share house losses by",
        default="area",
        required=True,
    )
    active = fields.Boolean(default=True)

    _estimate_months_positive = models.Constraint(
        "CHECK(estimate_months > 0)", "The number of months in the average must be positive."
    )
    _norm_positive = models.Constraint("CHECK(norm_per_person >= 0)", "A norm cannot be negative.")
    _anomaly_positive = models.Constraint("CHECK(anomaly_factor >= 0)", "The anomaly factor cannot be negative.")
