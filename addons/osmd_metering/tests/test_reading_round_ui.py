from odoo.tests import HttpCase, tagged

from odoo.addons.osmd_base.tests.common import OsmdDataMixin

from .test_reading_round import ROUND_DATE, RoundDataMixin


@tagged("post_install", "-at_install", "osmd")
class TestReadingRoundPhone(RoundDataMixin, OsmdDataMixin, HttpCase):
    """The engineer's reading round on a phone-size screen (Chromium at 390 × 844, touch)."""

    browser_size = "390x844"
    touch_enabled = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_osmd_data()
        cls._setup_round_data()

    def test_enter_first_meter_on_a_phone(self):
        round_ = (
            self.env["osmd.reading.round"]
            .with_user(self.engineer)
            .create({"building_id": self.building.id, "date": ROUND_DATE})
        )
        self.start_tour(
            f"/odoo/action-osmd_metering.osmd_reading_round_action/{round_.id}",
            "osmd_reading_round_phone",
            login=self.engineer.login,
        )
        # the first meter of the walking order is the house meter (initial 1000)
        reading = self._readings(self.walking_order[0])
        self.assertRecordValues(
            reading, [{"value1": 1006.0, "consumption": 6.0, "source": "engineer", "state": "confirmed"}]
        )
