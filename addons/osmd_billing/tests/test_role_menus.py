"""Every menu of every role opens without error, as the web client opens it.

For each role the test logs in over HTTP, loads the menus the web client would show, and for every
menu with a window action does what the web client does when the menu is clicked: load the action,
its views, the first page of the list (or kanban) with the view's fields, the first record with the
form's fields and, when the role may create, a new record's defaults. Any error (an access error
behind a column, a broken domain, a missing field) fails the test with the role, the menu and the
call that broke.
"""

import json
import time

from dateutil.relativedelta import relativedelta
from lxml import etree

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools.safe_eval import datetime as safe_datetime
from odoo.tools.safe_eval import safe_eval

from .common import BillingCommon

SUBVIEW_TAGS = {"list", "form", "kanban", "tree"}
LOADED_VIEW_TYPES = ("list", "kanban", "form")


def _field_spec(arch_node, fields):
    """The web client's read specification for the fields of a view architecture (sub-views of
    x2many fields give the fields read on their lines)."""
    spec = {}

    def walk(node):
        for child in node:
            if not isinstance(child.tag, str):
                continue
            if child.tag != "field":
                walk(child)
                continue
            name = child.get("name")
            field = fields.get(name)
            if not field:
                continue
            if field["type"] == "many2one":
                spec[name] = {"fields": {"display_name": {}}}
            elif field["type"] in ("one2many", "many2many"):
                subview = next((sub for sub in child if sub.tag in SUBVIEW_TAGS), None)
                names = [sub.get("name") for sub in subview.iter("field")] if subview is not None else []
                spec[name] = {"fields": dict.fromkeys(names or ["display_name"], {}), "limit": 40}
            else:
                spec[name] = {}

    walk(arch_node)
    return spec


