import base64
from collections import defaultdict

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command, Domain

from odoo.addons.osmd_base.tools.company_access import check_own_associations
from odoo.addons.osmd_billing.tools.formatting import fmt_number
from odoo.addons.osmd_billing.tools.money import round_money

PLACEHOLDERS = ("{account}", "{amount}", "{date}", "{premise}")


class OsmdDebtorNotify(models.TransientModel):
    """A selection of debtors (from the debtors list, the accounts list or the dashboard) handed to the senders:

    * a personal reminder on each account: in the cabinet and by e-mail or SMS as each person chose for debt
      notices, or by SMS to everyone with a mobile number; the text names the account, the premise and the debt
      only, and goes to the account's holder and the people who see it in the cabinet;
    * a draft announcement for the selection's buildings and entrances, with the premises and amounts (no names,
      no account numbers) and the notice-board PDF attached, to review and publish as any announcement.
    """

    _name = "osmd.debtor.notify"
    _description = "Message to debtors"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", string="Association", required=True, default=lambda self: self.env.company
    )
    account_ids = fields.Many2many(
        "osmd.account", string="Personal accounts", check_company=True, context={"active_test": False}
    )
    date = fields.Date(
        string="Debts on",
        readonly=True,
        default=fields.Date.context_today,
        help="Today: reminders are about today's debts.",
    )
    mode = fields.Selection(
        [
            ("preferences", "Reminder to each account, as each person chose (cabinet, e-mail, SMS)"),
            ("sms", "Reminder to each account by SMS to everyone with a mobile number"),
            ("announcement", "Draft announcement for the notice board (premises and amounts, no names)"),
        ],
        string="Send",
        required=True,
        default="preferences",
    )
    body = fields.Text(
        string="Text",
        help="{account}, {premise}, {amount} and {date} are replaced with each account's number, premise, debt "
        "and the day of the debts.",
    )
    debtor_count = fields.Integer(string="Debtors", compute="_compute_debtors")
    total_debt = fields.Monetary(string="Total debt", compute="_compute_debtors")
    currency_id = fields.Many2one(related="company_id.currency_id")

    @api.constrains("company_id")
    def _check_own_association(self):
        check_own_associations(self)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        ids = context.get("active_ids") or []
        if context.get("active_model") == "osmd.debtor.report":
            ids = self.env["osmd.debtor.report"].browse(ids).account_id.ids
        elif context.get("active_model") not in ("osmd.account", None):
            ids = []
        if "account_ids" in fields_list and ids and not values.get("account_ids"):
            values["account_ids"] = [Command.set(ids)]
        if "body" in fields_list and not values.get("body"):
            company = self.env["res.company"].browse(values.get("company_id")) or self.env.company
            lang = self.env["res.partner"]._osmd_document_lang(company)
            values["body"] = self.with_context(lang=lang).env._(
                "%(association)s: the debt of personal account {account} ({premise}) is {amount} UAH on {date}. "
                "Please pay it; the receipt and online payment are in your cabinet.",
                association=company.name,
            )
        return values

    @api.depends("account_ids", "date")
    def _compute_debtors(self):
        for wizard in self:
            debts = wizard._debts()
            wizard.debtor_count = len(debts)
            wizard.total_debt = float(sum(debts.values()))

    def _debts(self):
        """{account: debt today} of the selected accounts that owe something (their ledger balance)."""
        self.ensure_one()
        accounts = self.account_ids._origin.filtered(lambda account: account.company_id == self.company_id)
        balances = {account: round_money(account.balance) for account in accounts}
        return {account: debt for account, debt in balances.items() if debt > 0}

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_send(self):
        self.ensure_one()
        debts = self._debts()
        if not debts:
            raise UserError(self.env._("None of the chosen personal accounts owes anything."))
        if self.mode == "announcement":
            if not self.env.user.has_group("osmd_base.group_osmd_board"):
                raise UserError(self.env._("Announcements are written by the board."))
            return self._make_announcement(debts)
        if not (self.body or "").strip():
            raise UserError(self.env._("Write the text of the reminder."))
        self._send_reminders(debts)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("Reminders sent to %(count)s personal accounts.", count=len(debts)),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _text(self, account, debt):
        values = {
            "{account}": account.number or "",
            "{premise}": account.premise_id.display_name or "",
            "{amount}": fmt_number(debt, 2),
            "{date}": self.date.strftime("%d.%m.%Y"),
        }
        text = self.body
        for placeholder in PLACEHOLDERS:
            text = text.replace(placeholder, values[placeholder])
        return text

    def _send_reminders(self, debts):
        company = self.company_id
        sms_messages = []
        for account, debt in debts.items():
            text = self._text(account, debt)
            people = account.sudo().portal_partner_ids | account.holder_id
            if self.mode == "sms":
                sms_people = people
                email_people = people.browse()
            else:
                sms_people = people._osmd_wants("debt", "sms")
                email_people = people._osmd_wants("debt", "email").filtered("email")
            # on the account's thread (the cabinet shows it); e-mailed to those who want debt notices so
            account.sudo().with_context(mail_notify_force_send=False).message_post(
                body=escape(text),
                subject=self.env._("Debt reminder"),
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                partner_ids=email_people.ids,
                author_id=company.partner_id.id,
            )
            sms_messages += [(partner, text, account) for partner in sms_people]
        self.env["osmd.sms.provider"]._osmd_queue(company, sms_messages, "debt reminders")

    def _make_announcement(self, debts):
        company = self.company_id
        lang = self.env["res.partner"]._osmd_document_lang(company)
        env = self.with_context(lang=lang).env
        by_building = defaultdict(list)
        for account, debt in debts.items():
            by_building[account.building_id].append((account.premise_id, debt))
        rows = Markup()
        for building, items in sorted(by_building.items(), key=lambda item: item[0].display_name or ""):
            rows += Markup("<tr><th colspan='2'>%s</th></tr>") % building.display_name
            for premise, debt in sorted(items, key=lambda item: (item[0].number_sort, item[0].number or "")):
                rows += Markup("<tr><td>%s</td><td class='text-end'>%s</td></tr>") % (
                    premise.display_name,
                    fmt_number(debt, 2),
                )
        body = Markup(
            "<p>%s</p><table class='table table-sm'><tr><th>%s</th><th class='text-end'>%s</th></tr>%s</table>"
        ) % (
            env._(
                "Debts for housing services on %(date)s. Please pay them: the receipt and online payment are in "
                "your cabinet.",
                date=self.date.strftime("%d.%m.%Y"),
            ),
            env._("Premise"),
            env._("Debt, UAH"),
            rows,
        )
        report = self.env["osmd.debtor.report"].with_context(date=fields.Date.to_string(self.date))
        debtors = report.search(Domain("account_id", "in", [account.id for account in debts]))
        attachments = self.env["ir.attachment"]
        if debtors:
            pdf, _type = (
                self.env["ir.actions.report"]
                .with_context(lang=lang, date=fields.Date.to_string(self.date))
                ._render_qweb_pdf("osmd_billing.action_report_osmd_notice_board", debtors.ids)
            )
            attachments = self.env["ir.attachment"].create(
                {
                    "name": "debtors_notice_board.pdf",
                    "datas": base64.b64encode(pdf),
                    "mimetype": "application/pdf",
                    "res_model": "osmd.announcement",
                }
            )
        accounts = self.env["osmd.account"].browse([account.id for account in debts])
        entrances = sorted({entrance for entrance in accounts.premise_id.mapped("entrance") if entrance})
        buildings = accounts.building_id
        announcement = self.env["osmd.announcement"].create(
            {
                "company_id": company.id,
                "name": env._("Debts for housing services"),
                "body": body,
                "building_ids": [Command.set(buildings.ids)],
                "entrances": ", ".join(str(number) for number in entrances)
                if len(buildings) == 1 and 0 not in accounts.premise_id.mapped("entrance")
                else False,
                "attachment_ids": [Command.set(attachments.ids)],
            }
        )
        attachments.write({"res_id": announcement.id})
        return {
            "type": "ir.actions.act_window",
            "res_model": "osmd.announcement",
            "res_id": announcement.id,
            "views": [(False, "form")],
            "target": "current",
        }
