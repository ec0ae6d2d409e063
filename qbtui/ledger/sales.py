"""Sales invoices -> Invoice; quotes -> Estimate; payments on invoices -> Payment."""

from __future__ import annotations

from typing import Any

from qbtui.ledger.common import (
    Doc,
    add_control_account,
    add_currency,
    add_department,
    add_payment_currency,
    add_tax,
    add_txn_class,
    doc_tax,
    header,
    put,
    sale_amounts,
    sale_line,
    sales_memos,
)
from qbtui.ledger.context import Ledger
from qbtui.ledger.money import money
from qbtui.ledger.payload import Payload
from qbtui.ledger.refs import doc_number
from qbtui.ledger.tax import expected, summary


def ship_date(doc: Doc, ledger: Ledger) -> str | None:
    """Actual shipment date when the setting is on and there is one, else the required-by date."""
    if ledger.settings.use_actual_shipment_date and doc.get("ship_date"):
        return doc["ship_date"]
    return doc.get("required_by")


def build_invoice(doc: Doc, ledger: Ledger) -> list[Payload]:
    s = ledger.settings
    body = header(doc.get("doc_number") or doc["ref"], doc.get("invoice_date"))
    put(body, "DueDate", doc.get("due_date"))
    put(body, "ShipDate", ship_date(doc, ledger))
    body["CustomerRef"] = ledger.resolver.contact("customer", doc["customer"])
    add_control_account(body, "ARAccountRef", "accounts_receivable", doc, ledger)
    terms = doc.get("terms") or (ledger.doc("customer", doc["customer"]) or {}).get("terms")
    if terms:
        body["SalesTermRef"] = ledger.resolver.term(terms)
    add_department(body, doc, ledger, "customer")
    add_txn_class(body, doc, ledger, "customer")
    add_currency(body, doc, ledger)
    tax = doc_tax(doc, ledger, sale_amounts(doc), sales=True)
    add_tax(body, tax)
    body["Line"] = [sale_line(line, amt, doc, ledger, tax=t) for line, amt, t in
                    zip(doc["lines"], sale_amounts(doc), tax.lines)]
    sales_memos(body, doc["ref"], ledger, doc.get("memo"))
    body["AllowOnlinePayment"] = s.allow_online_payment
    body["AllowOnlineCreditCardPayment"] = s.allow_online_credit_card
    body["AllowOnlineACHPayment"] = s.allow_online_ach
    return [Payload("Invoice", "create", body, doc_number=body["DocNumber"], expected=expected(tax), tax=summary(tax))]


def build_quote(doc: Doc, ledger: Ledger) -> list[Payload]:
    body = header(doc.get("doc_number") or doc["ref"], doc.get("date"))
    put(body, "ExpirationDate", doc.get("expiry_date"))
    body["CustomerRef"] = ledger.resolver.contact("customer", doc["customer"])
    add_department(body, doc, ledger, "customer")
    add_txn_class(body, doc, ledger, "customer")
    add_currency(body, doc, ledger)
    tax = doc_tax(doc, ledger, sale_amounts(doc), sales=True)
    add_tax(body, tax)
    body["Line"] = [sale_line(line, amt, doc, ledger, tax=t) for line, amt, t in
                    zip(doc["lines"], sale_amounts(doc), tax.lines)]
    sales_memos(body, doc["ref"], ledger)
    return [Payload("Estimate", "create", body, doc_number=body["DocNumber"], expected=expected(tax), tax=summary(tax))]


def build_payment(doc: Doc, ledger: Ledger) -> list[Payload]:
    """LinkedTxn to the invoice; deposited to payment clearing; the ref as PaymentRefNum."""
    invoice = ledger.doc("sale_invoice", doc["invoice"]) or {}
    amount = money(doc["amount"])
    body: dict[str, Any] = {"TxnDate": doc.get("date"), "PaymentRefNum": doc_number(doc["ref"])}
    body["CustomerRef"] = ledger.resolver.contact("customer", invoice.get("customer", ""))
    add_control_account(body, "ARAccountRef", "accounts_receivable", invoice if invoice.get("currency") else doc,
                        ledger)
    body["DepositToAccountRef"] = ledger.resolver.account("payment_clearing")
    add_payment_currency(body, doc, invoice, ledger)
    body["TotalAmt"] = amount
    body["Line"] = [{"Amount": amount, "LinkedTxn": [
        {"TxnId": ledger.resolver.linked_txn("sale_invoice", doc["invoice"]), "TxnType": "Invoice"}]}]
    body["PrivateNote"] = f"{doc['ref']} (invoice {doc['invoice']})"
    return [Payload("Payment", "create", body)]
