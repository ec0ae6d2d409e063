"""The client against the sandbox: CRUD, void, query paging, batch, CDC, requestid replay."""

from datetime import UTC, datetime, timedelta

import pytest

from qbtui.qbo import BatchItem, QBOFault, batch_request_id

from .conftest import unique


async def refs(client):
    customer = (await client.query("SELECT * FROM Customer MAXRESULTS 1"))[0]
    item = (await client.query("SELECT * FROM Item WHERE Type = 'Service' MAXRESULTS 1"))[0]
    return {"value": customer["Id"]}, {"value": item["Id"]}


def invoice_body(customer, item, amount=100.0):
    return {"CustomerRef": customer, "TxnDate": "2026-11-20",
            "Line": [{"DetailType": "SalesItemLineDetail", "Amount": amount,
                      "SalesItemLineDetail": {"ItemRef": item, "Qty": 2, "UnitPrice": amount / 2}}]}


async def test_create_read_update_delete_void(client):
    name = unique("Cust")
    created = await client.create("Customer", {"DisplayName": name})
    assert created["DisplayName"] == name and created["Id"].isdigit() and created["SyncToken"] == "0"
    read = await client.read("Customer", created["Id"])
    assert read["Id"] == created["Id"]
    updated = await client.update("Customer", {"Id": read["Id"], "SyncToken": read["SyncToken"],
                                               "Notes": "hello"}, sparse=True)
    assert updated["Notes"] == "hello" and updated["DisplayName"] == name and updated["SyncToken"] == "1"

    customer, item = await refs(client)
    inv = await client.create("Invoice", invoice_body(customer, item))
    voided = await client.void("Invoice", inv["Id"], inv["SyncToken"])
    assert voided["Id"] == inv["Id"] and float(voided.get("TotalAmt", 0)) == 0
    inv2 = await client.create("Invoice", invoice_body(customer, item))
    deleted = await client.delete("Invoice", inv2["Id"], inv2["SyncToken"])
    assert deleted["Id"] == inv2["Id"] and deleted.get("status") == "Deleted"
    with pytest.raises(QBOFault):
        await client.read("Invoice", inv2["Id"])
    with pytest.raises(ValueError, match="cannot void"):
        await client.void("JournalEntry", "1", "0")
    assert client.stats.requests >= 8


async def test_void_payment_and_sales_receipt_by_sparse_update(client):
    customer, item = await refs(client)
    inv = await client.create("Invoice", invoice_body(customer, item))
    pay = await client.create("Payment", {"TotalAmt": 25, "CustomerRef": customer, "TxnDate": "2026-11-21",
                                          "Line": [{"Amount": 25, "LinkedTxn": [{"TxnId": inv["Id"],
                                                                                 "TxnType": "Invoice"}]}]})
    voided = await client.void("Payment", pay["Id"], pay["SyncToken"])
    assert voided["Id"] == pay["Id"] and float(voided.get("TotalAmt", 0)) == 0
    body = invoice_body(customer, item)
    del body["CustomerRef"]
    sr = await client.create("SalesReceipt", body)
    assert (await client.void("SalesReceipt", sr["Id"], sr["SyncToken"]))["Id"] == sr["Id"]


async def test_validation_fault_is_typed(client):
    name = unique("Dup")
    made = await client.create("Customer", {"DisplayName": name})
    with pytest.raises(QBOFault) as err:
        await client.create("Customer", {"DisplayName": name})
    f = err.value
    assert (f.code, f.status) == ("6240", 400) and f.fault_type
    with pytest.raises(QBOFault) as err:
        await client.update("Customer", {"Id": made["Id"], "SyncToken": "999", "Notes": "x"}, sparse=True)
    assert err.value.code == "5010"


async def test_requestid_replays_instead_of_acting_twice(client, sandbox):
    name = unique("Replay")
    first = await client.create("Customer", {"DisplayName": name}, request_id="req-" + name)
    again = await client.create("Customer", {"DisplayName": name}, request_id="req-" + name)
    assert again["Id"] == first["Id"]
    assert len(await client.query(f"SELECT * FROM Customer WHERE DisplayName = '{name}'")) == 1


async def test_query_all_pages(client):
    prefix = unique("Pg")
    for i in range(23):
        await client.create("Class", {"Name": f"{prefix}-{i:02d}"})
    rows = await client.query_all("Class", f"Name LIKE '{prefix}%'", page_size=10)
    assert sorted(r["Name"] for r in rows) == [f"{prefix}-{i:02d}" for i in range(23)]
    assert await client.count("Class", f"WHERE Name LIKE '{prefix}%'") == 23
    everything = await client.query_all("Class")
    assert len(everything) == await client.count("Class") >= 23
    with pytest.raises(ValueError):
        await client.query_all("Class", page_size=1001)


