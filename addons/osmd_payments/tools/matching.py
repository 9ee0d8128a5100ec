"""Matching an incoming bank payment to a personal account of the association, by its purpose and payer.

Pure Python (no Odoo). A :class:`MatchIndex` holds ONE association's data: its accounts, buildings, the payers
learned from its confirmed matches and its open invoices; nothing of another association is ever in it, so a payer
learned in one association means nothing in another. :func:`match` classifies the line and returns up to three
candidate accounts, best first, each with a confidence (0–100), the rule and what was found:

=====================================================  ==========
rule                                                   confidence
=====================================================  ==========
``qr``: the purpose our receipts' QR code writes       99
``number``: a keyword ("о/р", "ос. рах.", "л/с", …)    95 (93 when only equal without leading zeros; 75 when
  followed by an existing account number                several accounts differ only by leading zeros)
``address``: "кв. 12" + an identified building         85 (50 for each building when it cannot be told)
``payer``: IBAN / ЄДРПОУ learned for one account       90 (75 by the name alone)
``amount``: a payer known for several accounts, the    88
  amount equal to exactly one open invoice of them
a bare number equal to an account number               60
two account numbers in one purpose                     70 each
number and learned payer disagree                      80 for the number, the payer's account second
=====================================================  ==========

The caller reconciles automatically above its threshold (80 by default) and sends the rest to review.
Lines that are not residents' payments get no candidate: outgoing, foreign currency, transfers between the
association's own accounts, technical lines of the bank, transit accounts (unless the ultimate payer's code is a
learned payer) and collectors' lump sums naming a registry (split only through the registry).
"""

import re
from dataclasses import dataclass
from decimal import Decimal

RULE_NUMBER = "number"
RULE_QR = "qr"
RULE_PAYER = "payer"
RULE_AMOUNT = "amount"
RULE_ADDRESS = "address"

DEFAULT_TRANSIT_MARKERS = ("транз.рах", "транз. рах", "транзитний рах", "транзитного рах", "technical acc")
DEFAULT_REGISTRY_MARKERS = ("реєстр", "реестр", "registry")
QR_LABELS = (
    "оплата внесків осбб",
    "оплата внесків жбк",
    "оплата послуг з управління будинком",
    "оплата за проживання та послуги гуртожитку",
    "оплата житлово-комунальних послуг",
)
MONTHS = "січень|лютий|березень|квітень|травень|червень|липень|серпень|вересень|жовтень|листопад|грудень"
# Latin letters that look like Cyrillic ones, as typed on a Latin keyboard layout
LOOKALIKES = str.maketrans("aceiopxykmtbhABCEIKMHOPTXY", "асеіорхукмтвнАВСЕІКМНОРТХУ")
APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'", "‘": "'", "ё": "е"})
LETTER = "a-zа-яіїєґ'"
_SEP = r"\s*(?:№|n|#|:|-|=)?\s*"
KEYWORDS = (
    rf"(?<![{LETTER}])о\s*[/\\.,-]?\s*р(?![{LETTER}])\.?",  # о/р, о.р., ор, о/р.
    # ос. рах., особ. рах., особовий рахунок
    rf"(?<![{LETTER}])ос(?!нов)[а-яіїєґ]{{0,7}}\.?\s*рах(?:унок|унку|\.)?",  # typos too: "осбовий рахунок"
    rf"(?<![{LETTER}])(?:особовий|особового)\s+рах(?:унок|унку)?",
    rf"(?<![{LETTER}])л\s*[/\\.]?\s*(?:с|рах|сч)(?![{LETTER}])\.?",  # л/с, л/рах
    rf"(?<![{LETTER}])лицев\w*\s+сч\w*",
    rf"(?<![{LETTER}])(?:номер\s+)?рах(?:унок|унку|\.)?\s*(?=№)",  # рахунок №
    rf"(?<![{LETTER}])номер\s+рахунку",
)
KEYWORD_RE = re.compile(rf"(?:{'|'.join(KEYWORDS)}){_SEP}(\d{{1,12}})(?![\d])(?![.,]\d)", re.IGNORECASE)
QR_RE = re.compile(
    rf"^(?:{'|'.join(re.escape(label) for label in QR_LABELS)}), о/р (\d{{1,12}}), (?:{MONTHS}) \d{{4}}$"
)
FLAT_RE = re.compile(
    rf"(?<![{LETTER}])(?:кв\.?|квартира|кв-ра|кв-ри|квартири)\s*№?\s*(\d{{1,5}}(?:-?[а-яa-z](?![{LETTER}]))?)(?![\d])"
)
IBAN_RE = re.compile(r"ua\s?\d{2}(?:\s?\d){10,25}", re.IGNORECASE)
BARE_RE = re.compile(r"(?<![\d.,/:\w-])(\d{1,12})(?![\d.,/:-]\d)(?![\d])")
REGISTRY_RE = None  # built per index (markers are configurable)
STREET_WORDS = re.compile(
    r"\b(?:вул|вулиця|просп|проспект|пр|пров|провулок|бульв|бульвар|б-р|пл|площа|шосе|наб|набережна|узвіз|ул|м)\b\.?",
)


