"""Rules the sandbox answers as QBO does; each rule's source is in docs/qbo.md#what-the-sandbox-enforces."""

from __future__ import annotations

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
