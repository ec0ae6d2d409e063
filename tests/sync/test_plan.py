"""Planning over the real cache: sending order, statuses, the dry-run JSON and human forms."""

from __future__ import annotations

import json

import pytest

from qbtui.cache import Cache
from qbtui.sync import dry_run_json, gate_statuses, plan, render_dry_run
from qbtui.sync.plan import TYPE_ORDER
from tests.ledger.helpers import ALL_MAPPED, BOWL, CUSTOMER, MUG, SUPPLIER, doc

LINE = [{"sku": "MUG-01", "quantity": 6, "unit_price": "12.50"}]
DOCS = [
    doc(type="store_credit", ref="SC-1", customer="C-100", date="2026-11-01", event="issued", amount="5"),
    doc(type="cogs", ref="COGS-2", invoice="SO-2", date="2026-11-03", amount="8.20"),
    doc(type="sale_payment", ref="PAY-1", invoice="SO-2", date="2026-11-09", amount="75"),
    doc(type="sale_invoice", ref="SO-2", customer="C-100", invoice_date="2026-11-03", lines=LINE),
    doc(type="sale_invoice", ref="SO-1", customer="C-100", invoice_date="2026-11-03", lines=LINE),
    doc(type="sale_invoice", ref="SO-0", customer="C-100", invoice_date="2026-11-04", lines=LINE),
    doc(type="credit_note", ref="CN-1", customer="C-100", date="2026-11-05", lines=[{"sku": "MUG-01", "quantity": 1, "unit_price": "500"}],
        refunds=[{"ref": "RF-1", "date": "2026-11-06", "amount": "100"}]),
    doc(type="adjustment", ref="ADJ-1", completed_date="2026-11-03", accounting_date="2026-11-03",
        lines=[{"sku": "MUG-01", "quantity_change": 3, "unit_cost": "4.10"}]),
    doc(type="supplier_invoice", ref="PI-1", supplier="S-1", supplier_invoice_number="INV-1", invoice_date="2026-10-25",
        lines=[{"sku": "MUG-01", "quantity": 10, "unit_cost": "4.10"}]),
    BOWL, MUG, SUPPLIER, CUSTOMER,
]


@pytest.fixture
def cache(tmp_path):
    with Cache.open(tmp_path / "p", writer=True) as c:
        c.upsert_documents(DOCS)
        c.set_setting("mapping", ALL_MAPPED)
        yield c


def keys(planned):
    return [(p.type, p.ref) for p in planned]


def test_sending_order_dependencies_first_then_date_then_ref(cache):
    got = keys(plan(cache))
    assert got == [("customer", "C-100"), ("supplier", "S-1"), ("product", "BOWL-02"), ("product", "MUG-01"),
                   ("sale_invoice", "SO-1"), ("sale_invoice", "SO-2"), ("sale_invoice", "SO-0"),
                   ("credit_note", "CN-1"), ("sale_payment", "PAY-1"), ("cogs", "COGS-2"),
                   ("supplier_invoice", "PI-1"), ("adjustment", "ADJ-1"), ("store_credit", "SC-1")]
    ranks = [TYPE_ORDER.index(t) for t, _ in got]
    assert ranks == sorted(ranks)


def test_dry_run_json_shape_offline(cache):
    data = dry_run_json(plan(cache))
    text = json.dumps(data)  # plain JSON: no Decimal left
    assert json.loads(text) == data
    for d in data["documents"]:
        assert set(d) == {"type", "ref", "status", "reasons", "payloads"}
        assert d["status"] == "ready" and d["reasons"] == []
        for p in d["payloads"]:
            assert set(p) == {"entity", "operation", "body"} and p["operation"] == "create"
    cn = next(d for d in data["documents"] if d["ref"] == "CN-1")
    assert [(p["entity"], p["body"]["Line"][0]["Amount"]) for p in cn["payloads"]] == [("CreditMemo", 400), ("RefundReceipt", 100)]
    inv = next(d for d in data["documents"] if d["ref"] == "SO-1")["payloads"][0]["body"]
    assert inv["CustomerRef"] == {"value": None, "name": "Harbour Cafe"}
    assert inv["ARAccountRef"] == {"value": None, "name": "accounts_receivable"}
    cogs = next(d for d in data["documents"] if d["ref"] == "COGS-2")["payloads"][0]["body"]
    assert [l["Amount"] for l in cogs["Line"]] == [8.2, 8.2]


