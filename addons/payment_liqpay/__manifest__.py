{
    "name": "Payment Provider: LiqPay",
    "summary": "Accept card payments in UAH, USD and EUR through the LiqPay checkout (API v3)",
    "version": "19.0.1.0.0",
    "category": "Accounting/Payment Providers",
    "license": "LGPL-3",
    "author": "OSMD",
    "website": "https://github.com/osmd-billing/osmd",
    "maintainers": ["osmd"],
    "depends": ["payment"],
    "data": [
        "views/payment_liqpay_templates.xml",
        "views/payment_provider_views.xml",
        "data/payment_provider_data.xml",
    ],
    "post_init_hook": "post_init_hook",
    "uninstall_hook": "uninstall_hook",
}
