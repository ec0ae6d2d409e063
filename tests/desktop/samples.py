"""One document of every kind the Desktop translation covers (tests/support/documents.py's defaults around them), and a
ledger as a mapped Desktop profile sees it: accounts by Desktop name, contacts, products and sent documents by the
ListIDs and TxnIDs Desktop gave them (the shape of Desktop's ids: a hex counter, a dash, a timestamp)."""

from __future__ import annotations

from typing import Any

from qbtui.ledger import Ledger, LookupResolver, Prefs
from qbtui.ledger.roles import ROLES
from qbtui.settings import Settings
from tests.ledger.helpers import doc
from tests.support import documents as D

CUSTOMER = doc(**D.customer(terms="Net 30", email="orders@harbour.example", phone="555-0100",
                            billing_address={"line1": "1 Quay St", "city": "Salem", "region": "OR",
                                             "postal_code": "97301"}))
SUPPLIER = doc(**D.supplier(terms="Net 15"))
MUG = doc(**D.product())
SERVICE = doc(**D.product("FIT-01", "Fitting", sale_price="40.00", purchase_cost=None, kind="service"))
PLINES = [{"sku": "MUG-01", "quantity": 100, "unit_cost": "4.10"}]

DOCS: dict[str, dict[str, Any]] = {
    "customer": CUSTOMER,
    "supplier": SUPPLIER,
    "product": MUG,
    "service": SERVICE,
    "quote": doc(type="quote", ref="Q-5", customer="C-100", date="2026-11-01", expiry_date="2026-11-30",
                 lines=[{"sku": "MUG-01", "quantity": 2, "unit_price": "12.50"}]),
    "sale_invoice": doc(**D.invoice()),
    "taxed_invoice": doc(**D.invoice(ref="SO-1002", lines=[
        D.line(tax_code="TAX"), D.line(sku="FIT-01", quantity=1, unit_price="40.00", unit_cost=None, tax_code="NON")])),
    "credit_note": doc(**D.credit_note()),
    "sale_payment": doc(**D.payment()),
    "cogs": doc(**D.cogs()),
    "purchase_order": doc(type="purchase_order", ref="PO-1", supplier="S-1", date="2026-10-20", lines=PLINES),
    "supplier_invoice": doc(type="supplier_invoice", ref="PI-9", supplier="S-1", supplier_invoice_number="INV-7781",
                            invoice_date="2026-10-25", due_date="2026-11-09", lines=PLINES),
    "supplier_credit": doc(type="supplier_credit", ref="VC-1", supplier="S-1", date="2026-10-28",
                           lines=[{"sku": "MUG-01", "quantity": 2, "unit_cost": "4.10"}]),
    "supplier_payment": doc(type="supplier_payment", ref="SP-1", supplier_invoice="PI-9", date="2026-11-09",
                            amount="410"),
    "supplier_deposit": doc(type="supplier_deposit", ref="DEP-1", supplier="S-1", date="2026-11-01", amount="250"),
    "adjustment": doc(**D.adjustment()),
    "gift_voucher": doc(type="gift_voucher", ref="GV-2", date="2026-11-02", event="redeemed", amount="20",
                        customer="C-100"),
    "store_credit": doc(type="store_credit", ref="SC-1", customer="C-100", date="2026-11-01", event="issued",
                        amount="15.50"),
}

#: Desktop accounts per role (ListID, FullName), as `qbtui map` would have chosen them from a pulled account list
ACCOUNTS = {r.name: (f"{0x80000010 + i:X}-1764547200", r.name.replace("_", " ").title()) for i, r in enumerate(ROLES)}

LINKS: dict[tuple[str, str], list[tuple[str, str]]] = {
    ("customer", "C-100"): [("Customer", "80000001-1764547200")],
    ("supplier", "S-1"): [("Vendor", "80000002-1764547200")],
    ("product", "MUG-01"): [("Item", "80000003-1764547200")],
    ("product", "FIT-01"): [("Item", "80000004-1764547200")],
    ("sale_invoice", "SO-1001"): [("Invoice", "1A2-1764633600")],
    ("supplier_invoice", "PI-9"): [("Bill", "1B3-1764633600")],
}


def ledger(*, links: dict[tuple[str, str], list[tuple[str, str]]] | None = None) -> Ledger:
    """A mapped Desktop profile's ledger: every role mapped (accounts named by their Desktop FullName), the
    documents above, and ``links`` (default :data:`LINKS`) as the ids Desktop gave the documents sent before."""
    settings = Settings.from_stored({"mapping": {role: list_id for role, (list_id, _) in ACCOUNTS.items()}})
    docs = {(d["type"], d["ref"]): d for d in DOCS.values()}
    names = {k: str(v["name"]) for k, v in docs.items() if "name" in v}
    table = LINKS if links is None else links
    resolver = LookupResolver(
        names=names, connected=True, mapping=settings.mapping, link_ids=lambda t, r: table.get((t, r), []),
        accounts=[{"Id": list_id, "Name": name} for list_id, name in ACCOUNTS.values()],
        terms=[{"Id": "T30", "Name": "Net 30"}, {"Id": "T15", "Name": "Net 15"}])
    return Ledger(settings, resolver, Prefs(), docs)
