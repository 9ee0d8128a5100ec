from datetime import date, timedelta
from unittest.mock import patch

from lxml import etree

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.osmd_base.tests.common import OsmdCommon

INSTALLED = date(2025, 1, 1)
PREVIOUS = date(2025, 11, 20)
ROUND_DATE = date(2025, 12, 20)


class RoundDataMixin:
    """Building A of OsmdCommon with meters on two entrances and several floors, a house meter,
    a removed meter and one confirmed reading; a meter of association B with a known serial."""

    @classmethod
    def _setup_round_data(cls):
        env = cls.env
        cls.engineer = cls.users_a["engineer"]
        cls.building = cls.data_a["building"]
        p1, p2, _parking = cls.data_a["premises"]
        p10, p9, p3 = env["osmd.premise"].create(
            [
                {"building_id": cls.building.id, "number": "10", "total_area": 40, "entrance": 1, "floor": 2},
                {"building_id": cls.building.id, "number": "9", "total_area": 40, "entrance": 1, "floor": 2},
                {"building_id": cls.building.id, "number": "3", "total_area": 40, "entrance": 2, "floor": 1},
            ]
        )
        cls.cold = env.ref("osmd_metering.utility_cold_water")
        cls.electricity = env.ref("osmd_metering.utility_electricity")
        cls.heating = env.ref("osmd_metering.utility_heating")
        Meter = env["osmd.meter"]
        common = {"company_id": cls.company_a.id, "install_date": INSTALLED}
        meters = Meter.create(
            [
                dict(common, serial="CW-10", utility_id=cls.cold.id, premise_id=p10.id, initial_value1=5),
                dict(common, serial="CW-9", utility_id=cls.cold.id, premise_id=p9.id, initial_value1=7),
                dict(
                    common,
                    serial="EL-1",
                    utility_id=cls.electricity.id,
                    premise_id=p1.id,
                    zone_count=2,
                    digits=6,
                    initial_value1=100,
                    initial_value2=50,
                ),
                dict(common, serial="CW-1", utility_id=cls.cold.id, premise_id=p1.id, digits=0, initial_value1=3),
                dict(common, serial="CW-3", utility_id=cls.cold.id, premise_id=p3.id, initial_value1=1),
                dict(
                    common,
                    serial="HM-1",
                    utility_id=cls.heating.id,
                    building_id=cls.building.id,
                    entrance=1,
                    initial_value1=1000,
                ),
                dict(common, serial="CW-2", utility_id=cls.cold.id, premise_id=p2.id, state="removed"),
            ]
        )
        cls.meters = {meter.serial: meter for meter in meters}
        cls.meter_b = Meter.create(
            {
                "company_id": cls.company_b.id,
                "serial": "B-CW-1",
                "utility_id": cls.cold.id,
                "premise_id": cls.data_b["premises"][0].id,
                "install_date": INSTALLED,
            }
        )
        env["osmd.meter.reading"].create(
            {
                "meter_id": cls.meters["CW-1"].id,
                "date": PREVIOUS,
                "value1": 20,
                "source": "engineer",
                "state": "confirmed",
            }
        )
        # walking order: entrance 1 (house meter, floor 1: premise 1, floor 2: premises 9, 10), entrance 2
        cls.walking_order = ["HM-1", "CW-1", "EL-1", "CW-9", "CW-10", "CW-3"]

    def _readings(self, *serials):
        return self.env["osmd.meter.reading"].search(
            [("meter_id", "in", [self.meters[serial].id for serial in serials])], order="id"
        )


