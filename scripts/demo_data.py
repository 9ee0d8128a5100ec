"""OSMD demo data: one association with two buildings, 156 premises, their people, meters and billing.

Run by scripts/demo.sh once, right after it creates the demo database:
``odoo-bin shell -c odoo.conf -d osmd_demo --no-http < scripts/demo_data.py``
(``env`` is the superuser environment of the shell). It goes through the
same code paths as users: the "New association" wizard (Ukrainian chart of
accounts, UAH, bank journal with the IBAN, chairman) and the ownership
transfer wizard. The demo logins are written to $OSMD_DEMO_LOGINS_FILE.
"""

import base64
import os
import random
from datetime import date

from dateutil.relativedelta import relativedelta

rng = random.Random(2026)  # the same demo every time

SURNAMES = [
    "Шевченко",
    "Коваленко",
    "Бондаренко",
    "Ткаченко",
    "Кравченко",
    "Олійник",
    "Шевчук",
    "Поліщук",
    "Бойко",
    "Мельник",
    "Коваль",
    "Лисенко",
    "Марченко",
    "Руденко",
    "Савченко",
    "Петренко",
    "Мороз",
    "Клименко",
    "Павленко",
    "Кузьменко",
    "Гончаренко",
    "Литвиненко",
    "Романенко",
    "Дмитренко",
    "Сидоренко",
    "Іваненко",
    "Федоренко",
    "Гаврилюк",
    "Костенко",
    "Тимошенко",
    "Зінченко",
    "Приходько",
    "Левченко",
]
MALE = [
    "Олександр",
    "Андрій",
    "Сергій",
    "Володимир",
    "Іван",
    "Микола",
    "Дмитро",
    "Петро",
    "Юрій",
    "Тарас",
    "Богдан",
    "Василь",
    "Олег",
    "Роман",
    "Михайло",
]
FEMALE = [
    "Олена",
    "Наталія",
    "Тетяна",
    "Ірина",
    "Оксана",
    "Світлана",
    "Марія",
    "Людмила",
    "Галина",
    "Юлія",
    "Катерина",
    "Ганна",
    "Вікторія",
    "Софія",
    "Леся",
]
PATRONYMIC_M = ["Олександрович", "Іванович", "Петрович", "Миколайович", "Васильович", "Сергійович"]
PATRONYMIC_F = ["Олександрівна", "Іванівна", "Петрівна", "Миколаївна", "Василівна", "Сергіївна"]
FEMALE_SURNAME = {
    "Мельник": "Мельник",
    "Мороз": "Мороз",
    "Коваль": "Коваль",
    "Шевчук": "Шевчук",
    "Поліщук": "Поліщук",
    "Бойко": "Бойко",
    "Олійник": "Олійник",
    "Гаврилюк": "Гаврилюк",
}
TRANSLIT = str.maketrans(
    {
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "h",
        "ґ": "g",
        "д": "d",
        "е": "e",
        "є": "ie",
        "ж": "zh",
        "з": "z",
        "и": "y",
        "і": "i",
        "ї": "i",
        "й": "i",
        "к": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ф": "f",
        "х": "kh",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "shch",
        "ь": "",
        "ю": "iu",
        "я": "ia",
        "'": "",
    }
)
used_phones = set()


def person(female=None, surname=None):
    female = rng.random() < 0.5 if female is None else female
    surname = surname or rng.choice(SURNAMES)
    if female:
        return f"{FEMALE_SURNAME.get(surname, surname)} {rng.choice(FEMALE)} {rng.choice(PATRONYMIC_F)}"
    return f"{surname} {rng.choice(MALE)} {rng.choice(PATRONYMIC_M)}"


def phone():
    while True:
        number = f"+380{rng.choice(['67', '50', '63', '66', '68', '73', '93', '97'])}{rng.randint(1000000, 9999999)}"
        if number not in used_phones:
            used_phones.add(number)
            return number


def email(name, serial):
    surname, first = name.split()[:2]
    return f"{first.lower().translate(TRANSLIT)}.{surname.lower().translate(TRANSLIT)}{serial}@example.com"


def create_association(env):
    # 1. The association, through the onboarding wizard.
    wizard = env["osmd.association.create"].create(
        {
            "name": "ОСББ «Липки-10»",
            "kind": "osbb",
            "edrpou": "32855961",
            "iban": "UA213223130000026007233566001",
            "statute_rules": "before_2023",
            "street": "вул. Липська, 10",
            "city": "Київ",
            "zip": "01021",
            "phone": "+380442345678",
            "email": "board@lypky10.example.com",
            "chairman_name": "Гончаренко Віктор Іванович",
            "chairman_email": "chairman@lypky10.example.com",
        }
    )
    action = wizard.action_create()
    company = env["res.company"].browse(action["res_id"])
    env.user.write({"company_ids": [(4, company.id)], "company_id": company.id})
    return company