def _clean(text):
    text = (text or "").translate(APOSTROPHES).casefold().translate(LOOKALIKES)
    text = re.sub(r"(?<![\d\w])0\s*([/\\])\s*р", r"о\1р", text)  # "0/р": a zero typed for the letter о
    return re.sub(r"\s+", " ", text).strip()


def normalize_payer_key(kind, value):
    """The key a payer is remembered by: ``iban`` upper case without spaces; ``code`` its digits; ``name`` the
    surname and the initials of the other names, case, apostrophes and look-alike letters unified
    ("Іваненко І.П." and "ІВАНЕНКО ІВАН ПЕТРОВИЧ" are both "іваненко і п")."""
    if not value:
        return ""
    if kind == "iban":
        return re.sub(r"\s+", "", str(value)).upper()
    if kind == "code":
        return re.sub(r"\D", "", str(value))
    words = re.findall(rf"[{LETTER}]+", _clean(value).replace("'", ""))
    words = [word for word in words if word not in ("фоп", "тов", "пп", "фо")]
    if not words:
        return ""
    return " ".join([words[0], *(word[0] for word in words[1:3])])


@dataclass(frozen=True)
class AccountKey:
    id: int
    number: str
    building_id: int
    premise_number: str


@dataclass(frozen=True)
class BuildingKey:
    id: int
    street: str
    house: str


@dataclass(frozen=True)
class Candidate:
    account_id: int
    confidence: int
    rule: str
    detail: str


@dataclass(frozen=True)
class MatchResult:
    kind: str
    candidates: tuple

    @property
    def best(self):
        return self.candidates[0] if self.candidates else None


class MatchIndex:
    """One association's data for :func:`match` (built once per import)."""

    def __init__(
        self,
        accounts,
        buildings=(),
        payer_links=None,
        open_invoices=None,
        own_ibans=(),
        own_codes=(),
        transit_markers=DEFAULT_TRANSIT_MARKERS,
        registry_markers=DEFAULT_REGISTRY_MARKERS,
    ):
        self.accounts = {account.id: account for account in accounts}
        self.by_number = {}
        for account in accounts:
            self.by_number.setdefault(account.number.lstrip("0") or "0", []).append(account)
        self.flats = {}
        for account in accounts:
            flat = _clean(account.premise_number).replace(" ", "")
            if flat:
                self.flats.setdefault(flat, []).append(account)
        self.buildings = []
        for building in buildings:
            street = STREET_WORDS.sub(" ", _clean(building.street))
            words = [word for word in re.findall(rf"[{LETTER}]+", street) if len(word) >= 4]
            self.buildings.append((building.id, words, _clean(building.house).replace(" ", "")))
        self.building_ids = {account.building_id for account in accounts}
        self.links = payer_links or {}
        self.open_invoices = {
            key: [Decimal(value) for value in values] for key, values in (open_invoices or {}).items()
        }
        self.own_ibans = {normalize_payer_key("iban", iban) for iban in own_ibans if iban}
        self.own_codes = {normalize_payer_key("code", code) for code in own_codes if code}
        self.transit_markers = tuple(_clean(marker) for marker in transit_markers)
        self.registry_re = re.compile(
            rf"(?:{'|'.join(re.escape(_clean(marker)) for marker in registry_markers)})\w*\s*(?:платежів\s*)?"
            r"(?:№|n|#|no\.?)?\s*\d"
        )


