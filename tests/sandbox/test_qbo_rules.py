"""Rules the sandbox answers as QBO does; each rule's source is in docs/qbo.md#what-the-sandbox-enforces."""

from __future__ import annotations

import importlib
import re

import httpx2
import pytest

from qbtui.sandbox import SandboxConfig, create_app

from .conftest import unique

TID_RE = re.compile(r"^1-[0-9a-f]{8}-[0-9a-f]{24}$")


def company(client):
    return client._transport.app.state.company


def account_id(client, name: str) -> str:
    return next(a["Id"] for a in company(client).objects["Account"].values() if a["Name"] == name)


async def query(client, text: str, **params):
    return await client.get(f"{client.realm}/query", params={"query": text, **params})


def fault(answer) -> dict:
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["Fault"]["type"] == "ValidationFault"
    return body["Fault"]["Error"][0]


@pytest.mark.parametrize("n,word", [(0, "small"), (1001, "large")])
async def test_maxresults_out_of_range_is_a_query_validation_error(client, n, word):
    error = fault(await query(client, f"select * from Item MAXRESULTS {n}", minorversion="75"))
    assert error["code"] == "4001"
    assert error["Message"] == "Invalid query"
    assert error["Detail"].startswith("QueryValidationError:") and f"too {word}" in error["Detail"]


async def test_maxresults_1_is_one_row(client):
    answer = await query(client, "select * from Item MAXRESULTS 1", minorversion="75")
    assert answer.status_code == 200
    assert len(answer.json()["QueryResponse"]["Item"]) == 1


@pytest.mark.parametrize("params", [{"minorversion": "4"}, {"minorversion": "74"}, {}])
async def test_minorversion_below_75_or_missing_is_served_as_75(client, params):
    text = "select * from Customer ORDERBY Id"
    want = (await query(client, text, minorversion="75")).json()["QueryResponse"]
    answer = await query(client, text, **params)
    assert answer.status_code == 200
    assert answer.json()["QueryResponse"] == want


async def test_401_time_is_epoch_milliseconds():
    at = 1_800_000_000.123
    app = create_app(SandboxConfig(company="demo", throttle="off", wall_clock=lambda: at))
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://sb") as c:
        answer = await c.get(f"/v3/company/{app.state.company.realm_id}/customer/1",
                             headers={"Authorization": "Bearer expired-or-unknown"})
    assert answer.status_code == 401
    stamp = answer.json()["time"]
    assert type(stamp) is int and stamp == 1_800_000_000_123


async def test_every_v3_answer_has_a_fresh_intuit_tid(client):
    realm = client.realm
    answers = [
        await client.get(f"{realm}/companyinfo/{company(client).realm_id}"),  # 200
        await client.get(f"{realm}/customer/999999"),  # 400 fault
        await query(client, "select * from Item MAXRESULTS 0"),  # 400 query fault
        await client.get(f"{realm}/query", params={"query": "select * from Item"},
                         headers={"Authorization": "Bearer nope"}),  # 401
        await client.get("/v3/nowhere"),  # 404
    ]
    assert [a.status_code for a in answers] == [200, 400, 400, 401, 404]
    tids = [a.headers.get("intuit-tid") for a in answers]
    assert all(t and TID_RE.match(t) for t in tids), tids
    assert len(set(tids)) == len(tids)


@pytest.mark.parametrize("bad", [":", "\t", "\n"])
@pytest.mark.parametrize("entity,field", [("customer", "DisplayName"), ("vendor", "DisplayName"),
                                          ("employee", "DisplayName"), ("item", "Name")])
async def test_colon_tab_or_newline_in_a_name_is_refused(client, entity, field, bad):
    name = unique("Bad") + bad + "part"
    body = {field: name}
    if entity == "item":
        body.update(Type="Service", IncomeAccountRef={"value": account_id(client, "Services")})
    if entity == "employee":
        body.update(GivenName="Ann", FamilyName="Lee")
    error = fault(await client.post(f"{client.realm}/{entity}", json=body))
    assert (error["code"], error["Message"], error["element"]) == ("2040", "Invalid String", field)
    assert company(client).find_by_name(entity.capitalize(), name) is None


async def test_a_name_cannot_be_renamed_to_hold_a_colon(client):
    made = (await client.post(f"{client.realm}/customer", json={"DisplayName": unique("Ok")})).json()["Customer"]
    answer = await client.post(f"{client.realm}/customer", json={
        "Id": made["Id"], "SyncToken": made["SyncToken"], "sparse": True, "DisplayName": "Parent:Child"})
    assert fault(answer)["code"] == "2040"
    assert company(client).get("Customer", made["Id"])["DisplayName"] == made["DisplayName"]


