"""The document kinds: the one place that lists every kind of document and what the rest of qbtui
needs to know about it (its names, where the dashboard shows it, what it becomes in QBO, what it
must follow, which fields date it and name its counterparty). Pure, built once at import from the
document models (qbtui.documents.models) and the ledger's builders; every per-kind table of
qbtui (sending order and waves, dependencies, dashboard tabs, dates, labels) is derived from here.

Adding a kind: its model in ``documents/models.py`` (and ``MODELS``), its builder in a ledger
module, its gates in ``ledger/gates.py`` if it has any of its own, and one ``Kind`` below.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from qbtui.documents.models import MODELS, Document, SaleLine
from qbtui.ledger import contacts, credit_notes, journals, purchases, sales
from qbtui.ledger.common import Doc
from qbtui.ledger.context import Ledger
from qbtui.ledger.payload import Payload

LINES = "lines.sku"
"""In ``references``: every line's SKU names a product."""


@dataclass(frozen=True)
class Kind:
    name: str
    """The ``type`` of the import format: ``sale_invoice``."""
    noun: str
    """Singular, as messages say it: "sales invoice"."""
    abbrev: str
    """A few letters for the Type column of the dashboard's Errors tab: "invoice"."""
    tab: str
    """The dashboard's top tab that lists it."""
    label: str
    """Its sub-tab's title: "Invoices" (also the document screen's title)."""
    short: str
    """Its sub-tab's title when space is short."""
    entities: tuple[str, ...]
    """The QBO entities it becomes; the first is the one other documents link to (TxnType)."""
    references: tuple[tuple[str, str], ...]
    """(field, kind) of the documents it names (``LINES``: its lines' products); it must be sent after
    them, except those whose field is ``informational``."""
    dates: tuple[str, ...]
    """The fields that date it: the first becomes TxnDate; the dashboard shows the first one set."""
    party: tuple[str, ...]
    """The counterparty: the first of these fields that is set. A field naming a contact shows the
    contact's name, one naming another document shows that document's counterparty."""
    wave: int
    """Sending wave: a wave's documents only name objects created by earlier waves (or runs)."""
    roles: tuple[str, ...]
    """The mapping roles it posts to, when they do not depend on the document (``build.roles_used``)."""
    build: Callable[[Doc, Ledger], list[Payload]]
    model: type[Document]
    informational: tuple[str, ...] = ()
    """Fields of ``references`` that only name the document (QBO gets no reference to wait for)."""

    @property
    def is_transaction(self) -> bool:
        return bool(self.model.is_transaction)

    @property
    def txn_date(self) -> str | None:
        """The field that becomes TxnDate (None: not a transaction)."""
        return self.dates[0] if self.dates else None

    @property
    def date_fields(self) -> tuple[str, ...]:
        """Every date field of the model (what a form may edit)."""
        return tuple(f for f, info in self.model.model_fields.items() if "date" in f and info.annotation is not None
                     and "date" in str(info.annotation).lower())

    def lines_model(self) -> type | None:
        """The model of one line (SaleLine, PurchaseLine, AdjustmentLine), None without lines."""
        info = self.model.model_fields.get("lines")
        args = getattr(info.annotation, "__args__", ()) if info is not None else ()
        return args[0] if args else None

    def named_kind(self, field_: str) -> str | None:
        """The kind of document ``field_`` names (None: a plain field)."""
        return next((kind for f, kind in self.references if f == field_), None)

    def dependencies(self, doc: Mapping[str, Any]) -> list[tuple[str, str]]:
        """The documents that must be in QBO before this one (in ``references`` order, no repeats)."""
        deps: list[tuple[str, str]] = []
        for field_, kind in self.references:
            if field_ in self.informational:
                continue
            if field_ == LINES:
                deps += [(kind, line["sku"]) for line in doc.get("lines", ())]
            elif doc.get(field_):
                deps.append((kind, doc[field_]))
        return list(dict.fromkeys(deps))


def _kind(name: str, **fields: Any) -> Kind:
    return Kind(name=name, model=MODELS[name], **fields)


_CUSTOMER, _SUPPLIER, _PRODUCTS = ("customer", "customer"), ("supplier", "supplier"), (LINES, "product")
SALES, PURCHASES, ADJUSTMENTS, RETAIL = "Sales", "Purchases", "Adjustments & COGS", "Retail"

