"""Journal entries: COGS, stock adjustments, supplier deposits, gift vouchers, store credits and
the opening inventory balance. Each balances (debits = credits) by construction and is checked."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from qbtui.ledger.common import (
    Doc,
    add_currency,
    control_account,
    foreign_currency,
    header,
    line_class_value,
    location_value,
    put,
    txn_class_value,
)
from qbtui.ledger.context import Ledger
from qbtui.ledger.money import ZERO, dec, money, split
from qbtui.ledger.payload import Payload, part_id
from qbtui.ledger.refs import txn_memo

OPENING_REF = "OPENING-INV"


class UnbalancedJournal(ValueError):
    pass


def je_line(posting: str, account: dict[str, Any], amount: Decimal, description: str | None = None,
            entity: tuple[str, dict[str, Any]] | None = None, klass: dict[str, Any] | None = None) -> dict[str, Any]:
    detail: dict[str, Any] = {"PostingType": posting, "AccountRef": account}
    if entity is not None:
        detail["Entity"] = {"Type": entity[0], "EntityRef": entity[1]}
    if klass is not None:
        detail["ClassRef"] = klass
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
         credit_entity: tuple[str, dict[str, Any]] | None = None, klass: str | None = None,
         accounts: dict[str, dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Dr ``debit_role``, Cr ``credit_role`` for ``amount``; a negative amount posts the reverse. ``klass``: the
    class name both lines carry (ClassRef in JournalEntryLineDetail). ``accounts``: a role's account other than its
    mapped one (a foreign currency's A/P: :func:`deposit_payables`)."""
    accounts = accounts or {}

    def acct(role: str) -> dict[str, Any]:
        return accounts[role] if role in accounts else ledger.resolver.account(role)

    if amount < 0:
        debit_role, credit_role, amount = credit_role, debit_role, -amount
        debit_entity, credit_entity = credit_entity, debit_entity
    ref = ledger.resolver.klass(klass) if klass is not None else None
    return [je_line("Debit", acct(debit_role), amount, description, debit_entity, ref),
            je_line("Credit", acct(credit_role), amount, description, credit_entity, ref)]


# --- the class and location a journal takes from its source document ----------------------------

def journal_source(doc: Doc, ledger: Ledger) -> tuple[Doc, str]:
    """(the document whose class and location a journal carries, the contact kind of that document): a COGS
    journal's invoice, an applied supplier deposit's supplier invoice, else the document itself."""
    t = doc["type"]
    if t == "cogs":
        return ledger.doc("sale_invoice", doc.get("invoice")) or doc, "customer"
    if t == "supplier_deposit":
        return ledger.doc("supplier_invoice", doc.get("supplier_invoice")) or doc, "supplier"
    return doc, "customer"


def journal_class(doc: Doc, ledger: Ledger) -> str | None:
    """The class name a journal's lines carry (None: no class tracking in QBO, or none found)."""
    if not (ledger.prefs.class_per_line or ledger.prefs.class_per_txn):
        return None
    source, contact = journal_source(doc, ledger)
    return txn_class_value(source, ledger, contact)


def journal_location(doc: Doc, ledger: Ledger) -> str | None:
    """The location (QBO department) name of a journal: its DepartmentRef at the top."""
    if not ledger.prefs.track_departments:
        return None
    source, contact = journal_source(doc, ledger)
    return location_value(source, ledger, contact)


def _je(doc: Doc, ledger: Ledger, lines: list[dict[str, Any]], txn_date: str | None,
        note: str | None = None, key: str = "doc", number_ref: str | None = None) -> Payload:
    body = journal(doc["ref"], txn_date, lines, note, doc, ledger, number_ref)
    location = journal_location(doc, ledger)
    if location is not None:
        body["DepartmentRef"] = ledger.resolver.department(location)
    return Payload("JournalEntry", "create", body, key=key, doc_number=body["DocNumber"])


