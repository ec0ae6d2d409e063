"""Derive the qbXML element-order table the Desktop tests check requests against (qbtui/desktop/qbxml130_order.json)
from a public copy of Intuit's qbXML 13.0 schema.

The schema files are Intuit's ("Use is subject to a qbXML Developer Agreement"), so they are not kept in this
repository: only the facts the tests need (each aggregate's children, their order and their maxLength) are. The copy
read is jsgoupil/quickbooks-sync, src/QbXml/Schemas/qbxml130.xsd (the unmodified 13.0 schema) at commit
589ab5e1c779b4c2a2981cda304f56ea9d1bf9b7.

    python scripts/qbxml_order.py path/to/qbxml130.xsd > qbtui/desktop/qbxml130_order.json

Each aggregate maps to a list of [position, child, maxLength, required, repeats]: children of an xsd:sequence take
increasing positions; the branches of an xsd:choice start at the same position (a repeating choice lets its members
interleave). An element defined inline inside another is keyed "Parent.Child"."""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET

XSD = "{http://www.w3.org/2001/XMLSchema}"
ROOTS = ("CustomerAdd", "CustomerMod", "VendorAdd", "VendorMod", "ItemNonInventoryAdd", "ItemNonInventoryMod",
         "ItemServiceAdd", "ItemServiceMod", "InvoiceAdd", "InvoiceMod", "CreditMemoAdd", "CreditMemoMod", "BillAdd",
         "BillMod", "VendorCreditAdd", "VendorCreditMod", "ReceivePaymentAdd", "ReceivePaymentMod",
         "BillPaymentCheckAdd", "BillPaymentCheckMod", "EstimateAdd", "EstimateMod", "PurchaseOrderAdd",
         "PurchaseOrderMod", "JournalEntryAdd", "JournalEntryMod")


def main(path: str) -> None:
    root = ET.parse(path).getroot()
    elements = {e.get("name"): e for e in root.findall(f"{XSD}element")}
    groups = {g.get("name"): g for g in root.findall(f"{XSD}group")}
    types = {t.get("name"): t for t in root.findall(f"{XSD}complexType")}
    table: dict[str, list] = {}

    def max_length(el: ET.Element) -> int | None:
        """The maxLength of a simple element (None for an aggregate or a type without one)."""
        if el.find(f"{XSD}complexType") is not None:
            return None
        m = el.find(f".//{XSD}maxLength")
        return int(m.get("value")) if m is not None else None

    def walk(node: ET.Element, pos: int, out: list, owner: str, repeats: bool) -> int:
        """Append node's children to ``out`` from ``pos``; return the next free position."""
        tag = node.tag[len(XSD):]
        if tag == "sequence":
            for child in node:
                pos = walk(child, pos, out, owner, repeats or node.get("maxOccurs") == "unbounded")
            return pos
        if tag == "choice":
            rep = repeats or node.get("maxOccurs") == "unbounded"
            end = pos
            for child in node:
                end = max(end, walk(child, pos, out, owner, rep))
            return end
        if tag == "group":
            return walk(groups[node.get("ref")].find(f"{XSD}sequence") or groups[node.get("ref")][0], pos, out,
                        owner, repeats) if node.get("ref") else pos
        if tag == "element":
            name = node.get("ref") or node.get("name")
            rep = repeats or node.get("maxOccurs") == "unbounded"
            required = node.get("minOccurs", "1") != "0"
            length = max_length(node) if node.get("name") else max_length(elements[name]) if name in elements \
                else None
            out.append([pos, name, length, required, rep])
            if node.get("name") and node.find(f"{XSD}complexType") is not None:
                collect(f"{owner}.{name}", node)
            elif node.get("ref"):
                collect(name, elements.get(name))
            return pos + 1
        return pos  # annotations, attributes

    def collect(key: str, el: ET.Element | None) -> None:
        if el is None or key in table:
            return
        ctype = el.find(f"{XSD}complexType")
        if ctype is None and el.get("type") in types:
            ctype = types[el.get("type")]
        if ctype is None:
            return
        table[key] = []
        for child in ctype:
            walk(child, 0, table[key], key.split(".")[-1], False)
        if not table[key]:
            del table[key]

    for name in ROOTS:
        collect(name, elements[name])
    json.dump(dict(sorted(table.items())), sys.stdout, indent=0, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
