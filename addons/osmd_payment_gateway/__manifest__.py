{
    "name": "OSMD Payment Gateway: payments accepted online from collectors and terminals",
    "summary": "One payment-acceptance core (check, pay, cancel, status) for collectors' agents, with a JSON API: "
    "payments posted to the personal account at the moment they are made",
    "version": "19.0.1.0.0",
    "category": "Services/Condominium",
    "license": "LGPL-3",
    "author": "OSMD",
    "website": "https://github.com/osmd-billing/osmd",
    "maintainers": ["osmd"],
    "depends": ["osmd_payments"],
    "data": [
        "security/ir.model.access.csv",
        "security/osmd_payment_gateway_security.xml",
        "views/osmd_payment_agent_views.xml",
    ],
}
