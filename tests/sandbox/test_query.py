"""The query language over GET and POST."""

from __future__ import annotations

import pytest

from .conftest import unique


async def q(client, text, method="POST"):
    if method == "POST":
        return await client.post(f"{client.realm}/query", content=text, params={"minorversion": "75"},
                                 headers={"Content-Type": "application/text"})
    return await client.get(f"{client.realm}/query", params={"query": text, "minorversion": "75"})


async def ids(client, text):
    answer = await q(client, text)
    assert answer.status_code == 200, answer.text
    body = answer.json()["QueryResponse"]
    return [o["Id"] for o in next((v for v in body.values() if isinstance(v, list)), [])]


@pytest.fixture
async def seeded(client):
    prefix = unique("Q")
    made = []
    for i, price in enumerate([5, 10, 15, 20, 25]):
        body = {"Name": f"{prefix}-{i}", "Type": "Service", "UnitPrice": price,
                "IncomeAccountRef": {"value": next(a["Id"] for a in client_company(client).objects["Account"].values()
                                                   if a["Name"] == "Services")}}
        made.append((await client.post(f"{client.realm}/item", json=body)).json()["Item"])
    return prefix, made


def client_company(client):
    return client._transport.app.state.company


async def test_operators(client, seeded):
    prefix, made = seeded
    all_ids = [m["Id"] for m in made]
    assert await ids(client, f"select * from Item where Name like '{prefix}%'") == all_ids
    assert await ids(client, f"select * from Item where Name LIKE '{prefix}%' and UnitPrice > '10'") == all_ids[2:]
    assert await ids(client, f"select * from Item where Name like '{prefix}%' AND UnitPrice >= 10") == all_ids[1:]
    assert await ids(client, f"SELECT * FROM Item WHERE Name LIKE '{prefix}%' AND UnitPrice < 10") == all_ids[:1]
    assert await ids(client, f"SELECT * FROM Item WHERE Name LIKE '{prefix}%' AND UnitPrice <= 10") == all_ids[:2]
    assert await ids(client, f"select * from Item where Name = '{prefix}-3'") == [all_ids[3]]
    assert await ids(client, f"select * from Item where Id in ('{all_ids[0]}', '{all_ids[4]}')") == \
        [all_ids[0], all_ids[4]]
    assert await ids(client, f"select * from Item where Name like '%{prefix[-4:]}-2'") == [all_ids[2]]


async def test_order_paging_and_count(client, seeded):
    prefix, made = seeded
    all_ids = [m["Id"] for m in made]
    where = f"where Name like '{prefix}%'"
    assert await ids(client, f"select * from Item {where} orderby UnitPrice desc") == all_ids[::-1]
    answer = await q(client, f"select * from Item {where} ORDERBY Name STARTPOSITION 2 MAXRESULTS 2")
    body = answer.json()["QueryResponse"]
    assert [o["Id"] for o in body["Item"]] == all_ids[1:3]
    assert body["startPosition"] == 2 and body["maxResults"] == 2
    answer = await q(client, f"select count(*) from Item {where}", method="GET")
    assert answer.json()["QueryResponse"] == {"totalCount": 5}
    assert (await q(client, f"select * from Item where Name = 'no such {prefix}'")).json()["QueryResponse"] == {}


async def test_refs_and_metadata_fields(client):
    cust = (await client.post(f"{client.realm}/customer", json={"DisplayName": unique("R")})).json()["Customer"]
    inv = (await client.post(f"{client.realm}/invoice", json={
        "CustomerRef": {"value": cust["Id"]}, "DocNumber": unique("N")[:21],
        "Line": [{"DetailType": "SalesItemLineDetail", "Amount": 7.5, "SalesItemLineDetail": {}}]})).json()["Invoice"]
    assert await ids(client, f"select * from Invoice where CustomerRef = '{cust['Id']}'") == [inv["Id"]]
    since = inv["MetaData"]["LastUpdatedTime"]
    assert inv["Id"] in await ids(client, f"select * from Invoice where MetaData.LastUpdatedTime >= '{since}'")
    assert await ids(client, f"select * from Invoice where DocNumber = '{inv['DocNumber']}' and TxnDate >= '2026-01-01'") \
        == [inv["Id"]]


@pytest.mark.parametrize("text,code", [
    ("select * from Item maxresults 1001", "4001"),
    ("select * from Item startposition 0", "4001"),
    ("select * from Nothing", "4001"),
    ("select * from Item where Name = 'a' or Name = 'b'", "4000"),
    ("select * frm Item", "4000"),
    ("", "4000"),
])
async def test_query_errors(client, text, code):
    answer = await q(client, text)
    assert answer.status_code == 400
    assert answer.json()["Fault"]["Error"][0]["code"] == code


async def test_maxresults_1000_is_allowed(client):
    assert (await q(client, "select * from Account maxresults 1000")).status_code == 200
