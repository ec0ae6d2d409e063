"""Journal entries: COGS, stock adjustments, supplier deposits, gift vouchers, store credits and
the opening inventory balance. Each balances (debits = credits) by construction and is checked."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from qbtui.ledger.common import Doc, add_currency, header
from qbtui.ledger.context import Ledger
from qbtui.ledger.money import ZERO, dec, money
from qbtui.ledger.payload import Payload
from qbtui.ledger.refs import txn_memo

OPENING_REF = "OPENING-INV"


class UnbalancedJournal(ValueError):
    pass


def je_line(posting: str, account: dict[str, Any], amount: Decimal, description: str | None = None,
            entity: tuple[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    detail: dict[str, Any] = {"PostingType": posting, "AccountRef": account}
    if entity is not None:
        detail["Entity"] = {"Type": entity[0], "EntityRef": entity[1]}
    line: dict[str, Any] = {"DetailType": "JournalEntryLineDetail", "Amount": amount}
    if description:
        line["Description"] = description
    line["JournalEntryLineDetail"] = detail
    return line


def totals(body: dict[str, Any]) -> tuple[Decimal, Decimal]:
    """(debits, credits) of a JournalEntry body."""
    dr = cr = ZERO
    for line in body["Line"]:
        if line["JournalEntryLineDetail"]["PostingType"] == "Debit":
            dr += line["Amount"]
        else:
            cr += line["Amount"]
    return dr, cr


def journal(ref: str, txn_date: str | None, lines: list[dict[str, Any]], note: str | None = None,
            doc: Doc | None = None, ledger: Ledger | None = None, number_ref: str | None = None) -> dict[str, Any]:
    body = header(number_ref or ref, txn_date)
    if doc is not None and ledger is not None:
        add_currency(body, doc, ledger)
    body["Line"] = lines
    body["PrivateNote"] = txn_memo(ref if not note else f"{ref}: {note}")
    dr, cr = totals(body)
    if dr != cr:
        raise UnbalancedJournal(f"journal {ref} does not balance: debits {dr}, credits {cr}")
    return body


def pair(ledger: Ledger, debit_role: str, credit_role: str, amount: Decimal, description: str | None = None,
         debit_entity: tuple[str, dict[str, Any]] | None = None,
         credit_entity: tuple[str, dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Dr ``debit_role``, Cr ``credit_role`` for ``amount``; a negative amount posts the reverse."""
    acct = ledger.resolver.account
    if amount < 0:
        debit_role, credit_role, amount = credit_role, debit_role, -amount
        debit_entity, credit_entity = credit_entity, debit_entity
    return [je_line("Debit", acct(debit_role), amount, description, debit_entity),
            je_line("Credit", acct(credit_role), amount, description, credit_entity)]


def _je(doc: Doc, ledger: Ledger, lines: list[dict[str, Any]], txn_date: str | None,
        note: str | None = None, key: str = "doc", number_ref: str | None = None) -> Payload:
    body = journal(doc["ref"], txn_date, lines, note, doc, ledger, number_ref)
    return Payload("JournalEntry", "create", body, key=key, doc_number=body["DocNumber"])


def build_cogs(doc: Doc, ledger: Ledger) -> list[Payload]:
    """Dr cost of goods sold, Cr inventory asset; a negative amount (return to stock) the reverse."""
    note = f"COGS of invoice {doc['invoice']}" if doc.get("invoice") else "COGS"
    lines = pair(ledger, "cogs", "inventory_asset", money(doc["amount"]), note)
    return [_je(doc, ledger, lines, doc.get("date"), note)]


def adjustment_total(doc: Doc) -> Decimal:
    return money(sum((dec(l["quantity_change"]) * dec(l["unit_cost"]) for l in doc.get("lines", ())), Decimal(0)))