def cogs_classes(doc: Doc, ledger: Ledger) -> list[tuple[str | None, Decimal]]:
    """(class, amount) of a COGS journal: its invoice's one class, or, when the invoice's lines have different
    classes (a class from a product field), the amount shared over them in proportion to the lines' cost
    (quantity x unit cost; their sale amounts when a line has no cost), so that margin by class adds up."""
    amount = money(doc["amount"])
    if not (ledger.prefs.class_per_line or ledger.prefs.class_per_txn):
        return [(None, amount)]
    invoice, contact = journal_source(doc, ledger)
    one = txn_class_value(invoice, ledger, contact)
    lines = list(invoice.get("lines") or ()) if invoice is not doc else []
    if one is not None or not lines:
        return [(one, amount)]
    costed = all(line.get("unit_cost") is not None for line in lines)
    weights: dict[str | None, Decimal] = {}
    for line in lines:
        name = line_class_value(invoice, ledger, line.get("sku"), contact)
        weight = dec(line["quantity"]) * dec(line["unit_cost"] if costed else line["unit_price"])
        weights[name] = weights.get(name, Decimal(0)) + weight
    return list(zip(weights, split(amount, list(weights.values()))))


def build_cogs(doc: Doc, ledger: Ledger) -> list[Payload]:
    """Dr cost of goods sold, Cr inventory asset; a negative amount (return to stock) the reverse. The class and
    location of its invoice: a pair of lines per class of the invoice's lines."""
    note = f"COGS of invoice {doc['invoice']}" if doc.get("invoice") else "COGS"
    lines = [line for name, amount in cogs_classes(doc, ledger) if amount
             for line in pair(ledger, "cogs", "inventory_asset", amount, note, klass=name)]
    if not lines:  # every part rounded to nothing: one pair, as before
        lines = pair(ledger, "cogs", "inventory_asset", money(doc["amount"]), note)
    return [_je(doc, ledger, lines, doc.get("date"), note)]


def adjustment_total(doc: Doc) -> Decimal:
    return money(sum((dec(l["quantity_change"]) * dec(l["unit_cost"]) for l in doc.get("lines", ())), Decimal(0)))


def adjustment_classes(doc: Doc, ledger: Ledger) -> list[tuple[str | None, Decimal]]:
    """(class, amount) of a stock adjustment: one pair of lines per class its lines have (a class from a product
    field differs per line), or the whole amount without a class."""
    if not (ledger.prefs.class_per_line or ledger.prefs.class_per_txn):
        return [(None, adjustment_total(doc))]
    own = line_class_value(doc, ledger, None, "customer")
    if own is not None:
        return [(own, adjustment_total(doc))]
    parts: dict[str | None, Decimal] = {}
    for line in doc.get("lines", ()):
        name = line_class_value(doc, ledger, line.get("sku"), "customer")
        parts[name] = parts.get(name, Decimal(0)) + dec(line["quantity_change"]) * dec(line["unit_cost"])
    out = [(name, money(amount)) for name, amount in parts.items()]
    drift = adjustment_total(doc) - sum((a for _, a in out), Decimal(0))  # cents lost rounding each part
    if out and drift:
        out[-1] = (out[-1][0], out[-1][1] + drift)
    return out or [(None, adjustment_total(doc))]


def build_adjustment(doc: Doc, ledger: Ledger) -> list[Payload]:
    """Positive: Dr inventory asset, Cr inventory discrepancy; negative: the reverse. Dated on
    the accounting adjustment date; a pair of lines per class, the location at the top."""
    note = doc.get("reason") or "stock adjustment"
    lines = [line for name, amount in adjustment_classes(doc, ledger)
             for line in pair(ledger, "inventory_asset", "inventory_discrepancy", amount, note, klass=name)]
    return [_je(doc, ledger, lines, doc.get("accounting_date"), note)]


def payables_source(doc: Doc, ledger: Ledger) -> Doc:
    """What sets the currency of an applied supplier deposit's A/P: the supplier invoice it is applied to (the
    deposit itself when that one has no currency), as for a bill payment (purchases.py)."""
    bill = ledger.doc("supplier_invoice", doc.get("supplier_invoice")) or {}
    return bill if bill.get("currency") else doc


