from datetime import date

from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.osmd_base.tests.common import JsonRpcMixin, OsmdDataMixin

# Everything a resident (portal user) may read of the OSMD models: any other readable model or field fails
# the test. Their own account (number, premise, areas, balance), the current co-owners' names and shares,
# the current residents' names, their meters and readings; never the staff's notes, contacts, title
# documents, holder history, who entered a reading, nor who else has access.
MAIL_THREAD = {
    "has_message",
    "message_attachment_count",
    "message_follower_ids",
    "message_has_error",
    "message_has_error_counter",
    "message_has_sms_error",
    "message_ids",
    "message_is_follower",
    "message_needaction",
    "message_needaction_counter",
    "message_partner_ids",
    "website_message_ids",
}
ACTIVITY = {"activity_exception_icon", "activity_type_icon", "activity_exception_decoration"}
MAGIC = {"id", "display_name", "create_uid", "create_date", "write_uid", "write_date"}
DATED = {"date_start", "date_end", "is_current"}
ALLOWED_FIELDS = {
    "osmd.account": MAGIC
    | MAIL_THREAD
    | ACTIVITY
    | {
        # the account's own exemption from penalties (law 2189-VIII art. 26) and its reason
        "osmd_penalty_exempt",
        "osmd_penalty_exempt_reason",
        "osmd_penalty_exempt_since",
        "number",
        "company_id",
        "premise_id",
        "building_id",
        "premise_number_sort",
        "premise_kind",
        "total_area",
        "heated_area",
        "holder_id",
        "resident_ids",
        "counted_resident_count",
        "state",
        "date_open",
        "date_close",
        "currency_id",
        "balance",
        "overdue_amount",
        "debt_0_30",
        "debt_31_90",
        "debt_91_180",
        "debt_180_plus",
        "oldest_due_date",
        "months_overdue",
    },
    "osmd.resident": MAGIC
    | DATED
    | {"account_id", "company_id", "premise_id", "partner_id", "relation", "is_counted", "has_portal_access"},
    "osmd.ownership": MAGIC
    | DATED
    | {
        "premise_id",
        "company_id",
        "building_id",
        "partner_id",
        "share_numerator",
        "share_denominator",
        "share_display",
        "vote_area",
    },
    "osmd.premise": MAGIC
    | MAIL_THREAD
    | {
        "building_id",
        "company_id",
        "number",
        "number_sort",
        "kind",
        "entrance",
        "floor",
        "rooms",
        "total_area",
        "living_area",
        "heated_area",
        "vote_area",
        "active",
        "ownership_ids",
        "current_ownership_ids",
        "owner_names",
        "account_ids",
        "account_count",
    },
    "osmd.building": MAGIC
    | MAIL_THREAD
    | {
        "name",
        "company_id",
        "street",
        "city",
        "zip",
        "state_id",
        "country_id",
        "cadastral_number",
        "entrance_count",
        "floor_count",
        "year_built",
        "active",
        "premise_ids",
        "premise_count",
        "total_area",
        "living_area",
        "heated_area",
        "vote_area",
    },
    "osmd.meter": None,  # filled in setUpClass from the model (see _meter_fields)
    "osmd.meter.reading": MAGIC
    | MAIL_THREAD
    | {
        "meter_id",
        "company_id",
        "utility_id",
        "premise_id",
        "building_id",
        "zone_count",
        "date",
        "period",
        "value1",
        "value2",
        "value3",
        "source",
        "state",
        "reject_reason",
        "consumption1",
        "consumption2",
        "consumption3",
        "consumption",
        "previous_id",
        "explanation",
        "is_rollover",
        "is_anomaly",
        "is_estimate",
        "is_effective",
    },
    "osmd.utility": None,  # shared reference data: every field but the staff-only ones (see setUpClass)
}
METER_FIELDS = (
    MAGIC
    | MAIL_THREAD
    | ACTIVITY
    | {
        "verification_reminder_due_date",
        "serial",
        "company_id",
        "utility_id",
        "uom_id",
        "premise_id",
        "building_id",
        "entrance",
        "floor",
        "premise_number_sort",
        "is_house_meter",
        "zone_count",
        "digits",
        "multiplier",
        "install_date",
        "initial_value1",
        "initial_value2",
        "initial_value3",
        "verification_date",
        "verification_interval",
        "next_verification_date",
        "seal_number",
        "state",
        "removal_date",
        "replaced_by_id",
        "replaces_id",
        "reading_ids",
        "last_reading_id",
        "last_reading_date",
        "last_value1",
        "active",
    }
)
# osmd fields of invoices a resident reads (their invoices only, by Odoo's portal rule)
ALLOWED_MOVE_FIELDS = {
    "osmd_account_id",
    "osmd_period",
    "osmd_is_accrual",
    "osmd_billing_run_id",
    "osmd_recalculation_id",
    "osmd_recalc_period",
    # the last day of delay charged a penalty, told on the receipt
    "osmd_penalty_charged_to",
}
# models a resident has no access to at all are checked too: every other osmd model