def _payer_accounts(index, kind, value):
    key = normalize_payer_key(kind, value)
    return index.links.get((kind, key), {}) if key else {}


def _number_candidates(index, text):
    """{account id: (confidence, detail)} from the keyword numbers of ``text``."""
    found = {}
    for found_match in KEYWORD_RE.finditer(text):
        written = found_match.group(1)
        accounts = index.by_number.get(written.lstrip("0") or "0", [])
        if not accounts:
            continue
        exact = [account for account in accounts if account.number == written]
        if len(accounts) > 1:
            for account in accounts:
                found.setdefault(account.id, (75 if account in exact else 60, found_match.group(0).strip()))
            continue
        confidence = 95 if exact else 93
        found.setdefault(accounts[0].id, (confidence, found_match.group(0).strip()))
    return found


def _address_candidates(index, text):
    flat_match = FLAT_RE.search(text)
    if not flat_match:
        return {}
    flat = flat_match.group(1).replace("-", "")
    accounts = index.flats.get(flat, [])
    if not accounts:
        return {}
    detail = flat_match.group(0)
    text = re.sub(r"(\d)\s*-\s*([а-яa-z])(?![а-яa-z])", r"\1\2", text)
    if len(index.building_ids) == 1:
        return {accounts[0].id: (85, detail)} if len(accounts) == 1 else {}
    identified = set()
    for building_id, words, house in index.buildings:
        if (
            words
            and any(word in text for word in words)
            and (not house or re.search(rf"(?<!\d){re.escape(house)}(?![\d])", text))
        ):
            identified.add(building_id)
    if len(identified) == 1:
        chosen = [account for account in accounts if account.building_id in identified]
        if len(chosen) == 1:
            return {chosen[0].id: (85, detail)}
        return {}
    return {account.id: (50, detail) for account in accounts[:3]}


def _bare_candidates(index, text):
    if FLAT_RE.search(text):
        return {}  # an address: its numbers are flats and houses
    text = IBAN_RE.sub(" ", text)
    hits = {}
    for bare in BARE_RE.finditer(text):
        written = bare.group(1)
        if len(written) >= 9 and (written.startswith("0") or written.startswith("380")):
            continue  # a phone number
        accounts = index.by_number.get(written.lstrip("0") or "0", [])
        exact = [account for account in accounts if account.number == written]
        if len(exact) == 1:
            hits[exact[0].id] = (60, written)
    return hits if len(hits) == 1 else {}


def _classify(
    index, amount, currency, company_currency, text, partner_iban, partner_code, partner_name, ultimate_code, technical
):
    """(kind, candidate or None): whether the line is a resident's payment at all."""
    if amount <= 0:
        return "outgoing", None
    if (currency or company_currency) != company_currency:
        return "foreign", None
    iban_key = normalize_payer_key("iban", partner_iban)
    code_key = normalize_payer_key("code", partner_code)
    if (iban_key and iban_key in index.own_ibans) or (code_key and code_key in index.own_codes):
        return "self", None
    if technical:
        return "technical", None
    name = _clean(partner_name)
    if any(marker in text or marker in name for marker in index.transit_markers):
        links = _payer_accounts(index, "code", ultimate_code)
        if len(links) == 1:
            return "resident", Candidate(next(iter(links)), 90, RULE_PAYER, f"ЄДРПОУ/РНОКПП {ultimate_code}")
        return "transit", None
    if index.registry_re.search(text):
        return "registry", None
    return "resident", None


