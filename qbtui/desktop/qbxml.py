"""qbXML requests from the ledger's payloads: what a document becomes in QuickBooks Desktop.

The ledger decides everything a document posts (amounts, accounts by role, contacts, items, tax codes, the parts of
a document); this module only spells each payload the way qbXML 13.0 wants it (docs/desktop.md#what-each-payload-becomes):
the elements in the order the schema's sequences require, names and RefNumbers within Desktop's limits
(qbtui.desktop.names), references by ListID/TxnID when Desktop gave one and by FullName otherwise, and our full
reference in the memo so that a document can be looked up before it is sent again.

Nothing here does I/O. A payload Desktop cannot take yet raises :class:`Untranslatable` with the reason (it becomes
the document's blocked reason)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from qbtui.desktop.names import NAME, list_name, ref_number
from qbtui.ledger.build import build
from qbtui.ledger.context import Ledger
from qbtui.ledger.payload import Payload
from qbtui.ledger.refs import doc_number

#: the qbXML version these requests are written in (the prolog's ``<?qbxml version="13.0"?>``)
QBXML_VERSION = (13, 0)
#: the oldest version qbtui will speak: the elements used here all exist in it (docs/desktop.md#qbxml-versions)
MIN_QBXML_VERSION = (7, 0)
MEMO_MAX = 4095

#: the QBO entity the ledger builds -> the Desktop object it becomes
ENTITY: dict[str, str] = {
    "Customer": "Customer", "Vendor": "Vendor", "Invoice": "Invoice", "CreditMemo": "CreditMemo",
    "Estimate": "Estimate", "PurchaseOrder": "PurchaseOrder", "Bill": "Bill", "VendorCredit": "VendorCredit",
    "Payment": "ReceivePayment", "BillPayment": "BillPaymentCheck", "JournalEntry": "JournalEntry",
}
LISTS = frozenset({"Customer", "Vendor", "ItemNonInventory", "ItemService"})
#: the Desktop sales tax codes of a US company file ("Tax" and "Non" are the two it is created with), by QBO's name
TAX_CODES = {"TAX": "Tax", "NON": "Non"}


class Untranslatable(ValueError):
    """A payload Desktop cannot take (yet): the message says why, as a document's blocked reason."""


@dataclass(frozen=True)
class Request:
    """One request of a request set: ``element`` is the XxxAdd or XxxMod aggregate."""

    element: ET.Element
    key: str = "doc"
    after: str | None = None
    """The part of the same document whose TxnID this one names (sent first; see ledger.payload.part_id)."""

    @property
    def name(self) -> str:
        return self.element.tag

    @property
    def entity(self) -> str:
        return self.element.tag[:-3]

    @property
    def is_list(self) -> bool:
        return self.entity in LISTS

    def xml(self) -> str:
        return ET.tostring(self.element, encoding="unicode")


# --- text, numbers, references -------------------------------------------------------------------

#: characters XML 1.0 cannot carry at all (C0 controls but tab, line feed and carriage return; U+FFFE, U+FFFF):
#: QuickBooks would refuse the whole request set as unparsable, so each becomes U+FFFD
_NOT_XML = {c: "\ufffd" for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF)}


def xml_text(text: str) -> str:
    """``text`` as XML 1.0 can carry it (surrogates too become U+FFFD)."""
    text = text.translate(_NOT_XML)
    if any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        text = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)
    return text


def _put(parent: ET.Element, tag: str, value: Any) -> ET.Element | None:
    if value is None or value == "":
        return None
    child = ET.SubElement(parent, tag)
    child.text = xml_text(value if isinstance(value, str) else str(value))
    return child


def cut(text: str | None, limit: int) -> str | None:
    """Free text (a phone, a company name, a description) cut to ``limit`` characters: not an identifier, so no hash."""
    if text is None:
        return None
    return text if len(text) <= limit else text[:limit]


def amount(value: Any) -> str:
    """AMTTYPE: a Decimal with exactly two decimals (the ledger's amounts are whole cents)."""
    d = Decimal(value)
    q = d.quantize(Decimal("0.01"))
    if q != d:
        raise Untranslatable(f"the amount {d} is not in whole cents")
    return format(q, "f")


