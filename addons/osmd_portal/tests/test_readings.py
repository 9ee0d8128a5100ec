import re
from datetime import date
from unittest.mock import patch

from odoo.tests import HttpCase, tagged

from odoo.addons.osmd_payments.tests.common import PaymentsCommon

from ..controllers import readings
from .common import resident_user


@tagged("post_install", "-at_install")
class TestResidentReadings(PaymentsCommon, HttpCase):
    """A resident sends meter readings from the cabinet: checked and shown with the consumption before sending,
    only inside the reading window, into the engineer's queue; never for another person's meter."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.premise1, cls.premise2 = cls.account1.premise_id, cls.account2.premise_id
        water = cls.env.ref("osmd_metering.utility_cold_water")
        cls.meter = cls.env["osmd.meter"].create(
            {
                "serial": "PORTAL-1",
                "company_id": cls.company_a.id,
                "utility_id": water.id,
                "premise_id": cls.premise1.id,
                "install_date": "2025-01-01",
                "digits": 5,
                "initial_value1": 100,
            }
        )
        cls.other_meter = cls.meter.copy({"serial": "PORTAL-2", "premise_id": cls.premise2.id})
        cls.env["osmd.meter.reading"].create(
            {"meter_id": cls.meter.id, "date": "2026-10-20", "value1": 120, "state": "confirmed"}
        )
        cls.company_a.write({"osmd_reading_day_start": 1, "osmd_reading_day_end": 28})
        resident_user(cls.env, "reading_payer", cls.data_a["owners"][0], cls.company_a)

    def _token(self):
        return re.search(r'csrf_token: "([^"]+)"', self.url_open("/my/meters").text).group(1)

    def _post(self, meter, **data):
        return self.url_open(f"/my/meters/{meter.id}/reading", data={"csrf_token": self._token(), **data})

    def _today(self, day):
        return patch.object(type(self.env["osmd.account"]), "_osmd_access_today", lambda self: day)

    def test_reading_checked_previewed_and_sent_to_the_engineer(self):
        self.authenticate("reading_payer", "reading_payer_pwd_1")
        with self._today(date(2026, 11, 20)):
            meters = self.url_open("/my/meters")
            self.assertIn("PORTAL-1", meters.text)
            self.assertIn("120", meters.text, "the last confirmed reading")
            self.assertNotIn("PORTAL-2", meters.text)
            # first step: the consumption, nothing written yet
            preview = self._post(self.meter, value1="131,5")
            self.assertIn("11,5", preview.text)
            Reading = self.env["osmd.meter.reading"]
            self.assertFalse(Reading.search([("meter_id", "=", self.meter.id), ("source", "=", "resident")]))
            # too low: refused with the engine's clear message at the check already, and when sent anyway
            low = self._post(self.meter, value1="119")
            self.assertIn("alert-danger", low.text)
            self.assertIn("119", low.text)
            self.assertNotIn("Send to the engineer", low.text)
            low = self._post(self.meter, value1="119", send="1")
            self.assertEqual(low.status_code, 200)
            self.assertIn("alert-danger", low.text)
            self.assertFalse(Reading.search([("meter_id", "=", self.meter.id), ("source", "=", "resident")]))
            # not a number
            self.assertIn("1234,5", self._post(self.meter, value1="12a").text)
            # sent: in the engineer's queue, submitted by the resident
            sent = self._post(self.meter, value1="131,5", send="1")
            self.assertEqual(sent.status_code, 200)
            reading = Reading.search([("meter_id", "=", self.meter.id), ("source", "=", "resident")])
            self.assertEqual((reading.state, reading.value1, reading.date), ("submitted", 131.5, date(2026, 11, 20)))
            self.assertEqual(reading.submitted_by_id.login, "reading_payer")
            # a correction replaces the person's own reading still waiting
            self._post(self.meter, value1="132", send="1")
            reading.invalidate_recordset()
            self.assertEqual(Reading.search_count([("meter_id", "=", self.meter.id), ("source", "=", "resident")]), 1)
            self.assertEqual(reading.value1, 132.0)
            # the engineer rejects it: the resident sees the reason
            reading.action_reject("The photo shows 123")
            self.assertIn("The photo shows 123", self.url_open("/my/readings").text)

    def test_outside_the_window_says_when_it_opens(self):
        self.company_a.write({"osmd_reading_day_start": 20, "osmd_reading_day_end": 25})
        self.assertEqual(readings.window(self.company_a, date(2026, 11, 5)), (False, date(2026, 11, 20)))
        self.assertEqual(readings.window(self.company_a, date(2026, 11, 26)), (False, date(2026, 12, 20)))
        self.assertEqual(readings.window(self.company_a, date(2026, 12, 26)), (False, date(2027, 1, 20)))
        self.assertEqual(readings.window(self.company_a, date(2026, 11, 20))[0], True)
        self.authenticate("reading_payer", "reading_payer_pwd_1")
        with self._today(date(2026, 11, 5)):
            response = self._post(self.meter, value1="131", send="1")
        self.assertIn("20.11.2026", response.text)
        self.assertFalse(
            self.env["osmd.meter.reading"].search([("meter_id", "=", self.meter.id), ("source", "=", "resident")])
        )

    def test_nobody_reads_or_sends_for_a_meter_not_theirs(self):
        self.authenticate("reading_payer", "reading_payer_pwd_1")
        with self._today(date(2026, 11, 20)):
            self.assertEqual(self.url_open(f"/my/meters/{self.other_meter.id}/reading").status_code, 404)
            response = self._post(self.other_meter, value1="5", send="1")
            self.assertEqual(response.status_code, 404)
        self.assertFalse(self.env["osmd.meter.reading"].search([("meter_id", "=", self.other_meter.id)]))
        # the meter's QR sticker leads a resident to the cabinet's form, not to the staff's
        response = self.url_open(f"/osmd/meter/{self.meter.id}/reading", allow_redirects=False)
        self.assertTrue(response.headers["Location"].endswith(f"/my/meters/{self.meter.id}/reading"))
        response = self.url_open(f"/osmd/meter/{self.other_meter.id}/reading", allow_redirects=False)
        self.assertEqual(response.status_code, 404, "another person's meter does not exist")
