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
    """Documents whose QBO copy changed, vanished or has another total after sync.

    Source: the reference kind ``discrepancies`` written by ``qbtui pull`` (a list of
    {"type", "ref", "kind": "changed"|"deleted"|"total", "message", "differences": [..]}), and the
    ``tax_difference`` ones a sync records after a create (qbtui.sync.taxcheck: QBO's TotalAmt or TotalTax and ours,
    both figures in ``differences`` and in the message).
    """
    items = cache.reference("discrepancies", []) or []
    out = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or "type" not in item or "ref" not in item:
            continue
        kind = str(item.get("kind") or "changed")
        diffs = item.get("differences") or []
        msg = item.get("message") or "; ".join(
            f"{d.get('field')}: ours {d.get('ours')!s}, QBO {d.get('qbo')!s}" for d in diffs if isinstance(d, dict))
        out.append({"type": item["type"], "ref": item["ref"], "kind": kind,
                    "message": msg or {"deleted": "deleted in QuickBooks", "changed": "changed in QuickBooks",
                                       "total": "QuickBooks total differs",
                                       "tax_difference": "QuickBooks' tax or total differs from ours"}.get(kind, kind),
                    "hint": item.get("hint") or "pull, then re-sync or accept the QBO copy",
                    "differences": diffs})
    return out
