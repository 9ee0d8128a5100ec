{
    "name": "OSMD Dashboard: the board's view of the whole house",
    "summary": "The board's home: accrued, collected, collection rate, debts and their aging, debtors, a 12-month "
    "trend, readings received and open service requests of the association, a building, an entrance or a list of "
    "accounts for any period, each figure opening its records; reminders and notice-board announcements for a "
    "selection of debtors",
    "version": "19.0.1.0.0",
    "category": "Services/Condominium",
    "license": "LGPL-3",
    "author": "OSMD",
    "website": "https://github.com/osmd-billing/osmd",
    "maintainers": ["osmd"],
    "depends": ["osmd_service"],
    "data": [
        "security/ir.model.access.csv",
        "views/osmd_dashboard_views.xml",
        "wizard/osmd_debtor_notify_views.xml",
    ],
    "assets": {"web.assets_backend": ["osmd_dashboard/static/src/**/*"]},
}
