"""The QuickBooks Web Connector's SOAP service (``qbtui desktop serve``): every QBWC call as the Programmer's Guide
specifies (docs/desktop.md#the-call-sequence), one session at a time per profile.

A session starts at ``authenticate``: the user name and password are checked in constant time, the profile's writer
lock is taken (qbtui.cache: a manual ``qbtui sync`` and the Web Connector never run together), and the session's
:class:`Work` is chosen; the ticket then names the session until ``closeConnection`` (or ``connectionError``, or an
idle session given up) releases the lock. ``sendRequestXML`` hands out the work's next request set in the qbXML
version negotiated from what the Web Connector reports; ``receiveResponseXML`` gives it the answer and returns the
percentage done (100: nothing left; negative: an error the Web Connector then asks for with ``getLastError``).

What a session sends is a :class:`Work`: this module knows the protocol, not the documents. The first session of a
profile that is not mapped yet pulls the company's lists (:class:`PullLists`) and sends nothing."""

from __future__ import annotations

import contextlib
import secrets
import time
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from qbtui.cache import Cache, CacheLocked
from qbtui.desktop import profile as desktop_profile, soap
from qbtui.desktop.qbxml import negotiate
from qbtui.desktop.responses import parse

SERVER_VERSION = "qbtui Web Connector service 1"
IDLE_TIMEOUT = 15 * 60.0
"""Seconds after which a session the Web Connector stopped calling is given up (its writer lock released)."""
LOCK_COMMAND = "qbtui desktop serve (a Web Connector session)"
CLOSED_ERRORS_KEPT = 20
"""The last errors of ended sessions kept for a late getLastError (the oldest dropped first)."""


class Work(Protocol):
    """What one session sends, and what it does with the answers."""

    def next_request(self, version: tuple[int, int]) -> str | None:
        """The next qbXML request set (written in ``version``), None when nothing is left."""

    def take_response(self, response: str) -> None:
        """QuickBooks' answer to the request set last handed out."""

    def percent(self) -> int:
        """How much is done, 0..100 (100: the session can end)."""

    def close(self) -> str:
        """The session ends (closeConnection); what to tell the user in the Web Connector's window."""


# --- the first session: the company's lists --------------------------------------------------------------

#: reference kind (qbtui.cache put_reference) -> the query requests whose answers fill it
LIST_QUERIES: dict[str, tuple[str, ...]] = {
    "accounts": ("AccountQueryRq",),
    "items": ("ItemQueryRq",),
    "customers": ("CustomerQueryRq",),
    "vendors": ("VendorQueryRq",),
    "terms": ("StandardTermsQueryRq", "DateDrivenTermsQueryRq"),
    "tax_codes": ("SalesTaxCodeQueryRq",),
    "classes": ("ClassQueryRq",),
}


#: Desktop's AccountType (the qbXML OSR's enumeration) -> QBO's, so that the mapping roles (qbtui.ledger.roles) and
#: ``qbtui map --auto`` read Desktop's accounts as they read QBO's (docs/desktop.md#mapping-from-desktops-accounts)
ACCOUNT_TYPES: dict[str, str] = {
    "AccountsPayable": "Accounts Payable", "AccountsReceivable": "Accounts Receivable", "Bank": "Bank",
    "CostOfGoodsSold": "Cost of Goods Sold", "CreditCard": "Credit Card", "Equity": "Equity", "Expense": "Expense",
    "FixedAsset": "Fixed Asset", "Income": "Income", "LongTermLiability": "Long Term Liability",
    "NonPosting": "Non-Posting", "OtherAsset": "Other Asset", "OtherCurrentAsset": "Other Current Asset",
    "OtherCurrentLiability": "Other Current Liability", "OtherExpense": "Other Expense", "OtherIncome": "Other Income",
}
#: Desktop's SpecialAccountType (the accounts QuickBooks itself keeps) -> QBO's AccountSubType where a role asks one
SPECIAL_ACCOUNTS: dict[str, str] = {
    "InventoryAssets": "Inventory", "UndepositedFunds": "UndepositedFunds",
    "OpeningBalanceEquity": "OpeningBalanceEquity", "ExchangeGainLoss": "ExchangeGainOrLoss",
}


