"""`qbtui preflight [--json]` (the wizard's preflight on the command line), the first sync it can refuse, and the
book close date that the preflight, the date gate and the opening inventory journal agree on."""

from __future__ import annotations

import json

import pytest

from qbtui.ledger.context import Prefs
from qbtui.ledger.gates import GateContext, check as gate_check
from qbtui.qbo import QBOFault
from qbtui.settings import Settings
from qbtui.sync.opening import OpeningError, opening_inventory_preview
from qbtui.sync.preflight import BLOCKS_SYNC, preflight
from tests.support.documents import customer, invoice, product

DOCS = [customer(), product(), invoice("SO-1", invoice_date="2026-11-02")]
PREFS = {"CurrencyPrefs": {"HomeCurrency": {"value": "USD"}}, "ProductAndServicesPrefs": {"QuantityOnHand": False},
         "AccountingInfoPrefs": {"BookCloseDate": "2026-09-30"}}


def preflight_json(profile) -> tuple[int, dict]:
    result = profile.q("preflight", "--json")
    return result.exit_code, json.loads(result.stdout)


def set_prefs(profile, **changes) -> None:
    """QBO's preferences changed in QBO, then pulled."""
    prefs = profile.company.preferences
    for section, values in changes.items():
        prefs[section].update(values)
    assert profile.q("pull").exit_code == 0


def test_preflight_json_shape_and_exit_0_when_nothing_blocks(make_profile):
    profile = make_profile(DOCS)
    code, data = preflight_json(profile)
    assert code == 0
    assert [c["code"] for c in data["checks"]][:3] == ["currency", "inventory_tracking", "book_close"]
    for check in data["checks"]:
        assert set(check) == {"code", "ok", "message", "hint", "blocks_sync"}
        assert isinstance(check["ok"], bool) and isinstance(check["blocks_sync"], bool) and check["message"]
    assert not any(c["blocks_sync"] for c in data["checks"])
    backup = next(c for c in data["checks"] if c["code"] == "backup")
    assert backup["ok"] is False and backup["blocks_sync"] is False  # information only
    text = profile.q("preflight")
    assert text.exit_code == 0 and "currency" in text.output


@pytest.mark.parametrize(("change", "code"), [
    ({"ProductAndServicesPrefs": {"QuantityOnHand": True}}, "inventory_tracking"),
    ({"CurrencyPrefs": {"HomeCurrency": {"value": "CAD"}}}, "currency"),
    ({"AccountingInfoPrefs": {"BookCloseDate": "2026-11-15"}}, "book_close"),
])
def test_what_blocks_a_first_sync_exits_1_and_sync_exits_2_sending_nothing(make_profile, change, code):
    profile = make_profile(DOCS)
    assert profile.q("settings", "set", "filter_start_date", "2026-11-01").exit_code == 0
    set_prefs(profile, **change)
    exit_code, data = preflight_json(profile)
    assert exit_code == 1
    blocking = [c for c in data["checks"] if c["blocks_sync"]]
    assert [c["code"] for c in blocking] == [code] and not blocking[0]["ok"]
    invoices = len(profile.live("Invoice"))
    result = profile.q("sync", "--yes", "--json")
    assert result.exit_code == 2, result.output
    error = json.loads(result.stdout)["error"]
    assert error["code"] == f"preflight.{code}" and error["message"] == f"nothing was sent: {blocking[0]['message']}"
    assert len(profile.live("Invoice")) == invoices  # and no run but the pulls (every pull is in the run log)
    assert [r for r in profile.q.json("runs")["runs"] if r["kind"] != "pull"] == []


def test_only_the_first_sync_is_refused_later_the_gates_block_each_document(make_profile):
    profile = make_profile(DOCS)
    code, _ = profile.sync_json()
    assert code == 0
    set_prefs(profile, ProductAndServicesPrefs={"QuantityOnHand": True})
    profile.import_docs([invoice("SO-2", invoice_date="2026-11-03")])
    code, report = profile.sync_json()
    assert code == 1
    assert report["documents"][0]["error"]["code"] == "company.inventory_tracking_on"


def test_inventory_items_and_item_conflicts_are_information(make_profile):
    profile = make_profile([customer(), product(), product("PLT-02", "Dinner plate")], company="inventory")
    code, data = preflight_json(profile)
    assert code == 0
    checks = {c["code"]: c for c in data["checks"]}
    assert not checks["inventory_items"]["ok"] and not checks["inventory_items"]["blocks_sync"]
    conflicts = checks["item_conflicts"]
    assert not conflicts["ok"] and not conflicts["blocks_sync"]
    assert "MUG-01" in conflicts["message"] and "PLT-02" in conflicts["message"]
    assert "qbtui products replace" in conflicts["hint"]
    assert BLOCKS_SYNC == {"currency", "inventory_tracking", "book_close"}


