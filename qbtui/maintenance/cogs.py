"""COGS maintenance for an inclusive date range: export the COGS journals, or void them (QBO's API
cannot void a journal entry: "void" is a delete, docs/qbo.md#undoing). Voided COGS documents become ``voided``
(never re-sent by a sync); the maintenance run keeps entity, Id, DocNumber and amount of each."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from qbtui.cache import Cache
from qbtui.documents.text import csv_text
from qbtui.errors import FAULT_INACTIVE_REFERENCE
from qbtui.ledger.payload import json_number
from qbtui.maintenance.audit import end_maintenance, start_maintenance
from qbtui.maintenance.common import check_range, in_range, money
from qbtui.qbo import QBOClient, QBOFault
from qbtui.sync.readonly import check_writes_allowed

EXPORT_FIELDS = ("ref", "date", "invoice", "amount", "status", "entity", "qbo_id", "doc_number")


def cogs_in_range(cache: Cache, start: str | date, end: str | date) -> list[dict[str, Any]]:
    """The COGS documents dated in [start, end], with status and QBO Id, by date then ref."""
    d1, d2 = check_range(start, end)
    rows = []
    for rec in cache.documents("cogs"):
        doc = rec["data"]
        if not in_range(doc.get("date"), d1, d2):
            continue
        link = cache.link("cogs", rec["ref"]) or {}
        part = next((q for q in link.get("qbo") or () if q.get("id")), {})
        rows.append({"ref": rec["ref"], "date": doc.get("date"), "invoice": doc.get("invoice"),
                     "amount": json_number(money(doc.get("amount"))), "status": cache.status_of("cogs", rec["ref"]),
                     "entity": part.get("entity"), "qbo_id": part.get("id"), "sync_token": part.get("sync_token"),
                     "doc_number": _doc_number(link, rec["ref"])})
    rows.sort(key=lambda r: (str(r["date"]), r["ref"]))
    return rows


def _doc_number(link: dict[str, Any], ref: str) -> str:
    from qbtui.ledger.refs import doc_number

    try:
        return doc_number(ref)
    except Exception:  # pragma: no cover - refs module shape
        return ref[:21]


def export_csv(rows: list[dict[str, Any]]) -> str:
    """The export as CSV (:func:`qbtui.documents.text.csv_text`: amounts with two decimals, formulas inert)."""
    return csv_text(rows, EXPORT_FIELDS, money=("amount",))


def record_export(cache: Cache, start: str, end: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The export in the audit log (only when the cache is the writer)."""
    run_id = start_maintenance(cache, "cogs_export", range={"from": str(start), "to": str(end)})
    exported = [{"entity": r["entity"] or "JournalEntry", "id": r["qbo_id"], "doc_number": r["doc_number"],
                 "amount": r["amount"], "date": r["date"], "type": "cogs", "ref": r["ref"]} for r in rows]
    return end_maintenance(cache, run_id, counts={"exported": len(rows)}, exported=exported)


async def void_cogs(cache: Cache, client: QBOClient, start: str | date, end: str | date,
                    on_progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Delete in QBO the COGS journals of the synced COGS documents dated in the range; returns the run."""
    d1, d2 = check_range(start, end)
    check_writes_allowed(cache)
    rows = [r for r in cogs_in_range(cache, d1, d2) if r["status"] == "synced" and r["qbo_id"]]
    run_id = start_maintenance(cache, "cogs_void", range={"from": d1.isoformat(), "to": d2.isoformat()})
    removed: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    outcomes = []
    for n, row in enumerate(rows, 1):
        entity, qid = row["entity"] or "JournalEntry", str(row["qbo_id"])
        record = {"type": "cogs", "ref": row["ref"], "entity": entity, "id": qid, "doc_number": row["doc_number"],
                  "amount": row["amount"], "date": row["date"], "operation": "delete"}
        try:
            try:
                current = await client.read(entity, qid)
            except QBOFault as fault:
                if fault.code != FAULT_INACTIVE_REFERENCE and fault.status != 404:
                    raise
                current = None  # already gone in QBO: nothing to delete, still voided here
            if current is not None:
                record["amount"] = json_number(money(current.get("TotalAmt")))
                await client.delete(entity, qid, current["SyncToken"])
            else:
                record["operation"] = "already deleted"
            removed.append(record)
            outcomes.append({"type": "cogs", "ref": row["ref"], "status": "voided", "run": run_id})
        except QBOFault as fault:
            failed.append({**record, "error": str(fault)})
        if on_progress:
            on_progress(n, len(rows))
    cache.record_outcomes(outcomes)
    return end_maintenance(cache, run_id, counts={"removed": len(removed), "failed": len(failed)},
                           removed=removed, failed=failed)