def _row(ret: ET.Element) -> dict[str, Any]:
    """A Desktop list element as a reference row in QBO's shape where one exists (Id, Name), Desktop's fields kept."""
    row: dict[str, Any] = {"Id": ret.findtext("ListID") or "", "Name": ret.findtext("FullName") or
                           ret.findtext("Name") or "", "EditSequence": ret.findtext("EditSequence") or ""}
    row["Active"] = (ret.findtext("IsActive") or "true") == "true"
    if ret.tag == "AccountRet":
        desktop_type = ret.findtext("AccountType") or ""
        row["AccountType"] = ACCOUNT_TYPES.get(desktop_type, desktop_type)
        row["DesktopAccountType"] = desktop_type
        special = ret.findtext("SpecialAccountType")
        if special:
            row["SpecialAccountType"] = special
            if special in SPECIAL_ACCOUNTS:
                row["AccountSubType"] = SPECIAL_ACCOUNTS[special]
    elif ret.tag.startswith("Item"):
        row["Type"] = ret.tag[len("Item"):-len("Ret")]
    elif ret.tag in ("CustomerRet", "VendorRet"):
        row["DisplayName"] = row["Name"]
    elif ret.tag == "SalesTaxCodeRet":
        row["Taxable"] = (ret.findtext("IsTaxable") or "false") == "true"
    return row


@dataclass
class PullLists:
    """Pull the company's lists (accounts, items, customers, vendors, terms, sales tax codes, classes) into the
    profile's reference data, send nothing. One request set, onError="continueOnError" (a list the company file
    does not use answers with an error status and the others still come)."""

    cache: Cache
    counts: dict[str, int] = field(default_factory=dict)
    sent: bool = False
    done: bool = False

    def next_request(self, version: tuple[int, int]) -> str | None:
        if self.sent:
            return None
        self.sent = True
        body = "".join(f'<{rq} requestID="{kind}:{i}"/>' for kind, rqs in LIST_QUERIES.items()
                       for i, rq in enumerate(rqs))
        return (f'<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="{version[0]}.{version[1]}"?>\n'
                f'<QBXML><QBXMLMsgsRq onError="continueOnError">{body}</QBXMLMsgsRq></QBXML>')

    def take_response(self, response: str) -> None:
        rows: dict[str, list[dict[str, Any]]] = {kind: [] for kind in LIST_QUERIES}
        answered: set[str] = set()
        for outcome in parse(response):
            kind = outcome.request_id.split(":", 1)[0]
            if kind not in rows:
                continue
            if outcome.code in (0, 1):  # 1: the list is empty
                answered.add(kind)
                rows[kind] += [_row(ret) for ret in outcome.rets]
        for kind in answered:
            self.cache.put_reference(kind, rows[kind])
            self.counts[kind] = len(rows[kind])
        self.done = True

    def percent(self) -> int:
        return 100 if self.done else 0

    def close(self) -> str:
        pulled = ", ".join(f"{n} {kind}" for kind, n in self.counts.items())
        return f"lists pulled: {pulled}; next: qbtui map --auto" if self.done else "nothing pulled"


def default_work(cache: Cache) -> Work | None:
    """The protocol's own work: the lists while the profile is not mapped (once). Sending documents is
    qbtui.desktop.send.session_work, which ``qbtui desktop serve`` gives as ``open_work`` (with the gates)."""
    mapping = (cache.settings() or {}).get("mapping") or {}
    if not mapping and not cache.reference("accounts"):
        return PullLists(cache)
    return None


# --- sessions ---------------------------------------------------------------------------------------------

