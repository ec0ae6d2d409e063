"""QBO's own application of qbtui's credit memos, taken off (docs/qbo.md#applying-credit-notes).

With the company preference ``SalesFormsPrefs.AutoApplyCredit`` on (a new company's default), QBO applies a new
credit memo to its customer's oldest open invoices itself, through a payment linking them; not necessarily the
credit note's own invoice, and a later payment of that other invoice then exceeds its balance (6000). qbtui applies
a credit note to its own invoice explicitly (the ``apply`` part: ledger/credit_notes.py) and to nothing else, so
right after creating a credit memo, and again before applying it, it deletes the payments QBO made for it:
payments of total 0 that link the credit memo, made when it was (within :data:`AUTO_WINDOW` of its creation), that
are not qbtui's own ``apply`` part (its PaymentRefNum is the note's reference).

The engine (qbtui/sync/engine.py) calls :func:`release` where a credit memo was just created, updated (a re-sync of
a note whose release failed) or found after a lost answer, and before the ``apply`` part is sent; deleting is safe
to repeat (a payment already gone counts as gone).

What is applied is capped when it is sent (:func:`cap_at_balances`, :func:`cap_application`): a payment line
linking an invoice at most that invoice's open ``Balance`` in QBO, read then (a payment synced before, or recorded
in QuickBooks, paid part of it); QBO refuses more (6000, docs/qbo.md#applying-credit-notes). What is not applied
stays the customer's unapplied credit (the credit memo's ``Balance``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from qbtui.errors import FAULT_INACTIVE_REFERENCE
from qbtui.ledger.context import Prefs
from qbtui.ledger.money import ZERO
from qbtui.ledger.payload import Payload
from qbtui.qbo import QBOFault
from qbtui.sync.lookup import quote

log = logging.getLogger(__name__)

#: a payment made this long after its credit memo at most is QBO's auto-apply (it is made in the same request)
AUTO_WINDOW = timedelta(minutes=2)

#: why a credit note's ``apply`` part was not sent (on its link's ``note`` and history; the document screen shows it)
UNAPPLIED_PAID = "credit left unapplied: the invoice was already paid"
UNAPPLIED_USED = "credit left unapplied: nothing of the credit memo was left to apply in QuickBooks"


def may_auto_apply(payload: Payload, prefs: Prefs) -> bool:
    """Whether QBO may have applied this credit memo on its own, unless the pulled preferences say AutoApplyCredit is
    off (unknown counts as on): its create, and its update (a re-sync after a release that failed part-way)."""
    return payload.entity == "CreditMemo" and payload.operation in ("create", "update") and (
        not prefs.known or prefs.auto_apply_credit)


def applies_credit_memo(payload: Payload, operations: tuple[str, ...] = ("create",)) -> str | None:
    """The QBO Id of the credit memo this payment applies (our ``apply`` part, its Ids filled in), else None;
    its create (``operations``: its update too)."""
    if payload.entity != "Payment" or payload.operation not in operations:
        return None
    for line in payload.body.get("Line") or ():
        for link in line.get("LinkedTxn") or ():
            if link.get("TxnType") == "CreditMemo" and link.get("TxnId") and not str(link["TxnId"]).startswith("@"):
                return str(link["TxnId"])
    return None


def _time(obj: dict[str, Any]) -> datetime | None:
    stamp = (obj.get("MetaData") or {}).get("CreateTime")
    try:
        return datetime.fromisoformat(str(stamp)) if stamp else None
    except ValueError:
        return None


def _links(payment: dict[str, Any], txn_type: str, txn_id: str) -> bool:
    return any(str(link.get("TxnId")) == txn_id and link.get("TxnType") == txn_type
               for line in payment.get("Line") or () for link in line.get("LinkedTxn") or ())


def _is_auto(payment: dict[str, Any], credit: dict[str, Any], our_ref: str) -> bool:
    if str(payment.get("PaymentRefNum") or "") == our_ref or Decimal(str(payment.get("TotalAmt") or 0)) != 0:
        return False
    if not _links(payment, "CreditMemo", str(credit["Id"])):
        return False
    made, paid = _time(credit), _time(payment)
    return made is None or paid is None or abs(paid - made) <= AUTO_WINDOW


async def release(client: Any, credit_id: str, our_ref: str) -> list[str]:
    """Delete the payments QBO made on its own to apply credit memo ``credit_id``; returns their Ids. Found through
    the credit memo's LinkedTxn, else (a credit memo with less left than its total that names no payment) among its
    customer's payments. Raises QBOFault / UnknownOutcome as the client does (the caller records it)."""
    credit = await client.read("CreditMemo", credit_id)
    ids = [str(t.get("TxnId")) for t in credit.get("LinkedTxn") or () if t.get("TxnType") == "Payment"]
    payments: list[dict[str, Any]] = []
    if ids:
        payments = await client.query_all("Payment", f"Id IN ({', '.join(quote(i) for i in ids)})")
    elif Decimal(str(credit.get("Balance", credit.get("TotalAmt", 0)))) < Decimal(str(credit.get("TotalAmt", 0))):
        customer = str((credit.get("CustomerRef") or {}).get("value", ""))
        payments = await client.query_all("Payment", f"CustomerRef = {quote(customer)}") if customer else []
    removed = []
    for payment in payments:
        if not _is_auto(payment, credit, our_ref):
            continue
        try:
            await client.delete("Payment", str(payment["Id"]), str(payment.get("SyncToken", "0")))
        except QBOFault as fault:
            if fault.code != FAULT_INACTIVE_REFERENCE and fault.status != 404:
                raise
        removed.append(str(payment["Id"]))
    if removed:
        log.info("credit memo %s: QuickBooks applied it on its own (AutoApplyCredit); payment(s) %s taken off",
                 credit_id, ", ".join(removed))
    return removed


