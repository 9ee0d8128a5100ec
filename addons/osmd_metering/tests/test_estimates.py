from datetime import date
from decimal import Decimal

from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from odoo.addons.osmd_base.tests.common import OsmdCommon

MARCH = date(2025, 3, 1)


@tagged("post_install", "-at_install", "osmd")
class TestMeterEstimates(OsmdCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Meter = cls.env["osmd.meter"]
        cls.Reading = cls.env["osmd.meter.reading"]
        cls.engineer = cls.users_a["engineer"]
        m3 = cls.env.ref("uom.product_uom_cubic_meter")
        cls.water, cls.gas = cls.env["osmd.utility"].create(
            [
                {
                    "name": "Test water",
                    "kind": "cold_water",
                    "uom_id": m3.id,
                    "company_id": cls.company_a.id,
                    "estimate_method": "average",
                    "estimate_months": 3,
                },
                {
                    "name": "Test gas",
                    "kind": "gas",
                    "uom_id": m3.id,
                    "company_id": cls.company_a.id,
                    "estimate_method": "norm",
                    "norm_per_person": 3.2,
                },
            ]
        )
        cls.building = cls.data_a["building"]
        cls.p1, cls.p2 = cls.data_a["premises"][0], cls.data_a["premises"][1]
        # a person living there but not counted for norms does not change the estimate
        cls.env["osmd.resident"].create(
            {
                "account_id": cls.data_a["accounts"][0].id,
                "partner_id": cls.data_a["owners"][2].id,
                "relation": "tenant",
                "date_start": "2021-01-01",
                "is_counted": False,
            }
        )
        cls.water_meter, cls.gas_meter1, cls.gas_meter2 = cls.Meter.create(
            [
                {
                    "serial": "W-1",
                    "company_id": cls.company_a.id,
                    "utility_id": cls.water.id,
                    "premise_id": cls.p1.id,
                    "install_date": "2024-01-01",
                },
                {
                    "serial": "G-1",
                    "company_id": cls.company_a.id,
                    "utility_id": cls.gas.id,
                    "premise_id": cls.p1.id,
                    "install_date": "2024-01-01",
                },
                {
                    "serial": "G-2",
                    "company_id": cls.company_a.id,
                    "utility_id": cls.gas.id,
                    "premise_id": cls.p2.id,
                    "install_date": "2024-01-01",
                },
            ]
        )
        # monthly consumption 40 (November, outside the 3-month window), 10, 12, 14 → average 12
        cls.Reading.create(
            [
                {"meter_id": cls.water_meter.id, "date": day, "value1": value, "state": "confirmed"}
                for day, value in (("2024-11-25", 40), ("2024-12-25", 50), ("2025-01-25", 62), ("2025-02-25", 76))
            ]
        )

    def _estimate(self, **vals):
        wizard = (
            self.env["osmd.meter.estimate"]
            .with_user(self.engineer)
            .create({"building_id": self.building.id, "period": "2025-03-15", **vals})
        )
        return wizard.action_estimate()

    def test_estimate_wizard_form(self):
        form = Form(self.env["osmd.meter.estimate"].with_user(self.engineer))
        self.assertEqual(form.company_id, self.company_a)
        form.building_id = self.building
        form.utility_id = self.water
        form.period = date(2025, 3, 31)
        form.save().action_estimate()
        self.assertEqual(self._period_readings(self.water_meter).consumption, 12.0)

    def _period_readings(self, meter, period=MARCH):
        return self.Reading.search([("meter_id", "=", meter.id), ("period", "=", period)])

    def test_estimate_by_average_then_real_reading(self):
        action = self._estimate(utility_id=self.water.id)
        estimate = self._period_readings(self.water_meter)
        self.assertEqual(action["domain"], [("id", "in", estimate.ids)])
        self.assertRecordValues(
            estimate,
            [
                {
                    "source": "estimate",
                    "is_estimate": True,
                    "state": "confirmed",
                    "consumption": 12.0,
                    "date": MARCH,
                    "value1": 88.0,
                }
            ],
        )
        self.assertIn("average of 3 months", estimate.explanation)
        key = (self.p1.id, self.water.id, MARCH)
        self.assertEqual(self.Reading._get_premise_consumption(self.p1, self.water, [MARCH])[key], Decimal(12))

        # running it again estimates nothing more
        again = self._estimate(utility_id=self.water.id)
        self.assertEqual(again["type"], "ir.actions.client")
        self.assertEqual(len(self._period_readings(self.water_meter)), 1)

        # the real reading of the same period replaces the estimate: March is 91 − 76 = 15, not 12 + 15
        real = self.Reading.with_user(self.engineer).create(
            {"meter_id": self.water_meter.id, "date": "2025-03-25", "value1": 91, "source": "engineer"}
        )
        self.assertEqual(estimate.state, "confirmed", "a submitted reading does not replace the estimate yet")
        real.action_confirm()
        self.assertRecordValues(
            estimate | real,
            [
                {"state": "replaced", "consumption": 12.0},
                {"state": "confirmed", "consumption": 15.0},
            ],
        )
        self.assertEqual(self.Reading._get_premise_consumption(self.p1, self.water, [MARCH])[key], Decimal(15))
        self.assertEqual(self._estimate(utility_id=self.water.id)["type"], "ir.actions.client")

    def test_estimate_by_norm(self):
        """2 registered persons × 3.2 = 6.4 (the tenant not counted for norms is left out); 1 × 3.2 = 3.2."""
        self._estimate(utility_id=self.gas.id)
        estimates = self._period_readings(self.gas_meter1) | self._period_readings(self.gas_meter2)
        self.assertRecordValues(
            estimates,
            [
                {"meter_id": self.gas_meter1.id, "source": "estimate", "consumption": 6.4, "is_estimate": True},
                {"meter_id": self.gas_meter2.id, "source": "estimate", "consumption": 3.2, "is_estimate": True},
            ],
        )
        self.assertIn("3.2 × 2 persons", estimates[0].explanation)
        result = self.Reading._get_premise_consumption(self.p1 | self.p2, self.gas, [MARCH])
        self.assertEqual(
            result, {(self.p1.id, self.gas.id, MARCH): Decimal("6.4"), (self.p2.id, self.gas.id, MARCH): Decimal("3.2")}
        )

    def test_estimate_by_norm_of_a_meter_installed_during_the_month(self):
        """A meter installed on 16.03 (a replacement: the old meter measured the days before) estimates
        its 16 days of 31: 6.4 × 16/31 = 3.303."""
        self.gas_meter1.install_date = date(2025, 3, 16)
        self._estimate(utility_id=self.gas.id)
        estimate = self._period_readings(self.gas_meter1)
        self.assertRecordValues(estimate, [{"consumption": 3.303, "date": date(2025, 3, 16)}])
        self.assertIn("3.2 × 2 persons × 16/31 days = 3.303", estimate.explanation)
        self.assertEqual(self._period_readings(self.gas_meter2).consumption, 3.2, "a whole month elsewhere")

    def test_estimate_scope(self):
        """Only meters of the chosen building/association without a confirmed reading in the period or later;
        house meters only on request."""
        read = self.Meter.create(
            {
                "serial": "G-3",
                "company_id": self.company_a.id,
                "utility_id": self.gas.id,
                "premise_id": self.data_a["premises"][2].id,
                "install_date": "2024-01-01",
            }
        )
        self.Reading.create({"meter_id": read.id, "date": "2025-03-05", "value1": 4, "state": "confirmed"})
        later = self.gas_meter2
        self.Reading.create({"meter_id": later.id, "date": "2025-04-05", "value1": 9, "state": "confirmed"})
        house = self.Meter.create(
            {
                "serial": "GH-1",
                "company_id": self.company_a.id,
                "utility_id": self.gas.id,
                "building_id": self.building.id,
                "install_date": "2024-01-01",
            }
        )
        other_building = self.env["osmd.building"].create(
            {"name": "Будинок A2", "company_id": self.company_a.id, "street": "вул. Садова, 1", "city": "Київ"}
        )
        other_premise = self.env["osmd.premise"].create(
            {"building_id": other_building.id, "number": "7", "total_area": 40}
        )
        elsewhere = self.Meter.create(
            {
                "serial": "G-9",
                "company_id": self.company_a.id,
                "utility_id": self.gas.id,
                "premise_id": other_premise.id,
                "install_date": "2024-01-01",
            }
        )
        b_utility = self.env["osmd.utility"].create(
            {
                "name": "B gas",
                "kind": "gas",
                "uom_id": self.gas.uom_id.id,
                "company_id": self.company_b.id,
                "estimate_method": "norm",
                "norm_per_person": 1,
            }
        )
        b_meter = self.Meter.create(
            {
                "serial": "G-B",
                "company_id": self.company_b.id,
                "utility_id": b_utility.id,
                "premise_id": self.data_b["premises"][0].id,
                "install_date": "2024-01-01",
            }
        )

        self._estimate(utility_id=self.gas.id)
        estimated = self.Reading.search([("source", "=", "estimate")]).meter_id
        self.assertEqual(estimated, self.gas_meter1)

        self._estimate(utility_id=self.gas.id, building_id=False, include_house_meters=True)
        estimated = self.Reading.search([("source", "=", "estimate")]).meter_id
        self.assertEqual(estimated, self.gas_meter1 | house | elsewhere)
        self.assertNotIn(b_meter, estimated)
        self.assertNotIn(read, estimated)

    def test_only_engineers_estimate(self):
        with self.assertRaises(AccessError):
            self.env["osmd.meter.estimate"].with_user(self.users_a["audit"]).create({"period": "2025-03-01"})