@dataclass
class Session:
    ticket: str
    cache: Cache
    work: Work
    started: float
    last_seen: float
    version: tuple[int, int] | None = None
    last_error: str = ""
    calls: int = 0
    company_file: str = ""


class DesktopService:
    """The Web Connector's service for one profile."""

    def __init__(self, profile_path: Path, *, username: str, company_file: str = "",
                 open_work: Callable[[Cache], Work | None] = default_work,
                 clock: Callable[[], float] = time.monotonic, idle_timeout: float = IDLE_TIMEOUT) -> None:
        self.profile_path = Path(profile_path)
        self.username = username
        self.company_file = company_file
        self.open_work = open_work
        self.clock = clock
        self.idle_timeout = idle_timeout
        self.session: Session | None = None
        self.closed_errors: dict[str, str] = {}
        """The last error of sessions already ended (getLastError may come after the session is gone)."""

    # -- helpers
    def _session(self, ticket: str) -> Session | None:
        s = self.session
        if s is None or not secrets.compare_digest(s.ticket.encode(), ticket.encode()):
            return None
        s.last_seen = self.clock()
        s.calls += 1
        return s

    def _end(self, session: Session, summary: str | None = None) -> str:
        message = summary or ""
        try:
            message = session.work.close() if summary is None else summary
            session.cache.set_setting("desktop_last_session", {
                "ended": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "calls": session.calls, "message": message,
                "error": session.last_error or None, "company_file": session.company_file or None})
        finally:
            session.cache.close()
            if self.session is session:
                self.session = None
            if session.last_error:
                self.closed_errors[session.ticket] = session.last_error
                while len(self.closed_errors) > CLOSED_ERRORS_KEPT:
                    self.closed_errors.pop(next(iter(self.closed_errors)))
        return message

    def expire(self) -> None:
        """Give up a session the Web Connector stopped calling (killed mid-session): its lock is released."""
        s = self.session
        if s is not None and self.clock() - s.last_seen > self.idle_timeout:
            s.last_error = s.last_error or "the Web Connector stopped calling: session given up"
            self._end(s, "session given up")

    def close(self) -> None:
        if self.session is not None:
            self._end(self.session, "the service stopped")

    # -- the calls
    def serverVersion(self, **_: str) -> str:
        return SERVER_VERSION

    def clientVersion(self, strVersion: str = "", **_: str) -> str:
        """"" accepts the Web Connector; "W:<text>" would warn, "E:<text>" refuse, "O:<version>" ask for an update."""
        return ""

    def authenticate(self, strUserName: str = "", strPassword: str = "", **_: str) -> list[str]:
        ticket = secrets.token_urlsafe(24)
        if not desktop_profile.check_login(self.profile_path, self.username, strUserName, strPassword):
            return [ticket, "nvu"]
        self.expire()
        if self.session is not None:
            return [ticket, "none"]  # one session at a time: the Web Connector comes back at its next run
        try:
            cache = Cache.open(self.profile_path, writer=True, command=LOCK_COMMAND)
        except CacheLocked:
            return [ticket, "none"]  # another qbtui (a sync, the dashboard's upload) holds the profile
        try:
            work = self.open_work(cache)
        except BaseException:
            cache.close()
            raise
        if work is None or work.percent() >= 100:  # nothing to do: the profile is not held
            cache.close()
            return [ticket, "none"]
        now = self.clock()
        self.session = Session(ticket, cache, work, now, now)
        return [ticket, self.company_file]

    def sendRequestXML(self, ticket: str = "", strHCPResponse: str = "", strCompanyFileName: str = "",
                       qbXMLCountry: str = "", qbXMLMajorVers: str = "0", qbXMLMinorVers: str = "0", **_: str) -> str:
        s = self._session(ticket)
        if s is None:
            return ""
        if qbXMLCountry and qbXMLCountry.upper() != "US":
            s.last_error = f"qbtui sends to the US editions of QuickBooks Desktop; this one is {qbXMLCountry}"
            return ""
        if strCompanyFileName:
            s.company_file = strCompanyFileName
        if s.version is None:
            try:
                s.version = negotiate(int(qbXMLMajorVers or 0), int(qbXMLMinorVers or 0))
            except ValueError as exc:
                s.last_error = str(exc)
                return ""
        try:
            request = s.work.next_request(s.version)
        except Exception as exc:  # noqa: BLE001 - told to the Web Connector, which ends the session
            s.last_error = f"qbtui could not prepare the request: {exc}"
            return ""
        if request is None:
            s.last_error = "nothing left to send"
            return ""
        return request

    def receiveResponseXML(self, ticket: str = "", response: str = "", hresult: str = "", message: str = "",
                           **_: str) -> int:
        s = self._session(ticket)
        if s is None:
            return -1
        if hresult:
            s.last_error = f"QuickBooks could not run the request ({hresult}): {message}"
            return -1
        try:
            s.work.take_response(response)
        except Exception as exc:  # noqa: BLE001
            s.last_error = f"qbtui could not read QuickBooks' answer: {exc}"
            return -1
        return max(0, min(100, int(s.work.percent())))

    def connectionError(self, ticket: str = "", hresult: str = "", message: str = "", **_: str) -> str:
        s = self._session(ticket)
        if s is not None:
            s.last_error = f"the Web Connector could not open the company file ({hresult}): {message}"
            self._end(s, "could not reach QuickBooks")
        return "done"

    def getLastError(self, ticket: str = "", **_: str) -> str:
        s = self._session(ticket)
        if s is not None:
            return s.last_error or "no error"
        return self.closed_errors.get(ticket) or "unknown or expired ticket"

    def closeConnection(self, ticket: str = "", **_: str) -> str:
        s = self._session(ticket)
        if s is None:
            return "OK"
        return self._end(s) or "OK"

    def getInteractiveURL(self, **_: str) -> str:
        return ""  # interactive sessions are not supported

    def interactiveDone(self, **_: str) -> str:
        return "Done"

    def interactiveRejected(self, **_: str) -> str:
        return "interactive sessions are not supported by qbtui"

    def dispatch(self, method: str, params: dict[str, str]) -> str | int | list[str]:
        result: str | int | list[str] = getattr(self, method)(**params)
        return result


