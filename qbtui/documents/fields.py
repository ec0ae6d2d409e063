"""Field types shared by every document model: money, quantities, dates, refs.

Money is Decimal with at most 2 places; unit prices, costs and quantities at most 6; both finite
and below 10^12 in absolute value (docs/import-format.md#values). Dates are ISO ``YYYY-MM-DD`` only.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field

from qbtui.documents.text import nfc

LIMIT = Decimal(10) ** 12
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


_SIX_PLACES = Decimal("0.000001")


def _plain(value: Decimal) -> Decimal:
    """Drop exponent notation (``1E+3`` -> ``1000``) so stored strings read like numbers. A value the
    decimal-places check let through with more places than allowed holds only zeros there
    (``0E-1000000000``): written with six, never a billion."""
    text = str(value)
    if "E" not in text:  # already plain: the value itself, as the round trip below would give it back
        point = text.find(".")
        if point < 0 or len(text) - point - 1 <= 6:
            return value
    if value.as_tuple().exponent < -6:  # type: ignore[operator]
        value = value.quantize(_SIX_PLACES)
    return Decimal(format(value, "f"))


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def _iso_date(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError(f"{value!r} is not an ISO date: write it as YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a real calendar date") from None


def _decimal_field(places: int) -> Any:
    return Field(decimal_places=places, allow_inf_nan=False, gt=-LIMIT, lt=LIMIT)


Money = Annotated[Decimal, _decimal_field(2), AfterValidator(_money)]
"""An amount of money: at most 2 decimal places, finite, |x| < 10^12."""

Quantity = Annotated[Decimal, _decimal_field(6), AfterValidator(_plain)]
"""A quantity, unit price or unit cost: at most 6 decimal places, finite, |x| < 10^12."""

Percent = Annotated[Decimal, Field(ge=0, le=100, decimal_places=6, allow_inf_nan=False), AfterValidator(_plain)]

IsoDate = Annotated[date, BeforeValidator(_iso_date)]

Ref = Annotated[str, Field(min_length=1, max_length=100)]
"""A document's reference in the inventory system: unique per type, at most 100 characters."""

Name = Annotated[str, Field(min_length=1), AfterValidator(nfc)]
"""A name (customer, supplier, product): stored in Unicode NFC, as names are compared."""

STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=False,
                    defer_build=True)  # validators built on first use: a command that only reads the fields starts sooner