def deposit_payables(doc: Doc, ledger: Ledger) -> dict[str, Any] | None:
    """The A/P account of an applied supplier deposit (its journal's A/P line and its bill payment's APAccountRef):
    QBO keeps one A/P per currency and refuses another currency's on either (docs/qbo.md#supplier-deposits), so in
    a foreign currency the pulled A/P of that currency (:func:`control_account`); None when QBO has none yet."""
    return control_account("accounts_payable", payables_source(doc, ledger), ledger)


def build_supplier_deposit(doc: Doc, ledger: Ledger) -> list[Payload]:
    """Paid: Dr supplier deposits, Cr bank. Applied to its supplier invoice: a second journal,
    Dr A/P (Entity: the vendor; the A/P of the supplier invoice's currency), Cr supplier deposits."""
    amount = money(doc["amount"])
    vendor = ("Vendor", ledger.resolver.contact("supplier", doc["supplier"]))
    klass = journal_class(doc, ledger)  # the class and location of the supplier invoice it pays
    paid = pair(ledger, "supplier_deposits", "bank", amount, "supplier deposit paid", klass=klass)
    out = [_je(doc, ledger, paid, doc.get("date"), "supplier deposit paid", key="deposit:paid")]
    if doc.get("supplier_invoice"):
        note = f"supplier deposit applied to supplier invoice {doc['supplier_invoice']}"
        payables = deposit_payables(doc, ledger)
        # none yet: a journal line cannot leave its account out (the gate currency.no_payables_account holds the
        # deposit back), so a stand-in of no Id named as QBO names the account
        currency = foreign_currency(payables_source(doc, ledger), ledger)
        stand_in = {"value": None, "name": f"Accounts Payable (A/P) - {currency}"}
        applied = pair(ledger, "accounts_payable", "supplier_deposits", amount, note, debit_entity=vendor, klass=klass,
                       accounts={"accounts_payable": payables or stand_in})
        applied_on = doc.get("applied_date") or doc.get("date")
        out.append(_je(doc, ledger, applied, applied_on, note, key="deposit:applied",
                       number_ref=f"{doc['ref']}-APPLIED"))
        out.append(_deposit_bill_payment(doc, ledger, amount, applied_on, note, payables))
    return out


def _deposit_bill_payment(doc: Doc, ledger: Ledger, amount: Decimal, applied_on: str | None, note: str,
                          payables: dict[str, Any] | None) -> Payload:
    """What settles the bill in QBO: a BillPayment of total 0 whose lines link the Bill (the deposit's amount
    paid) and the applied journal (its A/P debit used as the vendor's credit), as QBO's Pay Bills screen applies a
    credit; the bill's Balance drops by the deposit. Intuit's BillPayment page: a line's LinkedTxn may be a Bill,
    a VendorCredit or a JournalEntry (docs/qbo.md#supplier-deposits). Sent after the journal, whose Id it names."""
    body = header(f"{doc['ref']}-APPLY", applied_on)
    body["VendorRef"] = ledger.resolver.contact("supplier", doc["supplier"])
    put(body, "APAccountRef", payables)  # the journal's A/P (deposit_payables); none: QBO's of the currency
    body["PayType"] = "Check"
    body["CheckPayment"] = {"BankAccountRef": ledger.resolver.account("bank"), "PrintStatus": "NotSet"}  # no cheque
    add_currency(body, doc, ledger)
    body["TotalAmt"] = ZERO
    body["Line"] = [
        {"Amount": amount, "LinkedTxn": [
            {"TxnId": ledger.resolver.linked_txn("supplier_invoice", doc["supplier_invoice"]), "TxnType": "Bill"}]},
        {"Amount": amount, "LinkedTxn": [{"TxnId": part_id("deposit:applied"), "TxnType": "JournalEntry"}]}]
    body["PrivateNote"] = txn_memo(f"{doc['ref']}: {note}")
    return Payload("BillPayment", "create", body, key="deposit:bill", doc_number=body["DocNumber"],
                   after="deposit:applied")


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
