from odoo import models
from odoo.http import request


class ResUsersApikeys(models.Model):
    _inherit = "res.users.apikeys"

    def _check_credentials(self, *, scope, key):
        """Treat the API key of staff used from a refused network as invalid.

        Covers the Bearer routes (``/json/2``, mail plugins). The refusal is
        logged like a login; callers answer as for a wrong key. Without an HTTP
        request nothing is checked here: an API key given as the password of
        /xmlrpc or /jsonrpc is judged by ``res.users._check_uid_passwd``.
        """
        uid = super()._check_credentials(scope=scope, key=key)
        if not uid or not request:
            return uid
        # an environment of the key's user: the request has none yet (bearer)
        user = self.with_user(uid).env.user
        ip = request.httprequest.remote_addr
        companies = user._osmd_ip_denying_companies(ip)
        if companies:
            user._osmd_log_ip_denial(companies, ip, "apikey")
            return None
        return uid
