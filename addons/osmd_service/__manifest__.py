{
    "name": "OSMD Service Requests",
    "summary": "Residents' service requests (emergency, repairs, paid services, complaints) on OCA helpdesk_mgmt: per "
    "association categories, teams, assignees and SLA, tied to personal accounts and buildings, in the resident "
    "cabinet; messages with the board on the account; the board's announcements to buildings and entrances",
    "version": "19.0.1.0.0",
    "category": "Services/Condominium",
    "license": "LGPL-3",
    "author": "OSMD",
    "website": "https://github.com/osmd-billing/osmd",
    "maintainers": ["osmd"],
    "depends": ["osmd_portal", "helpdesk_mgmt", "helpdesk_mgmt_sla", "helpdesk_mgmt_rating"],
    "data": [
        "security/osmd_service_security.xml",
        "security/ir.model.access.csv",
        "wizard/osmd_ticket_close_views.xml",
        "views/helpdesk_ticket_views.xml",
        "views/osmd_announcement_views.xml",
        "views/osmd_service_templates.xml",
        "data/osmd_service_data.xml",
    ],
}
