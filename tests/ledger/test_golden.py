"""Golden payloads: one test per row of docs/domain.md#what-each-document-becomes (exact JSON bodies, as the dry run prints them)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from qbtui.ledger import build, build_opening_inventory, inventory_valuation
from tests.ledger.helpers import BOWL, CUSTOMER, MUG, SUPPLIER, acct, connected, doc, offline, who


def bodies(d, ledger):
    return [(p.entity, p.key, p.to_json()["body"]) for p in build(d, ledger)]


def je(posting, role, amount, description=None, entity=None):
    line = {"DetailType": "JournalEntryLineDetail", "Amount": amount}
    if description:
        line["Description"] = description
    detail = {"PostingType": posting, "AccountRef": acct(role)}
    if entity:
        detail["Entity"] = {"Type": entity[0], "EntityRef": who(entity[1])}
    line["JournalEntryLineDetail"] = detail
    return line


def sale_line(amount, name, qty=None, price=None, **extra):
    detail = {"ItemRef": who(name)}
    if qty is not None:
        detail["Qty"] = qty
    if price is not None:
        detail["UnitPrice"] = price
    detail.update(extra)
    return {"DetailType": "SalesItemLineDetail", "Amount": amount, "SalesItemLineDetail": detail}


# --- contacts and products --------------------------------------------------------------------

def test_customer():
    c = doc(type="customer", ref="C-7", name="Blue Door", email="a@b.co", phone="555", company="Blue Door LLC",
            terms="Net 30", currency="USD", billing_address={"line1": "1 Main", "city": "Salem", "region": "OR"})
    assert bodies(c, offline(c)) == [("Customer", "doc", {
        "DisplayName": "Blue Door", "CompanyName": "Blue Door LLC", "PrimaryEmailAddr": {"Address": "a@b.co"},
        "PrimaryPhone": {"FreeFormNumber": "555"}, "BillAddr": {"Line1": "1 Main", "City": "Salem",
                                                               "CountrySubDivisionCode": "OR"},
        "SalesTermRef": who("Net 30"), "CurrencyRef": {"value": "USD"}})]


def test_supplier():
    assert bodies(SUPPLIER, offline()) == [("Vendor", "doc", {"DisplayName": "Clay Works", "TermRef": who("Net 15")})]


def test_stock_product_is_non_inventory_expensed_to_the_asset():
    assert bodies(MUG, offline()) == [("Item", "doc", {
        "Name": "Stoneware mug", "Sku": "MUG-01", "Type": "NonInventory", "UnitPrice": 12.5, "PurchaseCost": 4.1,
        "IncomeAccountRef": acct("sales_income"), "ExpenseAccountRef": acct("inventory_asset")})]


def test_non_stock_product_is_expensed_to_cogs():
    p = doc(type="product", ref="BAG", name="Paper bag", kind="non_stock", purchase_cost="0.05")
    assert bodies(p, offline()) == [("Item", "doc", {
        "Name": "Paper bag", "Sku": "BAG", "Type": "NonInventory", "PurchaseCost": 0.05,
        "IncomeAccountRef": acct("sales_income"), "ExpenseAccountRef": acct("cogs")})]


def test_service_product_with_and_without_cost():
    s = doc(type="product", ref="GIFTWRAP", name="Gift wrap", kind="service", sale_price="2")
    assert bodies(s, offline()) == [("Item", "doc", {
        "Name": "Gift wrap", "Sku": "GIFTWRAP", "Type": "Service", "UnitPrice": 2,
        "IncomeAccountRef": acct("sales_income")})]
    s2 = doc(type="product", ref="ENGRAVE", name="Engraving", kind="service", purchase_cost="1.50", active=False)
    assert bodies(s2, offline())[0][2] == {
        "Name": "Engraving", "Sku": "ENGRAVE", "Type": "Service", "PurchaseCost": 1.5,
        "IncomeAccountRef": acct("sales_income"), "ExpenseAccountRef": acct("cogs"), "Active": False}


# --- sales ---------------------------------------------------------------------------------------

INVOICE = doc(type="sale_invoice", ref="SO-1001", customer="C-100", invoice_date="2026-11-02",
              due_date="2026-12-02", ship_date="2026-11-03", required_by="2026-11-05", location="Main St",
              memo="Leave at back door",
              lines=[{"sku": "MUG-01", "quantity": 6, "unit_price": "12.50", "tax_code": "TAX"},
                     {"sku": "BOWL-02", "quantity": 3, "unit_price": "3.333", "discount_percent": 10}])


def test_invoice_connected_with_terms_ship_date_class_location_memos_and_online_flags():
    ledger = connected(INVOICE, class_source="category", location_source="location", use_actual_shipment_date=True,
                       allow_online_payment=True, allow_online_credit_card=True, reference_on_statement=True)
    kitchen = {"value": "900", "name": "Kitchen"}
    assert bodies(INVOICE, ledger) == [("Invoice", "doc", {
        "DocNumber": "SO-1001", "TxnDate": "2026-11-02", "DueDate": "2026-12-02", "ShipDate": "2026-11-03",
        "CustomerRef": {"value": "58", "name": "Harbour Cafe"},
        "ARAccountRef": {"value": "104", "name": "Accounts Receivable"},
        "SalesTermRef": {"value": "3", "name": "Net 30"},
        "DepartmentRef": {"value": "5", "name": "Main St"},
        "Line": [
            {"DetailType": "SalesItemLineDetail", "Amount": 75, "SalesItemLineDetail": {
                "ItemRef": {"value": "7", "name": "Stoneware mug"}, "Qty": 6, "UnitPrice": 12.5,
                "TaxCodeRef": {"value": "TAX", "name": "TAX"}, "ClassRef": kitchen}},
            {"DetailType": "SalesItemLineDetail", "Amount": 9, "SalesItemLineDetail": {
                "ItemRef": {"value": None, "name": "Bowl"}, "Qty": 3, "UnitPrice": 2.9997, "ClassRef": kitchen}},
        ],
        "CustomerMemo": {"value": "SO-1001\nLeave at back door"}, "PrivateNote": "SO-1001\nLeave at back door",
        "AllowOnlinePayment": True, "AllowOnlineCreditCardPayment": True, "AllowOnlineACHPayment": False})]


def test_invoice_offline_defaults_required_by_as_ship_date_no_statement_memo():
    body = bodies(INVOICE, offline(INVOICE))[0][2]
    assert body["ShipDate"] == "2026-11-05"  # use_actual_shipment_date off
    assert body["CustomerRef"] == who("Harbour Cafe") and body["ARAccountRef"] == acct("accounts_receivable")
    assert body["SalesTermRef"] == who("Net 30")  # from the customer
    assert "PrivateNote" not in body and "DepartmentRef" not in body
    assert "ClassRef" not in body["Line"][0]["SalesItemLineDetail"]
    assert body["AllowOnlinePayment"] is False


def test_invoice_class_from_customer_attribute_and_sales_rep_location():
    ledger = connected(INVOICE, class_source="customer_attribute2", location_source="sales_rep")
    body = bodies(INVOICE, ledger)[0][2]
    assert body["Line"][1]["SalesItemLineDetail"]["ClassRef"] == {"value": None, "name": "Wholesale"}
    assert body["DepartmentRef"] == {"value": None, "name": "Ann"}  # the customer's sales rep


def test_invoice_foreign_currency():
    inv = doc(type="sale_invoice", ref="SO-EU", customer="C-100", invoice_date="2026-11-02", currency="EUR",
              exchange_rate="1.08", tax_inclusive=True, lines=[{"sku": "MUG-01", "quantity": 1, "unit_price": "10"}])
    body = bodies(inv, offline(inv))[0][2]
    assert body["CurrencyRef"] == {"value": "EUR"} and body["ExchangeRate"] == 1.08
    assert body["GlobalTaxCalculation"] == "TaxInclusive"


def test_quote_becomes_estimate():
    q = doc(type="quote", ref="Q-5", customer="C-100", date="2026-11-01", expiry_date="2026-11-30",
            lines=[{"sku": "MUG-01", "quantity": 2, "unit_price": "12.50"}])
    assert bodies(q, offline(q)) == [("Estimate", "doc", {
        "DocNumber": "Q-5", "TxnDate": "2026-11-01", "ExpirationDate": "2026-11-30", "CustomerRef": who("Harbour Cafe"),
        "Line": [sale_line(25, "Stoneware mug", 2, 12.5)], "CustomerMemo": {"value": "Q-5"}})]


def test_payment_links_the_invoice_and_deposits_to_payment_clearing():
    pay = doc(type="sale_payment", ref="PAY-1", invoice="SO-1001", date="2026-11-10", amount="24.60")
    assert bodies(pay, offline(INVOICE, pay)) == [("Payment", "doc", {
        "TxnDate": "2026-11-10", "PaymentRefNum": "PAY-1", "CustomerRef": who("Harbour Cafe"),
        "ARAccountRef": acct("accounts_receivable"), "DepositToAccountRef": acct("payment_clearing"),
        "TotalAmt": 24.6, "Line": [{"Amount": 24.6, "LinkedTxn": [{"TxnId": None, "TxnType": "Invoice"}]}],
        "PrivateNote": "PAY-1 (invoice SO-1001)"})]
    connected_body = bodies(pay, connected(INVOICE, pay))[0][2]
    assert connected_body["Line"][0]["LinkedTxn"] == [{"TxnId": "130", "TxnType": "Invoice"}]
    assert connected_body["DepositToAccountRef"] == {"value": "106", "name": "Payment Clearing"}


# --- credit notes --------------------------------------------------------------------------------

def note(refunds=(), lines=None, ref="CN-1"):
    return doc(type="credit_note", ref=ref, customer="C-100", date="2026-11-05",
               lines=lines or [{"sku": "MUG-01", "quantity": 1, "unit_price": "500"}], refunds=list(refunds))


def test_credit_note_without_refunds():
    n = note()
    assert bodies(n, offline(n)) == [("CreditMemo", "doc", {
        "DocNumber": "CN-1", "TxnDate": "2026-11-05", "CustomerRef": who("Harbour Cafe"),
        "ARAccountRef": acct("accounts_receivable"), "Line": [sale_line(500, "Stoneware mug", 1, 500)],
        "CustomerMemo": {"value": "CN-1"}})]


def test_seed_example_note_500_refund_100_gives_memo_400_and_receipt_100():
    n = note([{"ref": "RF-1", "date": "2026-11-06", "amount": "100.00"}])
    assert bodies(n, offline(n)) == [
        ("CreditMemo", "doc", {
            "DocNumber": "CN-1", "TxnDate": "2026-11-05", "CustomerRef": who("Harbour Cafe"),
            "ARAccountRef": acct("accounts_receivable"), "Line": [sale_line(400, "Stoneware mug", 1, 400)],
            "CustomerMemo": {"value": "CN-1"}}),
        ("RefundReceipt", "refund:RF-1", {
            "DocNumber": "RF-1", "TxnDate": "2026-11-06", "CustomerRef": who("Harbour Cafe"),
            "DepositToAccountRef": acct("payment_clearing"), "Line": [sale_line(100, "Stoneware mug", 1, 100)],
            "CustomerMemo": {"value": "RF-1\nrefund of credit note CN-1"},
            "PrivateNote": "RF-1 (refund of credit note CN-1)"}),
    ]


def test_every_line_scaled_and_the_last_takes_the_rounding():
    lines = [{"sku": "MUG-01", "quantity": 1, "unit_price": "10"}, {"sku": "BOWL-02", "quantity": 1, "unit_price": "10"},
             {"sku": "MUG-01", "quantity": 1, "unit_price": "10"}]
    n = note([{"ref": "RF-1", "date": "2026-11-06", "amount": "10"}], lines)
    (_, _, memo), (_, _, receipt) = bodies(n, offline(n))
    assert [l["Amount"] for l in memo["Line"]] == [6.67, 6.67, 6.66]
    assert [l["Amount"] for l in receipt["Line"]] == [3.33, 3.33, 3.34]
    assert memo["Line"][0]["SalesItemLineDetail"] == {"ItemRef": who("Stoneware mug"), "Qty": 1, "UnitPrice": 6.67}


def test_scaled_line_keeps_quantity_when_a_unit_price_fits_else_omits_both():
    lines = [{"sku": "MUG-01", "quantity": 4, "unit_price": "25"}, {"sku": "BOWL-02", "quantity": 3, "unit_price": "100"}]
    n = note([{"ref": "RF-1", "date": "2026-11-06", "amount": "100"}], lines)  # total 400, memo 300
    (_, _, memo), _ = bodies(n, offline(n))
    assert memo["Line"][0] == sale_line(75, "Stoneware mug", 4, 18.75)
    assert memo["Line"][1] == sale_line(225, "Bowl", 3, 75)
    n2 = note([{"ref": "RF-1", "date": "2026-11-06", "amount": "100.01"}],
              [{"sku": "MUG-01", "quantity": 30000, "unit_price": "0.01"}])  # memo 199.99 over 30000: no 6-place price fits
    (_, _, memo2), _ = bodies(n2, offline(n2))
    assert memo2["Line"] == [sale_line(199.99, "Stoneware mug")]


def test_fully_refunded_note_gives_refund_receipts_only():
    n = note([{"ref": "RF-1", "date": "2026-11-06", "amount": "300"}, {"ref": "RF-2", "date": "2026-11-07", "amount": "200"}])
    got = bodies(n, offline(n))
    assert [(e, k) for e, k, _ in got] == [("RefundReceipt", "refund:RF-1"), ("RefundReceipt", "refund:RF-2")]
    assert [b["Line"][0]["Amount"] for _, _, b in got] == [300, 200]


# --- journals ----------------------------------------------------------------------------------

def test_cogs_positive_and_negative():
    c = doc(type="cogs", ref="COGS-SO-1001", invoice="SO-1001", date="2026-11-02", amount="24.60")
    assert bodies(c, offline(c)) == [("JournalEntry", "doc", {
        "DocNumber": "COGS-SO-1001", "TxnDate": "2026-11-02",
        "Line": [je("Debit", "cogs", 24.6, "COGS of invoice SO-1001"),
                 je("Credit", "inventory_asset", 24.6, "COGS of invoice SO-1001")],
        "PrivateNote": "COGS-SO-1001: COGS of invoice SO-1001"})]
    r = doc(type="cogs", ref="COGS-RET", date="2026-11-03", amount="-4.10")
    assert bodies(r, offline(r))[0][2]["Line"] == [je("Debit", "inventory_asset", 4.1, "COGS"),
                                                    je("Credit", "cogs", 4.1, "COGS")]


def test_positive_adjustment_on_its_accounting_date():
    a = doc(type="adjustment", ref="ADJ-1", completed_date="2026-11-03", accounting_date="2026-11-04",
            reason="found in back room", lines=[{"sku": "MUG-01", "quantity_change": 3, "unit_cost": "4.10"},
                                                {"sku": "BOWL-02", "quantity_change": 1, "unit_cost": "0.005"}])
    assert bodies(a, offline(a)) == [("JournalEntry", "doc", {
        "DocNumber": "ADJ-1", "TxnDate": "2026-11-04",
        "Line": [je("Debit", "inventory_asset", 12.31, "found in back room"),
                 je("Credit", "inventory_discrepancy", 12.31, "found in back room")],
        "PrivateNote": "ADJ-1: found in back room"})]


def test_negative_adjustment_is_the_reverse():
    a = doc(type="adjustment", ref="ADJ-2", completed_date="2026-11-03", accounting_date="2026-11-03",
            lines=[{"sku": "MUG-01", "quantity_change": -2, "unit_cost": "4.10"}])
    assert bodies(a, offline(a))[0][2]["Line"] == [je("Debit", "inventory_discrepancy", 8.2, "stock adjustment"),
                                                    je("Credit", "inventory_asset", 8.2, "stock adjustment")]


def test_supplier_deposit_paid_and_applied():
    d = doc(type="supplier_deposit", ref="DEP-1", supplier="S-1", date="2026-11-01", amount="250",
            supplier_invoice="PI-9", applied_date="2026-11-20")
    assert bodies(d, offline(d)) == [
        ("JournalEntry", "deposit:paid", {
            "DocNumber": "DEP-1", "TxnDate": "2026-11-01",
            "Line": [je("Debit", "supplier_deposits", 250, "supplier deposit paid"),
                     je("Credit", "bank", 250, "supplier deposit paid")],
            "PrivateNote": "DEP-1: supplier deposit paid"}),
        ("JournalEntry", "deposit:applied", {
            "DocNumber": "DEP-1-APPLIED", "TxnDate": "2026-11-20",
            "Line": [je("Debit", "accounts_payable", 250, "supplier deposit applied to supplier invoice PI-9",
                        ("Vendor", "Clay Works")),
                     je("Credit", "supplier_deposits", 250, "supplier deposit applied to supplier invoice PI-9")],
            "PrivateNote": "DEP-1: supplier deposit applied to supplier invoice PI-9"}),
        # settles the bill: a bill payment of 0 linking the bill and the applied journal (sent after the journal)
        ("BillPayment", "deposit:bill", {
            "DocNumber": "DEP-1-APPLY", "TxnDate": "2026-11-20", "VendorRef": who("Clay Works"),
            "APAccountRef": acct("accounts_payable"), "PayType": "Check",
            "CheckPayment": {"BankAccountRef": acct("bank"), "PrintStatus": "NotSet"}, "TotalAmt": 0,
            "Line": [{"Amount": 250, "LinkedTxn": [{"TxnId": None, "TxnType": "Bill"}]},
                     {"Amount": 250, "LinkedTxn": [{"TxnId": "@part:deposit:applied", "TxnType": "JournalEntry"}]}],
            "PrivateNote": "DEP-1: supplier deposit applied to supplier invoice PI-9"}),
    ]
    connected_body = bodies(d, connected(d))[2][2]
    assert connected_body["Line"][0]["LinkedTxn"] == [{"TxnId": "140", "TxnType": "Bill"}]


def test_gift_voucher_sold_and_redeemed():
    s = doc(type="gift_voucher", ref="GV-1", date="2026-11-01", event="sold", amount="50")
    assert bodies(s, offline(s))[0][2]["Line"] == [je("Debit", "payment_clearing", 50, "gift voucher sold"),
                                                    je("Credit", "gift_card_liability", 50, "gift voucher sold")]
    r = doc(type="gift_voucher", ref="GV-2", date="2026-11-02", event="redeemed", amount="20", customer="C-100")
    assert bodies(r, offline(r))[0][2]["Line"] == [
        je("Debit", "gift_card_liability", 20, "gift voucher redeemed", ("Customer", "Harbour Cafe")),
        je("Credit", "payment_clearing", 20, "gift voucher redeemed")]


def test_store_credit_issued_and_redeemed():
    i = doc(type="store_credit", ref="SC-1", customer="C-100", date="2026-11-01", event="issued", amount="15.50")
    assert bodies(i, offline(i)) == [("JournalEntry", "doc", {
        "DocNumber": "SC-1", "TxnDate": "2026-11-01",
        "Line": [je("Debit", "payment_clearing", 15.5, "store credit issued"),
                 je("Credit", "customer_credits", 15.5, "store credit issued", ("Customer", "Harbour Cafe"))],
        "PrivateNote": "SC-1: store credit issued"})]
    r = doc(type="store_credit", ref="SC-2", customer="C-100", date="2026-11-02", event="redeemed", amount="5")
    assert bodies(r, offline(r))[0][2]["Line"] == [
        je("Debit", "customer_credits", 5, "store credit redeemed", ("Customer", "Harbour Cafe")),
        je("Credit", "payment_clearing", 5, "store credit redeemed")]


def test_opening_inventory_on_the_day_before_the_filter_start_date():
    products = [MUG | {"quantity_on_hand": "10", "average_cost": "4.10"}, BOWL | {"quantity_on_hand": "3"},
                doc(type="product", ref="S", name="Svc", kind="service", quantity_on_hand="5", purchase_cost="9")]
    value = inventory_valuation(products)
    assert value == Decimal("41.00")
    p = build_opening_inventory(value, Decimal("30.50"), date(2026, 11, 1), offline())
    assert p is not None and p.to_json()["body"] == {
        "DocNumber": "OPENING-INV", "TxnDate": "2026-10-31",
        "Line": [je("Debit", "inventory_asset", 10.5, "opening inventory balance"),
                 je("Credit", "opening_balance_equity", 10.5, "opening inventory balance")],
        "PrivateNote": "OPENING-INV: opening inventory: valuation 41.00 less QBO balance 30.50"}
    assert build_opening_inventory(value, value, date(2026, 11, 1), offline()) is None
    down = build_opening_inventory(Decimal(10), Decimal(12), date(2026, 11, 1), offline())
    assert down.to_json()["body"]["Line"][0]["JournalEntryLineDetail"]["AccountRef"] == acct("opening_balance_equity")


# --- purchases ----------------------------------------------------------------------------------

PLINES = [{"sku": "MUG-01", "quantity": 100, "unit_cost": "4.10", "tax_code": "TAX"}]


def purchase_line(amount=410, qty=100, cost=4.1, **extra):
    return {"DetailType": "ItemBasedExpenseLineDetail", "Amount": amount, "ItemBasedExpenseLineDetail": {
        "ItemRef": who("Stoneware mug"), "Qty": qty, "UnitPrice": cost, "TaxCodeRef": who("TAX"), **extra}}


def test_purchase_order():
    po = doc(type="purchase_order", ref="PO-1", supplier="S-1", date="2026-10-20", lines=PLINES)
    assert bodies(po, offline(po)) == [("PurchaseOrder", "doc", {
        "DocNumber": "PO-1", "TxnDate": "2026-10-20", "VendorRef": who("Clay Works"),
        "APAccountRef": acct("accounts_payable"), "Line": [purchase_line()], "PrivateNote": "PO-1"})]


def test_bill_numbered_by_the_supplier_invoice_number():
    b = doc(type="supplier_invoice", ref="PI-9", supplier="S-1", supplier_invoice_number="INV-7781",
            invoice_date="2026-10-25", due_date="2026-11-09", location="Main St", lines=PLINES)
    assert bodies(b, offline(b, location_source="location")) == [("Bill", "doc", {
        "DocNumber": "INV-7781", "TxnDate": "2026-10-25", "VendorRef": who("Clay Works"),
        "APAccountRef": acct("accounts_payable"), "DepartmentRef": who("Main St"), "Line": [purchase_line()],
        "PrivateNote": "PI-9 (supplier invoice INV-7781)", "DueDate": "2026-11-09", "SalesTermRef": who("Net 15")})]


def test_vendor_credit():
    vc = doc(type="supplier_credit", ref="VC-1", supplier="S-1", date="2026-10-28",
             lines=[{"sku": "MUG-01", "quantity": 2, "unit_cost": "4.10"}])
    assert bodies(vc, offline(vc)) == [("VendorCredit", "doc", {
        "DocNumber": "VC-1", "TxnDate": "2026-10-28", "VendorRef": who("Clay Works"),
        "APAccountRef": acct("accounts_payable"),
        "Line": [{"DetailType": "ItemBasedExpenseLineDetail", "Amount": 8.2, "ItemBasedExpenseLineDetail": {
            "ItemRef": who("Stoneware mug"), "Qty": 2, "UnitPrice": 4.1}}], "PrivateNote": "VC-1"})]


def test_bill_payment_by_check_from_the_bank():
    bill = doc(type="supplier_invoice", ref="PI-9", supplier="S-1", supplier_invoice_number="INV-7781",
               invoice_date="2026-10-25", lines=PLINES)
    pay = doc(type="supplier_payment", ref="SP-1", supplier_invoice="PI-9", date="2026-11-09", amount="410")
    assert bodies(pay, offline(bill, pay)) == [("BillPayment", "doc", {
        "DocNumber": "SP-1", "TxnDate": "2026-11-09", "VendorRef": who("Clay Works"),
        "APAccountRef": acct("accounts_payable"), "PayType": "Check",
        "CheckPayment": {"BankAccountRef": acct("bank"), "PrintStatus": "NotSet"},  # not QBO's "to print" queue
        "TotalAmt": 410, "Line": [{"Amount": 410, "LinkedTxn": [{"TxnId": None, "TxnType": "Bill"}]}],
        "PrivateNote": "SP-1 (supplier invoice PI-9)"})]
    assert bodies(pay, connected(bill, pay))[0][2]["Line"][0]["LinkedTxn"][0]["TxnId"] == "140"


# --- references ---------------------------------------------------------------------------------

def test_31_character_reference_becomes_a_21_character_doc_number_with_the_full_ref_on_the_memo():
    ref = "SHOPIFY-ORDER-2026-11-000012345"
    assert len(ref) == 31
    inv = doc(type="sale_invoice", ref=ref, customer="C-100", invoice_date="2026-11-02",
              lines=[{"sku": "MUG-01", "quantity": 1, "unit_price": "1"}])
    body = bodies(inv, offline(inv, reference_on_statement=True))[0][2]
    assert len(body["DocNumber"]) == 21
    assert body["DocNumber"].startswith("SHOPIFY-ORDE~")
    assert body["CustomerMemo"] == {"value": ref} and body["PrivateNote"] == ref
    other = inv | {"ref": "SHOPIFY-ORDER-2026-11-000012346"}
    assert bodies(other, offline(other))[0][2]["DocNumber"] != body["DocNumber"]


@pytest.mark.parametrize("amount", ["24.60", "0.10", "999999999999.99", "-3.30"])
def test_amounts_stay_exact_in_json(amount):
    c = doc(type="cogs", ref="C", date="2026-11-02", amount=amount)
    import json
    text = json.dumps(build(c, offline(c))[0].to_json())
    assert f'"Amount": {Decimal(amount).copy_abs().normalize():f}' in text


class Recording:
    """Wraps a resolver and records the account roles asked for."""

    def __init__(self, inner):
        self.inner, self.roles = inner, set()

    def account(self, role):
        self.roles.add(role)
        return self.inner.account(role)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def test_roles_used_are_exactly_the_roles_the_payloads_post_to():
    from dataclasses import replace

    from qbtui.ledger import roles_used
    samples = [
        MUG, BOWL, CUSTOMER, SUPPLIER, INVOICE,
        doc(type="product", ref="BAG", name="Bag", kind="non_stock"),
        doc(type="product", ref="GW", name="Gift wrap", kind="service"),
        doc(type="product", ref="EN", name="Engraving", kind="service", purchase_cost="1"),
        note(), note([{"ref": "RF-1", "date": "2026-11-06", "amount": "100"}]),
        note([{"ref": "RF-1", "date": "2026-11-06", "amount": "500"}]),
        doc(type="sale_payment", ref="P", invoice="SO-1001", date="2026-11-10", amount="1"),
        doc(type="quote", ref="Q", customer="C-100", date="2026-11-01", lines=[{"sku": "MUG-01", "quantity": 1, "unit_price": "1"}]),
        doc(type="cogs", ref="C", date="2026-11-02", amount="-1"),
        doc(type="purchase_order", ref="PO", supplier="S-1", date="2026-11-01", lines=PLINES),
        doc(type="supplier_invoice", ref="PI-9", supplier="S-1", invoice_date="2026-11-01", lines=PLINES),
        doc(type="supplier_credit", ref="VC", supplier="S-1", date="2026-11-01", lines=PLINES),
        doc(type="supplier_payment", ref="SP", supplier_invoice="PI-9", date="2026-11-01", amount="1"),
        doc(type="supplier_deposit", ref="D", supplier="S-1", date="2026-11-01", amount="1"),
        doc(type="supplier_deposit", ref="D2", supplier="S-1", date="2026-11-01", amount="1", supplier_invoice="PI-9"),
        doc(type="adjustment", ref="A", accounting_date="2026-11-01", lines=[{"sku": "MUG-01", "quantity_change": -1, "unit_cost": "1"}]),
        doc(type="gift_voucher", ref="G", date="2026-11-01", event="sold", amount="1"),
        doc(type="store_credit", ref="S", customer="C-100", date="2026-11-01", event="redeemed", amount="1"),
    ]
    for d in samples:
        ledger = offline(INVOICE)
        rec = Recording(ledger.resolver)
        build(d, replace(ledger, resolver=rec))
        assert rec.roles == set(roles_used(d)), d["ref"]
