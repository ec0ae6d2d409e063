"""What a transaction debits and credits, account by account, as QuickBooks posts it (docs/domain.md's table of
what each document becomes): our payload bodies and QBO's objects alike. Debit positive, credit negative.

Item lines post to the item's income account (sales) or expense account (purchases) as QBO does, else to the
mapped ``sales_income`` / ``inventory_asset``; the receivable and payable to the body's A/R or A/P account, else the
mapped one; a transaction's sales tax to :data:`TAX` (QBO's own tax liability accounts, which qbtui never names).

Two readers: reconciliation (:func:`postings`, the sums per account, ours against QBO's) and the document screen's
journal (:func:`journal`, the lines as an accountant reads them, Dr / Cr with totals).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, NamedTuple

from qbtui.ledger.money import ZERO, money

TAX = "tax"
"""The pseudo-account of sales tax: QBO posts it to its own tax liability accounts (one per agency)."""

Postings = dict[str, Decimal]


class Posting(NamedTuple):
    """One line of a transaction's journal: the account's QBO Id (None: not known, not mapped), the amount
    (debit positive, credit negative) and what it is (the line's description or item, the customer or vendor)."""

    account: str | None
    amount: Decimal
    memo: str


def _ref(node: Any) -> str | None:
    if isinstance(node, Mapping) and node.get("value") not in (None, ""):
        return str(node["value"])
    return None


def _name(node: Any) -> str:
    return str(node.get("name") or "") if isinstance(node, Mapping) else ""


def _amount(value: Any) -> Decimal:
    """A JSON or Decimal amount in cents (QBO's objects carry floats: read through their shortest text)."""
    if value is None or value == "":
        return ZERO
    return money(value if isinstance(value, Decimal) else str(value))


def posting_lines(entity: str, body: Mapping[str, Any], items: Mapping[str, Mapping[str, Any]],
                  mapping: Mapping[str, str], tax: Decimal | None = None) -> list[Posting]:
    """The postings of one transaction, line by line, in the body's order with the receivable or payable (or the
    bank) last; lines of no amount are left out. ``tax``: the sales tax when the body does not carry QBO's
    ``TxnTaxDetail.TotalTax`` (ours before it is sent: the ledger's expected tax); None: the body's."""
    out: list[Posting] = []
    ar = _ref(body.get("ARAccountRef")) or mapping.get("accounts_receivable")
    ap = _ref(body.get("APAccountRef")) or mapping.get("accounts_payable")
    lines = [ln for ln in body.get("Line") or () if isinstance(ln, Mapping)]

    def add(account: str | None, amount: Decimal, memo: str) -> None:
        if amount != 0:
            out.append(Posting(account, amount, memo))

    def item_account(line: Mapping[str, Any], detail: str, which: str, fallback: str | None) -> str | None:
        item = items.get(_ref((line.get(detail) or {}).get("ItemRef")) or "", {})
        return _ref(item.get(which)) or fallback

    def memo(line: Mapping[str, Any], detail: str) -> str:
        return str(line.get("Description") or _name((line.get(detail) or {}).get("ItemRef")))

    if entity in ("Invoice", "CreditMemo", "RefundReceipt", "SalesReceipt"):
        sign = Decimal(1) if entity in ("Invoice", "SalesReceipt") else Decimal(-1)
        total = ZERO
        for line in lines:
            dt = line.get("DetailType")
            amount = _amount(line.get("Amount"))
            if dt == "SalesItemLineDetail":
                add(item_account(line, dt, "IncomeAccountRef", mapping.get("sales_income")), -sign * amount,
                    memo(line, dt))
                total += amount
            elif dt == "DiscountLineDetail":
                add(_ref((line.get(dt) or {}).get("DiscountAccountRef")) or mapping.get("sales_income"),
                    sign * amount, str(line.get("Description") or "discount"))
                total -= amount
        detail = body.get("TxnTaxDetail") or {}
        charged = _amount(detail["TotalTax"]) if detail.get("TotalTax") not in (None, "") else _amount(tax)
        add(TAX, -sign * charged, "tax")
        total += charged
        counterparty = _name(body.get("CustomerRef"))
        if entity in ("Invoice", "CreditMemo"):
            add(ar, sign * total, counterparty)
        else:
            add(_ref(body.get("DepositToAccountRef")) or mapping.get("payment_clearing"), sign * total, counterparty)
    elif entity in ("Bill", "VendorCredit"):
        sign = Decimal(1) if entity == "Bill" else Decimal(-1)
        total = ZERO
        for line in lines:
            dt = line.get("DetailType")
            amount = _amount(line.get("Amount"))
            if dt == "ItemBasedExpenseLineDetail":
                add(item_account(line, dt, "ExpenseAccountRef", mapping.get("inventory_asset")), sign * amount,
                    memo(line, dt))
            elif dt == "AccountBasedExpenseLineDetail":
                add(_ref((line.get(dt) or {}).get("AccountRef")), sign * amount, str(line.get("Description") or ""))
            else:
                continue
            total += amount
        add(ap, -sign * total, _name(body.get("VendorRef")))
    elif entity == "Payment":
        total = _amount(body.get("TotalAmt"))
        counterparty = _name(body.get("CustomerRef"))
        add(_ref(body.get("DepositToAccountRef")) or mapping.get("payment_clearing"), total, counterparty)
        add(ar, -total, counterparty)
    elif entity == "BillPayment":
        total = _amount(body.get("TotalAmt"))
        counterparty = _name(body.get("VendorRef"))
        add(ap, total, counterparty)
        bank = _ref((body.get("CheckPayment") or {}).get("BankAccountRef")) or _ref(
            (body.get("CreditCardPayment") or {}).get("CCAccountRef")) or mapping.get("bank")
        add(bank, -total, counterparty)
    elif entity == "JournalEntry":
        for line in lines:
            detail = line.get("JournalEntryLineDetail") or {}
            posting = detail.get("PostingType")
            if posting not in ("Debit", "Credit"):
                continue
            amount = _amount(line.get("Amount"))
            add(_ref(detail.get("AccountRef")), amount if posting == "Debit" else -amount,
                str(line.get("Description") or ""))
    return out


def postings(entity: str, body: Mapping[str, Any], items: Mapping[str, Mapping[str, Any]],
             mapping: Mapping[str, str]) -> Postings:
    """Debit (+) / credit (-) per account Id of one transaction (an account not known: ``?``)."""
    out: Postings = {}
    for p in posting_lines(entity, body, items, mapping):
        key = p.account or "?"
        out[key] = out.get(key, ZERO) + p.amount
    return out


def words(entity: str) -> str:
    """A QuickBooks transaction's name as QuickBooks writes it to a person: CreditMemo -> Credit memo."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", entity).capitalize()


def journal(payloads: Iterable[Mapping[str, Any]], items: Mapping[str, Mapping[str, Any]],
            mapping: Mapping[str, str], names: Mapping[str, str]) -> dict[str, Any] | None:
    """The journal a document's payloads (``Payload.to_json()``: entity, body, tax) post, as the document screen
    shows it: ``{"lines": [{"entry", "account", "debit", "credit", "memo"}], "debit", "credit"}``, amounts as
    strings of cents ("" on the other side), ``entry`` naming the QuickBooks transaction a line belongs to (in
    words: "Credit memo CN-7") and ``account`` the account's name (``names``: Id -> name; the tax and an account
    not mapped in words), each transaction's debits before its credits; None when they post nothing (a contact, a
    product, a quote)."""
    rows: list[dict[str, str]] = []
    debit = credit = ZERO
    for payload in payloads:
        entity, body = str(payload.get("entity") or ""), payload.get("body") or {}
        expected = (payload.get("tax") or {}).get("tax_total")
        lines = posting_lines(entity, body, items, mapping, None if expected is None else _amount(expected))
        entry = f"{words(entity)} {body.get('DocNumber') or body.get('PaymentRefNum') or ''}".strip()
        for p in sorted(lines, key=lambda p: p.amount < 0):  # its debits first, then its credits
            if p.account == TAX:
                account = "Tax payable (QuickBooks' tax accounts)"
            elif p.account is None:
                account = "(account not mapped)"
            else:
                account = names.get(p.account) or f"account {p.account}"
            rows.append({"entry": entry, "account": account, "memo": p.memo,
                         "debit": f"{p.amount:.2f}" if p.amount > 0 else "",
                         "credit": f"{-p.amount:.2f}" if p.amount < 0 else ""})
            debit += max(p.amount, ZERO)
            credit += max(-p.amount, ZERO)
    if not rows:
        return None
    return {"lines": rows, "debit": f"{debit:.2f}", "credit": f"{credit:.2f}"}