@tagged("post_install", "-at_install", "osmd")
class TestReadingRound(RoundDataMixin, OsmdCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_round_data()

    def _new_round(self, **vals):
        round_ = (
            self.env["osmd.reading.round"]
            .with_user(self.engineer)
            .create({"building_id": self.building.id, "date": ROUND_DATE, **vals})
        )
        round_.action_load()
        return round_

    def _fill(self, round_, **values):
        """values: serial=value or serial=(T1, T2)."""
        lines = {line.serial: line for line in round_.line_ids}
        for serial, value in values.items():
            value = value if isinstance(value, tuple) else (value,)
            lines[serial.replace("_", "-")].write({f"value{zone}": v for zone, v in enumerate(value, start=1)})

    def test_load_walking_order_and_previous_values(self):
        round_ = self._new_round()
        self.assertEqual(round_.line_ids.mapped("serial"), self.walking_order)
        lines = {line.serial: line for line in round_.line_ids}
        # a confirmed reading is the previous value; without one, the initial values at the install date
        self.assertRecordValues(
            lines["CW-1"],
            [
                {
                    "place": "1",
                    "previous_date": PREVIOUS,
                    "previous_value1": 20.0,
                    "value1": 0.0,
                    "zone_count": 1,
                    "utility_id": self.cold.id,
                    "entrance": 1,
                    "floor": 1,
                    "is_filled": False,
                }
            ],
        )
        self.assertRecordValues(
            lines["EL-1"],
            [
                {
                    "previous_date": INSTALLED,
                    "previous_value1": 100.0,
                    "previous_value2": 50.0,
                    "zone_count": 2,
                }
            ],
        )
        self.assertRecordValues(lines["CW-9"], [{"place": "9", "previous_date": INSTALLED, "previous_value1": 7}])
        self.assertEqual(lines["HM-1"].place, "Entrance 1")
        self.assertFalse(lines["HM-1"].premise_id)
        self.assertNotIn("CW-2", lines, "a removed meter is not read")
        self.assertNotIn("B-CW-1", lines)
        self.assertEqual(round_.max_zone_count, 2)
        self.assertEqual(round_.line_count, 6)

    def test_load_filters_by_entrance_and_utility(self):
        self.assertEqual(self._new_round(entrance=2).line_ids.mapped("serial"), ["CW-3"])
        self.assertEqual(
            self._new_round(entrance=1, utility_id=self.cold.id).line_ids.mapped("serial"), ["CW-1", "CW-9", "CW-10"]
        )
        round_ = self._new_round(utility_id=self.heating.id)
        self.assertEqual(round_.line_ids.mapped("serial"), ["HM-1"])
        self.assertEqual(round_.max_zone_count, 1)

    def test_reload_replaces_lines(self):
        round_ = self._new_round()
        first = round_.line_ids
        round_.action_load()
        self.assertFalse(first.exists())
        self.assertEqual(len(round_.line_ids), 6)

    def test_save_creates_filled_lines_in_one_batch(self):
        round_ = self._new_round()
        self._fill(round_, CW_1=25, EL_1=(110, 55.5), CW_9=9)
        self.assertEqual(round_.filled_count, 3)
        Reading = self.registry["osmd.meter.reading"]
        create = Reading.create
        batches = []

        def counting_create(records, vals_list):
            batches.append(len(vals_list))
            return create(records, vals_list)

        with patch.object(Reading, "create", counting_create):
            action = round_.action_save()
        self.assertEqual(batches, [3], "one create for all filled lines, none for the empty ones")
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(action["params"]["next"]["tag"], "soft_reload")
        readings = self._readings("CW-1", "EL-1", "CW-9").filtered(lambda r: r.date == ROUND_DATE)
        self.assertRecordValues(
            readings.sorted(lambda r: r.meter_id.serial),
            [
                {
                    "meter_id": self.meters["CW-1"].id,
                    "value1": 25,
                    "value2": 0,
                    "consumption1": 5,
                    "consumption2": 0,
                    "consumption": 5,
                    "source": "engineer",
                    "state": "confirmed",
                },
                {
                    "meter_id": self.meters["CW-9"].id,
                    "value1": 9,
                    "value2": 0,
                    "consumption1": 2,
                    "consumption2": 0,
                    "consumption": 2,
                    "source": "engineer",
                    "state": "confirmed",
                },
                {
                    "meter_id": self.meters["EL-1"].id,
                    "value1": 110,
                    "value2": 55.5,
                    "consumption1": 10,
                    "consumption2": 5.5,
                    "consumption": 15.5,
                    "source": "engineer",
                    "state": "confirmed",
                },
            ],
        )
        self.assertEqual(readings.submitted_by_id, self.engineer)
        self.assertFalse(self._readings("CW-10", "HM-1", "CW-3"), "empty lines are skipped")
        # the round is reloaded: the saved values are now the previous ones
        lines = {line.serial: line for line in round_.line_ids}
        self.assertRecordValues(
            lines["CW-1"], [{"previous_value1": 25, "previous_date": ROUND_DATE, "value1": 0, "is_filled": False}]
        )

    def test_zero_reading_is_saved_when_ticked(self):
        meter = self.env["osmd.meter"].create(
            {
                "company_id": self.company_a.id,
                "serial": "CW-NEW",
                "utility_id": self.cold.id,
                "building_id": self.building.id,
                "entrance": 2,
                "install_date": INSTALLED,
            }
        )
        round_ = self._new_round(entrance=2)
        line = round_.line_ids.filtered(lambda line: line.meter_id == meter)
        self.assertFalse(line.is_filled)
        line.is_filled = True
        round_.action_save()
        reading = self.env["osmd.meter.reading"].search([("meter_id", "=", meter.id)])
        self.assertRecordValues(reading, [{"value1": 0, "consumption": 0, "state": "confirmed"}])

    def test_bad_values_name_each_meter_and_save_nothing(self):
        round_ = self._new_round()
        # CW-1 has no digit capacity: 15 below 20 is no rollover; CW-10: 3 below the initial 5 (a 5-digit
        # register: as a rollover it would be 99 998, not plausible); CW-9 is fine
        self._fill(round_, CW_1=15, CW_10=3, CW_9=9)
        with self.assertRaises(ValidationError) as catcher:
            round_.action_save()
        message = str(catcher.exception)
        self.assertIn("CW-1", message)
        self.assertIn("CW-10", message)
        self.assertNotIn("CW-9 ", message)
        self.assertEqual(len(message.splitlines()), 2, message)
        self.assertFalse(self._readings("CW-9", "CW-10"), "nothing is saved when one line is bad")
        self.assertEqual(len(self._readings("CW-1")), 1)

    def test_save_without_values(self):
        round_ = self._new_round()
        with self.assertRaisesRegex(UserError, "at least one meter"):
            round_.action_save()

    def test_only_engineers_run_rounds(self):
        Round = self.env["osmd.reading.round"]
        with self.assertRaises(AccessError):
            Round.with_user(self.users_a["accountant"]).create({"building_id": self.building.id})
        # the chairman is also an engineer (through the board)
        round_ = Round.with_user(self.users_a["chairman"]).create({"building_id": self.building.id, "date": ROUND_DATE})
        round_.action_load()
        self.assertEqual(len(round_.line_ids), 6)

    def test_other_association_building_is_refused(self):
        with self.assertRaises(UserError):
            self.env["osmd.reading.round"].with_user(self.engineer).create(
                {"building_id": self.data_b["building"].id, "date": ROUND_DATE}
            )

    def test_phone_list_has_few_columns(self):
        arch = self.env["osmd.reading.round"].get_views([(False, "form")])["views"]["form"]["arch"]
        tree = etree.fromstring(arch)
        line_list = tree.find(".//field[@name='line_ids']/list")
        self.assertEqual(line_list.get("editable"), "bottom")
        always = [
            field.get("name")
            for field in line_list.iter("field")
            if not field.get("optional") and field.get("column_invisible") in (None, "0", "False")
        ]
        # premise, meter, previous and new T1 (T2/T3 only appear for multi-zone meters)
        self.assertEqual(
            [name for name in always if not name.endswith(("2", "3"))], ["place", "serial", "previous_value1", "value1"]
        )
        self.assertEqual(self.env.ref("osmd_metering.osmd_reading_round_action").res_model, "osmd.reading.round")


@tagged("post_install", "-at_install", "osmd", "osmd_perf")
class TestReadingRoundQueries(RoundDataMixin, OsmdCommon):
    """Loading and saving a round costs the same number of queries for 6 or 40 meters."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_round_data()
        cls.big_building = cls.env["osmd.building"].create(
            {"name": "Будинок великий", "street": "вул. Садова, 1", "city": "Київ", "company_id": cls.company_a.id}
        )
        premises = cls.env["osmd.premise"].create(
            [
                {
                    "building_id": cls.big_building.id,
                    "number": str(n),
                    "total_area": 30,
                    "entrance": 1 + n % 3,
                    "floor": n % 9,
                }
                for n in range(1, 41)
            ]
        )
        meters = cls.env["osmd.meter"].create(
            [
                {
                    "company_id": cls.company_a.id,
                    "serial": f"BIG-{premise.number}",
                    "utility_id": cls.cold.id,
                    "premise_id": premise.id,
                    "install_date": INSTALLED,
                }
                for premise in premises
            ]
        )
        cls.env["osmd.meter.reading"].create(
            [{"meter_id": meter.id, "date": PREVIOUS, "value1": 10, "state": "confirmed"} for meter in meters[::2]]
        )

    def _count(self, method):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        method()
        self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def test_load_and_save_queries_do_not_grow_with_meters(self):
        Round = self.env["osmd.reading.round"].with_user(self.engineer)
        warm = Round.create({"building_id": self.building.id, "date": ROUND_DATE})
        warm.action_load()  # the registry's caches (access rights, rules, translations)
        warm.line_ids.write({"value1": 1000, "value2": 1000})
        warm.action_save()
        small = Round.create({"building_id": self.building.id, "date": ROUND_DATE + timedelta(days=1)})
        big = Round.create({"building_id": self.big_building.id, "date": ROUND_DATE})
        loads = [self._count(round_.action_load) for round_ in (small, big)]
        self.assertEqual(len(small.line_ids), 6)
        self.assertEqual(len(big.line_ids), 40)
        self.assertLessEqual(loads[1], loads[0], f"queries to load 6 and 40 meters: {loads}")
        lines = {line.serial: line for line in big.line_ids}
        self.assertEqual((lines["BIG-1"].previous_value1, lines["BIG-2"].previous_value1), (10, 0))
        for round_ in (small, big):
            for line in round_.line_ids:
                line.write({"value1": line.previous_value1 + 1, "value2": line.previous_value2 + 1})
        saves = [self._count(round_.action_save) for round_ in (small, big)]
        self.assertLessEqual(saves[1], saves[0], f"queries to save 6 and 40 readings: {saves}")
        self.assertEqual(len(self.env["osmd.meter.reading"].search([("building_id", "=", self.big_building.id)])), 60)


@tagged("post_install", "-at_install", "osmd")
class TestReadingsToConfirm(RoundDataMixin, OsmdCommon):
    """The "Readings to confirm" menu: residents' submissions confirmed together, all or nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_round_data()
        Reading = cls.env["osmd.meter.reading"]
        cls.submissions = Reading.create(
            [
                {"meter_id": cls.meters["CW-9"].id, "date": date(2025, 12, 22), "value1": 8, "source": "resident"},
                {"meter_id": cls.meters["CW-10"].id, "date": date(2025, 12, 22), "value1": 6.5, "source": "resident"},
                {"meter_id": cls.meters["CW-1"].id, "date": date(2025, 12, 10), "value1": 21, "source": "resident"},
            ]
        )
        # the engineer read CW-1 after the resident: the resident's earlier reading can no longer be confirmed
        Reading.create(
            {
                "meter_id": cls.meters["CW-1"].id,
                "date": date(2025, 12, 15),
                "value1": 22,
                "source": "engineer",
                "state": "confirmed",
            }
        )

    def _to_confirm(self):
        action = self.env.ref("osmd_metering.osmd_meter_reading_to_confirm_action")
        self.assertEqual(action.context, "{'search_default_to_confirm': 1}")
        return (
            self.env["osmd.meter.reading"]
            .with_user(self.engineer)
            .search([("state", "=", "submitted"), ("source", "=", "resident")])
        )

    def test_list_has_confirm_button(self):
        arch = self.env["osmd.meter.reading"].get_views([(False, "list")])["views"]["list"]["arch"]
        buttons = etree.fromstring(arch).findall("./header/button")
        self.assertIn("action_confirm", [button.get("name") for button in buttons])

    def test_confirm_several_at_once_one_bad_confirms_none(self):
        readings = self._to_confirm()
        self.assertEqual(readings, self.submissions)
        with self.assertRaises(ValidationError) as catcher:
            readings.action_confirm()
        self.assertIn("CW-1", str(catcher.exception))
        self.assertNotIn("CW-9 ", str(catcher.exception))
        self.env.invalidate_all()
        self.assertEqual(self.submissions.mapped("state"), ["submitted"] * 3, "nothing is confirmed")

    def test_confirm_several_at_once(self):
        good = self._to_confirm().filtered(lambda r: r.meter_id.serial != "CW-1")
        self.assertEqual(len(good), 2)
        good.action_confirm()
        self.assertRecordValues(
            good.sorted(lambda r: r.meter_id.serial),
            [
                {"state": "confirmed", "consumption": 1.5, "source": "resident"},  # CW-10: 6.5 - 5
                {"state": "confirmed", "consumption": 1, "source": "resident"},  # CW-9: 8 - 7
            ],
        )
