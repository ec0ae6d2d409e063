"""The Web Connector's SOAP service, driven by the Web Connector's call sequence (tests/desktop/webconnector.py):
the login, the ticket, the request set in the negotiated version, percent done, the errors the Web Connector asks
for with getLastError, one session at a time holding the profile's writer lock."""

from __future__ import annotations

import stat
import xml.etree.ElementTree as ET

import pytest

from qbtui.cache import Cache, CacheLocked
from qbtui.desktop import soap
from qbtui.desktop.profile import password_path
from qbtui.desktop.service import LIST_QUERIES, DesktopService
from tests.desktop.webconnector import PASSWORD, WebConnector, desktop_profile

LISTS_RESPONSE = """<?xml version="1.0" ?>
<QBXML><QBXMLMsgsRs>
<AccountQueryRs requestID="accounts:0" statusCode="0" statusSeverity="Info" statusMessage="Status OK">
<AccountRet><ListID>80000010-1764547200</ListID><EditSequence>1764547200</EditSequence><Name>Inventory Asset</Name>
<FullName>Inventory Asset</FullName><IsActive>true</IsActive><AccountType>OtherCurrentAsset</AccountType></AccountRet>
<AccountRet><ListID>80000011-1764547200</ListID><EditSequence>1764547200</EditSequence><Name>Sales</Name>
<FullName>Sales</FullName><IsActive>true</IsActive><AccountType>Income</AccountType></AccountRet>
</AccountQueryRs>
<ItemQueryRs requestID="items:0" statusCode="1" statusSeverity="Info" statusMessage="A query request did not find a matching object in QuickBooks"/>
<CustomerQueryRs requestID="customers:0" statusCode="0" statusSeverity="Info" statusMessage="Status OK">
<CustomerRet><ListID>80000001-1764547200</ListID><EditSequence>1</EditSequence><Name>Harbour Cafe</Name>
<FullName>Harbour Cafe</FullName><IsActive>true</IsActive></CustomerRet></CustomerQueryRs>
<VendorQueryRs requestID="vendors:0" statusCode="1" statusSeverity="Info" statusMessage="no match"/>
<StandardTermsQueryRs requestID="terms:0" statusCode="0" statusSeverity="Info" statusMessage="Status OK">
<StandardTermsRet><ListID>10000-1</ListID><EditSequence>1</EditSequence><Name>Net 30</Name><IsActive>true</IsActive>
</StandardTermsRet></StandardTermsQueryRs>
<DateDrivenTermsQueryRs requestID="terms:1" statusCode="1" statusSeverity="Info" statusMessage="no match"/>
<SalesTaxCodeQueryRs requestID="tax_codes:0" statusCode="0" statusSeverity="Info" statusMessage="Status OK">
<SalesTaxCodeRet><ListID>20000-1</ListID><EditSequence>1</EditSequence><Name>Tax</Name><IsActive>true</IsActive>
<IsTaxable>true</IsTaxable></SalesTaxCodeRet>
<SalesTaxCodeRet><ListID>20001-1</ListID><EditSequence>1</EditSequence><Name>Non</Name><IsActive>true</IsActive>
<IsTaxable>false</IsTaxable></SalesTaxCodeRet></SalesTaxCodeQueryRs>
<ClassQueryRs requestID="classes:0" statusCode="1" statusSeverity="Info" statusMessage="no match"/>
</QBXMLMsgsRs></QBXML>"""


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def profile(tmp_path):
    return desktop_profile(tmp_path / "data")


def service(profile, **kw) -> DesktopService:
    return DesktopService(profile, username="qbtui", **kw)


def writer_free(profile) -> bool:
    try:
        Cache.open(profile, writer=True, command="test").close()
    except CacheLocked:
        return False
    return True


