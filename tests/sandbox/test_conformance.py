"""Conformance: python-quickbooks (a client nobody here wrote) drives the sandbox over loopback."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import requests
from quickbooks import exceptions as qbe
from quickbooks.batch import batch_create, batch_delete
from quickbooks.cdc import change_data_capture
from quickbooks.objects.account import Account
from quickbooks.objects.bill import Bill
from quickbooks.objects.customer import Customer
from quickbooks.objects.invoice import Invoice
from quickbooks.objects.item import Item
from quickbooks.objects.journalentry import JournalEntry
from quickbooks.objects.payment import Payment
from quickbooks.objects.preferences import Preferences
from quickbooks.objects.vendor import Vendor

from .conftest import unique


def account_id(qb, name: str) -> str:
    return Account.filter(Name=name, qb=qb)[0].Id


def a_customer(qb) -> Customer:
    return Customer.from_json({"DisplayName": unique("Cust")}).save(qb=qb)


def an_item(qb) -> Item:
    return Item.from_json({"Name": unique("Item"), "Type": "NonInventory", "UnitPrice": 12.5,
                           "IncomeAccountRef": {"value": account_id(qb, "Sales of Product Income")},
                           "ExpenseAccountRef": {"value": account_id(qb, "Inventory Asset")}}).save(qb=qb)


def invoice_body(customer_id: str, item_id: str, **extra) -> dict:
    return {"CustomerRef": {"value": customer_id},
            "Line": [{"DetailType": "SalesItemLineDetail", "Amount": 25.0,
                      "SalesItemLineDetail": {"ItemRef": {"value": item_id}, "Qty": 2, "UnitPrice": 12.5}},
                     {"DetailType": "SalesItemLineDetail", "Amount": 10.0,
                      "SalesItemLineDetail": {"ItemRef": {"value": item_id}, "Qty": 1, "UnitPrice": 10}}],
            **extra}


def journal_body(debit: float, credit: float, debit_acc: str, credit_acc: str, **extra) -> dict:
    return {"Line": [
        {"DetailType": "JournalEntryLineDetail", "Amount": debit,
         "JournalEntryLineDetail": {"PostingType": "Debit", "AccountRef": {"value": debit_acc}}},
        {"DetailType": "JournalEntryLineDetail", "Amount": credit,
         "JournalEntryLineDetail": {"PostingType": "Credit", "AccountRef": {"value": credit_acc}}}], **extra}


# --- round trips ----------------------------------------------------------------------------

def test_customer_round_trip(qb):
    name = unique("Cust")
    created = Customer.from_json({"DisplayName": name, "CompanyName": "Acme"}).save(qb=qb)
    assert int(created.Id) > 0 and created.SyncToken == "0"
    fetched = Customer.get(created.Id, qb=qb)
    assert fetched.DisplayName == name and fetched.Active is True
    assert [c.Id for c in Customer.filter(DisplayName=name, qb=qb)] == [created.Id]
    assert Customer.count(f"DisplayName = '{name}'", qb=qb) == 1
    fetched.CompanyName = "Acme Two"
    updated = fetched.save(qb=qb)
    assert updated.SyncToken == "1" and updated.CompanyName == "Acme Two"
    updated.Active = False  # customers are never deleted
    inactive = updated.save(qb=qb)
    assert inactive.Active is False and inactive.DisplayName == f"{name} (deleted)"  # as QBO renames them
    assert Customer.filter(DisplayName=f"{name} (deleted)", qb=qb) == []  # queries skip inactive ones...
    assert len(Customer.where(f"DisplayName LIKE '{name}%' AND Active = false", qb=qb)) == 1  # ...unless asked
    with pytest.raises(qbe.UnsupportedException):
        qb.delete_object("Customer", json.dumps({"Id": created.Id, "SyncToken": inactive.SyncToken}))


def test_vendor_round_trip(qb):
    name = unique("Vend")
    vendor = Vendor.from_json({"DisplayName": name}).save(qb=qb)
    assert Vendor.get(vendor.Id, qb=qb).PrintOnCheckName == name
    # sparse update: only the fields sent change
    qb.update_object("Vendor", json.dumps({"Id": vendor.Id, "SyncToken": vendor.SyncToken, "sparse": True,
                                           "CompanyName": "Sparse Co"}))
    again = Vendor.get(vendor.Id, qb=qb)
    assert again.CompanyName == "Sparse Co" and again.DisplayName == name and again.SyncToken == "1"


def test_item_round_trip(qb):
    item = an_item(qb)
    got = Item.get(item.Id, qb=qb)
    assert got.Type == "NonInventory" and got.IncomeAccountRef.name == "Sales of Product Income"
    got.UnitPrice = 13
    assert got.save(qb=qb).UnitPrice == 13
    assert Item.choose([item.Id], qb=qb)[0].Name == item.Name
    assert item.Name in [i.Name for i in Item.all(max_results=1000, qb=qb)]


def test_invoice_round_trip_totals_payment_void_delete(qb):
    customer, item = a_customer(qb), an_item(qb)
    doc = unique("INV")[:21]
    inv = Invoice.from_json(invoice_body(customer.Id, item.Id, DocNumber=doc, TxnDate="2026-11-02")).save(qb=qb)
    assert inv.TotalAmt == 35.0 and inv.Balance == 35.0
    # a full update that carries read-only fields (TotalAmt, Balance, MetaData): they are ignored
    fetched = Invoice.get(inv.Id, qb=qb)
    fetched.TotalAmt = 999
    fetched.Balance = 999
    fetched.PrivateNote = "full update"
    updated = fetched.save(qb=qb)
    assert updated.TotalAmt == 35.0 and updated.PrivateNote == "full update" and updated.SyncToken == "1"
    # a payment reduces the balance
    pay = Payment.from_json({"CustomerRef": {"value": customer.Id}, "TotalAmt": 20.0,
                             "Line": [{"Amount": 20.0, "LinkedTxn": [{"TxnId": inv.Id, "TxnType": "Invoice"}]}]}
                            ).save(qb=qb)
    assert Invoice.get(inv.Id, qb=qb).Balance == 15.0
    pay = Payment.get(pay.Id, qb=qb)
    pay.void(qb=qb)  # operation=update&include=void, sparse body
    voided_pay = Payment.get(pay.Id, qb=qb)
    assert voided_pay.TotalAmt == 0 and "Voided" in voided_pay.PrivateNote
    assert Invoice.get(inv.Id, qb=qb).Balance == 35.0
    # void the invoice: amounts to 0, "Voided" in PrivateNote, Id kept
    current = Invoice.get(inv.Id, qb=qb)
    current.void(qb=qb)
    voided = Invoice.get(inv.Id, qb=qb)
    assert voided.Id == inv.Id and voided.TotalAmt == 0 and voided.Balance == 0
    assert voided.PrivateNote.startswith("Voided")
    assert all(line.Amount == 0 for line in voided.Line)
    # query by DocNumber, then delete
    assert [i.Id for i in Invoice.filter(DocNumber=doc, qb=qb)] == [inv.Id]
    answer = voided.delete(qb=qb)
    assert answer["Invoice"] == {"domain": "QBO", "status": "Deleted", "Id": inv.Id}
    with pytest.raises(qbe.ObjectNotFoundException) as err:
        Invoice.get(inv.Id, qb=qb)
    assert err.value.error_code == 610


def test_journal_entry_round_trip(qb):
    checking, equity = account_id(qb, "Checking"), account_id(qb, "Opening Balance Equity")
    je = JournalEntry.from_json(journal_body(40.5, 40.5, checking, equity, DocNumber=unique("JE")[:21],
                                             TxnDate="2026-11-03")).save(qb=qb)
    assert je.TotalAmt == 40.5 and len(je.Line) == 2
    got = JournalEntry.get(je.Id, qb=qb)
    got.PrivateNote = "checked"
    assert got.save(qb=qb).SyncToken == "1"
    assert JournalEntry.get(je.Id, qb=qb).delete(qb=qb)["JournalEntry"]["status"] == "Deleted"
    # no void for journals through the API
    with pytest.raises(qbe.UnsupportedException):
        qb.post(f"{qb.api_url}/company/{qb.company_id}/journalentry", json.dumps({"Id": je.Id, "SyncToken": "1"}),
                params={"operation": "void"})


def test_bill_round_trip(qb):
    vendor = Vendor.from_json({"DisplayName": unique("Vend")}).save(qb=qb)
    inventory = account_id(qb, "Inventory Asset")
    bill = Bill.from_json({"VendorRef": {"value": vendor.Id}, "DocNumber": "SUP-1", "TxnDate": "2026-11-04",
                           "Line": [{"DetailType": "AccountBasedExpenseLineDetail", "Amount": 80.0,
                                     "AccountBasedExpenseLineDetail": {"AccountRef": {"value": inventory}}},
                                    {"DetailType": "AccountBasedExpenseLineDetail", "Amount": 19.99,
                                     "AccountBasedExpenseLineDetail": {"AccountRef": {"value": inventory}}}]}
                          ).save(qb=qb)
    assert bill.TotalAmt == 99.99 and bill.Balance == 99.99 and bill.APAccountRef.name == "Accounts Payable (A/P)"
    got = Bill.get(bill.Id, qb=qb)
    got.PrivateNote = "edited"
    assert got.save(qb=qb).PrivateNote == "edited"
    # the same supplier invoice number for another vendor is fine (6140 is per vendor for bills)
    other = Vendor.from_json({"DisplayName": unique("Vend")}).save(qb=qb)
    line = {"DetailType": "AccountBasedExpenseLineDetail", "Amount": 5.0,
            "AccountBasedExpenseLineDetail": {"AccountRef": {"value": inventory}}}
    Bill.from_json({"VendorRef": {"value": other.Id}, "DocNumber": "SUP-1", "Line": [line]}).save(qb=qb)
    with pytest.raises(qbe.QuickbooksException) as err:  # ...but not twice for the same vendor
        Bill.from_json({"VendorRef": {"value": other.Id}, "DocNumber": "SUP-1", "Line": [line]}).save(qb=qb)
    assert err.value.error_code == 6140
    assert Bill.get(bill.Id, qb=qb).delete(qb=qb)["Bill"]["status"] == "Deleted"


def test_preferences_read_and_sparse_update(qb):
    prefs = Preferences.get(qb=qb)
    assert prefs.AccountingInfoPrefs.BookCloseDate == "2026-09-30"
    assert prefs.ProductAndServicesPrefs.QuantityOnHand is False
    qb.update_object("Preferences", json.dumps({"Id": prefs.Id, "SyncToken": prefs.SyncToken, "sparse": True,
                                                "SalesFormsPrefs": {"AutoApplyCredit": False}}))
    again = Preferences.get(qb=qb)
    assert again.SalesFormsPrefs.AutoApplyCredit is False
    assert again.SalesFormsPrefs.CustomTxnNumbers is True  # the rest of the section is kept


# --- batch, CDC, requestid ------------------------------------------------------------------

def test_batch_helper(qb):
    names = [unique("BatchCust") for _ in range(35)]  # more than 30: the helper sends two batches
    result = batch_create([Customer.from_json({"DisplayName": n}) for n in names], qb=qb)
    assert len(result.successes) == 35 and result.faults == []
    # uniqueness sees earlier items of the same batch; one failing item does not undo the others
    dup = unique("Dup")
    result = batch_create([Customer.from_json({"DisplayName": dup}), Vendor.from_json({"DisplayName": dup}),
                           Vendor.from_json({"DisplayName": unique("Ok")})], qb=qb)
    assert len(result.successes) == 2 and len(result.faults) == 1
    assert result.faults[0].Error[0].code == "6240"
    created = Customer.filter(DisplayName=dup, qb=qb)
    deleted = batch_delete(created, qb=qb)  # customers cannot be deleted: per-item faults, HTTP 200
    assert deleted.successes == [] and deleted.faults[0].Error[0].code == "500"


def test_batch_over_limit_is_a_400_fault(qb):
    items = [{"bId": f"b{i}", "operation": "create", "Customer": {"DisplayName": unique("Big")}} for i in range(31)]
    with pytest.raises(qbe.QuickbooksException) as err:
        qb.batch_operation(json.dumps({"BatchItemRequest": items}))
    assert err.value.error_code == 1040


def test_cdc_changed_and_deleted(qb):
    since = (datetime.now(UTC) - timedelta(seconds=2)).isoformat(timespec="seconds")
    customer = a_customer(qb)
    je = JournalEntry.from_json(journal_body(5, 5, account_id(qb, "Checking"),
                                             account_id(qb, "Opening Balance Equity"))).save(qb=qb)
    JournalEntry.get(je.Id, qb=qb).delete(qb=qb)
    cdc = change_data_capture([Customer, JournalEntry], since, qb=qb)
    assert customer.Id in [c.Id for c in cdc.Customer]
    deleted = [j for j in cdc.JournalEntry if j.Id == je.Id]
    assert deleted and deleted[0].status == "Deleted"
    with pytest.raises(qbe.QuickbooksException) as err:  # more than 30 days back
        change_data_capture([Customer], (datetime.now(UTC) - timedelta(days=31)).isoformat(), qb=qb)
    assert err.value.error_code == 6000


def test_requestid_replay_returns_the_first_answer(qb):
    name = unique("Replay")
    rid = unique("rid")
    first = Customer.from_json({"DisplayName": name}).save(qb=qb, request_id=rid)
    second = Customer.from_json({"DisplayName": name}).save(qb=qb, request_id=rid)  # no 6240: a replay
    assert second.Id == first.Id
    assert len(Customer.filter(DisplayName=name, qb=qb)) == 1


# --- each error code, with QBO's code and HTTP status ---------------------------------------

def raw(qb, method: str, path: str, body=None, params=None):
    """The HTTP answer itself (status and body), through python-quickbooks' own session."""
    url = f"{qb.api_url}/company/{qb.company_id}/{path}"
    headers = {"Authorization": f"Bearer {qb.session.access_token}", "Accept": "application/json"}
    return qb.session.request(method, url, headers=headers, data=json.dumps(body) if body is not None else None,
                              params={"minorversion": 75, **(params or {})})


