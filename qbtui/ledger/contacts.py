"""Customers and suppliers -> QBO Customer / Vendor; products -> QBO Item."""

from __future__ import annotations

from typing import Any

from qbtui.ledger.common import Doc, put
from qbtui.ledger.context import Ledger
from qbtui.ledger.money import dec
from qbtui.ledger.payload import Payload


def _address(addr: Doc | None) -> dict[str, Any] | None:
    if not addr:
        return None
    out: dict[str, Any] = {}
    for src, dst in (("line1", "Line1"), ("line2", "Line2"), ("city", "City"),
                     ("region", "CountrySubDivisionCode"), ("postal_code", "PostalCode"), ("country", "Country")):
        put(out, dst, addr.get(src))
    return out or None


def _contact(doc: Doc, ledger: Ledger, address_key: str, terms_key: str) -> dict[str, Any]:
    body: dict[str, Any] = {"DisplayName": doc["name"]}
    put(body, "CompanyName", doc.get("company"))
    if doc.get("email"):
        body["PrimaryEmailAddr"] = {"Address": doc["email"]}
    if doc.get("phone"):
        body["PrimaryPhone"] = {"FreeFormNumber": doc["phone"]}
    put(body, "BillAddr", _address(doc.get(address_key)))
    if doc.get("terms"):
        body[terms_key] = ledger.resolver.term(doc["terms"])
    if doc.get("currency"):
        body["CurrencyRef"] = {"value": doc["currency"]}
    if doc.get("active") is False:
        body["Active"] = False
    return body


def build_customer(doc: Doc, ledger: Ledger) -> list[Payload]:
    return [Payload("Customer", "create", _contact(doc, ledger, "billing_address", "SalesTermRef"))]


def build_supplier(doc: Doc, ledger: Ledger) -> list[Payload]:
    return [Payload("Vendor", "create", _contact(doc, ledger, "address", "TermRef"))]


def build_product(doc: Doc, ledger: Ledger) -> list[Payload]:
    """stock -> NonInventory with expense = inventory asset (bills debit the asset; QBO never
    tracks quantity); non_stock -> NonInventory expensed to COGS; service -> Service."""
    kind = doc.get("kind", "stock")
    acct = ledger.resolver.account
    body: dict[str, Any] = {"Name": doc["name"], "Sku": doc["ref"],
                            "Type": "Service" if kind == "service" else "NonInventory"}
    put(body, "Description", doc.get("description"))
    if doc.get("sale_price") is not None:
        body["UnitPrice"] = dec(doc["sale_price"])
    if doc.get("purchase_cost") is not None:
        body["PurchaseCost"] = dec(doc["purchase_cost"])
    body["IncomeAccountRef"] = acct("sales_income")
    if kind == "stock":
        body["ExpenseAccountRef"] = acct("inventory_asset")
    elif kind == "non_stock" or doc.get("purchase_cost") is not None:
        body["ExpenseAccountRef"] = acct("cogs")
    if doc.get("active") is False:
        body["Active"] = False
    return [Payload("Item", "create", body)]
