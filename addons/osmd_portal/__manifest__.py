{
    "name": "OSMD Resident Cabinet",
    "summary": "The resident's cabinet on Odoo's portal: personal accounts with balance, debt by service and due "
    "date, accruals with their explanations, receipts, payments, the electronic account book",
    "version": "19.0.1.0.0",
    "category": "Services/Condominium",
    "license": "LGPL-3",
    "author": "OSMD",
    "website": "https://github.com/osmd-billing/osmd",
    "maintainers": ["osmd"],
    "depends": ["osmd_payment_card", "osmd_metering", "portal", "portal_debranding"],
    "data": [
        "views/osmd_portal_templates.xml",
        "data/ir_ui_view_data.xml",
    ],
    "assets": {
        "web.assets_frontend": ["osmd_portal/static/src/css/osmd_portal.css"],
    },
}