async def _invoice(client, amount, qty, price):
    cust = (await client.post(f"{client.realm}/customer", json={"DisplayName": unique("C")})).json()["Customer"]
    item = next(iter(company(client).objects["Item"].values()))
    detail = {"ItemRef": {"value": item["Id"]}}
    if qty is not None:
        detail["Qty"] = qty
    if price is not None:
        detail["UnitPrice"] = price
    return await client.post(f"{client.realm}/invoice", json={
        "CustomerRef": {"value": cust["Id"]},
        "Line": [{"DetailType": "SalesItemLineDetail", "Amount": amount, "SalesItemLineDetail": detail}]})


@pytest.mark.parametrize("amount,qty,price", [(10.01, 2, 5), (33.34, 3, 11.11), (0.01, 1, 0)])
async def test_item_line_amount_not_qty_times_price_is_6070(client, amount, qty, price):
    error = fault(await _invoice(client, amount, qty, price))
    assert error["code"] == "6070"
    assert error["Message"] == "Amount calculation incorrect in the request"


@pytest.mark.parametrize("amount,qty,price", [(10, 2, 5), (33.33, 3, 11.11), (3.33, 1, 3.333),
                                              (12.5, None, None), (7.25, 2, None)])
async def test_item_line_amount_equal_to_the_cent_or_without_qty_price_is_accepted(client, amount, qty, price):
    answer = await _invoice(client, amount, qty, price)
    assert answer.status_code == 200, answer.text
    assert answer.json()["Invoice"]["TotalAmt"] == amount


async def test_bill_item_line_amount_not_qty_times_price_is_6070(client):
    vendor = (await client.post(f"{client.realm}/vendor", json={"DisplayName": unique("V")})).json()["Vendor"]
    item = next(iter(company(client).objects["Item"].values()))

    async def bill(amount):
        return await client.post(f"{client.realm}/bill", json={
            "VendorRef": {"value": vendor["Id"]},
            "Line": [{"DetailType": "ItemBasedExpenseLineDetail", "Amount": amount,
                      "ItemBasedExpenseLineDetail": {"ItemRef": {"value": item["Id"]}, "Qty": 4, "UnitPrice": 2.5}}]})

    assert fault(await bill(9.99))["code"] == "6070"
    assert (await bill(10)).status_code == 200


# --- 2010: a property QBO's classes do not have ------------------------------------------------------------------

async def post(client, entity: str, body: dict, **params):
    return await client.post(f"{client.realm}/{entity.lower()}", json=body, params=params)


async def make(client, entity: str, body: dict, **params) -> dict:
    answer = await post(client, entity, body, **params)
    assert answer.status_code == 200, answer.text
    return answer.json()[entity]


async def a_customer(client) -> dict:
    return await make(client, "Customer", {"DisplayName": unique("C")})


def an_item_id(client) -> str:
    return next(i["Id"] for i in company(client).objects["Item"].values() if i["Name"] == "Gift Wrapping")


def invoice_body(customer_id: str, amount: float = 45.0, **extra) -> dict:
    return {"CustomerRef": {"value": customer_id},
            "Line": [{"DetailType": "SalesItemLineDetail", "Amount": amount,
                      "SalesItemLineDetail": {"ItemRef": {"value": "ITEM"}}}], **extra}


async def an_invoice(client, customer_id: str, amount: float = 45.0, **extra) -> dict:
    body = invoice_body(customer_id, amount, **extra)
    body["Line"][0]["SalesItemLineDetail"]["ItemRef"]["value"] = an_item_id(client)
    return await make(client, "Invoice", body)


UNKNOWN_2010 = re.compile(r'^Property Name:Unrecognized field "(\w+)" \(class com\.intuit\.schema\.finance\.v3\.(\w+)\), '
                          r"not marked as ignorable \((\d+) known properties: .*\]\)\n specified is unsupported or "
                          r"invalid$", re.S)


def fault_2010(answer) -> tuple[str, str]:
    """The (field, class) of a 2010 answer shaped as recorded (qbo_api_vcr/error/400_json.yml): no element."""
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["Fault"]["type"] == "ValidationFault" and isinstance(body["time"], str)
    (error,) = body["Fault"]["Error"]
    assert set(error) == {"Message", "Detail", "code"}
    assert (error["code"], error["Message"]) == ("2010", "Request has invalid or unsupported property")
    match = UNKNOWN_2010.match(error["Detail"])
    assert match, error["Detail"]
    return match.group(1), match.group(2)


