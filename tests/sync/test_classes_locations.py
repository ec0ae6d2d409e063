"""Classes and locations (QBO Class and Department): a name QBO does not have blocks the document before sending;
per-transaction class tracking gets one ClassRef at the top (where the entity has one), per-line tracking a ClassRef
on each line; COGS, stock adjustment and supplier deposit journals carry the class and location of their source
document. The sandbox refuses a ClassRef or DepartmentRef to a class or department it does not have."""

from __future__ import annotations

import pytest

from qbtui.qbo import QBOFault
from tests.support import documents as D


def _set(profile, **settings: str) -> None:
    for key, value in settings.items():
        r = profile.q("settings", "set", key, value)
        assert r.exit_code == 0, r.output


def _by_number(profile, entity: str, number: str) -> dict:
    return next(o for o in profile.live(entity) if o.get("DocNumber") == number)


def _line_classes(obj: dict, detail: str) -> list:
    return [(line.get(detail) or {}).get("ClassRef", {}).get("name") for line in obj["Line"] if detail in line]


CUSTOMER, SUPPLIER = D.customer(), D.supplier()
MUG = D.product(category="Retail")
BOWL = D.product("BOWL-02", "Bowl", category="Wholesale")


def test_a_class_or_location_qbo_does_not_have_blocks_the_document(make_profile):
    profile = make_profile()
    _set(profile, class_source="sales_rep", location_source="location")
    profile.import_docs([CUSTOMER, MUG, D.invoice(ref="SO-OK", location="Main Warehouse", sales_rep="Retail"),
                         D.invoice(ref="SO-BAD", location="Attic", sales_rep="Online")])
    code, out = profile.sync_json()
    assert code == 1
    status = {d["ref"]: d["status"] for d in out["documents"]}
    assert status["SO-OK"] == "synced" and status["SO-BAD"] == "blocked"
    errors = {e["code"]: e for e in profile.q.json("errors")["errors"] if e["ref"] == "SO-BAD"}
    assert set(errors) == {"class.unknown", "location.unknown"}
    assert "'Online'" in errors["class.unknown"]["message"] and "'Attic'" in errors["location.unknown"]["message"]
    assert "Create the location in QuickBooks" in errors["location.unknown"]["hint"]
    assert "qbtui pull" in errors["class.unknown"]["hint"]
    assert errors["location.unknown"]["field"] == "location"
    ok = _by_number(profile, "Invoice", "SO-OK")  # the demo company tracks classes per line
    assert ok["DepartmentRef"]["name"] == "Main Warehouse" and "ClassRef" not in ok
    assert _line_classes(ok, "SalesItemLineDetail") == ["Retail"]


def test_per_transaction_class_tracking_puts_one_class_at_the_top(make_profile):
    profile = make_profile()
    profile.qbo(lambda c: c.update_preferences({"AccountingInfoPrefs": {"ClassTrackingPerTxn": True,
                                                                        "ClassTrackingPerTxnLine": False}}))
    assert profile.q("pull").exit_code == 0
    _set(profile, class_source="category", location_source="location")
    bill = {"type": "supplier_invoice", "ref": "PI-1", "supplier": "S-1", "supplier_invoice_number": "INV-1",
            "invoice_date": "2026-11-03", "location": "Downtown Store",
            "lines": [{"sku": "MUG-01", "quantity": 2, "unit_cost": "4.10"}]}
    mixed = D.invoice(ref="SO-MIX", lines=[D.line(), D.line("BOWL-02", 1, "3.00")])
    profile.import_docs([CUSTOMER, SUPPLIER, MUG, BOWL, D.invoice(ref="SO-1", location="Main Warehouse"), bill, mixed])
    code, out = profile.sync_json()
    status = {d["ref"]: d for d in out["documents"]}
    assert status["SO-1"]["status"] == "synced" and status["PI-1"]["status"] == "synced"
    invoice = _by_number(profile, "Invoice", "SO-1")
    assert invoice["ClassRef"]["name"] == "Retail" and _line_classes(invoice, "SalesItemLineDetail") == [None]
    billed = _by_number(profile, "Bill", "INV-1")  # a Bill has no transaction-level ClassRef: its lines carry it
    assert "ClassRef" not in billed and _line_classes(billed, "ItemBasedExpenseLineDetail") == ["Retail"]
    assert billed["DepartmentRef"]["name"] == "Downtown Store"
    assert status["SO-MIX"]["status"] == "blocked" and status["SO-MIX"]["error"]["code"] == "class.several_per_transaction"