def create_premises(env, company):
    # 2. Buildings and premises.
    Building, Premise = env["osmd.building"], env["osmd.premise"]
    b1, b2 = Building.create(
        [
            {
                "name": "Липська, 10",
                "street": "вул. Липська, 10",
                "city": "Київ",
                "zip": "01021",
                "entrance_count": 3,
                "floor_count": 9,
                "year_built": 1974,
                "company_id": company.id,
            },
            {
                "name": "Шовковична, 7а",
                "street": "вул. Шовковична, 7а",
                "city": "Київ",
                "zip": "01021",
                "entrance_count": 2,
                "floor_count": 5,
                "year_built": 2012,
                "company_id": company.id,
            },
        ]
    )
    layout = (54.20, 38.60, 71.35, 46.80)
    premise_vals = []
    number = 0
    for entrance in range(1, 4):
        for floor in range(1, 10):
            for flat in range(4):
                number += 1
                total = layout[flat]
                premise_vals.append(
                    {
                        "building_id": b1.id,
                        "number": str(number),
                        "entrance": entrance,
                        "floor": floor,
                        "rooms": (2, 1, 3, 2)[flat],
                        "total_area": total,
                        "living_area": round(total * 0.62, 2),
                        "heated_area": total,
                    }
                )
    premise_vals += [
        {
            "building_id": b1.id,
            "number": f"Н-{n}",
            "kind": "non_residential",
            "floor": 1,
            "total_area": area,
            "heated_area": area,
        }
        for n, area in ((1, 84.50), (2, 120.10), (3, 36.75), (4, 52.00))
    ]
    number = 0
    for entrance in range(1, 3):
        for floor in range(1, 6):
            for flat in range(3):
                number += 1
                total = (62.45, 88.90, 45.30)[flat]
                premise_vals.append(
                    {
                        "building_id": b2.id,
                        "number": str(number),
                        "entrance": entrance,
                        "floor": floor,
                        "rooms": (2, 3, 1)[flat],
                        "total_area": total,
                        "living_area": round(total * 0.6, 2),
                        "heated_area": total,
                    }
                )
    premise_vals += [
        {"building_id": b2.id, "number": f"П-{n}", "kind": "parking", "floor": -1, "total_area": 15.00}
        for n in range(1, 13)
    ] + [
        {"building_id": b2.id, "number": f"К-{n}", "kind": "storage", "floor": -1, "total_area": 4.80}
        for n in range(1, 3)
    ]
    premises = Premise.create(premise_vals)
    return b1, b2, premises


def create_owners(env, company, premises, b2):
    # 3. Owners: mostly one owner, every 7th apartment shared by a couple (1/2 + 1/2),
    #    every 11th shared by three heirs (1/3 each); parking and storage owned by apartment owners
    #    (one owner of several premises); non-residential premises owned by companies.
    Partner = env["res.partner"]
    owner_rows = []  # (premise, [(partner_vals, num, den)])
    apartments = premises.filtered(lambda p: p.kind == "apartment")
    for index, premise in enumerate(apartments):
        surname = rng.choice(SURNAMES)
        if index % 11 == 5:
            shares = [(person(surname=surname), 1, 3) for _ in range(3)]
        elif index % 7 == 3:
            shares = [(person(False, surname), 1, 2), (person(True, surname), 1, 2)]
        else:
            shares = [(person(surname=surname), 1, 1)]
        owner_rows.append((premise, shares))
    serial = 0
    partner_vals = []
    for _premise, shares in owner_rows:
        for name, _num, _den in shares:
            serial += 1
            vals = {"name": name, "company_id": company.id, "phone": phone(), "lang": "uk_UA"}
            if serial % 3:
                vals["email"] = email(name, serial)
            partner_vals.append(vals)
    for name in (
        "ТОВ «Аптека Здоров'я»",
        "ФОП Мельник Ірина Петрівна",
        "ТОВ «Кава на Липках»",
        "Приватний нотаріус Савченко О. В.",
    ):
        partner_vals.append(
            {
                "name": name,
                "company_id": company.id,
                "is_company": "ТОВ" in name,
                "phone": phone(),
                "email": f"office{len(partner_vals)}@example.com",
                # a sole proprietor keeps books: acts of services (osmd_act) like the companies
                **({"osmd_wants_act": True} if name.startswith("ФОП") and "osmd_wants_act" in Partner._fields else {}),
            }
        )
    partners = iter(Partner.create(partner_vals))
    ownership_vals, holders = [], {}
    for premise, shares in owner_rows:
        start = date(rng.randint(1996, 2022), rng.randint(1, 12), rng.randint(1, 28))
        for _name, num, den in shares:
            partner = next(partners)
            holders.setdefault(premise, partner)
            ownership_vals.append(
                {
                    "premise_id": premise.id,
                    "partner_id": partner.id,
                    "share_numerator": num,
                    "share_denominator": den,
                    "date_start": start,
                    "document_kind": "register_extract",
                    "document_number": str(rng.randint(10000000, 99999999)),
                }
            )
    for premise in premises.filtered(lambda p: p.kind == "non_residential"):
        partner = next(partners)
        holders[premise] = partner
        ownership_vals.append(
            {
                "premise_id": premise.id,
                "partner_id": partner.id,
                "date_start": date(2015, 3, 1),
                "document_kind": "sale_contract",
            }
        )
    b2_apartments = apartments.filtered(lambda p: p.building_id == b2)
    for index, premise in enumerate(premises.filtered(lambda p: p.kind in ("parking", "storage"))):
        owner = holders[b2_apartments[(index * 2) % len(b2_apartments)]]
        holders[premise] = owner
        ownership_vals.append(
            {
                "premise_id": premise.id,
                "partner_id": owner.id,
                "date_start": date(2013, 6, 1),
                "document_kind": "sale_contract",
            }
        )
    env["osmd.ownership"].create(ownership_vals)
    return ownership_vals, holders