async def test_unknown_property_is_2010_as_recorded(client):
    cust = await a_customer(client)
    body = invoice_body(cust["Id"], BadJson=True)
    body["Line"][0]["SalesItemLineDetail"]["ItemRef"]["value"] = an_item_id(client)
    before = len(company(client).objects["Invoice"])
    assert fault_2010(await post(client, "Invoice", body)) == ("BadJson", "Invoice")
    assert len(company(client).objects["Invoice"]) == before
    del body["BadJson"]
    assert (await post(client, "Invoice", body)).status_code == 200


@pytest.mark.parametrize("path,cls", [
    (("Line", 0, "SalesItemLineDetail", "Quantity"), "SalesItemLineDetail"),  # Qty is QBO's name
    (("Line", 0, "SalesItemLineDetail", "ItemRef", "id"), "ReferenceType"),
    (("Line", 0, "Qty"), "Line"),
    (("BillAddr", "Street"), "PhysicalAddress"),
    (("CustomerMemo", "text"), "MemoRef"),
])
async def test_unknown_nested_property_is_2010_naming_its_class(client, path, cls):
    cust = await a_customer(client)
    body = invoice_body(cust["Id"], BillAddr={"Line1": "1 Quay"}, CustomerMemo={"value": "thanks"})
    body["Line"][0]["SalesItemLineDetail"]["ItemRef"]["value"] = an_item_id(client)
    node = body
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = 1
    assert fault_2010(await post(client, "Invoice", body)) == (path[-1], cls)


async def test_unknown_property_in_a_sparse_update_or_a_batch_item(client):
    cust = await a_customer(client)
    answer = await post(client, "Customer", {"Id": cust["Id"], "SyncToken": cust["SyncToken"], "sparse": True,
                                             "Email": "a@b.example"})
    assert fault_2010(answer) == ("Email", "Customer")
    assert company(client).get("Customer", cust["Id"])["SyncToken"] == "0"
    batch = await client.post(f"{client.realm}/batch", json={"BatchItemRequest": [
        {"bId": "1", "operation": "create", "JournalEntry": {"Line": [], "Reference": "x"}},
        {"bId": "2", "operation": "create", "Vendor": {"DisplayName": unique("V")}}]})
    assert batch.status_code == 200
    first, second = batch.json()["BatchItemResponse"]
    assert first["Fault"]["Error"][0]["code"] == "2010" and "Reference" in first["Fault"]["Error"][0]["Detail"]
    assert "Vendor" in second


async def test_a_journal_line_entity_is_checked_as_its_class(client):
    ar = account_id(client, "Accounts Receivable (A/R)")
    cust = await a_customer(client)
    line = {"DetailType": "JournalEntryLineDetail", "Amount": 5,
            "JournalEntryLineDetail": {"PostingType": "Debit", "AccountRef": {"value": ar},
                                       "Entity": {"Type": "Customer", "EntityRef": {"value": cust["Id"]},
                                                  "Kind": "x"}}}
    assert fault_2010(await post(client, "JournalEntry", {"Line": [line]})) == ("Kind", "EntityTypeRef")


PQB_CLASSES = {"Account": "account", "Bill": "bill", "BillPayment": "billpayment", "Class": "trackingclass",
               "CreditMemo": "creditmemo", "Customer": "customer", "Department": "department",
               "Employee": "employee", "Estimate": "estimate", "Invoice": "invoice", "Item": "item",
               "JournalEntry": "journalentry", "Payment": "payment", "Preferences": "preferences",
               "PurchaseOrder": "purchaseorder", "RefundReceipt": "refundreceipt", "SalesReceipt": "salesreceipt",
               "Term": "term", "Vendor": "vendor", "VendorCredit": "vendorcredit"}


def pqb_class(entity: str) -> type:
    """python-quickbooks's class for an entity the sandbox creates or updates (quickbooks/objects/*.py)."""
    return getattr(importlib.import_module(f"quickbooks.objects.{PQB_CLASSES[entity]}"), entity)


