from datetime import date

from odoo.tests import tagged

from odoo.addons.osmd_metering.tests.test_reminders import ReminderCommon

from .test_sending import start_fake_gateway


@tagged("post_install", "-at_install", "osmd")
class TestMeterRemindersBySms(ReminderCommon):
    """Reading-window and verification reminders go by SMS to the people who chose SMS for meter reminders and
    have a mobile number, through the association's SMS provider (Odoo's SMS queue sends them), never to the
    others and never through another association's provider."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server, cls.provider = start_fake_gateway(cls, cls.company_a)
        cls.company_a.write({"osmd_reading_day_start": 20, "osmd_reading_day_end": 25})
        cls.company_b.write({"osmd_reading_day_start": 20, "osmd_reading_day_end": 25})
        cls.account1, cls.account2 = cls.data_a["accounts"]
        cls.ivan, cls.olena, cls.maria = cls.data_a["owners"]  # account 1: Іван holds, Олена co-owns; 2: Марія
        cls.ivan.write({"phone": "050 111 22 33", "osmd_notify_readings": "sms"})
        cls.olena.osmd_notify_readings = "sms"  # no phone: cannot be sent one
        cls.maria.osmd_notify_readings = "email"  # has a phone, wants e-mail
        cls.cold1 = cls._meter(cls.data_a, 0, "S-COLD-1")
        cls.cold2 = cls._meter(cls.data_a, 1, "S-COLD-2")
        cls.cold_b = cls._meter(cls.data_b, 0, "S-COLD-B")
        cls.data_b["owners"][0].write({"phone": "050 999 88 77", "osmd_notify_readings": "sms"})

    def _sms(self, company):
        return self.env["sms.sms"].sudo().search([("osmd_company_id", "=", company.id)])

    def test_window_opening_by_sms_to_those_who_chose_it(self):
        self.Meter._send_reading_window_reminders(self.company_a, today=date(2025, 3, 20))
        sms = self._sms(self.company_a)
        self.assertEqual(len(sms), 1, "Іван only: Олена has no phone, Марія chose e-mail")
        self.assertRecordValues(
            sms,
            [
                {
                    "number": "+380501112233",
                    "partner_id": self.ivan.id,
                    "osmd_account_id": self.account1.id,
                    "osmd_provider_id": self.provider.id,
                    "state": "outgoing",
                }
            ],
        )
        self.assertIn(self.company_a.name, sms.body)
        self.assertIn(self.account1.number, sms.body)
        self.assertIn("2025", sms.body)
        self.assertLessEqual(len(sms.body), 160 * 2, "short: at most two SMS parts of Latin text")
        # the e-mail of the account's thread is not sent to him (he chose SMS), it stays on the thread
        message = self._comments(self.account1)
        self.assertNotIn(self.ivan, message.partner_ids)
        # Odoo's SMS queue sends it through the association's gateway (the call its cron makes, without commits)
        self.server.recorded.clear()
        sms.send(unlink_failed=False, unlink_sent=True, raise_exception=False)
        self.assertEqual(
            [r["json"]["recipients"] for r in self.server.recorded],
            [["380501112233"]],
            "TurboSMS takes the number without +",
        )
        self.assertEqual(self.server.recorded[0]["json"]["sms"]["text"], sms.body)
        self.assertIn(sms.state, ("pending", "sent"), "accepted by the gateway, kept as the log")
        # association B has no SMS provider: its reminder is on the threads, no SMS goes through A's gateway
        self.Meter._send_reading_window_reminders(self.company_b, today=date(2025, 3, 20))
        self.assertFalse(self._sms(self.company_b))
        self.assertTrue(self._comments(self.data_b["accounts"][0]))

    def test_closing_reminder_names_the_meters_without_reading(self):
        self.Meter._send_reading_window_reminders(self.company_a, today=date(2025, 3, 20))
        self._sms(self.company_a).unlink()
        self.env["osmd.meter.reading"].create(
            {"meter_id": self.cold2.id, "date": date(2025, 3, 21), "value1": 5, "state": "submitted"}
        )
        self.ivan.write({"osmd_notify_readings": "sms"})
        self.maria.write({"phone": "067 123 45 67", "osmd_notify_readings": "sms"})
        self.Meter._send_reading_window_reminders(self.company_a, today=date(2025, 3, 23))
        sms = self._sms(self.company_a)
        self.assertEqual(sms.partner_id, self.ivan, "Марія's meter has its reading")
        self.assertIn("S-COLD-1", sms.body)

    def test_verification_due_by_sms(self):
        self.company_a.osmd_verification_notice_days = 30
        meter = self._meter(self.data_a, 0, "S-VERIF", verification_date="2021-04-10", verification_interval=4)
        self.Meter._send_verification_reminders(self.company_a, today=date(2025, 3, 20))
        sms = self._sms(self.company_a)
        self.assertEqual(sms.partner_id, self.ivan)
        self.assertIn(meter.serial, sms.body)
