{
    "name": "OSMD Payment by Card: residents pay their personal account online",
    "summary": "Card payment of a personal account on Odoo's payment framework (LiqPay, Monobank or any provider): "
    "posted to the account and reconciled with its invoices the moment the provider confirms it, refunds taken back",
    "version": "19.0.1.0.0",
    "category": "Services/Condominium",
    "license": "LGPL-3",
    "author": "OSMD",
    "website": "https://github.com/osmd-billing/osmd",
    "maintainers": ["osmd"],
    "depends": ["osmd_payments", "account_payment"],
    "data": [
        "views/osmd_payment_card_templates.xml",
        "views/osmd_account_views.xml",
    ],
}