def _every_property(cls: type, depth: int = 0) -> dict:
    """A body with every property a python-quickbooks object can carry (its attributes, set or not, and its
    sub-objects', every line kind of its detail_dict included): more than it ever sends at once."""
    obj = cls()
    keys = [k for k in vars(obj) if not k.startswith("_")]
    keys += [k for k in (*cls.class_dict, *cls.list_dict) if k not in keys]
    out: dict = {}
    for key in keys:
        if key in cls.class_dict and depth < 6:
            out[key] = _every_property(cls.class_dict[key], depth + 1)
        elif key in cls.list_dict and depth < 6:
            kinds = list(getattr(cls, "detail_dict", {}).values()) if key == "Line" else []
            out[key] = [_every_property(k, depth + 1) for k in kinds or [cls.list_dict[key]]]
        else:
            value = getattr(obj, key, None)
            out[key] = value if isinstance(value, (str, bool)) and value != "" else "1"
    return out


@pytest.mark.parametrize("entity", sorted(PQB_CLASSES))
async def test_every_property_python_quickbooks_sends_is_accepted(client, entity):
    body = _every_property(pqb_class(entity))
    for key in ("Id", "SyncToken", "sparse"):
        body.pop(key, None)
    path = "preferences" if entity == "Preferences" else entity.lower()
    answer = await client.post(f"{client.realm}/{path}", json=body)
    if answer.status_code != 200:  # refused for its made-up values, never for a property
        assert answer.json()["Fault"]["Error"][0]["code"] != "2010", answer.json()["Fault"]["Error"][0]["Detail"]


async def test_every_object_the_sandbox_serves_is_accepted_back(client):
    """A full update with what QBO answered (the read-modify-write every client does) never meets 2010."""
    for entity, objects in company(client).objects.items():
        if entity in ("TaxCode", "TaxRate", "CompanyInfo"):
            continue
        for obj in list(objects.values()):
            path = "preferences" if entity == "Preferences" else entity.lower()
            served = (await client.get(f"{client.realm}/{path}" + ("" if entity == "Preferences" else
                                                                    f"/{obj['Id']}"))).json()[entity]
            answer = await client.post(f"{client.realm}/{path}", json=served)
            if answer.status_code != 200:
                error = answer.json()["Fault"]["Error"][0]
                assert error["code"] != "2010", (entity, error["Detail"])


# --- account types per field -------------------------------------------------------------------------------------

def wrong_account(answer, field: str) -> None:
    error = fault(answer)
    assert (error["code"], error["element"]) == ("6000", field), error
    assert error["Detail"].startswith("Business Validation Error: Invalid account type: You need to select a "
                                      "different type of account for this transaction.")


@pytest.mark.parametrize("account,ok", [("Accounts Receivable (A/R)", True), ("Checking", False),
                                        ("Accounts Payable (A/P)", False)])
async def test_ar_account_must_be_accounts_receivable(client, account, ok):
    cust = await a_customer(client)
    body = invoice_body(cust["Id"], ARAccountRef={"value": account_id(client, account)})
    body["Line"][0]["SalesItemLineDetail"]["ItemRef"]["value"] = an_item_id(client)
    answer = await post(client, "Invoice", body)
    if ok:
        assert answer.status_code == 200
    else:
        wrong_account(answer, "ARAccountRef")


@pytest.mark.parametrize("account,ok", [("Accounts Payable (A/P)", True), ("Accounts Receivable (A/R)", False),
                                        ("Customer Credits", False)])
async def test_ap_account_must_be_accounts_payable(client, account, ok):
    vendor = await make(client, "Vendor", {"DisplayName": unique("V")})
    answer = await post(client, "Bill", {
        "VendorRef": {"value": vendor["Id"]}, "APAccountRef": {"value": account_id(client, account)},
        "Line": [{"DetailType": "AccountBasedExpenseLineDetail", "Amount": 12,
                  "AccountBasedExpenseLineDetail": {"AccountRef": {"value": account_id(client, "Inventory Asset")}}}]})
    if ok:
        assert answer.status_code == 200
    else:
        wrong_account(answer, "APAccountRef")


@pytest.mark.parametrize("account,ok", [("Checking", True), ("Payment Clearing", True), ("Undeposited Funds", True),
                                        ("Sales of Product Income", False), ("Customer Credits", False)])
async def test_deposit_account_must_be_bank_or_other_current_asset(client, account, ok):
    cust = await a_customer(client)
    answer = await post(client, "Payment", {"CustomerRef": {"value": cust["Id"]}, "TotalAmt": 10,
                                            "DepositToAccountRef": {"value": account_id(client, account)}})
    if ok:
        assert answer.status_code == 200
    else:
        wrong_account(answer, "DepositToAccountRef")