def code_of(answer) -> tuple[int, str]:
    return answer.status_code, answer.json()["Fault"]["Error"][0]["code"]


def test_6240_shared_name_space(qb):
    name = unique("Shared")
    Customer.from_json({"DisplayName": name}).save(qb=qb)
    with pytest.raises(qbe.QuickbooksException) as err:  # python-quickbooks has no class for 5000-9999
        Vendor.from_json({"DisplayName": name}).save(qb=qb)
    assert err.value.error_code == 6240
    assert code_of(raw(qb, "POST", "vendor", {"DisplayName": name})) == (400, "6240")


def test_6000_unbalanced_journal(qb):
    body = journal_body(10, 9.99, account_id(qb, "Checking"), account_id(qb, "Opening Balance Equity"))
    with pytest.raises(qbe.QuickbooksException) as err:
        JournalEntry.from_json(body).save(qb=qb)
    assert err.value.error_code == 6000
    assert code_of(raw(qb, "POST", "journalentry", body)) == (400, "6000")
    # an A/R line without a customer is refused the same way
    ar = journal_body(5, 5, account_id(qb, "Accounts Receivable (A/R)"), account_id(qb, "Checking"))
    assert code_of(raw(qb, "POST", "journalentry", ar)) == (400, "6000")


def test_2050_docnumber_over_21(qb):
    body = invoice_body(a_customer(qb).Id, an_item(qb).Id, DocNumber="X" * 22)
    with pytest.raises(qbe.ValidationException) as err:
        Invoice.from_json(body).save(qb=qb)
    assert err.value.error_code == 2050
    assert code_of(raw(qb, "POST", "invoice", body)) == (400, "2050")


