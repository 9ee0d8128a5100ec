"""Amounts in Ukrainian words for receipts ("одна тисяча двісті тридцять чотири гривні 56 копійок")."""

from decimal import ROUND_HALF_UP, Decimal

from num2words import num2words


def amount_in_words_uah(amount, kopecks_in_digits=True):
    """Ukrainian words for a hryvnia amount, declined correctly.

    ``amount`` must be a Decimal (or str/int of hryvnias): num2words treats an int passed with
    ``to='currency'`` as kopecks, so this function converts first. The first letter is capitalised,
    kopecks are written in digits (``56 копійок``) as Ukrainian receipts usually do, unless
    ``kopecks_in_digits`` is False.
    """
    value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    negative = value < 0
    value = abs(value)
    text = num2words(value, lang="uk", to="currency", currency="UAH", cents=not kopecks_in_digits)
    text = text.replace(",", "", 1) if kopecks_in_digits else text
    if negative:
        text = "мінус " + text
    return text[:1].upper() + text[1:]
