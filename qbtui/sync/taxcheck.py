"""After a create: QBO's TotalAmt and TotalTax against the ledger's (ledger.tax, ``Payload.expected``).

QBO computes tax itself and does not take sent amounts (docs/qbo.md#tax-by-region), so a difference of a cent or
more is possible; each is kept as a discrepancy of kind ``tax_difference`` with both figures (the Discrepancies tab,
where ``qbtui pull`` keeps its own), never hidden."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from qbtui.ledger.payload import Payload
from qbtui.timestamps import now_iso

KIND = "tax_difference"
CENT = Decimal("0.01")


def _figure(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)).quantize(CENT) if value is not None else None
    except (InvalidOperation, ValueError):
        return None


def differences(payload: Payload, obj: dict[str, Any]) -> list[dict[str, Any]]:
    """The figures in which QBO's answer ``obj`` differs from the ledger's by a cent or more, and its TotalTax from
    the document's own ``tax_total`` (the inventory side's figure) when the file gives one."""
    if not payload.expected or payload.operation != "create":
        return []
    qbo = {"TotalAmt": _figure(obj.get("TotalAmt")),
           "TotalTax": _figure((obj.get("TxnTaxDetail") or {}).get("TotalTax", 0 if "TotalAmt" in obj else None))}
    out = []
    for name, ours in payload.expected.items():
        theirs = qbo.get("TotalTax" if name == "StatedTax" else name)
        if theirs is not None and abs(theirs - ours) >= CENT:
            field = "TotalTax (the document's tax_total)" if name == "StatedTax" else name
            out.append({"field": field, "ours": str(ours), "qbo": str(theirs)})
    return out


def discrepancy(type_: str, ref: str, payload: Payload, obj: dict[str, Any],
                found: list[dict[str, Any]]) -> dict[str, Any]:
    figures = "; ".join(f"{d['field']}: ours {d['ours']}, QBO {d['qbo']}" for d in found)
    return {"type": type_, "ref": ref, "entity": payload.entity, "id": str(obj.get("Id", "")), "kind": KIND,
            "differences": found, "message": f"QuickBooks computed other figures than the inventory side: {figures}",
            "hint": "QuickBooks computes tax itself: check the tax codes and rates mapped (qbtui map --json) and the "
                    "document's prices; fix it in QuickBooks or in the inventory system",
            "seen": now_iso()}


def record(cache: Any, items: list[dict[str, Any]]) -> None:
    """Add ``items`` to the discrepancies ``qbtui pull`` keeps (the reference kind ``discrepancies``), replacing an
    earlier one of the same object."""
    if not items:
        return
    keys = {(i["type"], i["ref"], i["id"]) for i in items}
    kept = [d for d in cache.reference("discrepancies", []) or []
            if not (isinstance(d, dict) and (d.get("type"), d.get("ref"), d.get("id", "")) in keys
                    and d.get("kind") == KIND)]
    cache.put_reference("discrepancies", kept + items)
