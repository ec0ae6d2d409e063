"""Sending documents through Web Connector sessions (qbtui.desktop.send): the intent is in the profile before a request
set goes out, QuickBooks' answers become the documents' links, an answer lost between sendRequestXML and
receiveResponseXML never gets the document sent twice, a status code becomes the document's error with its hint.

QuickBooks' side is played by :class:`Desktop` below: it parses each request set, checks it against the schema's
order (tests/desktop/schema.py) and answers as Desktop does (ListID/TxnID, EditSequence, status codes)."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

import pytest

from qbtui.cache import Cache
from qbtui.desktop.qbxml import LISTS
from qbtui.desktop.send import SendDocuments, session_work
from qbtui.desktop.service import DesktopService
from qbtui.desktop.simulator import Company
from tests.desktop import samples
from tests.desktop.schema import problems
from tests.desktop.webconnector import PASSWORD, WebConnector, desktop_profile


class Desktop:
    """A company file as far as these tests need: every Add gets a new id; ``refuse`` maps a RefNumber or Name to
    the status code to answer instead."""

    def __init__(self, refuse: dict[str, tuple[int, str]] | None = None) -> None:
        self.counter = itertools.count(0x8000_0100)
        self.added: list[ET.Element] = []
        self.refuse = refuse or {}

    def answer(self, request: str) -> str:
        msgs = ET.fromstring(request).find("QBXMLMsgsRq")
        out = []
        for rq in msgs:
            add = rq[0]
            assert problems(add) == [], ET.tostring(add)
            entity = add.tag[:-3]
            key = add.findtext("RefNumber") or add.findtext("Name")
            if key in self.refuse:
                code, message = self.refuse[key]
                out.append(f'<{entity}AddRs requestID="{rq.get("requestID")}" statusCode="{code}" '
                           f'statusSeverity="Error" statusMessage="{message}"/>')
                continue
            self.added.append(add)
            tag = "ListID" if entity in LISTS else "TxnID"
            out.append(f'<{entity}AddRs requestID="{rq.get("requestID")}" statusCode="0" statusSeverity="Info" '
                       f'statusMessage="Status OK"><{entity}Ret><{tag}>{next(self.counter):X}-1764547200</{tag}>'
                       f'<EditSequence>1764547200</EditSequence></{entity}Ret></{entity}AddRs>')
        return f'<?xml version="1.0" ?><QBXML><QBXMLMsgsRs onError="stopOnError">{"".join(out)}</QBXMLMsgsRs></QBXML>'


DOCS = [samples.DOCS[k] for k in ("customer", "product", "sale_invoice", "sale_payment", "cogs")]


@pytest.fixture
def profile(tmp_path):
    path = desktop_profile(tmp_path / "data")
    with Cache.open(path, writer=True) as cache:
        cache.set_setting("mapping", {role: list_id for role, (list_id, _) in samples.ACCOUNTS.items()})
        cache.put_reference("accounts", [{"Id": i, "Name": n} for i, n in samples.ACCOUNTS.values()])
        cache.upsert_documents(DOCS)
    return path


def sending(cache: Cache) -> SendDocuments:
    return SendDocuments.pending(cache)


async def session(wc: WebConnector, desktop: Desktop, *, stop_after: int | None = None) -> tuple[str, list[str]]:
    """One run of the Web Connector: authenticate, then request sets and answers until 100 (or, with ``stop_after``,
    the Web Connector dies after handing out that many sets without answering the last one)."""
    ticket, status = await wc.call("authenticate", strUserName="qbtui", strPassword=PASSWORD)
    assert status == ""
    sets = []
    while True:
        request = await wc.call("sendRequestXML", ticket=ticket, strHCPResponse="", strCompanyFileName="",
                                qbXMLCountry="US", qbXMLMajorVers=13, qbXMLMinorVers=0)
        assert request, await wc.call("getLastError", ticket=ticket)
        sets.append(request)
        if stop_after is not None and len(sets) == stop_after:
            return ticket, sets  # killed: no answer, no closeConnection
        percent = int(await wc.call("receiveResponseXML", ticket=ticket, response=desktop.answer(request),
                                    hresult="", message=""))
        assert percent >= 0, await wc.call("getLastError", ticket=ticket)
        if percent == 100:
            return await wc.call("closeConnection", ticket=ticket), sets


def links(profile) -> dict[tuple[str, str], dict]:
    with Cache.open(profile, writer=False) as cache:
        return {(d["type"], d["ref"]): cache.link(d["type"], d["ref"]) for d in DOCS}


async def test_every_document_once_in_order_naming_what_desktop_gave(profile):
    desktop = Desktop()
    async with WebConnector(DesktopService(profile, username="qbtui", open_work=sending)) as wc:
        message, sets = await session(wc, desktop)
    assert message == "5 sent, 0 failed, 0 left"
    assert [a.tag for a in desktop.added] == ["CustomerAdd", "ItemNonInventoryAdd", "InvoiceAdd", "ReceivePaymentAdd",
                                              "JournalEntryAdd"]  # the kinds' sending order (ledger.kinds)
    got = links(profile)
    assert all(link["status"] == "synced" for link in got.values())
    customer_id = got[("customer", "C-100")]["qbo"][0]["id"]
    item_id = got[("product", "MUG-01")]["qbo"][0]["id"]
    invoice = desktop.added[2]
    assert invoice.findtext("CustomerRef/ListID") == customer_id  # the ListID Desktop gave, not the name
    assert invoice.findtext("InvoiceLineAdd/ItemRef/ListID") == item_id
    invoice_id = got[("sale_invoice", "SO-1001")]["qbo"][0]
    assert invoice_id["entity"] == "Invoice" and invoice_id["sync_token"] == "1764547200"
    assert desktop.added[3].findtext("AppliedToTxnAdd/TxnID") == invoice_id["id"]
    async with WebConnector(DesktopService(profile, username="qbtui", open_work=sending)) as wc:
        ticket, status = await wc.call("authenticate", strUserName="qbtui", strPassword=PASSWORD)
        assert status == "none"  # nothing pending: nothing sent again, the profile not held
    assert len(desktop.added) == 5


async def test_the_intent_is_in_the_profile_before_the_request_leaves(profile):
    async with WebConnector(DesktopService(profile, username="qbtui", open_work=sending)) as wc:
        ticket, _ = await wc.call("authenticate", strUserName="qbtui", strPassword=PASSWORD)
        request = await wc.call("sendRequestXML", ticket=ticket, qbXMLCountry="US", qbXMLMajorVers=13,
                                qbXMLMinorVers=0)
        assert "<CustomerAdd>" in request
        with Cache.open(profile, writer=False) as reader:  # another process reading the profile meanwhile
            assert reader.link("customer", "C-100")["status"] == "sending"
        await wc.call("closeConnection", ticket=ticket)


def simulated(profile) -> Company:
    """The simulated company file (qbtui.desktop.simulator) with the accounts the profile is mapped to."""
    company = Company.new("empty")
    for list_id, name in samples.ACCOUNTS.values():
        company.put_list("accounts", "Account", name, list_id, AccountType="Expense")
    for name in ("Net 30", "Net 15"):
        company.put_list("terms", "StandardTerms", name)
    return company


async def test_an_answer_lost_is_looked_up_never_sent_twice(profile):
    company = simulated(profile)
    clock = [0.0]
    svc = DesktopService(profile, username="qbtui", open_work=sending, clock=lambda: clock[0], idle_timeout=60)
    async with WebConnector(svc) as wc:
        _, sets = await session(wc, company, stop_after=2)  # the product's request went, its answer was lost
        company.answer(sets[-1])  # ... QuickBooks did add it
        assert links(profile)[("product", "MUG-01")]["status"] == "sending"
        clock[0] += 120  # the Web Connector was killed; its session is given up at the next run
        message, sets = await session(wc, company)
    assert "found by a lookup" in message
    assert "<ItemQueryRq" in sets[0] and "<FullName>Stoneware mug</FullName>" in sets[0]  # looked up by Name first
    assert company.summary() == {"Customer": 1, "Invoice": 1, "ItemNonInventory": 1, "JournalEntry": 1,
                                 "ReceivePayment": 1}  # each once
    got = links(profile)
    assert all(link["status"] == "synced" for link in got.values())
    item = next(o for o in company.lists("items"))
    assert got[("product", "MUG-01")]["qbo"][0]["id"] == item["ListID"]  # linked to the one Desktop made


async def test_a_lost_transaction_is_found_by_refnumber_date_and_memo(profile):
    company = simulated(profile)
    clock = [0.0]
    svc = DesktopService(profile, username="qbtui", open_work=sending, clock=lambda: clock[0], idle_timeout=60)
    async with WebConnector(svc) as wc:
        _, sets = await session(wc, company, stop_after=3)  # the invoice's answer lost
        assert "<InvoiceAdd>" in sets[-1]
        company.answer(sets[-1])
        clock[0] += 120
        message, sets = await session(wc, company)
    assert "<InvoiceQueryRq" in sets[0] and "<RefNumber>SO-1001</RefNumber>" in sets[0]
    assert len(company.txns("Invoice")) == 1 and company.count("Invoice", "SO-1001") == 1
    assert links(profile)[("sale_invoice", "SO-1001")]["status"] == "synced"


async def test_a_lost_answer_of_a_set_never_run_is_sent_after_the_lookup(profile):
    company = simulated(profile)
    clock = [0.0]
    svc = DesktopService(profile, username="qbtui", open_work=sending, clock=lambda: clock[0], idle_timeout=60)
    async with WebConnector(svc) as wc:
        await session(wc, company, stop_after=3)  # killed before QuickBooks ran the invoice
        clock[0] += 120
        message, sets = await session(wc, company)
    assert "<InvoiceQueryRq" in sets[0] and "<InvoiceAdd>" in sets[1]  # not found: added
    assert len(company.txns("Invoice")) == 1


async def test_a_status_code_becomes_the_documents_error_with_its_hint(profile):
    desktop = Desktop(refuse={"Harbour Cafe": (3100, "The name &quot;Harbour Cafe&quot; of the list element is "
                                                     "already in use.")})
    async with WebConnector(DesktopService(profile, username="qbtui", open_work=sending)) as wc:
        message, _ = await session(wc, desktop)
    assert message.startswith("4 sent, 1 failed")
    link = links(profile)[("customer", "C-100")]
    assert link["status"] == "failed"
    assert link["error"]["code"] == "desktop_3100" and "already in use" in link["error"]["message"]
    assert "already used" in link["error"]["hint"] and link["error"]["detail"] == "name_in_use"
    with Cache.open(profile, writer=False) as cache:
        assert cache.status_of("customer", "C-100") == "failed"


async def test_cannot_save_is_sent_again_next_session(profile):
    company = simulated(profile)
    async with WebConnector(DesktopService(profile, username="qbtui", open_work=session_work)) as wc:
        ticket, _ = await wc.call("authenticate", strUserName="qbtui", strPassword=PASSWORD)
        request = await wc.call("sendRequestXML", ticket=ticket, qbXMLCountry="US", qbXMLMajorVers=13,
                                qbXMLMinorVers=0)
        company.refuse_next = 3170  # another user is editing: QuickBooks cannot save
        await wc.call("receiveResponseXML", ticket=ticket, response=company.answer(request))
        link = links(profile)[("customer", "C-100")]
        assert link["status"] == "failed" and link["error"]["code"] == "desktop_3170"
        assert "next session" in link["error"]["hint"]
        await wc.call("closeConnection", ticket=ticket)
        message, _ = await session(wc, company)  # the next scheduled run sends it again
    assert message.startswith("5 sent")
    assert company.summary()["Customer"] == 1 and links(profile)[("customer", "C-100")]["status"] == "synced"


async def test_an_edit_sequence_out_of_date_is_read_again_and_applied_again(profile):
    company = simulated(profile)
    async with WebConnector(DesktopService(profile, username="qbtui", open_work=session_work)) as wc:
        await session(wc, company)
        invoice = company.txns("Invoice")[0]
        invoice["EditSequence"] = "1764550000"  # someone changed it in QuickBooks since
        with Cache.open(profile, writer=True) as cache:
            changed = {**samples.DOCS["sale_invoice"], "notes": "deliver to the back door"}
            cache.upsert_documents([changed])
            assert cache.status_of("sale_invoice", "SO-1001") == "pending"
        message, sets = await session(wc, company)
    assert "<InvoiceModRq" in sets[0] and "<InvoiceQueryRq" in sets[1] and "<InvoiceModRq" in sets[2]
    assert "<EditSequence>1764550000</EditSequence>" in sets[2]
    assert len(company.txns("Invoice")) == 1 and message.startswith("1 sent")
    assert links(profile)[("sale_invoice", "SO-1001")]["qbo"][0]["sync_token"] == invoice["EditSequence"]