def create_accounts(env, company, premises, holders, ownership_vals):
    # 4. Personal accounts: one per premise, holder = first owner; residents with family and tenants.
    Account = env["osmd.account"]
    accounts = Account.create(
        [
            {
                "premise_id": premise.id,
                "company_id": company.id,
                "holder_id": holders[premise].id,
                "date_open": date(2016, 1, 1),
            }
            for premise in premises
        ]
    )
    resident_vals, tenant_partner_vals = [], []
    owners_by_premise = {}
    for vals in ownership_vals:
        owners_by_premise.setdefault(vals["premise_id"], []).append(vals["partner_id"])
    for index, account in enumerate(accounts):
        if account.premise_id.kind != "apartment":
            continue
        if index % 9 == 4:  # rented out: the owner lives elsewhere, tenants are registered
            tenant_partner_vals.append((account, person(), "tenant"))
            tenant_partner_vals.append((account, person(), "tenant"))
            continue
        for partner_id in owners_by_premise[account.premise_id.id]:
            resident_vals.append(
                {
                    "account_id": account.id,
                    "partner_id": partner_id,
                    "relation": "owner",
                    "date_start": date(2016, 1, 1),
                }
            )
        for _child in range(index % 3):
            tenant_partner_vals.append((account, person(), "family"))
    extra_people = env["res.partner"].create(
        [{"name": name, "company_id": company.id, "lang": "uk_UA"} for _acc, name, _rel in tenant_partner_vals]
    )
    for (account, _name, relation), partner in zip(tenant_partner_vals, extra_people, strict=True):
        resident_vals.append(
            {
                "account_id": account.id,
                "partner_id": partner.id,
                "relation": relation,
                "date_start": date(2021, 9, 1) if relation == "tenant" else date(2016, 1, 1),
            }
        )
    env["osmd.resident"].create(resident_vals)
    return accounts, resident_vals


def create_history(env, company, premises, accounts, b1):
    # 5. History: apartment 12 was sold in 2024 (account keeps number and debt; new holder from the date),
    #    apartment 30 closed its old account and opened a new one after a court decision.
    Partner, Account = env["res.partner"], env["osmd.account"]
    sold = premises.filtered(lambda p: p.building_id == b1 and p.number == "12")
    buyer = Partner.create(
        {
            "name": "Литвиненко Софія Андріївна",
            "company_id": company.id,
            "phone": phone(),
            "email": "sofia.lytvynenko@example.com",
        }
    )
    transfer = (
        env["osmd.ownership.transfer"]
        .with_context(default_premise_id=sold.id)
        .create(
            {
                "date": date(2024, 9, 16),
                "reason": "sale",
                "document_number": "1874",
                "document_date": date(2024, 9, 13),
                "line_ids": [(0, 0, {"partner_id": buyer.id, "share_numerator": 1, "share_denominator": 1})],
            }
        )
    )
    transfer.action_apply()
    reopened = accounts.filtered(lambda a: a.premise_id.building_id == b1 and a.premise_id.number == "30")
    reopened.write({"state": "closed", "date_close": date(2023, 12, 31)})
    Account.create(
        {
            "premise_id": reopened.premise_id.id,
            "company_id": company.id,
            "holder_id": reopened.holder_id.id,
            "date_open": date(2024, 1, 1),
        }
    )


def create_logins(env, company, accounts):
    # 6. Staff and residents who can log in (password = login, demo only).
    logins = []
    groups = {
        "chairman": "osmd_base.group_osmd_chairman",
        "accountant": "osmd_base.group_osmd_accountant",
        "engineer": "osmd_base.group_osmd_engineer",
        "audit": "osmd_base.group_osmd_audit",
        "board": "osmd_base.group_osmd_board",
    }
    chairman_user = company.osmd_chairman_id
    if chairman_user:
        chairman_user.write({"login": "chairman", "password": "chairman", "lang": "uk_UA", "tz": "Europe/Kyiv"})
        logins.append(("chairman", "chairman", "Chairman (голова правління)"))
    Users = env["res.users"].with_context(no_reset_password=True)
    staff = [
        ("accountant", "Бухгалтер Ковальчук Ніна Петрівна", "Accountant (бухгалтер)"),
        ("engineer", "Інженер Олійник Степан Іванович", "Engineer (інженер)"),
        ("audit", "Ревізор Мороз Алла Василівна", "Audit commission (ревізійна комісія)"),
        ("board", "Член правління Бойко Роман Олегович", "Board member (член правління)"),
    ]
    for login, name, label in staff:
        Users.create(
            {
                "name": name,
                "login": login,
                "password": login,
                "company_id": company.id,
                "company_ids": [(6, 0, [company.id])],
                "lang": "uk_UA",
                "tz": "Europe/Kyiv",
                "group_ids": [(6, 0, [env.ref("base.group_user").id, env.ref(groups[login]).id])],
            }
        )
        logins.append((login, login, label))
    shared = accounts.filtered(lambda a: len(a.portal_partner_ids) > 1)[:1]
    single = accounts.filtered(lambda a: a.premise_id.kind == "apartment" and a.holder_id.email)[2:3]
    for login, account in (("resident1", shared), ("resident2", single)):
        Users.create(
            {
                "name": account.holder_id.name,
                "login": login,
                "password": login,
                "partner_id": account.holder_id.id,
                "company_id": company.id,
                "company_ids": [(6, 0, [company.id])],
                "lang": "uk_UA",
                "group_ids": [(6, 0, [env.ref("osmd_base.group_osmd_resident").id])],
            }
        )
        logins.append((login, login, f"Resident, account {account.number} ({account.premise_id.display_name})"))
    return logins


