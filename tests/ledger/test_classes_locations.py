"""Where the class and location go (docs/domain.md#classes-and-locations), and the gates on names QBO lacks."""

from __future__ import annotations

from qbtui.ledger import GateContext, build, check
from qbtui.ledger.context import Prefs
from tests.ledger.helpers import connected, doc

PER_TXN = {"AccountingInfoPrefs": {"ClassTrackingPerTxn": True, "TrackDepartments": True},
           "CurrencyPrefs": {"HomeCurrency": {"value": "USD"}}}
PER_LINE = {"AccountingInfoPrefs": {"ClassTrackingPerTxnLine": True, "TrackDepartments": True},
            "CurrencyPrefs": {"HomeCurrency": {"value": "USD"}}}
INVOICE = doc(type="sale_invoice", ref="SO-1001", customer="C-100", invoice_date="2026-11-02", location="Main St",
              lines=[{"sku": "MUG-01", "quantity": 2, "unit_price": "12.50", "unit_cost": "4.10"},
                     {"sku": "BOWL-02", "quantity": 1, "unit_price": "3.00", "unit_cost": "1.00"}])
BILL = doc(type="supplier_invoice", ref="PI-9", supplier="S-1", supplier_invoice_number="881",
           invoice_date="2026-11-03", location="Main St", lines=[{"sku": "MUG-01", "quantity": 2, "unit_cost": "4.10"}])
PO = doc(type="purchase_order", ref="PO-1", supplier="S-1", date="2026-11-01",
         lines=[{"sku": "MUG-01", "quantity": 2, "unit_cost": "4.10"}])
KITCHEN = {"value": "900", "name": "Kitchen"}
SETTINGS = {"class_source": "category", "location_source": "location"}


def body(d, ledger, n=0):
    return build(d, ledger)[n].body


def test_per_transaction_tracking_one_class_at_the_top_or_on_the_lines_of_a_bill():
    ledger = connected(INVOICE, BILL, PO, prefs=PER_TXN, **SETTINGS)
    invoice = body(INVOICE, ledger)
    assert invoice["ClassRef"] == KITCHEN and all("ClassRef" not in l["SalesItemLineDetail"] for l in invoice["Line"])
    po = body(PO, ledger)
    assert po["ClassRef"] == KITCHEN and "ClassRef" not in po["Line"][0]["ItemBasedExpenseLineDetail"]
    bill = body(BILL, ledger)  # no ClassRef at the top of a Bill: its lines carry the one class
    assert "ClassRef" not in bill and bill["Line"][0]["ItemBasedExpenseLineDetail"]["ClassRef"] == KITCHEN
    assert bill["DepartmentRef"] == {"value": "5", "name": "Main St"}


def test_per_line_tracking_no_class_at_the_top():
    ledger = connected(INVOICE, prefs=PER_LINE, **SETTINGS)
    invoice = body(INVOICE, ledger)
    assert "ClassRef" not in invoice and invoice["Line"][0]["SalesItemLineDetail"]["ClassRef"] == KITCHEN


def test_no_class_tracking_no_class():
    ledger = connected(INVOICE, prefs={"AccountingInfoPrefs": {}, "CurrencyPrefs": {"HomeCurrency": {"value": "USD"}}},
                       **SETTINGS)
    assert "ClassRef" not in str(build(INVOICE, ledger)[0].body) and "DepartmentRef" not in body(INVOICE, ledger)


def test_journals_carry_their_source_documents_class_and_location():
    cogs = doc(type="cogs", ref="COGS-1", invoice="SO-1001", date="2026-11-02", amount="9.20")
    deposit = doc(type="supplier_deposit", ref="DEP-1", supplier="S-1", date="2026-11-01", amount="5",
                  supplier_invoice="PI-9", applied_date="2026-11-04")
    ledger = connected(INVOICE, BILL, cogs, deposit, prefs=PER_LINE, **SETTINGS)
    je = body(cogs, ledger)
    assert je["DepartmentRef"] == {"value": "5", "name": "Main St"}
    assert [l["JournalEntryLineDetail"].get("ClassRef") for l in je["Line"]] == [KITCHEN] * 2  # its invoice's class
    for part in build(deposit, ledger)[:2]:
        assert part.body["DepartmentRef"]["name"] == "Main St"
        assert [l["JournalEntryLineDetail"]["ClassRef"] for l in part.body["Line"]] == [KITCHEN, KITCHEN]


def test_unknown_class_or_location_blocks_once_the_lists_are_pulled():
    ledger = connected(INVOICE, prefs=PER_LINE, **SETTINGS)
    known = GateContext.build(ledger.docs, ledger.settings, Prefs.from_qbo(PER_LINE),
                              qbo_classes=[{"Id": "900", "Name": "Kitchen"}], qbo_departments=[{"Id": "5", "Name": "Main St"}])
    assert not [r for r in check(INVOICE, known) if r.code.startswith(("class.", "location."))]
    empty = GateContext.build(ledger.docs, ledger.settings, Prefs.from_qbo(PER_LINE), qbo_classes=[],
                              qbo_departments=[{"Id": "5", "Name": "Main St", "Active": False}])
    codes = {r.code: r for r in check(INVOICE, empty)}
    assert {"class.unknown", "location.unknown"} <= set(codes)
    assert "'Kitchen'" in codes["class.unknown"].message and codes["location.unknown"].field == "location"
    not_pulled = GateContext.build(ledger.docs, ledger.settings, Prefs.from_qbo(PER_LINE))
    assert not [r for r in check(INVOICE, not_pulled) if r.code.startswith(("class.", "location."))]
