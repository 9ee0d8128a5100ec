from datetime import date

from odoo.tests import freeze_time, tagged

from odoo.addons.osmd_base.tests.common import OsmdCommon


class ReminderCommon(OsmdCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Meter = cls.env["osmd.meter"]
        cls.cold = cls.env.ref("osmd_metering.utility_cold_water")
        cls.hot = cls.env.ref("osmd_metering.utility_hot_water")
        cls.mt_comment = cls.env.ref("mail.mt_comment")

    @classmethod
    def _meter(cls, data, premise_index, serial, utility=None, **vals):
        premise = data["premises"][premise_index] if premise_index is not None else cls.env["osmd.premise"]
        return cls.Meter.create(
            {
                "serial": serial,
                "utility_id": (utility or cls.cold).id,
                "company_id": data["building"].company_id.id,
                "premise_id": premise.id,
                "building_id": data["building"].id,
                "install_date": "2024-01-01",
                "digits": 5,
                **vals,
            }
        )

    def _comments(self, account):
        """Comments posted on the account (the test env logs no creation or tracking messages)."""
        account.invalidate_recordset(["message_ids"])
        return account.message_ids.filtered(lambda m: m.message_type == "comment" and m.subtype_id == self.mt_comment)

    def _activities(self, meters):
        return self.env["mail.activity"].search([("res_model", "=", "osmd.meter"), ("res_id", "in", meters.ids)])


@tagged("post_install", "-at_install", "osmd")
class TestVerificationReminders(ReminderCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a.write(
            {
                "osmd_engineer_id": cls.users_a["engineer"].id,
                "osmd_verification_notice_days": 30,
                "osmd_chairman_id": cls.users_a["chairman"].id,
            }
        )
        cls.company_b.write(
            {
                "osmd_engineer_id": False,
                "osmd_chairman_id": cls.users_b["chairman"].id,
                "osmd_verification_notice_days": 10,
            }
        )
        cls.account_a1, cls.account_a2 = cls.data_a["accounts"]
        # due on 10.04.2025: inside 30 days of 20.03.2025
        cls.due = cls._meter(cls.data_a, 0, "V-DUE", verification_date="2021-04-10", verification_interval=4)
        # due in 2027: not yet
        cls.far = cls._meter(cls.data_a, 1, "V-FAR", verification_date="2023-05-01", verification_interval=4)
        # house meter, overdue since 01.01.2025: activity only, no resident to tell
        cls.house = cls._meter(cls.data_a, None, "V-HOUSE", verification_date="2021-01-01", verification_interval=4)
        # removed meters are not reminded
        cls.removed = cls._meter(
            cls.data_a,
            1,
            "V-OLD",
            verification_date="2020-01-01",
            verification_interval=4,
            state="removed",
            removal_date="2024-06-01",
        )
        # association B: due on 25.03.2025 with 10 notice days, no engineer → its chairman
        cls.due_b = cls._meter(cls.data_b, 0, "V-B", verification_date="2021-03-25", verification_interval=4)

    def test_verification_reminder_once_per_due_date(self):
        today = date(2025, 3, 20)
        reminded = self.Meter._send_verification_reminders(self.company_a, today=today)
        self.assertEqual(reminded, self.due | self.house)

        activities = self._activities(self.due | self.far | self.house | self.removed)
        self.assertRecordValues(
            activities.sorted("res_id"),
            [
                {
                    "res_id": self.due.id,
                    "user_id": self.users_a["engineer"].id,
                    "date_deadline": date(2025, 4, 10),
                    "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
                    "summary": "Meter verification due",
                },
                {
                    "res_id": self.house.id,
                    "user_id": self.users_a["engineer"].id,
                    "date_deadline": date(2025, 1, 1),
                    "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
                    "summary": "Meter verification due",
                },
            ],
        )
        self.assertIn("V-DUE", str(activities[0].note) + str(activities[1].note))

        # the resident's account of the premise gets one message, to its holder (by e-mail)
        messages = self._comments(self.account_a1)
        self.assertEqual(len(messages), 1)
        self.assertIn("Meter V-DUE (Cold water) needs verification by 04/10/2025.", str(messages.body))
        holder = self.account_a1.holder_id
        self.assertIn(holder, messages.partner_ids)
        self.assertEqual(messages.author_id, self.company_a.partner_id)
        self.assertTrue(
            messages.notification_ids.filtered(lambda n: n.res_partner_id == holder and n.notification_type == "email")
        )
        self.assertFalse(self._comments(self.account_a2), "the far meter's account is not told anything")
        self.assertEqual(self.due.verification_reminder_due_date, date(2025, 4, 10))

        # next day (and later, even overdue): nothing repeated
        for day in (date(2025, 3, 21), date(2025, 4, 15)):
            self.assertFalse(self.Meter._send_verification_reminders(self.company_a, today=day))
        self.assertEqual(len(self._activities(self.due | self.house)), 2)
        self.assertEqual(len(self._comments(self.account_a1)), 1)

        # after the next verification the new due date is reminded in its time
        self.due.verification_date = date(2025, 4, 1)
        self.assertEqual(self.due.next_verification_date, date(2029, 4, 1))
        self.assertFalse(self.Meter._send_verification_reminders(self.company_a, today=date(2025, 4, 16)))
        # (by then the far meter's 2027 verification is overdue too: reminded for the first time)
        self.assertEqual(
            self.Meter._send_verification_reminders(self.company_a, today=date(2029, 3, 5)), self.due | self.far
        )
        self.assertEqual(len(self._activities(self.due)), 2)
        self.assertEqual(len(self._comments(self.account_a1)), 2)

    def test_notice_days_and_chairman_fallback(self):
        # B warns 10 days before: 25.03 is not yet due on 14.03, due on 15.03
        self.assertFalse(self.Meter._send_verification_reminders(self.company_b, today=date(2025, 3, 14)))
        self.assertEqual(self.Meter._send_verification_reminders(self.company_b, today=date(2025, 3, 15)), self.due_b)
        activity = self._activities(self.due_b)
        self.assertEqual(activity.user_id, self.users_b["chairman"], "no engineer: the chairman is responsible")
        self.assertEqual(len(self._comments(self.data_b["accounts"][0])), 1)
        self.assertFalse(self._activities(self.due | self.house), "association A is not touched")

    def test_cron_runs_every_association(self):
        cron = self.env.ref("osmd_metering.ir_cron_osmd_meter_verification_reminder")
        with freeze_time("2025-03-20 05:00:00"), self.enter_registry_test_mode():
            cron.method_direct_trigger()
        self.assertEqual(len(self._activities(self.due | self.house | self.due_b)), 3)
        self.assertEqual(self._activities(self.due_b).user_id, self.users_b["chairman"])
        with freeze_time("2025-03-21 05:00:00"), self.enter_registry_test_mode():
            cron.method_direct_trigger()
        self.assertEqual(len(self._activities(self.due | self.house | self.due_b)), 3)
        self.assertEqual(len(self._comments(self.account_a1)), 1)


@tagged("post_install", "-at_install", "osmd")
class TestReadingWindowReminders(ReminderCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a.write({"osmd_reading_day_start": 20, "osmd_reading_day_end": 25})
        cls.company_b.write({"osmd_reading_day_start": 10, "osmd_reading_day_end": 15})
        cls.account_a1, cls.account_a2 = cls.data_a["accounts"]
        # a third flat in A with an account and a meter nobody reads
        premise3 = cls.env["osmd.premise"].create(
            {"building_id": cls.data_a["building"].id, "number": "3", "total_area": 40.0, "entrance": 1, "floor": 2}
        )
        cls.account_a3 = cls.env["osmd.account"].create(
            {
                "premise_id": premise3.id,
                "company_id": cls.company_a.id,
                "holder_id": cls.data_a["owners"][1].id,
                "date_open": "2024-01-01",
            }
        )
        cls.data_a["premises"] |= premise3
        cls.cold1 = cls._meter(cls.data_a, 0, "R-COLD-1")
        cls.hot1 = cls._meter(cls.data_a, 0, "R-HOT-1", utility=cls.hot)
        cls.cold2 = cls._meter(cls.data_a, 1, "R-COLD-2")
        cls.cold3 = cls._meter(cls.data_a, 3, "R-COLD-3")
        cls.parking = cls._meter(cls.data_a, 2, "R-PARK")  # the parking place has no account
        cls.cold_b = cls._meter(cls.data_b, 0, "R-COLD-B")

    def _send(self, company, day):
        return self.Meter._send_reading_window_reminders(company, today=day)

    def test_window_opening_message(self):
        self.assertFalse(self._send(self.company_a, date(2025, 3, 19)), "the window is not open yet")
        accounts = self._send(self.company_a, date(2025, 3, 20))
        self.assertEqual(accounts, self.account_a1 | self.account_a2 | self.account_a3)
        message = self._comments(self.account_a1)
        self.assertEqual(len(message), 1)
        self.assertIn("Please submit your meter readings for March 2025 by 03/25/2025.", str(message.body))
        self.assertIn("R-COLD-1", str(message.body))
        self.assertIn("R-HOT-1", str(message.body))
        self.assertIn(self.account_a1.holder_id, message.partner_ids)
        self.assertEqual(self.company_a.osmd_reading_open_period, date(2025, 3, 1))
        # same day again, next day: nothing new; association B is not touched (its window is 10-15)
        self.assertFalse(self._send(self.company_a, date(2025, 3, 20)))
        self.assertFalse(self._send(self.company_a, date(2025, 3, 21)))
        self.assertFalse(self._send(self.company_b, date(2025, 3, 20)))
        self.assertEqual(len(self._comments(self.account_a1)), 1)
        self.assertFalse(self._comments(self.data_b["accounts"][0]))
        # next month opens again
        self.assertEqual(len(self._send(self.company_a, date(2025, 4, 20))), 3)
        self.assertEqual(len(self._comments(self.account_a1)), 2)

    def test_reminder_follows_the_persons_preference(self):
        """A holder who wants no meter reminders by e-mail is not sent one; the message stays on the account."""
        holder = self.account_a1.holder_id
        holder.osmd_notify_readings = "none"
        self._send(self.company_a, date(2025, 3, 20))
        message = self._comments(self.account_a1)
        self.assertEqual(len(message), 1, "on the account's thread")
        self.assertNotIn(holder, message.partner_ids)
        self.assertIn(self.account_a2.holder_id, self._comments(self.account_a2).partner_ids)

    def test_missed_opening_day_is_caught_up(self):
        # the cron did not run from the 20th to the 23rd: the opening message goes out on the 24th
        self.assertEqual(len(self._send(self.company_a, date(2025, 3, 24))), 3)
        self.assertIn("by 03/25/2025", str(self._comments(self.account_a2).body))
        self.assertFalse(self._send(self.company_a, date(2025, 3, 25)), "the opening message gave the deadline")
        self.assertEqual(len(self._comments(self.account_a2)), 1)

    def test_closing_reminder_only_for_missing_readings(self):
        self._send(self.company_a, date(2025, 3, 20))
        Reading = self.env["osmd.meter.reading"]
        Reading.create(
            [
                # flat 1: cold water read by the resident, hot water only rejected → still missing
                {"meter_id": self.cold1.id, "date": "2025-03-21", "value1": 12.5, "source": "resident"},
                {"meter_id": self.hot1.id, "date": "2025-03-21", "value1": 3.0, "source": "resident"},
                # flat 2: read by the engineer and confirmed → nothing to remind
                {"meter_id": self.cold2.id, "date": "2025-03-21", "value1": 7.0, "source": "engineer"},
            ]
        )
        Reading.search([("meter_id", "=", self.hot1.id)]).action_reject("photo is unreadable")
        Reading.search([("meter_id", "=", self.cold2.id)]).action_confirm()
        # February's reading of flat 3 does not count for March
        Reading.create({"meter_id": self.cold3.id, "date": "2025-02-20", "value1": 1.0, "source": "resident"})

        self.assertFalse(self._send(self.company_a, date(2025, 3, 22)), "reminders start two days before the end")
        reminded = self._send(self.company_a, date(2025, 3, 23))
        self.assertEqual(reminded, self.account_a1 | self.account_a3)
        closing = self._comments(self.account_a1).filtered(lambda m: "accepted until" in m.body)
        self.assertEqual(len(closing), 1)
        self.assertIn("readings for March 2025 are accepted until 03/25/2025", str(closing.body))
        self.assertIn("R-HOT-1", str(closing.body))
        self.assertNotIn("R-COLD-1", str(closing.body), "a meter with a submitted reading is not listed")
        self.assertEqual(len(self._comments(self.account_a2)), 1, "only the opening message")
        self.assertEqual(len(self._comments(self.account_a3)), 2)
        self.assertEqual(self.company_a.osmd_reading_close_period, date(2025, 3, 1))
        # once a month only, and nothing after the window closed
        self.assertFalse(self._send(self.company_a, date(2025, 3, 24)))
        self.assertFalse(self._send(self.company_a, date(2025, 3, 26)))
        self.assertEqual(len(self._comments(self.account_a1)), 2)

    def test_cron_per_association_configuration(self):
        cron = self.env.ref("osmd_metering.ir_cron_osmd_meter_reading_window")
        with freeze_time("2025-03-10 05:10:00"), self.enter_registry_test_mode():
            cron.method_direct_trigger()
        self.assertEqual(len(self._comments(self.data_b["accounts"][0])), 1, "B's window opens on the 10th")
        self.assertFalse(self._comments(self.account_a1), "A's window opens on the 20th")
        with freeze_time("2025-03-20 05:10:00"), self.enter_registry_test_mode():
            cron.method_direct_trigger()
        self.assertEqual(len(self._comments(self.account_a1)), 1)
        self.assertEqual(len(self._comments(self.data_b["accounts"][0])), 1, "B's window is closed on the 20th")