async def test_batch_results_in_item_order_with_faults_and_replay(client, sandbox):
    dup = unique("BDup")
    await client.create("Customer", {"DisplayName": dup})
    names = [unique("B") for _ in range(4)]
    items = [BatchItem(f"b{i}", "create", "Customer", {"DisplayName": n}) for i, n in enumerate(names)]
    items.insert(2, BatchItem("bdup", "create", "Customer", {"DisplayName": dup}))
    results = await client.batch(items)
    assert [r.bid for r in results] == [i.bid for i in items]
    assert results[2].fault is not None and results[2].fault.code == "6240" and results[2].fault.status == 200
    assert [r.entity_object["DisplayName"] for r in results if r.ok] == names
    before = len(sandbox.company.objects["Customer"])
    again = await client.batch(items)  # same items -> same requestid -> replay, no second set
    assert [r.entity_object and r.entity_object["Id"] for r in again] == \
        [r.entity_object and r.entity_object["Id"] for r in results]
    assert len(sandbox.company.objects["Customer"]) == before
    assert len(batch_request_id(items)) <= 36 and batch_request_id(items) != batch_request_id(items[:-1])

    first = results[0].entity_object
    mixed = await client.batch([
        BatchItem("u", "update", "Customer", {"Id": first["Id"], "SyncToken": first["SyncToken"], "sparse": True,
                                               "Notes": "batched"}),
        BatchItem("c", "create", "Class", {"Name": unique("BC")}),
    ])
    assert mixed[0].entity_object["Notes"] == "batched" and mixed[1].ok
    with pytest.raises(ValueError, match="at most 30"):
        await client.batch([BatchItem(str(i), "create", "Class", {"Name": str(i)}) for i in range(31)])


async def test_batch_size_is_configurable(sandbox):
    async with sandbox.client(batch_size=10) as c:
        with pytest.raises(ValueError, match="at most 10"):
            await c.batch([BatchItem(str(i), "create", "Class", {"Name": str(i)}) for i in range(11)])


async def test_cdc(client):
    since = datetime.now(UTC) - timedelta(minutes=5)
    name = unique("Cdc")
    cust = await client.create("Customer", {"DisplayName": name})
    customer, item = await refs(client)
    inv = await client.create("Invoice", invoice_body(customer, item))
    await client.delete("Invoice", inv["Id"], inv["SyncToken"])
    changes = await client.cdc(["Customer", "Invoice", "Vendor"], since)
    assert set(changes) >= {"Customer", "Invoice", "Vendor"}
    assert cust["Id"] in [c["Id"] for c in changes["Customer"]]
    deleted = [i for i in changes["Invoice"] if i["Id"] == inv["Id"]]
    assert deleted and deleted[-1].get("status") == "Deleted"


async def test_update_preferences(client):
    prefs = await client.preferences()
    out = await client.update_preferences({"SalesFormsPrefs": {"CustomTxnNumbers": True}})
    assert out["SalesFormsPrefs"]["CustomTxnNumbers"] is True
    assert int(out["SyncToken"]) == int(prefs["SyncToken"]) + 1


class Recording(__import__("httpx2").AsyncBaseTransport):
    """Passes every request to the sandbox and keeps its URL (observation, not a mock)."""

    def __init__(self, inner):
        self.inner, self.urls = inner, []

    async def handle_async_request(self, request):
        self.urls.append(request.url)
        return await self.inner.handle_async_request(request)


async def test_every_api_request_has_minorversion_and_writes_have_requestid(sandbox):
    rec = Recording(sandbox.transport)
    async with sandbox.client(transport=rec) as c:
        made = await c.create("Customer", {"DisplayName": unique("Mv")})
        await c.read("Customer", made["Id"])
        await c.query("SELECT * FROM Customer MAXRESULTS 1")
        items = [BatchItem("1", "create", "Class", {"Name": unique("MvB")})]
        await c.batch(items)
    api = [u for u in rec.urls if "/v3/" in u.path]
    assert api and all(u.params.get("minorversion") == "75" for u in api)
    writes = [u for u in api if u.path.endswith(("/customer", "/batch"))]
    assert len(writes) == 2 and all(u.params.get("requestid") for u in writes)
    assert writes[1].params["requestid"] == batch_request_id(items)


async def test_lost_batch_answer_is_unknown_outcome_with_the_derived_requestid(make_sandbox):
    from qbtui.qbo import UnknownOutcome
    from qbtui.sandbox import FaultSpec
    sb = await make_sandbox(faults=FaultSpec(drop_after_commit=1.0))
    items = [BatchItem(str(i), "create", "Class", {"Name": unique("Lost")}) for i in range(3)]
    async with sb.client() as c:
        with pytest.raises(UnknownOutcome) as err:
            await c.batch(items)
        assert err.value.request_id == batch_request_id(items)
        sb.app.state.sandbox.faults.spec = FaultSpec()
        results = await c.batch(items)  # the identical batch replays the committed answer
        assert all(r.ok for r in results)
        assert len(await c.query_all("Class", "Name LIKE 'Lost-%'")) == 3