def number(value: Any) -> str:
    """PRICETYPE, QUANTYPE: the Decimal's own digits, never an exponent."""
    d = Decimal(value)
    text = format(d, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _ref(parent: ET.Element, tag: str, ref: Mapping[str, Any] | None, entity: str | None = None) -> None:
    """``<Tag><ListID>`` when Desktop gave the object an id, else ``<Tag><FullName>`` (a list element's name as
    :func:`qbtui.desktop.names.list_name` spells it); nothing when neither is known."""
    if not ref:
        return
    value, name = ref.get("value"), ref.get("name")
    if value:
        ET.SubElement(ET.SubElement(parent, tag), "ListID").text = xml_text(str(value))
    elif name:
        full = list_name(entity, str(name)) if entity else str(name)
        ET.SubElement(ET.SubElement(parent, tag), "FullName").text = xml_text(full)


def _tax_ref(parent: ET.Element, ref: Mapping[str, Any] | None) -> None:
    if ref and not ref.get("value") and ref.get("name"):
        ref = {"name": TAX_CODES.get(str(ref["name"]).upper(), ref["name"])}
    _ref(parent, "SalesTaxCodeRef", ref)


def _address(parent: ET.Element, tag: str, addr: Mapping[str, Any] | None) -> None:
    if not addr:
        return
    el = ET.SubElement(parent, tag)
    for i in range(1, 6):
        _put(el, f"Addr{i}", cut(addr.get(f"Line{i}"), 41))
    _put(el, "City", cut(addr.get("City"), 31))
    _put(el, "State", cut(addr.get("CountrySubDivisionCode"), 21))
    _put(el, "PostalCode", cut(addr.get("PostalCode"), 13))
    _put(el, "Country", cut(addr.get("Country"), 31))
    if not len(el):
        parent.remove(el)


def full_ref(shown: str | None, doc: Mapping[str, Any], key: str) -> str | None:
    """Our full reference behind the ledger's (possibly shortened) DocNumber: the first of the document's own
    references whose QBO DocNumber is ``shown``; ``shown`` itself when none is."""
    if not shown:
        return None
    part = key.split(":", 1)[1] if ":" in key else None
    for candidate in (part, doc.get("doc_number"), doc.get("supplier_invoice_number"), doc.get("ref")):
        if candidate and doc_number(str(candidate)) == shown:
            return str(candidate)
    return shown


def memo(body: Mapping[str, Any], ref: str | None) -> str | None:
    """The memo: the ledger's private note (or customer memo), starting with our full reference when it lacks it."""
    text = body.get("PrivateNote") or (body.get("CustomerMemo") or {}).get("value") or ""
    if ref and ref not in text:
        text = f"{ref} {text}".strip()
    return cut(text, MEMO_MAX) or None


def _check_currency(body: Mapping[str, Any]) -> None:
    rate = body.get("ExchangeRate")
    if rate is not None and Decimal(rate) != 1:
        raise Untranslatable("documents in a foreign currency are not sent to QuickBooks Desktop yet")


# --- lists ---------------------------------------------------------------------------------------

def _contact(entity: str, body: Mapping[str, Any]) -> ET.Element:
    el = ET.Element(f"{entity}Add")
    display = str(body.get("DisplayName") or "")
    name = list_name(entity, display)
    _put(el, "Name", name)
    _put(el, "CompanyName", cut(body.get("CompanyName"), 41))
    _address(el, "BillAddress" if entity == "Customer" else "VendorAddress", body.get("BillAddr"))
    if entity == "Customer":
        _address(el, "ShipAddress", body.get("ShipAddr"))
    _put(el, "Phone", cut((body.get("PrimaryPhone") or {}).get("FreeFormNumber"), 21))
    _put(el, "Email", cut((body.get("PrimaryEmailAddr") or {}).get("Address"), 1023))
    notes = [f"Name: {display}"] if name != display else []
    if body.get("Notes"):
        notes.append(str(body["Notes"]))
    if entity == "Vendor":
        _put(el, "Notes", cut("\n".join(notes), 4095))
    _ref(el, "TermsRef", body.get("SalesTermRef") or body.get("TermRef"))
    if entity == "Customer":
        _put(el, "Notes", cut("\n".join(notes), 4095))
    return el


def _item(body: Mapping[str, Any]) -> ET.Element:
    kind = body.get("Type")
    if kind not in ("NonInventory", "Service"):
        raise Untranslatable(f"a product of QBO type {kind} has no Desktop item qbtui sends")
    el = ET.Element("ItemNonInventoryAdd" if kind == "NonInventory" else "ItemServiceAdd")
    full = str(body.get("Name") or "")
    name = list_name("Item", full)
    _put(el, "Name", name)
    sku = body.get("Sku")
    if kind == "NonInventory" and sku and len(sku) <= 31:
        _put(el, "ManufacturerPartNumber", sku)
    _tax_ref(el, body.get("SalesTaxCodeRef"))
    desc = body.get("Description") or (full if name != full else None)
    if body.get("ExpenseAccountRef"):
        both = ET.SubElement(el, "SalesAndPurchase")
        _put(both, "SalesDesc", cut(desc, 4095))
        _put(both, "SalesPrice", number(body["UnitPrice"]) if body.get("UnitPrice") is not None else None)
        _ref(both, "IncomeAccountRef", body.get("IncomeAccountRef"))
        _put(both, "PurchaseDesc", cut(body.get("PurchaseDesc") or desc, 4095))
        _put(both, "PurchaseCost", number(body["PurchaseCost"]) if body.get("PurchaseCost") is not None else None)
        _ref(both, "ExpenseAccountRef", body.get("ExpenseAccountRef"))
    else:
        one = ET.SubElement(el, "SalesOrPurchase")
        _put(one, "Desc", cut(desc, 4095))
        _put(one, "Price", number(body["UnitPrice"]) if body.get("UnitPrice") is not None else None)
        _ref(one, "AccountRef", body.get("IncomeAccountRef"))
    return el


# --- lines ---------------------------------------------------------------------------------------

def _sales_line(parent: ET.Element, tag: str, line: Mapping[str, Any], service_date: bool) -> None:
    kind = line.get("DetailType")
    if kind == "SubTotalLineDetail":
        return
    el = ET.SubElement(parent, tag)
    if kind == "DescriptionOnly":
        _put(el, "Desc", cut(line.get("Description"), 4095))
        return
    if kind != "SalesItemLineDetail":
        raise Untranslatable(f"a sales line of type {kind} is not sent to QuickBooks Desktop yet")
    d = line["SalesItemLineDetail"]
    _ref(el, "ItemRef", d.get("ItemRef"), "Item")
    _put(el, "Desc", cut(line.get("Description"), 4095))
    _put(el, "Quantity", number(d["Qty"]) if d.get("Qty") is not None else None)
    _put(el, "Rate", number(d["UnitPrice"]) if d.get("UnitPrice") is not None else None)
    _ref(el, "ClassRef", d.get("ClassRef"))
    _put(el, "Amount", amount(line["Amount"]))
    if service_date:
        _put(el, "ServiceDate", d.get("ServiceDate"))
    _tax_ref(el, d.get("TaxCodeRef"))


def _purchase_lines(parent: ET.Element, lines: Iterable[Mapping[str, Any]], item_tag: str,
                    expense_tag: str | None) -> None:
    """Expense lines first, then item lines (a Bill's and VendorCredit's sequence); a purchase order has item lines."""
    lines = list(lines)
    for line in lines:
        kind = line.get("DetailType")
        if kind == "AccountBasedExpenseLineDetail":
            if expense_tag is None:
                raise Untranslatable("a purchase order line without a product is not sent to QuickBooks Desktop")
            d = line[kind]
            el = ET.SubElement(parent, expense_tag)
            _ref(el, "AccountRef", d.get("AccountRef"))
            _put(el, "Amount", amount(line["Amount"]))
            _put(el, "Memo", cut(line.get("Description"), 4095))
            _ref(el, "CustomerRef", d.get("CustomerRef"), "Customer")
            _ref(el, "ClassRef", d.get("ClassRef"))
            _tax_ref(el, d.get("TaxCodeRef"))
        elif kind not in ("ItemBasedExpenseLineDetail", "DescriptionOnly", "SubTotalLineDetail"):
            raise Untranslatable(f"a purchase line of type {kind} is not sent to QuickBooks Desktop yet")
    for line in lines:
        if line.get("DetailType") != "ItemBasedExpenseLineDetail":
            continue
        d = line["ItemBasedExpenseLineDetail"]
        el = ET.SubElement(parent, item_tag)
        _ref(el, "ItemRef", d.get("ItemRef"), "Item")
        _put(el, "Desc", cut(line.get("Description"), 4095))
        _put(el, "Quantity", number(d["Qty"]) if d.get("Qty") is not None else None)
        price = number(d["UnitPrice"]) if d.get("UnitPrice") is not None else None
        if item_tag == "PurchaseOrderLineAdd":
            _put(el, "Rate", price)
            _ref(el, "ClassRef", d.get("ClassRef"))
            _put(el, "Amount", amount(line["Amount"]))
            _ref(el, "CustomerRef", d.get("CustomerRef"), "Customer")
        else:
            _put(el, "Cost", price)
            _put(el, "Amount", amount(line["Amount"]))
            _ref(el, "CustomerRef", d.get("CustomerRef"), "Customer")
            _ref(el, "ClassRef", d.get("ClassRef"))
        _tax_ref(el, d.get("TaxCodeRef"))


# --- transactions --------------------------------------------------------------------------------

def _sales(entity: str, body: Mapping[str, Any], ref: str | None) -> ET.Element:
    el = ET.Element(f"{entity}Add")
    _ref(el, "CustomerRef", body.get("CustomerRef"), "Customer")
    _ref(el, "ClassRef", body.get("ClassRef"))
    if entity != "Estimate":
        _ref(el, "ARAccountRef", body.get("ARAccountRef"))
    _put(el, "TxnDate", body.get("TxnDate"))
    _put(el, "RefNumber", ref_number(entity, ref) if ref else None)
    _address(el, "BillAddress", body.get("BillAddr"))
    _address(el, "ShipAddress", body.get("ShipAddr"))
    _ref(el, "TermsRef", body.get("SalesTermRef"))
    _put(el, "DueDate", body.get("DueDate") or (body.get("ExpirationDate") if entity == "Estimate" else None))
    if entity != "Estimate":
        _put(el, "ShipDate", body.get("ShipDate"))
    _put(el, "Memo", memo(body, ref))
    for line in body.get("Line") or ():
        _sales_line(el, f"{entity}LineAdd", line, service_date=entity != "Estimate")
    return el


def _purchase(entity: str, body: Mapping[str, Any], ref: str | None) -> ET.Element:
    el = ET.Element(f"{entity}Add")
    _ref(el, "VendorRef", body.get("VendorRef"), "Vendor")
    if entity == "PurchaseOrder":
        _ref(el, "ClassRef", body.get("ClassRef"))
    else:
        _ref(el, "APAccountRef", body.get("APAccountRef"))
    _put(el, "TxnDate", body.get("TxnDate"))
    if entity == "Bill":
        _put(el, "DueDate", body.get("DueDate"))
    _put(el, "RefNumber", ref_number(entity, ref) if ref else None)
    if entity != "VendorCredit":
        _ref(el, "TermsRef", body.get("SalesTermRef"))
    if entity == "PurchaseOrder":
        _put(el, "DueDate", body.get("DueDate"))
    _put(el, "Memo", memo(body, ref))
    if entity == "PurchaseOrder":
        _purchase_lines(el, body.get("Line") or (), "PurchaseOrderLineAdd", None)
    else:
        _purchase_lines(el, body.get("Line") or (), "ItemLineAdd", "ExpenseLineAdd")
    return el


def _applied(parent: ET.Element, lines: Iterable[Mapping[str, Any]], paid: str, credits: Iterable[str]) -> bool:
    """AppliedToTxnAdd per line naming a ``paid`` transaction (its cash part: the line's amount less the credits
    set against it); the lines naming one of ``credits`` become SetCredit of the first one. False: none applied."""
    applied, credit_lines = [], []
    for line in lines:
        for linked in line.get("LinkedTxn") or ():
            if linked.get("TxnType") == paid:
                applied.append((linked.get("TxnId"), Decimal(line["Amount"])))
            elif linked.get("TxnType") in credits:
                credit_lines.append((linked.get("TxnId"), Decimal(line["Amount"])))
            else:
                raise Untranslatable(f"a payment applied to a {linked.get('TxnType')} is not sent to Desktop yet")
    if credit_lines and not applied:
        raise Untranslatable("a credit applied to nothing is not sent to QuickBooks Desktop")
    for i, (txn_id, line_amount) in enumerate(applied):
        if not txn_id:
            raise Untranslatable(f"the {paid.lower()} it pays is not in QuickBooks Desktop yet")
        el = ET.SubElement(parent, "AppliedToTxnAdd")
        _put(el, "TxnID", str(txn_id))
        credit_total = sum((a for _, a in credit_lines), Decimal(0)) if i == 0 else Decimal(0)
        _put(el, "PaymentAmount", amount(line_amount - credit_total))
        for credit_id, credit_amount in credit_lines if i == 0 else ():
            if not credit_id:
                raise Untranslatable("the credit it applies is not in QuickBooks Desktop yet")
            setc = ET.SubElement(el, "SetCredit")
            _put(setc, "CreditTxnID", str(credit_id))
            _put(setc, "AppliedAmount", amount(credit_amount))
    return bool(applied)


def _receive_payment(body: Mapping[str, Any], ref: str | None) -> ET.Element:
    el = ET.Element("ReceivePaymentAdd")
    _ref(el, "CustomerRef", body.get("CustomerRef"), "Customer")
    _ref(el, "ARAccountRef", body.get("ARAccountRef"))
    _put(el, "TxnDate", body.get("TxnDate"))
    _put(el, "RefNumber", ref_number("ReceivePayment", ref) if ref else None)
    _put(el, "TotalAmount", amount(body.get("TotalAmt") or 0))
    _ref(el, "PaymentMethodRef", body.get("PaymentMethodRef"))
    _put(el, "Memo", memo(body, ref))
    _ref(el, "DepositToAccountRef", body.get("DepositToAccountRef"))
    if not _applied(el, body.get("Line") or (), "Invoice", ("CreditMemo",)):
        _put(el, "IsAutoApply", "false")
    return el


def _bill_payment(body: Mapping[str, Any], ref: str | None) -> ET.Element:
    if body.get("PayType", "Check") != "Check":
        raise Untranslatable("a supplier payment by credit card is not sent to QuickBooks Desktop yet")
    el = ET.Element("BillPaymentCheckAdd")
    _ref(el, "PayeeEntityRef", body.get("VendorRef"), "Vendor")
    _ref(el, "APAccountRef", body.get("APAccountRef"))
    _put(el, "TxnDate", body.get("TxnDate"))
    _ref(el, "BankAccountRef", (body.get("CheckPayment") or {}).get("BankAccountRef"))
    _put(el, "RefNumber", ref_number("BillPaymentCheck", ref) if ref else None)
    _put(el, "Memo", memo(body, ref))
    if not _applied(el, body.get("Line") or (), "Bill", ("VendorCredit", "JournalEntry")):
        raise Untranslatable("a bill payment must be applied to a bill in QuickBooks Desktop")
    return el


def _journal(body: Mapping[str, Any], ref: str | None) -> ET.Element:
    el = ET.Element("JournalEntryAdd")
    _put(el, "TxnDate", body.get("TxnDate"))
    _put(el, "RefNumber", ref_number("JournalEntry", ref) if ref else None)
    _put(el, "Memo", memo(body, ref))
    for line in body.get("Line") or ():
        d = line["JournalEntryLineDetail"]
        side = ET.SubElement(el, "JournalDebitLine" if d["PostingType"] == "Debit" else "JournalCreditLine")
        _ref(side, "AccountRef", d.get("AccountRef"))
        _put(side, "Amount", amount(line["Amount"]))
        _put(side, "Memo", cut(line.get("Description"), 4095))
        entity = d.get("Entity") or {}
        if entity:
            kind = entity.get("Type")
            if kind not in NAME:
                raise Untranslatable(f"a journal line naming a {kind} is not sent to QuickBooks Desktop yet")
            _ref(side, "EntityRef", entity.get("EntityRef"), kind)
        _ref(side, "ClassRef", d.get("ClassRef"))
    return el


def translate(payload: Payload, doc: Mapping[str, Any]) -> Request:
    """The Add request of one ledger payload of ``doc`` (Untranslatable: why not)."""
    if payload.operation != "create":
        raise Untranslatable(f"a {payload.operation} is not sent to QuickBooks Desktop this way")
    body = payload.body
    if payload.entity == "Item":
        return Request(_item(body), payload.key, payload.after)
    entity = ENTITY.get(payload.entity)
    if entity is None:
        raise Untranslatable(f"a QBO {payload.entity} has no Desktop counterpart qbtui sends yet")
    if entity in ("Customer", "Vendor"):
        return Request(_contact(entity, body), payload.key, payload.after)
    _check_currency(body)
    shown = body.get("DocNumber") or body.get("PaymentRefNum")
    ref = full_ref(shown, doc, payload.key)
    if entity in ("Invoice", "CreditMemo", "Estimate"):
        el = _sales(entity, body, ref)
    elif entity in ("PurchaseOrder", "Bill", "VendorCredit"):
        el = _purchase(entity, body, ref)
    elif entity == "ReceivePayment":
        el = _receive_payment(body, ref)
    elif entity == "BillPaymentCheck":
        el = _bill_payment(body, ref)
    else:
        el = _journal(body, ref)
    return Request(el, payload.key, payload.after)


def requests(doc: Mapping[str, Any], ledger: Ledger) -> list[Request]:
    """The Add requests of a document, in the order its parts must go (the ledger's payloads, translated)."""
    return [translate(p, doc) for p in build(dict(doc), ledger)]


# --- Mod -----------------------------------------------------------------------------------------

#: children of an Add that its Mod does not have (qbXML 13.0 schema)
_NOT_IN_MOD: dict[str, frozenset[str]] = {
    "JournalEntry": frozenset({"Memo"}),
    "BillPaymentCheck": frozenset({"PayeeEntityRef", "APAccountRef"}),
    "ReceivePayment": frozenset({"IsAutoApply"}),
}
_MOD_NAMES = {"SalesAndPurchase": "SalesAndPurchaseMod", "SalesOrPurchase": "SalesOrPurchaseMod",
              "AppliedToTxnAdd": "AppliedToTxnMod"}


def _mod_child(child: ET.Element) -> ET.Element:
    tag = child.tag
    if tag in ("JournalDebitLine", "JournalCreditLine"):
        new = ET.Element("JournalLineMod")
        _put(new, "TxnLineID", "-1")
        _put(new, "JournalLineType", "Debit" if tag == "JournalDebitLine" else "Credit")
        new.extend(child)
        return new
    if tag.endswith("LineAdd"):
        new = ET.Element(tag[:-3] + "Mod")
        _put(new, "TxnLineID", "-1")  # -1: a new line; lines a Mod leaves out are deleted (docs/desktop.md#mods)
        new.extend(child)
        return new
    if tag in _MOD_NAMES:
        new = ET.Element(_MOD_NAMES[tag])
        new.extend(child)
        return new
    return child


def to_mod(request: Request, object_id: str, edit_sequence: str) -> Request:
    """The Mod of an Add: the object's ListID (lists) or TxnID and the EditSequence Desktop last gave it first, the
    same fields after, every line as a new line (TxnLineID -1) replacing the object's lines."""
    entity = request.entity
    el = ET.Element(f"{entity}Mod")
    _put(el, "ListID" if request.is_list else "TxnID", object_id)
    _put(el, "EditSequence", edit_sequence)
    for child in request.element:
        if child.tag not in _NOT_IN_MOD.get(entity, ()):
            el.append(_mod_child(child))
    return Request(el, request.key, request.after)


# --- request sets --------------------------------------------------------------------------------

def negotiate(major: int, minor: int) -> tuple[int, int]:
    """The version to write for a Web Connector that reports QuickBooks' highest qbXML version ``major.minor``:
    ours (13.0) or the lower one it reports; ValueError below :data:`MIN_QBXML_VERSION`."""
    reported = (int(major), int(minor))
    if reported < MIN_QBXML_VERSION:
        raise ValueError(f"this QuickBooks speaks qbXML {reported[0]}.{reported[1]}; qbtui needs "
                         f"{MIN_QBXML_VERSION[0]}.{MIN_QBXML_VERSION[1]} or later")
    return min(reported, QBXML_VERSION)


def request_set(items: Iterable[tuple[str, Request]], version: tuple[int, int] = QBXML_VERSION, *,
                on_error: str = "stopOnError") -> str:
    """A qbXML document of ``(requestID, request)`` pairs, in order, for sendRequestXML."""
    if on_error not in ("stopOnError", "continueOnError"):
        raise ValueError(on_error)
    root = ET.Element("QBXML")
    msgs = ET.SubElement(root, "QBXMLMsgsRq", onError=on_error)
    for request_id, request in items:
        rq = ET.SubElement(msgs, f"{request.name}Rq", requestID=str(request_id))
        rq.append(request.element)
    # ASCII with character references (&#233;): the text arrives intact whatever encoding the SOAP string is carried in
    body = ET.tostring(root, encoding="us-ascii", xml_declaration=False).decode("ascii")
    return f'<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="{version[0]}.{version[1]}"?>\n{body}'
