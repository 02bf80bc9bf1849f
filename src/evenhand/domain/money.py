"""Money: an exact Decimal amount with an ISO 4217 currency, never a float."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

# ISO 4217 minor-unit exponents that differ from the usual two decimals.
_ZERO_DECIMAL = frozenset(
    {
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "ISK",
        "JPY",
        "KMF",
        "KRW",
        "PYG",
        "RWF",
        "UGX",
        "UYI",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    }
)
_THREE_DECIMAL = frozenset({"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"})


_ODD_START = frozenset({"'", " ", "\t"})
# A plain decimal in ASCII digits: what exports and payloads write. Decimal() alone would
# also take "NaN", "Infinity", "1e999999", "1_000" and digits of any script ("١٢٣").
_PLAIN_AMOUNT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)
_AMOUNT_TEXT_LIMIT = 40  # characters: 13 whole digits, a point and far more decimals
# No amount a shop handles comes near this; in minor units it stays far inside a 64-bit
# integer, and so do sums of many of them.
AMOUNT_CEILING = Decimal(10) ** 13
_SCALE = {0: Decimal(1), 2: Decimal(100), 3: Decimal(1000)}


class MoneyError(ValueError):
    """An amount or currency that cannot be money."""


def minor_exponent(currency: str) -> int:
    """How many decimals the currency's minor unit has (SEK: 2, JPY: 0)."""
    if currency in _ZERO_DECIMAL:
        return 0
    if currency in _THREE_DECIMAL:
        return 3
    return 2


def normalise_currency(code: str) -> str:
    """Upper-case, validated three-letter currency code."""
    upper = code.strip().upper()
    if len(upper) != 3 or not upper.isalpha():
        raise MoneyError(f"not a currency code: {code!r}")
    return upper


def parse_amount(text: str) -> Decimal:
    """A plain decimal string ("249.00", "-5", "'12.5") as an exact Decimal."""
    cleaned = (text.lstrip().lstrip("'") if text[:1] in _ODD_START else text).strip()
    if len(cleaned) > _AMOUNT_TEXT_LIMIT:
        raise MoneyError(f"too long for an amount: {_shown(text)}")
    if not _PLAIN_AMOUNT.fullmatch(cleaned):
        raise MoneyError(f"not an amount: {_shown(text)}")
    value = Decimal(cleaned)
    if abs(value) >= AMOUNT_CEILING:
        raise MoneyError(f"too large an amount: {_shown(text)}")
    return value


def _shown(text: str) -> str:
    return repr(text) if len(text) <= 40 else f"{text[:40]!r}... ({len(text):,} characters)"


def has_more_decimals(amount: Decimal, currency: str) -> bool:
    """Whether the amount is finer than the currency's minor unit (548.001 SEK)."""
    scaled = amount * _SCALE[minor_exponent(currency)]
    return int(scaled) != scaled


def to_minor(amount: Decimal, currency: str) -> int:
    """The amount in the currency's minor units; refuses sub-minor precision."""
    scaled = amount * _SCALE[minor_exponent(currency)]
    integral = int(scaled)
    if integral != scaled:
        raise MoneyError(f"{amount} has more decimals than {currency} allows")
    return integral


def from_minor(minor: int, currency: str) -> Decimal:
    """Minor units back to a Decimal with the currency's decimals."""
    exponent = minor_exponent(currency)
    return Decimal(minor).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent))


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in one currency. Arithmetic across currencies is refused."""

    amount: Decimal
    currency: str

    @classmethod
    def of_minor(cls, minor: int, currency: str) -> Money:
        return cls(from_minor(minor, currency), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls.of_minor(0, currency)

    @property
    def minor(self) -> int:
        return to_minor(self.amount, self.currency)

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise MoneyError(f"cannot mix {self.currency} and {other.currency}")

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
