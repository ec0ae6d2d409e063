"""Every document type, with tracked classes and locations and supplier deposits applied to bills, synced
through the strict sandbox (docs/qbo.md#what-the-sandbox-enforces: unknown properties, account types per
field, names, amounts, preferences, classes and locations): QuickBooks answers no fault at all, not one
request or batch item, and every document ends synced (or skipped by a setting), exactly once."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from qbtui.sync import gate_statuses

from .test_chaos import chaos_documents, made_since, makes

N = 400


def with_classes_and_locations(docs: list[dict]) -> list[dict]:
    """Products in the demo company's two classes (the class comes from the product's category); every
    document that carries a location in one of its two locations."""
    classes, locations = ("Retail", "Wholesale"), ("Main Warehouse", "Downtown Store")
    out = []
    for i, doc in enumerate(docs):
        doc = dict(doc)
        if doc["type"] == "product":
            doc["category"] = classes[i % 2]
        elif doc["type"] in ("sale_invoice", "purchase_order", "supplier_invoice", "adjustment"):
            doc["location"] = locations[i % 2]
        out.append(doc)
    return out


def test_every_kind_with_classes_locations_and_applied_deposits_meets_no_fault(make_profile):
    profile = make_profile()
    for key, value in (("export_quotes", "true"), ("export_purchase_orders", "true"),
                       ("class_source", "category"), ("location_source", "location")):
        assert profile.q("settings", "set", key, value).exit_code == 0
    docs = with_classes_and_locations(chaos_documents(N))
    assert len(Counter(d["type"] for d in docs)) == 16
    assert sum(1 for d in docs if d["type"] == "supplier_deposit" and d.get("supplier_invoice")) >= 2
    profile.import_docs(docs)
    before = {entity: set(objects) for entity, objects in profile.company.objects.items()}
    requests = profile.log_requests()

    code, out = profile.sync_json()

    faulted = [(r.method, r.path, r.status, r.answer[:300]) for r in requests.requests if r.faulted]
    assert not faulted, faulted[:5]
    assert code == 0, [d for d in out["documents"] if d["status"] not in ("synced", "skipped")][:5]
    assert made_since(profile, before) == Counter(key for d in docs for key in makes(d))
    with profile.cache() as cache:
        skipped = {key for key, (status, _) in gate_statuses(cache).items() if status == "skipped"}
        statuses = Counter("skipped" if (d["type"], d["ref"]) in skipped else cache.status_of(d["type"], d["ref"])
                           for d in docs)
    assert set(statuses) <= {"synced", "skipped"}, statuses
    # the classes and locations reached QBO: on the invoices' lines (the demo firm tracks classes per line)
    invoices = [o for o in profile.live("Invoice") if o["Id"] not in before["Invoice"]]
    assert {line["SalesItemLineDetail"].get("ClassRef", {}).get("name") for o in invoices for line in o["Line"]
            if "SalesItemLineDetail" in line} == {"Retail", "Wholesale"}
    assert {o.get("DepartmentRef", {}).get("name") for o in invoices} == {"Main Warehouse", "Downtown Store"}
    # each bill a deposit was applied to is open for no more than its total less the deposit and payments
    bills = {o["DocNumber"]: o for o in profile.live("Bill")}
    for d in docs:
        if d["type"] == "supplier_deposit" and d.get("supplier_invoice"):
            bill_doc = next(b for b in docs if b["ref"] == d["supplier_invoice"])
            bill = bills[bill_doc["supplier_invoice_number"]]
            paid = sum((Decimal(p["amount"]) for p in docs
                        if p["type"] == "supplier_payment" and p["supplier_invoice"] == bill_doc["ref"]), Decimal(0))
            assert Decimal(str(bill["Balance"])) == Decimal(str(bill["TotalAmt"])) - Decimal(d["amount"]) - paid
