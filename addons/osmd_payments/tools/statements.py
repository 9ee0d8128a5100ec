"""Bank statement files of Ukrainian banks, parsed into plain data (no Odoo).

:func:`parse_file` recognises the format from the content: 1C ClientBankExchange (versions 1.02/1.03, Windows-1251,
DOS-866 or UTF-8, the Ukrainian variant with IBAN and ЄДРПОУ keys, several accounts per file), PrivatBank CSV and
XLSX exports (the signed "Сума" layout and the "Дебет"/"Кредит" layout), PrivatBank AutoClient JSON (a page of
the API, or a list of pages), Oschadbank CSV (kopecks) and monobank statement JSON. It returns one
:class:`Statement` per own account with its :class:`Transaction` list, amounts exact ``Decimal`` (money in is
positive). Any line it cannot read fails the whole file with a :class:`ParseError` naming the line: nothing
partial is returned. Messages are English templates marked with ``_lt`` for the Odoo layer to translate.
"""

import csv
import io
import json
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from ...osmd_base.tools import xlsx_read


def _lt(text):
    """Mark ``text`` for translation; the caller translates it (no Odoo here)."""
    return text


CENT = Decimal("0.01")
# above any real bank transaction (10¹³ hryvnias); larger numbers are damaged cells
AMOUNT_MAX = Decimal("1e13")
CURRENCIES = {"980": "UAH", "840": "USD", "978": "EUR", "985": "PLN", "826": "GBP"}
KYIV = ZoneInfo("Europe/Kyiv")
UNSUPPORTED = _lt("The file is not a bank statement in a supported format.")


def _short(value, limit=60):
    text = value if isinstance(value, str) else None
    if text is None or len(text) <= limit:
        return value
    return text[: limit - 1] + "…"


class ParseError(ValueError):
    def __init__(self, message, row=0, unsupported=False, **params):
        # a value quoted in the message is shortened: a 5 000-character cell is not shown whole
        params = {key: _short(value) for key, value in params.items()}
        self.message, self.row, self.params, self.unsupported = message, row, params, unsupported
        super().__init__(message % {"row": row, **params})


@dataclass(frozen=True)
class Transaction:
    row: int
    ref: str
    date: date
    amount: Decimal
    currency: str
    purpose: str
    partner_name: str
    partner_iban: str
    partner_code: str
    partner_mfo: str = ""
    doc_number: str = ""
    ultimate_code: str = ""
    technical: bool = False


@dataclass
class Statement:
    format: str
    own_iban: str
    own_code: str
    currency: str
    date_from: date | None = None
    date_to: date | None = None
    balance_start: Decimal | None = None
    balance_end: Decimal | None = None
    transactions: list = field(default_factory=list)


# ------------------------------------------------------------
# Values
# ------------------------------------------------------------


def _document(row, number, day, amount, currency, purpose, name, iban, code, mfo, ref_amount=None):
    """A payment document of a bank export: its reference (unique within the bank account) is made of its number,
    date, amount and the other party's account, as every export of it writes them."""
    return Transaction(
        row=row,
        ref="/".join([number, day.isoformat(), str(amount if ref_amount is None else ref_amount), iban]),
        date=day,
        amount=amount,
        currency=currency,
        purpose=_text(purpose),
        partner_name=_text(name),
        partner_iban=iban,
        partner_code=re.sub(r"\D", "", _text(code)),
        partner_mfo=_text(mfo),
        doc_number=number,
    )


def _text(value):
    return re.sub(r"\s+", " ", str(value if value is not None else "")).strip()


def _account(value):
    return re.sub(r"\s+", "", str(value or "")).upper()


