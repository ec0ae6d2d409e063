"""A document's total as QuickBooks will show it: one function for every screen and report.

Sales and purchase lines are rounded to cents one by one (QBO requires Amount = Qty x UnitPrice on
every line) and then added, so a discounted invoice totals what QBO will show, not the total of the
unrounded lines rounded once (two lines of 1 x 17.00 less 4.97% post 16.16 + 16.16 = 32.32, not 32.31).

With a :class:`~qbtui.ledger.tax.TaxContext` (:func:`tax_context`, read once per listing or dashboard model) a
taxed document's total is QBO's TotalAmt as the ledger expects it (qbtui.ledger.tax: a tax-exclusive UK invoice
of 100.00 net at 20 % shows 120.00, as QBO and the pulled balance do); where the tax is not foreseeable (the US with
Automated Sales Tax, codes not pulled) it is the lines' sum, before tax (:attr:`TaxContext.adds_tax` says when).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from qbtui.ledger.common import purchase_amounts, sale_amounts
from qbtui.ledger.context import Prefs
from qbtui.ledger.journals import adjustment_total
from qbtui.ledger.money import money
from qbtui.ledger.tax import PURCHASE_TYPES, SALES_TYPES, TaxContext, book_for, compute
from qbtui.settings import Settings

TAXED = SALES_TYPES | PURCHASE_TYPES


def tax_context(cache: Any) -> TaxContext | None:
    """The tax context of a cache's company: QBO's tax codes and rates as last pulled, the settings' tax mapping
    and defaults, the region and the Automated Sales Tax flag. None when the settings cannot be read (a bad value:
    ``qbtui settings`` says which): totals are then the lines' sums."""
    try:
        settings = Settings.from_stored(cache.settings())
    except Exception:  # noqa: BLE001 - SettingError and the like: shown elsewhere; a total is never worth a crash
        return None
    prefs = Prefs.from_qbo(cache.reference("preferences", None), cache.reference("company_info", None))
    return TaxContext(book_for(cache.reference("tax_codes", None), cache.reference("tax_rates", None), settings),
                      prefs.region, prefs.automated_sales_tax)


def document_total(type_: str, data: dict[str, Any], tax: TaxContext | None = None) -> Decimal | None:
    """What the document posts: the sum of its rounded lines, or its amount; a product's sale price;
    None for contacts (and for a document too damaged to price, which the gates block anyway). With ``tax``,
    a sale's or a purchase's total is QBO's TotalAmt as the ledger expects it (tax included) when it is known."""
    try:
        lines = data.get("lines")
        if isinstance(lines, list) and lines:
            if type_ == "adjustment":
                return adjustment_total(data)
            sales = all(isinstance(line, dict) and "unit_price" in line for line in lines)
            amounts = sale_amounts(data) if sales else purchase_amounts(data)
            if tax is not None and type_ in TAXED:
                total = compute(data, amounts, tax.region, tax.book, sales=type_ in SALES_TYPES, ast=tax.ast).total
                if total is not None:
                    return total
            return sum(amounts, Decimal("0.00"))
        if data.get("amount") is not None:
            return money(data["amount"])
        if type_ == "product" and data.get("sale_price") is not None:
            return money(data["sale_price"])
    except (InvalidOperation, KeyError, TypeError, ValueError, AttributeError, ArithmeticError):
        return None
    return None


def before_tax_note(type_: str, tax: TaxContext | None) -> str:
    """``before tax (QuickBooks adds it)`` where the totals of ``type_`` are the lines' sums because QuickBooks
    computes the sales tax itself (the US with Automated Sales Tax); else empty: the totals include the tax."""
    return "before tax (QuickBooks adds it)" if tax is not None and tax.adds_tax and type_ in SALES_TYPES else ""
