"""Preflight, opening balances, stock on hand and the opening inventory journal without the UI."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from qbtui.cache import Cache
from qbtui.documents import MODELS
from qbtui.ledger.roles import auto_map
from qbtui.settings import Settings
from qbtui.sync.connection import open_client
from qbtui.sync.opening import (
    BATCH_SERIAL_WARNING,
    OpeningError,
    import_opening_balances,
    import_stock_on_hand,
    opening_inventory_preview,
    post_opening_inventory,
)
from qbtui.sync.plan import plan
from qbtui.sync.preflight import apply_fix, preflight, preflight_cache
from qbtui.sync.pull import pull_reference
from tests.support.profiles import connect, in_process, seed_profile

PREFS = {"CurrencyPrefs": {"HomeCurrency": {"value": "USD"}}, "ProductAndServicesPrefs": {"QuantityOnHand": False},
         "AccountingInfoPrefs": {"BookCloseDate": "2026-09-30"}}


def test_preflight_finds_every_product_problem():
    long = "Glazed serving platter " + "x" * 90
    docs = [{"type": "product", "ref": "A", "name": "Mugs: blue"}, {"type": "product", "ref": "B", "name": "Bowl \\ big"},
            {"type": "product", "ref": "C", "name": long + " one"}, {"type": "product", "ref": "D", "name": long + " two"},
            {"type": "product", "ref": "E", "name": "Teapot", "quantity_on_hand": "-3"}]
    ref = {"preferences": PREFS, "items": [], "customers": [], "vendors": []}
    checks = {c.code: c for c in preflight(docs, ref, Settings.from_stored({"filter_start_date": "2026-10-02"}),
                                           backup_confirmed=True)}
    assert {c for c, k in checks.items() if not k.ok} == {"product_name_chars", "product_name_collisions",
                                                          "negative_quantities"}
    assert checks["product_name_chars"].details == ("A: Mugs: blue", "B: Bowl \\ big")
    assert checks["product_name_collisions"].details == ("C, D",)
    assert checks["negative_quantities"].details == ("E: -3",)
    assert all(c.fix is None for c in checks.values())


def test_preflight_before_any_pull_says_so():
    checks = {c.code: c for c in preflight([], {}, Settings())}
    assert not checks["currency"].ok and "not loaded yet" in checks["currency"].explanation


def test_book_close_without_filter_start_date():
    checks = {c.code: c for c in preflight([], {"preferences": PREFS}, Settings())}
    assert not checks["book_close"].ok and "6210" in checks["book_close"].explanation


@pytest.fixture
async def connected(tmp_path):
    """A profile (demo data set) connected to the sandbox's demo company, reference data pulled."""
    async def make(company: str = "unprepared", filter_start: str = "2026-10-01"):
        transport = in_process(company=company)
        profile = seed_profile(tmp_path / company, filter_start=filter_start)
        cache = Cache.open(profile, writer=True, command="test")
        await connect(cache, profile, transport)
        client = await open_client(cache, profile, transport=transport)
        await pull_reference(cache, client)
        cache.set_setting("mapping", auto_map(cache.reference("accounts")))
        return cache, client, transport, profile
    opened = []

    async def tracked(*a, **kw):
        got = await make(*a, **kw)
        opened.append(got)
        return got
    yield tracked
    for cache, client, _, _ in opened:
        await client.aclose()
        cache.close()


async def test_fixes_turn_tracking_off_and_deactivate_matching_items(connected):
    cache, client, transport, _ = await connected()
    await apply_fix("inventory_tracking", client, cache)
    assert (await client.preferences())["ProductAndServicesPrefs"]["QuantityOnHand"] is False
    message = await apply_fix("inventory_items", client, cache)
    assert "credited the inventory asset" in message
    mug = [i for i in await client.query_all("Item", "Active IN (true, false)") if i.get("Sku") == "MUG-01"]
    assert [i["Active"] for i in mug] == [False]
    problems = {c.code for c in preflight_cache(cache) if not c.ok}
    assert problems == {"currency", "book_close", "contact_kinds", "backup"}
    with pytest.raises(ValueError, match="no fix"):
        await apply_fix("currency", client, cache)


