"""Discrepancies that can be acted on (``qbtui discrepancies``): listed in words, and resolved one of four ways, each
a run of kind ``resolve`` in the audit log (who, when, what, the note):

* ``push``: send our version again over QuickBooks' changes (a sparse update with QBO's current SyncToken);
* ``accept``: QuickBooks' version becomes the truth: the document is stored as QBO has it
  (:func:`qbtui.sync.inbound.accept_version`, written by ``qbtui export``) and the baseline moves to QBO's copy;
* ``resend``: a document deleted in QuickBooks is sent again as a new QBO object (the old Id kept in the link's
  ``replaced`` list and its history);
* ``dismiss``: nothing is sent or changed, the note says why; a held conflict's baseline moves to QBO's copy (its
  changes are acknowledged) and the document counts as synced.

Where discrepancies come from: ``qbtui pull`` (a synced document changed or deleted in QuickBooks), the engine (an
update held back as a ``conflict``: qbtui/sync/conflicts.py) and the tax check (qbtui/sync/taxcheck.py). They are
kept in the reference kind ``discrepancies``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from qbtui.cache import Cache
from qbtui.errors import FAULT_INACTIVE_REFERENCE
from qbtui.qbo import QBOClient, QBOFault
from qbtui.sync import conflicts
from qbtui.sync.inbound import plain_number
from qbtui.sync.runs import now_iso, who

ACTIONS = ("push", "accept", "resend", "dismiss")
KIND = "discrepancies"


class ResolveError(ValueError):
    """A resolution that cannot be made (no such discrepancy, a kind it does not fit): nothing was changed."""


def _items(cache: Cache) -> list[dict[str, Any]]:
    return [d for d in cache.reference(KIND, []) or [] if isinstance(d, dict)]


def _kind(d: dict[str, Any]) -> str:
    return "deleted" if d.get("qbo_deleted") else str(d.get("kind") or "changed")


listing = conflicts.listing  # (in conflicts.py, which reaches no QuickBooks client: the dashboard reads it too)


def _of(cache: Cache, doc_type: str, ref: str) -> list[dict[str, Any]]:
    return [d for d in _items(cache) if d.get("type") == doc_type and d.get("ref") == ref]


def _forget(cache: Cache, doc_type: str, ref: str) -> None:
    cache.put_reference(KIND, [d for d in _items(cache) if not (d.get("type") == doc_type and d.get("ref") == ref)])


def check(cache: Cache, doc_type: str, ref: str, action: str) -> list[dict[str, Any]]:
    """The discrepancies of the document that ``action`` resolves; ResolveError when there is none or the action
    does not fit (push or accept of a copy deleted in QuickBooks, resend of one that still exists)."""
    if action not in ACTIONS:
        raise ResolveError(f"unknown resolution {action!r} (one of {', '.join(ACTIONS)})")
    found = _of(cache, doc_type, ref)
    link = cache.link(doc_type, ref)
    if not found and not (link and link.get("status") == "conflict"):
        raise ResolveError(f"{doc_type} {ref!r} has no discrepancy (`qbtui discrepancies` lists them)")
    if action == "dismiss":
        return found
    if doc_type == "summary":  # a summarized channel's summary (qbtui/sync/summaries.py): never edited by qbtui
        raise ResolveError(f"summary {ref!r} is never sent again nor taken from QuickBooks (a change of its documents "
                           "posts a correction): put it right in QuickBooks, then dismiss it with a note")
    if link is None or not any(q.get("id") for q in link.get("qbo") or ()):
        raise ResolveError(f"{doc_type} {ref!r} is not linked to a QuickBooks object: nothing to {action}")
    deleted = any(_kind(d) == "deleted" for d in found)
    if action in ("push", "accept") and deleted:
        raise ResolveError(f"{doc_type} {ref!r} was deleted in QuickBooks: re-send it (--resend) or dismiss it")
    if action == "resend" and not deleted:
        raise ResolveError(f"{doc_type} {ref!r} still exists in QuickBooks: push ours (--push), accept QuickBooks' "
                           "version (--accept) or dismiss it")
    return found


def _run(cache: Cache, action: str, doc_type: str, ref: str, note: str | None,
         found: list[dict[str, Any]]) -> str:
    return cache.add_run({"kind": "resolve", "who": who(), "started": now_iso(), "ended": None, "counts": {},
                          "created": [], "resolution": _resolution(action, doc_type, ref, note, found)})


def _resolution(action: str, doc_type: str, ref: str, note: str | None,
                found: list[dict[str, Any]]) -> dict[str, Any]:
    return {"action": action, "type": doc_type, "ref": ref, "note": note or "",
            "discrepancies": [{"kind": _kind(d), "entity": d.get("entity"), "id": d.get("id"),
                               "fields": conflicts.field_rows(d.get("differences") or [])} for d in found]}


async def _read(client: QBOClient, entity: str, qbo_id: str) -> dict[str, Any] | None:
    try:
        return await client.read(entity, qbo_id)
    except QBOFault as fault:
        if fault.code == FAULT_INACTIVE_REFERENCE:  # 610 Object Not Found: deleted in QuickBooks
            return None
        raise


async def _rebase(cache: Cache, client: QBOClient, doc_type: str, ref: str, run_id: str,
                  status: str = "synced") -> None:
    """Move the baseline of each part still in QuickBooks to QBO's current copy; the link ``status``."""
    link = cache.link(doc_type, ref) or {}
    parts = []
    for q in link.get("qbo") or ():
        q = dict(q)
        if q.get("id") and q.get("origin") != "quickbooks":
            now = await _read(client, str(q["entity"]), str(q["id"]))
            if now is not None:
                q["sync_token"] = str(now.get("SyncToken", "0"))
                q["baseline"] = conflicts.fingerprint(now)
        parts.append(q)
    cache.record_outcomes([{"type": doc_type, "ref": ref, "status": status, "qbo": parts, "run": run_id,
                            "error": None}])


