"""Reconciliation against the sandbox: clean after a sync; an invoice edited in QBO is named, alone."""

from __future__ import annotations

import json

from tests.maintenance.conftest import FROM, TO


def reconcile(qbtui, *extra):
    result = qbtui("reconcile", "--from", FROM, "--to", TO, "--json", *extra)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def test_clean_after_sync(synced, qbtui):
    code, report = reconcile(qbtui)
    assert code == 0, report
    assert report["clean"] and report["differences"] == []
    by_role = {r["role"]: r for r in report["accounts"]}
    # 75 + 25 invoiced; COGS 24.60 + 8.20; adjustment +12.30 on the asset
    assert by_role["accounts_receivable"]["inventory"] == 100 == by_role["accounts_receivable"]["qbo"]
    assert by_role["sales_income"]["inventory"] == -100
    assert by_role["cogs"]["inventory"] == 32.8
    assert by_role["inventory_asset"]["inventory"] == round(-32.8 + 12.3, 2) == by_role["inventory_asset"]["qbo"]
    assert by_role["inventory_discrepancy"]["inventory"] == -12.3
    assert all(r["difference"] == 0 for r in report["accounts"])
    text = qbtui("reconcile", "--from", FROM, "--to", TO)
    assert text.exit_code == 0 and "no difference" in text.output


def test_edited_invoice_is_named_alone(synced, qbtui):
    with synced.cache() as cache:
        qid = cache.link("sale_invoice", "SO-1001")["qbo"][0]["id"]

    async def edit(client):
        inv = await client.read("Invoice", qid)
        line = inv["Line"][0]
        line = {**line, "Amount": 87.5, "SalesItemLineDetail": {**line["SalesItemLineDetail"], "Qty": 7}}
        await client.update("Invoice", {"Id": qid, "SyncToken": inv["SyncToken"], "Line": [line]}, sparse=True)

    synced.qbo(edit)
    assert qbtui("pull").exit_code == 0
    code, report = reconcile(qbtui)
    assert code == 1
    assert [(d["kind"], d["type"], d["ref"], d["id"]) for d in report["differences"]] == [
        ("changed", "sale_invoice", "SO-1001", qid)]
    by_role = {r["role"]: r for r in report["accounts"]}
    assert by_role["accounts_receivable"]["difference"] == -12.5
    assert by_role["sales_income"]["difference"] == 12.5
    assert by_role["cogs"]["difference"] == 0


def test_deleted_voided_and_posted_twice(synced, qbtui):
    with synced.cache() as cache:
        inv2 = cache.link("sale_invoice", "SO-1002")["qbo"][0]["id"]
        adj = cache.link("adjustment", "ADJ-2026-11-0001")["qbo"][0]["id"]
        cogs1 = cache.link("cogs", "COGS-SO-1001")["qbo"][0]["id"]

    async def damage(client):
        inv = await client.read("Invoice", inv2)
        await client.void("Invoice", inv2, inv["SyncToken"])
        je = await client.read("JournalEntry", adj)
        await client.delete("JournalEntry", adj, je["SyncToken"])
        cogs = await client.read("JournalEntry", cogs1)
        body = {k: cogs[k] for k in ("DocNumber", "TxnDate", "Line", "PrivateNote") if k in cogs}
        await client._request("POST", "journalentry", params={"include": "allowduplicatedocnum"}, json=body,
                              write=True)

    synced.qbo(damage)
    code, report = reconcile(qbtui)
    assert code == 1
    kinds = sorted((d["kind"], d["ref"]) for d in report["differences"])
    assert kinds == [("deleted", "ADJ-2026-11-0001"), ("posted_twice", "COGS-SO-1001"), ("voided", "SO-1002")]
