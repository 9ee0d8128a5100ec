from decimal import ROUND_HALF_UP, Decimal

from odoo.tests import tagged

from ..tools.formatting import fmt_number
from .common import PERIOD, BillingCommon


@tagged("post_install", "-at_install", "osmd")
class TestDocumentLanguage(BillingCommon):
    """Documents of an association are in its language (Ukrainian here) whatever the holder's own partner
    language is, unless the holder chose another language for documents; new partners of an association
    get its language; numbers in Ukrainian texts have comma decimals and Ukrainian units."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("uk_UA")
        cls.env["ir.module.module"]._load_module_terms(["osmd_base", "osmd_metering", "osmd_billing"], ["uk_UA"])
        cls.company_a.partner_id.lang = "uk_UA"
        # the staff work with an English interface: nothing of theirs may leak into the documents
        cls.env = cls.env(context=dict(cls.env.context, lang="en_US"))

    def _post_run(self):
        run = self._create_run().with_user(self.accountant).with_context(lang="en_US")
        run.action_compute()
        run.action_post()
        return run

    def _invoice_names(self, run, account):
        invoice = run.move_ids.filtered(lambda move: move.osmd_account_id == account)
        return {line.product_id: line.name for line in invoice.invoice_line_ids}

    # ------------------------------------------------------------
    # explanations on invoices
    # ------------------------------------------------------------

    def test_english_holders_get_ukrainian_explanations(self):
        """A company owning premises and a person whose partner language is English (created by an import
        or a transfer before the fix) get the association's Ukrainian on their invoice lines."""
        company_holder, person = self.owners[2], self.owners[0]
        company_holder.write({"is_company": True, "lang": "en_US"})
        person.lang = "en_US"
        run = self._post_run()
        names = self._invoice_names(run, self.account1)
        self.assertEqual(names[self.svc_maint], "Утримання будинку: 52,30 м² × 8,50 грн")
        self.assertEqual(names[self.svc_garbage], "Вивіз ТПВ: 2 ос. × 45,00 грн")
        names = self._invoice_names(run, self.account2)
        self.assertEqual(names[self.svc_garbage], "Вивіз ТПВ: 1 ос. × 45,00 грн")
        self.assertEqual(names[self.svc_heat], "Опалення: 60,00 м² × 30,00 грн")
        # Odoo names the unit of water "m³" with a Latin m: written the Ukrainian way
        self.assertEqual(names[self.svc_water_norm], "Холодна вода (норма): Норма 3,2 м³ × 1 ос. = 3,2 м³ × 30,17 грн")
        for name in names.values():
            self.assertNotRegex(name, r"pers\.|UAH|m²|m³|\d\.\d", name)

    def test_holder_who_chose_english_documents(self):
        self.owners[2].osmd_document_lang = "en_US"
        run = self._post_run()
        names = self._invoice_names(run, self.account2)
        self.assertEqual(names[self.svc_garbage], "Вивіз ТПВ: 1 pers. × 45,00 UAH")
        # the other holder keeps the association's language
        self.assertEqual(self._invoice_names(run, self.account1)[self.svc_garbage], "Вивіз ТПВ: 2 ос. × 45,00 грн")

    def test_document_language_order(self):
        Partner = self.env["res.partner"]
        person = self.owners[0]
        person.lang = "en_US"
        self.assertEqual(person._osmd_document_lang(self.company_a), "uk_UA")
        self.assertEqual(Partner._osmd_document_lang(self.company_a), "uk_UA")
        person.osmd_document_lang = "en_US"
        self.assertEqual(person._osmd_document_lang(self.company_a), "en_US")
        # an association without a language of its own: Ukrainian
        self.company_b.partner_id.lang = False
        self.assertEqual(Partner._osmd_document_lang(self.company_b), "uk_UA")

    def test_sms_and_meter_reminders_in_the_association_language(self):
        holder = self.account1.holder_id
        holder.lang = "en_US"
        send = self.env["osmd.billing.send"].new({"company_id": self.company_a.id})
        self.assertIn("до сплати 1 234,50 грн", send._prepare_sms_text(self.account1, 1234.5, PERIOD))
        env = self.env["osmd.meter"]._reminder_env(self.account1, self.company_a)
        self.assertEqual(env.lang, "uk_UA")
        holder.osmd_document_lang = "en_US"
        self.assertIn("amount due 1 234,50 UAH", send._prepare_sms_text(self.account1, 1234.5, PERIOD))
        self.assertEqual(self.env["osmd.meter"]._reminder_env(self.account1, self.company_a).lang, "en_US")

    # ------------------------------------------------------------
    # new partners
    # ------------------------------------------------------------

    def test_new_partners_get_the_association_language(self):
        """Partners created for the association by an English-speaking user: by the registry import, from
        the transfer wizard's owner field, or while working in the association."""
        chairman = self.users_a["chairman"]
        chairman.lang = "en_US"
        Import = self.env["osmd.registry.import"].with_user(chairman).with_context(lang="en_US")
        imported = Import._get_partners(
            self.company_a,
            [
                {
                    "ref": "p1",
                    "key": "шевченко тарас",
                    "name": "Шевченко Тарас",
                    "is_company": False,
                    "tax_id": "1234567890",
                    "phone": "",
                    "email": "",
                },
                {
                    "ref": "p2",
                    "key": "тов ромашка",
                    "name": "ТОВ Ромашка",
                    "is_company": True,
                    "tax_id": "12345678",
                    "phone": "",
                    "email": "",
                },
            ],
        )
        self.assertEqual(set(partner.lang for partner in imported.values()), {"uk_UA"})
        Partner = self.env["res.partner"].with_context(lang="en_US")
        # the transfer wizard's owner and holder fields pass the association in the context
        new_owner = Partner.with_context(osmd_association_id=self.company_a.id).name_create("Бондар Олег")
        self.assertEqual(Partner.browse(new_owner[0]).lang, "uk_UA")
        # any partner created while working in the association
        self.assertEqual(Partner.with_company(self.company_a).create({"name": "Гнатюк Ірина"}).lang, "uk_UA")
        # an explicit language is kept; outside associations nothing changes
        self.assertEqual(
            Partner.with_company(self.company_a).create({"name": "John Smith", "lang": "en_US"}).lang, "en_US"
        )
        self.assertFalse(self.env.company.osmd_kind)
        self.assertEqual(Partner.create({"name": "John Smith"}).lang, "en_US")

    # ------------------------------------------------------------
    # meter explanations
    # ------------------------------------------------------------

    def test_meter_explanation_in_ukrainian(self):
        meter = self.env["osmd.meter"].create(
            {
                "serial": "W-108",
                "company_id": self.company_a.id,
                "utility_id": self.utility_water.id,
                "premise_id": self.premises[1].id,
                "install_date": "2025-01-01",
                "initial_value1": 105.347,
            }
        )
        reading = (
            self.env["osmd.meter.reading"]
            .with_context(lang="en_US")
            .create({"meter_id": meter.id, "date": "2026-03-24", "value1": 108.036, "state": "confirmed"})
        )
        self.assertIn("108,036 − 105,347 = 2,689 м³", reading.explanation)
        # the same meter of an association in English keeps Odoo's unit and decimal point
        self.company_a.partner_id.lang = "en_US"
        reading = (
            self.env["osmd.meter.reading"]
            .with_context(lang="uk_UA")
            .create({"meter_id": meter.id, "date": "2026-04-24", "value1": 110.5, "state": "confirmed"})
        )
        self.assertIn("110.5 − 108.036 = 2.464 m³", reading.explanation)

    def test_house_share_explained_in_ukrainian(self):
        """The share of house losses is explained in the association's language, not the engineer's."""
        house_meter = self.env["osmd.meter"].create(
            {
                "serial": "HW-1",
                "company_id": self.company_a.id,
                "utility_id": self.utility_water.id,
                "building_id": self.building.id,
                "install_date": "2025-01-01",
                "initial_value1": 1000,
            }
        )
        self.env["osmd.meter.reading"].create(
            {"meter_id": house_meter.id, "date": "2026-03-31", "value1": 1100, "state": "confirmed"}
        )
        record = (
            self.env["osmd.house.consumption"]
            .with_context(lang="en_US")
            .create({"building_id": self.building.id, "utility_id": self.utility_water.id, "period": "2026-03-01"})
        )
        record.action_compute()
        line = record.line_ids.filtered(lambda line: line.premise_id == self.premises[0])
        self.assertEqual(line.explanation, "52,30 м² / 52,30 м² × 87,000 = 87,000")
        self.assertIn("Різниця = 100,000 − 13,000 = 87,000", record.explanation)

    def test_penalty_in_ukrainian_on_invoice_and_receipt(self):
        """The penalty line and its explanation, printed by a member of staff working in English."""
        self.company_a.write({"osmd_penalty_enabled": True, "osmd_penalty_deadline_day": 17})
        march = self._post_run()
        run = self.env["osmd.billing.run"].create({"company_id": self.company_a.id, "period": "2026-04-01"})
        run.with_user(self.accountant).with_context(lang="en_US").action_compute()
        # the April meters have no readings: the warnings are confirmed in the posting wizard
        action = run.with_user(self.accountant).with_context(lang="en_US").action_open_post_wizard()
        self.env["osmd.billing.run.post"].with_user(self.accountant).browse(action["res_id"]).action_confirm()
        invoice = run.move_ids.filtered(lambda move: move.osmd_account_id == self.account1)
        total = march.move_ids.filtered(lambda move: move.osmd_account_id == self.account1).amount_total
        penalty = self.env.ref("osmd_billing.product_osmd_penalty")
        name = invoice.invoice_line_ids.filtered(lambda line: line.product_id == penalty).name
        debt = Decimal(str(total))
        amount = (debt * Decimal("0.0001") * 11).quantize(Decimal("0.01"), ROUND_HALF_UP)
        self.assertEqual(
            name,
            f"Пеня: Рахунок за 03.2026: {fmt_number(debt, 2)} × 0,01 % × 11 дн. (з 20.04 по 30.04) = "
            f"{fmt_number(amount, 2)}",
        )
        html = (
            self.env["ir.actions.report"]
            .with_user(self.accountant)
            .with_context(lang="en_US")
            ._render_qweb_html("osmd_billing.report_receipt", invoice.ids)[0]
            .decode()
        )
        self.assertIn(">Пеня<", html)
        self.assertIn("Рахунок за 03.2026", html)
        self.assertNotIn("Penalty", html)
        self.assertNotIn("Invoice 03.2026", html)
