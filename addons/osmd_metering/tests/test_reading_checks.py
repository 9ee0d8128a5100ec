from datetime import date

from lxml import etree

from odoo.tests import Form, new_test_user, tagged

from odoo.addons.osmd_base.tests.common import OsmdCommon

from .test_reading_round import ROUND_DATE, RoundDataMixin


@tagged("post_install", "-at_install", "osmd")
class TestReadingChecks(RoundDataMixin, OsmdCommon):
    """What the engineer sees before confirming, in the round and in the queue: the previous reading,
    the consumption the confirmation will store, warnings, and the residents' submitted readings."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_round_data()
        cls.resident = new_test_user(
            cls.env,
            login="checks_resident",
            name="Олена Коваль",
            groups="osmd_base.group_osmd_resident",
            partner_id=cls.data_a["owners"][0].id,
            company_id=cls.company_a.id,
            company_ids=[cls.company_a.id],
        )
        Reading = cls.env["osmd.meter.reading"]
        # CW-9 (initial 7): monthly 3, 2, 2 in the months before the round's period (average 2.333)
        Reading.create(
            [
                {"meter_id": cls.meters["CW-9"].id, "date": day, "value1": value, "state": "confirmed"}
                for day, value in ((date(2025, 9, 20), 10), (date(2025, 10, 20), 12), (date(2025, 11, 20), 14))
            ]
        )

    def _new_round(self):
        round_ = (
            self.env["osmd.reading.round"]
            .with_user(self.engineer)
            .create({"building_id": self.building.id, "date": ROUND_DATE})
        )
        round_.action_load()
        return round_

    def _lines(self, round_):
        return {line.serial: line for line in round_.line_ids}

    def _submit(self, meter, day, value):
        return (
            self.env["osmd.meter.reading"]
            .with_user(self.resident)
            .sudo()
            .create({"meter_id": meter.id, "date": day, "value1": value, "source": "resident"})
        )

    def test_round_consumption_and_warnings_before_saving(self):
        round_ = self._new_round()
        lines = self._lines(round_)
        lines["CW-1"].value1 = 26  # previous confirmed 20
        lines["CW-9"].value1 = 16  # previous 14, average 2.333: 2 is usual
        self.assertRecordValues(
            lines["CW-1"] | lines["CW-9"],
            [{"consumption": 6.0, "has_warning": False}, {"consumption": 2.0, "has_warning": False}],
        )
        # below the previous value (no digit capacity): the refusal the save would give, shown before
        lines["CW-1"].value1 = 15
        self.assertTrue(lines["CW-1"].has_warning)
        self.assertIn("is below the previous reading 20", lines["CW-1"].warning)
        # unusually large against the average of the previous months (factor 3)
        lines["CW-9"].value1 = 40
        self.assertEqual(lines["CW-9"].consumption, 26.0)
        self.assertIn("Unusually large: 26", lines["CW-9"].warning)
        self.assertIn("average of 2.333", lines["CW-9"].warning)
        # the same computation as the confirmation stores
        lines["CW-1"].value1 = 26.5
        round_.action_save()
        saved = self._readings("CW-1").filtered(lambda r: r.date == ROUND_DATE)
        self.assertEqual(saved.consumption, 6.5)

    def test_round_verification_warnings(self):
        self.meters["CW-10"].write({"verification_date": date(2021, 6, 1), "verification_interval": 4})
        self.meters["CW-3"].write({"verification_date": date(2022, 1, 1), "verification_interval": 4})
        lines = self._lines(self._new_round())
        # shown before anything is typed: the engineer is at the meter now
        self.assertIn("Verification expired on 01.06.2025", lines["CW-10"].warning)
        self.assertEqual(lines["CW-3"].warning, "Verification due on 01.01.2026.")
        self.assertFalse(lines["CW-9"].has_warning)

    def test_round_shows_and_takes_residents_readings(self):
        older = self._submit(self.meters["CW-3"], date(2025, 12, 15), 3)
        latest = self._submit(self.meters["CW-3"], date(2025, 12, 18), 4)
        round_ = self._new_round()
        lines = self._lines(round_)
        self.assertEqual(round_.resident_count, 1)
        self.assertEqual(lines["CW-3"].resident_reading_id, latest)
        self.assertEqual(lines["CW-3"].resident_info, "4 — Олена Коваль, 18.12.2025")
        self.assertFalse(lines["CW-10"].resident_reading_id)
        # one tap takes it; the consumption shows before saving
        round_.action_take_residents()
        self.assertRecordValues(lines["CW-3"], [{"take_resident": True, "value1": 4.0, "consumption": 3.0}])
        lines["CW-10"].value1 = 9
        round_.action_save()
        # the resident's reading is confirmed as sent (its date), not doubled by an engineer reading
        self.assertRecordValues(latest, [{"state": "confirmed", "consumption": 3.0, "date": date(2025, 12, 18)}])
        self.assertEqual(older.state, "submitted")
        self.assertEqual(self._readings("CW-3"), older | latest)
        self.assertEqual(self._readings("CW-10").source, "engineer")

    def test_round_taken_then_corrected_is_the_engineers(self):
        submitted = self._submit(self.meters["CW-3"], date(2025, 12, 18), 4)
        round_ = self._new_round()
        line = self._lines(round_)["CW-3"]
        with Form(round_) as form, form.line_ids.edit(line.sequence - 1) as row:
            row.take_resident = True
            self.assertEqual(row.value1, 4.0)
            row.value1 = 5
        round_.action_save()
        self.assertEqual(submitted.state, "submitted")
        engineer = self._readings("CW-3") - submitted
        self.assertRecordValues(engineer, [{"source": "engineer", "state": "confirmed", "value1": 5.0}])

    def test_queue_shows_previous_and_consumption(self):
        reading = self._submit(self.meters["CW-1"], date(2025, 12, 18), 26)
        queued = reading.with_user(self.engineer)
        self.assertRecordValues(
            queued,
            [
                {
                    "base_date": date(2025, 11, 20),
                    "base_values": "20",
                    "base_value1": 20.0,
                    "check_consumption": 6.0,
                    "check_warning": False,
                }
            ],
        )
        queued.action_confirm()
        self.assertRecordValues(queued, [{"consumption": 6.0, "check_consumption": 6.0, "base_values": "20"}])

    def test_queue_warnings(self):
        self.meters["CW-9"].write({"verification_date": date(2021, 6, 1), "verification_interval": 4})
        large = self._submit(self.meters["CW-9"], date(2025, 12, 18), 40).with_user(self.engineer)
        # a resident's reading overtaken by the engineer's: a higher value confirmed for an earlier day
        low = self._submit(self.meters["CW-3"], date(2025, 12, 18), 5).with_user(self.engineer)
        late = self._submit(self.meters["CW-3"], date(2025, 12, 9), 4).with_user(self.engineer)
        self.env["osmd.meter.reading"].create(
            {"meter_id": self.meters["CW-3"].id, "date": date(2025, 12, 10), "value1": 9, "state": "confirmed"}
        )
        first = self._submit(self.meters["CW-10"], date(2025, 12, 18), 8).with_user(self.engineer)
        self.assertIn("Unusually large: 26", large.check_warning)
        self.assertIn("Verification expired on 01.06.2025", large.check_warning)
        self.assertAlmostEqual(large.average_consumption, 2.333, places=3)
        self.assertIn("is below the previous reading 9", low.check_warning)
        self.assertEqual(low.check_consumption, 0.0)
        self.assertEqual(late.check_warning, "Dated before the previous reading of 10.12.2025.")
        # without a confirmed reading, from the initial value at the install date
        self.assertRecordValues(first, [{"base_values": "5", "base_date": date(2025, 1, 1), "check_consumption": 3.0}])

    def test_queue_negative_after_netted_estimate(self):
        meter = self.meters["CW-10"]
        self.env["osmd.meter.reading"].create(
            {
                "meter_id": meter.id,
                "date": date(2025, 11, 1),
                "source": "estimate",
                "state": "confirmed",
                "consumption": 10,
            }
        )
        reading = self._submit(meter, date(2025, 12, 18), 8).with_user(self.engineer)
        self.assertEqual(reading.check_consumption, -7.0)  # 8 − 5 − estimated 10
        self.assertIn("The consumption is negative (-7", reading.check_warning)

    def test_phone_views(self):
        """The queue opens as cards on a phone; the round's lines have a card view for it too."""
        action = self.env.ref("osmd_metering.osmd_meter_reading_to_confirm_action")
        self.assertIn("kanban", action.view_mode.split(","))
        self.assertEqual(action.mobile_view_mode, "kanban")
        arch = self.env["osmd.reading.round"].get_views([(False, "form")])["views"]["form"]["arch"]
        tree = etree.fromstring(arch)
        self.assertIsNotNone(tree.find(".//field[@name='line_ids']/kanban"))
        # the primary button outside the header, where a phone folds it under "⋮"
        self.assertTrue(tree.xpath("//sheet//button[@name='action_save']"))
