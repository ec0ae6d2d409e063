"""Per-entity rules: what can be voided/deleted, full vs sparse update, totals, references, batches."""

from __future__ import annotations

import pytest

from .conftest import unique


def acc(client, name):
    return next(a["Id"] for a in client._transport.app.state.company.objects["Account"].values() if a["Name"] == name)


async def post(client, entity, body, **params):
    return await client.post(f"{client.realm}/{entity.lower()}", json=body, params=params)


async def make(client, entity, body, **params):
    answer = await post(client, entity, body, **params)
    assert answer.status_code == 200, answer.text
    return answer.json()[entity]


def code(answer):
    return answer.status_code, answer.json()["Fault"]["Error"][0]["code"]


async def customer(client):
    return await make(client, "Customer", {"DisplayName": unique("C")})


async def vendor(client):
    return await make(client, "Vendor", {"DisplayName": unique("V")})


def sales(cust_id, **extra):
    return {"CustomerRef": {"value": cust_id},
            "Line": [{"DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {"Qty": 3, "UnitPrice": 2.5}},
                     {"DetailType": "SalesItemLineDetail", "Amount": 10,
                      "SalesItemLineDetail": {"TaxCodeRef": {"value": "TAX"}}}], **extra}


async def test_sales_totals_as_qbo_computes_them(client):
    c = await customer(client)
    inv = await make(client, "Invoice", sales(c["Id"], TxnTaxDetail={"TotalTax": 0.8}, DocNumber=unique("I")[:21]))
    assert [line["Amount"] for line in inv["Line"]] == [7.5, 10.0, 17.5]  # last: SubTotalLineDetail
    assert inv["Line"][-1]["DetailType"] == "SubTotalLineDetail"
    assert inv["TotalAmt"] == 18.3 and inv["Balance"] == 18.3 and inv["CustomerRef"]["name"] == c["DisplayName"]
    assert [line["Id"] for line in inv["Line"][:2]] == ["1", "2"]
    body = sales(c["Id"])
    body["Line"].append({"DetailType": "DiscountLineDetail",
                         "DiscountLineDetail": {"PercentBased": True, "DiscountPercent": 10}})
    disc = await make(client, "Estimate", body)
    assert disc["TotalAmt"] == 15.75
    memo = await make(client, "CreditMemo", sales((await customer(client))["Id"]))  # nothing open: not auto-applied
    assert memo["TotalAmt"] == 17.5 and memo["Balance"] == 17.5
    refund = await make(client, "RefundReceipt", {**sales(c["Id"]),
                                                  "DepositToAccountRef": {"value": acc(client, "Payment Clearing")}})
    assert refund["TotalAmt"] == 17.5


async def test_full_update_nulls_omitted_fields_and_sparse_keeps_them(client):
    c = await make(client, "Customer", {"DisplayName": unique("U"), "CompanyName": "Co", "Notes": "n"})
    full = await make(client, "Customer", {"Id": c["Id"], "SyncToken": c["SyncToken"], "DisplayName": c["DisplayName"],
                                           "Notes": "kept", "Balance": 123, "MetaData": {"CreateTime": "x"}})
    assert "CompanyName" not in full and full["Notes"] == "kept" and full["Balance"] == 0
    assert full["MetaData"]["CreateTime"] == c["MetaData"]["CreateTime"] and full["SyncToken"] == "1"
    sparse = await make(client, "Customer", {"Id": c["Id"], "SyncToken": "1", "sparse": True, "CompanyName": "Back"})
    assert sparse["Notes"] == "kept" and sparse["CompanyName"] == "Back" and sparse["SyncToken"] == "2"


@pytest.mark.parametrize("entity", ["JournalEntry", "Bill", "CreditMemo", "RefundReceipt", "VendorCredit",
                                    "Estimate", "PurchaseOrder"])
async def test_no_void_through_the_api(client, entity):
    c, v = await customer(client), await vendor(client)
    line_exp = [{"DetailType": "AccountBasedExpenseLineDetail", "Amount": 5,
                 "AccountBasedExpenseLineDetail": {"AccountRef": {"value": acc(client, "Inventory Asset")}}}]
    bodies = {
        "JournalEntry": {"Line": [
            {"DetailType": "JournalEntryLineDetail", "Amount": 5, "JournalEntryLineDetail": {
                "PostingType": "Debit", "AccountRef": {"value": acc(client, "Checking")}}},
            {"DetailType": "JournalEntryLineDetail", "Amount": 5, "JournalEntryLineDetail": {
                "PostingType": "Credit", "AccountRef": {"value": acc(client, "Opening Balance Equity")}}}]},
        "Bill": {"VendorRef": {"value": v["Id"]}, "Line": line_exp},
        "VendorCredit": {"VendorRef": {"value": v["Id"]}, "Line": line_exp},
        "PurchaseOrder": {"VendorRef": {"value": v["Id"]}, "Line": line_exp},
        "CreditMemo": sales(c["Id"]), "Estimate": sales(c["Id"]),
        "RefundReceipt": {**sales(c["Id"]), "DepositToAccountRef": {"value": acc(client, "Checking")}},
    }
    obj = await make(client, entity, bodies[entity])
    ident = {"Id": obj["Id"], "SyncToken": obj["SyncToken"]}
    assert code(await post(client, entity, ident, operation="void")) == (400, "500")
    assert code(await post(client, entity, {**ident, "sparse": True}, operation="update", include="void")) == (400, "500")
    deleted = await post(client, entity, ident, operation="delete")
    assert deleted.json()[entity]["status"] == "Deleted"


@pytest.mark.parametrize("entity,body", [
    ("Customer", {"DisplayName": "x"}), ("Vendor", {"DisplayName": "x"}), ("Term", {"Name": "x"}),
    ("Class", {"Name": "x"}), ("Department", {"Name": "x"}),
])
async def test_lists_are_never_deleted(client, entity, body):
    body = {k: unique(v) for k, v in body.items()}
    obj = await make(client, entity, body)
    assert code(await post(client, entity, {"Id": obj["Id"], "SyncToken": "0"}, operation="delete")) == (400, "500")
    again = await post(client, entity, {**body})
    assert code(again) == (400, "6240")
    inactive = await make(client, entity, {**body, "Id": obj["Id"], "SyncToken": "0", "Active": False})
    assert inactive["Active"] is False


async def test_read_only_entities(client):
    assert code(await post(client, "TaxCode", {"Name": "NEW"})) == (400, "500")
    answer = await client.get(f"{client.realm}/companyinfo/{client._transport.app.state.company.realm_id}")
    assert answer.json()["CompanyInfo"]["CompanyName"]


async def test_bill_payment_and_its_void(client):
    v = await vendor(client)
    bill = await make(client, "Bill", {"VendorRef": {"value": v["Id"]}, "Line": [
        {"DetailType": "AccountBasedExpenseLineDetail", "Amount": 50,
         "AccountBasedExpenseLineDetail": {"AccountRef": {"value": acc(client, "Inventory Asset")}}}]})
    body = {"VendorRef": {"value": v["Id"]}, "TotalAmt": 30, "PayType": "Check",
            "CheckPayment": {"BankAccountRef": {"value": acc(client, "Checking")}},
            "Line": [{"Amount": 30, "LinkedTxn": [{"TxnId": bill["Id"], "TxnType": "Bill"}]}]}
    pay = await make(client, "BillPayment", body)
    assert (await client.get(f"{client.realm}/bill/{bill['Id']}")).json()["Bill"]["Balance"] == 20
    assert code(await post(client, "BillPayment", body)) == (400, "6000")  # 30 > the 20 still open
    voided = await make(client, "BillPayment", {"Id": pay["Id"], "SyncToken": "0", "sparse": True},
                        operation="update", include="void")
    assert voided["TotalAmt"] == 0
    assert (await client.get(f"{client.realm}/bill/{bill['Id']}")).json()["Bill"]["Balance"] == 50


async def test_payment_void_by_operation_and_delete_restore_balance(client):
    c = await customer(client)
    inv = await make(client, "Invoice", sales(c["Id"]))
    pay_body = {"CustomerRef": {"value": c["Id"]}, "TotalAmt": 20,
                "Line": [{"Amount": 17.5, "LinkedTxn": [{"TxnId": inv["Id"], "TxnType": "Invoice"}]}]}
    pay = await make(client, "Payment", pay_body)
    assert pay["UnappliedAmt"] == 2.5
    got = (await client.get(f"{client.realm}/invoice/{inv['Id']}")).json()["Invoice"]
    assert got["Balance"] == 0 and {"TxnId": pay["Id"], "TxnType": "Payment"} in got["LinkedTxn"]
    await make(client, "Payment", {"Id": pay["Id"], "SyncToken": "0"}, operation="void")
    assert (await client.get(f"{client.realm}/invoice/{inv['Id']}")).json()["Invoice"]["Balance"] == 17.5
    pay2 = await make(client, "Payment", pay_body)
    await post(client, "Payment", {"Id": pay2["Id"], "SyncToken": "0"}, operation="delete")
    assert (await client.get(f"{client.realm}/invoice/{inv['Id']}")).json()["Invoice"]["Balance"] == 17.5


async def test_inventory_item_needs_its_accounts(client):
    answer = await post(client, "Item", {"Name": unique("Inv"), "Type": "Inventory",
                                         "IncomeAccountRef": {"value": acc(client, "Sales of Product Income")}})
    assert code(answer) == (400, "2020")
    assert code(await post(client, "Item", {"Name": "x" * 101, "Type": "Service",
                                            "IncomeAccountRef": {"value": acc(client, "Services")}})) == (400, "2050")


async def test_account_create(client):
    made = await make(client, "Account", {"Name": unique("Acc"), "AccountType": "Other Current Asset",
                                          "AccountSubType": "Inventory"})
    assert made["Classification"] == "Asset" and made["FullyQualifiedName"] == made["Name"]
    assert code(await post(client, "Account", {"Name": unique("Acc")})) == (400, "2020")


async def test_batch_docnumber_uniqueness_sees_earlier_items(client):
    c = await customer(client)
    doc = unique("B")[:21]
    body = {"BatchItemRequest": [
        {"bId": "a", "operation": "create", "Invoice": sales(c["Id"], DocNumber=doc)},
        {"bId": "b", "operation": "create", "Invoice": sales(c["Id"], DocNumber=doc)},
        {"bId": "c", "operation": "create", "Invoice": sales(c["Id"], DocNumber=doc[:20] + "Z")},
        {"bId": "d", "operation": "create", "Invoice": sales("99999999")}]}
    items = (await client.post(f"{client.realm}/batch", json=body)).json()["BatchItemResponse"]
    by = {i["bId"]: i for i in items}
    assert "Invoice" in by["a"] and "Invoice" in by["c"] and by["b"]["Fault"]["Error"][0]["code"] == "6140"
    assert by["d"]["Fault"]["Error"][0]["code"] == "2500"


async def test_requestid_replays_errors_and_batches(client):
    c = await customer(client)
    body = {"BatchItemRequest": [{"bId": "x", "operation": "create", "Invoice": sales(c["Id"])}]}
    first = await client.post(f"{client.realm}/batch", json=body, params={"requestid": "batch-1"})
    second = await client.post(f"{client.realm}/batch", json=body, params={"requestid": "batch-1"})
    assert first.content == second.content
    assert len([i for i in client._transport.app.state.company.objects["Invoice"].values()
                if i["CustomerRef"]["value"] == c["Id"]]) == 1


async def test_unknown_and_deleted_reads_are_610(client):
    answer = await client.get(f"{client.realm}/invoice/987654")
    assert code(answer) == (400, "610")


async def test_made_inactive_frees_the_name(client):
    name = unique("Gone")
    c = await make(client, "Customer", {"DisplayName": name})
    gone = await make(client, "Customer", {"Id": c["Id"], "SyncToken": "0", "sparse": True, "Active": False})
    assert gone["DisplayName"] == f"{name} (deleted)" and gone["Active"] is False
    again = await make(client, "Vendor", {"DisplayName": name})  # no 6240 any more
    assert again["DisplayName"] == name


async def test_a_sandbox_bug_answers_10000(client, monkeypatch):
    company = client._transport.app.state.company
    monkeypatch.setattr(company, "create", lambda *a, **k: 1 / 0)
    answer = await post(client, "Customer", {"DisplayName": "x"})
    assert code(answer) == (500, "10000")