def test_6140_duplicate_docnumber_unless_allowed(qb):
    customer, item = a_customer(qb), an_item(qb)
    doc = unique("D")[:21]
    Invoice.from_json(invoice_body(customer.Id, item.Id, DocNumber=doc)).save(qb=qb)
    with pytest.raises(qbe.QuickbooksException) as err:
        Invoice.from_json(invoice_body(customer.Id, item.Id, DocNumber=doc)).save(qb=qb)
    assert err.value.error_code == 6140
    assert code_of(raw(qb, "POST", "invoice", invoice_body(customer.Id, item.Id, DocNumber=doc))) == (400, "6140")
    twin = Invoice.from_json(invoice_body(customer.Id, item.Id, DocNumber=doc)).save(
        qb=qb, params={"include": "allowduplicatedocnum"})
    assert twin.DocNumber == doc


def test_2500_unknown_and_610_inactive_references(qb):
    item = an_item(qb)
    with pytest.raises(qbe.ValidationException) as err:
        Invoice.from_json(invoice_body("999999", item.Id)).save(qb=qb)
    assert err.value.error_code == 2500
    assert code_of(raw(qb, "POST", "invoice", invoice_body("999999", item.Id))) == (400, "2500")
    customer = a_customer(qb)
    customer.Active = False
    customer.save(qb=qb)
    with pytest.raises(qbe.ObjectNotFoundException) as err:
        Invoice.from_json(invoice_body(customer.Id, item.Id)).save(qb=qb)
    assert err.value.error_code == 610
    assert code_of(raw(qb, "POST", "invoice", invoice_body(customer.Id, item.Id))) == (400, "610")


