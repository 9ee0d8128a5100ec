from datetime import date
from decimal import Decimal

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.osmd_base.tests.common import OsmdCommon

JAN, FEB, MAR, APR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)


class ReadingCommon(OsmdCommon):
    """Company A's premises with meters; readings go through the engineer of A."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.engineer = cls.users_a["engineer"]
        cls.premise_1, cls.premise_2, cls.parking = cls.data_a["premises"]
        cls.water = cls.env.ref("osmd_metering.utility_cold_water")
        cls.electricity = cls.env.ref("osmd_metering.utility_electricity")
        cls.gas = cls.env.ref("osmd_metering.utility_gas")
        cls.three_zones = cls.env["osmd.utility"].create(
            {
                "name": "Three-zone electricity",
                "kind": "electricity",
                "company_id": cls.company_a.id,
                "uom_id": cls.electricity.uom_id.id,
                "zone_count": "3",
            }
        )
        cls.Reading = cls.env["osmd.meter.reading"].with_user(cls.engineer)
        cls.Meter = cls.env["osmd.meter"].with_user(cls.engineer)

    @classmethod
    def _meter(cls, serial, utility=None, premise=None, **vals):
        return cls.env["osmd.meter"].create(
            {
                "serial": serial,
                "company_id": cls.company_a.id,
                "utility_id": (utility or cls.water).id,
                "premise_id": (premise or cls.premise_1).id,
                "install_date": "2025-01-01",
                **vals,
            }
        )

    def _read(self, meter, day, *values, state="confirmed", **vals):
        """One reading of ``meter`` by the engineer: ``values`` are T1, T2, T3."""
        vals.update({f"value{zone}": value for zone, value in enumerate(values, start=1)})
        return self.Reading.create({"meter_id": meter.id, "date": day, "state": state, **vals})


@tagged("post_install", "-at_install", "osmd")
class TestReadingConsumption(ReadingCommon):
    def test_rollover_five_digits(self):
        meter = self._meter("R-1", digits=5, initial_value1=99900)
        first = self._read(meter, "2026-01-25", 99950)
        second = self._read(meter, "2026-02-25", 30)
        self.assertRecordValues(
            first | second,
            [
                {"consumption": 50.0, "is_rollover": False, "previous_id": False},
                {"consumption": 80.0, "is_rollover": True, "previous_id": first.id},
            ],
        )
        self.assertIn("30 + 10^5 − 99950", second.explanation)
        self.assertIn("= 80", second.explanation)

    def test_implausible_rollover_refused(self):
        """12 345 → 1 234 on a 5-digit meter is a typo, not 88 889 m³."""
        meter = self._meter("R-2", digits=5, initial_value1=12345)
        with self.assertRaisesMsg(ValidationError, r"R-2.*T1.*1234 is below the previous reading 12345.*88889"):
            self._read(meter, "2026-01-25", 1234)

    def test_multiplier(self):
        meter = self._meter("E-40", utility=self.electricity, zone_count=1, multiplier=40, initial_value1=1000)
        reading = self._read(meter, "2026-01-31", 1012.5)
        self.assertEqual(reading.consumption, 500.0)
        self.assertIn("(1012.5 − 1000) × 40", reading.explanation)
        # with a rollover too: (10^4 - 9990 + 5) x 40 = 600
        meter_2 = self._meter(
            "E-40b", utility=self.electricity, zone_count=1, multiplier=40, digits=4, initial_value1=9990
        )
        self.assertEqual(self._read(meter_2, "2026-01-31", 5).consumption, 600.0)

    def test_two_zones(self):
        meter = self._meter("E-2", utility=self.electricity, zone_count=2, initial_value1=100, initial_value2=50)
        reading = self._read(meter, "2026-01-31", 130.5, 60)
        self.assertRecordValues(
            reading, [{"consumption1": 30.5, "consumption2": 10.0, "consumption3": 0.0, "consumption": 40.5}]
        )
        self.assertIn("T1: 130.5 − 100; T2: 60 − 50", reading.explanation)

    def test_three_zones_with_multiplier_and_rollover(self):
        meter = self._meter(
            "E-3",
            utility=self.three_zones,
            zone_count=3,
            digits=4,
            multiplier=2,
            initial_value1=10,
            initial_value2=9995,
            initial_value3=500,
        )
        reading = self._read(meter, "2026-01-31", 20, 3, 500.25)
        self.assertRecordValues(
            reading,
            [
                {
                    "consumption1": 20.0,
                    "consumption2": 16.0,
                    "consumption3": 0.5,
                    "consumption": 36.5,
                    "is_rollover": True,
                }
            ],
        )
        periods = self.Reading._get_period_consumption(meter, [JAN])
        self.assertEqual(periods, {(meter.id, JAN): Decimal("36.500")})

    def test_value_beyond_capacity_refused(self):
        meter = self._meter("CAP-1", digits=5)
        with self.assertRaisesMsg(ValidationError, r"CAP-1.*zone T1: 100000 does not fit in the meter's 5 digits"):
            self._read(meter, "2026-01-25", 100000)
        two = self._meter("CAP-2", utility=self.electricity, zone_count=2, digits=4)
        with self.assertRaisesMsg(ValidationError, r"CAP-2.*zone T2: 12000 does not fit in the meter's 4 digits"):
            self._read(two, "2026-01-25", 10, 12000)
        # a resident's submission is refused at once as well
        with self.assertRaisesMsg(ValidationError, "does not fit"):
            self._read(meter, "2026-01-25", 123456, state="submitted", source="resident")

    def test_negative_without_capacity_refused(self):
        meter = self._meter("NEG-1", digits=0, initial_value1=100)
        with self.assertRaisesMsg(ValidationError, r"NEG-1.*T1: 90 is below the previous reading 100; set the digit"):
            self._read(meter, "2026-01-25", 90)
        self.assertFalse(meter.reading_ids)

    def test_dated_before_last_confirmed_refused(self):
        meter = self._meter("DATE-1")
        self._read(meter, "2026-02-25", 10)
        with self.assertRaisesMsg(
            ValidationError,
            r"DATE-1.*25.01.2026 is dated before the last confirmed reading of "
            r"25.02.2026",
        ):
            self._read(meter, "2026-01-25", 12)
        # a submitted one that fell behind a later confirmed reading is refused at confirmation
        late = self._read(meter, "2026-03-20", 15, state="submitted", source="resident")
        self._read(meter, "2026-03-25", 16)
        with self.assertRaisesMsg(ValidationError, "dated before the last confirmed reading of 25.03.2026"):
            late.action_confirm()
        self.assertEqual(late.state, "submitted")
        with self.assertRaisesMsg(ValidationError, "dated in the future"):
            self._read(meter, "2099-01-01", 20)
        # 00:30 in Kyiv is still the day before in UTC: a reading dated Kyiv's today is not "in the future"
        self.company_a.partner_id.tz = "Europe/Kyiv"
        with freeze_time("2026-04-30 21:30:00"):
            self._read(meter, "2026-05-01", 21)
            with self.assertRaisesMsg(ValidationError, "dated in the future"):
                self._read(meter, "2026-05-02", 22)
        with self.assertRaisesMsg(ValidationError, "before the meter was installed"):
            self._read(self._meter("DATE-2"), "2024-12-31", 1)

    def test_batch_is_all_or_nothing(self):
        good, bad = self._meter("B-1"), self._meter("B-2", digits=0, initial_value1=50)
        with self.assertRaisesMsg(ValidationError, "B-2"):
            self.Reading.create(
                [
                    {"meter_id": good.id, "date": "2026-01-25", "value1": 10, "state": "confirmed"},
                    {"meter_id": bad.id, "date": "2026-01-25", "value1": 40, "state": "confirmed"},
                ]
            )
        self.assertFalse(self.env["osmd.meter.reading"].search([("meter_id", "in", (good | bad).ids)]))

    def test_batch_of_one_meter_in_date_order(self):
        """Several readings of a meter in one batch are chained in date order, whatever the list order."""
        meter = self._meter("B-3")
        readings = self.Reading.create(
            [
                {"meter_id": meter.id, "date": "2026-03-25", "value1": 35, "state": "confirmed"},
                {"meter_id": meter.id, "date": "2026-01-25", "value1": 10, "state": "confirmed"},
                {"meter_id": meter.id, "date": "2026-02-25", "value1": 22, "state": "confirmed"},
            ]
        )
        mar, jan, feb = readings
        self.assertEqual(readings.mapped("consumption"), [13.0, 10.0, 12.0])
        self.assertEqual((mar.previous_id, feb.previous_id, jan.previous_id), (feb, jan, self.Reading))

    def test_two_confirmed_readings_in_one_period(self):
        meter = self._meter("P-1")
        jan = self._read(meter, "2026-01-25", 10)
        feb_early = self._read(meter, "2026-02-10", 14)
        feb_late = self._read(meter, "2026-02-25", 19.5)
        result = self.Reading._get_period_consumption(meter, [JAN, FEB, MAR])
        self.assertEqual(result, {(meter.id, JAN): Decimal("10.000"), (meter.id, FEB): Decimal("9.500")})
        self.assertEqual(result[meter.id, FEB], Decimal(str(feb_late.value1)) - Decimal(str(jan.value1)))
        self.assertEqual((jan | feb_early | feb_late).mapped("is_effective"), [True, False, True])
        self.assertEqual(meter.last_reading_id, feb_late)
        self.assertEqual(meter.last_value1, 19.5)

    def test_confirmed_reading_is_protected(self):
        meter = self._meter("PR-1")
        reading = self._read(meter, "2026-01-25", 10)
        with self.assertRaisesMsg(UserError, "cannot be changed"):
            reading.write({"value1": 11})
        with self.assertRaisesMsg(UserError, "Reset to submitted"):
            reading.write({"state": "submitted"})
        with self.assertRaisesMsg(UserError, "cannot be deleted"):
            reading.unlink()
        reading.note = "checked on site"  # a note is fine

    def test_anomaly_flag(self):
        high, normal = self._meter("AN-1"), self._meter("AN-2")
        values, total = [], 0
        for month, qty in enumerate([10, 9, 11, 10, 10, 10], start=1):
            total += qty
            values += [
                {"meter_id": meter.id, "date": date(2026, month, 25), "value1": total, "state": "confirmed"}
                for meter in (high, normal)
            ]
        history = self.Reading.create(values)  # one batch: each reading sees the ones before it
        self.assertFalse(any(history.mapped("is_anomaly")))
        self.assertEqual(self.water.anomaly_factor, 3)
        july = self.Reading.create(
            [
                {"meter_id": high.id, "date": "2026-07-25", "value1": total + 50, "state": "confirmed"},
                {"meter_id": normal.id, "date": "2026-07-25", "value1": total + 25, "state": "confirmed"},
            ]
        )
        self.assertEqual(july.mapped("is_anomaly"), [True, False], "50 > 3 × 10 (the 6-month average) but 25 is not")
        # the next month's average includes July: (9 + 11 + 10 + 10 + 10 + 50) / 6 = 16.67, 3 × that = 50 > 45
        self.assertFalse(self._read(high, "2026-08-25", total + 50 + 45).is_anomaly)
        # within one batch (an import of several months), each month is judged by the months before it
        imported = self._meter("AN-3")
        batch = self.Reading.create(
            [
                {"meter_id": imported.id, "date": date(2026, month, 25), "value1": value, "state": "confirmed"}
                for month, value in enumerate([10, 20, 30, 40, 50, 60, 110], start=1)
            ]
        )
        self.assertEqual(batch.mapped("is_anomaly"), [False] * 6 + [True])
        # a factor of 0 switches the flag off
        self.water.anomaly_factor = 0
        self.assertFalse(self._read(normal, "2026-08-25", total + 25 + 500).is_anomaly)

    def test_house_meter(self):
        meter = self.env["osmd.meter"].create(
            {
                "serial": "H-1",
                "company_id": self.company_a.id,
                "utility_id": self.water.id,
                "building_id": self.data_a["building"].id,
                "install_date": "2025-01-01",
                "initial_value1": 500,
            }
        )
        self.assertTrue(meter.is_house_meter)
        self.assertEqual(self._read(meter, "2026-01-31", 1500).consumption, 1000.0)

    def test_initial_value_beyond_capacity(self):
        with self.assertRaisesMsg(ValidationError, "initial reading 100000 does not fit"):
            self._meter("INIT-1", digits=5, initial_value1=100000)


@tagged("post_install", "-at_install", "osmd")
class TestReadingEstimates(ReadingCommon):
    def _estimate(self, meters, period):
        return self.Reading._create_estimates(meters, period)

    def test_estimate_then_real_reading_of_the_same_period(self):
        meter = self._meter("ES-1", initial_value1=100)
        jan = self._read(meter, "2026-01-25", 110)
        estimate = self._estimate(meter, FEB)
        self.assertRecordValues(
            estimate,
            [
                {
                    "source": "estimate",
                    "is_estimate": True,
                    "state": "confirmed",
                    "consumption": 10.0,
                    "value1": 120.0,
                    "previous_id": jan.id,
                    "date": FEB,
                }
            ],
        )
        self.assertIn("average of 1 months", estimate.explanation)
        self.assertFalse(self._estimate(meter, FEB), "a period with a confirmed reading gets no second estimate")
        real = self._read(meter, "2026-02-25", 125)
        self.assertEqual(estimate.state, "replaced")
        self.assertRecordValues(real, [{"consumption": 15.0, "previous_id": jan.id}])
        self.assertEqual(self.Reading._get_period_consumption(meter, [FEB]), {(meter.id, FEB): Decimal("15.000")})
        with self.assertRaisesMsg(UserError, "Reset to submitted"):
            estimate.write({"state": "confirmed"})
        with self.assertRaisesMsg(UserError, "cannot be changed"):
            estimate.write({"consumption": 12})
        # resetting the real reading brings the estimate back
        real.action_reset_to_submitted()
        self.assertEqual(estimate.state, "confirmed")
        self.assertRecordValues(real, [{"state": "submitted", "consumption": 0.0}])

    def test_estimate_netted_off_the_next_real_reading(self):
        meter = self._meter("ES-2", initial_value1=100)
        self._read(meter, "2026-01-25", 110)
        estimate = self._estimate(meter, FEB)
        real = self._read(meter, "2026-03-25", 135)
        self.assertEqual(estimate.state, "confirmed")
        self.assertRecordValues(real, [{"consumption": 15.0, "previous_id": estimate.id}])
        self.assertIn("135 − 110 − estimated 10", real.explanation)
        self.assertEqual(
            self.Reading._get_period_consumption(meter, [JAN, FEB, MAR]),
            {
                (meter.id, JAN): Decimal("10.000"),
                (meter.id, FEB): Decimal("10.000"),
                (meter.id, MAR): Decimal("15.000"),
            },
        )
        # the period of the estimate is closed for late readings and for a second estimate
        with self.assertRaisesMsg(ValidationError, "there is already a confirmed reading of 25.03.2026"):
            self.Reading.create(
                {"meter_id": meter.id, "date": FEB, "source": "estimate", "state": "confirmed", "consumption": 5}
            )

    def test_reading_before_confirmed_estimate_refused(self):
        meter = self._meter("ES-3", initial_value1=100)
        self._read(meter, "2026-01-25", 110)
        self._estimate(meter, MAR)
        with self.assertRaisesMsg(ValidationError, r"ES-3.*period before the confirmed estimate for 03.2026"):
            self._read(meter, "2026-02-25", 118)

    def test_estimate_two_zones_by_average(self):
        meter = self._meter("ES-4", utility=self.electricity, zone_count=2, digits=5, initial_value1=99990)
        self._read(meter, "2026-01-31", 10, 40)
        self._read(meter, "2026-02-28", 30, 60)
        estimate = self._estimate(meter, MAR)
        # T1: (20 + 20) / 2, T2: (40 + 20) / 2, T1 register rolled over in January
        self.assertRecordValues(
            estimate,
            [{"consumption1": 20.0, "consumption2": 30.0, "consumption": 50.0, "value1": 50.0, "value2": 90.0}],
        )

    def test_estimate_by_norm_per_registered_person(self):
        account_1, account_2 = self.data_a["accounts"]
        self.assertEqual(self.gas.estimate_method, "norm")
        self.assertEqual(self.gas.norm_per_person, 3.3)
        # a third person registered in February is counted, a tenant who is not counted is not
        tenant, child = self.env["res.partner"].create([{"name": "Tenant"}, {"name": "Child"}])
        self.env["osmd.resident"].create(
            [
                {"account_id": account_1.id, "partner_id": child.id, "relation": "family", "date_start": "2026-02-01"},
                {
                    "account_id": account_1.id,
                    "partner_id": tenant.id,
                    "relation": "tenant",
                    "date_start": "2025-01-01",
                    "is_counted": False,
                },
            ]
        )
        gas_1 = self._meter("G-1", utility=self.gas, premise=self.premise_1, initial_value1=10)
        gas_2 = self._meter("G-2", utility=self.gas, premise=self.premise_2)
        gas_3 = self._meter("G-3", utility=self.gas, premise=self.parking)  # no account: no person
        estimates = self._estimate(gas_1 | gas_2 | gas_3, JAN)
        by_meter = {e.meter_id: e for e in estimates}
        self.assertEqual(by_meter[gas_1].consumption, 6.6)
        self.assertEqual(by_meter[gas_1].value1, 16.6)
        self.assertIn("3.3 × 2 persons", by_meter[gas_1].explanation)
        self.assertEqual(by_meter[gas_2].consumption, 3.3)
        self.assertEqual(by_meter[gas_3].consumption, 0.0)
        feb = self._estimate(gas_1, FEB)
        self.assertEqual(feb.consumption, 9.9, "three persons are registered on 1 February")
        self.assertEqual(feb.previous_id, by_meter[gas_1])

    def test_no_estimate_without_history_or_before_installation(self):
        self.assertFalse(self._estimate(self._meter("ES-5"), JAN), "no history to average")
        gas = self._meter("ES-6", utility=self.gas, install_date="2026-03-10")
        self.assertFalse(self._estimate(gas, FEB), "installed after the period")
        self.assertEqual(self._estimate(gas, MAR).date, date(2026, 3, 10))
        self.water.estimate_method = "none"
        meter = self._meter("ES-7")
        self._read(meter, "2026-01-25", 5)
        self.assertFalse(self._estimate(meter, FEB))


@tagged("post_install", "-at_install", "osmd")
class TestReadingWorkflow(ReadingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.resident = new_test_user(
            cls.env,
            login="mcore_resident",
            groups="osmd_base.group_osmd_resident",
            partner_id=cls.data_a["owners"][0].id,
            company_id=cls.company_a.id,
            company_ids=[cls.company_a.id],
        )

    def _submit(self, meter, day, value):
        """A resident's submission (the portal creates it on their behalf)."""
        return (
            self.env["osmd.meter.reading"]
            .with_user(self.resident)
            .sudo()
            .create(
                {
                    "meter_id": meter.id,
                    "date": day,
                    "value1": value,
                    "source": "resident",
                }
            )
        )

    def test_resident_submission_confirmed(self):
        meter = self._meter("W-1", initial_value1=5)
        reading = self._submit(meter, "2026-01-24", 17)
        self.assertRecordValues(
            reading, [{"state": "submitted", "submitted_by_id": self.resident.id, "consumption": 0.0}]
        )
        reading.with_user(self.engineer).action_confirm()
        self.assertRecordValues(reading, [{"state": "confirmed", "consumption": 12.0}])
        with self.assertRaisesMsg(UserError, "Only submitted readings can be confirmed"):
            reading.with_user(self.engineer).action_confirm()

    def test_rejection_with_reason_tells_the_resident(self):
        meter = self._meter("W-2", initial_value1=5)
        reading = self._submit(meter, "2026-01-24", 17)
        action = reading.with_user(self.engineer).action_reject()
        self.assertEqual(action["res_model"], "osmd.meter.reading.reject")
        self.assertEqual(reading.state, "submitted", "nothing happens before the reason is given")
        form = Form(self.env["osmd.meter.reading.reject"].with_user(self.engineer).with_context(**action["context"]))
        with self.assertRaises(AssertionError):
            form.save()  # the reason is required
        form.reason = "The photo shows 71, not 17"
        form.save().action_reject()
        self.assertRecordValues(reading, [{"state": "rejected", "reject_reason": "The photo shows 71, not 17"}])
        message = reading.message_ids.filtered(lambda m: self.resident.partner_id in m.partner_ids)
        self.assertEqual(len(message), 1)
        self.assertIn("The photo shows 71, not 17", str(message.body))
        self.assertIn("W-2", str(message.body))
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"))
        # a rejected reading is not counted, and cannot be rejected twice
        self.assertFalse(self.Reading._get_period_consumption(meter, [JAN]))
        with self.assertRaisesMsg(UserError, "Only submitted readings can be rejected"):
            reading.with_user(self.engineer).action_reject()
        # the resident may send a corrected value
        self._submit(meter, "2026-01-24", 71).with_user(self.engineer).action_confirm()
        self.assertEqual(self.Reading._get_period_consumption(meter, [JAN]), {(meter.id, JAN): Decimal("66.000")})

    def test_engineer_rejection_posts_no_resident_message(self):
        meter = self._meter("W-3")
        reading = self._read(meter, "2026-01-24", 3, state="submitted")
        reading.with_user(self.engineer).action_reject(reason="Wrong meter")
        self.assertRecordValues(reading, [{"state": "rejected", "reject_reason": "Wrong meter"}])
        self.assertFalse(reading.message_ids.filtered(lambda m: m.message_type == "comment"))

    def test_reset_to_submitted_only_the_last(self):
        meter = self._meter("W-4")
        jan = self._read(meter, "2026-01-25", 10)
        feb = self._read(meter, "2026-02-25", 18)
        with self.assertRaisesMsg(UserError, r"W-4.*only its last confirmed reading \(25.02.2026\)"):
            jan.action_reset_to_submitted()
        feb.action_reset_to_submitted()
        self.assertRecordValues(feb, [{"state": "submitted", "consumption": 0.0, "previous_id": False}])
        feb.value1 = 19  # a submitted reading can be corrected
        feb.action_confirm()
        self.assertRecordValues(feb, [{"state": "confirmed", "consumption": 9.0, "previous_id": jan.id}])
        feb.action_reset_to_submitted()
        jan.action_reset_to_submitted()
        self.assertEqual(jan.state, "submitted")


