"""``qbtui repair``: rebuild the links to QuickBooks by looking the documents up there; nothing is sent.

For when links were lost (a damaged or removed cache file: see qbtui.cache) or are in doubt. Every
document that is not linked already (synced, voided, or synced and changed since) nor skipped is marked
unknown (``sending``) and the sync engine's own recovery looks it up, wave by wave and in bulk, by the keys
of sync/lookup.py; what QuickBooks has is linked, as if the run that sent it had recorded it. What is not
found stays unknown, so the next sync looks it up once more before sending it (a document that had
failed is failed again). Nothing found is listed as created by the repair run, so undo never touches it.

Per document, ``result`` is one of:

- ``linked``: found in QuickBooks, every part of it; now synced;
- ``partly_linked``: some parts found (a credit note's memo but not a refund); the next sync sends the rest;
- ``not_found``: QuickBooks has none of it; the next sync sends it;
- ``not_looked_up``: no lookup key could be built: it is blocked by a gate (``reason`` says which).

The command exits 0 when every document is accounted for (linked, already linked or skipped), 1 otherwise.
"""

from __future__ import annotations

from typing import Any

from qbtui.cache import Cache
from qbtui.maintenance.audit import end_maintenance, start_maintenance
from qbtui.qbo import QBOClient
from qbtui.sync.engine import SyncEngine
from qbtui.sync.plan import gate_statuses, plan

RESULTS = ("linked", "partly_linked", "not_found", "not_looked_up")
RECORD_CHUNK = 5000  # outcomes per journal line
RUN_LIST_MAX = 1000  # documents not accounted for kept in the run record (the links hold the rest)


def _targets(cache: Cache) -> tuple[dict[tuple[str, str], str], int, int]:
    """({(type, ref): status before} of the documents to look up, already linked, skipped)."""
    gates = gate_statuses(cache)
    targets: dict[tuple[str, str], str] = {}
    linked = skipped = 0
    for type_ in cache.types():
        for rec in cache.documents(type_):
            key = (type_, rec["ref"])
            info = cache.status_info(*key)
            status = info["status"]
            if status in ("synced", "voided") or info["changed"]:
                linked += 1
            elif status == "skipped" or gates.get(key, ("",))[0] == "skipped":
                skipped += 1
            else:
                targets[key] = status
    return targets, linked, skipped


async def repair(cache: Cache, client: QBOClient) -> dict[str, Any]:
    """Look every document that is not linked up in QuickBooks and link what is found. Returns
    ``{"run", "counts", "documents"}`` (see the module docstring); the run is a maintenance run ("repair")."""
    run_id = start_maintenance(cache, "repair")
    try:
        targets, already, skipped = _targets(cache)
        marks = [{"type": t, "ref": r, "status": "sending", "run": run_id}
                 | ({} if before == "failed" else {"error": None}) for (t, r), before in targets.items()]
        for start in range(0, len(marks), RECORD_CHUNK):
            cache.record_outcomes(marks[start:start + RECORD_CHUNK])
        await SyncEngine(cache, client).recover(run_id)
        documents, restore = _results(cache, targets)
        for start in range(0, len(restore), RECORD_CHUNK):
            cache.record_outcomes(restore[start:start + RECORD_CHUNK])
    except BaseException as exc:
        end_maintenance(cache, run_id, error=str(exc) or type(exc).__name__)
        raise
    counts = dict.fromkeys(RESULTS, 0)
    for doc in documents:
        counts[doc["result"]] += 1
    counts.update(already_linked=already, skipped=skipped)
    unaccounted = [{"type": d["type"], "ref": d["ref"], "result": d["result"]} for d in documents
                   if d["result"] != "linked"]
    run = end_maintenance(cache, run_id, counts=counts, unaccounted=unaccounted[:RUN_LIST_MAX])
    return {"run": run, "counts": counts, "documents": documents}


def _results(cache: Cache, targets: dict[tuple[str, str], str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(one result per target, the outcomes that put the failed ones that were not found back to failed)."""
    left = {key for key in targets if (cache.link(*key) or {}).get("status") != "synced"}
    planned = {(p.type, p.ref): p for p in plan(cache, keys=left)} if left else {}
    documents, restore = [], []
    for key, before in targets.items():
        link = cache.link(*key) or {}
        ids = [q["id"] for q in link.get("qbo") or () if q.get("id")]
        reason = None
        if key not in left:
            result = "linked"
        elif ids:
            result = "partly_linked"
        else:
            p = planned.get(key)
            if p is not None and any(pl.operation == "create" for pl in p.payloads):
                result = "not_found"
            else:
                result = "not_looked_up"
                reason = p.reasons[0].to_json() if p is not None and p.reasons else None
        if result != "linked" and before == "failed":
            restore.append({"type": key[0], "ref": key[1], "status": "failed"})
        documents.append({"type": key[0], "ref": key[1], "result": result, "qbo_ids": ids, "reason": reason})
    return documents, restore


def render(report: dict[str, Any]) -> tuple[str, list[str]]:
    """(the summary line, one line per document not accounted for) for people."""
    c = report["counts"]
    summary = (f"repair run {report['run']['id']}: {c['linked']} linked, {c['partly_linked']} partly linked, "
               f"{c['not_found']} not in QuickBooks, {c['not_looked_up']} not looked up; {c['already_linked']} "
               f"were linked already, {c['skipped']} skipped")
    what = {"partly_linked": "partly in QuickBooks: the next `qbtui sync` sends the rest",
            "not_found": "not in QuickBooks: the next `qbtui sync` sends it",
            "not_looked_up": "not looked up (blocked): fix it, the next `qbtui sync` looks it up before sending it"}
    lines = []
    for doc in report["documents"]:
        if doc["result"] in what:
            line = f"  {doc['result'].upper():13} {doc['type']} {doc['ref']}: {what[doc['result']]}"
            if doc.get("reason"):
                line += f" ({doc['reason'].get('code')}: {doc['reason'].get('message')})"
            lines.append(line)
    return summary, lines