def test_6210_on_or_before_book_close_date(qb):
    body = invoice_body(a_customer(qb).Id, an_item(qb).Id, TxnDate="2026-09-30")
    with pytest.raises(qbe.QuickbooksException) as err:
        Invoice.from_json(body).save(qb=qb)
    assert err.value.error_code == 6210
    assert code_of(raw(qb, "POST", "invoice", body)) == (400, "6210")
    body["TxnDate"] = "2026-10-01"
    assert Invoice.from_json(body).save(qb=qb).TxnDate == "2026-10-01"


def test_5010_stale_synctoken(qb):
    customer = a_customer(qb)
    fresh = Customer.get(customer.Id, qb=qb)
    fresh.CompanyName = "first"
    fresh.save(qb=qb)
    stale = Customer.get(customer.Id, qb=qb)
    stale.SyncToken = "0"
    with pytest.raises(qbe.QuickbooksException) as err:
        stale.save(qb=qb)
    assert err.value.error_code == 5010
    assert code_of(raw(qb, "POST", "customer", {"Id": customer.Id, "SyncToken": "0", "DisplayName": "x"})) \
        == (400, "5010")


def test_2020_required_field_missing(qb):
    with pytest.raises(qbe.ValidationException) as err:
        Invoice.from_json({"Line": []}).save(qb=qb)
    assert err.value.error_code == 2020
    assert code_of(raw(qb, "POST", "invoice", {"Line": []})) == (400, "2020")


def test_401_lowercase_fault_for_bad_token(qb, server):
    from quickbooks import QuickBooks

    customer = a_customer(qb)
    answer = raw(qb, "GET", f"customer/{customer.Id}")
    assert answer.status_code == 200
    headers = {"Authorization": "Bearer not-a-token", "Accept": "application/json"}
    answer = requests.get(f"{server.api_url}/company/{qb.company_id}/customer/{customer.Id}", headers=headers,
                          timeout=10)
    assert answer.status_code == 401
    assert answer.json()["fault"]["error"][0]["code"] == "3200"
    assert answer.json()["fault"]["type"] == "AUTHENTICATION"
    # through python-quickbooks: AuthorizationException with the HTTP status
    broken = QuickBooks(auth_client=qb.auth_client, refresh_token=qb.refresh_token, company_id=qb.company_id,
                        minorversion=75)
    broken.session.access_token = "expired"
    with pytest.raises(qbe.AuthorizationException) as err:
        Customer.get(customer.Id, qb=broken)
    assert err.value.error_code == 401
