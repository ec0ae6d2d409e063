"""Finding an object in QBO that a payload may already have created.

Used after an unknown outcome (a timeout, a dropped connection, a killed process between send and
record) and after an answer that may hide our own earlier create (6140 duplicate number, 6240 duplicate
name, a payment refused as an overpayment), before anything is sent again; and before creating contacts
and items (link, never create a second one). The keys are listed in
docs/domain.md#finding-what-was-already-sent: DisplayName / Name, DocNumber, and a payment's
PaymentRefNum (QBO offers no filter on a Payment's DocNumber; docs/qbo.md says what is known of the
filter). Every lookup is one ``IN`` query per 100 keys, paged to the end (STARTPOSITION / MAXRESULTS
1000), so that it finds its object whatever the day's volume.

A transaction found by its key is taken as ours only when it is what the payload makes: the same
date, counterparty (customer or vendor), total and linked transactions, and, but for a payment, our
full reference in the memo field it travels in (docs/domain.md#references: CustomerMemo on sales
forms, PrivateNote on the others). A number, a date and a total alone never make it ours.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from typing import Any, Protocol

from qbtui.qbo import CompanyFault, QBOFault


class Queries(Protocol):
    async def query_all(self, entity: str, where: str = "", *, page_size: int = 1000) -> list[dict[str, Any]]: ...


def quote(value: str) -> str:
    """A string literal for QBO's query language (backslash-escaped single quotes)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


NAME_FIELD = {"Customer": "DisplayName", "Vendor": "DisplayName", "Item": "Name"}
PAYMENT_ENTITIES = frozenset({"Payment", "BillPayment"})
SALES_FORMS = frozenset({"Invoice", "Estimate", "CreditMemo", "RefundReceipt", "SalesReceipt"})
IN_CHUNK = 100
QUERY_REFUSED = frozenset({"4000", "4001"})  # QBO's QueryParserError / QueryValidationError ("not queryable")


def memo_field(entity: str) -> str:
    """Where our full reference travels (docs/domain.md#references): CustomerMemo on sales forms, else
    PrivateNote."""
    return "CustomerMemo" if entity in SALES_FORMS else "PrivateNote"


def lookup_key(entity: str, body: dict[str, Any]) -> tuple[str, str] | None:
    """(field, value) that identifies what this create payload makes, for lookups in bulk. A Payment is
    found by PaymentRefNum (our reference): QBO offers no filter on a Payment's DocNumber."""
    field = NAME_FIELD.get(entity) or ("PaymentRefNum" if entity == "Payment" else "DocNumber")
    value = body.get(field)
    return (field, str(value)) if value else None


