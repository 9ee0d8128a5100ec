"""The dashboard over JSON-RPC, as the web client calls it: a curious resident and another association's chairman."""

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.osmd_base.tests.common import JsonRpcMixin, OsmdDataMixin

OPTIONS = {"date_from": "2026-04-01", "date_to": "2026-04-30"}


@tagged("post_install", "-at_install", "osmd")
class TestDashboardOverRpc(JsonRpcMixin, OsmdDataMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_osmd_data()
        new_test_user(
            cls.env,
            login="dash_rpc_resident",
            password="dash_rpc_resident_pwd_1",
            groups="osmd_base.group_osmd_resident",
            partner_id=cls.data_a["owners"][0].id,
            company_id=cls.company_a.id,
            company_ids=[cls.company_a.id],
        )
        cls.users_b["chairman"].password = "chairman_b_pwd_1"

    @mute_logger("odoo.http")
    def test_resident_gets_nothing(self):
        self.authenticate("dash_rpc_resident", "dash_rpc_resident_pwd_1")
        for method, args in (
            ("get_data", [OPTIONS]),
            ("action_open_figure", [OPTIONS, "debtors"]),
            (
                "action_open_figure",
                [{**OPTIONS, "account_ids": self.data_a["accounts"].ids}, "account", self.data_a["accounts"][0].id],
            ),
        ):
            result = self._call_kw("osmd.dashboard", method, args)
            self.assertIn("error", result, method)
            self.assertNotIn("result", result)
            self.assertEqual(result["error"]["data"]["name"], "odoo.exceptions.AccessError")

    @mute_logger("odoo.http")
    def test_other_chairman_reads_only_his_association(self):
        self.authenticate("chairman_b", "chairman_b_pwd_1")
        accounts_a = self.data_a["accounts"]
        result = self._call_kw(
            "osmd.dashboard",
            "get_data",
            [{**OPTIONS, "building_ids": self.data_a["building"].ids, "account_ids": accounts_a.ids}],
        )["result"]
        self.assertEqual(result["company"]["id"], self.company_b.id)
        self.assertEqual(result["account_count"], 0, "A's accounts in the options are dropped")
        self.assertNotIn(self.data_a["building"].id, [building["id"] for building in result["buildings"]])
        # A's account by id: not in B's selection
        result = self._call_kw("osmd.dashboard", "action_open_figure", [OPTIONS, "account", accounts_a[0].id])
        self.assertIn("error", result)
        # association A asked for by the company switcher's context: refused
        result = self._call_kw(
            "osmd.dashboard", "get_data", [OPTIONS], {"context": {"allowed_company_ids": [self.company_a.id]}}
        )
        self.assertIn("error", result)
