from collections import defaultdict

from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.http import request

from ..tools.ipnet import parse_network


class OsmdIpRange(models.Model):
    """One network of an association's staff IP allowlist.

    The allowlist is enforced by ``res.users`` (logins, RPC, API keys) and
    ``ir.http`` (existing sessions); see ``res.users._osmd_ip_denying_companies``
    for which lists apply to which user.
    """

    _name = "osmd.ip.range"
    _description = "Allowed network for staff logins"
    _order = "company_id, id"

    company_id = fields.Many2one(
        "res.company",
        string="Association",
        required=True,
        index=True,
        ondelete="cascade",
        default=lambda self: self.env.company,
    )
    cidr = fields.Char(
        string="Network",
        required=True,
        help="IPv4 or IPv6 address or CIDR range, e.g. 203.0.113.0/24.",
    )
    name = fields.Char(string="Description", help="e.g. Association office")

    _company_cidr_uniq = models.Constraint(
        "UNIQUE(company_id, cidr)",
        "This network is already in the allowlist of the association.",
    )

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------

    @api.constrains("cidr")
    def _check_cidr(self):
        for rec in self:
            try:
                parse_network(rec.cidr)
            except ValueError as exc:
                raise ValidationError(
                    self.env._(
                        "%(cidr)s is not an IPv4/IPv6 address or network.",
                        cidr=rec.cidr,
                    )
                ) from exc

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("cidr"):
                vals["cidr"] = self._normalize_cidr(vals["cidr"])
        records = super().create(vals_list)
        self.env.registry.clear_cache()  # _osmd_get_networks
        self._osmd_check_not_locking_out()
        self._osmd_end_refused_sessions(records.company_id)
        return records

    def write(self, vals):
        if vals.get("cidr"):
            vals["cidr"] = self._normalize_cidr(vals["cidr"])
        companies = self.company_id
        res = super().write(vals)
        if {"cidr", "company_id"} & vals.keys():
            self.env.registry.clear_cache()  # _osmd_get_networks
            self._osmd_check_not_locking_out()
            self._osmd_end_refused_sessions(companies | self.company_id)
        return res

    def unlink(self):
        companies = self.company_id
        res = super().unlink()
        self.env.registry.clear_cache()  # _osmd_get_networks
        self._osmd_check_not_locking_out()
        self._osmd_end_refused_sessions(companies)
        return res

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _normalize_cidr(self, cidr):
        """``203.0.113.7/24`` -> ``203.0.113.0/24``, ``10.0.0.1`` -> ``10.0.0.1/32``.

        Invalid text is returned stripped and left to ``_check_cidr``.
        """
        try:
            return str(parse_network(cidr))
        except ValueError:
            return cidr.strip()

    @api.model
    @tools.ormcache("company_ids")
    def _osmd_get_networks(self, company_ids):
        """Allowlists of ``company_ids`` (a sorted tuple), cached per registry.

        :return: ``((company_id, (ip_network, ...)), ...)`` for the companies that
            have at least one range; companies without ranges are left out (no
            restriction). A range that cannot be parsed (only possible through
            SQL) is dropped but its company stays listed, so that its staff is
            refused rather than let through.

        Called on every request of an internal user: the cache is cleared by
        create/write/unlink of ranges.
        """
        networks = defaultdict(list)
        # sudo: the allowlist applies to users who may not read it
        ranges = self.sudo().search_fetch([("company_id", "in", list(company_ids))], ["company_id", "cidr"])
        for ip_range in ranges:
            company_networks = networks[ip_range.company_id.id]
            try:
                company_networks.append(parse_network(ip_range.cidr))
            except ValueError:
                continue
        return tuple((cid, tuple(nets)) for cid, nets in sorted(networks.items()))

    def _osmd_check_not_locking_out(self):
        """Refuse an allowlist change that would end the current user's session.

        Only for an HTTP request of a restricted user (a chairman editing the
        list from home); the platform administrator is never restricted and can
        always repair a list.
        """
        if not request or not self.env.uid or self.env.su:
            return
        user = self.env.user
        ip = request.httprequest.remote_addr
        if user._osmd_ip_denying_companies(ip):
            raise ValidationError(
                self.env._(
                    "Your current address %(ip)s would not be allowed by the "
                    "allowlist any more and you would be logged out. Add your "
                    "network first.",
                    ip=ip,
                )
            )

    def _osmd_end_refused_sessions(self, companies):
        """End the open sessions of staff of ``companies`` that the changed allowlists refuse
        (see ``res.users._osmd_end_refused_sessions``)."""
        if not companies:
            return
        # sudo: the chairman editing the list may not read other users
        users = (
            self.env["res.users"]
            .sudo()
            .with_context(active_test=False)
            .search([("company_ids", "in", companies.ids), ("share", "=", False)])
        )
        users._osmd_end_refused_sessions()
