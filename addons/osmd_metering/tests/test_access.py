from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.osmd_base.tests.common import OsmdCommon


@tagged("post_install", "-at_install", "osmd")
class TestMeteringAccess(OsmdCommon):
    """Engineers and the chairman write meters and readings, the accountant and audit read them,
    a resident reads only the meters of their own premises, and associations never see each other."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.water = cls.env.ref("osmd_metering.utility_cold_water")
        premise_1, premise_2, _parking = cls.data_a["premises"]
        cls.meter_own, cls.meter_other, cls.meter_house, cls.meter_b = cls.env["osmd.meter"].create(
            [
                {
                    "serial": "ACC-1",
                    "company_id": cls.company_a.id,
                    "utility_id": cls.water.id,
                    "premise_id": premise_1.id,
                    "install_date": "2025-01-01",
                },
                {
                    "serial": "ACC-2",
                    "company_id": cls.company_a.id,
                    "utility_id": cls.water.id,
                    "premise_id": premise_2.id,
                    "install_date": "2025-01-01",
                },
                {
                    "serial": "ACC-H",
                    "company_id": cls.company_a.id,
                    "utility_id": cls.water.id,
                    "building_id": cls.data_a["building"].id,
                    "install_date": "2025-01-01",
                },
                {
                    "serial": "ACC-B",
                    "company_id": cls.company_b.id,
                    "utility_id": cls.water.id,
                    "premise_id": cls.data_b["premises"][0].id,
                    "install_date": "2025-01-01",
                },
            ]
        )
        cls.readings = cls.env["osmd.meter.reading"].create(
            [
                {"meter_id": meter.id, "date": "2026-01-25", "value1": 10, "state": "confirmed"}
                for meter in (cls.meter_own, cls.meter_other, cls.meter_house, cls.meter_b)
            ]
        )
        cls.meters_a = cls.meter_own | cls.meter_other | cls.meter_house
        # the holder of the first account of A (premise 1)
        cls.resident = new_test_user(
            cls.env,
            login="mcore_access_resident",
            groups="osmd_base.group_osmd_resident",
            partner_id=cls.data_a["owners"][0].id,
            company_id=cls.company_a.id,
            company_ids=[cls.company_a.id],
        )

    def _meter_vals(self, serial):
        return {
            "serial": serial,
            "company_id": self.company_a.id,
            "utility_id": self.water.id,
            "premise_id": self.data_a["premises"][0].id,
            "install_date": "2025-01-01",
        }

    def test_engineer_and_chairman_write(self):
        created = self.env["osmd.meter"]
        for role in ("engineer", "chairman"):
            user = self.users_a[role]
            meter = self.env["osmd.meter"].with_user(user).create(self._meter_vals(f"ACC-{role}"))
            meter.seal_number = f"S-{role}"
            created |= meter
            reading = (
                self.env["osmd.meter.reading"]
                .with_user(user)
                .create({"meter_id": meter.id, "date": "2026-02-25", "value1": 3, "source": "resident"})
            )
            reading.action_confirm()
            self.assertEqual(reading.consumption, 3.0)
            self.meter_own.with_user(user).note = f"checked by {role}"
            self.assertEqual(
                self.env["osmd.meter"].with_user(user).search([("serial", "=like", "ACC-%")]), self.meters_a | created
            )

    def test_accountant_and_audit_read_only(self):
        for role in ("accountant", "audit"):
            user = self.users_a[role]
            Meter = self.env["osmd.meter"].with_user(user)
            Reading = self.env["osmd.meter.reading"].with_user(user)
            self.assertEqual(Meter.search([("serial", "=like", "ACC-%")]), self.meters_a)
            self.assertEqual(len(Reading.search([("meter_id", "in", self.meters_a.ids)])), 3)
            self.meter_own.with_user(user).read(["serial", "last_reading_date"])
            with self.assertRaises(AccessError):
                self.meter_own.with_user(user).write({"seal_number": "X"})
            with self.assertRaises(AccessError):
                Meter.create(self._meter_vals(f"ACC-{role}"))
            with self.assertRaises(AccessError):
                self.readings[0].with_user(user).write({"note": "X"})
            with self.assertRaises(AccessError):
                Reading.create({"meter_id": self.meter_own.id, "date": "2026-02-25", "value1": 11})

    def test_resident_reads_only_own_meters(self):
        Meter = self.env["osmd.meter"].with_user(self.resident)
        Reading = self.env["osmd.meter.reading"].with_user(self.resident)
        self.assertEqual(Meter.search([]), self.meter_own)
        self.assertEqual(Reading.search([]), self.readings[0])
        self.assertEqual(self.meter_own.with_user(self.resident).last_value1, 10.0)
        for record in (self.meter_other, self.meter_house, self.readings[1]):
            with self.assertRaises(AccessError):
                record.with_user(self.resident).read(["display_name"])
        with self.assertRaises(AccessError):
            self.meter_own.with_user(self.resident).write({"seal_number": "X"})
        with self.assertRaises(AccessError):
            Reading.create({"meter_id": self.meter_own.id, "date": "2026-02-25", "value1": 11, "source": "resident"})

    def test_associations_are_isolated(self):
        engineer_b = self.users_b["engineer"]
        self.assertEqual(
            self.env["osmd.meter"].with_user(engineer_b).search([("serial", "=like", "ACC-%")]), self.meter_b
        )
        self.assertEqual(self.env["osmd.meter.reading"].with_user(engineer_b).search([]), self.readings[3])
        for role in ("engineer", "chairman", "audit"):
            user = self.users_b[role]
            with self.assertRaises(AccessError):
                self.meter_own.with_user(user).read(["serial"])
            with self.assertRaises(AccessError):
                self.readings[0].with_user(user).read(["value1"])
        # B's engineer cannot add a reading to A's meter either
        with self.assertRaises(AccessError):
            self.env["osmd.meter.reading"].with_user(engineer_b).create(
                {"meter_id": self.meter_own.id, "date": "2026-02-25", "value1": 11}
            )
