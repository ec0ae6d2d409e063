"""Purchase orders -> PurchaseOrder; supplier invoices -> Bill; supplier credits -> VendorCredit;
payments on bills -> BillPayment (PayType Check, from the mapped bank account)."""

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
    purchase_amounts,
    purchase_line,
    put,
)
from qbtui.ledger.context import Ledger
from qbtui.ledger.money import money
from qbtui.ledger.payload import Payload
from qbtui.ledger.refs import txn_memo
from qbtui.ledger.tax import DocTax, expected, summary


def _purchase(entity: str, doc: Doc, ledger: Ledger, number: str, txn_date: str | None,
              location: bool = True) -> tuple[dict[str, Any], DocTax]:
    body = header(number, txn_date)
    body["VendorRef"] = ledger.resolver.contact("supplier", doc["supplier"])
    add_control_account(body, "APAccountRef", "accounts_payable", doc, ledger)
    if location:
        add_department(body, doc, ledger, "supplier")
    header_class = entity == "PurchaseOrder"  # a Bill or VendorCredit has no transaction-level ClassRef
    if header_class:
        add_txn_class(body, doc, ledger, "supplier")
    add_currency(body, doc, ledger)
    tax = doc_tax(doc, ledger, purchase_amounts(doc), sales=False)
    add_tax(body, tax)
    body["Line"] = [purchase_line(line, amt, doc, ledger, header_class, tax=t)
                    for line, amt, t in zip(doc["lines"], purchase_amounts(doc), tax.lines)]
    note = doc["ref"] if number == doc["ref"] else f"{doc['ref']} (supplier invoice {number})"
    body["PrivateNote"] = txn_memo(note)
    return body, tax


def build_purchase_order(doc: Doc, ledger: Ledger) -> list[Payload]:
    body, tax = _purchase("PurchaseOrder", doc, ledger, doc["ref"], doc.get("date"), location=False)
    return [Payload("PurchaseOrder", "create", body, doc_number=body["DocNumber"], expected=expected(tax), tax=summary(tax))]


def build_bill(doc: Doc, ledger: Ledger) -> list[Payload]:
    """DocNumber = the supplier's invoice number; stock lines land on the inventory asset
    through their item's expense account."""
    number = doc.get("supplier_invoice_number") or doc["ref"]
    body, tax = _purchase("Bill", doc, ledger, number, doc.get("invoice_date"))
    put(body, "DueDate", doc.get("due_date"))
    terms = doc.get("terms") or (ledger.doc("supplier", doc["supplier"]) or {}).get("terms")
    if terms:
        body["SalesTermRef"] = ledger.resolver.term(terms)
    return [Payload("Bill", "create", body, doc_number=body["DocNumber"], expected=expected(tax), tax=summary(tax))]


def build_vendor_credit(doc: Doc, ledger: Ledger) -> list[Payload]:
    body, tax = _purchase("VendorCredit", doc, ledger, doc["ref"], doc.get("date"))
    return [Payload("VendorCredit", "create", body, doc_number=body["DocNumber"], expected=expected(tax), tax=summary(tax))]


def build_bill_payment(doc: Doc, ledger: Ledger) -> list[Payload]:
    bill = ledger.doc("supplier_invoice", doc["supplier_invoice"]) or {}
    amount = money(doc["amount"])
    body = header(doc["ref"], doc.get("date"))
    body["VendorRef"] = ledger.resolver.contact("supplier", bill.get("supplier", ""))
    add_control_account(body, "APAccountRef", "accounts_payable", bill if bill.get("currency") else doc, ledger)
    body["PayType"] = "Check"
    # never QBO's "to print" cheque queue unless the setting asks for it
    print_status = "NeedToPrint" if ledger.settings.bill_payment_print == "need_to_print" else "NotSet"
    body["CheckPayment"] = {"BankAccountRef": ledger.resolver.account("bank"), "PrintStatus": print_status}
    add_payment_currency(body, doc, bill, ledger)
    body["TotalAmt"] = amount
    body["Line"] = [{"Amount": amount, "LinkedTxn": [
        {"TxnId": ledger.resolver.linked_txn("supplier_invoice", doc["supplier_invoice"]), "TxnType": "Bill"}]}]
    body["PrivateNote"] = f"{doc['ref']} (supplier invoice {doc['supplier_invoice']})"
    return [Payload("BillPayment", "create", body, doc_number=body["DocNumber"])]
