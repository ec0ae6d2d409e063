"""A document's total as the ledger posts it: one function for every screen and report.

Sales and purchase lines are rounded to cents one by one (QBO requires Amount = Qty x UnitPrice on
every line) and then added, so a discounted invoice totals what QBO will show, not the total of the
unrounded lines rounded once (two lines of 1 x 17.00 less 4.97% post 16.16 + 16.16 = 32.32, not 32.31).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from qbtui.ledger.common import purchase_amounts, sale_amounts
from qbtui.ledger.journals import adjustment_total
from qbtui.ledger.money import money


def document_total(type_: str, data: dict[str, Any]) -> Decimal | None:
    """What the document posts: the sum of its rounded lines, or its amount; a product's sale price;
    None for contacts (and for a document too damaged to price, which the gates block anyway)."""
    try:
        lines = data.get("lines")
        if isinstance(lines, list) and lines:
            if type_ == "adjustment":
                return adjustment_total(data)
            if all(isinstance(line, dict) and "unit_price" in line for line in lines):
                return sum(sale_amounts(data), Decimal("0.00"))
            return sum(purchase_amounts(data), Decimal("0.00"))
        if data.get("amount") is not None:
            return money(data["amount"])
        if type_ == "product" and data.get("sale_price") is not None:
            return money(data["sale_price"])
    except (InvalidOperation, KeyError, TypeError, ValueError, AttributeError):
        return None
    return None
