from contextlib import contextmanager
from types import SimpleNamespace
from unittest.mock import patch
from urllib.parse import urlsplit

from werkzeug.test import EnvironBuilder

from odoo import api, http
from odoo.http import SessionExpiredException
from odoo.tests import HttpCase, get_db_name, new_test_user, tagged
from odoo.tests.common import HOST, JsonRpcException, Opener
from odoo.tools import config, mute_logger

from odoo.addons.bus.websocket import Websocket, WebsocketRequest

# Requests of HttpCase really come from 127.0.0.1. Other client addresses are
# simulated the way production sees them behind a reverse proxy: Odoo in proxy
# mode plus X-Forwarded-For/-Host headers, which Odoo's ProxyFix turns into
# the request's remote_addr.
LOCAL = "127.0.0.1"
OFFICE_V4 = "203.0.113.10"  # in the allowlist of association A
OFFICE_V6 = "2001:db8::7"  # in the allowlist of association A
HOME_V4 = "198.51.100.7"  # in no allowlist
HOME_V6 = "2001:db9::7"  # in no allowlist
REFUSED = "Logins from your network (%s) are not allowed for staff of %s. Ask your chairman."


@tagged("post_install", "-at_install", "osmd")
class TestIpAllowlist(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, no_reset_password=True))
        # Refused logins count as login failures of the client address: no
        # cooldown between the attempts of these tests.
        cls.env["ir.config_parameter"].sudo().set_param("base.login_cooldown_after", 0)
        cls.company_a, cls.company_b, cls.company_c = cls.env["res.company"].create(
            [
                {"name": "OSBB Sunrise", "osmd_kind": "osbb"},
                {"name": "OSBB Riverside", "osmd_kind": "osbb"},
                {"name": "ZhBK Localhost", "osmd_kind": "zhbk"},
            ]
        )
        # A: office networks; B: no list; C: the test machine itself
        cls.ranges_a = cls.env["osmd.ip.range"].create(
            [
                {"company_id": cls.company_a.id, "cidr": "203.0.113.0/24"},
                {"company_id": cls.company_a.id, "cidr": "2001:db8::/32"},
            ]
        )
        cls.range_c = cls.env["osmd.ip.range"].create({"company_id": cls.company_c.id, "cidr": "127.0.0.0/8"})

        def user(login, groups, *companies):
            return new_test_user(
                cls.env,
                login=login,
                groups=groups,
                company_id=companies[0].id,
                company_ids=[c.id for c in companies],
            )

        accountant = "osmd_base.group_osmd_accountant"
        cls.staff_a = user("ip_staff_a", accountant, cls.company_a)
        cls.staff_b = user("ip_staff_b", accountant, cls.company_b)
        cls.staff_c = user("ip_staff_c", accountant, cls.company_c)
        cls.staff_abc = user("ip_staff_abc", accountant, cls.company_a, cls.company_b, cls.company_c)
        cls.chairman_c = user("ip_chair_c", "osmd_base.group_osmd_chairman", cls.company_c)
        cls.resident_a = user("ip_resident_a", "base.group_portal", cls.company_a)
        cls.platform_admin = user("ip_platform_admin", "base.group_system,base.group_user", cls.company_a)

    def setUp(self):
        super().setUp()
        self.new_browser()
        # the refused attempts of these tests must not put 127.0.0.1 on login
        # cooldown for the test classes that run next
        self.addCleanup(lambda: getattr(self.registry, "_login_failures", {}).clear())

    # ------------------------------------------------------------
    # HELPERS
    # ------------------------------------------------------------

    def new_browser(self):
        """An anonymous session on the test database, as a browser opening /web/login."""
        self.session = http.root.session_store.new()
        self.session.update(http.get_default_session(), db=get_db_name())
        self.opener = Opener(self)
        self.opener.cookies.set("session_id", self.session.sid, domain=HOST, path="/")

    @contextmanager
    def proxy_mode(self):
        """Odoo started with --proxy-mode."""
        with patch.dict(config.options, {"proxy_mode": True}):
            yield

    def via_proxy(self, ip):
        """Headers a reverse proxy adds for a client at ``ip``."""
        return {
            "X-Forwarded-For": ip,
            "X-Forwarded-Host": urlsplit(self.base_url()).netloc,
        }

    def login(self, user, password=None, headers=None):
        """Post the login form; return the response (not following redirects)."""
        res = self.url_open(
            "/web/login",
            data={
                "login": user.login,
                "password": password or user.login,
                "csrf_token": http.Request.csrf_token(self),
            },
            headers=headers,
            allow_redirects=False,
        )
        self.assertIn(res.status_code, (200, 303))
        return res

    def assertLoggedIn(self, res, user, headers=None):
        self.assertEqual(res.status_code, 303, "a successful login redirects")
        self.assertEqual(self.session_uid(headers), user.id)

    def assertRefused(self, res, ip, associations, headers=None):
        self.assertEqual(res.status_code, 200, "a refused login shows the login page again")
        self.assertIn(REFUSED % (ip, associations), res.text)
        self.assertNotIn("Wrong login/password", res.text)
        self.assertIsNone(self.session_uid(headers), "no session after a refused login")

    def session_uid(self, headers=None):
        """The user of the opener's session after a request, None if it has none."""
        try:
            self.make_jsonrpc_request("/web/session/check", headers=headers)
        except JsonRpcException as exc:
            self.assertEqual(str(exc), "odoo.http.SessionExpiredException")
            return None
        session = http.root.session_store.get(self.opener.cookies["session_id"])
        self.assertTrue(session.uid)
        return session.uid

    def denials(self, user):
        return self.env["osmd.login.denial"].sudo().search([("user_id", "=", user.id)], order="id")

    # ------------------------------------------------------------
    # LOGIN
    # ------------------------------------------------------------

    def test_login_from_listed_network_is_allowed(self):
        headers = self.via_proxy(OFFICE_V4)
        with self.proxy_mode():
            res = self.login(self.staff_a, headers=headers)
            self.assertLoggedIn(res, self.staff_a, headers)
        self.assertFalse(self.denials(self.staff_a))

    def test_login_from_other_network_is_refused_and_logged(self):
        res = self.login(self.staff_a)
        self.assertRefused(res, LOCAL, "OSBB Sunrise")
        self.assertRecordValues(
            self.denials(self.staff_a),
            [
                {
                    "company_id": self.company_a.id,
                    "login": "ip_staff_a",
                    "ip_address": LOCAL,
                    "kind": "login",
                }
            ],
        )
        self.assertTrue(self.denials(self.staff_a).create_date)

    def test_wrong_password_keeps_the_generic_message(self):
        """The network is only judged once the password is right."""
        res = self.login(self.staff_a, password="not-the-password")
        self.assertEqual(res.status_code, 200)
        self.assertIn("Wrong login/password", res.text)
        self.assertNotIn("Logins from your network", res.text)
        self.assertFalse(self.denials(self.staff_a))

    def test_ipv6_ranges(self):
        with self.proxy_mode():
            res = self.login(self.staff_a, headers=self.via_proxy(HOME_V6))
            self.assertRefused(res, HOME_V6, "OSBB Sunrise", self.via_proxy(HOME_V6))
            res = self.login(self.staff_a, headers=self.via_proxy(OFFICE_V6))
            self.assertLoggedIn(res, self.staff_a, self.via_proxy(OFFICE_V6))
        self.assertRecordValues(self.denials(self.staff_a), [{"ip_address": HOME_V6, "kind": "login"}])

    def test_forwarded_for_ignored_without_proxy_mode(self):
        # a client forging X-Forwarded-For with an office address
        res = self.login(self.staff_a, headers=self.via_proxy(OFFICE_V4))
        self.assertRefused(res, LOCAL, "OSBB Sunrise", self.via_proxy(OFFICE_V4))
        self.assertRecordValues(self.denials(self.staff_a), [{"ip_address": LOCAL}])
        # nor can a forged header end a session opened from an allowed network
        res = self.login(self.staff_c)
        self.assertLoggedIn(res, self.staff_c)
        self.assertEqual(self.session_uid(self.via_proxy(HOME_V4)), self.staff_c.id)
        self.assertFalse(self.denials(self.staff_c))

    def test_portal_user_is_not_restricted(self):
        res = self.login(self.resident_a)
        self.assertLoggedIn(res, self.resident_a)
        self.assertFalse(self.denials(self.resident_a))

    def test_staff_of_association_without_list_is_not_restricted(self):
        res = self.login(self.staff_b)
        self.assertLoggedIn(res, self.staff_b)
        self.assertFalse(self.denials(self.staff_b))

    def test_every_list_of_the_users_associations_must_allow(self):
        # from 127.0.0.1: B has no list and C allows it, but A does not
        res = self.login(self.staff_abc)
        self.assertRefused(res, LOCAL, "OSBB Sunrise")
        # from the office of A: now C refuses
        headers = self.via_proxy(OFFICE_V4)
        with self.proxy_mode():
            res = self.login(self.staff_abc, headers=headers)
            self.assertRefused(res, OFFICE_V4, "ZhBK Localhost", headers)
        self.assertRecordValues(
            self.denials(self.staff_abc),
            [
                {"company_id": self.company_a.id, "ip_address": LOCAL},
                {"company_id": self.company_c.id, "ip_address": OFFICE_V4},
            ],
        )

    def test_platform_administrator_is_not_restricted(self):
        res = self.login(self.platform_admin)
        self.assertLoggedIn(res, self.platform_admin)
        with self.proxy_mode():
            self.assertEqual(self.session_uid(self.via_proxy(HOME_V4)), self.platform_admin.id)
        self.assertFalse(self.denials(self.platform_admin))

    # ------------------------------------------------------------
    # SESSIONS
    # ------------------------------------------------------------

    def test_session_ended_when_client_network_changes(self):
        office, home = self.via_proxy(OFFICE_V4), self.via_proxy(HOME_V4)
        with self.proxy_mode():
            self.assertLoggedIn(self.login(self.staff_a, headers=office), self.staff_a, office)
            self.assertIsNone(self.session_uid(home), "request from home ends the session")
            self.assertIsNone(self.session_uid(office), "the session stays ended")
        self.assertRecordValues(
            self.denials(self.staff_a),
            [
                {
                    "company_id": self.company_a.id,
                    "login": "ip_staff_a",
                    "ip_address": HOME_V4,
                    "kind": "session",
                }
            ],
        )

    def test_session_ended_when_allowlist_changes(self):
        self.assertLoggedIn(self.login(self.staff_c), self.staff_c)
        self.range_c.cidr = "192.0.2.0/24"  # the cached networks must follow
        self.assertIsNone(self.session_uid())
        self.assertRecordValues(
            self.denials(self.staff_c),
            [{"company_id": self.company_c.id, "ip_address": LOCAL, "kind": "session"}],
        )

    def test_chairman_cannot_lock_themselves_out(self):
        self.assertLoggedIn(self.login(self.chairman_c), self.chairman_c)
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException) as catcher:
            self.make_jsonrpc_request(
                "/web/dataset/call_kw/osmd.ip.range/write",
                {
                    "model": "osmd.ip.range",
                    "method": "write",
                    "args": [self.range_c.ids, {"cidr": "192.0.2.0/24"}],
                    "kwargs": {},
                },
            )
        self.assertEqual(str(catcher.exception), "odoo.exceptions.ValidationError")
        self.assertEqual(self.range_c.cidr, "127.0.0.0/8")
        # an edit that keeps the chairman's network is fine
        self.make_jsonrpc_request(
            "/web/dataset/call_kw/osmd.ip.range/create",
            {
                "model": "osmd.ip.range",
                "method": "create",
                "args": [{"cidr": "192.0.2.77/24", "name": "Board member at home"}],
                "kwargs": {},
            },
        )
        self.assertEqual(
            self.company_c.osmd_ip_range_ids.mapped("cidr"),
            ["127.0.0.0/8", "192.0.2.0/24"],
        )
        self.assertEqual(self.session_uid(), self.chairman_c.id)

    # ------------------------------------------------------------
    # RPC AND API KEYS
    # ------------------------------------------------------------

    def test_rpc_with_password_refused_for_restricted_staff(self):
        """Odoo 19 gives RPC services no request, hence no client address."""

        def execute(user, ip):
            with mute_logger("odoo.http", "odoo.addons.rpc.controllers.jsonrpc"):
                res = self.url_open(
                    "/jsonrpc",
                    json={
                        "jsonrpc": "2.0",
                        "method": "call",
                        "params": {
                            "service": "object",
                            "method": "execute_kw",
                            "args": [
                                get_db_name(),
                                user.id,
                                user.login,
                                "res.users",
                                "context_get",
                                [],
                            ],
                        },
                    },
                    headers=self.via_proxy(ip),
                )
            res.raise_for_status()
            return res.json()

        with self.proxy_mode():
            self.assertIn("result", execute(self.staff_b, HOME_V4))
            self.assertIn("result", execute(self.platform_admin, HOME_V4))
            for ip in (OFFICE_V4, HOME_V4):
                error = execute(self.staff_a, ip)["error"]["data"]
                self.assertEqual(error["name"], "odoo.exceptions.AccessDenied")
                self.assertIn(
                    "Staff of OSBB Sunrise cannot use XML-RPC/JSON-RPC",
                    error["message"],
                )

    def test_api_key_refused_from_other_network(self):
        key = self.env["res.users.apikeys"].with_user(self.staff_a).sudo()._generate(None, "IP allowlist test", None)

        def search_read(ip):
            return self.url_open(
                "/json/2/res.partner/search_read",
                json={"domain": [], "fields": ["id"], "limit": 1},
                headers={"Authorization": f"Bearer {key}", **self.via_proxy(ip)},
            )

        with self.proxy_mode():
            self.assertEqual(search_read(OFFICE_V4).status_code, 200)
            self.assertEqual(search_read(HOME_V4).status_code, 401)
        self.assertRecordValues(
            self.denials(self.staff_a),
            [
                {
                    "company_id": self.company_a.id,
                    "ip_address": HOME_V4,
                    "kind": "apikey",
                }
            ],
        )

    # ------------------------------------------------------------
    # WEBSOCKET (bus)
    # ------------------------------------------------------------

    def staff_session(self, user, ip):
        """The stored session of ``user`` logged in from ``ip`` (through the proxy)."""
        headers = self.via_proxy(ip)
        with self.proxy_mode():
            self.assertLoggedIn(self.login(user, headers=headers), user, headers)
        return http.root.session_store.get(self.opener.cookies["session_id"])

    @contextmanager
    def websocket_message(self, session, ip):
        """The environment of a message on a websocket opened from ``ip`` (the bus's WebsocketRequest)."""
        environ = EnvironBuilder(
            path="/websocket", environ_base={"REMOTE_ADDR": ip}, headers={"User-Agent": "Mozilla/5.0 (X11; Linux)"}
        ).get_environ()
        ws_request = WebsocketRequest(get_db_name(), http.HTTPRequest(environ), websocket=None)
        ws_request.session = session
        ws_request.registry = self.registry
        ws_request.env = api.Environment(self.env.cr, session.uid, dict(session.context))
        with ws_request:
            yield ws_request

    def test_websocket_message_from_refused_network_closes(self):
        """Each bus message (subscribe included) is checked: from home the socket is closed, the session ended."""
        session = self.staff_session(self.staff_a, OFFICE_V4)
        with self.websocket_message(session, OFFICE_V4) as ws_request:
            self.env["ir.websocket"]._authenticate()
            self.assertEqual(ws_request.env.uid, self.staff_a.id)
        self.assertFalse(self.denials(self.staff_a))
        sid = session.sid
        # not self.assertRaises: Odoo's rolls back what happened inside, the logged refusal included
        closed = False
        with self.websocket_message(session, HOME_V4):
            try:
                self.env["ir.websocket"]._authenticate()
            except SessionExpiredException:
                closed = True
        self.assertTrue(closed, "a message from a refused network closes the websocket")
        self.assertFalse(http.root.session_store.get(sid), "the session id of the socket is gone")
        self.assertIsNone(http.root.session_store.get(session.sid).uid, "kept logged out under a new id")
        self.assertRecordValues(
            self.denials(self.staff_a),
            [{"company_id": self.company_a.id, "ip_address": HOME_V4, "kind": "session"}],
        )

    def test_websocket_message_after_allowlist_change_closes(self):
        session = self.staff_session(self.staff_c, LOCAL)
        with self.websocket_message(session, LOCAL):
            self.env["ir.websocket"]._authenticate()
        # the list changes under the open socket: its next message is refused
        self.env["osmd.ip.range"].create({"company_id": self.company_c.id, "cidr": "192.0.2.0/24"})
        self.range_c.unlink()
        with self.websocket_message(session, LOCAL), self.assertRaises(SessionExpiredException):
            self.env["ir.websocket"]._authenticate()

    def test_allowlist_change_ends_open_sessions_and_their_websockets(self):
        """Notifications reach an open websocket with no message from it: the bus only re-reads the
        session. The sessions that the changed list refuses are ended by the change itself."""
        session_c = self.staff_session(self.staff_c, LOCAL)
        self.session_uid()  # a request: Odoo logs the session's device and address
        self.assertTrue(
            self.env["res.device.log"].sudo().search([("user_id", "=", self.staff_c.id), ("revoked", "=", False)])
        )
        self.new_browser()
        session_b = self.staff_session(self.staff_b, LOCAL)  # association B has no list: not touched
        self.session_uid()

        def dispatch(session):
            # the first step of Websocket._dispatch_bus_notifications, before any notification is sent
            Websocket._dispatch_bus_notifications(SimpleNamespace(_session=session))

        self.range_c.cidr = "192.0.2.0/24"
        with self.assertRaises(SessionExpiredException):
            dispatch(session_c)
        self.assertFalse(http.root.session_store.get(session_c.sid))
        self.assertTrue(http.root.session_store.get(session_b.sid))
        self.assertFalse(
            self.env["res.device.log"].sudo().search([("user_id", "=", self.staff_c.id), ("revoked", "=", False)])
        )
        self.assertRecordValues(
            self.denials(self.staff_c),
            [{"company_id": self.company_c.id, "ip_address": LOCAL, "kind": "session"}],
        )
        self.assertFalse(self.denials(self.staff_b))

    def test_new_association_of_a_user_ends_refused_sessions(self):
        """Staff who join an association with a list that refuses their address lose their open sessions."""
        session = self.staff_session(self.staff_b, LOCAL)
        self.session_uid()  # the device and its address are logged
        self.staff_b.company_ids += self.company_c  # its list allows 127.0.0.0/8
        self.assertTrue(http.root.session_store.get(session.sid))
        self.staff_b.company_ids += self.company_a  # its list does not
        self.assertFalse(http.root.session_store.get(session.sid))
        with self.assertRaises(SessionExpiredException):
            Websocket._dispatch_bus_notifications(SimpleNamespace(_session=session))
        self.assertRecordValues(
            self.denials(self.staff_b),
            [{"company_id": self.company_a.id, "ip_address": LOCAL, "kind": "session"}],
        )