@tagged("post_install", "-at_install", "osmd", "osmd_perf")
class TestReadingBatchQueries(ReadingCommon):
    """Checking and confirming a batch costs the same number of queries for 3 or 30 readings."""

    def _confirm_round(self, count, tag):
        meters = self.env["osmd.meter"].create(
            [
                {
                    "serial": f"{tag}-{i}",
                    "company_id": self.company_a.id,
                    "utility_id": self.water.id,
                    "premise_id": self.premise_1.id,
                    "install_date": "2025-01-01",
                }
                for i in range(count)
            ]
        )
        self.Reading.create(
            [{"meter_id": m.id, "date": "2026-01-25", "value1": 10, "state": "confirmed"} for m in meters]
        )
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        readings = self.Reading.create(
            [
                {"meter_id": m.id, "date": "2026-02-25", "value1": 10 + i, "state": "confirmed"}
                for i, m in enumerate(meters)
            ]
        )
        self.env.flush_all()
        queries = self.env.cr.sql_log_count - before
        self.assertEqual(readings.mapped("consumption"), [float(i) for i in range(count)])
        return queries

    def test_query_count_does_not_grow_with_the_batch(self):
        self._confirm_round(2, "warm")
        small, large = self._confirm_round(3, "small"), self._confirm_round(30, "large")
        self.assertEqual(small, large, f"{small} queries for 3 readings, {large} for 30")
