"""Response bodies have QBO's shapes (fixtures written from docs/qbo.md)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import httpx2

from qbtui.sandbox import SandboxConfig, create_app

from .conftest import bearer, unique
from .shapes import assert_shape, fixture

NS = "{http://schema.intuit.com/finance/v3}"
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$")
META_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


async def test_validation_fault_shape(client):
    name = unique("Shape")
    assert (await client.post(f"{client.realm}/customer", json={"DisplayName": name})).status_code == 200
    answer = await client.post(f"{client.realm}/vendor", json={"DisplayName": name})
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    assert_shape("fault_validation.json", body)
    assert body["Fault"]["Error"][0]["code"] == "6240"
    assert TIME_RE.match(body["time"])


async def test_401_lowercase_fault_shape(app):
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://sb") as c:
        realm = app.state.company.realm_id
        for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
            answer = await c.get(f"/v3/company/{realm}/customer/1", headers=headers)
            assert answer.status_code == 401
            assert_shape("fault_401.json", answer.json())
            assert "Fault" not in answer.json()


async def test_429_xml_shape():
    clock = [0.0]
    app = create_app(SandboxConfig(clock=lambda: clock[0]))
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://sb",
                                  headers=bearer(app)) as c:
        url = f"/v3/company/{app.state.company.realm_id}/query"
        answers = [await c.get(url, params={"query": "select * from Term"},
                               headers={"Accept": "application/json"}) for _ in range(11)]
    assert [a.status_code for a in answers] == [200] * 10 + [429]
    last = answers[-1]
    assert last.headers["content-type"].startswith("application/xml")  # XML even when JSON was asked for
    got, want = ET.fromstring(last.content), ET.fromstring(fixture("throttle_429.xml"))
    assert got.tag == want.tag == f"{NS}IntuitResponse" and TIME_RE.match(got.get("time"))
    for tree in (got, want):
        fault = tree.find(f"{NS}Fault")
        assert fault.get("type") == "SERVICE"
        error = fault.find(f"{NS}Error")
        assert error.get("code") == "3001"
        assert error.find(f"{NS}Message").text == "message=ThrottleExceeded; errorCode=003001; statusCode=429"


async def test_entity_query_count_delete_shapes(client):
    created = (await client.post(f"{client.realm}/customer", json={"DisplayName": unique("Q")})).json()
    cust = created["Customer"]
    assert isinstance(cust["Id"], str) and cust["Id"].isdigit() and cust["SyncToken"] == "0"
    assert META_RE.match(cust["MetaData"]["CreateTime"]) and TIME_RE.match(created["time"])
    name = cust["DisplayName"]
    answer = await client.post(f"{client.realm}/query", content=f"select * from Customer where DisplayName = '{name}'",
                               headers={"Content-Type": "application/text"})
    assert_shape("query_response.json", answer.json())
    answer = await client.get(f"{client.realm}/query", params={"query": "select count(*) from Customer",
                                                                "minorversion": "75"})
    assert_shape("count_response.json", answer.json())
    assert answer.json()["QueryResponse"]["totalCount"] >= 4
    inv = (await client.post(f"{client.realm}/invoice", json={
        "CustomerRef": {"value": cust["Id"]},
        "Line": [{"DetailType": "SalesItemLineDetail", "Amount": 3, "SalesItemLineDetail": {}}]})).json()["Invoice"]
    answer = await client.post(f"{client.realm}/invoice", params={"operation": "delete"},
                               json={"Id": inv["Id"], "SyncToken": inv["SyncToken"]})
    assert_shape("delete_response.json", answer.json())


async def test_batch_and_cdc_shapes(client):
    name = unique("B")
    body = {"BatchItemRequest": [
        {"bId": "1" * 36, "operation": "create", "Customer": {"DisplayName": name}},
        {"bId": "2", "operation": "create", "Vendor": {"DisplayName": name}},
        {"bId": "3", "Query": "select * from Term"}]}
    answer = await client.post(f"{client.realm}/batch", json=body)
    assert answer.status_code == 200
    items = answer.json()["BatchItemResponse"]
    assert_shape("batch_response.json", {"BatchItemResponse": items[:2], "time": answer.json()["time"]})
    assert items[0]["bId"] == "1" * 36 and items[1]["Fault"]["Error"][0]["code"] == "6240"
    assert "Term" in items[2]["QueryResponse"]
    answer = await client.get(f"{client.realm}/cdc", params={"entities": "Customer,Invoice",
                                                              "changedSince": "2026-11-20T00:00:00-08:00"})
    body = answer.json()
    assert_shape("cdc_response.json", body)


async def test_oauth_shapes(app):
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://sb") as c:
        assert_shape("discovery.json", (await c.get("/.well-known/openid_configuration")).json())
        loc = (await c.get("/oauth2/authorize", params={"client_id": "a", "redirect_uri": "http://localhost/cb",
                                                        "response_type": "code", "state": "xyz",
                                                        "scope": "com.intuit.quickbooks.accounting"})).headers["location"]
        code = httpx2.URL(loc).params["code"]
        answer = await c.post("/oauth2/v1/tokens/bearer", data={"grant_type": "authorization_code", "code": code,
                                                                 "redirect_uri": "http://localhost/cb"}, auth=("a", "b"))
        assert_shape("token_response.json", answer.json())
        again = await c.post("/oauth2/v1/tokens/bearer", data={"grant_type": "authorization_code", "code": code},
                             auth=("a", "b"))
        assert again.status_code == 400
        assert again.json() == fixture("invalid_grant.json")
