"""A simulated QuickBooks Desktop company file and a simulated QuickBooks Web Connector, for the tests, the demo and
``qbtui desktop simulate`` (docs/desktop.md#the-simulator).

:class:`Company` is the company file as far as qbtui's requests reach it: it parses each qbXML request set, checks
every Add and Mod against the schema's element order and length limits (:mod:`qbtui.desktop.schema`, the table
derived from Intuit's public schema, never from the builder's notes) and refuses the whole set as QuickBooks does
when one breaks it (an HRESULT instead of an answer); it resolves every reference (3140 when one names nothing,
3120 when a TxnID does), keeps one list of names for customers and vendors (3100 when a name is in use), assigns
ListIDs, TxnIDs and EditSequences, checks a Mod's EditSequence (3200), and answers queries (lists, and transactions
by TxnID, RefNumber or date) as Desktop does (status 1 when nothing matches). It lives in a JSON file between runs.

:class:`WebConnector` plays the Web Connector's call sequence against a service at a URL (or an in-process ASGI
app): serverVersion, clientVersion, authenticate, then sendRequestXML / receiveResponseXML until 100, getLastError
after an error, closeConnection; with :class:`Faults` it drops answers (QuickBooks ran the set, the answer never
reaches the service), reports QuickBooks' failure (an HRESULT), has QuickBooks refuse a save (3170), or dies
mid-session (no further call, as when its process is killed)."""

from __future__ import annotations

import json
import os
import random
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from qbtui.desktop import soap
from qbtui.desktop.reconcile import AMOUNT_TAG, add_amount
from qbtui.desktop.schema import covers, problems

#: the HRESULT QuickBooks gives when a request set does not parse or does not follow the schema (the Web Connector
#: passes it to receiveResponseXML): consolibyte's QuickBooks/WebConnector/Handlers.php logs it; unverified per version
HRESULT_PARSE = "0x80040400"
HRESULT_BUSY = "0x80040408"
"""QuickBooks could not be reached for that set (unverified code: the simulator's choice for a dropped answer)."""
CLIENT_VERSION = "2.3.0.215"
EPOCH = 1764547200  # 2025-12-01: the timestamp half of the ids this company file gives

#: references and the list they name
REF_LISTS: dict[str, str] = {
    "CustomerRef": "names", "VendorRef": "names", "PayeeEntityRef": "names", "EntityRef": "names",
    "ItemRef": "items", "TermsRef": "terms", "SalesTaxCodeRef": "tax_codes", "ItemSalesTaxRef": "items",
    "ClassRef": "classes",
    **{k: "accounts" for k in ("AccountRef", "ARAccountRef", "APAccountRef", "BankAccountRef", "DepositToAccountRef",
                               "IncomeAccountRef", "ExpenseAccountRef", "COGSAccountRef", "AssetAccountRef")},
}
#: list Adds -> (the list, the kind kept on the element: "Customer", "Vendor", "ItemService"...)
LIST_ADDS = {"CustomerAdd": "names", "VendorAdd": "names", "ItemNonInventoryAdd": "items", "ItemServiceAdd": "items"}
TXNS = ("Invoice", "CreditMemo", "Estimate", "PurchaseOrder", "Bill", "VendorCredit", "ReceivePayment",
        "BillPaymentCheck", "JournalEntry")
#: list queries -> (the list, the kinds it answers; None: every kind)
LIST_QUERIES: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "AccountQueryRq": ("accounts", None), "ItemQueryRq": ("items", None), "CustomerQueryRq": ("names", ("Customer",)),
    "VendorQueryRq": ("names", ("Vendor",)), "StandardTermsQueryRq": ("terms", ("StandardTerms",)),
    "DateDrivenTermsQueryRq": ("terms", ("DateDrivenTerms",)), "SalesTaxCodeQueryRq": ("tax_codes", None),
    "ClassQueryRq": ("classes", None),
}

