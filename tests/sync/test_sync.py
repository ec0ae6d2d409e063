"""The sync engine and its CLI over loopback against the sandbox: exactly once, JSON shapes, links,
updates in place, voids, undo, reconnect, read-only mode, and no secret anywhere in the output."""

from __future__ import annotations

import json
import logging

import pytest

from qbtui.sync.engine import SyncEngine, WritesRefused
from tests.support import documents
from tests.support.documents import small_set
from tests.support.profiles import SECRET

RUN_KEYS = {"id", "kind", "started", "ended", "counts", "created"}
DOC_KEYS = {"type", "ref", "status", "qbo_ids", "error"}


def test_end_to_end_json_shapes_and_qbo_side(profile):
    with profile.cache() as cache:
        assert cache.get_setting("integration_mode") == "both_ways"  # connect --mode defaults to both_ways
    # a vendor made in QBO after the last pull: the gates cannot know its name, QBO answers 6240
    profile.company.create("Vendor", {"DisplayName": "Late Vendor"})
    profile.import_docs(small_set(3) + [
        documents.customer("C-VEND", "Late Vendor"),
        documents.invoice("SO-OLD", invoice_date="2026-09-01",  # closed period
                          lines=[documents.line(quantity=1, unit_cost=None)]),
    ])
    code, out = profile.sync_json()
    assert code == 1
    assert set(out) == {"run", "documents"}
    assert RUN_KEYS <= set(out["run"]) and out["run"]["kind"] == "sync" and out["run"]["ended"]
    for doc in out["documents"]:
        assert DOC_KEYS <= set(doc)
    by_ref = {d["ref"]: d for d in out["documents"]}
    assert by_ref["SO-1001"]["status"] == "synced" and len(by_ref["SO-1001"]["qbo_ids"]) == 1
    assert by_ref["C-VEND"]["status"] == "failed" and by_ref["C-VEND"]["error"]["code"] == "6240"
    assert by_ref["SO-OLD"]["status"] == "blocked"
    assert {c["type"] for c in out["run"]["created"]} >= {"customer", "product", "sale_invoice", "cogs"}
    for c in out["run"]["created"]:
        assert set(c) == {"type", "ref", "entity", "id"}
    # the QBO side, by query
    assert profile.count("Invoice", "DocNumber")["SO-1001"] == 1
    assert profile.count("JournalEntry", "DocNumber")["COGS-SO-1001"] == 1
    assert profile.count("Customer", "DisplayName")["Harbour Cafe"] == 1
    invoice = profile.company.get("Invoice", by_ref["SO-1001"]["qbo_ids"][0])
    assert invoice["DocNumber"] == "SO-1001" and float(invoice["TotalAmt"]) == 25.0

    runs = profile.q.json("runs")
    assert set(runs) == {"runs"} and runs["runs"][0]["id"] == out["run"]["id"]
    assert RUN_KEYS <= set(runs["runs"][0])
    errors = profile.q.json("errors")
    rows = {(e["ref"], e["status"]): e for e in errors["errors"]}
    for e in errors["errors"]:
        assert set(e) == {"type", "ref", "status", "code", "message", "hint", "field", "family", "detail", "intuit_tid",
                          "holder"}
    assert rows[("C-VEND", "failed")]["code"] == "6240" and rows[("C-VEND", "failed")]["hint"]
    assert rows[("C-VEND", "failed")]["family"] == "names"  # QBO's 6240: a name to change
    assert ("SO-OLD", "blocked") in rows

    # a second sync sends nothing again
    code, again = profile.sync_json()
    assert not any(d["status"] == "synced" for d in again["documents"])
    assert profile.count("Invoice", "DocNumber")["SO-1001"] == 1


def test_link_before_create(profile):
    profile.import_docs([{"type": "customer", "ref": "C-BB", "name": "Bluebell Bakery"},  # in the demo company
                         {"type": "customer", "ref": "C-KC", "name": "kestrel & co"}])  # differently cased
    before = profile.count("Customer", "DisplayName")
    code, out = profile.sync_json()
    assert code == 0, out
    assert profile.count("Customer", "DisplayName") == before
    assert not out["run"]["created"]
    assert all(d["status"] == "synced" for d in out["documents"])


def test_lost_answers_are_looked_up_never_duplicated(profile):
    profile.import_docs(small_set(40))
    profile.faults("drop_after_commit=0.5", seed=3)
    for _ in range(10):
        code, out = profile.sync_json()
        if code == 0:
            break
    assert code == 0
    counts = profile.count("Invoice", "DocNumber")
    assert all(counts[f"SO-{1001 + i}"] == 1 for i in range(40))
    journals = profile.count("JournalEntry", "DocNumber")
    assert all(journals[f"COGS-SO-{1001 + i}"] == 1 for i in range(40))
    assert profile.sandbox.faults.counts["drop_after_commit"] > 0


