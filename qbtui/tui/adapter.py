"""What the dashboard's model reads from the cache beyond the documents: the gate statuses (tests compute
them here to compare with ``qbtui gates``) and the discrepancies ``qbtui pull`` found. Everything else the
TUI needs from below goes through the Backend (qbtui.tui.backend)."""

from __future__ import annotations

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