def test_journals_carry_the_class_and_location_of_their_source_document(make_profile):
    profile = make_profile()
    _set(profile, class_source="category", location_source="location")
    bill = {"type": "supplier_invoice", "ref": "PI-2", "supplier": "S-1", "supplier_invoice_number": "INV-2",
            "invoice_date": "2026-11-03", "location": "Main Warehouse",
            "lines": [{"sku": "MUG-01", "quantity": 10, "unit_cost": "4.10"}]}
    deposit = {"type": "supplier_deposit", "ref": "DEP-2", "supplier": "S-1", "date": "2026-11-01", "amount": "10.00",
               "supplier_invoice": "PI-2", "applied_date": "2026-11-04"}
    adjustment = D.adjustment(location="Downtown Store", lines=[
        {"sku": "MUG-01", "quantity_change": 3, "unit_cost": "4.10"},
        {"sku": "BOWL-02", "quantity_change": -1, "unit_cost": "2.00"}])
    mixed = D.invoice(ref="SO-MIX", lines=[D.line(quantity=2), D.line("BOWL-02", 1, "3.00", unit_cost="2.00")])
    profile.import_docs([CUSTOMER, SUPPLIER, MUG, BOWL, D.invoice(location="Downtown Store"), D.cogs(), bill, deposit,
                         adjustment, mixed, D.cogs("SO-MIX", amount="10.20")])
    code, out = profile.sync_json()
    assert code == 0, [d for d in out["documents"] if d["status"] != "synced"]
    cogs = _by_number(profile, "JournalEntry", "COGS-SO-1001")  # its invoice's class (the mug's) and location
    assert cogs["DepartmentRef"]["name"] == "Downtown Store"
    assert _line_classes(cogs, "JournalEntryLineDetail") == ["Retail", "Retail"]
    shared = _by_number(profile, "JournalEntry", "COGS-SO-MIX")  # shared over its invoice's classes by line cost
    assert sorted((line["JournalEntryLineDetail"]["ClassRef"]["name"], line["JournalEntryLineDetail"]["PostingType"],
                   line["Amount"]) for line in shared["Line"]) == [
        ("Retail", "Credit", 8.2), ("Retail", "Debit", 8.2), ("Wholesale", "Credit", 2.0), ("Wholesale", "Debit", 2.0)]
    adj = _by_number(profile, "JournalEntry", "ADJ-2026-11-0001")  # a pair of lines per class of its lines
    assert adj["DepartmentRef"]["name"] == "Downtown Store"
    assert sorted((line["JournalEntryLineDetail"]["ClassRef"]["name"], line["JournalEntryLineDetail"]["PostingType"],
                   line["Amount"]) for line in adj["Line"]) == [
        ("Retail", "Credit", 12.3), ("Retail", "Debit", 12.3), ("Wholesale", "Credit", 2.0), ("Wholesale", "Debit", 2.0)]
    for number in ("DEP-2", "DEP-2-APPLIED"):  # the deposit's journals: the class and location of the bill it pays
        je = _by_number(profile, "JournalEntry", number)
        assert je["DepartmentRef"]["name"] == "Main Warehouse"
        assert _line_classes(je, "JournalEntryLineDetail") == ["Retail", "Retail"]


@pytest.mark.parametrize("field", ["ClassRef", "DepartmentRef"])
def test_sandbox_refuses_a_class_or_location_it_does_not_have(make_profile, field):
    profile = make_profile()
    entity = {"ClassRef": "Class", "DepartmentRef": "Department"}[field]
    customer = profile.live("Customer")[0]["Id"]
    item = next(i["Id"] for i in profile.live("Item") if i.get("Type") == "Service")
    line = {"DetailType": "SalesItemLineDetail", "Amount": 75, "SalesItemLineDetail": {"ItemRef": {"value": item},
                                                                                        "Qty": 1, "UnitPrice": 75}}

    def invoice(ref_id: str) -> dict:
        body = {"CustomerRef": {"value": customer}, "Line": [line], "TxnDate": "2026-11-02"}
        if field == "ClassRef":
            body["Line"] = [{**line, "SalesItemLineDetail": {**line["SalesItemLineDetail"], "ClassRef": {"value": ref_id}}}]
        else:
            body["DepartmentRef"] = {"value": ref_id}
        return body

    with pytest.raises(QBOFault) as missing:
        profile.qbo(lambda c: c.create("Invoice", invoice("99999")))
    assert missing.value.code == "2500"
    existing = profile.live(entity)[0]
    existing["Active"] = False  # made inactive in QBO
    with pytest.raises(QBOFault) as inactive:
        profile.qbo(lambda c: c.create("Invoice", invoice(existing["Id"])))
    assert inactive.value.code == "610"
