"""One entry point: ``build(doc, ledger)`` -> the QBO payloads of any document type, plus what the
gates need to know about a type without building it (its dates, the roles it posts to)."""

from __future__ import annotations

from typing import Any

from qbtui.ledger.common import Doc
from qbtui.ledger.context import Ledger
from qbtui.ledger.kinds import BUILDERS, KIND, TXN_DATE
from qbtui.ledger.payload import Payload

DATE_FIELD: dict[str, str] = TXN_DATE
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
    kind = KIND.get(t)
    return list(kind.roles) if kind is not None else []

