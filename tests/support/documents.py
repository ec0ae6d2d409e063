"""The one document factory of the tests: builders of documents as the importer reads them (JSON dicts, money as
strings), with the defaults most tests want (the customer C-100 "Harbour Cafe", the product MUG-01 at 12.50 that
costs 4.10, November 2026), and the few named sets the tests share.

A builder's keyword arguments override its defaults; ``None`` leaves an optional field out. A test that needs a
document the builders do not know writes its dict inline: every field is the importer's (docs/import-format.md)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

Doc = dict[str, Any]


def _doc(kind: str, ref: str, fields: dict[str, Any]) -> Doc:
    return {"type": kind, "ref": ref, **{k: v for k, v in fields.items() if v is not None}}


def customer(ref: str = "C-100", name: str = "Harbour Cafe", **fields: Any) -> Doc:
    return _doc("customer", ref, {"name": name, **fields})


def supplier(ref: str = "S-1", name: str = "Clay Works", **fields: Any) -> Doc:
    return _doc("supplier", ref, {"name": name, **fields})


def product(ref: str = "MUG-01", name: str = "Stoneware mug", sale_price: str | None = "12.50",
            purchase_cost: str | None = "4.10", **fields: Any) -> Doc:
    return _doc("product", ref, {"name": name, "sale_price": sale_price, "purchase_cost": purchase_cost, **fields})


def line(sku: str = "MUG-01", quantity: Any = 6, unit_price: str | None = "12.50", unit_cost: str | None = "4.10",
         **fields: Any) -> dict[str, Any]:
    """A line of an invoice or a credit note."""
    return {k: v for k, v in {"sku": sku, "quantity": quantity, "unit_price": unit_price, "unit_cost": unit_cost,
                              **fields}.items() if v is not None}


def invoice(ref: str = "SO-1001", customer: str = "C-100", invoice_date: str | None = "2026-11-02",
            lines: list[dict[str, Any]] | None = None, **fields: Any) -> Doc:
    """A sales invoice; one line of 6 MUG-01 at 12.50 unless ``lines`` says otherwise."""
    return _doc("sale_invoice", ref, {"customer": customer, "invoice_date": invoice_date,
                                      "lines": [line()] if lines is None else lines, **fields})


def cogs(invoice: str = "SO-1001", date: str = "2026-11-02", amount: str = "24.60", ref: str | None = None) -> Doc:
    """The cost of goods sold of ``invoice`` (its ref is COGS-<invoice> unless given)."""
    return _doc("cogs", ref or f"COGS-{invoice}", {"invoice": invoice, "date": date, "amount": amount})


def payment(ref: str = "PAY-1001", invoice: str = "SO-1001", date: str = "2026-11-10", amount: str = "10.00",
            **fields: Any) -> Doc:
    return _doc("sale_payment", ref, {"invoice": invoice, "date": date, "amount": amount, **fields})


def credit_note(ref: str = "CN-77", customer: str = "C-100", invoice: str | None = "SO-1001",
                date: str = "2026-11-05", lines: list[dict[str, Any]] | None = None, **fields: Any) -> Doc:
    return _doc("credit_note", ref, {"customer": customer, "invoice": invoice, "date": date,
                                     "lines": lines if lines is not None else [line(quantity=2, unit_cost=None)],
                                     **fields})


def adjustment(ref: str = "ADJ-2026-11-0001", date: str = "2026-11-03", reason: str = "found in back room",
               lines: list[dict[str, Any]] | None = None, **fields: Any) -> Doc:
    """A stock adjustment completed and booked on ``date``; 3 MUG-01 found at 4.10 unless ``lines`` says otherwise."""
    return _doc("adjustment", ref, {"completed_date": date, "accounting_date": date, "reason": reason,
                                    "lines": lines if lines is not None else
                                    [{"sku": "MUG-01", "quantity_change": 3, "unit_cost": "4.10"}], **fields})


# ------------------------------------------------------------------------------------------------ named sets

def example() -> list[Doc]:
    """One of each common kind around one invoice: a customer, a product, the invoice (6 mugs), its COGS, a credit
    note with a refund, a stock adjustment (tests/conftest.py writes it as the ``example_file``)."""
    return [customer(), product(), invoice(), cogs(),
            credit_note(refunds=[{"ref": "RF-77-1", "date": "2026-11-06", "amount": "5.00"}]), adjustment()]


def small_set(n_invoices: int = 3, prefix: str = "") -> list[Doc]:
    """Two customers, the mug, and ``n_invoices`` invoices of 2, 3, 4... mugs (alternating customers, all on
    2026-11-02) each with its COGS; ``prefix`` goes before every reference and name (a second, distinct set)."""
    docs = [customer(f"{prefix}C-100", f"{prefix}Harbour Cafe"), customer(f"{prefix}C-101", f"{prefix}Lakeside Deli"),
            product(f"{prefix}MUG-01", f"{prefix}Stoneware mug")]
    for i in range(n_invoices):
        ref = f"{prefix}SO-{1001 + i}"
        docs.append(invoice(ref, f"{prefix}C-10{i % 2}", lines=[line(f"{prefix}MUG-01", quantity=2 + i)]))
        docs.append(cogs(ref, amount=f"{(2 + i) * Decimal('4.10'):.2f}", ref=f"{prefix}COGS-SO-{1001 + i}"))
    return docs


def two_invoices() -> list[Doc]:
    """Two customers, the mug, two invoices (6 mugs on 2026-11-02, 2 on 11-04) with their COGS, a stock adjustment:
    the set the maintenance tests sync first."""
    return [customer(), customer("C-200", "Quay Bistro"), product(),
            invoice(), invoice("SO-1002", "C-200", "2026-11-04", [line(quantity=2)]),
            cogs(), cogs("SO-1002", "2026-11-04", "8.20"), adjustment()]


def payment_set(n: int, date: str = "2026-11-10") -> list[Doc]:
    """``n`` invoices of 100.00 and one payment on each, all on one date: even ones pay 40.00 (QBO would take
    a second payment: a duplicate would go unnoticed), odd ones pay in full (a second one is refused)."""
    docs = [customer(f"PC-{c}", f"Payment Customer {c}") for c in range(5)]
    docs.append(product("PAY-SKU", "Payment widget", sale_price="25.00", purchase_cost=None))
    for i in range(n):
        docs.append(invoice(f"PI-{i:04d}", f"PC-{i % 5}", lines=[line("PAY-SKU", 4, "25.00", None)]))
        docs.append(payment(f"PP-{i:04d}", f"PI-{i:04d}", date, "40.00" if i % 2 == 0 else "100.00"))
    return docs
