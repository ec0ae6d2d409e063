"""Undo of a whole sync run: remove from QBO what that run created, newest first.

Transactions are deleted (docs/qbo.md#undoing: most cannot be voided through the API, and a voided invoice
stays live with zero amounts); contacts and items, which QBO never deletes, are made inactive.
Each document whose objects are all gone becomes ``voided``; the undo is itself a run in the log.
"""

from __future__ import annotations

from qbtui.cache import Cache, ErrorRecord, Run, RunObject
from qbtui.errors import FAULT_INACTIVE_REFERENCE, FAULT_STALE_OBJECT
from qbtui.ledger.kinds import WAVES
from qbtui.qbo import QBOClient, QBOFault, ReconnectRequired, UnknownOutcome
from qbtui.sync import events
from qbtui.sync.engine import fault_error
from qbtui.sync.readonly import check_writes_allowed
from qbtui.sync.runs import now_iso, who

NEVER_DELETED = frozenset({"Customer", "Vendor", "Item", "Account", "Class", "Department", "Term"})
_WAVE_OF = {t: i for i, wave in enumerate(WAVES) for t in wave}


class UndoError(Exception):
    pass


async def remove(client: QBOClient, entity: str, qbo_id: str, attempts: int = 3) -> None:
    """Delete a transaction, or deactivate a contact/item; an object already gone counts as removed.
    A lost answer is settled by reading the object again (a delete or deactivation is safe to repeat)."""
    for attempt in range(attempts):
        try:
            await _remove_once(client, entity, qbo_id)
            return
        except UnknownOutcome:
            if attempt == attempts - 1:
                raise QBOFault("sync.no_answer", "QuickBooks did not answer; run the undo again", "",
                               fault_type="transport") from None
        except QBOFault as fault:
            if fault.code == FAULT_STALE_OBJECT and attempt < attempts - 1:  # changed meanwhile: read again, retry
                continue
            raise


async def _remove_once(client: QBOClient, entity: str, qbo_id: str) -> None:
    try:
        current = await client.read(entity, qbo_id)
    except QBOFault as fault:
        if fault.code == FAULT_INACTIVE_REFERENCE or fault.status == 404:
            return
        raise
    if entity in NEVER_DELETED:
        if current.get("Active", True):
            await client.update(entity, {"Id": qbo_id, "SyncToken": current["SyncToken"], "Active": False}, sparse=True)
        return
    if current.get("status") == "Deleted":
        return
    await client.delete(entity, qbo_id, current["SyncToken"])


async def undo_run(cache: Cache, client: QBOClient, run_id: str, *, on_event: events.Listener | None = None) -> Run:
    """Remove what run ``run_id`` created, in reverse dependency order. Returns the undo run."""
    check_writes_allowed(cache)
    run = next((r for r in cache.runs() if r["id"] == run_id), None)
    if run is None:
        raise UndoError(f"no run {run_id!r}: see `qbtui runs` for the run ids")
    if run.get("kind") == "undo":
        raise UndoError(f"run {run_id} is itself an undo; it cannot be undone")
    if run.get("undone_by"):
        raise UndoError(f"run {run_id} was already undone by run {run['undone_by']}")
    created = sorted(run.get("created") or [], key=lambda c: _WAVE_OF.get(c["type"], 1), reverse=True)
    undo_id = cache.add_run({"kind": "undo", "started": now_iso(), "ended": None, "counts": {}, "created": [], "who": who(),
                             "undoes": run_id})
    removed: list[RunObject] = []
    failures: dict[tuple[str, str], ErrorRecord] = {}
    reconnect: ReconnectRequired | None = None
    for n, item in enumerate(created, 1):
        try:
            await remove(client, item["entity"], item["id"])
            removed.append(item)
        except ReconnectRequired as exc:  # what was removed so far is recorded; the rest waits for a reconnect
            reconnect = exc
            break
        except QBOFault as fault:
            failures[(item["type"], item["ref"])] = fault_error(fault, "remove it in QuickBooks by hand, or retry the undo")
        if on_event:
            on_event({"event": "progress", "total": len(created), "sent": n, "ok": len(removed),
                      "failed": len(failures), "remaining": len(created) - n})
    outcomes = []
    for doc_type, ref in dict.fromkeys((c["type"], c["ref"]) for c in removed):
        if (doc_type, ref) in failures:
            continue
        outcomes.append({"type": doc_type, "ref": ref, "status": "voided", "run": undo_id})
    outcomes += [{"type": t, "ref": r, "status": "failed", "error": e, "run": undo_id} for (t, r), e in failures.items()]
    cache.record_outcomes(outcomes)
    counts = {"removed": len(removed), "failed": len(failures)}
    cache.update_run(undo_id, ended=now_iso(), counts=counts, removed=removed)
    if reconnect is not None:
        cache.update_run(undo_id, interrupted=True)
        raise reconnect
    cache.update_run(run_id, undone_by=undo_id)
    return next(r for r in cache.runs() if r["id"] == undo_id)
