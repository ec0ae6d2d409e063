"""Credit notes -> CreditMemo for the part not refunded + one RefundReceipt per refund.

Both scale every line by the same factor (note 500, refund 100: memo 400, receipt 100); in each
document the last line takes the rounding so that its lines add up to its part exactly, and the
parts add up to the note's total exactly. A fully refunded note yields no memo.

A note that names its invoice (of the same customer, in QBO) has one more part, ``apply``: a Payment of total 0
linking the invoice and the credit memo, the way QBO's API applies a credit to a chosen invoice
(docs/qbo.md#applying-credit-notes); the sync takes off what QBO's own AutoApplyCredit did first, and applies
no more than the invoice still owes when it is sent (qbtui/sync/credits.py)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from qbtui.ledger.common import (
    Doc,
    add_control_account,
    add_currency,
    add_department,
    add_tax,
    add_txn_class,
    doc_tax,
    header,
    sale_amounts,
    sale_line,
    sales_memos,
)
from qbtui.ledger.context import Ledger
from qbtui.ledger.money import ZERO, money, scale
from qbtui.ledger.payload import Payload, part_id
from qbtui.ledger.refs import doc_number
from qbtui.ledger.tax import DocTax, expected, half_up, summary

APPLY_KEY = "apply"
"""The key of a credit note's part that applies its credit memo to its invoice."""


def credit_note_parts(doc: Doc, ledger: Ledger | None = None) -> tuple[Decimal, Decimal, list[Decimal]]:
    """(total of the note, part left for the credit memo, refund amounts). With ``ledger`` the total is the one
    QBO will show, tax included (ledger.tax), when it can be foreseen; else the sum of the lines."""
    total = sum(sale_amounts(doc), ZERO)
    if ledger is not None:
        tax = doc_tax(doc, ledger, sale_amounts(doc), sales=True)
        if tax.total is not None:
            total = tax.total
    refunds = [money(r["amount"]) for r in doc.get("refunds") or ()]
    return total, total - sum(refunds, ZERO), refunds


def _part_tax(doc: Doc, ledger: Ledger, part: Decimal, total: Decimal, scaled: bool) -> tuple[list[Decimal], DocTax]:
    """The lines' amounts and tax of one part of the note. Unsplit: the note's own. Split outside the US (QBO's codes
    known): every line's tax-inclusive amount scaled to the part, sent tax-inclusive, so that QBO's total of the part
    is the part to the cent and its tax scales with its lines. Else the nets scaled by the part's share."""
    amounts = sale_amounts(doc)
    whole = doc_tax(doc, ledger, amounts, sales=True)
    if not scaled:
        return amounts, whole
    if whole.region not in (None, "us") and whole.total is not None:
        gross = [t.gross if t.gross is not None else t.net + (t.tax or ZERO) for t in whole.lines]
        parts = scale(gross, part, sum(gross, ZERO))
        return parts, replace(doc_tax(doc, ledger, parts, sales=True, inclusive=True), stated=None)
    nets = sum(amounts, ZERO)
    net_part = half_up(part * nets / total) if whole.total is not None and total and whole.total != nets else part
    parts = scale(amounts, net_part, nets)
    return parts, replace(doc_tax(doc, ledger, parts, sales=True), stated=None)  # a part: not the note's tax_total


def _lines(doc: Doc, ledger: Ledger, amounts: list[Decimal], tax: DocTax, scaled: bool) -> list[dict[str, Any]]:
    return [sale_line(line, amt, doc, ledger, scaled=scaled, tax=t)
            for line, amt, t in zip(doc["lines"], amounts, tax.lines)]