@tagged("post_install", "-at_install", "osmd")
class TestCuriousResident(JsonRpcMixin, OsmdDataMixin, HttpCase):
    """A resident of account X tries account Y of the same building and account Z of another association:
    by id, by search, by name, grouped, over JSON-RPC and by URL. Each attempt hits a wall."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_osmd_data()
        for company in (cls.company_a, cls.company_b):
            cls.env["account.chart.template"].try_loading("ua_psbo", company, install_demo=False)
        cls.account_x, cls.account_y = cls.data_a["accounts"]
        cls.account_z = cls.data_b["accounts"][0]
        cls.resident = new_test_user(
            cls.env,
            login="curious_x",
            password="curious_x_pwd_1",
            groups="osmd_base.group_osmd_resident",
            partner_id=cls.data_a["owners"][0].id,
            company_id=cls.company_a.id,
            company_ids=[cls.company_a.id],
        )
        water = cls.env.ref("osmd_metering.utility_cold_water")
        cls.meter_x, cls.meter_y, cls.meter_z = cls.env["osmd.meter"].create(
            [
                {
                    "serial": f"CUR-{tag}",
                    "company_id": account.company_id.id,
                    "utility_id": water.id,
                    "premise_id": account.premise_id.id,
                    "install_date": "2025-01-01",
                    "note": "staff only",
                }
                for tag, account in (("X", cls.account_x), ("Y", cls.account_y), ("Z", cls.account_z))
            ]
        )
        cls.readings = cls.env["osmd.meter.reading"].create(
            [
                {"meter_id": meter.id, "date": day, "value1": value, "state": "confirmed"}
                for meter in (cls.meter_x, cls.meter_y, cls.meter_z)
                for day, value in (("2026-01-25", 10), ("2026-02-10", 12))
            ]
        )
        cls.invoice_x, cls.invoice_y, cls.invoice_z = (
            cls._invoice(cls.account_x),
            cls._invoice(cls.account_y),
            cls._invoice(cls.account_z),
        )
        cls.y_records = cls._records_of(cls.account_y, cls.meter_y, cls.invoice_y)
        cls.z_records = cls._records_of(cls.account_z, cls.meter_z, cls.invoice_z)
        cls.z_records["osmd.building"] = cls.account_z.building_id

    @classmethod
    def _invoice(cls, account):
        move = (
            cls.env["account.move"]
            .with_company(account.company_id)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": account.holder_id.id,
                    "company_id": account.company_id.id,
                    "osmd_account_id": account.id,
                    "osmd_period": "2026-02-01",
                    "invoice_date": "2026-02-28",
                    "invoice_line_ids": [
                        Command.create({"name": "Утримання будинку", "quantity": 1, "price_unit": 444.5, "tax_ids": []})
                    ],
                }
            )
        )
        move.action_post()
        return move

    @classmethod
    def _records_of(cls, account, meter, invoice):
        """{model: records} of one account: everything a resident of it would see."""
        Env = cls.env
        return {
            "osmd.account": account,
            "osmd.account.holder": account.holder_line_ids,
            "osmd.resident": account.resident_ids,
            "osmd.ownership": account.premise_id.ownership_ids,
            "osmd.premise": account.premise_id,
            "osmd.meter": meter,
            "osmd.meter.reading": Env["osmd.meter.reading"].search([("meter_id", "=", meter.id)]),
            "account.move": invoice,
            "account.move.line": invoice.line_ids,
        }

    # ------------------------------------------------------------
    # what a resident can read at all
    # ------------------------------------------------------------

    def test_readable_models_and_fields_are_the_allowed_list(self):
        """Every osmd model and field a resident can read is in the allowed list, and nothing else."""
        allowed = dict(ALLOWED_FIELDS)
        allowed["osmd.meter"] = METER_FIELDS
        Utility = self.env["osmd.utility"]
        allowed["osmd.utility"] = {
            name for name, field in Utility._fields.items() if not field.groups or field.groups == "base.group_portal"
        }
        readable = {}
        for ir_model in self.env["ir.model"].search([("model", "=like", "osmd.%")]):
            Model = self.env[ir_model.model].with_user(self.resident)
            if Model._abstract or not Model.has_access("read"):
                continue
            fields_ = set(Model.fields_get(attributes=["type"]))
            self.assertEqual(
                fields_,
                {name for name, field in Model._fields.items() if Model._has_field_access(field, "read")},
            )
            readable[ir_model.model] = fields_
            with self.subTest(model=ir_model.model):
                self.assertTrue(Model.search_count([]), f"the resident reads some {ir_model.model}")
        self.assertEqual(set(readable), set(allowed), "models a resident can read")
        for model, fields_ in readable.items():
            with self.subTest(model=model):
                self.assertEqual(fields_ - allowed[model], set(), f"fields of {model} a resident must not read")
        Move = self.env["account.move"].with_user(self.resident)
        move_fields = {name for name in Move.fields_get(attributes=["type"]) if name.startswith("osmd_")}
        self.assertEqual(move_fields, ALLOWED_MOVE_FIELDS)

    def test_staff_fields_refused(self):
        account = self.account_x.with_user(self.resident)
        self.assertEqual(account.number, self.account_x.number, "the resident reads their own account")
        for record, fname in (
            (account, "note"),
            (account, "holder_phone"),
            (account, "holder_email"),
            (account, "holder_line_ids"),
            (account, "portal_partner_ids"),
            (account.resident_ids[:1], "phone"),
            (account.resident_ids[:1], "email"),
            (self.meter_x.with_user(self.resident), "note"),
            (self.account_x.premise_id.ownership_ids[:1].with_user(self.resident), "document_number"),
            (self.data_a["building"].with_user(self.resident), "note"),
        ):
            with self.subTest(model=record._name, field=fname), self.assertRaises(AccessError):
                record.read([fname])

    def test_past_owners_and_residents_hidden(self):
        """After a sale the new holder sees the current owners and residents only, and the readings from
        their first day: never the previous owner, their title document, contacts or consumption."""
        premise, account = self.account_y.premise_id, self.account_y
        seller = account.holder_id
        buyer = self.env["res.partner"].create(
            {"name": "Покупець Y", "company_id": self.company_a.id, "phone": "+380501112233"}
        )
        self.env["osmd.ownership.transfer"].create(
            {
                "premise_id": premise.id,
                "date": date(2026, 2, 1),
                "reason": "sale",
                "document_number": "ДКП 77",
                "line_ids": [Command.create({"partner_id": buyer.id, "share_numerator": 1, "share_denominator": 1})],
            }
        ).action_apply()
        self.env["osmd.resident"].create(
            {"account_id": account.id, "partner_id": buyer.id, "relation": "owner", "date_start": "2026-02-01"}
        )
        buyer_user = new_test_user(
            self.env,
            login="buyer_y",
            groups="osmd_base.group_osmd_resident",
            partner_id=buyer.id,
            company_id=self.company_a.id,
            company_ids=[self.company_a.id],
        )
        env = self.env(user=buyer_user)
        self.assertEqual(env["osmd.account"].search([]), account)
        self.assertEqual(env["osmd.ownership"].search([]).partner_id, buyer, "no previous owner")
        self.assertEqual(env["osmd.resident"].search([]).partner_id, buyer, "no past resident")
        self.assertEqual(account.with_env(env).premise_id.ownership_ids.partner_id, buyer)
        with self.assertRaises(AccessError):
            premise.ownership_ids.filtered(lambda o: o.partner_id == seller).with_env(env).read(["partner_id"])
        readings = env["osmd.meter.reading"].search([])
        self.assertEqual(readings.mapped("date"), [date(2026, 2, 10)], "readings from the buyer's first day only")
        self.assertEqual(self.meter_y.with_env(env).reading_ids.mapped("date"), [date(2026, 2, 10)])
        # the seller has no access any more, without any cron
        seller_user = new_test_user(
            self.env,
            login="seller_y",
            groups="osmd_base.group_osmd_resident",
            partner_id=seller.id,
            company_id=self.company_a.id,
            company_ids=[self.company_a.id],
        )
        self.assertFalse(self.env["osmd.account"].with_user(seller_user).search([]))
        self.assertFalse(self.env["osmd.meter.reading"].with_user(seller_user).search([]))
        # nor by putting a past date in the context (read of computed fields only: the access check
        # evaluates the rules in Python, on the computed access of today)
        self.env.invalidate_all()
        past = self.env(user=seller_user, context={"date": "2025-01-01"})
        old_residence = account.resident_ids.filtered(lambda r: r.partner_id == seller)
        old_ownership = premise.ownership_ids.filtered(lambda o: o.partner_id == seller)
        for record, fnames in (
            (account, ["balance", "counted_resident_count"]),
            (old_residence, ["is_current"]),
            (old_ownership, ["vote_area"]),
            (premise, ["owner_names"]),
        ):
            with self.subTest(model=record._name), self.assertRaises(AccessError):
                record.with_env(past).read(fnames)

    # ------------------------------------------------------------
    # account Y (same building) and Z (another association) through the ORM
    # ------------------------------------------------------------

    def test_other_accounts_through_the_orm(self):
        env = self.env(user=self.resident)
        own = env["osmd.account"].search([])
        self.assertEqual(own, self.account_x)
        self.assertEqual(env["account.move"].search([("move_type", "=", "out_invoice")]), self.invoice_x)
        for tag, records_of in (("Y", self.y_records), ("Z", self.z_records)):
            for model, records in records_of.items():
                self.assertTrue(records, f"test data: {model} of {tag}")
                Model = env[model]
                with self.subTest(account=tag, model=model):
                    with mute_logger("odoo.addons.base.models.ir_rule", "odoo.addons.base.models.ir_model"):
                        with self.assertRaises(AccessError):
                            records.with_env(env).read(["display_name"])
                        with self.assertRaises(AccessError):
                            records.with_env(env).check_access("read")
                    if not Model.has_access("read"):
                        continue
                    self.assertFalse(Model.search([("id", "in", records.ids)]))
                    self.assertFalse(Model.search_count([("id", "in", records.ids)]))
                    self.assertFalse(Model.browse(records.ids)._filtered_access("read"))
                    names = {name for name in records.sudo().mapped("display_name") if name}
                    try:
                        found = {rec_id for name in names for rec_id, _label in Model.name_search(name, limit=None)}
                    except AccessError:  # a wall too (journal items: no access to the products)
                        found = set()
                    self.assertFalse(found & set(records.ids), "name_search")
                    groups = Model.formatted_read_group([("id", "in", records.ids)], [], ["__count"])
                    self.assertEqual(groups[0]["__count"], 0)
                    result = Model.web_search_read([("id", "in", records.ids)], {"display_name": {}})
                    self.assertEqual(result["length"], 0)
        # searching Y's number, Z's number
        for account in (self.account_y, self.account_z):
            self.assertFalse(env["osmd.account"].search([("number", "=", account.number)]) - self.account_x)

    # ------------------------------------------------------------
    # over HTTP: JSON-RPC and the portal URLs
    # ------------------------------------------------------------

    @mute_logger("odoo.http", "odoo.addons.base.models.ir_rule", "odoo.addons.base.models.ir_model")
    def test_other_accounts_over_http(self):
        self.authenticate("curious_x", "curious_x_pwd_1")
        result = self._call_kw("osmd.account", "search_read", [[]], {"fields": ["number"]})
        self.assertEqual([row["id"] for row in result["result"]], self.account_x.ids)
        result = self._call_kw("osmd.account", "read", [self.account_x.ids, ["note"]])
        self.assertEqual(result["error"]["data"]["name"], "odoo.exceptions.AccessError", "the staff's note")
        for tag, records_of in (("Y", self.y_records), ("Z", self.z_records)):
            for model, records in records_of.items():
                with self.subTest(account=tag, model=model):
                    result = self._call_kw(model, "read", [records.ids, ["display_name"]])
                    self.assertEqual(result["error"]["data"]["name"], "odoo.exceptions.AccessError")
                    result = self._call_kw(model, "web_read", [records.ids], {"specification": {"display_name": {}}})
                    self.assertEqual(result["error"]["data"]["name"], "odoo.exceptions.AccessError")
                    result = self._call_kw(
                        model, "search_read", [[["id", "in", records.ids]]], {"fields": ["display_name"]}
                    )
                    self.assertEqual(result.get("result", []), [])
                    result = self._call_kw(
                        model,
                        "web_search_read",
                        [[["id", "in", records.ids]]],
                        {"specification": {"display_name": {}}},
                    )
                    self.assertEqual(result.get("result", {"length": 0})["length"], 0)
                    result = self._call_kw(model, "search_count", [[["id", "in", records.ids]]])
                    self.assertEqual(result.get("result", 0), 0)
                    result = self._call_kw(
                        model, "formatted_read_group", [[["id", "in", records.ids]], [], ["__count"]]
                    )
                    self.assertEqual(result.get("result", [{"__count": 0}])[0]["__count"], 0)
                    result = self._call_kw(model, "name_search", [], {"name": records.sudo()[:1].display_name})
                    self.assertFalse({row[0] for row in result.get("result", [])} & set(records.ids))
        # the resident's own invoice opens (in the cabinet's account page when osmd_portal is installed), Y's and
        # Z's do not
        own = self.url_open(f"/my/invoices/{self.invoice_x.id}")
        self.assertEqual(own.status_code, 200)
        cabinet = f"/my/accounts/{self.invoice_x.osmd_account_id.id}"
        self.assertTrue(own.url.endswith(cabinet) or f"/my/invoices/{self.invoice_x.id}" in own.url, own.url)
        for invoice in (self.invoice_y, self.invoice_z):
            response = self.url_open(f"/my/invoices/{invoice.id}")
            self.assertNotIn(f"/my/invoices/{invoice.id}", response.url, "redirected away")
            self.assertNotIn(invoice.name, response.text)
            pdf = self.url_open(f"/my/invoices/{invoice.id}?report_type=pdf&download=true")
            self.assertNotIn(f"/my/invoices/{invoice.id}", pdf.url)
            self.assertNotEqual(pdf.headers.get("Content-Type"), "application/pdf")
        # reports by URL: the receipt of Y's and Z's invoice, the QR sticker of Y's and Z's meter
        for url, secret in (
            (f"/report/html/osmd_billing.report_receipt/{self.invoice_y.id}", self.invoice_y.name),
            (f"/report/html/osmd_billing.report_receipt/{self.invoice_z.id}", self.invoice_z.name),
            (f"/report/html/osmd_metering.report_osmd_meter_sticker/{self.meter_y.id}", self.meter_y.serial),
            (f"/report/html/osmd_metering.report_osmd_meter_sticker/{self.meter_z.id}", self.meter_z.serial),
        ):
            with self.subTest(url=url):
                response = self.url_open(url)
                self.assertNotEqual(response.status_code, 200)
                self.assertNotIn(secret, response.text)
        # the meter QR route answers 404 to a resident for other people's meters; their own meter leads to the
        # cabinet's reading form when the cabinet (osmd_portal) is installed, else 404 too (the staff's form)
        for meter in (self.meter_x, self.meter_y, self.meter_z):
            response = self.url_open(f"/osmd/meter/{meter.id}/reading", allow_redirects=False)
            if meter == self.meter_x and response.status_code == 303:
                self.assertTrue(response.headers["Location"].endswith(f"/my/meters/{meter.id}/reading"))
            else:
                self.assertEqual(response.status_code, 404, meter.serial)
