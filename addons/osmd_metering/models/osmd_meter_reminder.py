import logging
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools.misc import format_date

_logger = logging.getLogger(__name__)


class ResCompany(models.Model):
    _inherit = "res.company"

    osmd_reading_open_period = fields.Date(
        string="Reading window announced for",
        readonly=True,
        copy=False,
        help="Month (first day) whose reading window opening was last announced to the residents.",
    )
    osmd_reading_close_period = fields.Date(
        string="Reading reminder sent for",
        readonly=True,
        copy=False,
        help="Month (first day) for which the residents without a reading were last reminded.",
    )


class OsmdMeter(models.Model):
    _inherit = "osmd.meter"

    verification_reminder_due_date = fields.Date(
        string="Verification reminded for",
        readonly=True,
        copy=False,
        help="Due date of the verification the engineer and the residents were last reminded about; "
        "a meter is reminded once per due date.",
    )

    # ------------------------------------------------------------
    # CRON
    # ------------------------------------------------------------

    @api.model
    def _cron_verification_reminders(self):
        """Daily: verification due soon or overdue → engineer's activity and residents' message."""
        self._osmd_run_per_association(self._send_verification_reminders)

    @api.model
    def _cron_reading_window_reminders(self):
        """Daily: announce the reading window and remind residents whose readings are missing."""
        self._osmd_run_per_association(self._send_reading_window_reminders)

    @api.model
    def _osmd_run_per_association(self, method):
        """Call ``method(company)`` for every association, committing after each inside a cron run.

        Each method remembers what it sent, so a run cut short (time budget) and rescheduled does
        not send anything twice.
        """
        companies = self.env["res.company"].search([("osmd_kind", "!=", False)], order="id")
        in_cron = bool(self.env.context.get("ir_cron_progress_id"))
        IrCron = self.env["ir.cron"]
        if in_cron:
            IrCron._commit_progress(remaining=len(companies))
        for company in companies:
            method(company)
            if in_cron and not IrCron._commit_progress(1):
                break

    # ------------------------------------------------------------
    # VERIFICATION
    # ------------------------------------------------------------

    @api.model
    def _send_verification_reminders(self, company, today=None):
        """Remind about the meters of ``company`` whose verification is due within the notice days.

        One to-do activity per meter for the responsible engineer (else the chairman), created in
        one batch, and one message per personal account to its holder and portal residents. A meter
        is reminded once per due date (``verification_reminder_due_date``).

        :return: the meters reminded now
        """
        today = today or fields.Date.context_today(self)
        limit = today + timedelta(days=company.osmd_verification_notice_days or 0)
        meters = self.search(
            [
                ("company_id", "=", company.id),
                ("state", "=", "active"),
                ("next_verification_date", "!=", False),
                ("next_verification_date", "<=", limit),
            ]
        ).filtered(lambda m: m.verification_reminder_due_date != m.next_verification_date)
        if not meters:
            return meters
        meters._schedule_verification_activities(company)
        meters._post_verification_messages(company)
        for due_date, group in meters.grouped("next_verification_date").items():
            group.write({"verification_reminder_due_date": due_date})
        return meters

    def _schedule_verification_activities(self, company):
        user = company.osmd_engineer_id or company.osmd_chairman_id
        if not user:
            _logger.info("%s: no engineer nor chairman for %d verification reminders", company.name, len(self))
            return self.env["mail.activity"]
        env = self.with_context(lang=self.env["res.lang"]._get_code(user.lang) or "en_US").env
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id(self._name)
        vals_list = [
            {
                "res_model_id": model_id,
                "res_id": meter.id,
                "activity_type_id": todo.id,
                "user_id": user.id,
                "automated": True,
                "date_deadline": meter.next_verification_date,
                "summary": env._("Meter verification due"),
                "note": Markup("<p>%s</p>")
                % env._(
                    "Meter %(serial)s (%(utility)s, %(where)s) needs verification by %(date)s.",
                    serial=meter.serial,
                    utility=meter.with_env(env).utility_id.name,
                    where=meter._reminder_location(),
                    date=format_date(env, meter.next_verification_date),
                ),
            }
            for meter in self
        ]
        # no e-mail per activity: the engineer sees them in the activity menu
        return self.env["mail.activity"].with_context(mail_activity_quick_update=True).create(vals_list)

    def _post_verification_messages(self, company):
        accounts_by_premise = self._reminder_accounts(company)
        meters_by_account = self.filtered("premise_id").grouped(lambda m: accounts_by_premise.get(m.premise_id))
        for account, meters in meters_by_account.items():
            if not account:
                continue
            env = self._reminder_env(account, company)
            lines = [
                env._(
                    "Meter %(serial)s (%(utility)s) needs verification by %(date)s.",
                    serial=meter.serial,
                    utility=meter.with_env(env).utility_id.name,
                    date=format_date(env, meter.next_verification_date),
                )
                for meter in meters
            ]
            body = Markup("").join(Markup("<p>%s</p>") % line for line in lines) + Markup("<p>%s</p>") % env._(
                "Please arrange the verification with an accredited laboratory and bring the "
                "certificate to the association, or contact the association's engineer."
            )
            sms = " ".join(
                env._(
                    "Meter %(serial)s: verification due by %(date)s.",
                    serial=meter.serial,
                    date=format_date(env, meter.next_verification_date),
                )
                for meter in meters
            )
            self._post_to_account(account, company, env._("Meter verification due"), body, sms_text=sms)

    # ------------------------------------------------------------
    # READING WINDOW
    # ------------------------------------------------------------

    @api.model
    def _send_reading_window_reminders(self, company, today=None):
        """Reading window messages of ``company`` for ``today``'s month.

        - from the opening day (``osmd_reading_day_start``): every active account with active
          meters is told to submit its readings by the closing day;
        - from two days before the closing day (``osmd_reading_day_end``): the accounts with a meter
          still without a submitted or confirmed reading for the month are reminded.
        Each is sent once a month (remembered on the company); a day missed by the cron is caught up
        while the window is open.

        :return: the accounts a message was posted to
        """
        today = today or fields.Date.context_today(self)
        Account = self.env["osmd.account"]
        start = company.osmd_reading_day_start
        # readings count for the month of their date: a window cannot run into the next month
        end = max(company.osmd_reading_day_end, start)
        if not start or not start <= today.day <= end:
            return Account
        period = today.replace(day=1)
        close_day = end - 2
        remind = close_day > start and today.day >= close_day  # no reminder in a window of 2 days or less
        vals = {}
        if company.osmd_reading_open_period != period:
            meters = self.search(self._reminder_meter_domain(company))
            accounts = self._post_reading_messages(company, meters, period, period.replace(day=end), closing=False)
            vals["osmd_reading_open_period"] = period
            if remind:  # the opening message just sent already gives the deadline
                vals["osmd_reading_close_period"] = period
        elif remind and company.osmd_reading_close_period != period:
            meters = self.search(self._reminder_meter_domain(company))
            have = {
                meter.id
                for (meter,) in self.env["osmd.meter.reading"]._read_group(
                    [
                        ("meter_id", "in", meters.ids),
                        ("period", "=", period),
                        ("state", "in", ("submitted", "confirmed")),
                        ("source", "!=", "estimate"),
                    ],
                    ["meter_id"],
                )
            }
            meters = meters.filtered(lambda m: m.id not in have)
            accounts = self._post_reading_messages(company, meters, period, period.replace(day=end), closing=True)
            vals["osmd_reading_close_period"] = period
        else:
            return Account
        company.write(vals)
        return accounts

    @api.model
    def _reminder_meter_domain(self, company):
        return [("company_id", "=", company.id), ("state", "=", "active"), ("premise_id", "!=", False)]

    @api.model
    def _post_reading_messages(self, company, meters, period, deadline, closing):
        accounts_by_premise = meters._reminder_accounts(company)
        meters_by_account = meters.grouped(lambda m: accounts_by_premise.get(m.premise_id))
        posted = self.env["osmd.account"]
        for account, account_meters in meters_by_account.items():
            if not account:
                continue
            env = self._reminder_env(account, company)
            month = format_date(env, period, date_format="LLLL yyyy")
            date = format_date(env, deadline)
            if closing:
                subject = env._("Meter readings due by %(date)s", date=date)
                intro = env._(
                    "Reminder: readings for %(month)s are accepted until %(date)s. "
                    "We have no reading yet for these meters:",
                    month=month,
                    date=date,
                )
                sms = env._(
                    "no reading yet for meters %(serials)s: readings for %(month)s are accepted until %(date)s.",
                    serials=", ".join(account_meters.mapped("serial")),
                    month=month,
                    date=date,
                )
            else:
                subject = env._("Meter readings for %(month)s", month=month)
                intro = env._("Please submit your meter readings for %(month)s by %(date)s.", month=month, date=date)
                sms = intro
            items = Markup("").join(Markup("<li>%s</li>") % meter._reminder_label(env) for meter in account_meters)
            self._post_to_account(
                account, company, subject, Markup("<p>%s</p><ul>%s</ul>") % (intro, items), sms_text=sms
            )
            posted |= account
        return posted

    # ------------------------------------------------------------
    # HELPERS
    # ------------------------------------------------------------

    def _reminder_accounts(self, company):
        """{premise: its active personal account} for the premises of these meters."""
        accounts = self.env["osmd.account"].search(
            [
                ("company_id", "=", company.id),
                ("state", "=", "active"),
                ("premise_id", "in", self.premise_id.ids),
            ]
        )
        return {account.premise_id: account for account in accounts}

    @api.model
    def _reminder_env(self, account, company):
        """Environment in the language of the holder's documents of the association (the association's
        unless the holder chose another)."""
        return self.with_context(lang=account.holder_id._osmd_document_lang(company)).env

    @api.model
    def _post_to_account(self, account, company, subject, body, sms_text=None):
        """Post ``body`` on ``account`` as a comment to its holder and portal residents.

        Signed by the association; the e-mails are queued (not sent inside the cron). ``sms_text`` is the short
        version for the people who want meter reminders by SMS: sent through the association's SMS provider
        where one is configured (osmd_billing).
        """
        # kept on the account's thread for everyone who sees it; e-mailed to those who want meter reminders so
        partners = (account.portal_partner_ids | account.holder_id)._osmd_wants("readings", "email")
        return account.with_context(mail_notify_force_send=False).message_post(
            body=body,
            subject=subject,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=partners.ids,
            author_id=company.partner_id.id,
        )

    def _reminder_label(self, env):
        self.ensure_one()
        return f"{self.with_env(env).utility_id.name} {self.serial}"

    def _reminder_location(self):
        self.ensure_one()
        if self.premise_id:
            return self.premise_id.display_name
        return self.building_id.display_name or ""
