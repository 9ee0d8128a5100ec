import base64
import io
from datetime import date

import openpyxl

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged

from ..tools.registry_import import SHEETS, parse_registry

IBAN = "UA21 3223 1300 0002 6007 2335 6600 1"
IBAN_COMPACT = "UA213223130000026007233566001"


def _headers(sheet_key):
    sheet = next(s for s in SHEETS if s.key == sheet_key)
    return [column.header for column in sheet.columns]


def make_workbook(rows_by_sheet):
    """xlsx bytes; ``rows_by_sheet`` maps a sheet key to rows given as dicts of
    column key -> value (the header row is written from the import layout)."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for sheet in SHEETS:
        if sheet.key not in rows_by_sheet:
            continue
        worksheet = workbook.create_sheet(sheet.title)
        worksheet.append(_headers(sheet.key))
        for row in rows_by_sheet[sheet.key]:
            worksheet.append([row.get(column.key) for column in sheet.columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def registry_rows(building="Sadova 1"):
    """One building, 3 premises: premise 1 shared 1/2 + 1/2, Ivan also owns P-1."""
    ref = {"building": building}
    return {
        "buildings": [
            {"name": building, "street": "Sadova St, 1", "city": "Lviv",
             "zip": "79000", "entrance_count": 2, "floor_count": 5},
        ],
        "premises": [
            {**ref, "number": "1", "total_area": 54.3, "living_area": "32,10"},
            {**ref, "number": "2", "total_area": "71.25", "kind": "apartment"},
            {**ref, "number": "P-1", "total_area": 13.5, "kind": "parking"},
        ],
        "owners": [
            {**ref, "premise": "1", "name": "Melnyk Ivan", "phone": "067 123 45 67",
             "share_numerator": 1, "share_denominator": 2,
             "date_start": "01.03.2015"},
            {**ref, "premise": "1", "name": "Melnyk Oksana", "share_numerator": 1,
             "share_denominator": 2, "date_start": "01.03.2015"},
            {**ref, "premise": "P-1", "name": "Melnyk Ivan",
             "phone": "+380671234567"},
            {**ref, "premise": "2", "name": "Koval Maria",
             "email": "maria@example.com"},
        ],
        "accounts": [
            {**ref, "premise": "1", "holder": "Melnyk Ivan",
             "date_open": "01.03.2015"},
            {**ref, "premise": "2", "number": "102", "holder": "Koval Maria"},
            {**ref, "premise": "P-1", "number": "000103", "holder": "Bondar Petro"},
        ],
        "residents": [
            {**ref, "premise": "1", "name": "Melnyk Ivan", "relation": "owner"},
            {**ref, "premise": "1", "name": "Melnyk Taras", "relation": "family",
             "is_counted": "no"},
        ],
    }  # fmt: skip


class OnboardingCommon(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        # a platform administrator without any role in an association
        cls.admin = new_test_user(
            cls.env,
            login="onb_admin",
            groups="base.group_user,base.group_system",
            name="Onboarding Admin",
        )

    def _counts(self):
        env = self.env
        return {
            "companies": env["res.company"].search_count([]),
            "users": env["res.users"].with_context(active_test=False).search_count([]),
            "buildings": env["osmd.building"].search_count([]),
            "premises": env["osmd.premise"].search_count([]),
            "partners": env["res.partner"].with_context(active_test=False).search_count([]),
            "accounts": env["osmd.account"].search_count([]),
        }

    @classmethod
    def _wizard(cls, content=None, **vals):
        vals = {
            "name": "OSBB Sadova 1",
            "kind": "osbb",
            "edrpou": "32855961",
            "iban": IBAN,
            "statute_rules": "before_2023",
            "street": "Sadova St, 1",
            "city": "Lviv",
            "zip": "79000",
            "phone": "032 123 45 67",
            "email": "osbb@example.com",
            "chairman_name": "Petrenko Anna",
            "chairman_email": "Anna.Petrenko@example.com",
            "chairman_phone": "050 111 22 33",
            **vals,
        }
        if content:
            vals.update(file=base64.b64encode(content), filename="registry.xlsx")
        return cls.env["osmd.association.create"].with_user(cls.admin).create(vals)


@tagged("post_install", "-at_install", "osmd")
class TestAssociationOnboarding(OnboardingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        wizard = cls._wizard(make_workbook(registry_rows()))
        cls.action = wizard.action_create()
        cls.company = cls.env["res.company"].browse(cls.action["res_id"])

    def test_company_and_action(self):
        company = self.company
        self.assertRecordValues(
            company,
            [
                {
                    "name": "OSBB Sadova 1",
                    "osmd_kind": "osbb",
                    "osmd_edrpou": "32855961",
                    "osmd_statute_rules": "before_2023",
                    "country_id": self.env.ref("base.ua").id,
                    "currency_id": self.env.ref("base.UAH").id,
                    "phone": "+380321234567",
                    "email": "osbb@example.com",
                }
            ],
        )
        self.assertTrue(self.env.ref("base.UAH").active)
        self.assertEqual(self.action["res_model"], "res.company")
        self.assertEqual(
            self.action["views"],
            [(self.env.ref("osmd_base.osmd_association_view_form").id, "form")],
        )
        self.assertIn(company, self.admin.company_ids, "the admin can switch to it")
        self.assertTrue(company.osmd_account_sequence_id)

    def test_ukrainian_chart_and_journals(self):
        company = self.company
        self.assertEqual(company.chart_template, "ua_psbo")
        receivable = (
            self.env["res.partner"].with_company(company).browse(company.partner_id.id).property_account_receivable_id
        )
        self.assertTrue(receivable.with_company(company).code.startswith("361"))
        self.assertEqual(receivable.account_type, "asset_receivable")
        self.assertEqual(receivable.company_ids, company)
        journals = self.env["account.journal"].search([("company_id", "=", company.id)])
        self.assertLessEqual({"sale", "purchase", "bank", "general"}, set(journals.mapped("type")))

    def test_iban_on_bank_journal(self):
        journal = self.company.osmd_bank_journal_id
        self.assertEqual(journal.type, "bank")
        self.assertEqual(journal.company_id, self.company)
        self.assertEqual(journal.bank_account_id.acc_number, IBAN_COMPACT)
        self.assertEqual(self.company.osmd_iban, IBAN_COMPACT)

    def test_chairman_user_and_invitation(self):
        chairman = self.company.osmd_chairman_id
        self.assertRecordValues(
            chairman,
            [
                {
                    "name": "Petrenko Anna",
                    "login": "anna.petrenko@example.com",
                    "email": "anna.petrenko@example.com",
                    "company_id": self.company.id,
                    "company_ids": self.company.ids,
                    "share": False,
                }
            ],
        )
        self.assertTrue(chairman.has_group("osmd_base.group_osmd_chairman"))
        self.assertFalse(chairman.has_group("base.group_system"))
        self.assertEqual(chairman.partner_id.phone, "+380501112233")
        self.assertEqual(chairman.partner_id.signup_type, "signup")
        mail = self.env["mail.mail"].search([("email_to", "=", "anna.petrenko@example.com")])
        self.assertEqual(len(mail), 1, "the invitation waits in the mail queue")
        self.assertEqual(mail.state, "outgoing")

    def test_registry_imported(self):
        company = self.company
        domain = [("company_id", "=", company.id)]
        buildings = self.env["osmd.building"].search(domain)
        premises = self.env["osmd.premise"].search(domain)
        ownerships = self.env["osmd.ownership"].search(domain)
        accounts = self.env["osmd.account"].search(domain)
        residents = self.env["osmd.resident"].search(domain)
        self.assertEqual(buildings.mapped("name"), ["Sadova 1"])
        self.assertEqual(len(premises), 3)
        self.assertEqual(len(ownerships), 4)
        self.assertEqual(len(accounts), 3)
        self.assertEqual(len(residents), 2)
        by_number = {p.number: p for p in premises}
        self.assertEqual(by_number["1"].total_area, 54.3)
        self.assertEqual(by_number["1"].living_area, 32.1)
        self.assertEqual(by_number["1"].vote_area, 54.3)
        self.assertEqual(by_number["P-1"].kind, "parking")
        self.assertAlmostEqual(buildings.total_area, 139.05, places=2)
        # premise 1 is shared 1/2 + 1/2
        shared = by_number["1"].ownership_ids
        self.assertEqual(sorted(shared.mapped("share_display")), ["1/2", "1/2"])
        self.assertEqual(len(shared.partner_id), 2)
        # Ivan (same name and phone on two rows) is one partner owning two premises
        ivan = ownerships.partner_id.filtered(lambda p: p.name == "Melnyk Ivan")
        self.assertEqual(len(ivan), 1)
        self.assertEqual(
            ownerships.filtered(lambda o: o.partner_id == ivan).premise_id,
            by_number["1"] | by_number["P-1"],
        )
        self.assertEqual(ivan.phone, "+380671234567")
        # owners belong to the association only
        people = ownerships.partner_id | accounts.holder_id | residents.partner_id
        self.assertEqual(len(people), 5)
        self.assertEqual(people.company_id, company)

    def test_accounts_numbered_and_held(self):
        accounts = self.env["osmd.account"].search([("company_id", "=", self.company.id)])
        by_premise = {a.premise_id.number: a for a in accounts}
        self.assertEqual(by_premise["1"].number, "000001")  # from the sequence
        self.assertEqual(by_premise["2"].number, "102")
        self.assertEqual(by_premise["P-1"].number, "000103")
        self.assertEqual(by_premise["1"].holder_id.name, "Melnyk Ivan")
        self.assertEqual(
            by_premise["1"].holder_id,
            by_premise["1"].premise_id.ownership_ids.partner_id.filtered(lambda p: p.name == "Melnyk Ivan"),
            "the holder is the owner, not a second partner",
        )
        self.assertEqual(by_premise["1"].date_open, date(2015, 3, 1))
        self.assertEqual(by_premise["P-1"].holder_id.name, "Bondar Petro")
        residents = by_premise["1"].resident_ids
        self.assertEqual(sorted(residents.mapped("relation")), ["family", "owner"])
        self.assertEqual(by_premise["1"].counted_resident_count, 1)


@tagged("post_install", "-at_install", "osmd")
class TestOnboardingRollback(OnboardingCommon):
    def test_bad_rows_create_nothing(self):
        rows = registry_rows()
        rows["premises"][1]["total_area"] = "71.255"  # row 3: 3 decimals
        rows["owners"][3]["phone"] = "12345"  # row 5: not a phone number
        before = self._counts()
        wizard = self._wizard(make_workbook(rows))
        with self.assertRaises(UserError) as caught:
            wizard.action_create()
        message = str(caught.exception)
        self.assertIn("Premises, row 3, column Total area, m²", message)
        self.assertIn("Owners, row 5, column Phone", message)
        self.assertIn("2 problems", message)
        self.assertEqual(self._counts(), before)
        self.assertFalse(self.env["res.company"].search([("name", "=", "OSBB Sadova 1")]))

    def test_login_taken_creates_nothing(self):
        new_test_user(self.env, login="anna.petrenko@example.com")
        before = self._counts()
        with self.assertRaises(UserError):
            self._wizard(make_workbook(registry_rows())).action_create()
        self.assertEqual(self._counts(), before)

    def test_invalid_identifiers_are_refused(self):
        with self.assertRaises(UserError):  # ValidationError is a UserError
            self._wizard(edrpou="12345670")
        with self.assertRaises(UserError):
            self._wizard(iban="UA21 3223 1300 0002 6007 2335 6600 2")
        with self.assertRaises(UserError):
            self._wizard(chairman_email="not an email")


@tagged("post_install", "-at_install", "osmd")
class TestRegistryImport(OnboardingCommon):
    """The standalone import, by the chairman of an existing association."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Company = cls.env["res.company"]
        cls.company = Company.create(
            {"name": "OSBB Import", "osmd_kind": "osbb",
             "country_id": cls.env.ref("base.ua").id}
        )  # fmt: skip
        cls.other_company = Company.create(
            {"name": "OSBB Other", "osmd_kind": "osbb",
             "country_id": cls.env.ref("base.ua").id}
        )  # fmt: skip
        cls.plain_company = Company.create({"name": "Plain LLC"})  # no osmd_kind
        cls.chairman = new_test_user(
            cls.env,
            login="onb_chairman",
            groups="osmd_base.group_osmd_chairman",
            company_id=cls.company.id,
            company_ids=[cls.company.id, cls.plain_company.id],
        )
        cls.other_chairman = new_test_user(
            cls.env,
            login="onb_other_chairman",
            groups="osmd_base.group_osmd_chairman",
            company_id=cls.other_company.id,
            company_ids=[cls.other_company.id],
        )

    def _import(self, content, user=None, company=None):
        wizard = (
            self.env["osmd.registry.import"]
            .with_user(user or self.chairman)
            .create(
                {
                    "company_id": (company or self.company).id,
                    "file": base64.b64encode(content),
                    "filename": "registry.xlsx",
                }
            )
        )
        return wizard.action_import()

    def test_import_then_conflicts_with_database(self):
        action = self._import(make_workbook(registry_rows()))
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn("3 premises", action["params"]["message"])
        domain = [("company_id", "=", self.company.id)]
        self.assertEqual(self.env["osmd.premise"].search_count(domain), 3)
        self.assertEqual(self.env["osmd.ownership"].search_count(domain), 4)
        # the same people again, in a new building referring to the existing one
        rows = registry_rows("Sadova 3")
        rows["premises"].append(
            {"building": "Sadova 1", "number": "2", "total_area": 10}  # exists
        )
        rows["accounts"][1]["number"] = "000103"  # used by the first import
        rows["accounts"][2]["number"] = None  # numbered automatically
        before = self._counts()
        with self.assertRaises(UserError) as caught:
            self._import(make_workbook(rows))
        message = str(caught.exception)
        self.assertIn(
            "Premises, row 5, column Number: Premise 2 already exists in building Sadova 1.",
            message,
        )
        self.assertIn(
            "Accounts, row 3, column Account number: Account number 000103 is already used in the association.",
            message,
        )
        self.assertEqual(self._counts(), before)
        # without the conflicts the second building imports, reusing the partners
        rows["premises"].pop()
        rows["accounts"][1]["number"] = "104"
        partners = self.env["res.partner"].search_count(domain)
        self._import(make_workbook(rows))
        self.assertEqual(self.env["osmd.premise"].search_count(domain), 6)
        self.assertEqual(
            self.env["res.partner"].search_count(domain),
            partners + 3,  # Ivan (phone) and Maria (e-mail) matched, 3 name-only
        )

    def test_other_association_is_refused(self):
        content = make_workbook(registry_rows())
        with self.assertRaises(AccessError):
            self._import(content, user=self.other_chairman, company=self.company)
        with self.assertRaises(AccessError) as caught:
            self._import(content, company=self.plain_company)
        self.assertIn("You cannot import into Plain LLC", str(caught.exception))
        self.assertFalse(
            self.env["osmd.building"].search([("company_id", "in", (self.company | self.plain_company).ids)])
        )

    def test_hostile_workbooks_write_nothing(self):
        """A truncated download, an area of 1E+308 and a floor of 1E+999999 (which once hung the import): a clear
        error naming the row, and nothing written."""
        good = make_workbook(registry_rows())
        huge_area = registry_rows()
        huge_area["premises"][1]["total_area"] = 1e308
        huge_floor = registry_rows()
        huge_floor["premises"][2]["floor"] = "1E+999999"
        cases = {
            "truncated": (good[: len(good) // 2], "damaged"),
            "area": (make_workbook(huge_area), "row 3, column Total area, m²: 1e+308 is not a plausible number."),
            "floor": (make_workbook(huge_floor), "row 4"),
        }
        domain = [("company_id", "=", self.company.id)]
        for name, (content, expected) in cases.items():
            with self.subTest(name), self.assertRaises(UserError) as caught:
                self._import(content)
            self.assertIn(expected, str(caught.exception))
            self.assertEqual(self.env["osmd.premise"].search_count(domain), 0)
            self.assertEqual(self.env["osmd.building"].search_count(domain), 0)


@tagged("post_install", "-at_install", "osmd")
class TestRegistryTemplateDownload(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env["res.company"].create({"name": "OSBB Template", "osmd_kind": "osbb"})
        for role in ("chairman", "accountant"):
            new_test_user(
                cls.env,
                login=f"onb_tpl_{role}",
                groups=f"osmd_base.group_osmd_{role}",
                company_id=company.id,
                company_ids=[company.id],
            )

    def test_template_download(self):
        self.authenticate("onb_tpl_chairman", "onb_tpl_chairman")
        response = self.url_open("/osmd_base/registry_template")
        self.assertEqual(response.status_code, 200)
        self.assertIn("spreadsheetml", response.headers["Content-Type"])
        self.assertIn("attachment", response.headers["Content-Disposition"])
        result = parse_registry(response.content, today=date(2026, 1, 1))
        self.assertEqual(result.errors, [])
        self.assertEqual(len(result.premises), 2)

    def test_template_refused_to_other_roles(self):
        self.authenticate("onb_tpl_accountant", "onb_tpl_accountant")
        response = self.url_open("/osmd_base/registry_template")
        self.assertEqual(response.status_code, 404)