def test_duplicate_answer_after_a_lost_create_links(profile):
    """A create that went through unanswered, then (lookup missed, or another run) sent again: 6140 -> linked."""
    profile.import_docs(small_set(1))
    code, out = profile.sync_json()
    assert code == 0
    ids = {d["ref"]: d["qbo_ids"] for d in out["documents"]}
    # forget the links, as if the answers had been lost and never recorded
    with profile.cache(writer=True) as cache:
        cache.record_outcomes([{"type": "sale_invoice", "ref": "SO-1001", "status": "failed", "qbo": [],
                                "error": {"code": "x", "message": "x"}}])
    code, out = profile.sync_json()
    assert code == 0, out
    doc = next(d for d in out["documents"] if d["ref"] == "SO-1001")
    assert doc["status"] == "synced" and doc["qbo_ids"] == ids["SO-1001"]
    assert profile.count("Invoice", "DocNumber")["SO-1001"] == 1


def test_changed_reimport_updates_in_place_and_voided_reimport_voids(profile):
    docs = small_set(2)
    profile.import_docs(docs)
    code, out = profile.sync_json()
    assert code == 0
    inv_id = next(d for d in out["documents"] if d["ref"] == "SO-1001")["qbo_ids"][0]
    token0 = profile.company.get("Invoice", inv_id)["SyncToken"]
    changed = [dict(d) for d in docs if d["ref"] in ("SO-1001", "SO-1002")]
    changed[0]["lines"] = [{"sku": "MUG-01", "quantity": 5, "unit_price": "12.50", "unit_cost": "4.10"}]
    changed[1]["voided"] = True
    profile.import_docs(changed, "changed.json")
    code, out = profile.sync_json()
    assert code == 0, out
    by_ref = {d["ref"]: d for d in out["documents"]}
    assert by_ref["SO-1001"]["status"] == "synced" and by_ref["SO-1001"]["qbo_ids"] == [inv_id]
    assert by_ref["SO-1002"]["status"] == "voided"
    inv = profile.company.get("Invoice", inv_id)
    assert int(inv["SyncToken"]) > int(token0) and float(inv["TotalAmt"]) == 62.5
    assert profile.count("Invoice", "DocNumber")["SO-1001"] == 1
    voided = profile.company.get("Invoice", profile_link_id(profile, "SO-1002"))
    assert float(voided["TotalAmt"]) == 0 and "Voided" in voided.get("PrivateNote", "")
    # both are in the run log
    run = profile.q.json("runs")["runs"][0]
    assert run["counts"].get("synced", 0) >= 1 and run["counts"].get("voided", 0) >= 1
    changed_log = {(c["ref"], c["operation"]) for c in run["changed"]}
    assert ("SO-1001", "update") in changed_log and ("SO-1002", "void") in changed_log
    with profile.cache() as cache:
        assert cache.link("sale_invoice", "SO-1001")["run"] == run["id"]
        assert cache.link("sale_invoice", "SO-1002")["run"] == run["id"]
        assert cache.status_of("sale_invoice", "SO-1002") == "voided"


def profile_link_id(profile, ref: str) -> str:
    with profile.cache() as cache:
        return cache.link("sale_invoice", ref)["qbo"][0]["id"]


def test_lost_update_answer_is_reapplied_not_failed(profile):
    """An update that went through unanswered leaves a stale SyncToken: 5010 -> re-read, re-apply."""
    docs = small_set(1)
    profile.import_docs(docs)
    assert profile.sync_json()[0] == 0
    inv_id = profile_link_id(profile, "SO-1001")
    # QBO changed it meanwhile (as a lost update would have): our SyncToken is stale
    obj = profile.company.get("Invoice", inv_id)
    profile.company.update("Invoice", {"Id": inv_id, "SyncToken": obj["SyncToken"], "sparse": True,
                                       "PrivateNote": "touched"})
    changed = dict(docs[3])
    changed["lines"] = [{"sku": "MUG-01", "quantity": 4, "unit_price": "12.50", "unit_cost": "4.10"}]
    profile.import_docs([changed], "changed.json")
    code, out = profile.sync_json()
    assert code == 0, out
    assert float(profile.company.get("Invoice", inv_id)["TotalAmt"]) == 50.0


def test_undo_leaves_none_of_the_runs_invoices_live(profile):
    profile.import_docs(small_set(5))
    code, out = profile.sync_json()
    assert code == 0
    run_id = out["run"]["id"]
    invoice_ids = [c["id"] for c in out["run"]["created"] if c["entity"] == "Invoice"]
    assert len(invoice_ids) == 5
    r = profile.q("undo", run_id, "--yes")
    assert r.exit_code == 0, r.output
    live = {o["Id"] for o in profile.live("Invoice")}
    assert not live & set(invoice_ids)
    assert not {o["Id"] for o in profile.live("JournalEntry")} & {c["id"] for c in out["run"]["created"]
                                                                    if c["entity"] == "JournalEntry"}
    with profile.cache() as cache:
        assert cache.status_of("sale_invoice", "SO-1001") == "voided"
    runs = profile.q.json("runs")["runs"]
    assert runs[0]["kind"] == "undo"