def create_meters(env, company, premises):
    """Meters (osmd_metering): cold/hot water per apartment, two-zone electricity, house meters,
    three months of confirmed readings, a few residents' submissions waiting for the engineer."""
    if "osmd.meter" not in env:
        return ""
    Meter, Reading = env["osmd.meter"], env["osmd.meter.reading"]
    cold = env.ref("osmd_metering.utility_cold_water")
    hot = env.ref("osmd_metering.utility_hot_water")
    power = env.ref("osmd_metering.utility_electricity")
    apartments = premises.filtered(lambda p: p.kind == "apartment")
    today = date.today()
    months = [(today.replace(day=1) - relativedelta(months=n)) for n in (3, 2, 1)]
    meter_vals = []
    for premise in apartments:
        serial = f"{premise.building_id.id}{int(premise.number):03d}"
        common = {
            "premise_id": premise.id,
            "company_id": company.id,
            "install_date": date(2021, 4, 1),
            "verification_date": date(2021, 4, 1),
        }
        meter_vals += [
            dict(
                common,
                utility_id=cold.id,
                serial=f"ХВ-{serial}",
                digits=5,
                verification_interval=6,
                initial_value1=rng.randint(10, 400),
            ),
            dict(
                common,
                utility_id=hot.id,
                serial=f"ГВ-{serial}",
                digits=5,
                verification_interval=4,
                initial_value1=rng.randint(5, 200),
            ),
            dict(
                common,
                utility_id=power.id,
                serial=f"ЕЛ-{serial}",
                digits=6,
                zone_count=2,
                verification_interval=16,
                initial_value1=rng.randint(1000, 9000),
                initial_value2=rng.randint(500, 4000),
            ),
        ]
    for building in premises.building_id:
        meter_vals += [
            {
                "building_id": building.id,
                "company_id": company.id,
                "utility_id": cold.id,
                "serial": f"БЛ-ХВ-{building.id}",
                "digits": 7,
                "install_date": date(2020, 1, 1),
                "verification_date": date(2020, 1, 1),
                "verification_interval": 4,
            },
        ]
    meters = Meter.create(meter_vals)
    monthly = {cold: (2.0, 6.0), hot: (1.0, 3.5), power: (80, 260)}
    values = {m.id: [m.initial_value1, m.initial_value2] for m in meters}
    premise_meters = meters.filtered("premise_id")
    house_meters = meters - premise_meters
    for month in months:
        reading_vals = []
        used_cold = dict.fromkeys(house_meters.building_id.ids, 0.0)
        for meter in premise_meters:
            low, high = monthly[meter.utility_id]
            used = round(rng.uniform(low, high), 3)
            values[meter.id][0] += used
            if meter.utility_id == cold:
                used_cold[meter.building_id.id] += used
            if meter.zone_count == 2:
                values[meter.id][1] += round(rng.uniform(low / 2, high / 2), 3)
            reading_vals.append(
                {
                    "meter_id": meter.id,
                    "date": month + relativedelta(days=24),
                    "source": "engineer",
                    "state": "confirmed",
                    "value1": round(values[meter.id][0], 3),
                    "value2": round(values[meter.id][1], 3) if meter.zone_count == 2 else 0,
                }
            )
        for meter in house_meters:  # the house meter shows the premises' water plus 4-8 % losses
            values[meter.id][0] += round(used_cold[meter.building_id.id] * rng.uniform(1.04, 1.08), 3)
            reading_vals.append(
                {
                    "meter_id": meter.id,
                    "date": month + relativedelta(days=24),
                    "source": "engineer",
                    "state": "confirmed",
                    "value1": round(values[meter.id][0], 3),
                }
            )
        Reading.create(reading_vals)
    # residents' submissions of this month waiting for confirmation
    pending = premise_meters.filtered(lambda m: m.utility_id == cold)[:12]
    Reading.create(
        [
            {
                "meter_id": meter.id,
                "date": today.replace(day=min(today.day, 28)),
                "source": "resident",
                "state": "submitted",
                "value1": values[meter.id][0] + round(rng.uniform(2, 6), 3),
            }
            for meter in pending
        ]
    )
    return f", {len(meters)} meters with {Reading.search_count([('company_id', '=', company.id)])} readings"


