from datetime import date
from decimal import Decimal
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from odoo.addons.osmd_base.tests.common import OsmdCommon

MARCH = date(2025, 3, 1)


@tagged("post_install", "-at_install", "osmd")
class TestMeterReplacement(OsmdCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Meter = cls.env["osmd.meter"]
        cls.Reading = cls.env["osmd.meter.reading"]
        cls.engineer = cls.users_a["engineer"]
        m3 = cls.env.ref("uom.product_uom_cubic_meter")
        cls.water, cls.power = cls.env["osmd.utility"].create(
            [
                {"name": "Test cold water", "kind": "cold_water", "uom_id": m3.id, "company_id": cls.company_a.id},
                {
                    "name": "Test electricity",
                    "kind": "electricity",
                    "uom_id": cls.env.ref("uom.product_uom_kwh").id,
                    "zone_count": "2",
                    "company_id": cls.company_a.id,
                },
            ]
        )
        cls.premise = cls.data_a["premises"][0]
        cls.building = cls.data_a["building"]
        cls.meter = cls.Meter.create(
            {
                "serial": "CW-100",
                "company_id": cls.company_a.id,
                "utility_id": cls.water.id,
                "premise_id": cls.premise.id,
                "install_date": "2024-01-01",
                "initial_value1": 100,
                "digits": 5,
            }
        )
        cls.Reading.create({"meter_id": cls.meter.id, "date": "2025-02-25", "value1": 120, "state": "confirmed"})

    def _wizard(self, meter=None, **vals):
        return (
            self.env["osmd.meter.replace"]
            .with_user(self.engineer)
            .create(
                {
                    "meter_id": (meter or self.meter).id,
                    "date": "2025-03-10",
                    "final_value1": 135,
                    "serial": "CW-200",
                    "initial_value1": 0,
                    **vals,
                }
            )
        )

    def _assert_nothing_done(self, meter=None, serial="CW-200"):
        meter = meter or self.meter
        self.assertRecordValues(meter, [{"state": "active", "removal_date": False, "replaced_by_id": False}])
        self.assertFalse(self.Reading.search_count([("meter_id", "=", meter.id), ("date", ">=", "2025-03-01")]))
        self.assertFalse(self.Meter.with_context(active_test=False).search_count([("serial", "=", serial)]))

    def test_replacement_within_period(self):
        """Old meter 120 → final 135 on the 10th, new meter 0 → 7 at month end: 15 + 7 = 22 for the period."""
        wizard_model = self.env["osmd.meter.replace"].with_user(self.engineer)
        form = Form(wizard_model.with_context(default_meter_id=self.meter.id))
        self.assertEqual(form.previous_value1, 120)
        self.assertEqual(form.previous_date, date(2025, 2, 25))
        self.assertEqual((form.digits, form.zone_count, form.multiplier), (5, 1, 1))
        form.date = date(2025, 3, 10)
        self.assertEqual(form.verification_date, date(2025, 3, 10), "a new meter is verified when installed")
        form.final_value1 = 135
        form.serial = " CW-200 "
        form.initial_value1 = 0
        form.seal_number = "S-77"
        action = form.save().action_apply()

        new = self.Meter.browse(action["res_id"])
        self.assertRecordValues(
            self.meter,
            [
                {
                    "state": "replaced",
                    "removal_date": date(2025, 3, 10),
                    "replaced_by_id": new.id,
                }
            ],
        )
        self.assertRecordValues(
            new,
            [
                {
                    "serial": "CW-200",
                    "company_id": self.company_a.id,
                    "utility_id": self.water.id,
                    "premise_id": self.premise.id,
                    "building_id": self.building.id,
                    "entrance": self.premise.entrance,
                    "install_date": date(2025, 3, 10),
                    "initial_value1": 0.0,
                    "digits": 5,
                    "multiplier": 1.0,
                    "zone_count": 1,
                    "verification_date": date(2025, 3, 10),
                    "seal_number": "S-77",
                    "replaces_id": self.meter.id,
                    "state": "active",
                }
            ],
        )
        final = self.meter.reading_ids.filtered(lambda r: r.date == date(2025, 3, 10))
        self.assertRecordValues(
            final,
            [
                {
                    "source": "engineer",
                    "state": "confirmed",
                    "value1": 135.0,
                    "consumption": 15.0,
                    "period": MARCH,
                }
            ],
        )

        self.Reading.with_user(self.engineer).create(
            {"meter_id": new.id, "date": "2025-03-31", "value1": 7, "state": "confirmed"}
        )
        result = self.Reading._get_premise_consumption(self.premise, self.water, [MARCH, date(2025, 2, 1)])
        self.assertEqual(
            result,
            {
                (self.premise.id, self.water.id, MARCH): Decimal("22.000"),
                (self.premise.id, self.water.id, date(2025, 2, 1)): Decimal("20.000"),
            },
        )
        self.assertIsInstance(result[self.premise.id, self.water.id, MARCH], Decimal)
        # the old meter is out of service: no more readings, whatever the context says (RPC sets it)
        for context in ({}, {"osmd_final_reading": True}):
            with self.assertRaisesMsg(ValidationError, "is not active"):
                self.Reading.with_user(self.engineer).with_context(**context).create(
                    {"meter_id": self.meter.id, "date": "2025-03-31", "value1": 140, "state": "confirmed"}
                )

    def test_final_below_previous_creates_nothing(self):
        meters_before = self.Meter.with_context(active_test=False).search_count([])
        with self.assertRaisesMsg(ValidationError, r"final reading 110 is below the last reading 120 of 25\.02\.2025"):
            self._wizard(final_value1=110).action_apply()
        self._assert_nothing_done()
        self.assertEqual(self.Meter.with_context(active_test=False).search_count([]), meters_before)

    def test_rollover_final_needs_confirmation(self):
        meter = self.Meter.create(
            {
                "serial": "CW-300",
                "company_id": self.company_a.id,
                "utility_id": self.water.id,
                "premise_id": self.data_a["premises"][1].id,
                "install_date": "2024-01-01",
                "initial_value1": 900,
                "digits": 3,
            }
        )
        self.Reading.create({"meter_id": meter.id, "date": "2025-02-25", "value1": 990, "state": "confirmed"})
        with self.assertRaisesMsg(ValidationError, "Tick 'Register rolled over'"):
            self._wizard(meter, final_value1=5, serial="CW-301").action_apply()
        self._assert_nothing_done(meter, "CW-301")
        self._wizard(meter, final_value1=5, serial="CW-301", is_rollover=True).action_apply()
        final = meter.reading_ids.filtered(lambda r: r.date == date(2025, 3, 10))
        self.assertRecordValues(final, [{"consumption": 15.0, "is_rollover": True, "state": "confirmed"}])
        self.assertEqual(meter.state, "replaced")

    def test_invalid_replacements_create_nothing(self):
        with self.assertRaisesMsg(ValidationError, "CW-100 already exists"):
            self._wizard(serial="CW-100").action_apply()
        with self.assertRaisesMsg(ValidationError, "dated before the last confirmed reading"):
            self._wizard(date="2025-02-20").action_apply()
        with self.assertRaisesMsg(ValidationError, "cannot be in the future"):
            self._wizard(date="2099-01-01").action_apply()
        with self.assertRaisesMsg(ValidationError, "initial reading 100000 must be between 0"):
            self._wizard(initial_value1=100000).action_apply()
        self._assert_nothing_done()

    def test_failure_after_final_reading_rolls_everything_back(self):
        """An error after the final reading and the new meter were created leaves nothing behind."""
        wizard = self._wizard()
        # no assertRaises here: its own savepoint would hide a half-done replacement
        with patch.object(type(self.Meter), "message_post", side_effect=UserError("mail server down")):
            try:
                wizard.action_apply()
            except UserError as exc:
                self.assertEqual(str(exc), "mail server down")
            else:
                self.fail("the replacement should have failed")
        self._assert_nothing_done()

    def test_replace_two_zone_meter(self):
        meter = self.Meter.create(
            {
                "serial": "EL-1",
                "company_id": self.company_a.id,
                "utility_id": self.power.id,
                "premise_id": self.premise.id,
                "install_date": "2024-01-01",
                "zone_count": 2,
                "digits": 6,
                "initial_value1": 1000,
                "initial_value2": 500,
            }
        )
        self.Reading.create(
            {"meter_id": meter.id, "date": "2025-02-25", "value1": 1100, "value2": 550, "state": "confirmed"}
        )
        with self.assertRaisesMsg(ValidationError, "zone T2: the final reading 540 is below"):
            self._wizard(meter, serial="EL-2", final_value1=1130, final_value2=540).action_apply()
        action = self._wizard(
            meter, serial="EL-2", final_value1=1130, final_value2=560, zone_count=2, initial_value1=0, initial_value2=0
        ).action_apply()
        new = self.Meter.browse(action["res_id"])
        self.assertEqual(new.zone_count, 2)
        self.Reading.create({"meter_id": new.id, "date": "2025-03-31", "value1": 20, "value2": 5, "state": "confirmed"})
        result = self.Reading._get_premise_consumption(self.premise, self.power, [MARCH])
        self.assertEqual(result[self.premise.id, self.power.id, MARCH], Decimal("65"))  # 30 + 10 + 20 + 5

    def test_replace_house_meter(self):
        house = self.Meter.create(
            {
                "serial": "H-1",
                "company_id": self.company_a.id,
                "utility_id": self.water.id,
                "building_id": self.building.id,
                "entrance": 1,
                "install_date": "2024-01-01",
                "initial_value1": 5000,
            }
        )
        self.Reading.create({"meter_id": house.id, "date": "2025-02-28", "value1": 5400, "state": "confirmed"})
        action = self._wizard(house, serial="H-2", final_value1=5500, initial_value1=10).action_apply()
        new = self.Meter.browse(action["res_id"])
        self.assertRecordValues(
            new,
            [
                {
                    "premise_id": False,
                    "building_id": self.building.id,
                    "entrance": 1,
                    "is_house_meter": True,
                    "initial_value1": 10.0,
                    "replaces_id": house.id,
                }
            ],
        )
        self.Reading.create({"meter_id": new.id, "date": "2025-03-31", "value1": 60, "state": "confirmed"})
        by_meter = self.Reading._get_period_consumption(house | new, [MARCH])
        self.assertEqual(sum(by_meter.values()), Decimal("150"))  # 100 + 50

    def test_only_engineers_replace(self):
        with self.assertRaises(AccessError):
            self.env["osmd.meter.replace"].with_user(self.users_a["audit"]).create(
                {"meter_id": self.meter.id, "date": "2025-03-10", "serial": "X"}
            )
        with self.assertRaises(AccessError):
            self.env["osmd.meter.replace"].with_user(self.users_b["engineer"]).create(
                {"meter_id": self.meter.id, "date": "2025-03-10", "serial": "X"}
            ).action_apply()
        self._assert_nothing_done(serial="X")
