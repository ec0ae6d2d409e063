"""What the ledger produces: one QBO entity body per payload, amounts kept as Decimal."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

Operation = Literal["create", "update", "delete", "void"]


@dataclass(frozen=True)
class Payload:
    """One request's worth: ``entity`` (QBO name, e.g. "Invoice"), ``operation``, ``body`` (Decimal
    amounts), ``key`` telling the parts of one document apart ("doc", "refund:RF-1", "deposit:paid")."""

    entity: str
    operation: Operation
    body: dict[str, Any]
    key: str = "doc"
    doc_number: str | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {"entity": self.entity, "operation": self.operation, "body": jsonable(self.body)}


def json_number(value: Decimal) -> int | float:
    """A Decimal as a JSON number: integral -> int, else float (its repr is the shortest decimal
    that round-trips, so Decimal("24.60") prints as 24.6, exactly)."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def jsonable(obj: Any) -> Any:
    """Deep copy with Decimals turned into JSON numbers."""
    if isinstance(obj, Decimal):
        return json_number(obj)
    if isinstance(obj, dict):
        return {k: jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    return obj