@pytest.mark.parametrize("pay_type,outer,field,account,ok", [
    ("Check", "CheckPayment", "BankAccountRef", "Checking", True),
    ("Check", "CheckPayment", "BankAccountRef", "Undeposited Funds", False),
    ("CreditCard", "CreditCardPayment", "CCAccountRef", "Checking", False),
])
async def test_bill_payment_account_must_be_bank_or_credit_card(client, pay_type, outer, field, account, ok):
    vendor = await make(client, "Vendor", {"DisplayName": unique("V")})
    bill = await make(client, "Bill", {"VendorRef": {"value": vendor["Id"]}, "Line": [
        {"DetailType": "AccountBasedExpenseLineDetail", "Amount": 30,
         "AccountBasedExpenseLineDetail": {"AccountRef": {"value": account_id(client, "Inventory Asset")}}}]})
    answer = await post(client, "BillPayment", {
        "VendorRef": {"value": vendor["Id"]}, "PayType": pay_type, "TotalAmt": 30,
        outer: {field: {"value": account_id(client, account)}},
        "Line": [{"Amount": 30, "LinkedTxn": [{"TxnId": bill["Id"], "TxnType": "Bill"}]}]})
    if ok:
        assert answer.status_code == 200
        assert company(client).get("Bill", bill["Id"])["Balance"] == 0
    else:
        wrong_account(answer, f"{outer}.{field}")


@pytest.mark.parametrize("field,account,kind,ok", [
    ("IncomeAccountRef", "Sales of Product Income", "NonInventory", True),
    ("IncomeAccountRef", "Checking", "NonInventory", False),
    ("IncomeAccountRef", "Inventory Asset", "Service", False),
    ("ExpenseAccountRef", "Cost of Goods Sold", "NonInventory", True),
    ("ExpenseAccountRef", "Uncategorized Expense", "NonInventory", True),
    ("ExpenseAccountRef", "Realized Currency Gains", "NonInventory", True),  # Other Expense
    ("ExpenseAccountRef", "Inventory Asset", "NonInventory", True),  # qbtui's stock products: unverified, accepted
    ("ExpenseAccountRef", "Opening Balance Equity", "Service", True),  # Intuit's schema: a service's draw on equity
    ("ExpenseAccountRef", "Opening Balance Equity", "NonInventory", False),
    ("ExpenseAccountRef", "Sales of Product Income", "NonInventory", False),
    ("ExpenseAccountRef", "Accounts Payable (A/P)", "Service", False),
])
async def test_item_accounts_by_type(client, field, account, kind, ok):
    body = {"Name": unique("Item"), "Type": kind,
            "IncomeAccountRef": {"value": account_id(client, "Sales of Product Income")},
            field: {"value": account_id(client, account)}}
    answer = await post(client, "Item", body)
    if ok:
        assert answer.status_code == 200, answer.text
    else:
        wrong_account(answer, field)


@pytest.mark.parametrize("account_type", ["AssetAccountRef"])
async def test_inventory_item_asset_must_be_other_current_asset(client, account_type):
    body = {"Name": unique("Stock"), "Type": "Inventory", "QtyOnHand": 3, "InvStartDate": "2026-10-01",
            "IncomeAccountRef": {"value": account_id(client, "Sales of Product Income")},
            "ExpenseAccountRef": {"value": account_id(client, "Cost of Goods Sold")},
            account_type: {"value": account_id(client, "Cost of Goods Sold")}}
    wrong_account(await post(client, "Item", body), account_type)
    body[account_type] = {"value": account_id(client, "Inventory Asset")}
    assert (await post(client, "Item", body)).status_code == 200


