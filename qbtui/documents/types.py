"""The document types' names, in the order of the import format, without building their models (pydantic): what
a command line's choices and a start-up need. ``qbtui.documents.models`` checks that its models are these."""

from __future__ import annotations

DOCUMENT_TYPES: tuple[str, ...] = (
    "customer", "supplier", "product",
    "sale_invoice", "sale_payment", "credit_note", "quote", "cogs",
    "purchase_order", "supplier_invoice", "supplier_credit", "supplier_payment", "supplier_deposit",
    "adjustment", "gift_voucher", "store_credit",
)

#: a credit note's refund: imported as a type of its own (a row of a CSV file, a file of refunds), stored on its note
REFUND_TYPE = "credit_note_refund"
