"""Finding an object in QBO that a payload may already have created.

Used after an unknown outcome (a timeout, a dropped connection, a killed process between send and
record) before anything is sent again, and before creating contacts and items (link, never create
a second one). The keys are listed in docs/domain.md#finding-what-was-already-sent.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Protocol


class Queries(Protocol):
    async def query(self, sql: str) -> list[dict[str, Any]]: ...


def quote(value: str) -> str:
    """A string literal for QBO's query language (backslash-escaped single quotes)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


NAME_FIELD = {"Customer": "DisplayName", "Vendor": "DisplayName", "Item": "Name"}


def _same_amount(found: dict[str, Any], body: dict[str, Any]) -> bool:
    ours = body.get("TotalAmt")
    return ours is None or Decimal(str(found.get("TotalAmt", 0))) == Decimal(str(ours))


async def find_existing(client: Queries, entity: str, body: dict[str, Any]) -> dict[str, Any] | None:
    """The QBO object this create payload made, or None when QBO has none like it."""
    if entity in NAME_FIELD:
        field = NAME_FIELD[entity]
        found = await client.query(f"SELECT * FROM {entity} WHERE {field} = {quote(body[field])}")
        return found[0] if found else None
    if entity == "Payment":
        ref, date = body.get("PaymentRefNum"), body.get("TxnDate")
        if not ref or not date:
            return None
        found = await client.query(f"SELECT * FROM Payment WHERE TxnDate = {quote(date)}")
        customer = (body.get("CustomerRef") or {}).get("value")
        return next((p for p in found if p.get("PaymentRefNum") == ref and _same_amount(p, body)
                     and (p.get("CustomerRef") or {}).get("value") == customer), None)
    number = body.get("DocNumber")
    if not number:
        return None
    found = await client.query(f"SELECT * FROM {entity} WHERE DocNumber = {quote(number)}")
    vendor = (body.get("VendorRef") or {}).get("value")
    if vendor is not None:  # a supplier's invoice number is unique per supplier only
        found = [f for f in found if (f.get("VendorRef") or {}).get("value") == vendor]
    return found[0] if found else None


def lookup_key(entity: str, body: dict[str, Any]) -> tuple[str, str] | None:
    """(field, value) that identifies what this create payload makes, for lookups in bulk."""
    if entity in NAME_FIELD:
        value = body.get(NAME_FIELD[entity])
        return (NAME_FIELD[entity], str(value)) if value else None
    if entity == "Payment":
        return None
    number = body.get("DocNumber")
    return ("DocNumber", str(number)) if number else None


def _line_total(obj: dict[str, Any]) -> Decimal:
    """Sum of a transaction's detail lines (journal entries: the debits), for telling ours from another."""
    total = Decimal(0)
    for line in obj.get("Line") or ():
        kind = line.get("DetailType", "")
        if kind in ("SubTotalLineDetail", "DiscountLineDetail", "DescriptionOnly"):
            continue
        if kind == "JournalEntryLineDetail" and (line.get("JournalEntryLineDetail") or {}).get("PostingType") != "Debit":
            continue
        total += Decimal(str(line.get("Amount", 0)))
    return total


def same_document(found: dict[str, Any], entity: str, body: dict[str, Any]) -> bool:
    """Is ``found`` what this create payload made (or would make)? Same key; for transactions also the
    same date, supplier and line total, so that another object with the same number is never taken as ours."""
    key = lookup_key(entity, body)
    if key is None:
        return False
    field, value = key
    if str(found.get(field, "")).casefold() != value.casefold():
        return False
    if entity in NAME_FIELD:
        return True
    if body.get("TxnDate") and found.get("TxnDate") and str(found["TxnDate"])[:10] != str(body["TxnDate"])[:10]:
        return False
    vendor = (body.get("VendorRef") or {}).get("value")
    if vendor is not None and (found.get("VendorRef") or {}).get("value") != vendor:
        return False
    if body.get("Line") and found.get("Line") and _line_total(found) != _line_total(body):
        return False
    return True


async def find_many(client: Queries, entity: str, bodies: list[dict[str, Any]],
                    chunk: int = 100) -> list[dict[str, Any] | None]:
    """For each create payload body of ``entity``, the QBO object it made, or None: one query per
    ``chunk`` keys (``IN``), instead of one per payload."""
    out: list[dict[str, Any] | None] = [None] * len(bodies)
    if entity == "Payment":
        for i, body in enumerate(bodies):
            out[i] = await find_existing(client, entity, body)
        return out
    keyed = [(i, lookup_key(entity, b)) for i, b in enumerate(bodies)]
    keyed = [(i, k) for i, k in keyed if k is not None]
    if not keyed:
        return out
    field = keyed[0][1][0]
    values = list(dict.fromkeys(k[1] for _, k in keyed))
    rows: dict[str, list[dict[str, Any]]] = {}
    for start in range(0, len(values), chunk):
        part = values[start:start + chunk]
        found = await client.query(f"SELECT * FROM {entity} WHERE {field} IN ({', '.join(map(quote, part))}) "
                                   f"MAXRESULTS 1000")
        for row in found:
            rows.setdefault(str(row.get(field, "")).casefold(), []).append(row)
    for i, (_, value) in keyed:
        out[i] = next((r for r in rows.get(value.casefold(), ()) if same_document(r, entity, bodies[i])), None)
    return out


async def find_by_names(client: Queries, entity: str, names: list[str], chunk: int = 100) -> dict[str, dict[str, Any]]:
    """Existing QBO contacts/items by exact name, for linking before creating."""
    field = NAME_FIELD[entity]
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(names), chunk):
        part = names[start:start + chunk]
        rows = await client.query(f"SELECT * FROM {entity} WHERE {field} IN ({', '.join(map(quote, part))}) "
                                  f"MAXRESULTS 1000")
        for row in rows:
            out[row[field]] = row
    return out
