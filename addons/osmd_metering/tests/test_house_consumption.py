from datetime import date
from decimal import Decimal

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from odoo.addons.osmd_base.tests.common import OsmdCommon

MARCH, APRIL, MAY = date(2025, 3, 1), date(2025, 4, 1), date(2025, 5, 1)


def dec(value):
    return Decimal(str(value)).quantize(Decimal("0.001"))


@tagged("post_install", "-at_install", "osmd")
class TestHouseConsumption(OsmdCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Meter = cls.env["osmd.meter"]
        cls.Reading = cls.env["osmd.meter.reading"]
        cls.House = cls.env["osmd.house.consumption"]
        cls.engineer = cls.users_a["engineer"]
        m3 = cls.env.ref("uom.product_uom_cubic_meter")
        cls.water, cls.heat = cls.env["osmd.utility"].create(
            [
                {
                    "name": "Test water",
                    "kind": "cold_water",
                    "uom_id": m3.id,
                    "company_id": cls.company_a.id,
                    "loss_basis": "area",
                },
                {
                    "name": "Test hot water",
                    "kind": "hot_water",
                    "uom_id": m3.id,
                    "company_id": cls.company_a.id,
                    "loss_basis": "persons",
                },
            ]
        )
        cls.building = cls.data_a["building"]
        cls.p1, cls.p2, cls.parking = cls.data_a["premises"]  # 52.30 m², 2 persons; 71.15 m², 1 person; 13.50 m²
        common = {"company_id": cls.company_a.id, "install_date": "2024-01-01"}
        (cls.house_meter, cls.m1, cls.m2, cls.heat_house, cls.heat1, cls.heat2) = cls.Meter.create(
            [
                dict(common, serial="HW-1", utility_id=cls.water.id, building_id=cls.building.id, initial_value1=1000),
                dict(common, serial="W-1", utility_id=cls.water.id, premise_id=cls.p1.id),
                dict(common, serial="W-2", utility_id=cls.water.id, premise_id=cls.p2.id),
                dict(common, serial="HH-1", utility_id=cls.heat.id, building_id=cls.building.id),
                dict(common, serial="H-1", utility_id=cls.heat.id, premise_id=cls.p1.id),
                dict(common, serial="H-2", utility_id=cls.heat.id, premise_id=cls.p2.id),
            ]
        )
        readings = [
            # March: house 100, premises 30 + 25 → 45; April: house 50, premises 30 + 25 → −5
            (cls.house_meter, "2025-03-31", 1100),
            (cls.house_meter, "2025-04-30", 1150),
            (cls.house_meter, "2025-05-31", 1200),
            (cls.m1, "2025-03-31", 30),
            (cls.m1, "2025-04-30", 60),
            (cls.m1, "2025-05-31", 70),
            (cls.m2, "2025-03-31", 25),
            (cls.m2, "2025-04-30", 50),
            # hot water in March: house 20, premises 5 + 5 → 10 shared by persons 2 : 1
            (cls.heat_house, "2025-03-31", 20),
            (cls.heat1, "2025-03-31", 5),
            (cls.heat2, "2025-03-31", 5),
        ]
        cls.Reading.create(
            [
                {"meter_id": meter.id, "date": day, "value1": value, "state": "confirmed"}
                for meter, day, value in readings
            ]
        )

    def _compute(self, utility=None, period="2025-03-20", building=None, **vals):
        record = self.House.with_user(self.engineer).create(
            {
                "building_id": (building or self.building).id,
                "utility_id": (utility or self.water).id,
                "period": period,
                **vals,
            }
        )
        record.action_compute()
        return record

    def _assert_exact(self, record, expected):
        """Line quantities as expected ({premise: '1.234'}), summing exactly to the difference."""
        quantities = {line.premise_id: dec(line.quantity) for line in record.line_ids}
        self.assertEqual(quantities, {premise: Decimal(qty) for premise, qty in expected.items()})
        self.assertEqual(sum(quantities.values()), dec(record.difference))

    def test_share_by_area(self):
        record = self._compute()
        self.assertEqual(record.period, MARCH)
        self.assertEqual(record.meter_ids, self.house_meter)
        self.assertRecordValues(
            record,
            [
                {
                    "state": "computed",
                    "loss_basis": "area",
                    "house_total": 100.0,
                    "premises_total": 55.0,
                    "difference": 45.0,
                    "weight_total": 123.45,
                    "shared_total": 45.0,
                    "warning": False,
                }
            ],
        )
        # the parking space has no water meter: it takes no share
        self._assert_exact(record, {self.p1: "19.064", self.p2: "25.936"})
        line1 = record.line_ids.filtered(lambda line: line.premise_id == self.p1)
        self.assertRecordValues(
            line1,
            [
                {
                    "account_id": self.data_a["accounts"][0].id,
                    "utility_id": self.water.id,
                    "period": MARCH,
                    "premise_consumption": 30.0,
                    "weight": 52.3,
                }
            ],
        )
        self.assertEqual(line1.explanation, "52.30 m² / 123.45 m² × 45.000 = 19.064")
        self.assertIn("Difference = 100.000 − 55.000 = 45.000", record.explanation)
        # billing reads the lines by premise, utility and period
        self.assertEqual(
            self.env["osmd.house.consumption.line"]
            .search([("premise_id", "=", self.p2.id), ("utility_id", "=", self.water.id), ("period", "=", MARCH)])
            .quantity,
            25.936,
        )

    def test_equal_areas_largest_remainder(self):
        """3 premises of equal area share 10.000 as 3.334 / 3.333 / 3.333."""
        building = self.env["osmd.building"].create(
            {"name": "Будинок C", "company_id": self.company_a.id, "street": "вул. Садова, 3", "city": "Київ"}
        )
        premises = self.env["osmd.premise"].create(
            [{"building_id": building.id, "number": str(n), "total_area": 40.0} for n in (1, 2, 3)]
        )
        common = {"company_id": self.company_a.id, "install_date": "2024-01-01", "utility_id": self.water.id}
        meters = self.Meter.create(
            [dict(common, serial="HC-1", building_id=building.id)]
            + [dict(common, serial=f"C-{premise.number}", premise_id=premise.id) for premise in premises]
        )
        self.Reading.create(
            [
                {"meter_id": meter.id, "date": "2025-03-31", "value1": value, "state": "confirmed"}
                for meter, value in zip(meters, (40, 10, 10, 10), strict=True)
            ]
        )
        record = self._compute(building=building)
        self.assertEqual(record.difference, 10.0)
        self.assertEqual(
            sorted(dec(q) for q in record.line_ids.mapped("quantity")),
            [Decimal("3.333"), Decimal("3.333"), Decimal("3.334")],
        )
        self.assertEqual(sum(dec(q) for q in record.line_ids.mapped("quantity")), Decimal("10.000"))
        rounded = record.line_ids.filtered(lambda line: dec(line.quantity) == Decimal("3.334"))
        self.assertEqual(
            rounded.explanation,
            "40.00 m² / 120.00 m² × 10.000 = 3.334 (3.333 rounded so that the shares add up to the difference)",
        )

    def test_share_by_persons(self):
        record = self._compute(utility=self.heat)
        self.assertRecordValues(
            record,
            [
                {
                    "loss_basis": "persons",
                    "house_total": 20.0,
                    "premises_total": 10.0,
                    "difference": 10.0,
                    "weight_total": 3.0,
                }
            ],
        )
        self._assert_exact(record, {self.p1: "6.667", self.p2: "3.333"})
        line1 = record.line_ids.filtered(lambda line: line.premise_id == self.p1)
        self.assertEqual(line1.explanation, "2 persons / 3 persons × 10.000 = 6.667")

        # the basis can be overridden per record: by area 52.30 : 71.15
        record.write({"loss_basis": "area"})
        record.action_compute()
        self._assert_exact(record, {self.p1: "4.237", self.p2: "5.763"})

    def test_negative_difference(self):
        """House 50 < premises 55: −5.000 is shared by default (the premises' quantities go down)."""
        record = self._compute(period="2025-04-01")
        self.assertRecordValues(record, [{"difference": -5.0, "shared_total": -5.0}])
        self._assert_exact(record, {self.p1: "-2.118", self.p2: "-2.882"})

        # the association may choose to report it only
        record.share_negative = False
        record.action_compute()
        self.assertRecordValues(record, [{"difference": -5.0, "shared_total": 0.0, "premises_total": 55.0}])
        self.assertEqual(record.line_ids.mapped("quantity"), [0.0, 0.0])
        self.assertEqual(set(record.line_ids.mapped("explanation")), {"The negative difference is not shared."})
        self.assertIn("reported, not shared", record.explanation)

    def test_recompute_until_done(self):
        record = self._compute(period="2025-05-01")  # W-2 has no May reading yet
        self.assertRecordValues(record, [{"house_total": 50.0, "premises_total": 10.0, "difference": 40.0}])
        self.assertIn("W-2", record.warning)
        self.Reading.create({"meter_id": self.m2.id, "date": "2025-05-31", "value1": 70, "state": "confirmed"})
        record.action_compute()
        self.assertRecordValues(record, [{"premises_total": 30.0, "difference": 20.0, "warning": False}])
        self.assertEqual(len(record.line_ids), 2, "recomputing replaces the lines")
        self._assert_exact(record, {self.p1: "8.473", self.p2: "11.527"})

        record.action_done()
        self.assertEqual(record.state, "done")
        with self.assertRaisesMsg(UserError, "cannot be recomputed"):
            record.action_compute()
        with self.assertRaisesMsg(UserError, "cannot be changed"):
            record.loss_basis = "persons"
        with self.assertRaisesMsg(UserError, "cannot be deleted"):
            record.unlink()
        with self.assertRaisesMsg(UserError, "Only the chairman"):
            record.action_reset_to_draft()
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.House.create({"building_id": self.building.id, "utility_id": self.water.id, "period": MAY})
        record.with_user(self.users_a["chairman"]).action_reset_to_draft()
        self.assertEqual(record.state, "draft")
        record.action_compute()
        self.assertEqual(record.state, "computed")

    def test_missing_house_reading(self):
        with self.assertRaisesMsg(UserError, "house meter HW-1 has no confirmed reading"):
            self._compute(period="2025-06-01")
        with self.assertRaisesMsg(UserError, "there is no house meter"):
            self._compute(period="2025-03-01", entrance=2)

    def test_access(self):
        record = self._compute()
        # the form opens for the engineer (who cannot read personal accounts) and the audit commission
        with Form(record.with_user(self.engineer)) as form:
            self.assertEqual(form.difference, 45.0)
        self.assertEqual(Form(record.with_user(self.users_a["audit"])).shared_total, 45.0)
        self.assertEqual(record.with_user(self.users_a["audit"]).line_ids.mapped("quantity"), [19.064, 25.936])
        with self.assertRaises(AccessError):
            self.House.with_user(self.users_a["audit"]).create(
                {"building_id": self.building.id, "utility_id": self.water.id, "period": APRIL}
            )
        self.assertFalse(self.House.with_user(self.users_b["engineer"]).search([]))
        self.assertFalse(self.env["osmd.house.consumption.line"].with_user(self.users_b["chairman"]).search([]))