KINDS: tuple[Kind, ...] = (
    _kind("customer", noun="customer", abbrev="customer", tab=SALES, label="Customers", short="Customers",
          entities=("Customer",), references=(), dates=(), party=("name",),
          wave=0, roles=(), build=contacts.build_customer),
    _kind("supplier", noun="supplier", abbrev="supplier", tab=PURCHASES, label="Suppliers", short="Suppliers",
          entities=("Vendor",), references=(), dates=(), party=("name",),
          wave=0, roles=(), build=contacts.build_supplier),
    _kind("product", noun="product", abbrev="product", tab=SALES, label="Products", short="Products",
          entities=("Item",), references=(), dates=(), party=("name",),
          wave=0, roles=(), build=contacts.build_product),
    _kind("quote", noun="quote", abbrev="quote", tab=SALES, label="Quotes", short="Quotes",
          entities=("Estimate",), references=(_CUSTOMER, _PRODUCTS), dates=("date",), party=("customer",),
          wave=1, roles=(), build=sales.build_quote),
    _kind("sale_invoice", noun="sales invoice", abbrev="invoice", tab=SALES, label="Invoices", short="Invoices",
          entities=("Invoice",), references=(_CUSTOMER, _PRODUCTS), dates=("invoice_date",), party=("customer",),
          wave=1, roles=("accounts_receivable",), build=sales.build_invoice),
    _kind("credit_note", noun="credit note", abbrev="credit", tab=SALES, label="Credit Notes", short="Credits",
          entities=("CreditMemo", "RefundReceipt"), references=(_CUSTOMER, ("invoice", "sale_invoice"), _PRODUCTS),
          informational=("invoice",), dates=("date",), party=("customer",),
          # wave 2: after the invoices, so that its credit memo is applied to its own invoice (a Payment of 0 naming
          # the invoice's QBO Id), and before the payments, so that QBO's auto-apply is taken off before they go
          wave=2, roles=(), build=credit_notes.build_credit_note),
    _kind("sale_payment", noun="payment", abbrev="payment", tab=SALES, label="Payments", short="Payments",
          entities=("Payment",), references=(("invoice", "sale_invoice"),), dates=("date",), party=("invoice",),
          # wave 3: after the credit notes applied to their invoices (a payment pays what is left)
          wave=3, roles=("accounts_receivable", "payment_clearing"), build=sales.build_payment),
    _kind("cogs", noun="COGS journal", abbrev="COGS", tab=ADJUSTMENTS, label="COGS", short="COGS",
          entities=("JournalEntry",), references=(("invoice", "sale_invoice"),), dates=("date",), party=("invoice",),
          # the journal only names its invoice in a memo: it posts whether or not the invoice is sent (a channel
          # whose sales another tool posts: invoices no_sync, COGS individual)
          informational=("invoice",),
          wave=1, roles=("cogs", "inventory_asset"), build=journals.build_cogs),
    _kind("purchase_order", noun="purchase order", abbrev="PO", tab=PURCHASES, label="Purchase Orders", short="POs",
          entities=("PurchaseOrder",), references=(_SUPPLIER, _PRODUCTS), dates=("date",), party=("supplier",),
          wave=1, roles=("accounts_payable",), build=purchases.build_purchase_order),
    _kind("supplier_invoice", noun="supplier invoice", abbrev="bill", tab=PURCHASES, label="Supplier Invoices",
          short="Invoices",
          entities=("Bill",), references=(_SUPPLIER, ("purchase_order", "purchase_order"), _PRODUCTS),
          informational=("purchase_order",), dates=("invoice_date",), party=("supplier",),
          wave=1, roles=("accounts_payable",), build=purchases.build_bill),
    _kind("supplier_credit", noun="supplier credit", abbrev="sup.credit", tab=PURCHASES, label="Supplier Credits",
          short="Credits",
          entities=("VendorCredit",), references=(_SUPPLIER, _PRODUCTS), dates=("date",), party=("supplier",),
          wave=1, roles=("accounts_payable",), build=purchases.build_vendor_credit),
    _kind("supplier_payment", noun="supplier payment", abbrev="bill pmt", tab=PURCHASES, label="Supplier Payments",
          short="Payments",
          entities=("BillPayment",), references=(("supplier_invoice", "supplier_invoice"),), dates=("date",),
          party=("supplier_invoice",),
          wave=3, roles=("accounts_payable", "bank"), build=purchases.build_bill_payment),
    _kind("supplier_deposit", noun="supplier deposit", abbrev="deposit", tab=PURCHASES, label="Supplier Deposits",
          short="Deposits",
          entities=("JournalEntry",), references=(_SUPPLIER, ("supplier_invoice", "supplier_invoice")),
          dates=("date", "applied_date"), party=("supplier",),
          # the payments' wave: applied to its supplier invoice, it names the bill's QBO Id (a bill payment settles it)
          wave=3, roles=(), build=journals.build_supplier_deposit),
    _kind("adjustment", noun="stock adjustment", abbrev="adjust", tab=ADJUSTMENTS, label="Adjustments",
          short="Adjustments",
          entities=("JournalEntry",), references=(), dates=("accounting_date", "completed_date"),
          party=("reason", "location"),
          wave=1, roles=("inventory_asset", "inventory_discrepancy"), build=journals.build_adjustment),
    _kind("gift_voucher", noun="gift voucher", abbrev="gift vch", tab=RETAIL, label="Gift Vouchers",
          short="Gift Vouchers",
          entities=("JournalEntry",), references=(_CUSTOMER,), dates=("date",), party=("customer",),
          # the customer is informational on a gift voucher's journal: nothing to wait for
          informational=("customer",),
          wave=1, roles=("payment_clearing", "gift_card_liability"), build=journals.build_gift_voucher),
    _kind("store_credit", noun="store credit", abbrev="st.credit", tab=RETAIL, label="Store Credits",
          short="Store Credits",
          entities=("JournalEntry",), references=(_CUSTOMER,), dates=("date",), party=("customer",),
          wave=1, roles=("payment_clearing", "customer_credits"), build=journals.build_store_credit),
)
"""In sending order: contacts and products before the documents that use them, invoices before
their payments and COGS, supplier invoices before their payments and deposits."""