@pytest.mark.parametrize("account,entity_type,ok", [
    ("Accounts Receivable (A/R)", None, False), ("Accounts Receivable (A/R)", "Vendor", False),
    ("Accounts Receivable (A/R)", "Customer", True),
    ("Accounts Payable (A/P)", None, False), ("Accounts Payable (A/P)", "Customer", False),
    ("Accounts Payable (A/P)", "Vendor", True),
])
async def test_journal_line_on_ar_needs_a_customer_on_ap_a_vendor(client, account, entity_type, ok):
    names = {"Customer": (await a_customer(client))["Id"],
             "Vendor": (await make(client, "Vendor", {"DisplayName": unique("V")}))["Id"]}
    detail = {"PostingType": "Debit", "AccountRef": {"value": account_id(client, account)}}
    if entity_type:
        detail["Entity"] = {"Type": entity_type, "EntityRef": {"value": names[entity_type]}}
    answer = await post(client, "JournalEntry", {"TxnDate": "2026-11-02", "Line": [
        {"DetailType": "JournalEntryLineDetail", "Amount": 8, "JournalEntryLineDetail": detail},
        {"DetailType": "JournalEntryLineDetail", "Amount": 8, "JournalEntryLineDetail": {
            "PostingType": "Credit", "AccountRef": {"value": account_id(client, "Opening Balance Equity")}}}]})
    if ok:
        assert answer.status_code == 200, answer.text
    else:
        error = fault(answer)
        assert error["code"] == "6000"
        who = "customer" if "Receivable" in account else "vendor"
        assert f"must {'choose' if who == 'customer' else 'select'} a {who} in the Name field" in error["Detail"]


# --- a payment's links -------------------------------------------------------------------------------------------

async def test_a_payment_cannot_apply_another_customers_invoice(client):
    ours, theirs = await a_customer(client), await a_customer(client)
    inv = await an_invoice(client, theirs["Id"], 45.0)
    payments = len(company(client).objects["Payment"])
    answer = await post(client, "Payment", {"CustomerRef": {"value": ours["Id"]}, "TotalAmt": 45,
                                            "Line": [{"Amount": 45, "LinkedTxn": [{"TxnId": inv["Id"],
                                                                                   "TxnType": "Invoice"}]}]})
    error = fault(answer)
    assert (error["code"], error["Message"], error["element"]) == ("610", "Object Not Found", "LinkedTxn")
    assert company(client).get("Invoice", inv["Id"])["Balance"] == 45
    assert len(company(client).objects["Payment"]) == payments


async def test_applying_a_payment_bumps_the_invoices_sync_token_and_balance(client):
    cust = await a_customer(client)
    inv = await an_invoice(client, cust["Id"], 45.0)
    pay = await make(client, "Payment", {"CustomerRef": {"value": cust["Id"]}, "TotalAmt": 20, "Line": [
        {"Amount": 20, "LinkedTxn": [{"TxnId": inv["Id"], "TxnType": "Invoice"}]}]})
    after = (await client.get(f"{client.realm}/invoice/{inv['Id']}")).json()["Invoice"]
    assert (after["SyncToken"], after["Balance"]) == ("1", 25)
    assert {"TxnId": pay["Id"], "TxnType": "Payment"} in after["LinkedTxn"]
    stale = await post(client, "Invoice", {"Id": inv["Id"], "SyncToken": inv["SyncToken"], "sparse": True,
                                           "PrivateNote": "edited"})
    assert fault(stale)["code"] == "5010"  # the token read before the payment is stale now
    deleted = await client.post(f"{client.realm}/payment", params={"operation": "delete"},
                                json={"Id": pay["Id"], "SyncToken": pay["SyncToken"]})
    assert deleted.status_code == 200
    again = company(client).get("Invoice", inv["Id"])
    assert (again["SyncToken"], again["Balance"]) == ("2", 45)


async def test_a_zero_payment_applies_a_credit_memo_to_an_invoice(client):
    await set_prefs(client, {"SalesFormsPrefs": {"AutoApplyCredit": False}})
    cust = await a_customer(client)
    inv = await an_invoice(client, cust["Id"], 45.0)
    memo_body = invoice_body(cust["Id"], 9.0)
    memo_body["Line"][0]["SalesItemLineDetail"]["ItemRef"]["value"] = an_item_id(client)
    memo = await make(client, "CreditMemo", memo_body)
    assert memo["Balance"] == 9
    over = await post(client, "Payment", {"CustomerRef": {"value": cust["Id"]}, "TotalAmt": 0, "Line": [
        {"Amount": 10, "LinkedTxn": [{"TxnId": inv["Id"], "TxnType": "Invoice"}]},
        {"Amount": 10, "LinkedTxn": [{"TxnId": memo["Id"], "TxnType": "CreditMemo"}]}]})
    assert fault(over)["code"] == "6000"  # more than the credit memo holds
    pay = await make(client, "Payment", {"CustomerRef": {"value": cust["Id"]}, "TotalAmt": 0, "Line": [
        {"Amount": 9, "LinkedTxn": [{"TxnId": inv["Id"], "TxnType": "Invoice"}]},
        {"Amount": 9, "LinkedTxn": [{"TxnId": memo["Id"], "TxnType": "CreditMemo"}]}]})
    assert pay["TotalAmt"] == 0 and pay["UnappliedAmt"] == 0
    assert company(client).get("Invoice", inv["Id"])["Balance"] == 36
    assert company(client).get("CreditMemo", memo["Id"])["Balance"] == 0