def _amount(value, row, kopecks=False):
    """Exact Decimal from a text ("1 234,56", "1234.56", "-12,5"), a number cell or kopecks."""
    if isinstance(value, bool):
        raise ParseError(_lt("Line %(row)s: the amount %(value)s is not a number."), row=row, value=value)
    if isinstance(value, int | Decimal):
        result = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ParseError(_lt("Line %(row)s: the amount %(value)s is not a number."), row=row, value=value)
        result = Decimal(repr(value))
        if abs(result) >= AMOUNT_MAX:
            raise ParseError(_lt("Line %(row)s: the amount %(value)s is not a plausible amount."), row=row, value=value)
        if result != result.quantize(CENT) and Decimal(f"{value:.15g}") == Decimal(f"{value:.15g}").quantize(CENT):
            result = Decimal(f"{value:.15g}")
    else:
        text = re.sub(r"[\s\u00a0\u202f']", "", str(value or "")).replace("грн", "")
        if text.count(",") == 1 and text.count(".") == 0:
            text = text.replace(",", ".")
        elif text.count(",") and text.count("."):
            text = (
                text.replace(",", "") if text.rfind(".") > text.rfind(",") else text.replace(".", "").replace(",", ".")
            )
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise ParseError(_lt("Line %(row)s: the amount %(value)s is not a number."), row=row, value=value) from None
        if not text or not result.is_finite():
            raise ParseError(_lt("Line %(row)s: the amount %(value)s is not a number."), row=row, value=value)
    if not result.is_finite() or abs(result) >= AMOUNT_MAX:
        # 1E+308 or a float infinity in a cell: no bank moves that much, and quantizing it would overflow
        raise ParseError(_lt("Line %(row)s: the amount %(value)s is not a plausible amount."), row=row, value=value)
    if kopecks:
        if result != result.to_integral_value():
            raise ParseError(
                _lt("Line %(row)s: the amount %(value)s is not a whole number of kopecks."), row=row, value=value
            )
        result = result / 100
    if result != result.quantize(CENT):
        raise ParseError(_lt("Line %(row)s: the amount %(value)s has more than 2 decimals."), row=row, value=value)
    return result.quantize(CENT)


DATE_FORMATS = (
    "%d.%m.%Y",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%d-%m-%Y",
    "%d/%m/%Y",
    "%d.%m.%y",
)


def _date(value, row):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for fmt in DATE_FORMATS:
        try:
            result = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if 1990 <= result.year <= 2100:
            return result
    raise ParseError(_lt("Line %(row)s: %(value)s is not a date."), row=row, value=text)


def decode_text(data):
    """The text of ``data``: UTF-8 (with or without BOM), else Windows-1251; binary data is refused."""
    if not data:
        raise ParseError(_lt("The file is empty."))
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8", errors="strict")
        except UnicodeDecodeError:
            raise ParseError(_lt("The file has a wrong encoding or is not a text file.")) from None
    if b"\x00" in data[:4096]:
        raise ParseError(_lt("The file has a wrong encoding or is not a text file."))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        return text
    text = data.decode("cp1251", errors="replace")
    if text.count("\ufffd") or sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\r\n\t") > 2:
        raise ParseError(_lt("The file has a wrong encoding or is not a text file."))
    return text


# ------------------------------------------------------------
# 1C ClientBankExchange
# ------------------------------------------------------------


def parse_clientbank(data):
    head = data[:2048]
    encoding = "cp1251"
    if data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    else:
        probe = head.decode("cp1251", errors="replace")
        if "Кодировка=DOS" in probe or "Кодування=DOS" in probe:
            encoding = "cp866"
        else:
            try:
                data.decode("utf-8")
                encoding = "utf-8"
            except UnicodeDecodeError:
                encoding = "cp1251"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise ParseError(_lt("The file has a wrong encoding or is not a text file.")) from None
    lines = text.splitlines()
    if not lines or lines[0].strip().lstrip("\ufeff") != "1CClientBankExchange":
        raise ParseError(UNSUPPORTED, unsupported=True)
    if not any(line.strip() == "КонецФайла" for line in lines[-5:]):
        raise ParseError(_lt("The file is truncated: it does not end with КонецФайла."), row=len(lines))
    header, accounts, documents = _clientbank_sections(lines)
    return _clientbank_statements(header, accounts, documents)