@tagged("post_install", "-at_install", "osmd")
class TestRoleMenus(BillingCommon, HttpCase):
    """Each role opens each of its menus without an error."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        run = cls._create_run()
        run.action_compute()
        run.action_post()
        # the platform administrator works with several associations at once
        cls.platform_admin = new_test_user(
            cls.env,
            login="platform_admin",
            groups="base.group_system,base.group_multi_company,osmd_base.group_osmd_chairman",
            company_id=cls.company_a.id,
            company_ids=[cls.company_a.id, cls.company_b.id, cls.env.ref("base.main_company").id],
            name="Platform Admin",
        )

    # ------------------------------------------------------------
    # JSON-RPC as the web client
    # ------------------------------------------------------------

    def _rpc(self, route, params):
        response = self.url_open(
            route,
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}),
            headers={"Content-Type": "application/json"},
            timeout=60,
        )
        self.assertEqual(response.status_code, 200, route)
        body = response.json()
        if "error" in body:
            data = body["error"].get("data") or {}
            raise AssertionError(f"{route} {params.get('method', '')}: {data.get('name')}: {data.get('message')}")
        return body["result"]

    def _call_kw(self, model, method, args, kwargs, context):
        return self._rpc(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": {**kwargs, "context": context}},
        )

    def _eval(self, expression, context, default):
        if not isinstance(expression, str):
            return expression or default
        eval_context = {
            "uid": context["uid"],
            "allowed_company_ids": context["allowed_company_ids"],
            "context": context,
            "context_today": lambda: safe_datetime.date.today(),
            "datetime": safe_datetime,
            "relativedelta": relativedelta,
            "time": time,
            "active_id": False,
            "active_ids": [],
        }
        try:
            return safe_eval(expression, eval_context)
        except Exception:  # noqa: BLE001 - a domain using the client's own helpers: open without it
            return default

    def _open_action(self, action, context):
        if action["type"] != "ir.actions.act_window":
            return
        model = action["res_model"]
        action_context = {**context, **self._eval(action.get("context"), context, {})}
        domain = self._eval(action.get("domain"), context, [])
        views = [[view_id, view_type] for view_id, view_type in action["views"] if view_type in LOADED_VIEW_TYPES]
        if not any(view_type == "form" for _view_id, view_type in views):
            views.append([False, "form"])
        result = self._call_kw(
            model, "get_views", [], {"views": views + [[False, "search"]], "options": {}}, action_context
        )
        fields = result["models"][model]["fields"]
        archs = {view_type: etree.fromstring(view["arch"]) for view_type, view in result["views"].items()}
        record_ids = {action["res_id"]} if action.get("res_id") else set()
        for view_type in ("list", "kanban"):
            if view_type not in archs:
                continue
            page = self._call_kw(
                model,
                "web_search_read",
                [],
                {"domain": domain, "specification": _field_spec(archs[view_type], fields), "limit": 80},
                action_context,
            )
            if page["records"] and not record_ids:
                record_ids = {page["records"][0]["id"], page["records"][-1]["id"]}
        form = archs["form"]
        spec = _field_spec(form, fields)
        for record_id in record_ids:
            self._call_kw(model, "web_read", [[record_id]], {"specification": spec}, action_context)
        if form.get("create") not in ("0", "false", "False") and action_context.get("create", True):
            self._call_kw(model, "onchange", [[], {}, [], spec], {}, action_context)

    def _check_menus(self, login, password, user, app_xmlid=None):
        self.authenticate(login, password)
        context = {
            "lang": user.lang,
            "tz": "Europe/Kyiv",
            "uid": user.id,
            # the web client works in the user's current association unless more are ticked
            "allowed_company_ids": user.company_id.ids,
        }
        response = self.url_open("/web/webclient/load_menus")
        self.assertEqual(response.status_code, 200)
        menus = response.json()
        app_id = self.env.ref(app_xmlid).id if app_xmlid else None
        opened = []
        errors = []
        for menu in menus.values():
            if not isinstance(menu, dict) or not menu.get("actionID"):
                continue
            if app_id and menu.get("appID") != app_id:
                continue
            try:
                action = self._rpc("/web/action/load", {"action_id": menu["actionID"], "context": context})
                if action.get("type") == "ir.actions.server":
                    action = self._rpc("/web/action/run", {"action_id": action["id"], "context": context})
                if action:
                    self._open_action(action, context)
                opened.append(menu["name"])
            except AssertionError as exc:
                errors.append(f"{login}, menu «{menu['name']}» ({menu.get('xmlid')}): {exc}")
        self.assertFalse(errors, "\n".join(errors))
        return opened

    # ------------------------------------------------------------
    # TESTS
    # ------------------------------------------------------------

    def test_staff_roles_open_every_menu(self):
        for role in ("engineer", "audit", "accountant", "board", "chairman"):
            user = self.users_a[role]
            with self.subTest(role=role):
                opened = self._check_menus(user.login, user.login, user)
                self.assertTrue(opened, f"{role} sees no menu at all")

    def test_engineer_opens_the_condominium_app(self):
        """The app's first menu (what the web client opens on a click on the app) works for the engineer."""
        engineer = self.users_a["engineer"]
        opened = self._check_menus(engineer.login, engineer.login, engineer, "osmd_base.osmd_menu_root")
        self.assertIn(self.env.ref("osmd_base.osmd_premise_menu").with_context(lang="en_US").name, opened)

    def test_platform_admin_opens_every_association_menu(self):
        self._check_menus("platform_admin", "platform_admin", self.platform_admin, "osmd_base.osmd_menu_root")

    def test_platform_admin_from_the_platform_company(self):
        """As on the demo: the administrator works in the platform's own company and opens the associations
        (with their bank details) of companies not selected."""
        self.company_a._osmd_set_iban("UA213223130000026007233566001")
        self.platform_admin.company_id = self.env.ref("base.main_company")
        self._check_menus("platform_admin", "platform_admin", self.platform_admin, "osmd_base.osmd_menu_root")
