"""The dashboard's top tabs and sub-tabs (docs/domain.md#dashboard), in the Cin7 Omni "V2" shape."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SubTab:
    label: str
    short: str
    #: a document type (Sales..Retail), an error family (Errors) or a discrepancy kind.
    key: str


@dataclass(frozen=True)
class TopTab:
    label: str
    kind: str  # "documents" | "errors" | "discrepancies"
    subtabs: tuple[SubTab, ...]


ERROR_FAMILIES: tuple[tuple[str, str], ...] = (
    ("all", "All"),
    ("dates", "Dates"),
    ("names", "Names & links"),
    ("amounts", "Amounts"),
    ("mappings", "Mappings & settings"),
    ("dependencies", "Waiting on others"),
    ("other", "Other"),
)

TABS: tuple[TopTab, ...] = (
    TopTab("Sales", "documents", (
        SubTab("Customers", "Customers", "customer"),
        SubTab("Products", "Products", "product"),
        SubTab("Quotes", "Quotes", "quote"),
        SubTab("Invoices", "Invoices", "sale_invoice"),
        SubTab("Credit Notes", "Credits", "credit_note"),
        SubTab("Payments", "Payments", "sale_payment"),
    )),
    TopTab("Purchases", "documents", (
        SubTab("Suppliers", "Suppliers", "supplier"),
        SubTab("Purchase Orders", "POs", "purchase_order"),
        SubTab("Supplier Invoices", "Invoices", "supplier_invoice"),
        SubTab("Supplier Credits", "Credits", "supplier_credit"),
        SubTab("Supplier Payments", "Payments", "supplier_payment"),
        SubTab("Supplier Deposits", "Deposits", "supplier_deposit"),
    )),
    TopTab("Adjustments & COGS", "documents", (
        SubTab("Adjustments", "Adjustments", "adjustment"),
        SubTab("COGS", "COGS", "cogs"),
    )),
    TopTab("Retail", "documents", (
        SubTab("Gift Vouchers", "Gift Vouchers", "gift_voucher"),
        SubTab("Store Credits", "Store Credits", "store_credit"),
    )),
    TopTab("Errors", "errors", tuple(SubTab(label, label.split(" ")[0], key)
                                     for key, label in ERROR_FAMILIES)),
    TopTab("Discrepancies", "discrepancies", (
        SubTab("All", "All", "all"),
        SubTab("Changed in QBO", "Changed", "changed"),
        SubTab("Deleted in QBO", "Deleted", "deleted"),
        SubTab("Total differs", "Total", "total"),
    )),
)

TYPE_LABELS: dict[str, str] = {
    sub.key: sub.label for tab in TABS[:4] for sub in tab.subtabs
}
# Singular labels used in the Errors tab's Type column and in messages.
TYPE_SHORT: dict[str, str] = {
    "customer": "customer", "supplier": "supplier", "product": "product", "quote": "quote",
    "sale_invoice": "invoice", "credit_note": "credit", "sale_payment": "payment",
    "purchase_order": "PO", "supplier_invoice": "bill", "supplier_credit": "sup.credit",
    "supplier_payment": "bill pmt", "supplier_deposit": "deposit", "adjustment": "adjust",
    "cogs": "COGS", "gift_voucher": "gift vch", "store_credit": "st.credit",
}
