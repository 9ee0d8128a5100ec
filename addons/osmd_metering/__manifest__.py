{
    "name": "OSMD Metering: meters and readings",
    "summary": "House and premise meters, readings from engineers and residents, replacements, "
    "verification, estimates and house-loss sharing",
    "version": "19.0.1.0.0",
    "category": "Services/Condominium",
    "license": "LGPL-3",
    "author": "OSMD",
    "website": "https://github.com/osmd-billing/osmd",
    "maintainers": ["osmd"],
    "depends": ["osmd_base", "uom"],
    "external_dependencies": {"python": ["openpyxl", "xlsxwriter"]},
    "data": [
        "security/ir.model.access.csv",
        "security/osmd_metering_security.xml",
        "data/osmd_utility_data.xml",
        "views/osmd_utility_views.xml",
        "views/osmd_meter_views.xml",
        "views/osmd_meter_reading_views.xml",
        "views/res_company_views.xml",
        "views/osmd_metering_menus.xml",
    ],
}