def test_selection_brings_its_pending_dependencies(cache):
    assert keys(plan(cache, refs=["PAY-1"], with_dependencies=True)) == [("customer", "C-100"), ("product", "MUG-01"), ("sale_invoice", "SO-2"),
                                                 ("sale_payment", "PAY-1")]
    assert keys(plan(cache, types=["supplier_invoice"], with_dependencies=True)) == [
        ("supplier", "S-1"), ("product", "MUG-01"), ("supplier_invoice", "PI-1")]


def test_strict_selection_blocks_what_needs_an_unsent_dependency(cache):
    [pi] = plan(cache, types=["supplier_invoice"])
    assert pi.status == "blocked" and {r.code for r in pi.reasons} == {"dependency.not_synced"}
    assert pi.payloads  # previewable: only waiting for its supplier and product
    cache.record_outcomes([{"type": t, "ref": r, "status": "synced", "qbo": [{"entity": e, "id": i}], "synced_rev": 1}
                           for t, r, e, i in (("supplier", "S-1", "Vendor", "31"), ("product", "MUG-01", "Item", "7"))])
    assert [p.status for p in plan(cache, types=["supplier_invoice"])] == ["ready"]
    cache.record_outcomes([{"type": "product", "ref": "MUG-01", "status": "failed", "error": {"code": "6000"}}])
    assert [p.status for p in plan(cache, types=["supplier_invoice"])] == ["ready"]  # failed update: still in QBO
    cache.upsert_documents([MUG | {"name": "Stoneware mug v2"}])  # changed after sync: pending, still in QBO
    assert [p.status for p in plan(cache, types=["supplier_invoice"])] == ["ready"]
    assert keys(plan(cache, types=["supplier_invoice"], with_dependencies=True)) == [("supplier_invoice", "PI-1")]


def test_no_sync_channel_is_skipped_with_its_reason_and_its_payment_too(cache):
    cache.upsert_documents([doc(type="sale_invoice", ref="SO-2", customer="C-100", invoice_date="2026-11-03",
                                channel="shopify", lines=LINE)])
    cache.set_setting("channel.shopify.invoice_sync", "no_sync")
    by = {(p.type, p.ref): p for p in plan(cache)}
    for key in (("sale_invoice", "SO-2"), ("sale_payment", "PAY-1")):
        assert by[key].status == "skipped" and by[key].payloads == []
        assert by[key].reasons[0].code == "channel.no_sync"
    # its COGS (individual by default) is sent although its invoice is not: the journal only names it in a memo
    assert by[("cogs", "COGS-2")].status == "ready" and by[("cogs", "COGS-2")].reasons == []
    assert [p.entity for p in by[("cogs", "COGS-2")].payloads] == ["JournalEntry"]
    statuses = gate_statuses(cache)
    assert statuses[("sale_invoice", "SO-2")][0] == "skipped" and statuses[("sale_invoice", "SO-1")] == ("pending", [])


def test_blocked_documents_carry_reasons_and_no_payloads(cache):
    cache.upsert_documents([
        doc(type="credit_note", ref="CN-1", customer="C-100", date="2026-11-05", lines=[{"sku": "MUG-01", "quantity": 1, "unit_price": "500"}],
            refunds=[{"ref": "RF-1", "date": "2026-11-06", "amount": "600"}]),
        MUG | {"name": "Mug: stoneware"},
    ])
    by = {(p.type, p.ref): p for p in plan(cache)}
    cn = by[("credit_note", "CN-1")]
    assert cn.status == "blocked" and cn.payloads == []
    assert [r.code for r in cn.reasons] == ["credit_note.refund_exceeds_total", "dependency.blocked"]
    assert by[("product", "MUG-01")].reasons[0].code == "product.name_has_colon"
    assert by[("sale_invoice", "SO-1")].reasons[0].code == "dependency.blocked"
    assert "Mug: stoneware" not in json.dumps([d["payloads"] for d in dry_run_json(by.values())["documents"]])
    assert gate_statuses(cache)[("credit_note", "CN-1")][0] == "blocked"


def test_blocked_only_by_mapping_still_shows_payloads_offline(cache):
    cache.set_setting("mapping", {})
    p = plan(cache, refs=["ADJ-1"])[0]
    assert p.status == "blocked" and {r.code for r in p.reasons} == {"mapping.missing_role"}
    assert p.payloads and p.payloads[0].entity == "JournalEntry"


