from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain


class OsmdDatedMixin(models.AbstractModel):
    """A record valid from ``date_start`` to ``date_end`` (both inclusive; no end = still valid).

    Ownerships, holders and residents share this: validity on a day, "current" as a searchable
    field (today, or the ``date`` in the context), and the domain of records valid on a day.
    """

    _name = "osmd.dated.mixin"
    _description = "Record valid over a date range"

    date_start = fields.Date(string="From", required=True)
    date_end = fields.Date(string="Until")
    is_current = fields.Boolean(compute="_compute_is_current", search="_search_is_current", string="Current")

    @api.depends("date_start", "date_end")
    @api.depends_context("date")
    def _compute_is_current(self):
        today = fields.Date.to_date(self.env.context.get("date")) or fields.Date.context_today(self)
        for rec in self:
            rec.is_current = rec._is_valid_on(today)

    def _search_is_current(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on the current records."))
        domain = self._get_valid_on_domain(fields.Date.context_today(self))
        return domain if (operator == "=") == value else ~domain

    def _is_valid_on(self, day):
        self.ensure_one()
        return bool(self.date_start) and self.date_start <= day and (not self.date_end or self.date_end >= day)

    @api.model
    def _get_valid_on_domain(self, day):
        return Domain("date_start", "<=", day) & (Domain("date_end", "=", False) | Domain("date_end", ">=", day))
