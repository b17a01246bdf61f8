"""Order values: ISO 4217 currency codes and decimal-string amounts, checked without floats."""

from __future__ import annotations

import re
from decimal import Decimal

from babel.numbers import get_currency_precision, list_currencies

_AMOUNT = re.compile(r"^(0|[1-9][0-9]{0,14})(\.[0-9]{1,4})?$")
_NOT_MONEY = frozenset({"XXX", "XTS", "XAU", "XAG", "XPD", "XPT", "XBA", "XBB", "XBC", "XBD", "XDR", "XSU", "XUA"})


def check_currency(value: str) -> str:
    """An ISO 4217 currency code, upper-cased; ValueError names what is wrong."""
    code = value.strip().upper()
    if len(code) != 3 or code not in list_currencies() or code in _NOT_MONEY:
        raise ValueError("must be an ISO 4217 currency code, e.g. USD")
    return code


def check_amount(value: str, currency: str) -> str:
    """A non-negative decimal string with at most the currency's minor units, in canonical form."""
    text = value.strip()
    if not _AMOUNT.match(text):
        raise ValueError('must be a non-negative decimal string such as "19.99"')
    places = get_currency_precision(currency)
    amount = Decimal(text)
    exponent = amount.as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if decimals > places:
        raise ValueError(f"{currency} has {places} decimal place(s); got {decimals}")
    return f"{amount:.{places}f}"