def build_adjustment(doc: Doc, ledger: Ledger) -> list[Payload]:
    """Positive: Dr inventory asset, Cr inventory discrepancy; negative: the reverse. Dated on
    the accounting adjustment date."""
    note = doc.get("reason") or "stock adjustment"
    lines = pair(ledger, "inventory_asset", "inventory_discrepancy", adjustment_total(doc), note)
    return [_je(doc, ledger, lines, doc.get("accounting_date"), note)]


def build_supplier_deposit(doc: Doc, ledger: Ledger) -> list[Payload]:
    """Paid: Dr supplier deposits, Cr bank. Applied to its supplier invoice: a second journal,
    Dr A/P (Entity: the vendor), Cr supplier deposits."""
    amount = money(doc["amount"])
    vendor = ("Vendor", ledger.resolver.contact("supplier", doc["supplier"]))
    paid = pair(ledger, "supplier_deposits", "bank", amount, "supplier deposit paid")
    out = [_je(doc, ledger, paid, doc.get("date"), "supplier deposit paid", key="deposit:paid")]
    if doc.get("supplier_invoice"):
        note = f"supplier deposit applied to supplier invoice {doc['supplier_invoice']}"
        applied = pair(ledger, "accounts_payable", "supplier_deposits", amount, note, debit_entity=vendor)
        out.append(_je(doc, ledger, applied, doc.get("applied_date") or doc.get("date"), note,
                       key="deposit:applied", number_ref=f"{doc['ref']}-APPLIED"))
    return out


def build_gift_voucher(doc: Doc, ledger: Ledger) -> list[Payload]:
    """Sold: Dr payment clearing, Cr gift card liability; redeemed: the reverse."""
    amount = money(doc["amount"])
    sign = 1 if doc["event"] == "sold" else -1
    note = f"gift voucher {doc['event']}"
    customer = ("Customer", ledger.resolver.contact("customer", doc["customer"])) if doc.get("customer") else None
    lines = pair(ledger, "payment_clearing", "gift_card_liability", sign * amount, note, credit_entity=customer)
    return [_je(doc, ledger, lines, doc.get("date"), note)]


def build_store_credit(doc: Doc, ledger: Ledger) -> list[Payload]:
    """Issued: Dr payment clearing, Cr customer credits; redeemed: the reverse (income is not
    touched: the credit note already reversed the sale)."""
    amount = money(doc["amount"])
    sign = 1 if doc["event"] == "issued" else -1
    note = f"store credit {doc['event']}"
    customer = ("Customer", ledger.resolver.contact("customer", doc["customer"]))
    lines = pair(ledger, "payment_clearing", "customer_credits", sign * amount, note, credit_entity=customer)
    return [_je(doc, ledger, lines, doc.get("date"), note)]


def inventory_valuation(products: list[Doc]) -> Decimal:
    """Sum of quantity on hand x average cost (purchase cost when no average) of stock products."""
    total = Decimal(0)
    for p in products:
        if p.get("kind", "stock") != "stock" or p.get("quantity_on_hand") is None:
            continue
        cost = p.get("average_cost", p.get("purchase_cost"))
        if cost is not None:
            total += dec(p["quantity_on_hand"]) * dec(cost)
    return money(total)


def build_opening_inventory(valuation: Decimal, qbo_balance: Decimal, filter_start_date: date,
                            ledger: Ledger) -> Payload | None:
    """Dr inventory asset, Cr opening balance equity for valuation less QBO's inventory asset
    balance, on the day before the filter start date; None when they already agree."""
    diff = money(valuation) - money(qbo_balance)
    if diff == 0:
        return None
    day = (filter_start_date - timedelta(days=1)).isoformat()
    note = f"opening inventory: valuation {money(valuation)} less QBO balance {money(qbo_balance)}"
    lines = pair(ledger, "inventory_asset", "opening_balance_equity", diff, "opening inventory balance")
    body = journal(OPENING_REF, day, lines, note)
    return Payload("JournalEntry", "create", body, doc_number=body["DocNumber"])
