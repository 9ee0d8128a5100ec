import json
from contextlib import contextmanager

from odoo.tests import TransactionCase, new_test_user


class JsonRpcMixin:
    """For HttpCase tests: call a model method over JSON-RPC as the web client does, as the authenticated user."""

    def _call_kw(self, model, method, args, kwargs=None):
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(
                default=str,
                obj={
                    "jsonrpc": "2.0",
                    "method": "call",
                    "id": 1,
                    "params": {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
                },
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        return response.json()


class OsmdDataMixin:
    """Two associations, each with a building, premises, owners and accounts, and staff per role."""

    @classmethod
    def _setup_osmd_data(cls):
        cls.env = cls.env(
            context=dict(
                cls.env.context,
                tracking_disable=True,
                mail_create_nolog=True,
                mail_notrack=True,
                no_reset_password=True,
            )
        )
        Company = cls.env["res.company"]
        cls.company_a = Company.create(
            {"name": "ОСББ Тест А", "osmd_kind": "osbb", "country_id": cls.env.ref("base.ua").id}
        )
        cls.company_b = Company.create(
            {"name": "ОСББ Тест Б", "osmd_kind": "osbb", "country_id": cls.env.ref("base.ua").id}
        )
        cls.data_a = cls._create_registry(cls.company_a, "A")
        cls.data_b = cls._create_registry(cls.company_b, "B")
        cls.users_a = cls._create_staff(cls.company_a, "a")
        cls.users_b = cls._create_staff(cls.company_b, "b")

    @classmethod
    def _create_registry(cls, company, tag):
        env = cls.env
        building = env["osmd.building"].create(
            {
                "name": f"Будинок {tag}",
                "street": "вул. Хрещатик, 10",
                "city": "Київ",
                "company_id": company.id,
                "entrance_count": 2,
                "floor_count": 9,
            }
        )
        premises = env["osmd.premise"].create(
            [
                {
                    "building_id": building.id,
                    "number": "1",
                    "total_area": 52.30,
                    "living_area": 30.10,
                    "heated_area": 52.30,
                    "entrance": 1,
                    "floor": 1,
                },
                {
                    "building_id": building.id,
                    "number": "2",
                    "total_area": 71.15,
                    "heated_area": 71.15,
                    "entrance": 1,
                    "floor": 1,
                },
                {"building_id": building.id, "number": "П-1", "kind": "parking", "total_area": 13.50},
            ]
        )
        Partner = env["res.partner"]
        owners = Partner.create(
            [
                {"name": f"Петренко Іван {tag}", "company_id": company.id, "email": f"ivan.{tag.lower()}@example.com"},
                {"name": f"Петренко Олена {tag}", "company_id": company.id},
                {"name": f"Коваль Марія {tag}", "company_id": company.id, "phone": "067 123 45 67"},
            ]
        )
        env["osmd.ownership"].create(
            [
                {
                    "premise_id": premises[0].id,
                    "partner_id": owners[0].id,
                    "share_numerator": 1,
                    "share_denominator": 2,
                    "date_start": "2020-01-01",
                },
                {
                    "premise_id": premises[0].id,
                    "partner_id": owners[1].id,
                    "share_numerator": 1,
                    "share_denominator": 2,
                    "date_start": "2020-01-01",
                },
                {"premise_id": premises[1].id, "partner_id": owners[2].id, "date_start": "2019-05-15"},
                {"premise_id": premises[2].id, "partner_id": owners[2].id, "date_start": "2019-05-15"},
            ]
        )
        accounts = env["osmd.account"].create(
            [
                {
                    "premise_id": premises[0].id,
                    "company_id": company.id,
                    "holder_id": owners[0].id,
                    "date_open": "2020-01-01",
                },
                {
                    "premise_id": premises[1].id,
                    "company_id": company.id,
                    "holder_id": owners[2].id,
                    "date_open": "2019-05-15",
                },
            ]
        )
        env["osmd.resident"].create(
            [
                {
                    "account_id": accounts[0].id,
                    "partner_id": owners[0].id,
                    "relation": "owner",
                    "date_start": "2020-01-01",
                },
                {
                    "account_id": accounts[0].id,
                    "partner_id": owners[1].id,
                    "relation": "owner",
                    "date_start": "2020-01-01",
                },
                {
                    "account_id": accounts[1].id,
                    "partner_id": owners[2].id,
                    "relation": "owner",
                    "date_start": "2019-05-15",
                },
            ]
        )
        return {"building": building, "premises": premises, "owners": owners, "accounts": accounts}

    @classmethod
    def _create_staff(cls, company, tag):
        users = {}
        for role in ("engineer", "audit", "accountant", "board", "chairman"):
            users[role] = new_test_user(
                cls.env,
                login=f"{role}_{tag}",
                groups=f"osmd_base.group_osmd_{role}",
                company_id=company.id,
                company_ids=[company.id],
                name=f"{role.title()} {tag.upper()}",
            )
        return users


class OsmdCommon(OsmdDataMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_osmd_data()

    @contextmanager
    def assertRaisesMsg(self, exception, regex):
        """Like assertRaisesRegex, inside a savepoint (as Odoo's assertRaises) so the test can go on."""
        with self.assertRaises(exception) as catcher:
            yield catcher
        self.assertRegex(str(catcher.exception), regex)