def _text(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("value")
    return str(value or "").strip()


def _ref_id(obj: dict[str, Any], field: str) -> str | None:
    ref = obj.get(field)
    return str(ref.get("value")) if isinstance(ref, dict) and ref.get("value") is not None else None


def _amount(value: Any) -> Decimal:
    return Decimal(str(value if value is not None else 0))


def _line_total(obj: dict[str, Any]) -> Decimal:
    """Sum of a transaction's detail lines (journal entries: the debits)."""
    total = Decimal(0)
    for line in obj.get("Line") or ():
        kind = line.get("DetailType", "")
        if kind in ("SubTotalLineDetail", "DiscountLineDetail", "DescriptionOnly"):
            continue
        if kind == "JournalEntryLineDetail" and (line.get("JournalEntryLineDetail") or {}).get("PostingType") != "Debit":
            continue
        total += _amount(line.get("Amount"))
    return total


def _linked_txns(obj: dict[str, Any]) -> Counter[tuple[str, str, Decimal]]:
    """(TxnType, TxnId, line amount) of every LinkedTxn on a payment's lines."""
    return Counter((str(t.get("TxnType")), str(t.get("TxnId")), _amount(line.get("Amount")))
                   for line in obj.get("Line") or () for t in line.get("LinkedTxn") or ())


def _applies_credit(entity: str, body: dict[str, Any]) -> bool:
    """A Payment of total 0 linking a credit memo: a credit note's application, sent capped at its invoice's open
    balance (qbtui/sync/credits.py, cap_application), so QBO's copy may apply less than the planned body."""
    return entity == "Payment" and "TotalAmt" in body and _amount(body["TotalAmt"]) == 0 and any(
        t == "CreditMemo" for t, _, _ in _linked_txns(body))


def _within(found: Counter[tuple[str, str, Decimal]], planned: Counter[tuple[str, str, Decimal]]) -> bool:
    """The same transactions linked, each for at most the planned amount."""
    most = {(t, i): a for t, i, a in planned}
    got = {(t, i): a for t, i, a in found}
    return got.keys() == most.keys() and all(0 < got[k] <= most[k] for k in most)


def same_document(found: dict[str, Any], entity: str, body: dict[str, Any], *, renumbered: bool = False) -> bool:
    """Is ``found`` what this create payload made (or would make)? Same key; for a transaction also the same
    date, counterparty, total and linked transactions, and (but for a payment, found by our reference
    itself) our full reference in its memo field. ``renumbered``: a sales form whose DocNumber QBO may have
    given itself (CustomTxnNumbers off): the number is not compared, our reference in the memo is."""
    key = lookup_key(entity, body)
    if key is None:
        return False
    field, value = key
    if renumbered and entity in SALES_FORMS:
        pass
    elif str(found.get(field, "")).casefold() != value.casefold():
        return False
    if entity in NAME_FIELD:
        return True
    if body.get("TxnDate") and str(found.get("TxnDate", ""))[:10] != str(body["TxnDate"])[:10]:
        return False
    for party in ("CustomerRef", "VendorRef"):
        if party in body and _ref_id(found, party) != _ref_id(body, party):
            return False
    if "TotalAmt" in body:
        if _amount(found.get("TotalAmt")) != _amount(body["TotalAmt"]):
            return False
    elif _line_total(found) != _line_total(body):
        return False
    if _applies_credit(entity, body):
        if not _within(_linked_txns(found), _linked_txns(body)):
            return False
    elif _linked_txns(body) - _linked_txns(found):  # it pays what ours pays (QBO may have applied a credit too)
        return False
    if entity != "Payment":
        ours = _text(body.get(memo_field(entity)))
        if not ours or _text(found.get(memo_field(entity))) != ours:
            return False
    return True


async def _rows_by_key(client: Queries, entity: str, field: str, values: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Every QBO object of ``entity`` whose ``field`` is one of ``values`` (case-blind), by folded value: one
    ``IN`` query per 100 values, each paged to the end."""
    rows: dict[str, list[dict[str, Any]]] = {}
    values = list(dict.fromkeys(values))
    for start in range(0, len(values), IN_CHUNK):
        part = values[start:start + IN_CHUNK]
        for row in await client.query_all(entity, f"{field} IN ({', '.join(map(quote, part))})"):
            rows.setdefault(str(row.get(field, "")).casefold(), []).append(row)
    return rows


async def find_many(client: Queries, entity: str, bodies: list[dict[str, Any]], *,
                    renumbered: bool = False) -> list[dict[str, Any] | None]:
    """For each create payload body of ``entity``, the QBO object it made, or None; in bulk. One QBO object is
    given to one body at most. ``renumbered`` (the company's CustomTxnNumbers is off): a sales form not found by its
    DocNumber is looked for among the forms of its date, by our reference in its memo (QBO numbers a form itself
    when custom numbers are off; a duplicate number is never refused then, so nothing relies on a 6140)."""
    out: list[dict[str, Any] | None] = [None] * len(bodies)
    keyed = [(i, k) for i, k in ((i, lookup_key(entity, b)) for i, b in enumerate(bodies)) if k is not None]
    if not keyed:
        return out
    try:
        rows = await _rows_by_key(client, entity, keyed[0][1][0], [k[1] for _, k in keyed])
    except QBOFault as fault:
        if entity != "Payment" or fault.code not in QUERY_REFUSED:
            raise
        # QBO refused the PaymentRefNum filter (not confirmed either way: docs/qbo.md): the same payments
        # by their dates (TxnDate is filterable on every transaction), paged to the end, then matched
        # by PaymentRefNum, customer, amount and invoice as above: slower, never a duplicate.
        by_date = await _rows_by_key(client, entity, "TxnDate",
                                     [str(bodies[i].get("TxnDate"))[:10] for i, _ in keyed if bodies[i].get("TxnDate")])
        rows = {}
        for found in by_date.values():
            for row in found:
                rows.setdefault(str(row.get("PaymentRefNum", "")).casefold(), []).append(row)
    taken: set[str] = set()
    for i, (_, value) in keyed:
        hit = next((r for r in rows.get(value.casefold(), ()) if str(r.get("Id")) not in taken
                    and same_document(r, entity, bodies[i])), None)
        if hit is not None:
            taken.add(str(hit.get("Id")))
            out[i] = hit
    missing = [i for i, _ in keyed if out[i] is None and bodies[i].get("TxnDate")]
    if renumbered and entity in SALES_FORMS and missing:
        by_date = await _rows_by_key(client, entity, "TxnDate", [str(bodies[i]["TxnDate"])[:10] for i in missing])
        for i in missing:
            hit = next((r for r in by_date.get(str(bodies[i]["TxnDate"])[:10].casefold(), ())
                        if str(r.get("Id")) not in taken and same_document(r, entity, bodies[i], renumbered=True)),
                       None)
            if hit is not None:
                taken.add(str(hit.get("Id")))
                out[i] = hit
    return out


async def find_by_names(client: Queries, entity: str, names: list[str]) -> dict[str, dict[str, Any]]:
    """Existing QBO contacts/items by exact name (as QBO stored it), for linking before creating."""
    field = NAME_FIELD[entity]
    rows = await _rows_by_key(client, entity, field, names)
    return {row[field]: row for found in rows.values() for row in found}


# --- who holds a name or a number (after a 6240 or a 6140 that is not our own lost create) ----------------------

NAME_SPACE = ("Customer", "Vendor", "Employee")
"""QBO's one list of names: customers, vendors and employees (a 6240 names none of them: it is looked up)."""
_TXN_ID = re.compile(r"TxnId=(\d+)")


def _describe_ref(obj: dict[str, Any], field: str) -> str:
    ref = obj.get(field)
    return str(ref.get("name") or ref.get("value") or "") if isinstance(ref, dict) else ""


async def name_holders(client: Queries, entity: str, name: str) -> list[dict[str, Any]]:
    """The QBO objects that hold ``name`` (case-blind, inactive ones included), for a 6240: a contact's name in
    QBO's shared list of customers, vendors and employees, an item's among the items. Each as ``{"entity", "id",
    "name", "active"}``, objects of ``entity`` first."""
    space = NAME_SPACE if entity in NAME_SPACE else (entity,)
    out: list[dict[str, Any]] = []
    for kind in sorted(space, key=lambda k: k != entity):
        field = NAME_FIELD.get(kind, "DisplayName")
        try:
            rows = await client.query_all(kind, f"{field} = {quote(name)} AND Active IN (true, false)")
        except CompanyFault:
            raise
        except QBOFault:  # one list QBO will not filter so (not established for Employee): the others still tell
            continue
        for row in rows:
            if str(row.get(field, "")).casefold() == name.casefold():
                out.append({"entity": kind, "id": str(row.get("Id")), "name": str(row.get(field)),
                            "active": row.get("Active", True) is not False})
    return out


async def number_holder(client: Any, entity: str, body: dict[str, Any], detail: str = "") -> dict[str, Any] | None:
    """The QBO transaction that holds the DocNumber of this create payload, for a 6140: the one QBO names in the
    fault's detail ("DocNumber=... is assigned to TxnType=... with TxnId=N", as recorded by integrators), else the
    first of ``entity`` with that number (of the same vendor, for a bill or a vendor credit). As ``{"entity",
    "id", "doc_number", "date", "total", "party", "sync_token"}``, or None."""
    number = str(body.get("DocNumber") or "")
    found: dict[str, Any] | None = None
    match = _TXN_ID.search(detail or "")
    if match:
        try:
            found = await client.read(entity, match.group(1))
        except QBOFault:
            found = None
    if found is None and number:
        rows = await client.query_all(entity, f"DocNumber = {quote(number)}")
        vendor = _ref_id(body, "VendorRef")
        rows.sort(key=lambda r: vendor is not None and _ref_id(r, "VendorRef") != vendor)
        found = rows[0] if rows else None
    if found is None:
        return None
    total = found.get("TotalAmt")
    if total is None and entity == "JournalEntry":
        total = _line_total(found)
    party = _describe_ref(found, "CustomerRef") or _describe_ref(found, "VendorRef")
    return {"entity": entity, "id": str(found.get("Id")), "doc_number": str(found.get("DocNumber") or number),
            "date": str(found.get("TxnDate") or "")[:10], "total": f"{_amount(total):.2f}" if total is not None else "",
            "party": party, "sync_token": str(found.get("SyncToken", "0"))}