def _payer_scores(index, scores, add, amount, partner_iban, partner_code, partner_name, ultimate_code):
    """Rules 3 and 4: the payer learned from confirmed matches (adds to ``scores`` through ``add``)."""
    payer = {}
    payer_detail = ""
    for kind, value, label in (
        ("iban", partner_iban, "IBAN"),
        ("code", partner_code, "ЄДРПОУ/РНОКПП"),
        ("code", ultimate_code, "ЄДРПОУ/РНОКПП"),
    ):
        links = _payer_accounts(index, kind, value)
        if links:
            payer, payer_detail = links, f"{label} {value}"
            break
    strong = bool(payer)
    if not payer:
        payer = _payer_accounts(index, "name", partner_name)
        payer_detail = partner_name
    if payer:
        if len(payer) == 1:
            account_id = next(iter(payer))
            confidence = 90 if strong else 75
            if scores and account_id not in scores:
                # the number says one account, the payer another: the number, lowered, and the payer second
                for other, (other_confidence, rule, detail) in list(scores.items()):
                    scores[other] = (min(other_confidence, 80), rule, detail)
                add(account_id, min(confidence, 70), RULE_PAYER, payer_detail)
            elif account_id in scores:
                pass
            else:
                add(account_id, confidence, RULE_PAYER, payer_detail)
        elif not scores:
            equal = [
                account_id
                for account_id in payer
                if any(residual == amount for residual in index.open_invoices.get(account_id, ()))
            ]
            if len(equal) == 1:
                add(equal[0], 88 if strong else 70, RULE_AMOUNT, f"{payer_detail}, {amount}")
            for account_id, _times in sorted(payer.items(), key=lambda item: -item[1])[:3]:
                add(account_id, 60 if strong else 50, RULE_PAYER, payer_detail)


def match(
    index,
    *,
    amount,
    currency,
    purpose,
    partner_iban="",
    partner_code="",
    partner_name="",
    ultimate_code="",
    technical=False,
    company_currency="UAH",
):
    """Classify one bank line and find its personal account (see the module docstring)."""
    amount = Decimal(str(amount))
    text = _clean(purpose)
    kind, candidate = _classify(
        index,
        amount,
        currency,
        company_currency,
        text,
        partner_iban,
        partner_code,
        partner_name,
        ultimate_code,
        technical,
    )
    if kind != "resident" or candidate:
        return MatchResult(kind, (candidate,) if candidate else ())
    scores = {}  # account id -> (confidence, rule, detail)

    def add(account_id, confidence, rule, detail):
        if account_id not in scores or scores[account_id][0] < confidence:
            scores[account_id] = (confidence, rule, detail)

    qr = QR_RE.match(text)
    numbers = _number_candidates(index, text)
    if qr and len(numbers) == 1 and (next(iter(numbers.values()))[0] == 95):
        add(next(iter(numbers)), 99, RULE_QR, f"о/р {qr.group(1)}")
    elif len(numbers) > 1:
        for account_id, (confidence, detail) in numbers.items():
            add(account_id, min(confidence, 70), RULE_NUMBER, detail)
    else:
        for account_id, (confidence, detail) in numbers.items():
            add(account_id, confidence, RULE_NUMBER, detail)
    if not numbers:
        for account_id, (confidence, detail) in _address_candidates(index, text).items():
            add(account_id, confidence, RULE_ADDRESS, detail)

    _payer_scores(index, scores, add, amount, partner_iban, partner_code, partner_name, ultimate_code)
    if not scores:
        for account_id, (confidence, detail) in _bare_candidates(index, text).items():
            add(account_id, confidence, RULE_NUMBER, detail)
    ranked = sorted(scores.items(), key=lambda item: (-item[1][0], item[0]))[:3]
    return MatchResult("resident", tuple(Candidate(aid, conf, rule, detail) for aid, (conf, rule, detail) in ranked))
