from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.ipnet import parse_network


class OsmdIpRange(models.Model):
    _name = "osmd.ip.range"
    _description = "Allowed network for staff logins"
    _order = "company_id, id"

    company_id = fields.Many2one(
        "res.company", string="Association", required=True, index=True, ondelete="cascade",
        default=lambda self: self.env.company,
    )
    cidr = fields.Char(string="Network", required=True, help="IPv4 or IPv6 address or CIDR range, e.g. 203.0.113.0/24.")
    name = fields.Char(string="Description", help="e.g. Association office")

    @api.constrains("cidr")
    def _check_cidr(self):
        for rec in self:
            try:
                parse_network(rec.cidr)
            except ValueError as exc:
                raise ValidationError(self.env._(
                    "%(cidr)s is not an IPv4/IPv6 address or network.", cidr=rec.cidr)) from exc

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("cidr"):
                vals["cidr"] = vals["cidr"].strip()
        return super().create(vals_list)