# What a new US company file starts with (QuickBooks' EasyStep interview; unverified in detail): the A/R, A/P,
# Undeposited Funds, Opening Balance Equity and Retained Earnings accounts and the sales tax codes Tax and Non.
_EMPTY_ACCOUNTS = [
    ("Accounts Receivable", "AccountsReceivable", "AccountsReceivable"),
    ("Accounts Payable", "AccountsPayable", "AccountsPayable"),
    ("Undeposited Funds", "OtherCurrentAsset", "UndepositedFunds"),
    ("Opening Balance Equity", "Equity", "OpeningBalanceEquity"),
    ("Retained Earnings", "Equity", "RetainedEarnings"),
]
# The demo company: a chart of accounts `qbtui map --auto` maps every role of, terms, Tax and Non.
_DEMO_ACCOUNTS = [
    ("Checking", "Bank", None),
    ("Inventory Asset", "OtherCurrentAsset", "InventoryAssets"),
    ("Cost of Goods Sold", "CostOfGoodsSold", "CostOfGoodsSold"),
    ("Inventory Adjustments", "CostOfGoodsSold", None),
    ("Sales", "Income", None),
    ("Supplier Deposits", "OtherCurrentAsset", None),
    ("Customer Credits", "OtherCurrentLiability", None),
    ("Gift Card Liability", "OtherCurrentLiability", None),
]
_TERMS = [("Net 30", "StandardTerms"), ("Net 15", "StandardTerms"), ("Due on receipt", "StandardTerms")]
COMPANIES = ("empty", "demo")


class ParseFailure(Exception):
    """QuickBooks refused the whole request set (it does not parse, or breaks the schema): no answer, an HRESULT."""

    def __init__(self, hresult: str, message: str) -> None:
        super().__init__(message)
        self.hresult = hresult
        self.message = message


@dataclass
class _Status(Exception):
    code: int
    message: str


