"""Conflicts, never overwrites: the version of a QBO object qbtui last wrote or accepted (its *baseline*), and the
check the engine makes before it sends an update.

A baseline is kept on each part of a link (``part["baseline"]``): QBO's SyncToken and a short hash of each field of
QBO's copy, taken from QBO's own answer when qbtui creates or updates the object, or from QBO's current copy when a
discrepancy is resolved (accepted, dismissed). A pull never moves it. Before an update goes out, the engine reads
QBO's current copy: the same SyncToken, or the same hashes for every field the update sends, means nothing of ours
was changed in QuickBooks (a payment applied moves the SyncToken and the balance, which qbtui does not send) and the
update goes out with the current SyncToken; a field we send that differs is a conflict: nothing is sent, the
document is ``conflict`` until ``qbtui discrepancies resolve``. A copy deleted in QuickBooks is a conflict too.

The words for a difference ("Total: ours 126.00, QuickBooks 120.00") are made here as well (:func:`field_rows`)."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal, InvalidOperation
from json.encoder import encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any

#: fields of a QBO object that never count: its identity and version, and what QBO derives on its own
IGNORED = frozenset({"Id", "SyncToken", "sparse", "MetaData", "domain", "status", "Balance", "HomeBalance",
                     "LinkedTxn", "EmailStatus", "PrintStatus", "time", "FullyQualifiedName",
                     "Level", "ParentRef", "BalanceWithJobs", "QtyOnHand", "InvStartDate"})
#: error code of a document held back
CONFLICT = "sync.conflict"
#: discrepancy kinds (reference kind ``discrepancies``) that may be resolved by ``qbtui discrepancies resolve``
KIND_CONFLICT = "conflict"


def _norm(value: Any) -> Any:
    """A field's value in a form that compares equal across QBO's answers: numbers as normalised decimals, a
    reference by its Id only (its name follows a rename of the contact or item)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float, Decimal)):
        try:
            return format(Decimal(str(value)).normalize(), "f")
        except InvalidOperation:
            return str(value)
    if isinstance(value, dict):
        if "value" in value and set(value) <= {"value", "name", "type"}:
            return {"value": str(value["value"])}
        return {k: v if type(v) is str else _norm(v) for k, v in sorted(value.items())
                if k not in ("LinkedTxn", "Id", "LineNum")}
    if isinstance(value, (list, tuple)):
        return [v if type(v) is str else _norm(v) for v in value]
    return str(value)


#: json.dumps(..., sort_keys=True, separators=(",", ":")) made once, not per field hashed
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"))


def _hash(value: Any) -> str:
    # a text field (most of them) is its own normal form: encoded as _CANONICAL.encode encodes a str
    text = encode_basestring_ascii(value) if type(value) is str else _CANONICAL.encode(_norm(value))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def fingerprint(obj: dict[str, Any]) -> dict[str, Any]:
    """The baseline of QBO's copy ``obj``: ``{"sync_token", "fields": {name: hash}}``."""
    return {"sync_token": str(obj.get("SyncToken", "0")),
            "fields": {k: _hash(v) for k, v in obj.items() if k not in IGNORED}}


def changed_fields(baseline: dict[str, Any], current: dict[str, Any], sent: list[str]) -> list[str]:
    """The fields of ``sent`` whose value in QBO's ``current`` copy differs from the baseline (a field the baseline
    does not know counts only when QBO's copy now has it)."""
    if str(current.get("SyncToken", "0")) == str(baseline.get("sync_token")):
        return []
    known = baseline.get("fields") or {}
    out = []
    for name in sent:
        if name in IGNORED:
            continue
        if name in known:
            if name not in current or _hash(current[name]) != known[name]:
                out.append(name)
    return out


# --- words ---------------------------------------------------------------------------------------------------------

FIELD_WORDS = {"TxnDate": "Date", "DocNumber": "Number", "CustomerRef": "Customer", "VendorRef": "Supplier",
               "TotalAmt": "Total", "Line amounts": "Total", "Line items": "Lines", "SyncToken": "Version",
               "DueDate": "Due date", "PrivateNote": "Memo", "DisplayName": "Name", "Name": "Name"}
_MONEY = frozenset({"TotalAmt", "Line amounts"})


def shown(value: Any, field: str = "") -> str:
    """A value in words: never a Python ``None`` (``(none)``), money with two decimals, lists joined."""
    if value is None or value == "" or value == []:
        return "(none)"
    if field in _MONEY or isinstance(value, Decimal):
        try:
            return format(Decimal(str(value)).quantize(Decimal("0.01")), "f")
        except InvalidOperation:
            return str(value)
    if isinstance(value, (list, tuple)):
        return "; ".join(shown(v) for v in value) or "(none)"
    if isinstance(value, dict):
        if "value" in value:
            return str(value.get("name") or value["value"])
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


def field_rows(differences: list[dict[str, Any]]) -> list[dict[str, str]]:
    """A discrepancy's differences (``{"field", "ours", "qbo"}``, as ``qbtui pull`` and the engine store them) as
    ``{"field", "ours", "quickbooks", "text"}`` in words: "Total: ours 126.00, QuickBooks 120.00"."""
    out = []
    for d in differences:
        raw = str(d.get("field") or "")
        name = FIELD_WORDS.get(raw, raw)
        ours, theirs = shown(d.get("ours"), raw), shown(d.get("qbo", d.get("quickbooks")), raw)
        out.append({"field": name, "ours": ours, "quickbooks": theirs,
                    "text": f"{name}: ours {ours}, QuickBooks {theirs}"})
    return out


def field_differences(ours: dict[str, Any], current: dict[str, Any], names: list[str]) -> list[dict[str, Any]]:
    """``{"field", "ours", "qbo"}`` for each named field of our body and QBO's copy (objects without owned fields:
    contacts and items)."""
    return [{"field": n, "ours": shown(ours.get(n)), "qbo": shown(current.get(n))} for n in names]


def listing(cache: Any) -> list[dict[str, Any]]:
    """Every open discrepancy as ``{"kind", "type", "ref", "qbo_id", "entity", "fields": [{"field", "ours",
    "quickbooks", "text"}], "text"}``: kind ``changed`` or ``deleted`` (seen by a pull), ``conflict`` (an update held
    back), or the tax check's kind; ``text`` is one line in words."""
    out = []
    for d in cache.reference("discrepancies", []) or []:
        if not isinstance(d, dict):
            continue
        fields = field_rows(d.get("differences") or [])
        kind = str(d.get("kind") or "changed")
        if d.get("qbo_deleted") or kind == "deleted":
            named = " ".join(str(d[k]) for k in ("entity", "id") if d.get(k))
            text = "deleted in QuickBooks" + (f" ({named})" if named else "")  # never a Python None
        else:
            text = "; ".join(f["text"] for f in fields) or str(d.get("message") or "changed in QuickBooks")
        if kind == KIND_CONFLICT:
            text = "held back, not sent: " + text
        out.append({"kind": kind, "type": str(d.get("type")), "ref": str(d.get("ref")), "qbo_id": str(d.get("id") or ""),
                    "entity": str(d.get("entity") or ""), "fields": fields, "text": text})
    return out