def _invoice_links(line: dict[str, Any]) -> list[str]:
    return [str(link["TxnId"]) for link in line.get("LinkedTxn") or ()
            if link.get("TxnType") == "Invoice" and link.get("TxnId")]


async def cap_at_balances(client: Any, lines: list[dict[str, Any]], left: Decimal | None = None,
                          back: Mapping[tuple[str, str], Decimal] | None = None) -> list[dict[str, Any]]:
    """The payment lines with each line that links an Invoice capped at that invoice's open ``Balance`` in QBO (read
    now: a payment synced before or recorded in QuickBooks, a credit applied, lowered it; plus ``back``: what the
    payment being updated applies to it now) and, ``left`` given, those lines together at ``left`` (the first
    first); lines left at 0 dropped, other lines kept as they are. QBO refuses a line above its invoice's open
    balance (6000 "exceeds its open balance"; docs/qbo.md#applying-credit-notes says what is known of the rule)."""
    out: list[dict[str, Any]] = []
    for line in lines:
        invoices = _invoice_links(line)
        amount = Decimal(str(line.get("Amount", 0)))
        if invoices and left is not None and left <= 0:
            continue  # nothing left to apply: the invoice is not read
        for invoice_id in invoices:
            balance = Decimal(str((await client.read("Invoice", invoice_id)).get("Balance", 0)))
            amount = min(amount, balance + (back or {}).get(("Invoice", invoice_id), ZERO))
        if invoices and left is not None:
            amount = min(amount, left)
            left -= amount
        if amount > 0:
            out.append({**line, "Amount": amount})
    return out


async def cap_application(client: Any, payload: Payload) -> tuple[Payload | None, str | None]:
    """A credit note's ``apply`` part (a Payment of total 0 linking its invoice and its credit memo, the memo's Id
    filled in; its create or its update) as it can be sent now: the invoice's line at most the invoice's open
    Balance and what is left of the credit memo (its Balance; an update: plus what the payment applies now), the
    credit memo's line equal to it (a Payment of total 0 applies as much credit as it pays). (payload, None), or
    (None, why in words) when a create can apply nothing: the credit stays unapplied."""
    memo_id = applies_credit_memo(payload, ("create", "update"))
    lines = list(payload.body.get("Line") or ())
    charges = [line for line in lines if _invoice_links(line)]
    if memo_id is None or not charges:
        return payload, None
    credit = next(line for line in lines if any(link.get("TxnType") == "CreditMemo" for link in line["LinkedTxn"]))
    back: dict[tuple[str, str], Decimal] = {}
    if payload.operation == "update":  # what it applies now is given back to the invoice and the memo first
        for line in (await client.read("Payment", str(payload.body["Id"]))).get("Line") or ():
            for link in line.get("LinkedTxn") or ():
                key = (str(link.get("TxnType")), str(link.get("TxnId")))
                back[key] = back.get(key, ZERO) + Decimal(str(line.get("Amount", 0)))
    memo = await client.read("CreditMemo", memo_id)
    left = min(Decimal(str(credit["Amount"])), Decimal(str(memo.get("Balance", memo.get("TotalAmt", 0))))
               + back.get(("CreditMemo", memo_id), ZERO))
    capped = await cap_at_balances(client, charges, left, back) if left > 0 else []
    applied = sum((Decimal(str(line["Amount"])) for line in capped), ZERO)
    if applied <= 0:
        if payload.operation != "create":
            return payload, None  # sent as planned: QBO says what is wrong (the application is never deleted here)
        return None, UNAPPLIED_USED if left <= 0 else UNAPPLIED_PAID
    body = {**payload.body, "Line": [*capped, {**credit, "Amount": applied}]}
    return replace(payload, body=body), None