KIND: dict[str, Kind] = {k.name: k for k in KINDS}
TAB_ORDER: tuple[str, ...] = (SALES, PURCHASES, ADJUSTMENTS, RETAIL)
_DASHBOARD = (
    "customer", "product", "quote", "sale_invoice", "credit_note", "sale_payment",
    "supplier", "purchase_order", "supplier_invoice", "supplier_credit", "supplier_payment", "supplier_deposit",
    "adjustment", "cogs", "gift_voucher", "store_credit",
)

# --- derived views (read these, never copy them) ------------------------------------------------

TYPE_ORDER: tuple[str, ...] = tuple(k.name for k in KINDS)
WAVES: tuple[tuple[str, ...], ...] = tuple(
    tuple(k.name for k in KINDS if k.wave == w) for w in range(max(k.wave for k in KINDS) + 1))
NOUN: dict[str, str] = {k.name: k.noun for k in KINDS}
ABBREV: dict[str, str] = {k.name: k.abbrev for k in KINDS}
BUILDERS: dict[str, Callable[[Doc, Ledger], list[Payload]]] = {k.name: k.build for k in KINDS}
TXN_DATE: dict[str, str] = {k.name: k.dates[0] for k in KINDS if k.dates}
PRIMARY_ENTITY: dict[str, str] = {k.name: k.entities[0] for k in KINDS}
CONTACTS: frozenset[str] = frozenset(k.name for k in KINDS if not k.is_transaction)
"""Customers, suppliers and products: not transactions (no date, no TxnDate)."""
TRANSACTIONS: frozenset[str] = frozenset(k.name for k in KINDS if k.is_transaction)
SALE_LINES: frozenset[str] = frozenset(k.name for k in KINDS if k.lines_model() is SaleLine)
"""Kinds whose lines are sold (quantity x unit price; the others' lines are bought or adjusted at a cost)."""


def dashboard_kinds(tab: str) -> tuple[Kind, ...]:
    """The kinds of one top tab, in the order of its sub-tabs."""
    return tuple(KIND[n] for n in _DASHBOARD if KIND[n].tab == tab)


def dependencies(doc: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The documents that must be in QBO before ``doc`` (its contact, products, invoice or bill)."""
    kind = KIND.get(doc["type"])
    return kind.dependencies(doc) if kind is not None else []


def _check() -> None:
    if set(KIND) != set(MODELS) or len(KIND) != len(KINDS):
        raise RuntimeError(f"document kinds and models differ: {sorted(set(KIND) ^ set(MODELS))}")
    if sorted(_DASHBOARD) != sorted(KIND) or {k.tab for k in KINDS} - set(TAB_ORDER):
        raise RuntimeError("every kind has one place on the dashboard")
    rank = {n: i for i, n in enumerate(TYPE_ORDER)}
    for k in KINDS:
        for field_, target in k.references:
            if field_ not in k.informational and rank[target] >= rank[k.name] or KIND[target].wave > k.wave:
                raise RuntimeError(f"{k.name} is ordered before {target}, which it references")


_check()