class Company:
    """A simulated QuickBooks Desktop company file. ``state``: {"counter", "lists": {list: {ListID: obj}},
    "txns": {TxnID: obj}}; every object a flat dict of the fields qbtui reads back."""

    def __init__(self, state: dict[str, Any] | None = None, path: Path | None = None) -> None:
        self.state = state or {"counter": 0x80000001, "edit": EPOCH, "lists": {k: {} for k in
                                                                                ("accounts", "items", "names", "terms",
                                                                                 "tax_codes", "classes")},
                               "txns": {}}
        self.path = path
        self.requests = 0
        self.refuse_next: int | None = None
        """A status code (3170, 3180) the next Add is refused with (the faults: another user editing)."""

    # -- making and keeping
    @classmethod
    def new(cls, kind: str = "empty", path: Path | None = None) -> Company:
        if kind not in COMPANIES:
            raise ValueError(f"unknown company {kind!r}: {', '.join(COMPANIES)}")
        c = cls(path=path)
        for name, type_, special in _EMPTY_ACCOUNTS + (_DEMO_ACCOUNTS if kind == "demo" else []):
            c._new_list("accounts", "Account", name, AccountType=type_, SpecialAccountType=special)
        for name, taxable in (("Tax", True), ("Non", False)):
            c._new_list("tax_codes", "SalesTaxCode", name, IsTaxable=taxable)
        if kind == "demo":
            for name, kind_ in _TERMS:
                c._new_list("terms", kind_, name)
        return c

    @classmethod
    def open(cls, path: Path, kind: str = "empty") -> Company:
        """The company file at ``path`` (made as ``kind`` when it does not exist yet)."""
        path = Path(path)
        if path.exists():
            return cls(json.loads(path.read_text()), path)
        return cls.new(kind, path)

    def save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".company-")
        with os.fdopen(fd, "w") as f:
            json.dump(self.state, f)
        os.replace(tmp, self.path)

    def _id(self) -> str:
        self.state["counter"] += 1
        return f"{self.state['counter']:X}-{EPOCH}"

    def _edit(self) -> str:
        self.state["edit"] += 1
        return str(self.state["edit"])

    def _new_list(self, list_: str, kind: str, name: str, list_id: str | None = None, **fields: Any
                  ) -> dict[str, Any]:
        obj = {"kind": kind, "ListID": list_id or self._id(), "EditSequence": self._edit(), "Name": name, "FullName": name,
               "IsActive": True, **{k: v for k, v in fields.items() if v is not None}}
        self.state["lists"][list_][obj["ListID"]] = obj
        return obj

    def put_list(self, list_: str, kind: str, name: str, list_id: str | None = None, **fields: Any
                 ) -> dict[str, Any]:
        """A list element made in QuickBooks (by its user): ``list_`` one of accounts, items, names, terms,
        tax_codes, classes."""
        return self._new_list(list_, kind, name, list_id, **fields)

    # -- reading
    def lists(self, list_: str) -> list[dict[str, Any]]:
        return list(self.state["lists"][list_].values())

    def txns(self, kind: str | None = None) -> list[dict[str, Any]]:
        return [t for t in self.state["txns"].values() if kind is None or t["kind"] == kind]

    def _find(self, list_: str, ref: ET.Element) -> dict[str, Any] | None:
        objs = self.state["lists"][list_]
        list_id = ref.findtext("ListID")
        if list_id:
            return objs.get(list_id)
        name = ref.findtext("FullName")
        return next((o for o in objs.values() if o["FullName"].casefold() == (name or "").casefold()), None)

    # -- answering
    def answer(self, request: str) -> str:
        """QuickBooks' answer to a request set. ParseFailure: the set was refused as a whole."""
        self.requests += 1
        if "<?qbxml version=" not in request:
            raise ParseFailure(HRESULT_PARSE, "the request has no <?qbxml version?> instruction")
        try:
            root = ET.fromstring(request.split("?>", 2)[-1] if request.lstrip().startswith("<?xml") else request)
        except ET.ParseError as exc:
            raise ParseFailure(HRESULT_PARSE, f"QuickBooks found an error when parsing the XML text: {exc}") from None
        msgs = root.find("QBXMLMsgsRq")
        if root.tag != "QBXML" or msgs is None or msgs.get("onError") not in ("stopOnError", "continueOnError"):
            raise ParseFailure(HRESULT_PARSE, "not a qbXML request set (QBXML/QBXMLMsgsRq onError=...)")
        for rq in msgs:  # the whole set is checked before anything runs, as a validating parser does
            for el in rq:
                if el.tag.endswith(("Add", "Mod")) and (not covers(el.tag) or problems(el)):
                    raise ParseFailure(HRESULT_PARSE, f"QuickBooks found an error when parsing the provided XML text "
                                                      f"stream: {'; '.join(problems(el)) or el.tag}")
        out = []
        for rq in msgs:
            rs, failed = self._one(rq)
            out.append(rs)
            if failed and msgs.get("onError") == "stopOnError":
                break
        return ('<?xml version="1.0" ?>\n<QBXML>\n<QBXMLMsgsRs>' + "".join(out) + "</QBXMLMsgsRs>\n</QBXML>\n")

    def _one(self, rq: ET.Element) -> tuple[str, bool]:
        name = rq.tag[:-2]  # "InvoiceAddRq" -> "InvoiceAdd"
        rid = quoteattr(rq.get("requestID", ""))
        try:
            if name.endswith("Add"):
                rets = [self._add(rq[0])]
            elif name.endswith("Mod"):
                rets = [self._mod(rq[0])]
            elif name.endswith("Query"):
                rets = self._query(rq)
                if not rets:
                    raise _Status(1, "A query request did not find a matching object in QuickBooks")
            elif name in ("TxnDel", "ListDel"):
                rets = [self._delete(name, rq)]
            else:
                raise ParseFailure(HRESULT_PARSE, f"QuickBooks does not know the request {rq.tag}")
        except _Status as st:
            severity = "Info" if st.code == 1 else "Error"
            return (f"<{name}Rs requestID={rid} statusCode=\"{st.code}\" statusSeverity=\"{severity}\" "
                    f"statusMessage={quoteattr(st.message)}/>", st.code != 1)
        body = "".join(_ret(r, wrap=name not in ("TxnDel", "ListDel")) for r in rets)  # TxnDelRet is a group
        return (f'<{name}Rs requestID={rid} statusCode="0" statusSeverity="Info" statusMessage="Status OK">{body}'
                f"</{name}Rs>", False)

    def _check_refs(self, el: ET.Element) -> None:
        for child in el.iter():
            list_ = REF_LISTS.get(child.tag)
            if list_ is not None and self._find(list_, child) is None:
                what = child.findtext("ListID") or child.findtext("FullName")
                raise _Status(3140, f'There is an invalid reference to QuickBooks {child.tag[:-3]} "{what}" in the '
                                    f"{el.tag}. QuickBooks error message: Invalid argument. The specified record "
                                    "does not exist in the list.")
            if child.tag in ("TxnID", "CreditTxnID") and child is not el.find("TxnID") and \
                    child.text not in self.state["txns"]:
                raise _Status(3120, f'Object "{child.text}" specified in the request cannot be found.')

    def _add(self, el: ET.Element) -> dict[str, Any]:
        self._check_refs(el)
        if self.refuse_next is not None:
            code, self.refuse_next = self.refuse_next, None
            raise _Status(code, "The record could not be saved: it is in use by another user (simulated).")
        entity = el.tag[:-3]
        if el.tag in LIST_ADDS:
            list_ = LIST_ADDS[el.tag]
            name = el.findtext("Name") or ""
            if any(o["FullName"].casefold() == name.casefold() for o in self.state["lists"][list_].values()):
                raise _Status(3100, f'The name "{name}" of the list element is already in use.')
            return self._new_list(list_, entity, name, Notes=el.findtext("Notes"))
        if entity not in TXNS:
            raise _Status(3250, f"This feature is not enabled or not available in this version of QuickBooks: {el.tag}")
        uses = sorted({found["ListID"] for child in el.iter() if child.tag in REF_LISTS
                       and (found := self._find(REF_LISTS[child.tag], child)) is not None})
        txn = {"kind": entity, "TxnID": self._id(), "EditSequence": self._edit(), "TxnDate": el.findtext("TxnDate"),
               "RefNumber": el.findtext("RefNumber"), "Memo": el.findtext("Memo"),
               "Lines": sum(1 for c in el if c.tag.endswith(("LineAdd", "DebitLine", "CreditLine"))), "Uses": uses}
        # the amount QuickBooks shows for it (an invoice's Subtotal, a bill's AmountDue...: qbtui.desktop.reconcile)
        tag = AMOUNT_TAG.get(entity)
        if tag is None:
            txn["JournalDebitLine"] = [d.findtext("Amount") or "0.00" for d in el.findall("JournalDebitLine")]
        else:
            txn[tag] = str(add_amount(el))
        self.state["txns"][txn["TxnID"]] = txn
        return txn

    def _mod(self, el: ET.Element) -> dict[str, Any]:
        entity = el.tag[:-3]
        if entity in ("Customer", "Vendor", "ItemNonInventory", "ItemService"):
            obj = self.state["lists"][LIST_ADDS[f"{entity}Add"]].get(el.findtext("ListID") or "")
        else:
            obj = self.state["txns"].get(el.findtext("TxnID") or "")
        if obj is None or obj["kind"] != entity:
            raise _Status(3120, f'Object "{el.findtext("ListID") or el.findtext("TxnID")}" specified in the request '
                                "cannot be found.")
        if el.findtext("EditSequence") != obj["EditSequence"]:
            raise _Status(3200, "The provided edit sequence is out-of-date.")
        self._check_refs(el)
        if el.find("IsActive") is not None:
            obj["IsActive"] = el.findtext("IsActive") == "true"
        for tag in ("Name", "TxnDate", "RefNumber", "Memo"):
            if el.find(tag) is not None:
                obj[tag] = el.findtext(tag)
                if tag == "Name":
                    obj["FullName"] = obj["Name"]
        obj["EditSequence"] = self._edit()
        return obj

    def _delete(self, name: str, rq: ET.Element) -> dict[str, Any]:
        """TxnDelRq (TxnDelType, TxnID) and ListDelRq (ListDelType, ListID), qbxml130.xsd's TxnDel and ListDel. A
        list element a transaction still uses is refused (QuickBooks' own rule for names and items in use; the status
        code it gives is unverified: 3170 here); one not there is 3120."""
        kind, object_id = rq.findtext(f"{name}Type") or "", rq.findtext("TxnID" if name == "TxnDel" else "ListID") or ""
        if name == "TxnDel":
            obj = self.state["txns"].get(object_id)
            if obj is None or obj["kind"] != kind:
                raise _Status(3120, f'Object "{object_id}" specified in the request cannot be found.')
            del self.state["txns"][object_id]
            return {"kind": "TxnDel", "TxnDelType": kind, "TxnID": object_id, "RefNumber": obj.get("RefNumber")}
        list_ = next((n for n, objs in self.state["lists"].items() if object_id in objs), None)
        if list_ is None or self.state["lists"][list_][object_id]["kind"] != kind:
            raise _Status(3120, f'Object "{object_id}" specified in the request cannot be found.')
        obj = self.state["lists"][list_][object_id]
        if any(object_id in (t.get("Uses") or ()) for t in self.state["txns"].values()):
            raise _Status(3170, f'There was an error when deleting {kind} list element "{obj["FullName"]}". '
                                "QuickBooks error message: This list has been modified by another user, or the "
                                "element is in use.")
        del self.state["lists"][list_][object_id]
        return {"kind": "ListDel", "ListDelType": kind, "ListID": object_id, "FullName": obj["FullName"]}

    def _query(self, rq: ET.Element) -> list[dict[str, Any]]:
        if rq.tag in LIST_QUERIES:
            list_, kinds = LIST_QUERIES[rq.tag]
            objs = [o for o in self.state["lists"][list_].values() if kinds is None or o["kind"] in kinds]
            ids = {e.text for e in rq.findall("ListID")}
            names = {(e.text or "").casefold() for e in rq.findall("FullName")}
            if ids or names:
                objs = [o for o in objs if o["ListID"] in ids or o["FullName"].casefold() in names]
            return objs
        entity = rq.tag[:-len("QueryRq")]
        if entity not in TXNS:
            raise ParseFailure(HRESULT_PARSE, f"QuickBooks does not know the request {rq.tag}")
        txns = self.txns(entity)
        ids = {e.text for e in rq.findall("TxnID")}
        refs = {e.text for e in rq.findall("RefNumber")}
        if ids:
            txns = [t for t in txns if t["TxnID"] in ids]
        elif refs:
            txns = [t for t in txns if t["RefNumber"] in refs]
        date = rq.find("TxnDateRangeFilter")
        if date is not None:
            lo, hi = date.findtext("FromTxnDate") or "", date.findtext("ToTxnDate") or "9999"
            txns = [t for t in txns if lo <= (t["TxnDate"] or "") <= hi]
        return txns

    # -- for the checks: what a document became
    def count(self, entity: str, key: str) -> int:
        """How many ``entity`` objects carry ``key``: a list element by Name (or the full name in its Notes), a
        transaction by its memo starting with our reference."""
        if entity in ("Customer", "Vendor", "ItemNonInventory", "ItemService"):
            list_ = LIST_ADDS[f"{entity}Add"]
            return sum(1 for o in self.state["lists"][list_].values() if o["kind"] == entity and (
                o["Name"] == key or f"Name: {key}" in (o.get("Notes") or "").splitlines()))
        return sum(1 for t in self.txns(entity) if (t.get("Memo") or "") == key or
                   (t.get("Memo") or "").startswith(f"{key} "))

    def summary(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for list_ in ("names", "items"):
            for o in self.state["lists"][list_].values():
                out[o["kind"]] = out.get(o["kind"], 0) + 1
        for t in self.state["txns"].values():
            out[t["kind"]] = out.get(t["kind"], 0) + 1
        return dict(sorted(out.items()))


_RET_FIELDS = ("TxnDelType", "ListDelType", "ListID", "TxnID", "EditSequence", "Name", "FullName", "IsActive",
               "AccountType", "SpecialAccountType", "IsTaxable", "TxnDate", "RefNumber", "Memo", "Notes", "Subtotal",
               "TotalAmount", "AmountDue", "CreditAmount", "Amount")


def _ret(obj: dict[str, Any], wrap: bool = True) -> str:
    parts = []
    for tag in _RET_FIELDS:
        value = obj.get(tag)
        if value is None:
            continue
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        parts.append(f"<{tag}>{escape(text)}</{tag}>")
    parts += [f"<JournalDebitLine><Amount>{escape(a)}</Amount></JournalDebitLine>" for a in
              obj.get("JournalDebitLine") or ()]
    return f"<{obj['kind']}Ret>{''.join(parts)}</{obj['kind']}Ret>" if wrap else "".join(parts)


# --- the Web Connector ------------------------------------------------------------------------------------

@dataclass
class Faults:
    """What can go wrong, each a probability per request set (``rng`` decides)."""

    drop: float = 0.0
    """QuickBooks ran the set, the answer never reaches the service (the Web Connector dies before passing it on)."""
    hresult: float = 0.0
    """QuickBooks ran the set, the Web Connector reports a failure (an HRESULT) instead of the answer."""
    busy: float = 0.0
    """QuickBooks refuses the save (3170: another user editing the record)."""
    kill: float = 0.0
    """The Web Connector dies before handing the set to QuickBooks (no further call)."""
    rng: random.Random = field(default_factory=random.Random)

    @classmethod
    def standard(cls, seed: int | None = None) -> Faults:
        return cls(drop=0.05, hresult=0.02, busy=0.02, kill=0.01, rng=random.Random(seed))


@dataclass
class SessionReport:
    status: str
    """"done", "none" (nothing to do), "nvu" (refused), "killed", "error", "waiting" (none after a run that died:
    the service may still hold its session)."""
    request_sets: int = 0
    message: str = ""
    errors: list[str] = field(default_factory=list)


Post = Callable[[str, bytes], bytes]
"""How the Web Connector reaches the service: (SOAPAction method, SOAP request) -> SOAP response."""


class WebConnector:
    """Plays the QuickBooks Web Connector (its call sequence, docs/desktop.md#the-call-sequence) against ``post``."""

    def __init__(self, post: Post, company: Company, *, username: str, password: str, faults: Faults | None = None,
                 company_file: str = r"C:\Users\Public\Documents\Intuit\QuickBooks\Company Files\simulated.qbw",
                 kill_at: Callable[[int], bool] | None = None) -> None:
        self.post = post
        self.company = company
        self.username = username
        self.password = password
        self.faults = faults
        self.company_file = company_file
        self.kill_at = kill_at
        """Called with the count of request sets handed out so far: True kills the Web Connector right there."""
        self.sets = 0

    def call(self, method: str, **params: str | int) -> str | list[str]:
        return soap.result(self.post(method, soap.call(method, **params)))

    def _hcp(self) -> str:
        return ('<?xml version="1.0" ?><QBXML><QBXMLMsgsRs><HostQueryRs requestID="0" statusCode="0" '
                'statusSeverity="Info" statusMessage="Status OK"><HostRet><ProductName>QuickBooks Pro 2024 (simulated by '
                "qbtui)</ProductName><MajorVersion>34</MajorVersion><Country>US</Country><SupportedQBXMLVersion>13.0"
                "</SupportedQBXMLVersion></HostRet></HostQueryRs></QBXMLMsgsRs></QBXML>")

    def session(self) -> SessionReport:
        """One scheduled run of the Web Connector."""
        self.call("serverVersion")
        version = str(self.call("clientVersion", strVersion=CLIENT_VERSION))
        if version.startswith("E:"):
            return SessionReport("error", message=version[2:])
        ticket, status, *_ = self.call("authenticate", strUserName=self.username, strPassword=self.password)
        if status in ("nvu", "none", "busy"):
            return SessionReport(status)
        report = SessionReport("done")
        first = True
        rng = self.faults.rng if self.faults else None
        while True:
            request = str(self.call("sendRequestXML", ticket=ticket, strHCPResponse=self._hcp() if first else "",
                                    strCompanyFileName=status or self.company_file, qbXMLCountry="US",
                                    qbXMLMajorVers=13, qbXMLMinorVers=0))
            first = False
            if not request:
                report.errors.append(str(self.call("getLastError", ticket=ticket)))
                report.message = str(self.call("closeConnection", ticket=ticket))
                return report
            if self.kill_at is not None and self.kill_at(self.sets) or rng and rng.random() < self.faults.kill:
                report.status = "killed"  # handed out, never run: the service waits for nothing more
                return report
            self.sets += 1
            report.request_sets += 1
            if rng and rng.random() < self.faults.busy:
                self.company.refuse_next = 3170
            try:
                response, hresult, message = self.company.answer(request), "", ""
            except ParseFailure as exc:
                response, hresult, message = "", exc.hresult, exc.message
            finally:
                self.company.refuse_next = None
            if rng and not hresult:
                roll = rng.random()
                if roll < self.faults.drop:
                    report.status = "killed"  # QuickBooks saved it; the answer died with the Web Connector
                    return report
                if roll < self.faults.drop + self.faults.hresult:
                    response, hresult, message = "", HRESULT_BUSY, "QuickBooks did not answer in time (simulated)"
            percent = int(self.call("receiveResponseXML", ticket=ticket, response=response, hresult=hresult,
                                    message=message))
            if percent < 0:
                report.errors.append(str(self.call("getLastError", ticket=ticket)))
                report.message = str(self.call("closeConnection", ticket=ticket))
                report.status = "error"
                return report
            if percent >= 100:
                report.message = str(self.call("closeConnection", ticket=ticket))
                return report

    def run(self, max_sessions: int = 50, on_session: Callable[[SessionReport], None] | None = None, *,
            kill_wait: float = 0.0, sleep: Callable[[float], None] = time.sleep) -> list[SessionReport]:
        """Scheduled runs until the service has nothing to do (authenticate answers none) or ``max_sessions``.
        ``kill_wait``: after a run that died, the seconds until the next (the service gives a dead run's session up
        after its idle timeout; until then it answers none, which then does not end the runs)."""
        reports: list[SessionReport] = []
        for _ in range(max_sessions):
            died = bool(reports) and reports[-1].status == "killed" and kill_wait > 0
            if died or reports and reports[-1].status == "waiting":
                sleep(kill_wait)
            report = self.session()
            self.company.save()
            if report.status == "none" and died:
                report.status = "waiting"  # perhaps the dead run's session, not given up yet: once more
            reports.append(report)
            if on_session is not None:
                on_session(report)
            if report.status in ("nvu", "none"):
                break
        return reports


def http_post(url: str, timeout: float = 120.0) -> tuple[Post, Callable[[], None]]:
    """A ``post`` to the service at ``url`` over HTTP(S), and how to close it."""
    import httpx2

    client = httpx2.Client(timeout=timeout)

    def post(method: str, body: bytes) -> bytes:
        try:
            r = client.post(url, content=body, headers={"Content-Type": "text/xml; charset=utf-8",
                                                        "SOAPAction": f'"{soap.TNS}{method}"'})
        except httpx2.HTTPError as exc:
            raise ConnectionError(f"{type(exc).__name__}: {exc}") from None
        if r.status_code != 200:
            raise ConnectionError(f"the service answered {method} with HTTP {r.status_code}")
        return r.content

    return post, client.close
