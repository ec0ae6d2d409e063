"""What the ledger produces: one QBO entity body per payload, amounts kept as Decimal.

Two ways out: :func:`wire` for the request body sent to QuickBooks (every Decimal written as a JSON
number with its exact digits, never through a float), :func:`jsonable` for what qbtui shows or
prints as JSON (dry runs, lookups)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

import orjson

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
    after: str | None = field(default=None, compare=False)
    """The key of an earlier part of the same document whose QBO Id this body names through :func:`part_id`
    placeholders: the engine sends the two one after the other and puts the Id in (:func:`resolve_parts`)."""
    expected: dict[str, Decimal] | None = field(default=None, compare=False)
    """QBO's figures as the ledger expects them after a create ({"TotalAmt", "TotalTax"}, either may be missing:
    not foreseeable); the sync compares QBO's answer with them (a cent or more apart: a ``tax_difference``)."""
    tax: dict[str, Any] | None = field(default=None, compare=False)
    """What the dry run shows of the tax (ledger.tax.summary): each line's code and tax, the tax and total
    expected; None when no line has a tax code in a US (or not yet known) company."""

    def to_json(self) -> dict[str, Any]:
        out = {"entity": self.entity, "operation": self.operation, "body": jsonable(self.body)}
        if self.tax is not None:
            out["tax"] = jsonable(self.tax)
        return out

    def wire_body(self) -> dict[str, Any]:
        """The body as sent to QuickBooks (exact numbers, see :func:`wire`)."""
        return wire(self.body)


def json_number(value: Decimal) -> int | float | str:
    """A Decimal as a JSON number for display: integral -> int, else float when the float's shortest form is
    the same number (Decimal("24.60") -> 24.6, exactly); a number a float cannot hold exactly (more than 15
    significant digits) stays a string of its exact digits rather than lose any."""
    if not value.is_finite():
        return str(value)
    if value == value.to_integral_value() and value.adjusted() < 30:
        return int(value)
    as_float = float(value)
    if Decimal(repr(as_float)) == value:
        return as_float
    return str(value)


def jsonable(obj: Any) -> Any:
    """Deep copy with Decimals turned into JSON numbers (:func:`json_number`): for display and lookups."""
    if isinstance(obj, Decimal):
        return json_number(obj)
    if isinstance(obj, dict):
        return {k: jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    return obj


def exact_number(value: Decimal) -> orjson.Fragment:
    """A finite Decimal as a JSON number with exactly its digits ("123456789.123456", never a float's
    rounding): an orjson fragment, written as is by ``orjson.dumps``."""
    if not value.is_finite():
        raise ValueError(f"{value} is not a number QuickBooks accepts")
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # a finite Decimal's exponent ('n', 'N', 'F' are NaN and infinity)
    text = format(value, "f") if -40 <= exponent <= 40 else str(value)  # plain digits unless absurd (gated anyway)
    return orjson.Fragment(text.encode())


def wire(obj: Any) -> Any:
    """Deep copy for the request body sent to QuickBooks: every Decimal an exact JSON number
    (:func:`exact_number`); serialize it with orjson."""
    if isinstance(obj, Decimal):
        return exact_number(obj)
    if isinstance(obj, dict):  # text and plain numbers as they are, without a call each
        return {k: v if type(v) in _AS_IS else wire(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [v if type(v) in _AS_IS else wire(v) for v in obj]
    return obj


#: what :func:`wire` gives back unchanged
_AS_IS = frozenset({str, int, float, bool, type(None)})


PART_PREFIX = "@part:"


def part_id(key: str) -> str:
    """Where a body names the QBO Id of its document's part ``key`` before that part exists (e.g. a supplier
    deposit's bill payment naming the deposit's applied journal): ``"@part:<key>"``."""
    return f"{PART_PREFIX}{key}"


def unresolved_parts(obj: Any) -> set[str]:
    """The part keys ``obj`` still names through :func:`part_id` placeholders."""
    found: set[str] = set()
    todo = [obj]
    while todo:  # a loop, not a call per value: every body sent is looked at
        node = todo.pop()
        if isinstance(node, str):
            if node.startswith(PART_PREFIX):
                found.add(node[len(PART_PREFIX):])
        elif isinstance(node, dict):
            todo.extend(node.values())
        elif isinstance(node, (list, tuple)):
            todo.extend(node)
    return found


def _fill(obj: Any, ids: dict[str, str]) -> Any:
    if isinstance(obj, str) and obj.startswith(PART_PREFIX):
        return ids.get(obj[len(PART_PREFIX):], obj)
    if isinstance(obj, dict):
        return {k: _fill(v, ids) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_fill(v, ids) for v in obj]
    return obj


def resolve_parts(payload: Payload, ids: dict[str, str]) -> Payload:
    """``payload`` with every placeholder of a part in ``ids`` (part key -> QBO Id) replaced by that Id."""
    if not unresolved_parts(payload.body):
        return payload
    body = _fill(payload.body, ids)
    return Payload(payload.entity, payload.operation, body, payload.key, payload.doc_number,
                   payload.after if unresolved_parts(body) else None, payload.expected, payload.tax)