async def test_the_first_session_pulls_the_lists_and_sends_nothing(profile):
    svc = service(profile)
    async with WebConnector(svc) as wc:
        assert await wc.call("serverVersion") != ""
        assert await wc.call("clientVersion", strVersion="2.3.0.215") == ""
        ticket, company = await wc.call("authenticate", strUserName="qbtui", strPassword=PASSWORD)
        assert len(ticket) >= 24 and company == ""  # "": the company file open in QuickBooks
        assert not writer_free(profile)  # the session holds the profile
        request = await wc.call("sendRequestXML", ticket=ticket, strHCPResponse="<QBXML/>", strCompanyFileName="",
                                qbXMLCountry="US", qbXMLMajorVers=16, qbXMLMinorVers=0)
        assert request.splitlines()[1] == '<?qbxml version="13.0"?>'  # QuickBooks speaks 16.0, we write 13.0
        rq = ET.fromstring(request).find("QBXMLMsgsRq")
        assert rq.get("onError") == "continueOnError"
        assert [c.tag for c in rq] == [q for qs in LIST_QUERIES.values() for q in qs]
        assert not any(c.tag.endswith("AddRq") or c.tag.endswith("ModRq") for c in rq)  # sends nothing
        assert await wc.call("receiveResponseXML", ticket=ticket, response=LISTS_RESPONSE, hresult="",
                             message="") == "100"
        message = await wc.call("closeConnection", ticket=ticket)
        assert "2 accounts" in message and "qbtui map --auto" in message
    assert writer_free(profile)
    with Cache.open(profile, writer=False) as cache:
        accounts = cache.reference("accounts")
        # Desktop's AccountType read as QBO's (the mapping roles know those), Desktop's own kept beside it
        assert [(a["Id"], a["Name"], a["AccountType"], a["DesktopAccountType"]) for a in accounts] == [
            ("80000010-1764547200", "Inventory Asset", "Other Current Asset", "OtherCurrentAsset"),
            ("80000011-1764547200", "Sales", "Income", "Income")]
        assert cache.reference("items") == [] and cache.reference("vendors") == []
        assert [t["Name"] for t in cache.reference("tax_codes")] == ["Tax", "Non"]
        assert cache.get_setting("desktop_last_session")["error"] is None


@pytest.mark.parametrize("user,password", [("qbtui", "wrong"), ("someone", PASSWORD), ("", ""),
                                           ("qbtui", PASSWORD[:-1])])
async def test_a_wrong_login_is_nvu_and_takes_nothing(profile, user, password):
    async with WebConnector(service(profile)) as wc:
        ticket, status = await wc.call("authenticate", strUserName=user, strPassword=password)
        assert status == "nvu" and ticket
        assert writer_free(profile)
        assert await wc.call("sendRequestXML", ticket=ticket, qbXMLMajorVers=13, qbXMLMinorVers=0) == ""


async def test_the_password_is_stored_private(profile):
    path = password_path(profile)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and path.read_text() == PASSWORD


async def test_one_session_at_a_time_and_never_beside_another_writer(profile):
    async with WebConnector(service(profile)) as wc:
        first, status = await wc.call("authenticate", strUserName="qbtui", strPassword=PASSWORD)
        assert status == ""
        second, status = await wc.call("authenticate", strUserName="qbtui", strPassword=PASSWORD)
        assert status == "none" and second != first
        await wc.call("closeConnection", ticket=first)
    holder = Cache.open(profile, writer=True, command="qbtui sync")  # a manual sync holds the profile
    try:
        async with WebConnector(service(profile)) as wc:
            ticket, status = await wc.call("authenticate", strUserName="qbtui", strPassword=PASSWORD)
            assert status == "none"
    finally:
        holder.close()


async def test_an_error_from_quickbooks_is_negative_and_told_by_getlasterror(profile):
    async with WebConnector(service(profile)) as wc:
        ticket, _ = await wc.call("authenticate", strUserName="qbtui", strPassword=PASSWORD)
        await wc.call("sendRequestXML", ticket=ticket, qbXMLCountry="US", qbXMLMajorVers=13, qbXMLMinorVers=0)
        assert await wc.call("receiveResponseXML", ticket=ticket, response="", hresult="0x80040400",
                             message="QuickBooks found an error when parsing the provided XML text stream.") == "-1"
        error = await wc.call("getLastError", ticket=ticket)
        assert "0x80040400" in error and "parsing" in error
        await wc.call("closeConnection", ticket=ticket)
    assert writer_free(profile)


async def test_an_unreadable_answer_is_negative(profile):
    async with WebConnector(service(profile)) as wc:
        ticket, _ = await wc.call("authenticate", strUserName="qbtui", strPassword=PASSWORD)
        await wc.call("sendRequestXML", ticket=ticket, qbXMLCountry="US", qbXMLMajorVers=13, qbXMLMinorVers=0)
        assert await wc.call("receiveResponseXML", ticket=ticket, response="<nope", hresult="", message="") == "-1"
        assert "could not read" in await wc.call("getLastError", ticket=ticket)


