"""Money as Decimal: two places, half-up; splits whose parts add up to the whole exactly."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def dec(value: Any) -> Decimal:
    """A Decimal from a document value ("12.50", 12, Decimal); never through float."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        raise TypeError("floats are not money: pass a string or a Decimal")
    return Decimal(str(value))


def money(value: Any) -> Decimal:
    """Round to cents, half-up."""
    return dec(value).quantize(CENT, rounding=ROUND_HALF_UP)


def split(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """``total`` shared out in proportion to ``weights``; every part in cents, the last part
    takes the rounding so that the parts add up to ``total`` exactly."""
    total = money(total)
    if not weights:
        return []
    whole = sum(weights, Decimal(0))
    if whole == 0:
        parts = [ZERO] * (len(weights) - 1)
    else:
        parts = [money(total * w / whole) for w in weights[:-1]]
    parts.append(total - sum(parts, ZERO))
    return parts


def scale(amounts: Sequence[Decimal], part: Decimal, whole: Decimal) -> list[Decimal]:
    """Every amount scaled by ``part / whole``; the last takes the rounding, so the result adds
    up to ``part`` exactly (the credit-note / refund split)."""
    return split(part, amounts) if whole else split(part, [Decimal(1)] * len(amounts))
