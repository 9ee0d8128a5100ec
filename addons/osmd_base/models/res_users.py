import logging

from odoo import api, fields, models
from odoo.exceptions import AccessDenied
from odoo.http import SESSION_LIFETIME, request, root

from ..tools.ipnet import ip_allowed

_logger = logging.getLogger(__name__)


class ResUsers(models.Model):
    _inherit = "res.users"

    # ------------------------------------------------------------
    # AUTHENTICATION
    # ------------------------------------------------------------

    def _check_credentials(self, credential, env):
        """Refuse a valid login of staff from outside their associations' networks.

        The credential (password, passkey, ...) is verified first by ``super``,
        so the explicit message is only shown to someone who knows it.

        The client address is the HTTP request's ``remote_addr``: Odoo's
        ProxyFix rewrites it from X-Forwarded-For in ``--proxy-mode`` only, so
        a forged header is ignored otherwise. ``env["REMOTE_ADDR"]`` is never
        used: through RPC ``common.authenticate`` the client writes ``env``
        itself. Without an HTTP request nothing is checked here: that is
        server-side code, or RPC ``common.authenticate``, which only returns
        the uid; every RPC call is checked in ``_check_uid_passwd``.
        """
        auth_info = super()._check_credentials(credential, env)
        if request:
            user = self.env["res.users"].browse(auth_info.get("uid") or self.env.uid)
            user._osmd_check_login_ip(request.httprequest.remote_addr, login=credential.get("login"))
        return auth_info

    @api.model
    def _check_uid_passwd(self, uid, passwd):
        """Calls to /xmlrpc and /jsonrpc with a password or an API key.

        Odoo 19 hides the HTTP request from RPC services (``borrow_request``),
        so the client address is unknown there: staff restricted by an
        allowlist are refused (fail closed) and must use ``/json/2`` with an
        API key, where the address is checked. The check runs on every call:
        the parent is cached per (uid, password).
        """
        res = super()._check_uid_passwd(uid, passwd)
        ip = request.httprequest.remote_addr if request else None
        self.browse(uid)._osmd_check_login_ip(ip)
        return res

    def write(self, vals):
        res = super().write(vals)
        if {"company_ids", "group_ids", "active"} & vals.keys():
            # an allowlist may now apply to them (another association, staff instead of resident)
            self._osmd_end_refused_sessions()
        return res

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _osmd_end_refused_sessions(self):
        """End the open sessions of these users that the allowlists now refuse.

        An open websocket (bus) gets its notifications without any HTTP request
        or message, so ``ir.http`` and ``ir.websocket`` would not see a change
        of the lists or of the user's associations: the sessions whose last
        known address (``res.device.log``, written by Odoo on every session
        check) is now refused are deleted from the session store, as Odoo's
        "log out this device" does. Their websocket is closed at its next
        notification, their next request is anonymous. Each ended session is
        logged as a refused session.
        """
        users = self.sudo().filtered(lambda user: user._is_internal() and not user._is_system())
        if not users:
            return
        since = fields.Datetime.subtract(fields.Datetime.now(), seconds=SESSION_LIFETIME)
        # sudo: whoever changes a list or a user may not read the devices of others
        Log = self.env["res.device.log"].sudo()
        logs = Log.search_fetch(
            [("user_id", "in", users.ids), ("revoked", "=", False), ("last_activity", ">=", since)],
            ["session_identifier", "ip_address", "user_id"],
            order="last_activity desc, id desc",
        )
        latest = {}
        for log in logs:
            latest.setdefault(log.session_identifier, log)
        refused = []
        for identifier, log in latest.items():
            denying = log.user_id._osmd_ip_denying_companies(log.ip_address)
            if denying:
                refused.append((identifier, log, denying))
        if not refused:
            return
        identifiers = [identifier for identifier, _log, _denying in refused]
        root.session_store.delete_from_identifiers(identifiers)
        Log.search([("session_identifier", "in", identifiers)]).write({"revoked": True})
        for _identifier, log, denying in refused:
            log.user_id._osmd_log_ip_denial(denying, log.ip_address, "session")

    def _osmd_ip_denying_companies(self, ip):
        """The associations whose staff IP allowlist refuses ``ip`` for this user.

        An empty result means the user may work from ``ip``. Rules:

        * Only internal users (staff) are restricted. Portal users (residents)
          and the public user never are.
        * The platform administrators (the superuser and members of
          ``base.group_system``, e.g. ``base.user_admin``) are not staff of an
          association: they are never restricted, so the platform cannot be
          locked out and can always repair an association's list. Do not grant
          Settings rights to association staff.
        * Every association the user belongs to (the active companies of
          ``company_ids``) that has a non-empty list must allow ``ip``;
          companies without a list restrict nothing.

        Why every list and not only the current company's: the company switcher
        changes the companies of the same session, so a session opened from a
        network may show the data of any of the user's companies. Requiring
        every list keeps each association's data reachable only from its own
        networks. A chairman of one association is bound by that association's
        list only. Staff of two associations that both have a list need a
        network present in both lists (or one user per association).

        Cheap enough for every request: groups, companies and networks are all
        read from registry caches.
        """
        self.ensure_one()
        user = self.sudo()
        if user._is_superuser() or user._is_system() or not user._is_internal():
            return self.env["res.company"]
        company_ids = tuple(sorted(user._get_company_ids()))
        lists = self.env["osmd.ip.range"]._osmd_get_networks(company_ids)
        denying = [company_id for company_id, networks in lists if not networks or not ip_allowed(ip, networks)]
        return self.env["res.company"].sudo().browse(denying)

    def _osmd_check_login_ip(self, ip, login=None):
        """Log and raise AccessDenied when the allowlists refuse ``ip`` for this user.

        ``ip`` None (unknown) is refused by any allowlist.

        The message replaces the generic "Wrong login/password" on the login
        page (``/web/login`` shows the text of an AccessDenied that has one).
        """
        self.ensure_one()
        companies = self._osmd_ip_denying_companies(ip)
        if not companies:
            return
        names = ", ".join(companies.mapped("name"))
        self._osmd_log_ip_denial(companies, ip, "login", login=login)
        if not ip:
            raise AccessDenied(
                self.env._(
                    "Staff of %(associations)s cannot use XML-RPC/JSON-RPC: the "
                    "network of the caller is unknown there. Use /json/2 with an "
                    "API key from an allowed network.",
                    associations=names,
                )
            )
        raise AccessDenied(
            self.env._(
                "Logins from your network (%(ip)s) are not allowed for staff of %(associations)s. Ask your chairman.",
                ip=ip,
                associations=names,
            )
        )

    def _osmd_log_ip_denial(self, companies, ip, kind, login=None):
        """Record a refusal in ``osmd.login.denial``, one line per refusing company.

        The caller raises next (AccessDenied, session expired), which rolls the
        request's transaction back: the line is written and committed in a cursor
        of its own.
        """
        self.ensure_one()
        vals_list = [
            {
                "company_id": company.id,
                "user_id": self.id,
                "login": login or self.sudo().login,
                "ip_address": ip,
                "kind": kind,
            }
            for company in companies
        ]
        _logger.info(
            "IP allowlist: %s refused for user #%s from %s (companies %s)",
            kind,
            self.id,
            ip,
            companies.ids,
        )
        if self.env.cr.readonly:
            # Nothing to keep in a read-only transaction; ending it lets a
            # read/write cursor follow (as res.device.log does).
            self.env.cr.rollback()
        with self.env.registry.cursor() as log_cr:
            # sudo: the refused user has no right to write the log
            self.env(cr=log_cr, su=True)["osmd.login.denial"].create(vals_list)
