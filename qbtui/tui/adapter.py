"""What the dashboard's model reads from the cache beyond the documents: the gate statuses (tests compute
them here to compare with ``qbtui gates``) and the discrepancies ``qbtui pull`` found. Everything else the
TUI needs from below goes through the Backend (qbtui.tui.backend)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from qbtui.cache import Cache


def gate_statuses(cache: Cache) -> dict[tuple[str, str], tuple[str, list[dict]]]:
    """{(type, ref): (status, reasons)} for pending documents, from ``qbtui.sync.plan`` when it
    exists; {} otherwise (the cache's own statuses then stand)."""
    try:
        from qbtui.sync.plan import gate_statuses as real  # type: ignore[import-not-found]
    except ImportError:
        return {}
    result = real(cache)
    out: dict[tuple[str, str], tuple[str, list[dict]]] = {}
    for key, value in result.items():
        status, reasons = value
        out[tuple(key)] = (status, [_reason(r) for r in reasons or []])  # type: ignore[index]
    return out


def _reason(r: Any) -> dict:
    if isinstance(r, dict):
        return r
    if hasattr(r, "to_json"):  # a gate's Reason: the same dict `qbtui gates` sends (field and family included)
        return dict(r.to_json())
    out = {"code": getattr(r, "code", ""), "message": getattr(r, "message", str(r)), "hint": getattr(r, "hint", "")}
    if getattr(r, "field", None):
        out["field"] = r.field
    return out


def discrepancies(cache: Cache) -> list[dict]:
    """Documents whose QBO copy changed, vanished or has another total after sync, and updates held back as
    conflicts: ``qbtui discrepancies`` (qbtui.sync.conflicts.listing), each difference in words. ``kind`` is the
    Discrepancies sub-tab it shows on (:func:`family`), ``message`` the words."""
    from qbtui.sync.conflicts import listing


    return [{"type": r["type"], "ref": r["ref"], "kind": family(r["kind"], r["text"]), "message": r["text"],
             "hint": "o push ours, t take QBO's, s re-send, d dismiss", "fields": r["fields"],
             "qbo_id": r["qbo_id"], "entity": r["entity"]} for r in listing(cache)]


#: a discrepancy's kind -> the Discrepancies sub-tab it shows on (besides All)
FAMILY = {"tax_difference": "total", "total": "total", "deleted": "deleted", "changed": "changed",
          "conflict": "conflict"}


def family(kind: str, text: str = "") -> str:
    """The sub-tab a discrepancy shows on: deleted (in QuickBooks, a held conflict's too), changed, total (the tax
    check's), conflict."""
    if kind == "deleted" or text.removeprefix("held back, not sent: ").startswith("deleted in QuickBooks"):
        return "deleted"
    return FAMILY.get(kind, kind)



def summaries(cache: Cache) -> list[dict[str, Any]]:
    """The summaries QuickBooks holds, or may (the Summaries tab): one per summary reference the documents' links
    carry (qbtui.sync.summaries marks them), ``status`` ``summarized`` (posted: its QBO Id) or ``sending`` (marked, the
    answer not heard yet: looked up by the next sync). Each: ``ref``, ``base``, ``correction``, ``entity``, ``id``,
    ``status``, ``key`` (channel, kind, period, currency...), ``total`` (what its documents bring, to the cent),
    ``documents`` ([type, ref], sorted) and ``run`` (the run that posted it). Undone summaries are gone with their
    marks. Reads the links of summarized documents and the runs (call it in a thread)."""
    from qbtui.ledger.summaries import SummaryKey

    recorded: dict[str, dict[str, Any]] = {}
    for run in reversed(cache.runs()):  # oldest first: the newest record of a reference wins
        for s in run.get("summaries") or ():
            recorded[str(s.get("ref"))] = {**s, "run": run.get("id")}
    found: dict[str, dict[str, Any]] = {}

    def add(ref: str, key: dict | None, entity: Any, qbo_id: Any, posted: bool, doc: list[str],
            total: Any) -> None:
        s = found.get(ref)
        if s is None:
            record = recorded.get(ref) or {}
            key = key or record.get("key")
            k = SummaryKey.from_json(key) if key else None
            s = found[ref] = {"ref": ref, "base": k.base.ref if k else ref, "correction": k.correction if k else 0,
                              "entity": entity or record.get("entity"), "id": None, "status": "sending",
                              "key": key, "total": None, "parts_total": Decimal(0), "documents": {},
                              "run": record.get("run"), "recorded": record.get("total")}
        if qbo_id:
            s["id"] = str(qbo_id)
        if posted:
            s["status"] = "summarized"
        if total is not None:
            s["parts_total"] += Decimal(str(total))
        s["documents"][tuple(doc)] = None

    for link in cache.links(["summarized", "sending", "voided", "failed"]):
        mark = link.get("summary")
        if not mark:
            continue
        doc = [link["type"], link["ref"]]
        # a document's parts, each under its summary (a credit note's memo and refunds are in two), those a
        # correction took out since (still in the summary QuickBooks holds), those marked for the next one
        parts = [(r, True) for r in (*(mark.get("parts") or ()), *(mark.get("gone") or ()))] + \
            [(r, False) for r in mark.get("pending") or ()]
        for r, posted in parts:
            add(str(r["summary"]), r.get("key"), r.get("entity"), r.get("id"), posted,
                doc, (r.get("part") or {}).get("total"))
        if not parts and mark.get("ref"):  # one summary per document, as first recorded
            add(str(mark["ref"]), None, mark.get("entity"), mark.get("id"), link.get("status") == "summarized", doc,
                None)
    out = []
    for s in found.values():
        recorded_total = s.pop("recorded")
        parts_total = s.pop("parts_total")
        s["total"] = str(recorded_total) if recorded_total is not None else (str(parts_total) if parts_total else None)
        if s["id"] is None and s["ref"] in recorded:
            s["id"] = recorded[s["ref"]].get("id")
        s["documents"] = sorted(list(d) for d in s["documents"])
        out.append(s)
    return sorted(out, key=lambda s: (s["base"], s["correction"]))