def _clientbank_sections(lines):
    """(header, [(line, account section)], [(line, document)]) of a 1C file's lines."""
    header, accounts, documents = {}, [], []
    section, current, start = None, {}, 0
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line == "КонецФайла":
            continue
        key, _sep, value = line.partition("=")
        if key == "СекцияРасчСчет":
            section, current, start = "account", {}, number
        elif key == "КонецРасчСчет":
            accounts.append((start, current))
            section = None
        elif key == "СекцияДокумент":
            section, current, start = "document", {"_type": value}, number
        elif key in ("КонецДокумента",):
            documents.append((start, current))
            section = None
        elif section:
            current[key] = value.strip() if key not in current else current[key] + " " + value.strip()
            current.setdefault("_lines", {})[key] = number
        else:
            if key == "РасчСчет":
                header.setdefault("accounts", []).append(_account(value))
            else:
                header[key] = value.strip()
    if section:
        raise ParseError(
            _lt("The file is truncated: the section starting at line %(start)s is not closed."), row=start, start=start
        )
    return header, accounts, documents


def _clientbank_statements(header, accounts, documents):
    own_accounts = list(
        dict.fromkeys(header.get("accounts", []) + [_account(acc.get("РасчСчет")) for _n, acc in accounts])
    )
    if not own_accounts:
        raise ParseError(_lt("The file does not say which account it is for (РасчСчет)."))
    statements = {}
    for own in own_accounts:
        statements[own] = Statement(
            "clientbank",
            own,
            "",
            "UAH",
            _date(header["ДатаНачала"], 1) if header.get("ДатаНачала") else None,
            _date(header["ДатаКонца"], 1) if header.get("ДатаКонца") else None,
        )
    for start, acc in accounts:
        statement = statements[_account(acc.get("РасчСчет"))]
        if acc.get("НачальныйОстаток"):
            statement.balance_start = _amount(acc["НачальныйОстаток"], start)
        if acc.get("КонечныйОстаток"):
            statement.balance_end = _amount(acc["КонечныйОстаток"], start)
        statement.__dict__.setdefault("_totals", []).append((start, acc.get("ВсегоПоступило"), acc.get("ВсегоСписано")))
    for start, doc in documents:
        _clientbank_document(statements, start, doc)
    _clientbank_check_totals(statements)
    return list(statements.values())


def _clientbank_document(statements, start, doc):
    payer_acc = _account(doc.get("ПлательщикСчет") or doc.get("ПлательщикРасчСчет"))
    payee_acc = _account(doc.get("ПолучательСчет") or doc.get("ПолучательРасчСчет"))
    if "Сумма" not in doc:
        raise ParseError(_lt("Line %(row)s: the document has no amount (Сумма)."), row=start)
    lines = doc.get("_lines", {})
    amount = _amount(doc["Сумма"], lines.get("Сумма", start))
    if payee_acc in statements:
        own, sign, side = payee_acc, 1, "Плательщик"
    elif payer_acc in statements:
        own, sign, side = payer_acc, -1, "Получатель"
    else:
        raise ParseError(_lt("Line %(row)s: the document is for none of the file's accounts."), row=start)
    day_text = doc.get("ДатаПоступило") if sign > 0 else doc.get("ДатаСписано")
    day_key = ("ДатаПоступило" if sign > 0 else "ДатаСписано") if day_text else "Дата"
    day = _date(day_text or doc.get("Дата"), lines.get(day_key, start))
    purpose = " ".join(
        doc[key] for key in ["НазначениеПлатежа", *(f"НазначениеПлатежа{i}" for i in range(1, 7))] if doc.get(key)
    )
    code = doc.get(f"{side}ОКПО") or doc.get(f"{side}ИНН") or ""
    name = doc.get(side) or doc.get(f"{side}1") or ""
    partner_acc = payer_acc if sign > 0 else payee_acc
    currency = CURRENCIES.get(doc.get("КодВалюты", "980"), doc.get("КодВалюты") or "UAH")
    statements[own].transactions.append(
        _document(
            start,
            doc.get("Номер", ""),
            day,
            sign * amount,
            currency,
            purpose,
            name,
            partner_acc,
            code,
            doc.get(f"{side}МФО") or doc.get(f"{side}БИК") or "",
            ref_amount=amount,
        )
    )


