"""Discrepancies that can be acted on, and conflicts, never overwrites (docs/cli.md#qbtui-discrepancies---json): an invoice edited
in QuickBooks is listed in words after `qbtui pull` and resolved by pushing ours, accepting QuickBooks' version or
dismissing it with a note; a journal deleted in QuickBooks is re-sent as a new object; an invoice edited in
QuickBooks is not overwritten by a re-import and re-sync (held as `conflict`, sync exits 1) until pushed."""

from __future__ import annotations

import json
from typing import Any

from tests.support import documents as D


def _synced(make_profile, *extra: dict[str, Any]):
    profile = make_profile()
    profile.import_docs([D.customer(), D.product(), D.invoice("SO-1"), *extra])  # 6 x 12.50 = 75.00
    code, out = profile.sync_json()
    assert code == 0, out
    return profile


def _part(profile, doc_type: str, ref: str) -> dict[str, Any]:
    with profile.cache() as cache:
        return cache.link(doc_type, ref)["qbo"][0]


def _edit_in_quickbooks(profile, qty: int = 5) -> dict[str, Any]:
    """Someone changes the quantity of the invoice's line in QuickBooks (a sparse update, as QBO's screen makes)."""
    qbo_id = _part(profile, "sale_invoice", "SO-1")["id"]

    async def edit(c) -> dict[str, Any]:
        inv = await c.read("Invoice", qbo_id)
        lines = [dict(line) for line in inv["Line"] if line.get("DetailType") == "SalesItemLineDetail"]
        detail = dict(lines[0]["SalesItemLineDetail"], Qty=qty)
        lines[0] = {**lines[0], "Amount": qty * 12.5, "SalesItemLineDetail": detail}
        return await c.update("Invoice", {"Id": qbo_id, "SyncToken": inv["SyncToken"], "Line": lines}, sparse=True)
    return profile.qbo(edit)


def _qbo_invoice(profile) -> dict[str, Any]:
    qbo_id = _part(profile, "sale_invoice", "SO-1")["id"]
    return profile.qbo(lambda c: c.read("Invoice", qbo_id))


