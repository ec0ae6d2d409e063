"""Bounds and hostile text against the sandbox: a document whose line amount QBO cannot hold is blocked and every
later sync still runs; quantities and prices reach QBO with their exact digits; hostile references are
never written raw to a terminal or a pipe."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.support.documents import invoice, line, small_set


def mugs(ref: str, qty: str, price: str) -> dict:
    """An invoice of ``qty`` mugs at ``price`` (no unit cost)."""
    return invoice(ref, lines=[line(quantity=qty, unit_price=price, unit_cost=None)])


def test_an_amount_too_large_blocks_its_document_and_never_stops_a_sync(profile):
    profile.import_docs(small_set(1) + [mugs("SO-HUGE", "999999999999", "999999999999")])
    code, report = profile.sync_json()
    assert code == 1
    by_ref = {d["ref"]: d for d in report["documents"]}
    assert by_ref["SO-HUGE"]["status"] == "blocked"
    assert by_ref["SO-HUGE"]["error"]["code"] == "amount.out_of_range"
    assert by_ref["SO-1001"]["status"] == "synced"
    errors = profile.q.json("errors")["errors"]
    assert [e["code"] for e in errors if e["ref"] == "SO-HUGE"] == ["amount.out_of_range"]
    profile.import_docs([mugs("SO-LATER", "2", "3.50")], name="later.json")
    code, report = profile.sync_json()  # the next sync runs, and sends what it can
    assert [(d["ref"], d["status"]) for d in report["documents"] if d["ref"] == "SO-LATER"] == [("SO-LATER", "synced")]
    assert not any(o.get("DocNumber") == "SO-HUGE" for o in profile.live("Invoice"))


def test_quantities_and_prices_reach_qbo_with_their_exact_digits(profile):
    qty, price = "9876543210.123456", "0.987654"  # 16 and 6 significant digits; a float keeps 15-17
    profile.import_docs(small_set(0) + [mugs("SO-EXACT", qty, price)])
    dry = json.loads(profile.q("sync", "--dry-run", "--json").stdout)
    line = next(d for d in dry["documents"] if d["ref"] == "SO-EXACT")["payloads"][0]["body"]["Line"][0]
    assert Decimal(str(line["SalesItemLineDetail"]["Qty"])) == Decimal(qty)  # shown without losing a digit
    code, report = profile.sync_json()
    assert code == 0, report
    sent = next(o for o in profile.live("Invoice") if o.get("DocNumber") == "SO-EXACT")
    detail = sent["Line"][0]["SalesItemLineDetail"]
    assert Decimal(str(detail["Qty"])) == Decimal(qty)
    assert Decimal(str(detail["UnitPrice"])) == Decimal(price)
    assert Decimal(str(sent["Line"][0]["Amount"])) == (Decimal(qty) * Decimal(price)).quantize(Decimal("0.01"))


def test_hostile_references_are_blocked_and_never_printed_raw(profile):
    docs = small_set(0) + [
        {"type": "customer", "ref": "C-\x1b[2J", "name": "Clear screen"},
        {"type": "customer", "ref": "C-OSC", "name": "Clip\x1b]52;c;aGVsbG8=\x07board"},
        {"type": "customer", "ref": "C-BIDI", "name": "abc\u202edef"},
        mugs("SO-\x9b31m", "1", "2.00"),
    ]
    profile.import_docs(docs)
    code, report = profile.sync_json()
    blocked = {d["ref"]: d["error"]["code"] for d in report["documents"] if d["status"] == "blocked"}
    assert blocked == {"C-\x1b[2J": "text.control_character", "C-OSC": "text.control_character",
                       "C-BIDI": "text.control_character", "SO-\x9b31m": "text.control_character"}
    assert {o["DisplayName"] for o in profile.live("Customer")} >= {"Harbour Cafe", "Lakeside Deli"}
    assert not any("\x1b" in o["DisplayName"] or "\u202e" in o["DisplayName"] for o in profile.live("Customer"))
    errors = profile.q("errors")
    assert "U+202E RIGHT-TO-LEFT OVERRIDE at position 4" in errors.stdout
    for out in (errors.stdout, profile.q("sync", "--dry-run").output, profile.q("status").output,
                profile.q("sync", "--yes").output):
        assert not any(c in out for c in "\x1b\x07\x9b\u202e"), ascii(out)