# --- company preferences -----------------------------------------------------------------------------------------

async def prefs(client) -> dict:
    return (await client.get(f"{client.realm}/preferences")).json()["Preferences"]


async def set_prefs(client, patch: dict) -> dict:
    """Preferences are set as QBO takes them: a sparse update of the Preferences object."""
    current = await prefs(client)
    answer = await client.post(f"{client.realm}/preferences",
                               json={"Id": current["Id"], "SyncToken": current["SyncToken"], "sparse": True, **patch})
    assert answer.status_code == 200, answer.text
    return answer.json()["Preferences"]


def journal_numbers(value: str) -> dict:
    return {"OtherPrefs": {"NameValue": [{"Name": "WarnDuplicateCheckNumber", "Value": "true"},
                                         {"Name": "WarnDuplicateJournalNumber", "Value": value}]}}


async def test_a_new_company_has_the_recorded_preferences():
    app = create_app(SandboxConfig(company="empty", throttle="off"))
    p = app.state.company.preferences
    assert p["SalesFormsPrefs"]["CustomTxnNumbers"] is True
    assert p["SalesFormsPrefs"]["AutoApplyCredit"] is True and p["SalesFormsPrefs"]["AutoApplyPayments"] is True
    assert {"Name": "WarnDuplicateJournalNumber", "Value": "false"} in p["OtherPrefs"]["NameValue"]


async def test_preferences_are_read_and_set_as_qbo_takes_them(client):
    p = await prefs(client)
    assert p["SalesFormsPrefs"]["AutoApplyCredit"] is True  # the demo firm keeps a new company's default
    assert p["SalesFormsPrefs"]["AutoApplyPayments"] is True
    assert {"Name": "WarnDuplicateJournalNumber", "Value": "false"} in p["OtherPrefs"]["NameValue"]
    changed = await set_prefs(client, {"SalesFormsPrefs": {"AutoApplyCredit": False}})
    assert changed["SalesFormsPrefs"]["AutoApplyCredit"] is False and changed["SalesFormsPrefs"]["CustomTxnNumbers"]
    assert (await prefs(client))["SyncToken"] == "1"


async def test_custom_txn_numbers_on_keeps_a_missing_number_and_refuses_a_duplicate(client):
    cust = await a_customer(client)
    unnumbered = await an_invoice(client, cust["Id"])
    assert "DocNumber" not in unnumbered
    await an_invoice(client, cust["Id"], DocNumber="A-7")
    body = invoice_body(cust["Id"], DocNumber="A-7")
    body["Line"][0]["SalesItemLineDetail"]["ItemRef"]["value"] = an_item_id(client)
    assert fault(await post(client, "Invoice", body))["code"] == "6140"
    assert (await post(client, "Invoice", body, include="allowduplicatedocnum")).status_code == 200


async def test_custom_txn_numbers_off_numbers_sales_forms_and_stores_a_duplicate(client):
    await set_prefs(client, {"SalesFormsPrefs": {"CustomTxnNumbers": False}})
    cust = await a_customer(client)
    first = await an_invoice(client, cust["Id"])
    numbers = [int(o["DocNumber"]) for o in company(client).objects["Invoice"].values() if o["Id"] != first["Id"]]
    assert first["DocNumber"] == str(max(numbers) + 1)  # the demo's 1001, 1002: the next is 1003
    second = await an_invoice(client, cust["Id"])
    assert int(second["DocNumber"]) == int(first["DocNumber"]) + 1
    dup = await an_invoice(client, cust["Id"], DocNumber=first["DocNumber"])  # sent: stored, even a duplicate
    assert dup["DocNumber"] == first["DocNumber"] and dup["Id"] != first["Id"]


