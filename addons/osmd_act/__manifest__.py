{
    "name": "OSMD Acts: acts of services rendered for companies",
    "summary": "An act of services rendered (акт надання послуг) per period for personal accounts held by companies "
    "and sole proprietors, generated with the billing run from the invoice's lines, numbered per association and year, "
    "printed, sent with the invoice, listed in a register",
    "version": "19.0.1.0.0",
    "category": "Services/Condominium",
    "license": "LGPL-3",
    "author": "OSMD",
    "website": "https://github.com/osmd-billing/osmd",
    "maintainers": ["osmd"],
    "depends": ["osmd_billing"],
    "data": [
        "security/ir.model.access.csv",
        "security/osmd_act_security.xml",
        "report/osmd_act_report.xml",
        "views/osmd_act_views.xml",
        "wizard/osmd_act_register_views.xml",
    ],
}