# --- QuickBooks' version as a document ----------------------------------------------------------------------------



def _refs_by_id(cache: Cache, doc_type: str, entity: str) -> dict[str, str]:
    return {str(q["id"]): link["ref"] for link in cache.links() if link["type"] == doc_type
            for q in link.get("qbo") or () if q.get("entity") == entity and q.get("id")}


_LINES = {"sale_invoice": ("Invoice", "SalesItemLineDetail", "unit_price", "CustomerRef", "customer", "customer"),
          "supplier_invoice": ("Bill", "ItemBasedExpenseLineDetail", "unit_cost", "VendorRef", "supplier",
                               "supplier")}


def quickbooks_version(cache: Cache, doc_type: str, data: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """Our document as QuickBooks now has it: its date, due date, counterparty and item lines taken from QBO's
    copy ``row`` (what a line of ours says beyond item, quantity and price is kept). Invoices and bills only."""
    if doc_type not in _LINES:
        raise ResolveError(f"QuickBooks' version of a {doc_type} cannot be taken over as a document (invoices and "
                           "bills can): push ours (--push) or dismiss it with a note")
    _, detail_kind, price_field, party_ref, party_type, party_field = _LINES[doc_type]
    items = _refs_by_id(cache, "product", "Item")
    ours = list(data.get("lines") or [])
    lines = []
    for line in row.get("Line") or ():
        if line.get("DetailType") != detail_kind:
            continue
        detail = line.get(detail_kind) or {}
        item = detail.get("ItemRef") or {}
        sku = items.get(str(item.get("value"))) or item.get("name")
        if not sku:
            continue
        qty = Decimal(str(detail.get("Qty") or 1))
        price = detail.get("UnitPrice")
        if price is None:
            price = Decimal(str(line.get("Amount") or 0)) / qty if qty else Decimal(0)
        base = ours[len(lines)] if len(lines) < len(ours) and ours[len(lines)].get("sku") == sku else {}
        lines.append({**base, "sku": sku, "quantity": plain_number(qty), price_field: plain_number(price)})
    out = {**data, "lines": lines}
    if row.get("TxnDate"):
        out["invoice_date"] = str(row["TxnDate"])[:10]
    if row.get("DueDate"):
        out["due_date"] = str(row["DueDate"])[:10]
    party = _refs_by_id(cache, party_type, "Customer" if party_type == "customer" else "Vendor").get(
        str((row.get(party_ref) or {}).get("value")))
    if party:
        out[party_field] = party
    return out


# --- the four resolutions ---------------------------------------------------------------------------------------

async def resolve(cache: Cache, client: QBOClient, doc_type: str, ref: str, action: str, *,
                  note: str | None = None, on_event: Any = None) -> dict[str, Any]:
    """Resolve the discrepancies of one document (see the module docstring); returns ``{"run", "action", "type",
    "ref", "status", "documents"}`` (``documents``: the sync report of a push or resend). ResolveError: nothing
    was changed."""
    found = check(cache, doc_type, ref, action)
    if action in ("push", "resend"):
        return await _send_again(cache, client, doc_type, ref, action, note, found, on_event)
    run_id = _run(cache, action, doc_type, ref, note, found)
    try:
        if action == "accept":
            await _accept(cache, client, doc_type, ref, run_id, found)
        elif (cache.link(doc_type, ref) or {}).get("status") == "conflict":
            await _rebase(cache, client, doc_type, ref, run_id)  # dismissed: QuickBooks' copy acknowledged
    except BaseException as exc:
        cache.update_run(run_id, ended=now_iso(), error=str(exc) or type(exc).__name__)
        raise
    _forget(cache, doc_type, ref)
    cache.update_run(run_id, ended=now_iso(), counts={"resolved": 1})
    return {"run": run_id, "action": action, "type": doc_type, "ref": ref,
            "status": "dismissed" if doc_type == "summary" else cache.status_of(doc_type, ref), "documents": []}


async def _accept(cache: Cache, client: QBOClient, doc_type: str, ref: str, run_id: str,
                  found: list[dict[str, Any]]) -> None:
    from qbtui.sync.inbound import accept_version

    record = cache.get(doc_type, ref)
    link = cache.link(doc_type, ref) or {}
    entity = _LINES.get(doc_type, ("",))[0]
    part = next((q for q in link.get("qbo") or () if q.get("entity") == entity and q.get("id")), None)
    if record is None or part is None:
        raise ResolveError(f"QuickBooks' version of {doc_type} {ref!r} cannot be taken over as a document "
                           "(invoices and bills can): push ours (--push) or dismiss it with a note")
    row = await _read(client, entity, str(part["id"]))
    if row is None:
        raise ResolveError(f"{doc_type} {ref!r} was deleted in QuickBooks: re-send it (--resend) or dismiss it")
    accept_version(cache, doc_type, ref, quickbooks_version(cache, doc_type, record["data"], row))
    await _rebase(cache, client, doc_type, ref, run_id)


async def _send_again(cache: Cache, client: QBOClient, doc_type: str, ref: str, action: str, note: str | None,
                      found: list[dict[str, Any]], on_event: Any) -> dict[str, Any]:
    """Push (ours over QuickBooks' changes) or resend (new QBO objects for those deleted there): a sync of this one
    document, as a run of kind ``resolve``."""
    from qbtui.sync.engine import SyncEngine

    link = cache.link(doc_type, ref) or {}
    parts, replaced = [], list(link.get("replaced") or [])
    for q in link.get("qbo") or ():
        if action == "resend" and q.get("id") and await _read(client, str(q["entity"]), str(q["id"])) is None:
            replaced.append({"entity": q["entity"], "id": q["id"], "at": now_iso(), "why": "deleted in QuickBooks"})
        else:
            parts.append(q)
    outcome: dict[str, Any] = {"type": doc_type, "ref": ref, "status": "failed", "qbo": parts, "synced_rev": None,
                               "error": {"code": f"resolve.{action}", "message": "sent again to resolve a discrepancy",
                                         "detail": "", "hint": ""}}
    if action == "resend":
        outcome["replaced"] = replaced
    cache.record_outcomes([outcome])  # planned again: an update of what is in QuickBooks, a create of what is not
    engine = SyncEngine(cache, client, on_event=on_event)
    report = await engine.sync(keys={(doc_type, ref)}, kind="resolve", overwrite={(doc_type, ref)})
    status = next((d["status"] for d in report.documents if (d["type"], d["ref"]) == (doc_type, ref)), "pending")
    cache.update_run(report.run["id"], who=who(), resolution=_resolution(action, doc_type, ref, note, found))
    if status == "synced":
        _forget(cache, doc_type, ref)
    return {"run": report.run["id"], "action": action, "type": doc_type, "ref": ref, "status": status,
            "documents": report.documents}


def dry_run_conflicts(cache: Cache, planned: list[Any], types: set[str] | None = None, refs: set[str] | None = None,
                      keys: set[tuple[str, str]] | None = None) -> list[dict[str, Any]]:
    """What ``qbtui sync --dry-run`` names as conflicts (offline: it reads nothing from QuickBooks): documents of the
    selection held back (``"status": "conflict"``), and planned updates of documents a pull saw changed or deleted in
    QuickBooks (``"status": "will_conflict"``: the sync reads QBO's copy and holds them back unless it is the
    same again). Each ``{"type", "ref", "status", "text", "fields"}``."""
    by_doc: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in listing(cache):
        by_doc.setdefault((row["type"], row["ref"]), []).append(row)
    out = []
    for link in cache.links(["conflict"]):
        key = (link["type"], link["ref"])
        if (types or refs or keys) and not (key in (keys or ()) or ((types or refs) and (not types or key[0] in types)
                                                                      and (not refs or key[1] in refs))):
            continue
        rows = by_doc.get(key) or []
        text = "; ".join(r["text"] for r in rows) or str((link.get("error") or {}).get("message") or "")
        out.append({"type": key[0], "ref": key[1], "status": "conflict", "text": text,
                    "fields": [f for r in rows for f in r["fields"]]})
    for p in planned:
        rows = [r for r in by_doc.get((p.type, p.ref)) or [] if r["kind"] in ("changed", "deleted")]
        if p.status == "ready" and rows and any(pl.operation == "update" for pl in p.payloads):
            out.append({"type": p.type, "ref": p.ref, "status": "will_conflict",
                        "text": "; ".join(r["text"] for r in rows), "fields": [f for r in rows for f in r["fields"]]})
    return out
