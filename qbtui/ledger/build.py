"""One entry point: ``build(doc, ledger)`` -> the QBO payloads of any document type, plus what the
gates need to know about a type without building it (its dates, the roles it posts to)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qbtui.ledger import contacts, credit_notes, journals, purchases, sales
from qbtui.ledger.common import Doc
from qbtui.ledger.context import Ledger
from qbtui.ledger.payload import Payload

BUILDERS: dict[str, Callable[[Doc, Ledger], list[Payload]]] = {
    "customer": contacts.build_customer,
    "supplier": contacts.build_supplier,
    "product": contacts.build_product,
    "sale_invoice": sales.build_invoice,
    "sale_payment": sales.build_payment,
    "credit_note": credit_notes.build_credit_note,
    "quote": sales.build_quote,
    "cogs": journals.build_cogs,
    "purchase_order": purchases.build_purchase_order,
    "supplier_invoice": purchases.build_bill,
    "supplier_credit": purchases.build_vendor_credit,
    "supplier_payment": purchases.build_bill_payment,
    "supplier_deposit": journals.build_supplier_deposit,
    "adjustment": journals.build_adjustment,
    "gift_voucher": journals.build_gift_voucher,
    "store_credit": journals.build_store_credit,
}

DATE_FIELD: dict[str, str] = {
    "sale_invoice": "invoice_date", "sale_payment": "date", "credit_note": "date", "quote": "date",
    "cogs": "date", "purchase_order": "date", "supplier_invoice": "invoice_date", "supplier_credit": "date",
    "supplier_payment": "date", "supplier_deposit": "date", "adjustment": "accounting_date",
    "gift_voucher": "date", "store_credit": "date",
}
"""The field that becomes TxnDate, per transaction type (docs/domain.md#what-each-document-becomes)."""


def build(doc: Doc, ledger: Ledger) -> list[Payload]:
    return BUILDERS[doc["type"]](doc, ledger)


def txn_dates(doc: Doc) -> list[tuple[str, str | None]]:
    """(label, ISO date or None) of every transaction the document becomes."""
    t = doc["type"]
    if t not in DATE_FIELD:
        return []
    out: list[tuple[str, Any]] = [(DATE_FIELD[t], doc.get(DATE_FIELD[t]))]
    if t == "credit_note":
        out += [(f"refund {r['ref']}", r.get("date")) for r in doc.get("refunds") or ()]
    elif t == "supplier_deposit" and doc.get("supplier_invoice") and doc.get("applied_date"):
        out.append(("applied_date", doc["applied_date"]))
    return out


def roles_used(doc: Doc) -> list[str]:
    """The mapping roles the document's payloads post to (a role not mapped blocks exactly these)."""
    t = doc["type"]
    if t == "product":
        kind = doc.get("kind", "stock")
        if kind == "stock":
            return ["sales_income", "inventory_asset"]
        if kind == "non_stock" or doc.get("purchase_cost") is not None:
            return ["sales_income", "cogs"]
        return ["sales_income"]
    if t == "credit_note":
        from qbtui.ledger.credit_notes import credit_note_parts
        refunds = doc.get("refunds") or []
        _, memo_part, _ = credit_note_parts(doc)
        return (["accounts_receivable"] if not refunds or memo_part > 0 else []) + (
            ["payment_clearing"] if refunds else [])
    if t == "supplier_deposit":
        return ["supplier_deposits", "bank"] + (["accounts_payable"] if doc.get("supplier_invoice") else [])
    return list(_STATIC_ROLES.get(t, ()))


_STATIC_ROLES: dict[str, tuple[str, ...]] = {
    "sale_invoice": ("accounts_receivable",),
    "sale_payment": ("accounts_receivable", "payment_clearing"),
    "cogs": ("cogs", "inventory_asset"),
    "purchase_order": ("accounts_payable",),
    "supplier_invoice": ("accounts_payable",),
    "supplier_credit": ("accounts_payable",),
    "supplier_payment": ("accounts_payable", "bank"),
    "adjustment": ("inventory_asset", "inventory_discrepancy"),
    "gift_voucher": ("payment_clearing", "gift_card_liability"),
    "store_credit": ("payment_clearing", "customer_credits"),
}