def create_billing(env, company, premises, accounts):
    """Billing (osmd_billing): six services with dated tariffs (maintenance went up two months ago),
    building subscriptions, a benefit and a subsidy, penalties on, the billing runs of the three months
    with readings posted (through the same run the accountant uses) and most of the invoices paid; the
    current month's run computed, waiting for the accountant."""
    if "osmd.billing.run" not in env:
        return ""
    Product = env["product.product"]
    cold = env.ref("osmd_metering.utility_cold_water")
    hot = env.ref("osmd_metering.utility_hot_water")
    today = date.today()
    months = [(today.replace(day=1) - relativedelta(months=n)) for n in (3, 2, 1)]
    specs = [
        ("Утримання будинку та прибудинкової території", "area_total", False, False, [(8.50, None), (9.20, 1)]),
        ("Внесок на капітальний ремонт", "area_total", False, False, [(1.50, None)]),
        ("Вивезення побутових відходів", "persons", False, False, [(45.00, None)]),
        ("Домофон", "fixed", False, "apartment", [(20.00, None)]),
        ("Холодна вода та водовідведення", "consumption", cold, False, [(41.28, None)]),
        ("Гаряча вода", "consumption", hot, False, [(105.50, None)]),
    ]
    services = Product.create(
        [
            {
                "name": name,
                "osmd_basis": basis,
                "osmd_utility_id": utility.id if utility else False,
                "osmd_premise_kinds": kinds,
                "company_id": company.id,
                "taxes_id": [(5, 0, 0)],  # associations are not VAT payers
            }
            for name, basis, utility, kinds, _prices in specs
        ]
    )
    tariff_vals = []
    for service, spec in zip(services, specs, strict=True):
        prices = spec[4]
        for index, (price, since) in enumerate(prices):
            start = date(2025, 1, 1) if since is None else months[since]
            end = months[prices[index + 1][1]] - relativedelta(days=1) if index + 1 < len(prices) else False
            tariff_vals.append(
                {
                    "company_id": company.id,
                    "product_id": service.id,
                    "price": price,
                    "date_start": start,
                    "date_end": end,
                }
            )
    env["osmd.tariff"].create(tariff_vals)
    env["osmd.subscription"].create(
        [
            {"company_id": company.id, "building_id": building.id, "product_id": service.id, "date_start": "2025-01-01"}
            for building in premises.building_id
            for service in services
        ]
    )
    apartments = accounts.filtered(lambda a: a.premise_id.kind == "apartment")
    env["osmd.benefit"].create(
        {
            "company_id": company.id,
            "account_id": apartments[3].id,
            "product_id": services[0].id,
            "percent": 50,
            "category": "Учасник бойових дій, посвідчення АА 123456",
            "date_start": months[0],
        }
    )
    env["osmd.subsidy"].create(
        {
            "company_id": company.id,
            "account_id": apartments[5].id,
            "period": months[2],
            "amount": 650,
            "note": "УСЗН №17",
        }
    )
    # the state owes this household its subsidy: no penalty from the month it was due
    apartments[5].write(
        {"osmd_penalty_exempt": True, "osmd_penalty_exempt_reason": "subsidy", "osmd_penalty_exempt_since": months[1]}
    )
    company.write({"osmd_penalty_enabled": True})
    bank = env["account.journal"].search([("type", "=", "bank"), ("company_id", "=", company.id)], limit=1)
    Run = env["osmd.billing.run"]
    for month in months:
        run = Run.create({"company_id": company.id, "period": month})
        # computed on the 3rd of the following month, as an accountant does once the readings are in: the
        # penalties count the days of delay up to the 2nd (never a day after today)
        run.with_context(osmd_compute_date=month + relativedelta(months=1, days=2)).action_compute()
        run.action_post()
        # most residents pay by the 20th of the next month, some pay part, some nothing
        for invoice in run.move_ids:
            luck = rng.random()
            if luck < 0.12:
                continue
            amount = invoice.amount_total if luck > 0.22 else round(invoice.amount_total * 0.5, 2)
            env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
                {
                    "amount": amount,
                    "journal_id": bank.id,
                    # never after today: the dashboard and the debtors list show debts on a day
                    "payment_date": min(month + relativedelta(months=1, days=rng.randint(2, 19)), today),
                }
            )._create_payments()
    # a bank statement imported late: an overdue invoice was paid on the 10th of last month, after the penalty for
    # the whole month was charged; the current run corrects that penalty
    charged = env["osmd.penalty.charge"].search(
        [("company_id", "=", company.id), ("period", "=", months[2]), ("invoice_id.amount_residual", ">", 0)],
        order="amount desc",
        limit=1,
    )
    if charged:
        late = charged.invoice_id
        env["account.payment.register"].with_context(active_model="account.move", active_ids=late.ids).create(
            {"amount": late.amount_residual, "journal_id": bank.id, "payment_date": months[2].replace(day=10)}
        )._create_payments()
    current = Run.create({"company_id": company.id, "period": today.replace(day=1)})
    current.action_compute()
    invoices = env["account.move"].search_count([("company_id", "=", company.id), ("osmd_is_accrual", "=", True)])
    return f", {len(services)} services, {invoices} accrual invoices in 3 posted billing runs"


