{
    "name": "Payment Provider: Monobank (plata by mono)",
    "summary": "Accept card, Apple Pay and Google Pay payments through monobank acquiring (plata by mono)",
    "version": "19.0.1.0.0",
    "category": "Accounting/Payment Providers",
    "license": "LGPL-3",
    "author": "OSMD",
    "website": "https://github.com/osmd-billing/osmd",
    "maintainers": ["osmd"],
    "depends": ["payment"],
    "external_dependencies": {"python": ["cryptography"]},
    "data": [
        "views/payment_monobank_templates.xml",
        "views/payment_provider_views.xml",
        "data/payment_provider_data.xml",
    ],
    "post_init_hook": "post_init_hook",
    "uninstall_hook": "uninstall_hook",
}