def create_app(service: DesktopService):  # -> starlette.applications.Starlette
    """The ASGI app: POST /qbwc (SOAP 1.1), GET /qbwc?wsdl, GET /qbwc/support (the .qwc's AppSupport page)."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse, Response
    from starlette.routing import Route

    xml_type = "text/xml; charset=utf-8"

    async def qbwc(request: Request) -> Response:
        if request.method == "GET":
            if "wsdl" in {k.lower() for k in request.query_params}:
                return Response(soap.wsdl(str(request.url.replace(query=""))), media_type=xml_type)
            return PlainTextResponse("qbtui's QuickBooks Web Connector service: POST SOAP here; the WSDL is at "
                                     "?wsdl\n")
        body = await request.body()
        try:
            method, params = soap.parse_call(body)
        except soap.SoapError as exc:
            return Response(soap.fault(str(exc)), status_code=500, media_type=xml_type)
        action = request.headers.get("soapaction", "").strip('"')
        if action and action != f"{soap.TNS}{method}":
            return Response(soap.fault(f"SOAPAction {action} does not match {method}"), status_code=500,
                            media_type=xml_type)
        result = service.dispatch(method, params)
        return Response(soap.response(method, result), media_type=xml_type)

    async def support(request: Request) -> Response:
        return PlainTextResponse("qbtui: see the README (QuickBooks Desktop) and docs/desktop.md\n")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            service.close()  # a session open when the server stops releases the profile's lock

    return Starlette(routes=[Route("/qbwc", qbwc, methods=["GET", "POST"]),
                             Route("/qbwc/support", support, methods=["GET"])], lifespan=lifespan)