def _clientbank_check_totals(statements):
    for statement in statements.values():
        for start, received, spent in statement.__dict__.pop("_totals", []):
            incoming = sum((tx.amount for tx in statement.transactions if tx.amount > 0), Decimal(0))
            outgoing = -sum((tx.amount for tx in statement.transactions if tx.amount < 0), Decimal(0))
            if received and _amount(received, start) != incoming or spent and _amount(spent, start) != outgoing:
                raise ParseError(
                    _lt(
                        "Line %(row)s: the control totals of the file do not match its documents: received "
                        "%(received)s, spent %(spent)s, the documents %(incoming)s and %(outgoing)s."
                    ),
                    row=start,
                    received=received or "-",
                    spent=spent or "-",
                    incoming=incoming,
                    outgoing=outgoing,
                )
            if statement.balance_start is not None and statement.balance_end is not None:
                if statement.balance_start + incoming - outgoing != statement.balance_end:
                    raise ParseError(
                        _lt(
                            "Line %(row)s: the closing balance does not follow from the opening one and the documents."
                        ),
                        row=start,
                    )


# ------------------------------------------------------------
# PrivatBank CSV / XLSX exports
# ------------------------------------------------------------

PRIVAT_COLUMNS = {
    "own_code": ("єдрпоу",),
    "own_mfo": ("мфо",),
    "own_iban": ("рахунок",),
    "currency": ("валюта",),
    "doc_number": ("номер документа",),
    "date": ("дата операції", "дата проводки"),
    "partner_iban": ("рахунок кореспондента",),
    "partner_code": ("єдрпоу кореспондента",),
    "partner_name": ("кореспондент",),
    "partner_mfo": ("мфо банка", "мфо банку"),
    "amount": ("сума",),
    "debit": ("дебет",),
    "credit": ("кредит",),
    "purpose": ("призначення платежу",),
}


def _header_map(cells):
    names = [_text(cell).casefold().replace("'", "") for cell in cells]
    mapping = {}
    for key, aliases in PRIVAT_COLUMNS.items():
        for position, name in enumerate(names):
            if name in aliases:
                mapping[key] = position
                break
    return mapping


def _privat_rows(rows, fmt):
    """Statement from rows (lists of cells) holding a PrivatBank header somewhere at the top."""
    header_at, columns = None, {}
    for index, cells in enumerate(rows[:30]):
        columns = _header_map(cells)
        if {"date", "purpose", "partner_name"} <= set(columns) and (
            "amount" in columns or {"debit", "credit"} <= set(columns)
        ):
            header_at = index
            break
    if header_at is None:
        raise ParseError(UNSUPPORTED, unsupported=True)
    statement = Statement(fmt, "", "", "UAH")
    for index, cells in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if not any(_text(cell) for cell in cells):
            continue

        def cell(key, cells=cells):
            position = columns.get(key)
            return cells[position] if position is not None and position < len(cells) else ""

        if "amount" in columns:
            amount = _amount(cell("amount"), index)
        else:
            credit = _amount(cell("credit") or 0, index)
            debit = _amount(cell("debit") or 0, index)
            amount = credit - debit
        own = _account(cell("own_iban"))
        if own:
            if statement.own_iban and statement.own_iban != own:
                raise ParseError(
                    _lt("Line %(row)s: the file mixes the accounts %(first)s and %(second)s."),
                    row=index,
                    first=statement.own_iban,
                    second=own,
                )
            statement.own_iban = own
        statement.own_code = statement.own_code or re.sub(r"\D", "", _text(cell("own_code")))
        day = _date(cell("date"), index)
        currency = _text(cell("currency")).upper() or "UAH"
        currency = CURRENCIES.get(currency, currency)
        statement.currency = currency
        partner = _account(cell("partner_iban"))
        number = _text(cell("doc_number"))
        statement.transactions.append(
            _document(
                index,
                number,
                day,
                amount,
                currency,
                cell("purpose"),
                cell("partner_name"),
                partner,
                cell("partner_code"),
                cell("partner_mfo"),
            )
        )
    return statement


def _csv_rows(text, delimiter):
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise ParseError(_lt("The file has a wrong encoding or is not a text file.")) from None


