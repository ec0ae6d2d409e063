"""The duplicate finder against the sandbox: a journal created twice is found (and only it); removing
it through qbtui leaves one, recorded in the audit log; qbtui's own copy is refused."""

from __future__ import annotations

import json

from tests.maintenance.conftest import FROM, TO


def duplicate_journal(env, type_: str, ref: str) -> tuple[str, str]:
    """Create the QBO journal of (type, ref) a second time, as a peer would after a lost answer."""
    with env.cache() as cache:
        qid = cache.link(type_, ref)["qbo"][0]["id"]

    async def dup(client):
        je = await client.read("JournalEntry", qid)
        body = {k: je[k] for k in ("DocNumber", "TxnDate", "Line", "PrivateNote") if k in je}
        data = await client._request("POST", "journalentry", params={"include": "allowduplicatedocnum"}, json=body,
                                     write=True)
        return data["JournalEntry"]["Id"]

    return qid, env.qbo(dup)


def journals_numbered(env, number: str) -> list[str]:
    return [o["Id"] for o in env.company.objects["JournalEntry"].values() if o.get("DocNumber") == number]


def test_found_alone_and_removed(synced, qbtui):
    assert qbtui.json("duplicates", "--from", FROM, "--to", TO)["groups"] == []
    ours, twin = duplicate_journal(synced, "cogs", "COGS-SO-1001")
    report = qbtui.json("duplicates", "--from", FROM, "--to", TO)
    assert len(report["groups"]) == 1
    group = report["groups"][0]
    assert (group["entity"], group["doc_number"], group["amount"]) == ("JournalEntry", "COGS-SO-1001", 24.6)
    marks = {o["id"]: (o["linked"], o["removable"]) for o in group["objects"]}
    assert marks == {ours: (True, False), twin: (False, True)}
    text = qbtui("duplicates", "--from", FROM, "--to", TO).output
    assert f"JournalEntry:{ours}" in text and "KEEP" in text

    refused = qbtui("duplicates", "--from", FROM, "--to", TO, "--remove", ours, "--yes")
    assert refused.exit_code == 2 and "linked" in refused.output
    assert sorted(journals_numbered(synced, "COGS-SO-1001")) == sorted([ours, twin])

    removed = qbtui("duplicates", "--from", FROM, "--to", TO, "--remove", f"JournalEntry:{twin}", "--yes", "--json")
    assert removed.exit_code == 0, removed.output
    run = json.loads(removed.stdout)["run"]
    assert run["kind"] == "maintenance" and run["action"] == "remove_duplicate"
    assert run["removed"] == [{"entity": "JournalEntry", "id": twin, "doc_number": "COGS-SO-1001",
                               "date": "2026-11-02", "amount": 24.6, "operation": "delete", "sync_token": "0"}]
    assert journals_numbered(synced, "COGS-SO-1001") == [ours]
    assert qbtui.json("duplicates", "--from", FROM, "--to", TO)["groups"] == []
    audit = qbtui.json("audit")["audit"]
    assert audit[0]["kind"] == "maintenance" and f"JournalEntry:{twin}" in audit[0]["qbo_ids"]
    assert audit[0]["who"]
    # reconcile agrees: nothing posted twice any more
    assert qbtui("reconcile", "--from", FROM, "--to", TO).exit_code == 0


def test_out_of_range_and_not_a_duplicate(synced, qbtui):
    duplicate_journal(synced, "cogs", "COGS-SO-1002")  # dated 2026-11-04
    assert qbtui.json("duplicates", "--from", "2026-11-05", "--to", TO)["groups"] == []
    assert len(qbtui.json("duplicates", "--from", "2026-11-04", "--to", "2026-11-04")["groups"]) == 1
    with synced.cache() as cache:
        inv = cache.link("sale_invoice", "SO-1001")["qbo"][0]["id"]
    bad = qbtui("duplicates", "--from", FROM, "--to", TO, "--remove", inv, "--yes")
    assert bad.exit_code == 2 and "not one of the duplicates" in bad.output


def test_duplicate_invoice_is_voided_not_deleted(synced, qbtui):
    with synced.cache() as cache:
        ours = cache.link("sale_invoice", "SO-1002")["qbo"][0]["id"]

    async def dup(client):
        inv = await client.read("Invoice", ours)
        body = {k: inv[k] for k in ("DocNumber", "TxnDate", "CustomerRef", "Line") if k in inv}
        body["Line"] = [ln for ln in body["Line"] if ln["DetailType"] == "SalesItemLineDetail"]
        data = await client._request("POST", "invoice", params={"include": "allowduplicatedocnum"}, json=body,
                                     write=True)
        return data["Invoice"]["Id"]

    twin = synced.qbo(dup)
    group = qbtui.json("duplicates", "--from", FROM, "--to", TO)["groups"]
    assert [(o["id"], o["linked"]) for o in group[0]["objects"]] == [(ours, True), (twin, False)]
    result = qbtui("duplicates", "--from", FROM, "--to", TO, "--remove", twin, "--yes", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["run"]["removed"][0]["operation"] == "void"
    invoices = synced.company.objects["Invoice"]
    assert invoices[twin]["TotalAmt"] == 0 and invoices[twin]["PrivateNote"].startswith("Voided")
    assert invoices[ours]["TotalAmt"] == 25
    assert qbtui.json("duplicates", "--from", FROM, "--to", TO)["groups"] == []