def create_payments(env, company, accounts):
    """Payments (osmd_payments): this month's bank statement imported through the statement import (1C
    ClientBankExchange, CP1251) with the purposes residents really write: most matched and reconciled automatically,
    a few waiting for review, a transfer from the association's own account and a bank fee; a collector (EasyPay)
    whose registry splits its lump-sum transfer."""
    if "osmd.payment.registry" not in env:
        return ""
    today = date.today()
    day = today.replace(day=1) + relativedelta(days=min(today.day - 1, 4))
    iban = company.osmd_iban
    own = company.osmd_edrpou or ""
    invoices = env["account.move"].search(
        [("company_id", "=", company.id), ("osmd_is_accrual", "=", True), ("amount_residual", ">", 0)],
        order="osmd_period desc, id",
    )
    payable = invoices.grouped("osmd_account_id")
    docs = []

    def doc(amount, purpose, payer, payer_iban, payer_code, outgoing=False):
        number = len(docs) + 1
        sides = [(payer_iban, payer, payer_code), (iban, company.name, own)]
        if outgoing:
            sides.reverse()
        docs.append(
            [
                "СекцияДокумент=Платіжне доручення",
                f"Номер={number}",
                f"Дата={day:%d.%m.%Y}",
                f"Сумма={amount:.2f}",
                f"ПлательщикСчет={sides[0][0]}",
                f"Плательщик={sides[0][1]}",
                f"ПлательщикОКПО={sides[0][2]}",
                f"ПолучательСчет={sides[1][0]}",
                f"Получатель={sides[1][1]}",
                f"ПолучательОКПО={sides[1][2]}",
                f"НазначениеПлатежа={purpose}",
                f"ДатаПоступило={day:%d.%m.%Y}",
                "КонецДокумента",
            ]
        )

    def payer_iban(serial):
        bban = f"320649{2620000000000000000 + serial:019d}"
        return f"UA{98 - int(bban + '301000') % 97:02d}{bban}"

    styles = [
        lambda a, m: f"Оплата внесків ОСББ, о/р {a.number}, {m}",
        lambda a, m: f"комунальні о/р {a.number}",
        lambda a, m: f"ос. рах. № {a.number} за {m}",
        lambda a, m: f"Внесок ОСББ особовий рахунок {a.number}",
        lambda a, m: f"кв. {a.premise_id.number} {a.building_id.street}",
        lambda a, m: "комуналка",
    ]
    registry_accounts = []
    for serial, (account, open_invoices) in enumerate(list(payable.items())[:48], start=1):
        amount = sum(open_invoices.mapped("amount_residual"))
        if serial % 9 == 0:
            amount = round(amount / 2, 2)
        elif serial % 11 == 0:
            amount = amount + 200
        if serial % 8 == 0:
            registry_accounts.append((account, amount))
            continue
        month = open_invoices[0].osmd_period_label or ""
        purpose = styles[serial % len(styles)](account, month)
        doc(amount, purpose, account.holder_id.name.upper(), payer_iban(serial), "")
    if registry_accounts:
        gross = sum(amount for _account, amount in registry_accounts)
        fee = sum(round(amount * 0.01, 2) for _account, amount in registry_accounts)  # the registry's per payment
        doc(
            round(gross - fee, 2),
            f"Перерахування коштів згідно реєстру № 417 від {day:%d.%m.%Y}",
            "ТОВ ІЗІПЕЙ",
            "",
            "38324133",
        )
    # one transfer for two flats of the same owner: waits in the review queue to be split between them
    pair = list(payable.items())[48:50]
    if len(pair) == 2:
        (first, first_invoices), (second, second_invoices) = pair
        doc(
            round(sum(first_invoices.mapped("amount_residual")) + sum(second_invoices.mapped("amount_residual")), 2),
            f"Внески ОСББ о/р {first.number} та о/р {second.number}",
            first.holder_id.name.upper(),
            payer_iban(902),
            "",
        )
    doc(1500.00, "Повернення помилково перерахованих коштів", company.name, payer_iban(900), own)
    doc(
        35.00,
        "Комісія банку за розрахунково-касове обслуговування",
        "АТ КБ ПРИВАТБАНК",
        payer_iban(901),
        "14360570",
        True,
    )
    head = [
        "1CClientBankExchange",
        "ВерсияФормата=1.03",
        "Кодировка=Windows",
        f"ДатаСоздания={day:%d.%m.%Y}",
        f"ДатаНачала={day:%d.%m.%Y}",
        f"ДатаКонца={day:%d.%m.%Y}",
        f"РасчСчет={iban}",
    ]
    text = "\r\n".join(head + ["\r\n".join(lines) for lines in docs] + ["КонецФайла", ""])
    collector = env["osmd.payment.collector"].create({"name": "EasyPay", "company_id": company.id, "layout": "easypay"})
    registry = False
    if registry_accounts:
        rows = ["ID транзакції;Дата оплати;Особовий рахунок;ПІБ;Сума;Комісія"]
        for serial, (account, amount) in enumerate(registry_accounts, start=1):
            fee = round(amount * 0.01, 2)
            rows.append(
                f"EP{day:%y%m%d}{serial:05d};{day:%d.%m.%Y};{account.number};{account.holder_id.name};{amount:.2f};{fee:.2f}"
            )
        registry = env["osmd.payment.registry"]._osmd_import(
            collector, ("\n".join(rows) + "\n").encode("utf-8"), "easypay_reestr_417.csv"
        )
    wizard = (
        env["account.statement.import"]
        .with_context(journal_id=company.osmd_bank_journal_id.id)
        .create(
            {"statement_file": base64.b64encode(text.encode("cp1251")), "statement_filename": f"kb_{day:%Y%m%d}.txt"}
        )
    )
    wizard.import_file_button()
    if registry and registry.state == "ready":
        registry.action_split()
    lines = env["account.bank.statement.line"].search([("company_id", "=", company.id)])
    auto = len(lines.filtered(lambda line: line.osmd_match_state == "auto"))
    todo = len(lines.filtered(lambda line: line.osmd_match_state == "todo"))
    return (
        f", a bank statement of {len(lines)} payments ({auto} matched automatically, {todo} to review) "
        "and a collector's registry"
    )