def _listed(profile) -> list[dict[str, Any]]:
    r = profile.q("discrepancies", "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)["discrepancies"]


def _resolve_runs(profile) -> list[dict[str, Any]]:
    with profile.cache() as cache:
        return [r for r in cache.runs() if r.get("kind") == "resolve"]


def _pulled_change(make_profile):
    profile = _synced(make_profile)
    assert _listed(profile) == []
    _edit_in_quickbooks(profile)
    assert profile.q("pull").exit_code == 0
    listed = _listed(profile)
    assert [(d["kind"], d["type"], d["ref"]) for d in listed] == [("changed", "sale_invoice", "SO-1")]
    total = next(f for f in listed[0]["fields"] if f["field"] == "Total")
    assert total == {"field": "Total", "ours": "75.00", "quickbooks": "62.50",
                     "text": "Total: ours 75.00, QuickBooks 62.50"}
    assert "None" not in json.dumps(listed)
    r = profile.q("discrepancies")
    assert r.exit_code == 0 and "Total: ours 75.00, QuickBooks 62.50" in r.output
    return profile


def test_an_invoice_edited_in_quickbooks_is_pushed_again(make_profile):
    profile = _pulled_change(make_profile)
    r = profile.q("discrepancies", "resolve", "sale_invoice", "SO-1", "--push")  # no terminal, no --yes: refused
    assert r.exit_code == 2 and str(_qbo_invoice(profile)["TotalAmt"]) in ("62.5", "62.50")
    r = profile.q("discrepancies", "resolve", "sale_invoice", "SO-1", "--push", "--yes")
    assert r.exit_code == 0, r.output
    assert str(_qbo_invoice(profile)["TotalAmt"]) in ("75", "75.0", "75.00")
    assert _listed(profile) == []
    runs = _resolve_runs(profile)
    assert [(r["resolution"]["action"], r["resolution"]["ref"]) for r in runs] == [("push", "SO-1")]
    assert runs[0]["who"] and runs[0]["ended"]
    with profile.cache() as cache:
        assert cache.status_of("sale_invoice", "SO-1") == "synced"


def test_quickbooks_version_of_an_invoice_is_accepted_and_exported(make_profile):
    profile = _pulled_change(make_profile)
    before = _qbo_invoice(profile)["SyncToken"]
    r = profile.q("discrepancies", "resolve", "sale_invoice", "SO-1", "--accept", "--yes", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["status"] == "synced"
    assert _qbo_invoice(profile)["SyncToken"] == before  # nothing sent
    with profile.cache() as cache:
        doc = cache.get("sale_invoice", "SO-1")["data"]
        assert doc["lines"][0]["quantity"] == "5" and doc["lines"][0]["sku"] == "MUG-01"
        assert cache.status_of("sale_invoice", "SO-1") == "synced"
    exported = json.loads(profile.q("export", "--type", "sale_invoice").stdout)["documents"]
    assert [d["ref"] for d in exported] == ["SO-1"]
    assert _listed(profile) == []
    assert [r["resolution"]["action"] for r in _resolve_runs(profile)] == ["accept"]
    code, out = profile.sync_json()  # accepted is the truth: nothing to send, nothing held
    assert code == 0 and out["documents"] == [], out


def test_a_discrepancy_is_dismissed_with_a_note(make_profile):
    profile = _pulled_change(make_profile)
    assert profile.q("discrepancies", "resolve", "sale_invoice", "SO-1", "--dismiss", " ").exit_code == 2
    r = profile.q("discrepancies", "resolve", "sale_invoice", "SO-1", "--dismiss", "agreed with the customer")
    assert r.exit_code == 0, r.output
    assert _listed(profile) == []
    assert str(_qbo_invoice(profile)["TotalAmt"]) in ("62.5", "62.50")
    [run] = _resolve_runs(profile)
    assert run["resolution"]["action"] == "dismiss" and run["resolution"]["note"] == "agreed with the customer"
    assert run["resolution"]["discrepancies"][0]["kind"] == "changed"
    audit = json.loads(profile.q("audit", "--json").stdout)["audit"]
    assert any(row["kind"] == "resolve" and row["what"].startswith("resolve dismiss sale_invoice SO-1 (Total: ours "
                                                                   "75.00, QuickBooks 62.50")
               and row["what"].endswith(": agreed with the customer") for row in audit), audit
    r = profile.q("discrepancies", "resolve", "sale_invoice", "SO-1", "--dismiss", "again")
    assert r.exit_code == 2  # nothing left to resolve


def test_the_dashboard_backend_lists_and_resolves(make_profile):
    """What the Discrepancies tab runs: `qbtui discrepancies --events` and `... resolve --yes --events`."""
    import asyncio

    from qbtui.tui.backend import Backend, BackendError

    profile = _pulled_change(make_profile)
    backend = Backend(profile.path, data_dir=profile.data_dir)
    [row] = asyncio.run(backend.discrepancies())
    assert (row["kind"], row["ref"]) == ("changed", "SO-1") and "Total: ours 75.00" in row["text"]
    try:
        asyncio.run(backend.resolve("sale_invoice", "SO-1", "resend"))
    except BackendError as exc:
        assert exc.code == "not_resolvable"
    else:
        raise AssertionError("a re-send of an invoice still in QuickBooks was not refused")
    done = asyncio.run(backend.resolve("sale_invoice", "SO-1", "dismiss", note="-5 agreed on the phone"))
    assert done["action"] == "dismiss" and done["status"] == "synced"
    assert asyncio.run(backend.discrepancies()) == []
    assert _resolve_runs(profile)[0]["resolution"]["note"] == "-5 agreed on the phone"


def test_a_journal_deleted_in_quickbooks_is_sent_again(make_profile):
    profile = _synced(make_profile, D.cogs("SO-1", amount="24.60"))
    old = _part(profile, "cogs", "COGS-SO-1")
    assert old["entity"] == "JournalEntry"

    async def delete(c) -> None:
        je = await c.read("JournalEntry", old["id"])
        await c.delete("JournalEntry", old["id"], je["SyncToken"])
    profile.qbo(delete)
    assert profile.q("pull").exit_code == 0
    listed = _listed(profile)
    assert [(d["kind"], d["type"], d["ref"], d["qbo_id"]) for d in listed] == [
        ("deleted", "cogs", "COGS-SO-1", old["id"])]
    assert profile.q("discrepancies", "resolve", "cogs", "COGS-SO-1", "--push", "--yes").exit_code == 2
    r = profile.q("discrepancies", "resolve", "cogs", "COGS-SO-1", "--resend", "--yes", "--json")
    assert r.exit_code == 0, r.output
    new = _part(profile, "cogs", "COGS-SO-1")
    assert new["id"] != old["id"]
    assert profile.qbo(lambda c: c.read("JournalEntry", new["id"]))["Id"] == new["id"]
    with profile.cache() as cache:
        link = cache.link("cogs", "COGS-SO-1")
        assert [q["id"] for q in link["replaced"]] == [old["id"]]
        assert cache.status_of("cogs", "COGS-SO-1") == "synced"
    assert _listed(profile) == []
    [run] = _resolve_runs(profile)
    assert run["resolution"]["action"] == "resend"
    assert [(c["entity"], c["id"]) for c in run["created"]] == [("JournalEntry", new["id"])]


def test_an_invoice_edited_in_quickbooks_is_never_overwritten_by_a_re_import(make_profile):
    profile = _synced(make_profile)
    _edit_in_quickbooks(profile)
    profile.import_docs([D.invoice("SO-1", lines=[D.line(quantity=7)])], name="again.json")  # changed: 87.50
    assert profile.q("pull").exit_code == 0  # the dry run knows what a pull saw: it will be held back
    r = profile.q("sync", "--dry-run", "--json")
    assert r.exit_code == 1 and [(c["ref"], c["status"]) for c in json.loads(r.stdout)["conflicts"]] == [
        ("SO-1", "will_conflict")]
    code, out = profile.sync_json()
    assert code == 1, out
    assert [(d["ref"], d["status"]) for d in out["documents"]] == [("SO-1", "conflict")]
    assert str(_qbo_invoice(profile)["TotalAmt"]) in ("62.5", "62.50")  # QuickBooks' edit is kept
    r = profile.q("sync", "--yes")
    assert r.exit_code == 1 and "CONFLICT sale_invoice SO-1: sync.conflict Not sent: Invoice" in r.output
    with profile.cache() as cache:
        assert cache.status_of("sale_invoice", "SO-1") == "conflict"
        assert cache.status_counts()["sale_invoice"]["conflict"] == 1
    [held] = _listed(profile)
    assert held["kind"] == "conflict" and "Total: ours 87.50, QuickBooks 62.50" in held["text"]
    code, out = profile.sync_json()  # still held, still not sent
    assert code == 1 and out["documents"][0]["status"] == "conflict"
    assert str(_qbo_invoice(profile)["TotalAmt"]) in ("62.5", "62.50")
    r = profile.q("sync", "--dry-run", "--json")
    assert r.exit_code == 1 and [(c["ref"], c["status"]) for c in json.loads(r.stdout)["conflicts"]] == [
        ("SO-1", "conflict")]
    r = profile.q("sync", "--dry-run")
    assert "CONFLICT sale_invoice SO-1: held back, not sent: Total: ours 87.50, QuickBooks 62.50" in r.output
    r = profile.q("discrepancies", "resolve", "sale_invoice", "SO-1", "--push", "--yes")
    assert r.exit_code == 0, r.output
    assert str(_qbo_invoice(profile)["TotalAmt"]) in ("87.5", "87.50")
    code, out = profile.sync_json()
    assert code == 0 and out["documents"] == [], out


def test_a_payment_applied_in_quickbooks_is_not_a_conflict(make_profile):
    """Our own payment moves the invoice's SyncToken and balance, not a field we send: the update goes out."""
    profile = _synced(make_profile, D.payment("PAY-1", invoice="SO-1", amount="10.00"))
    profile.import_docs([D.invoice("SO-1", lines=[D.line(quantity=7)])], name="again.json")
    code, out = profile.sync_json()
    assert code == 0, out
    assert str(_qbo_invoice(profile)["TotalAmt"]) in ("87.5", "87.50")
