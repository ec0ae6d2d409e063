"""Small helpers shared by the maintenance functions: money, dates, range queries, link index."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from qbtui.qbo import QBOClient

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

#: QBO transactions that touch the books (what reconciliation reads); Estimate/PurchaseOrder do not post
POSTING_ENTITIES = ("Invoice", "CreditMemo", "RefundReceipt", "Payment", "Bill", "VendorCredit", "BillPayment",
                    "JournalEntry")
#: docs/qbo.md#undoing: void through the API where QBO allows it, else delete
VOID_IN_API = frozenset({"Invoice", "Payment", "BillPayment", "SalesReceipt"})


def money(value: Any) -> Decimal:
    if value is None or value == "":
        return ZERO
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_day(text: str | date, what: str = "date") -> date:
    if isinstance(text, date):
        return text
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        raise ValueError(f"{what}: {text!r} is not a date; write YYYY-MM-DD") from None


def check_range(start: str | date, end: str | date) -> tuple[date, date]:
    d1, d2 = parse_day(start, "--from"), parse_day(end, "--to")
    if d2 < d1:
        raise ValueError(f"--to {d2} is before --from {d1}")
    return d1, d2


def in_range(day: Any, d1: date, d2: date) -> bool:
    if not day:
        return False
    try:
        d = date.fromisoformat(str(day)[:10])
    except ValueError:
        return False
    return d1 <= d <= d2


async def query_range(client: QBOClient, entity: str, d1: date, d2: date) -> list[dict[str, Any]]:
    """Every ``entity`` with TxnDate in [d1, d2] (inclusive), all pages."""
    return await client.query_all(entity, f"TxnDate >= '{d1.isoformat()}' AND TxnDate <= '{d2.isoformat()}'")


def link_index(links: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """(entity, QBO Id) -> {"type", "ref", "status", "key", "sync_token"} for every QBO object a link names."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for link in links:
        for part in link.get("qbo") or ():
            if part.get("id"):
                out[(part["entity"], str(part["id"]))] = {
                    "type": link["type"], "ref": link["ref"], "status": link.get("status"),
                    "key": part.get("key") or "doc", "sync_token": part.get("sync_token")}
    return out


def is_voided(obj: Mapping[str, Any]) -> bool:
    """QBO keeps a voided transaction with zero amounts and "Voided" in its PrivateNote."""
    note = str(obj.get("PrivateNote") or "")
    return note.startswith("Voided") and money(obj.get("TotalAmt")) == ZERO


def amount_text(value: Any) -> str:
    return f"{money(value):,.2f}"
