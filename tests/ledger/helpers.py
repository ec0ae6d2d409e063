"""Builders of test ledgers, and the documents of tests/support/documents.py as the cache stores them (validated by
the real model, dumped as JSON dicts)."""

from __future__ import annotations

from typing import Any

from qbtui.documents import MODELS
from qbtui.ledger import Ledger, LookupResolver, Prefs
from qbtui.ledger.roles import ROLES
from qbtui.settings import Settings
from tests.support import documents

ALL_MAPPED = {r.name: str(100 + i) for i, r in enumerate(ROLES)}


def doc(**fields: Any) -> dict[str, Any]:
    """A document validated by the real model, dumped the way the cache stores it."""
    model = MODELS[fields["type"]].model_validate(fields)
    return model.model_dump(mode="json", exclude_none=True)


CUSTOMER = doc(**documents.customer(terms="Net 30", sales_rep="Ann", attributes={"attr2": "Wholesale"}))
SUPPLIER = doc(**documents.supplier(terms="Net 15"))
MUG = doc(**documents.product(category="Kitchen"))
BOWL = doc(**documents.product("BOWL-02", "Bowl", sale_price="3.333", purchase_cost=None, kind="stock",
                               category="Kitchen"))
BASE_DOCS = [CUSTOMER, SUPPLIER, MUG, BOWL]


def docs_map(*docs: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(d["type"], d["ref"]): d for d in (*BASE_DOCS, *docs)}


def offline(*docs: dict[str, Any], **settings: Any) -> Ledger:
    s = Settings.from_stored({"mapping": ALL_MAPPED, **settings})
    return Ledger.offline(docs_map(*docs), settings=s)


def acct(role: str) -> dict[str, Any]:
    return {"value": None, "name": role}


def who(name: str) -> dict[str, Any]:
    return {"value": None, "name": name}


def connected(*docs: dict[str, Any], prefs: dict[str, Any] | None = None, links: dict | None = None,
              **settings: Any) -> Ledger:
    s = Settings.from_stored({"mapping": ALL_MAPPED, **settings})
    d = docs_map(*docs)
    links = links or {("customer", "C-100"): [("Customer", "58")], ("product", "MUG-01"): [("Item", "7")],
                      ("supplier", "S-1"): [("Vendor", "31")], ("sale_invoice", "SO-1001"): [("Invoice", "130")],
                      ("supplier_invoice", "PI-9"): [("Bill", "140")]}
    names = {k: v["name"] for k, v in d.items() if "name" in v}
    resolver = LookupResolver(
        names=names, connected=True, mapping=s.mapping, link_ids=lambda t, r: links.get((t, r), []),
        accounts=[{"Id": v, "Name": k.replace("_", " ").title()} for k, v in s.mapping.items()],
        terms=[{"Id": "3", "Name": "Net 30"}], tax_codes=[{"Id": "TAX", "Name": "TAX"}],
        classes=[{"Id": "900", "Name": "Kitchen"}], departments=[{"Id": "5", "Name": "Main St"}])
    return Ledger(s, resolver, Prefs.from_qbo(prefs or {"AccountingInfoPrefs": {"ClassTrackingPerTxnLine": True,
                                                                                "TrackDepartments": True},
                                                         "CurrencyPrefs": {"HomeCurrency": {"value": "USD"}}}), d)