# --- the book close date ------------------------------------------------------------------------------------------

def test_the_sandbox_refuses_a_date_on_and_before_the_close_date_with_6210(make_profile):
    profile = make_profile()
    account = {a["Name"]: a["Id"] for a in profile.live("Account")}

    def journal(day: str):
        async def go(client):
            return await client.create("JournalEntry", {"TxnDate": day, "Line": [
                {"DetailType": "JournalEntryLineDetail", "Amount": 1,
                 "JournalEntryLineDetail": {"PostingType": posting, "AccountRef": {"value": account[name]}}}
                for posting, name in (("Debit", "Checking"), ("Credit", "Opening Balance Equity"))]})
        return go

    for day in ("2026-09-30", "2026-09-01"):  # the demo company's books are closed up to 2026-09-30
        with pytest.raises(QBOFault) as refused:
            profile.qbo(journal(day))
        assert refused.value.code == "6210"
    assert profile.qbo(journal("2026-10-01"))["TxnDate"] == "2026-10-01"


def test_preflight_and_opening_journal_agree_on_the_journal_day():
    """Filter start 2026-10-01 and books closed up to 2026-09-30: transactions can go, but the opening journal is
    dated 2026-09-30, in the closed period. The preflight said it passed, and the journal's post failed with 6210."""
    def book_close(start: str, posted: bool = False):
        checks = preflight([], {"preferences": PREFS}, Settings.from_stored({"filter_start_date": start}),
                           opening_inventory_posted=posted)
        return next(c for c in checks if c.code == "book_close")

    on_the_day = book_close("2026-10-01")
    assert not on_the_day.ok and not on_the_day.blocks_sync and "6210" in on_the_day.explanation
    assert "2026-10-02" in on_the_day.explanation  # the first filter start date that works
    assert book_close("2026-10-01", posted=True).ok  # the journal is in QBO already
    assert book_close("2026-10-02").ok
    assert book_close("2026-09-30").blocks_sync


def test_the_opening_journal_is_refused_before_anything_is_sent(make_profile):
    profile = make_profile([product(quantity_on_hand="10", average_cost="4.10")])
    assert profile.q("settings", "set", "filter_start_date", "2026-10-01").exit_code == 0
    with profile.cache(writer=True) as cache:
        with pytest.raises(OpeningError, match="6210|closed up to 2026-09-30"):
            opening_inventory_preview(cache)
        cache.set_setting("filter_start_date", "2026-10-02")
        assert opening_inventory_preview(cache).day == "2026-10-01"


def test_the_date_gate_blocks_on_and_before_the_close_date_as_qbo_does():
    docs = {("customer", "C-100"): customer(), ("product", "MUG-01"): product()}
    ctx = GateContext.build(docs, Settings(), Prefs.from_qbo(PREFS))

    def codes(day: str) -> set[str]:
        return {r.code for r in gate_check(invoice("SO-1", invoice_date=day), ctx)}

    assert "date.in_closed_period" in codes("2026-09-30") and "date.in_closed_period" in codes("2026-09-29")
    assert "date.in_closed_period" not in codes("2026-10-01")


def test_a_scheduled_first_sync_is_refused_too_and_alerts(make_profile):
    from datetime import datetime, timedelta

    from qbtui.maintenance.alerts import unread

    profile = make_profile(DOCS)
    set_prefs(profile, ProductAndServicesPrefs={"QuantityOnHand": True})
    with profile.cache(writer=True) as cache:
        cache.set_setting("autosync.start", (datetime.now() - timedelta(minutes=5)).isoformat(timespec="minutes"))
        cache.set_setting("autosync.every", "1h")
    result = profile.q("sync", "--scheduled", "--json")
    assert result.exit_code == 2, result.output
    assert "sent nothing" in json.loads(result.stdout)["message"]
    assert not profile.live("Invoice") or all(i.get("DocNumber") != "SO-1" for i in profile.live("Invoice"))
    with profile.cache() as cache:
        assert [r for r in cache.runs() if r["kind"] != "pull"] == []  # no sync run (the pull is in the log)
        assert "inventory quantity" in unread(cache)[0]["message"]