def test_revoked_connection_exits_2_with_the_reconnect_message_and_marks_nothing_failed(profile):
    profile.import_docs(small_set(2))
    tokens = profile.sandbox.tokens
    for token in list(tokens.data["refresh"]):
        tokens.revoke(token)
    r = profile.q("sync", "--yes", "--json")
    assert r.exit_code == 2
    assert "qbtui connect" in r.stderr and "revoked" in r.stderr
    assert SECRET not in r.output
    with profile.cache() as cache:
        assert not any(cache.status_of(l["type"], l["ref"]) == "failed" for l in cache.links())
        counts = cache.status_counts()
    assert sum(c["failed"] for c in counts.values()) == 0


def test_refresh_rotation_never_reuses_an_old_refresh_token(make_profile):
    # no grace for a rotated refresh token: any reuse would be refused (invalid_grant -> exit 2)
    profile = make_profile(token_ttl=1, refresh_grace_s=0)
    profile.import_docs(small_set(30))
    used = []
    tokens = profile.sandbox.tokens
    original = tokens.refresh

    def spy(token):
        used.append(token)
        return original(token)

    tokens.refresh = spy
    import time
    time.sleep(1.2)  # the access token from connect has expired
    code, out = profile.sync_json()
    assert code == 0, out
    time.sleep(1.2)
    code, out = profile.sync_json()
    assert code == 0, out
    assert len(used) >= 2 and len(used) == len(set(used))


def test_from_quickbooks_mode_refuses_writes(profile):
    profile.import_docs(small_set(1))
    r = profile.q("settings", "set", "integration_mode", "from_quickbooks")
    assert r.exit_code == 0, r.output
    before = len(profile.live("Invoice"))
    r = profile.q("sync", "--yes")
    assert r.exit_code == 2 and "From QuickBooks only" in r.stderr
    with profile.cache(writer=True) as cache:
        with pytest.raises(WritesRefused):
            SyncEngine(cache, None).check_writes_allowed()  # type: ignore[arg-type]
    assert len(profile.live("Invoice")) == before


def test_no_secret_in_output_logs_or_json(make_profile, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    profile = make_profile(token_ttl=2)
    profile.faults("http500=0.2,drop_after_commit=0.1", seed=5)
    profile.import_docs(small_set(20) + [{"type": "customer", "ref": "C-VEND", "name": "Clayworks Supply"}])
    outputs = []
    for args in (("sync", "--yes", "--json"), ("sync", "--yes", "--events"), ("runs", "--json"),
                 ("errors", "--json"), ("status", "--json"), ("settings", "--json")):
        r = profile.q(*args)
        outputs.append(r.output)
    with profile.cache() as cache:
        stored = json.dumps(cache.settings()) + json.dumps(cache.runs()) + json.dumps(list(cache.links()))
    from qbtui.sync.connection import token_store
    tokens = token_store(profile.path).load()
    secrets = [SECRET, tokens.access_token, tokens.refresh_token, *profile.sandbox.tokens.data["access"],
               *profile.sandbox.tokens.data["refresh"]]
    captured = capfd.readouterr()
    haystack = "\n".join(outputs) + caplog.text + captured.out + captured.err + stored
    for secret in secrets:
        assert secret not in haystack
    assert "Bearer " not in haystack and "Authorization" not in haystack
    assert "sync" in haystack  # something was captured at all


def test_an_invoice_below_zero_is_held_before_it_is_sent(profile):
    """QBO refuses an invoice whose total is below zero (6000; the sandbox too): the gate holds it BLOCKED, naming
    the total and the credit note to send instead, and nothing of it reaches QuickBooks; the sandbox refuses the
    same invoice sent anyway."""
    profile.import_docs(small_set(1) + [documents.invoice("SO-NEG", lines=[documents.line(quantity=-4)])])
    code, out = profile.sync_json()
    by_ref = {d["ref"]: d for d in out["documents"]}
    assert code == 1 and by_ref["SO-1001"]["status"] == "synced"
    assert by_ref["SO-NEG"]["status"] == "blocked" and not by_ref["SO-NEG"]["qbo_ids"]
    reasons = by_ref["SO-NEG"]["error"].get("reasons") or [by_ref["SO-NEG"]["error"]]
    assert [r["code"] for r in reasons] == ["invoice.negative_total"]
    assert "-50.00" in reasons[0]["message"] and "credit note" in reasons[0]["hint"]
    assert not [o for o in profile.company.objects.get("Invoice", {}).values() if o.get("DocNumber") == "SO-NEG"]
    customer = next(iter(profile.company.objects["Customer"]))
    item = next(iter(profile.company.objects["Item"]))
    with pytest.raises(Exception, match="must be zero or greater"):
        profile.company.create("Invoice", {"CustomerRef": {"value": customer}, "Line": [
            {"Amount": -50, "DetailType": "SalesItemLineDetail",
             "SalesItemLineDetail": {"ItemRef": {"value": item}, "Qty": -4, "UnitPrice": 12.5}}]})
