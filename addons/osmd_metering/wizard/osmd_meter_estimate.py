from odoo import api, fields, models
from odoo.fields import Domain

from odoo.addons.osmd_base.tools.company_access import check_own_associations


class OsmdMeterEstimate(models.TransientModel):
    """Estimate the readings missing in a period, for a building or the whole association.

    Delegates to ``osmd.meter.reading._create_estimates``: meters without a confirmed reading in the
    period get an estimate (average of the utility's last months, or its norm × registered persons),
    flagged ``is_estimate``. A real reading of the same period later replaces the estimate; billing
    recalculates the difference.
    """

    _name = "osmd.meter.estimate"
    _description = "Estimate missing readings"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    building_id = fields.Many2one(
        "osmd.building",
        check_company=True,
        help="Leave empty for every building of the association.",
    )
    utility_id = fields.Many2one(
        "osmd.utility",
        check_company=True,
        help="Leave empty for every utility with an estimate method.",
    )
    period = fields.Date(
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1),
        help="Any day of the month to estimate.",
    )
    include_house_meters = fields.Boolean(
        help="Also estimate house and entrance meters. Off by default: an estimated house total would turn into "
        "invented losses.",
    )

    @api.constrains("company_id")
    def _check_own_association(self):
        check_own_associations(self)

    def _get_meter_domain(self):
        self.ensure_one()
        domain = Domain("company_id", "=", self.company_id.id) & Domain("state", "=", "active")
        if self.building_id:
            domain &= Domain("building_id", "=", self.building_id.id)
        if self.utility_id:
            domain &= Domain("utility_id", "=", self.utility_id.id)
        if not self.include_house_meters:
            domain &= Domain("premise_id", "!=", False)
        return domain

    def action_estimate(self):
        self.ensure_one()
        meters = self.env["osmd.meter"].search(self._get_meter_domain())
        estimates = self.env["osmd.meter.reading"]._create_estimates(meters, self.period.replace(day=1))
        if not estimates:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "info",
                    "message": self.env._(
                        "No estimate created for %s: the meters have a confirmed reading, or there is nothing to "
                        "estimate from.",
                        self.period.strftime("%m.%Y"),
                    ),
                    "next": {"type": "ir.actions.act_window_close"},
                },
            }
        action = self.env["ir.actions.act_window"]._for_xml_id("osmd_metering.osmd_meter_reading_action")
        action.update(
            {
                "name": self.env._("Estimated readings"),
                "domain": [("id", "in", estimates.ids)],
                "context": {"create": False},
                "target": "current",
            }
        )
        return action