def parse_privat_csv(data):
    text = decode_text(data)
    sample = text[:4096]
    delimiter = max(";,\t", key=sample.count)
    return [_privat_rows(_csv_rows(text, delimiter), "privat_csv")]


def parse_privat_xlsx(data):
    try:
        sheets = xlsx_read.read_workbook(data, wanted=lambda _title, index: index == 0)
    except xlsx_read.WorkbookError as exc:
        if exc.kind == xlsx_read.NOT_XLSX:
            raise ParseError(_lt("The file is damaged or is not an XLSX workbook.")) from exc
        if exc.kind == xlsx_read.DAMAGED:
            raise ParseError(_lt("Line %(row)s: the workbook is damaged from this line on."), row=exc.row) from exc
        raise ParseError(_lt("Line %(row)s: the statement is too large (at most 200 000 lines)."), row=exc.row) from exc
    if not sheets:
        raise ParseError(_lt("The file is empty."))
    return [_privat_rows([list(row) for row in sheets[0].rows], "privat_xlsx")]


# ------------------------------------------------------------
# PrivatBank AutoClient JSON
# ------------------------------------------------------------


def _json(data):
    if isinstance(data, dict | list):
        return data
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            data = data.decode("cp1251", errors="replace")
    try:
        return json.loads(data)
    except (ValueError, RecursionError):  # RecursionError: arrays nested thousands deep
        raise ParseError(_lt("The file is not valid JSON (it may be truncated).")) from None


def parse_privat_autoclient(data):
    """(Statement, next page id or None) of one AutoClient page (or a saved list of pages)."""
    pages = _json(data)
    if isinstance(pages, dict):
        pages = [pages]
    statement = Statement("privat_json", "", "", "UAH")
    follow = None
    row = 0
    for page in pages:
        if not isinstance(page, dict) or "transactions" not in page and page.get("status") == "SUCCESS":
            raise ParseError(UNSUPPORTED, unsupported=True)
        if page.get("status") != "SUCCESS":
            raise ParseError(
                _lt("The bank answered with an error: %(answer)s"),
                answer=_text(page.get("message") or page.get("status")),
            )
        transactions = page.get("transactions") or []
        if not isinstance(transactions, list):
            raise ParseError(_lt("The bank's answer is damaged: the transactions are not a list."))
        for tx in transactions:
            row += 1
            try:
                own, amount_text, kind = tx["AUT_MY_ACC"], tx["SUM"], tx["TRANTYPE"]
            except (KeyError, TypeError):
                raise ParseError(_lt("Transaction %(row)s: a required field is missing."), row=row) from None
            amount = _amount(amount_text, row)
            if kind not in ("C", "D"):
                raise ParseError(_lt("Transaction %(row)s: unknown direction %(value)s."), row=row, value=kind)
            day = _date(tx.get("DAT_OD") or tx.get("DAT_KL"), row)
            statement.own_iban = statement.own_iban or _account(own)
            statement.own_code = statement.own_code or re.sub(r"\D", "", _text(tx.get("AUT_MY_CRF")))
            currency = CURRENCIES.get(_text(tx.get("CCY")), _text(tx.get("CCY")) or "UAH")
            statement.currency = currency
            statement.transactions.append(
                Transaction(
                    row=row,
                    ref=_text(tx.get("ID")) or f"{_text(tx.get('REF'))}.{_text(tx.get('REFN'))}",
                    date=day,
                    amount=amount if kind == "C" else -amount,
                    currency=currency,
                    purpose=_text(tx.get("OSND")),
                    partner_name=_text(tx.get("AUT_CNTR_NAM")),
                    partner_iban=_account(tx.get("AUT_CNTR_ACC")),
                    partner_code=re.sub(r"\D", "", _text(tx.get("AUT_CNTR_CRF"))),
                    partner_mfo=_text(tx.get("AUT_CNTR_MFO")),
                    doc_number=_text(tx.get("NUM_DOC")),
                    ultimate_code=re.sub(r"\D", "", _text(tx.get("RECIPIENT_ULTMT_NCEO"))),
                    technical=_text(tx.get("FL_REAL")).lower() not in ("r", ""),
                )
            )
        follow = page.get("next_page_id") if page.get("exist_next_page") else None
    return statement, follow


