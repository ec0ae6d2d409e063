"""Which properties QBO accepts in a create or update body: an unknown one is 400, code 2010.

QBO reads a body with Jackson into its generated classes (com.intuit.schema.finance.v3.*) and refuses a property
its class does not have: "Request has invalid or unsupported property", detail "Property Name:Unrecognized field
"X" (class com.intuit.schema.finance.v3.Invoice), not marked as ignorable (N known properties: ...)", no `element`
(recorded: ../shared/reference/qbo_api_vcr/error/400_json.yml; docs/qbo.md#what-the-sandbox-enforces).

The classes' properties come from Intuit's own schema of those classes (``qbo_schema.json`` says which file and
commit); the 61 properties the recorded answer names for Invoice are all in it. Nested objects are checked the
same way, each against its declared type (a Line, its detail object, a ref, an address...): Jackson reads them into
classes too. Two kinds of types are not checked inside: IntuitAnyType (the ``...Ex`` extension points, open by
design) and the abstract CustomFieldDefinition (a preference's custom fields, typed by their subclass).

:data:`EXTRA` adds what a client nobody here wrote sends although the schema lacks it: the sandbox stays
conservative (it must never refuse what QBO may take), and tests/sandbox/test_qbo_rules.py checks that every
property python-quickbooks's objects carry is accepted. Property names are matched with their case, as Jackson
does by default (QBO's own setting is *unverified*)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from . import errors as E

SCHEMA_FILE = Path(__file__).with_name("qbo_schema.json")
JAVA_PACKAGE = "com.intuit.schema.finance.v3"
#: properties named in a 2010 detail before "[truncated]" (the recorded answer stops after about 60)
DETAIL_NAMES = 60

#: type -> property -> its type (None: a simple value), accepted although Intuit's schema does not declare them
EXTRA: dict[str, dict[str, str | None]] = {
    # python-quickbooks (objects/employee.py): Employee.EmailAddress, sent when set
    "Employee": {"EmailAddress": None},
    # python-quickbooks (objects/detailline.py): SubtotalLine's detail object is spelled "SubtotalLineDetail"
    "Line": {"SubtotalLineDetail": "SubTotalLineDetail"},
    # python-quickbooks (objects/detailline.py): DiscountLineDetail.Discount, a DiscountOverride
    "DiscountLineDetail": {"Discount": "DiscountOverride"},
    # python-quickbooks (objects/payment.py): Payment.TaxExemptionRef
    "Payment": {"TaxExemptionRef": "ReferenceType"},
    # python-quickbooks (objects/vendorcredit.py): VendorCredit.FromAccountRef / ToAccountRef
    "VendorCredit": {"FromAccountRef": "ReferenceType", "ToAccountRef": "ReferenceType"},
    # python-quickbooks (objects/purchaseorder.py): PurchaseOrder.AttachableRef is a Ref (value, name, type)
    "AttachableRef": {"value": None, "name": None, "type": None},
}


@cache
def types() -> dict[str, dict[str, str | None]]:
    data = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))["types"]
    for name, extra in EXTRA.items():
        data[name] = {**data.get(name, {}), **extra}
    return data


def properties(type_name: str) -> dict[str, str | None] | None:
    """The properties of a QBO type, or None when the sandbox does not check inside it."""
    return types().get(type_name)


def unknown_property(entity: str, body: Any) -> E.QBOError | None:
    """The 2010 fault for the first property of ``body`` (an ``entity`` create or update) that QBO's classes do
    not have, or None when there is none."""
    return _walk(entity, body)


def _walk(type_name: str, node: Any) -> E.QBOError | None:
    if isinstance(node, list):
        for item in node:
            err = _walk(type_name, item)
            if err is not None:
                return err
        return None
    if not isinstance(node, dict):
        return None  # a simple value where an object is declared is another fault, not this one
    known = properties(type_name)
    if known is None:
        return None
    for key, value in node.items():
        if key not in known:
            return unsupported_property(key, type_name, known)
        child = known[key]
        if child is not None and isinstance(value, (dict, list)):
            err = _walk(child, value)
            if err is not None:
                return err
    return None


def unsupported_property(name: str, type_name: str, known: dict[str, Any]) -> E.QBOError:
    """QBO's 2010 answer, shaped as recorded (qbo_api_vcr/error/400_json.yml): Jackson's message in the detail,
    no element."""
    names = ", ".join(f'"{n}"' for n in list(known)[:DETAIL_NAMES])
    more = " [truncated]" if len(known) > DETAIL_NAMES else ""
    detail = (f'Property Name:Unrecognized field "{name}" (class {JAVA_PACKAGE}.{type_name}), not marked as '
              f"ignorable ({len(known)} known properties: {names}{more}])\n specified is unsupported or invalid")
    return E.QBOError(2010, "Request has invalid or unsupported property", detail, element=None)