async def test_connection_error_ends_the_session(profile):
    async with WebConnector(service(profile)) as wc:
        ticket, _ = await wc.call("authenticate", strUserName="qbtui", strPassword=PASSWORD)
        assert await wc.call("connectionError", ticket=ticket, hresult="0x80040408",
                             message="Could not start QuickBooks.") == "done"
        assert writer_free(profile)
        assert "Could not start QuickBooks" in await wc.call("getLastError", ticket=ticket)
    with Cache.open(profile, writer=False) as cache:
        assert "0x80040408" in cache.get_setting("desktop_last_session")["error"]


@pytest.mark.parametrize("country,major,expected", [("CA", 13, "US editions"), ("US", 5, "qbXML 5.0")])
async def test_an_edition_or_version_qbtui_does_not_speak(profile, country, major, expected):
    async with WebConnector(service(profile)) as wc:
        ticket, _ = await wc.call("authenticate", strUserName="qbtui", strPassword=PASSWORD)
        assert await wc.call("sendRequestXML", ticket=ticket, qbXMLCountry=country, qbXMLMajorVers=major,
                             qbXMLMinorVers=0) == ""
        assert expected in await wc.call("getLastError", ticket=ticket)
        await wc.call("closeConnection", ticket=ticket)


async def test_a_web_connector_killed_mid_session_frees_the_profile_after_the_idle_timeout(profile):
    clock = Clock()
    svc = service(profile, clock=clock, idle_timeout=60)
    async with WebConnector(svc) as wc:
        ticket, _ = await wc.call("authenticate", strUserName="qbtui", strPassword=PASSWORD)
        await wc.call("sendRequestXML", ticket=ticket, qbXMLCountry="US", qbXMLMajorVers=13, qbXMLMinorVers=0)
        clock.now += 30  # still alive: a new run is turned away
        assert (await wc.call("authenticate", strUserName="qbtui", strPassword=PASSWORD))[1] == "none"
        clock.now += 61  # (the Web Connector died without closeConnection)
        again, status = await wc.call("authenticate", strUserName="qbtui", strPassword=PASSWORD)
        assert status == "" and again != ticket
        assert await wc.call("receiveResponseXML", ticket=ticket, response=LISTS_RESPONSE, hresult="",
                             message="") == "-1"  # the old ticket is gone
        await wc.call("closeConnection", ticket=again)
    assert writer_free(profile)


async def test_a_mapped_profile_has_nothing_to_send_yet(profile):
    with Cache.open(profile, writer=True) as cache:
        cache.set_setting("mapping", {"accounts_receivable": "80000012-1764547200"})
    async with WebConnector(service(profile)) as wc:
        assert (await wc.call("authenticate", strUserName="qbtui", strPassword=PASSWORD))[1] == "none"
    assert writer_free(profile)


async def test_interactive_calls_are_answered_as_unsupported(profile):
    async with WebConnector(service(profile)) as wc:
        assert await wc.call("getInteractiveURL", wcTicket="t", sessionID="s") == ""
        assert await wc.call("interactiveDone", wcTicket="t") == "Done"
        assert "not supported" in await wc.call("interactiveRejected", wcTicket="t", reason="no")


async def test_wsdl_and_faults(profile):
    async with WebConnector(service(profile)) as wc:
        r = await wc.client.get("/qbwc?wsdl")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/xml")
        root = ET.fromstring(r.content)
        w = "{http://schemas.xmlsoap.org/wsdl/}"
        ops = {op.get("name") for op in root.iter(f"{w}operation")}
        assert ops == set(soap.METHODS)
        address = root.find(f"{w}service/{w}port/{{http://schemas.xmlsoap.org/wsdl/soap/}}address")
        assert address.get("location") == "http://127.0.0.1:8766/qbwc"
        for body in (b"<nope", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
                     soap.call("getLastError", ticket="t").replace(b"getLastError", b"dropTables")):
            r = await wc.client.post("/qbwc", content=body, headers={"Content-Type": "text/xml"})
            assert r.status_code == 500 and b"Fault" in r.content
        r = await wc.client.post("/qbwc", content=soap.call("getLastError", ticket="t"),
                                 headers={"SOAPAction": f'"{soap.TNS}closeConnection"'})
        assert r.status_code == 500