def create_gateway(env, company, accounts):
    """osmd_payment_gateway: the collector's agent with three payments taken online today (its key is not shown:
    the chairman issues one from the agent's form)."""
    if "osmd.payment.agent" not in env:
        return ""
    clearing = env["account.account"].create(
        {
            "code": "377190",
            "name": "Розрахунки з платіжними агентами",
            "account_type": "asset_current",
            "reconcile": True,
        }
    )
    collector = env["osmd.payment.collector"].search([("company_id", "=", company.id)], limit=1)
    agent = env["osmd.payment.agent"].create(
        {
            "name": "EasyPay (термінали)",
            "company_id": company.id,
            "collector_id": collector.id,
            "ip_allowlist": "127.0.0.1",
            "clearing_account_id": clearing.id,
            "journal_id": env["account.journal"]
            .search([("type", "=", "general"), ("company_id", "=", company.id)], limit=1)
            .id,
        }
    )
    for serial, account in enumerate(accounts[60:63], start=1):
        agent._osmd_pay(f"EP-ONLINE-{serial:04d}", account.number, f"{200 + serial * 50}.00")
    return ", a payment agent with 3 payments taken online"


def create_card_payments(env, company, accounts):
    """osmd_payment_card: the demo card provider (payment_demo, test mode: no money moves) offered to the residents
    of the association, and one account paid by card through it (posted and reconciled by the provider's callback,
    as LiqPay's or Monobank's would be)."""
    if "osmd_account_id" not in env["payment.transaction"]._fields or not env.ref(
        "payment.payment_provider_demo", raise_if_not_found=False
    ):
        return ""
    demo = env.ref("payment.payment_provider_demo")
    provider = env["payment.provider"].search([("code", "=", "demo"), ("company_id", "=", company.id)], limit=1)
    provider = provider or demo.copy({"company_id": company.id})
    methods = env.ref("payment.payment_method_card") | env.ref("payment_demo.payment_method_demo")
    provider.write(
        {
            "name": "Оплата карткою (демо)",
            "state": "test",
            "is_published": True,
            "payment_method_ids": [(6, 0, methods.ids)],
        }
    )
    methods.active = True  # once a provider offers them
    account = accounts[63]
    Tx = env["payment.transaction"]
    tx = Tx.create(
        {
            "provider_id": provider.id,
            "payment_method_id": methods[-1:].id,
            "reference": Tx._compute_reference("demo", osmd_account_id=account.id),
            "amount": 450.0,
            "currency_id": company.currency_id.id,
            "partner_id": account.holder_id.id,
            "operation": "online_direct",
            "osmd_account_id": account.id,
        }
    )
    Tx._process("demo", {"reference": tx.reference, "payment_details": "4242", "simulated_state": "done"})
    return ", a demo card provider for the cabinet with 1 card payment"


def create_service(env, company, accounts, buildings):
    # 11. Service requests and announcements (osmd_service): what the board and residents find on the first day.
    if "osmd.announcement" not in env:
        return ""
    Users = env["res.users"]
    engineer = Users.search([("login", "=", "engineer")], limit=1)
    if engineer:
        company.osmd_engineer_id = engineer
    categories = {
        category.osmd_kind: category
        for category in env["helpdesk.ticket.category"].search([("company_id", "=", company.id)])
    }
    resident1 = Users.search([("login", "=", "resident1")], limit=1)
    resident2 = Users.search([("login", "=", "resident2")], limit=1)
    account1 = accounts.filtered(lambda a: resident1.partner_id in a.portal_partner_ids)[:1]
    account2 = accounts.filtered(lambda a: resident2.partner_id in a.portal_partner_ids)[:1]
    Ticket = env["helpdesk.ticket"].with_context(tracking_disable=False, mail_notrack=False)
    stages = {name: env.ref(f"helpdesk_mgmt.helpdesk_ticket_stage_{name}") for name in ("in_progress", "done")}

    def request(account, author, kind, name, description):
        ticket = Ticket.create(
            {
                "company_id": company.id,
                "category_id": categories[kind].id,
                "osmd_account_id": account.id,
                "name": name,
                "description": f"<p>{description}</p>",
                "partner_id": author.partner_id.id,
            }
        )
        ticket.message_subscribe(partner_ids=author.partner_id.ids)
        return ticket

    leak = request(account1, resident1, "emergency", "Тече стояк у ванній", "Зі стелі капає з ночі, підставили відро.")
    leak.with_user(engineer).write({"stage_id": stages["in_progress"].id})
    leak.with_user(engineer).message_post(
        body="Перекрили стояк, слюсар буде до 12:00.", message_type="comment", subtype_xmlid="mail.mt_comment"
    )
    boiler = request(account1, resident1, "paid", "Встановити бойлер", "Бойлер на 80 л, свій; потрібен монтаж.")
    chairman = company.osmd_chairman_id
    boiler.with_user(chairman).write({"osmd_price": 1200.0, "osmd_price_description": "Монтаж бойлера 80 л"})
    boiler.with_user(chairman).action_osmd_propose_price()
    lamp = request(account2, resident2, "repair", "Не світить лампа в під'їзді", "3-й поверх, уже тиждень.")
    env["osmd.ticket.close"].with_user(engineer).create(
        {"ticket_id": lamp.id, "note": "Замінено лампу на світлодіодну."}
    ).action_close()
    request(account2, resident2, "complaint", "Шум від ремонту після 22:00", "Квартира поверхом вище, щовечора.")
    b1, b2 = buildings
    Announcement = env["osmd.announcement"].with_context(tracking_disable=False)
    shutoff = Announcement.create(
        {
            "company_id": company.id,
            "name": f"Відключення холодної води: {b1.name}",
            "body": "<p>Завтра з 9:00 до 15:00 — заміна засувки в підвалі. Наберіть запас води.</p>",
            "building_ids": [(6, 0, b1.ids)],
            "urgent": True,
        }
    )
    meeting = Announcement.create(
        {
            "company_id": company.id,
            "name": "Прибирання прибудинкової території",
            "body": "<p>У суботу о 10:00 — толока. Рукавиці й мішки видає правління.</p>",
            "building_ids": [(6, 0, (b1 | b2).ids)],
        }
    )
    (shutoff | meeting).with_user(chairman).action_publish()
    return ", 4 service requests (one emergency in progress, a paid service priced, one closed), 2 announcements"