# ------------------------------------------------------------
# Oschadbank CSV, monobank JSON
# ------------------------------------------------------------


def parse_oschad_csv(data):
    text = decode_text(data)
    rows = _csv_rows(text, ";")
    if not rows:
        raise ParseError(_lt("The file is empty."))
    names = [_text(name).casefold() for name in rows[0]]
    if not {"ndoc", "summa", "nazn"} <= set(names):
        raise ParseError(UNSUPPORTED, unsupported=True)
    position = {name: index for index, name in enumerate(names)}
    statement = Statement("oschad_csv", "", "", "UAH")
    for index, cells in enumerate(rows[1:], start=2):
        if not any(_text(cell) for cell in cells):
            continue

        def cell(name, cells=cells):
            at = position.get(name)
            return cells[at] if at is not None and at < len(cells) else ""

        amount = _amount(cell("summa"), index, kopecks=True)
        if _text(cell("dk")) in ("1", "D", "Д"):
            amount = -abs(amount)
        day = _date(cell("dv") or cell("dt"), index)
        currency = CURRENCIES.get(_text(cell("val")) or "980", _text(cell("val")))
        statement.own_iban = statement.own_iban or _account(cell("acccli"))
        statement.currency = currency
        number = _text(cell("ndoc"))
        partner = _account(cell("acccor"))
        statement.transactions.append(
            _document(
                index,
                number,
                day,
                amount,
                currency,
                cell("nazn"),
                cell("namecor"),
                partner,
                cell("okpocor"),
                cell("cod_cor"),
            )
        )
    return [statement]


def parse_monobank(data, own_iban=""):
    items = _json(data)
    if not isinstance(items, list) or (
        items and not (isinstance(items[0], dict) and "time" in items[0] and "amount" in items[0])
    ):
        raise ParseError(UNSUPPORTED, unsupported=True)
    statement = Statement("mono_json", _account(own_iban), "", "UAH")
    for row, item in enumerate(items, start=1):
        try:
            moment = datetime.fromtimestamp(int(item["time"]), KYIV)
            amount = _amount(item["amount"], row, kopecks=True)
        except (KeyError, TypeError, ValueError, OverflowError):
            raise ParseError(_lt("Transaction %(row)s: a required field is missing or wrong."), row=row) from None
        currency = CURRENCIES.get(str(item.get("currencyCode", 980)), str(item.get("currencyCode")))
        statement.currency = currency
        statement.transactions.append(
            Transaction(
                row=row,
                ref=_text(item.get("id")) or f"{item['time']}/{item['amount']}",
                date=moment.date(),
                amount=amount,
                currency=currency,
                purpose=_text(item.get("comment") or item.get("description")),
                partner_name=_text(item.get("counterName")),
                partner_iban=_account(item.get("counterIban")),
                partner_code=re.sub(r"\D", "", _text(item.get("counterEdrpou"))),
            )
        )
    return [statement]


# ------------------------------------------------------------
# Detection
# ------------------------------------------------------------


def parse_file(data, filename=""):
    """The statements of ``data``, whatever its supported format (see the module docstring)."""
    if not data or not data.strip():
        raise ParseError(_lt("The file is empty."))
    start = data.lstrip(b"\xef\xbb\xbf \r\n\t")[:64]
    if start.startswith(b"1CClientBankExchange"):
        return parse_clientbank(data)
    if data[:2] == b"PK":
        return parse_privat_xlsx(data)
    if start[:1] in (b"{", b"["):
        payload = _json(data)
        sample = payload[0] if isinstance(payload, list) and payload else payload
        if isinstance(sample, dict) and ("transactions" in sample or "status" in sample):
            return [parse_privat_autoclient(payload)[0]]
        return parse_monobank(payload)
    text = decode_text(data)
    first = text[:2048].casefold()
    if "ndoc" in first and "summa" in first:
        return parse_oschad_csv(data)
    if "призначення платежу" in first or "кореспондент" in first:
        return parse_privat_csv(data)
    raise ParseError(UNSUPPORTED, unsupported=True)
