"""Realistic incoming bank payments with the truth, for scripts/bench_payments.py (stdlib only, deterministic).

``make_learned(accounts, seed)`` gives the payers earlier confirmed matches taught (one IBAN for 8 % of the
accounts): ``{("iban", IBAN): {account id: times}}``. ``generate(accounts, n, seed, learned)`` gives ``n`` payments
``{"truth", "purpose", "amount", "partner_name", "partner_iban", "partner_code", "kind"}`` over ``accounts``
``[(id, number, building id, premise number)]``, in this mix (by the position of the payment):

* 96 % payments of residents: the account number in one of the spellings residents use (о/р, ос. рах., особ. рах.,
  особовий рахунок, л/с, рахунок №, Latin "o/p", with or without spaces and punctuation, leading zeros dropped or
  added, glued to the next word, typos in the words around it), the purpose our QR code writes, or a flat with the
  building's street ("кв. 12 вул. Benchmark, 2"); about 5 % without any account number, from a learned payer
  (IBAN only) — half of them name nothing at all; amounts: the invoice's, half of it (partial) or more (advance);
* 4 % not residents' payments: outgoing transfers, transfers from the association's own account, collectors' lump
  sums naming their registry, foreign-currency lines (truth None).
"""

import random
from decimal import Decimal

QR_MONTHS = ("січень", "лютий", "березень", "квітень")


def _iban(serial):
    bban = f"320649{2620000000000000000 + serial:019d}"
    return f"UA{98 - int(bban + '301000') % 97:02d}{bban}"


def _own_iban():
    bban = f"305299{26001000012345:019d}"
    return f"UA{98 - int(bban + '301000') % 97:02d}{bban}"


OWN_IBAN = _own_iban()


def make_learned(accounts, seed=1):
    rng = random.Random(seed)
    chosen = rng.sample(accounts, max(1, len(accounts) * 8 // 100))
    return {("iban", _iban(1_000_000 + account[0])): {account[0]: 2} for account in chosen}


def _spelling(rng, number):
    written = number.lstrip("0") if rng.random() < 0.25 else number
    variants = (
        f"о/р {written}",
        f"о/р{written}",
        f"о.р. {written}",
        f"О/Р № {written}",
        f"ос. рах. {written}",
        f"ос.рах.№{written}",
        f"особ. рах. {written}",
        f"особовий рахунок {written}",
        f"особ.рахунок {written}",
        f"л/с {written}",
        f"рахунок № {written}",
        f"o/p {written}",
        f"ОР-{written}",
        f"о/р {written}листопад",
        f"о\\р {written}",
        f"о /р {written}",
        f"ос рах {written}",
        f"особ рах {written}",
        f"о/р.: {written}",
        f"ОР{written}",
        f"о/p {written}",
        f"0/р {written}",
        f"Осбовий рахунок {written}",
    )
    return rng.choice(variants)


def generate(accounts, n, seed=1, buildings=None, learned=None):
    rng = random.Random(seed)
    learned_by_account = {next(iter(links)): key[1] for key, links in (learned or {}).items()}
    learned_ids = sorted(learned_by_account)
    out = []
    prefixes = ("", "Оплата ", "Внески ", "комунальні ", "Внесок ОСББ, ", "оплата за березень ", "Опл. ")
    suffixes = ("", " березень", " за 03.2026", ", березень 2026", " Петренко", " без ПДВ", " внесок")
    for position in range(n):
        slot = position % 100
        if slot >= 96:
            kind = ("outgoing", "self", "registry", "foreign")[slot - 96]
            purpose = {
                "outgoing": "Оплата послуг з прибирання згідно рахунку № 45",
                "self": "Переказ власних коштів",
                "registry": f"Перерахування коштів згідно реєстру № {position} від 08.04.2026",
                "foreign": "Благодійний внесок",
            }[kind]
            out.append(
                {
                    "truth": None,
                    "purpose": purpose,
                    "amount": str(Decimal(-1500) if kind == "outgoing" else Decimal(1500)),
                    "partner_name": "ТОВ КОНТРАГЕНТ",
                    "partner_iban": OWN_IBAN if kind == "self" else _iban(900_000 + position),
                    "partner_code": "",
                    "kind": kind,
                    "currency": "USD" if kind == "foreign" else "UAH",
                }
            )
            continue
        account = accounts[position % len(accounts)]
        amount = Decimal(rng.choice(["1250.40", "980.15", "2310.00", "640.77", "1500.00"]))
        name = rng.choice(["ПЕТРЕНКО ІВАН", "Коваль Марія Петрівна", "ШЕВЧЕНКО О.В.", "Бойко Андрій"])
        iban = _iban(2_000_000 + position)
        if slot < 5 and learned_ids:
            account_id = learned_ids[position % len(learned_ids)]
            purpose = rng.choice(["комунальні послуги", "внесок за березень", "оплата", "Квартплата"])
            out.append(
                {
                    "truth": account_id,
                    "purpose": purpose,
                    "amount": str(amount),
                    "partner_name": name,
                    "partner_iban": learned_by_account[account_id],
                    "partner_code": "",
                    "kind": "resident",
                }
            )
            continue
        style = rng.random()
        if style < 0.2:
            purpose = f"Оплата внесків ОСББ, о/р {account[1]}, {rng.choice(QR_MONTHS)} 2026"
        elif style < 0.3 and account[3]:
            purpose = f"кв. {account[3]} вул. Benchmark, 2"
        else:
            purpose = f"{rng.choice(prefixes)}{_spelling(rng, account[1])}{rng.choice(suffixes)}"
        share = rng.random()
        if share < 0.1:
            amount = (amount / 2).quantize(Decimal("0.01"))
        elif share < 0.15:
            amount += 500
        out.append(
            {
                "truth": account[0],
                "purpose": purpose,
                "amount": str(amount),
                "partner_name": name,
                "partner_iban": iban,
                "partner_code": "",
                "kind": "resident",
            }
        )
    return out
