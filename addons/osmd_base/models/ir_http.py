from odoo import api, models
from odoo.http import SessionExpiredException, request, root

from odoo.addons.bus.websocket import wsrequest


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _authenticate(cls, endpoint):
        """Re-check the staff IP allowlist for the session on every request.

        Runs after the standard session check (so the session is known valid),
        on every route whatever its ``auth``. When the request comes from a
        network that the allowlists refuse for the session's user (see
        ``res.users._osmd_ip_denying_companies``), the refusal is logged, the
        session is logged out for good (stored under a new id, the old id is
        deleted) and the request is authenticated again as the anonymous
        visitor it now is: ``auth="user"`` routes answer "session expired" (the
        web client goes to the login page), public routes go on as the public
        user. Coming back from an allowed network needs a new login.
        """
        res = super()._authenticate(endpoint)
        if request.session.uid is not None and cls._osmd_end_refused_session():
            res = cls._authenticate(endpoint)
        return res

    @classmethod
    def _frontend_pre_dispatch(cls):
        """A signed-in person reads the cabinet in their own language.

        Odoo picks the language of a portal page from the URL, then the ``frontend_lang`` cookie, then the session
        as known before authentication (none), then the database default: the first page after signing in was in the
        default language and set the cookie to it, so a resident whose language is Ukrainian got the whole cabinet in
        English. Without a cookie, the signed-in user's language now comes before the default; a language chosen in
        the URL or with the language selector (the cookie) still wins.
        """
        user = request.env.user
        if not request.cookies.get("frontend_lang") and user and not user._is_public() and user.lang:
            Lang = request.env["res.lang"]
            segment = request.httprequest.path.split("/")[1:2]
            lang = Lang._get_data(code=user.lang)
            if lang.code and not (segment and Lang._get_data(url_code=segment[0]).code):
                request.lang = lang
        return super()._frontend_pre_dispatch()

    @classmethod
    def _osmd_end_refused_session(cls):
        """Log out the session when its user may not work from this address.

        :return: whether the session was ended
        """
        user = request.env["res.users"].browse(request.session.uid)
        ip = request.httprequest.remote_addr
        companies = user._osmd_ip_denying_companies(ip)
        if not companies:
            return False
        user._osmd_log_ip_denial(companies, ip, "session")
        request.session.logout(keep_db=True)
        # Saved now: JSON-RPC errors do not save the session, and the old id
        # must not work again from an allowed network.
        root.session_store.rotate(request.session, request.env)
        request.env = api.Environment(request.env.cr, None, request.session.context)
        return True


class IrWebsocket(models.AbstractModel):
    _inherit = "ir.websocket"

    @classmethod
    def _authenticate(cls):
        """Re-check the staff IP allowlist on every message of an open websocket (bus).

        Called by the bus for each message (subscribe, presence, ...) after the
        session check. The address is the websocket handshake's (``remote_addr``
        after ProxyFix, as for HTTP). A refused user is logged, the session is
        ended for good as in ``ir.http._osmd_end_refused_session`` and the
        connection is closed ("session expired"). Notifications pushed without
        a message go through ``check_session`` only: the sessions of staff that
        a changed allowlist refuses are ended by ``osmd.ip.range`` itself.
        """
        super()._authenticate()
        session = wsrequest.session
        if session.uid is None:
            return
        user = wsrequest.env["res.users"].browse(session.uid)
        ip = wsrequest.httprequest.remote_addr
        companies = user._osmd_ip_denying_companies(ip)
        if not companies:
            return
        user._osmd_log_ip_denial(companies, ip, "session")
        session.logout(keep_db=True)
        root.session_store.rotate(session, wsrequest.env)
        raise SessionExpiredException()
