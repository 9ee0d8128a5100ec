import logging

from odoo import api, fields, models
from odoo.fields import Command, Domain
from odoo.tools.translate import LazyTranslate

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__)

TEAM_NAME = _lt("Service requests")
CALENDAR_NAME = _lt("Day and night, every day")
EMERGENCY = _lt("Emergency")
CURRENT_REPAIR = _lt("Current repair")
PAID_SERVICE = _lt("Paid service")
COMPLAINT = _lt("Complaint")
OTHER = _lt("Other")
IN_PROGRESS = "helpdesk_mgmt.helpdesk_ticket_stage_in_progress"
DONE = "helpdesk_mgmt.helpdesk_ticket_stage_done"
# (kind, name, reaction: (days, hours, the stage that ends it) or None); a complaint is answered within a month (the
# Law on citizens' appeals)
DEFAULT_CATEGORIES = [
    ("emergency", EMERGENCY, (0, 2, IN_PROGRESS)),
    ("repair", CURRENT_REPAIR, (3, 0, IN_PROGRESS)),
    ("paid", PAID_SERVICE, None),
    ("complaint", COMPLAINT, (30, 0, DONE)),
    ("other", OTHER, None),
]


class ResCompany(models.Model):
    _inherit = "res.company"

    osmd_service_team_id = fields.Many2one(
        "helpdesk.ticket.team",
        string="Service requests team",
        readonly=True,
        copy=False,
        help="The team of the association's service requests, created with the association.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies.filtered("osmd_kind")._osmd_setup_service_requests()
        return companies

    def write(self, vals):
        before = {company: company.osmd_engineer_id or company.osmd_chairman_id for company in self}
        result = super().write(vals)
        if {"osmd_engineer_id", "osmd_chairman_id"} & vals.keys():
            self._osmd_follow_service_staff(before)
        return result

    def _osmd_follow_service_staff(self, before):
        """A new engineer or chairman joins the service-request team and takes the categories that went to the
        person before (or to nobody)."""
        for company in self.sudo().filtered("osmd_service_team_id"):
            team = company.osmd_service_team_id
            staff = company.osmd_chairman_id | company.osmd_engineer_id
            if staff - team.user_ids:
                team.user_ids = [Command.link(user.id) for user in staff - team.user_ids]
            assignee = company.osmd_engineer_id or company.osmd_chairman_id
            previous = before.get(company) or self.env["res.users"]
            categories = (
                self.env["helpdesk.ticket.category"]
                .sudo()
                .search(Domain("company_id", "=", company.id) & Domain("osmd_user_id", "in", [False, *previous.ids]))
            )
            categories.write({"osmd_user_id": assignee.id})

    @api.model
    def _osmd_translate_service_names(self):
        """The associations' team and categories named in every installed language where a name has no translation
        yet (a language installed after the association was created); a name the association changed is kept."""
        english_names = {str(term._translate("en_US")): term for _kind, term, _reaction in DEFAULT_CATEGORIES}
        english_names[str(TEAM_NAME._translate("en_US"))] = TEAM_NAME
        companies = self.search([("osmd_service_team_id", "!=", False)])
        categories = (
            self.env["helpdesk.ticket.category"]
            .sudo()
            .search([("company_id", "in", companies.ids), ("osmd_kind", "!=", False)])
        )
        for record in [*companies.sudo().osmd_service_team_id, *categories]:
            term = english_names.get(record.with_context(lang="en_US").name)
            if term is None:
                continue
            missing = {
                code: value
                for code, value in self._osmd_translations(term).items()
                if record.with_context(lang=code).name == record.with_context(lang="en_US").name
            }
            if missing:
                record.update_field_translations("name", missing)

    @api.model
    def _osmd_setup_all_service_requests(self):
        """Install: every association without its service-request team gets one."""
        self.search(
            Domain("osmd_kind", "!=", False) & Domain("osmd_service_team_id", "=", False)
        )._osmd_setup_service_requests()

    def _osmd_translations(self, term):
        """{lang: the translation of the lazy ``term``} for the installed languages (names of records we create)."""
        return {code: self.with_context(lang=code).env._(term) for code, _name in self.env["res.lang"].get_installed()}

    def _osmd_setup_service_requests(self):
        """The association's service-request team (its engineer and chairman), the five categories with their first
        assignee, and the reaction times as the team's SLA: emergency 2 hours, current repair 3 days, complaint
        30 days. Names in every installed language."""
        Team = self.env["helpdesk.ticket.team"].sudo()
        Category = self.env["helpdesk.ticket.category"].sudo()
        Sla = self.env["helpdesk.sla"].sudo()
        for company in self.sudo():
            if company.osmd_service_team_id:
                continue
            staff = company.osmd_chairman_id | company.osmd_engineer_id
            assignee = company.osmd_engineer_id or company.osmd_chairman_id
            english = self.with_context(lang="en_US").env
            local = self.with_context(lang=company.partner_id.lang or "en_US").env
            # reaction times run day and night: an emergency at 23:00 on a Saturday is due at 01:00
            calendar = (
                self.env["resource.calendar"]
                .sudo()
                .create(
                    {
                        "name": english._(CALENDAR_NAME),
                        "company_id": company.id,
                        "tz": company.partner_id.tz or "Europe/Kyiv",
                        "hours_per_day": 24,
                        "attendance_ids": [
                            Command.create(
                                {
                                    "name": str(day),
                                    "dayofweek": str(day),
                                    "hour_from": 0,
                                    "hour_to": 24,
                                    "day_period": "full_day",
                                }
                            )
                            for day in range(7)
                        ],
                    }
                )
            )
            team = Team.create(
                {
                    "name": english._(TEAM_NAME),
                    "resource_calendar_id": calendar.id,
                    "company_id": company.id,
                    "user_ids": [Command.set(staff.ids)],
                    "show_in_portal": True,
                    "use_sla": True,
                }
            )
            team.update_field_translations("name", company._osmd_translations(TEAM_NAME))
            categories = Category.create(
                [
                    {
                        "name": english._(name),
                        "company_id": company.id,
                        "osmd_kind": kind,
                        "osmd_team_id": team.id,
                        "osmd_user_id": assignee.id,
                        "sequence": sequence,
                        "show_in_portal": True,
                    }
                    for sequence, (kind, name, _reaction) in enumerate(DEFAULT_CATEGORIES, start=1)
                ]
            )
            for category, (_kind, name, _reaction) in zip(categories, DEFAULT_CATEGORIES, strict=True):
                category.update_field_translations("name", company._osmd_translations(name))
            Sla.create(
                [
                    {
                        # the SLA's name is not translatable: in the association's language
                        "name": local._(
                            "%(category)s: reaction within %(hours)s h",
                            category=local._(name),
                            hours=days * 24 + hours,
                        ),
                        "company_id": company.id,
                        "team_ids": [Command.set(team.ids)],
                        "category_ids": [Command.set(category.ids)],
                        "stage_id": self.env.ref(stage).id,
                        "days": days,
                        "hours": hours,
                    }
                    for category, (_kind, name, reaction) in zip(categories, DEFAULT_CATEGORIES, strict=True)
                    if reaction
                    for days, hours, stage in [reaction]
                ]
            )
            company.osmd_service_team_id = team