def build_credit_note(doc: Doc, ledger: Ledger) -> list[Payload]:
    total, memo_part, refund_amounts = credit_note_parts(doc, ledger)
    refunds = doc.get("refunds") or []
    customer = ledger.resolver.contact("customer", doc["customer"])
    payloads: list[Payload] = []
    if not refunds or memo_part > 0:
        body = header(doc.get("doc_number") or doc["ref"], doc.get("date"))
        body["CustomerRef"] = customer
        add_control_account(body, "ARAccountRef", "accounts_receivable", doc, ledger)
        add_department(body, doc, ledger, "customer")
        add_txn_class(body, doc, ledger, "customer")
        add_currency(body, doc, ledger)
        amounts, tax = _part_tax(doc, ledger, memo_part, total, scaled=bool(refunds))
        add_tax(body, tax)
        body["Line"] = _lines(doc, ledger, amounts, tax, scaled=bool(refunds))
        sales_memos(body, doc["ref"], ledger, doc.get("memo"))
        payloads.append(Payload("CreditMemo", "create", body, doc_number=body["DocNumber"], expected=expected(tax), tax=summary(tax)))
        apply = _apply_to_invoice(doc, ledger, customer, memo_part)
        if apply is not None:
            payloads.append(apply)
    for refund, amount in zip(refunds, refund_amounts):
        body = header(refund["ref"], refund.get("date"))
        body["CustomerRef"] = customer
        body["DepositToAccountRef"] = ledger.resolver.account("payment_clearing")
        add_department(body, doc, ledger, "customer")
        add_txn_class(body, doc, ledger, "customer")
        add_currency(body, doc, ledger)
        amounts, tax = _part_tax(doc, ledger, amount, total, scaled=True)
        add_tax(body, tax)
        body["Line"] = _lines(doc, ledger, amounts, tax, scaled=True)
        sales_memos(body, refund["ref"], ledger, f"refund of credit note {doc['ref']}")
        body["PrivateNote"] = f"{refund['ref']} (refund of credit note {doc['ref']})"
        payloads.append(Payload("RefundReceipt", "create", body, key=f"refund:{refund['ref']}",
                                doc_number=body["DocNumber"], expected=expected(tax), tax=summary(tax)))
    return payloads


def _apply_to_invoice(doc: Doc, ledger: Ledger, customer: dict[str, Any], memo_part: Decimal) -> Payload | None:
    """The Payment of total 0 that applies the credit memo (part ``doc``) to the note's invoice: up to the
    invoice's total, when the invoice is the same customer's and in QBO (else None: the credit stays unapplied).
    As planned (what ``qbtui sync --dry-run`` shows): the sync caps both lines at the invoice's open balance in QBO
    when it sends them, and sends none when it is 0 (qbtui/sync/credits.py, cap_application)."""
    invoice = ledger.doc("sale_invoice", doc.get("invoice"))
    invoice_id = ledger.resolver.linked_txn("sale_invoice", doc["invoice"]) if invoice is not None else None
    if invoice is None or invoice_id is None or invoice.get("customer") != doc["customer"]:
        return None
    invoice_total = doc_tax(invoice, ledger, sale_amounts(invoice), sales=True).total
    amount = min(memo_part, sum(sale_amounts(invoice), ZERO) if invoice_total is None else invoice_total)
    if amount <= 0:
        return None
    body: dict[str, Any] = {"TxnDate": doc.get("date"), "PaymentRefNum": doc_number(doc["ref"]),
                            "CustomerRef": customer}
    add_control_account(body, "ARAccountRef", "accounts_receivable", doc, ledger)
    add_currency(body, doc, ledger)
    body["TotalAmt"] = ZERO
    body["Line"] = [{"Amount": amount, "LinkedTxn": [{"TxnId": invoice_id, "TxnType": "Invoice"}]},
                    {"Amount": amount, "LinkedTxn": [{"TxnId": part_id("doc"), "TxnType": "CreditMemo"}]}]
    body["PrivateNote"] = f"{doc['ref']} (credit note applied to invoice {doc['invoice']})"
    return Payload("Payment", "create", body, key=APPLY_KEY, after="doc")
