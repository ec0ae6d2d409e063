"""Finding an object in QBO that a payload may already have created.

Used after an unknown outcome (a timeout, a dropped connection, a killed process between send and
record) before anything is sent again, and before creating contacts and items (link, never create
a second one). The keys are those of DOMAIN.md section 3's "lookup key after an unknown outcome".
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


async def find_by_names(client: Queries, entity: str, names: list[str], chunk: int = 30) -> dict[str, dict[str, Any]]:
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