@pytest.mark.parametrize("warn", ["false", "true"])
async def test_duplicate_journal_numbers_are_refused_only_with_the_warning_on(client, warn):
    if warn == "true":
        await set_prefs(client, journal_numbers("true"))

    def journal(doc):
        return {"DocNumber": doc, "TxnDate": "2026-11-02", "Line": [
            {"DetailType": "JournalEntryLineDetail", "Amount": 3, "JournalEntryLineDetail": {
                "PostingType": "Debit", "AccountRef": {"value": account_id(client, "Inventory Asset")}}},
            {"DetailType": "JournalEntryLineDetail", "Amount": 3, "JournalEntryLineDetail": {
                "PostingType": "Credit", "AccountRef": {"value": account_id(client, "Cost of Goods Sold")}}}]}

    await make(client, "JournalEntry", journal("JE-9"))
    answer = await post(client, "JournalEntry", journal("JE-9"))
    if warn == "true":
        assert fault(answer)["code"] == "6140"
        assert (await post(client, "JournalEntry", journal("JE-9"), include="allowduplicatedocnum")).status_code == 200
    else:
        assert answer.status_code == 200
        assert sum(j.get("DocNumber") == "JE-9" for j in company(client).objects["JournalEntry"].values()) == 2


async def _two_open_invoices(client) -> tuple[dict, dict, dict]:
    cust = await a_customer(client)
    older = await an_invoice(client, cust["Id"], 20.0, TxnDate="2026-11-01")
    newer = await an_invoice(client, cust["Id"], 50.0, TxnDate="2026-11-05")
    return cust, older, newer


@pytest.mark.parametrize("auto", [True, False])
async def test_auto_apply_payments_applies_an_unlinked_payment_to_open_invoices(client, auto):
    if not auto:
        await set_prefs(client, {"SalesFormsPrefs": {"AutoApplyPayments": False}})
    cust, older, newer = await _two_open_invoices(client)
    pay = await make(client, "Payment", {"CustomerRef": {"value": cust["Id"]}, "TotalAmt": 30, "TxnDate": "2026-11-10"})
    balances = [company(client).get("Invoice", i["Id"])["Balance"] for i in (older, newer)]
    if auto:  # oldest first
        assert [(line["Amount"], line["LinkedTxn"][0]["TxnId"]) for line in pay["Line"]] == [
            (20, older["Id"]), (10, newer["Id"])]
        assert pay["UnappliedAmt"] == 0 and balances == [0, 40]
    else:
        assert pay.get("Line", []) == [] and pay["UnappliedAmt"] == 30 and balances == [20, 50]


async def test_auto_apply_payments_applies_the_rest_of_a_linked_payment_and_leaves_a_customer_without_invoices(
        client):
    cust, older, newer = await _two_open_invoices(client)
    pay = await make(client, "Payment", {"CustomerRef": {"value": cust["Id"]}, "TotalAmt": 60, "Line": [
        {"Amount": 40, "LinkedTxn": [{"TxnId": newer["Id"], "TxnType": "Invoice"}]}]})
    assert [(line["Amount"], line["LinkedTxn"][0]["TxnId"]) for line in pay["Line"]] == [
        (40, newer["Id"]), (20, older["Id"])]
    lonely = await a_customer(client)
    alone = await make(client, "Payment", {"CustomerRef": {"value": lonely["Id"]}, "TotalAmt": 15})
    assert alone["UnappliedAmt"] == 15


@pytest.mark.parametrize("auto", [True, False])
async def test_auto_apply_credit_applies_a_new_credit_memo_to_open_invoices(client, auto):
    await set_prefs(client, {"SalesFormsPrefs": {"AutoApplyCredit": auto}})
    cust, older, newer = await _two_open_invoices(client)
    body = invoice_body(cust["Id"], 25.0, TxnDate="2026-11-06")
    body["Line"][0]["SalesItemLineDetail"]["ItemRef"]["value"] = an_item_id(client)
    payments = len(company(client).objects["Payment"])
    memo = await make(client, "CreditMemo", body)
    balances = [company(client).get("Invoice", i["Id"])["Balance"] for i in (older, newer)]
    if auto:
        (zero,) = list(company(client).objects["Payment"].values())[payments:]
        assert zero["TotalAmt"] == 0 and zero["CustomerRef"]["value"] == cust["Id"]
        assert [(line["Amount"], line["LinkedTxn"][0]["TxnType"]) for line in zero["Line"]] == [
            (20, "Invoice"), (20, "CreditMemo"), (5, "Invoice"), (5, "CreditMemo")]
        assert memo["Balance"] == 0 and memo["SyncToken"] == "0" and balances == [0, 45]
    else:
        assert len(company(client).objects["Payment"]) == payments
        assert memo["Balance"] == 25 and balances == [20, 50]