def test_connected_uses_real_ids_and_updates_what_changed_after_sync(cache):
    cache.set_setting("realm_id", "9130")
    cache.put_reference("accounts", [{"Id": v, "Name": k.title()} for k, v in ALL_MAPPED.items()])
    cache.record_outcomes([
        {"type": "customer", "ref": "C-100", "status": "synced", "qbo": [{"entity": "Customer", "id": "58", "sync_token": "0"}], "synced_rev": 1},
        {"type": "product", "ref": "MUG-01", "status": "synced", "qbo": [{"entity": "Item", "id": "7", "sync_token": "2"}], "synced_rev": 1},
        {"type": "sale_invoice", "ref": "SO-2", "status": "synced", "qbo": [{"entity": "Invoice", "id": "130", "sync_token": "0"}], "synced_rev": 1},
    ])
    cache.upsert_documents([MUG | {"sale_price": "13.00"}])  # changed after sync -> pending again
    planned = plan(cache)
    by = {(p.type, p.ref): p for p in planned}
    assert ("customer", "C-100") not in by and ("sale_invoice", "SO-2") not in by
    item = by[("product", "MUG-01")].payloads[0]
    assert item.operation == "update" and item.body["Id"] == "7" and item.body["SyncToken"] == "2" and item.body["sparse"]
    pay = by[("sale_payment", "PAY-1")].payloads[0].to_json()["body"]
    assert pay["CustomerRef"] == {"value": "58", "name": "Harbour Cafe"}
    assert pay["Line"][0]["LinkedTxn"] == [{"TxnId": "130", "TxnType": "Invoice"}]
    assert pay["DepositToAccountRef"] == {"value": ALL_MAPPED["payment_clearing"], "name": "Payment_Clearing"}


def test_voided_after_sync_plans_a_void_or_delete(cache):
    cache.record_outcomes([
        {"type": "sale_invoice", "ref": "SO-1", "status": "synced", "qbo": [{"entity": "Invoice", "id": "131", "sync_token": "1"}], "synced_rev": 1},
        {"type": "adjustment", "ref": "ADJ-1", "status": "synced", "qbo": [{"entity": "JournalEntry", "id": "77", "sync_token": "0"}], "synced_rev": 1},
    ])
    cache.upsert_documents([d | {"voided": True} for d in DOCS if d["ref"] in ("SO-1", "ADJ-1")])
    by = {(p.type, p.ref): p for p in plan(cache)}
    assert [p.to_json() for p in by[("sale_invoice", "SO-1")].payloads] == [
        {"entity": "Invoice", "operation": "void", "body": {"Id": "131", "SyncToken": "1"}}]
    assert by[("adjustment", "ADJ-1")].payloads[0].operation == "delete"


def test_duplicate_doc_numbers_within_a_run_are_blocked(cache):
    cache.upsert_documents([doc(type="supplier_invoice", ref="PI-2", supplier="S-1", supplier_invoice_number="inv-1",
                                invoice_date="2026-10-26", lines=[{"sku": "MUG-01", "quantity": 1, "unit_cost": "1"}])])
    by = {(p.type, p.ref): p for p in plan(cache)}
    assert by[("supplier_invoice", "PI-1")].status == "ready"
    assert by[("supplier_invoice", "PI-2")].reasons[0].code == "reference.duplicate_doc_number"


def test_human_form_shows_journal_lines_and_totals(cache):
    text = render_dry_run(plan(cache))
    assert "cogs COGS-2  [ready]" in text
    assert "Dr  cogs" in text and "Cr  inventory_asset" in text
    assert "totals" in text and "8.20" in text
    assert "Stoneware mug" in text and "75.00" in text
    assert text.rstrip().endswith("13 ready")
    cache.upsert_documents([DOCS[7] | {"accounting_date": None}])
    text = render_dry_run(plan(cache, refs=["ADJ-1"], with_dependencies=True))
    assert "[blocked]" in text and "adjustment.missing_accounting_date" in text and "fix: Set the accounting" in text


def test_plan_changes_nothing(cache, tmp_path):
    before = (cache.settings(), list(cache.documents()), [cache.link(t, r) for t, r in keys(plan(cache))])
    plan(cache)
    assert before == (cache.settings(), list(cache.documents()), [cache.link(t, r) for t, r in keys(plan(cache))])