def create_voting(env, company, buildings):
    # 12. A general meeting (osmd_voting): agenda, the register by area, notices, some paper ballots; residents vote
    #     online in the cabinet until the day before the meeting.
    if "osmd.meeting" not in env:
        return ""
    from datetime import datetime, timedelta  # noqa: PLC0415

    when = datetime.combine(datetime.now().date() + timedelta(days=14), datetime.min.time()) + timedelta(hours=16)
    chairman = company.osmd_chairman_id
    Meeting = env["osmd.meeting"].with_user(chairman).with_context(tracking_disable=False)
    meeting = Meeting.create(
        {
            "name": "Загальні збори співвласників",
            "company_id": company.id,
            "building_ids": [(6, 0, [b.id for b in buildings])],
            "date_meeting": when,
            "online_deadline": when - timedelta(hours=2),
            "place": "Подвір'я будинку Липська, 10",
            "rule_id": env.ref("osmd_voting.rule_statute_2023").id,
            "question_ids": [
                (0, 0, {"sequence": 1, "name": "Обрати голову та секретаря зборів"}),
                (
                    0,
                    0,
                    {
                        "sequence": 2,
                        "name": "Затвердити кошторис на 2027 рік",
                        "threshold_id": env.ref("osmd_voting.threshold_two_thirds").id,
                    },
                ),
                (0, 0, {"sequence": 3, "name": "Замінити вхідні двері під'їздів"}),
            ],
        }
    )
    meeting.action_announce()
    voters = meeting.voter_ids.sorted("first_premise_sort")
    Notice = env["osmd.meeting.notice"].with_user(chairman)
    sent = (datetime.now().date() - timedelta(days=1)).isoformat()
    Notice.create(
        [
            {"meeting_id": meeting.id, "voter_id": voter.id, "channel": "signature", "date_sent": sent}
            for voter in voters[:60]
        ]
        + [
            {
                "meeting_id": meeting.id,
                "voter_id": voter.id,
                "channel": "registered",
                "date_sent": sent,
                "tracking_number": f"01029{index:08d}",
            }
            for index, voter in enumerate(voters[60:90], start=1)
        ]
    )
    meeting.with_user(chairman).action_open_voting()
    questions = meeting.question_ids
    choices = ("for", "for", "for", "against", "abstain")
    for index, voter in enumerate(voters[:40]):
        meeting.with_user(chairman)._record_votes(
            voter, {question: choices[(index + question.sequence) % 5] for question in questions}, "online"
        )
    return f", a general meeting open for votes ({len(voters)} co-owners, 40 voted online, 90 notified)"


def main(env):
    env = env(
        context=dict(
            env.context,
            tracking_disable=True,
            mail_create_nolog=True,
            mail_notrack=True,
            no_reset_password=True,
            lang="uk_UA",
        )
    )
    env["res.lang"]._activate_and_install_lang("uk_UA")  # also loads the Ukrainian translations
    env.ref("base.user_admin").write({"lang": "uk_UA", "tz": "Europe/Kyiv"})
    company = create_association(env)
    env = env(context=dict(env.context, allowed_company_ids=[company.id]))
    b1, b2, premises = create_premises(env, company)
    ownership_vals, holders = create_owners(env, company, premises, b2)
    accounts, resident_vals = create_accounts(env, company, premises, holders, ownership_vals)
    create_history(env, company, premises, accounts, b1)
    logins = create_logins(env, company, accounts)
    metering = create_meters(env, company, premises)
    billing = create_billing(env, company, premises, accounts)
    billing += create_payments(env, company, accounts)
    billing += create_gateway(env, company, accounts)
    billing += create_card_payments(env, company, accounts)
    billing += create_service(env, company, accounts, (b1, b2))
    billing += create_voting(env, company, (b1, b2))
    Account = env["osmd.account"]

    env.cr.commit()  # the shell rolls back otherwise
    summary = (
        f"{company.name}: {len(premises)} premises in 2 buildings, "
        f"{Account.search_count([('company_id', '=', company.id)])} personal accounts, "
        f"{len(ownership_vals) + 1} ownership records, {len(resident_vals)} residents{metering}{billing}"
    )
    lines = [summary, ""] + [
        f"  {label:<60} login: {login:<11} password: {password}" for login, password, label in logins
    ]
    path = os.environ.get("OSMD_DEMO_LOGINS_FILE")
    if path:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
    print("\n".join(lines))


main(env)  # noqa: F821 - `env` is provided by odoo-bin shell