async def test_opening_balances_once_and_payments_apply_to_them(connected):
    cache, client, transport, _ = await connected()
    result = await import_opening_balances(cache, client, effective=date(2026, 11, 27))
    assert result.invoices == ["1002"]  # 1001 is fully paid: not taken
    assert result.bills == ["BILL-CS-881"]
    inv = cache.get("sale_invoice", "1002")["data"]
    # QBO's own date (an opening balance, not activity of the integration day)
    assert inv["invoice_date"] == "2026-09-20" and inv["extra"]["qbo_balance"] == "45"
    assert cache.status_of("sale_invoice", "1002") == "synced"
    assert cache.status_of("supplier_invoice", "BILL-CS-881") == "synced"
    assert cache.link("sale_invoice", "1002")["qbo"][0]["entity"] == "Invoice"
    for d in (cache.get("sale_invoice", "1002")["data"], cache.get("supplier_invoice", "BILL-CS-881")["data"]):
        MODELS[d["type"]].model_validate(d)  # valid documents of the import format
    with pytest.raises(OpeningError, match="only once"):
        await import_opening_balances(cache, client)
    # a payment recorded later on the inventory side applies to the QBO invoice
    cache.upsert_documents([{"type": "sale_payment", "ref": "PAY-OB-1", "invoice": "1002", "date": "2026-11-28",
                             "amount": "20.00"}])
    cache.set_setting("base_currency", "CAD")
    cache.set_setting("filter_start_date", "2026-11-01")
    prefs = cache.reference("preferences")
    prefs["ProductAndServicesPrefs"]["QuantityOnHand"] = False  # as after the preflight fix
    cache.put_reference("preferences", prefs)
    doc = next(p for p in plan(cache, refs={"PAY-OB-1"}) if p.ref == "PAY-OB-1")
    qbo_id = cache.link("sale_invoice", "1002")["qbo"][0]["id"]
    assert doc.status == "ready", [r.to_json() for r in doc.reasons]
    assert doc.payloads[0].body["Line"][0]["LinkedTxn"][0]["TxnId"] == qbo_id
    assert transport.writes == []


async def test_stock_on_hand(connected):
    cache, client, transport, profile = await connected()
    result = await import_stock_on_hand(cache, client, location="Main warehouse", path=profile / "soh.json")
    assert result.warning == BATCH_SERIAL_WARNING
    data = json.loads((profile / "soh.json").read_text())["documents"]
    assert [d["ref"] for d in data] == ["MUG-01"]
    assert data[0]["quantity_on_hand"] == "24" and data[0]["location"] == "Main warehouse"
    for d in data:
        MODELS["product"].model_validate(d)
    items = [i for i in await client.query_all("Item", "Active IN (true, false)") if i.get("Sku") == "MUG-01"]
    old = next(i for i in items if not i["Active"])
    new = next(i for i in items if i["Active"])
    assert old["Type"] == "Inventory" and new["Type"] == "NonInventory"
    mapping = cache.get_setting("mapping")
    assert new["ExpenseAccountRef"]["value"] == mapping["inventory_asset"]
    assert new["Name"] == cache.get("product", "MUG-01")["data"]["name"]
    assert cache.link("product", "MUG-01")["qbo"][0]["id"] == new["Id"]
    again = await import_stock_on_hand(cache, client, location="Main warehouse", path=profile / "soh2.json")
    assert again.products == [] and again.recreated == []


async def test_opening_inventory_journal_posts_once(connected):
    cache, client, transport, _ = await connected(company="demo", filter_start="2026-11-01")
    cache.upsert_documents([{"type": "product", "ref": "MUG-01", "name": "Stoneware mug", "quantity_on_hand": "10",
                             "average_cost": "4.10"}])
    preview = opening_inventory_preview(cache, qbo_balance=Decimal("0"))
    assert preview.day == "2026-10-31" and preview.valuation == Decimal("41.00")
    info = await post_opening_inventory(cache, client, qbo_balance=Decimal("0"))
    je = await client.read("JournalEntry", info["id"])
    assert je["TxnDate"] == "2026-10-31" and je["DocNumber"] == "OPENING-INV"
    lines = {(l["JournalEntryLineDetail"]["PostingType"], l["JournalEntryLineDetail"]["AccountRef"]["value"]): l["Amount"]
             for l in je["Line"]}
    mapping = cache.get_setting("mapping")
    assert lines == {("Debit", mapping["inventory_asset"]): 41.0, ("Credit", mapping["opening_balance_equity"]): 41.0}
    with pytest.raises(OpeningError, match="already posted"):
        await post_opening_inventory(cache, client)
    assert cache.runs()[0]["created"][0]["entity"] == "JournalEntry"
