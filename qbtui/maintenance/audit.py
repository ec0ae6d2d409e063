"""The audit log: every run (sync, scheduled, undo, pull, maintenance) with who, when, what and
the QBO Ids. Runs are the cache's run log (``cache.add_run`` / ``runs``); maintenance actions are
runs of kind ``maintenance`` with ``action`` and the objects they ``removed`` / ``exported`` /
``changed`` (entity, id, doc_number, amount, date), so that nothing deleted leaves view.

No gaps: each ``qbtui pull`` is a run of kind ``pull`` with who (what it brought in from QuickBooks under
``received``: type, ref, entity, id); the connect wizard's steps that write (opening balances, stock on hand, the
opening journal) are maintenance runs with who; a preflight fix is a maintenance run of action ``preflight_fix``
(``code``) whose ``changed`` holds each QuickBooks setting (``field``, ``before``, ``after``) or item it changed."""

from __future__ import annotations

from typing import Any

from qbtui.cache import Cache, Run, StateReader
from qbtui.sync.runs import now_iso, who


def start_maintenance(cache: Cache, action: str, **details: Any) -> str:
    """A maintenance run, started now; returns its id (end it with :func:`end_maintenance`)."""
    return cache.add_run({"kind": "maintenance", "action": action, "who": who(), "started": now_iso(),
                          "ended": None, "counts": {}, "created": [], "removed": [], **details})


def end_maintenance(cache: Cache, run_id: str, **fields: Any) -> Run:
    cache.update_run(run_id, ended=now_iso(), **fields)
    return next(r for r in cache.runs() if r["id"] == run_id)


def qbo_ids(run: dict[str, Any]) -> list[str]:
    """"Entity:Id" of every QBO object the run created, removed, changed or exported."""
    out: list[str] = []
    for key in ("created", "removed", "changed", "exported", "received"):
        for item in run.get(key) or ():
            if isinstance(item, dict) and item.get("id"):
                out.append(f"{item.get('entity', '?')}:{item['id']}")
    return list(dict.fromkeys(out))


def describe(run: dict[str, Any]) -> str:
    """One line saying what the run did."""
    kind = run.get("kind") or "?"
    counts = run.get("counts") or {}
    text = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()) if n)
    error = run.get("error")
    if isinstance(error, dict):
        error = error.get("message") or error.get("code")
    if kind == "maintenance":
        action = (run.get("action") or run.get("note") or "maintenance").replace("_", " ")
        if run.get("code"):
            action += f" {run['code']}"
        if run.get("range"):
            action += f" {run['range'].get('from')}..{run['range'].get('to')}"
        settings = [f"{c['field']} {c.get('before')} -> {c.get('after')}" for c in run.get("changed") or ()
                    if isinstance(c, dict) and c.get("field") and c.get("entity") == "Preferences"]
        if settings:  # a QuickBooks setting a preflight fix changed: before and after
            text = (text + "; " if text else "") + "; ".join(settings)
        if error:
            text = (text + "; " if text else "") + f"error: {error}"
        return f"{action}: {text}" if text else action
    if kind == "resolve" and isinstance(run.get("resolution"), dict):  # a discrepancy resolved (qbtui/sync/resolve.py)
        res = run["resolution"]
        fields = "; ".join(f["text"] for d in res.get("discrepancies") or () for f in d.get("fields") or ())
        line = f"resolve {res.get('action')} {res.get('type')} {res.get('ref')}" + (f" ({fields})" if fields else "")
        line += (f"; {text}" if text and counts != {"resolved": 1} else "") + (f"; error: {error}" if error else "")
        return line + (f": {res['note']}" if res.get("note") else "")
    if kind == "pull":
        return "pull: " + (text or "nothing new") + (f"; error: {error}" if error else "")
    if kind == "undo" and run.get("undoes"):
        return f"undo of run {run['undoes']}: {text}" if text else f"undo of run {run['undoes']}"
    if error:
        text = (text + "; " if text else "") + f"error: {error}"
    return text or "nothing to do"


def audit_rows(cache: Cache | StateReader) -> list[dict[str, Any]]:
    """The log for the screen and ``qbtui audit``: newest first."""
    rows = []
    for run in cache.runs():
        rows.append({"id": run.get("id"), "kind": run.get("kind"), "who": run.get("who") or "",
                     "started": run.get("started"), "ended": run.get("ended"), "what": describe(run),
                     "qbo_ids": qbo_ids(run), "undone_by": run.get("undone_by"), "run": run})
    return rows
