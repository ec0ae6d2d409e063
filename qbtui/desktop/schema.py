"""The qbXML 13.0 schema's element order: each aggregate's children, their order, whether they repeat, their maxLength.

qbtui/desktop/qbxml130_order.json is derived by scripts/qbxml_order.py from a public copy of Intuit's schema:
jsgoupil/quickbooks-sync, src/QbXml/Schemas/qbxml130.xsd at commit 589ab5e1c779b4c2a2981cda304f56ea9d1bf9b7 (the
schema's own header: "(c) 2013 Intuit Inc. ... Use is subject to a qbXML Developer Agreement", so the file itself
is not kept here; only each aggregate's children, their order and maxLength are). Never edit the JSON by hand:
regenerate it from the schema. The tests (tests/desktop/schema.py) and the simulated company file
(qbtui.desktop.simulator) both check requests against this one table, never against the builder's own notes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

TABLE = Path(__file__).with_name("qbxml130_order.json")


@cache
def table() -> dict[str, list[list]]:
    return json.loads(TABLE.read_text())


def problems(el: ET.Element, parent: str | None = None) -> list[str]:
    """Where ``el`` (an XxxAdd or XxxMod aggregate) breaks the schema: a child it does not have, children out of
    order, a non-repeating child repeated, a text longer than its maxLength. Empty: it follows the schema."""
    rows = table().get(f"{parent}.{el.tag}") or table().get(el.tag)
    if rows is None:
        return [] if len(el) == 0 else [f"{el.tag}: not an aggregate of the schema"]
    by_name = {row[1]: row for row in rows}
    out: list[str] = []
    last, seen = -1, set()
    for child in el:
        row = by_name.get(child.tag)
        if row is None:
            out.append(f"{el.tag}: has no child {child.tag}")
            continue
        position, _, max_length, _, repeats = row
        if position < last:
            out.append(f"{el.tag}: {child.tag} comes too late")
        if child.tag in seen and not repeats:
            out.append(f"{el.tag}: {child.tag} repeated")
        if max_length is not None and child.text is not None and len(child.text) > max_length:
            out.append(f"{el.tag}.{child.tag}: {len(child.text)} characters, at most {max_length}")
        last, seen = position, seen | {child.tag}
        out += problems(child, el.tag)
    return out


def covers(tag: str) -> bool:
    """Whether the table has the aggregate ``tag`` (the Adds and Mods qbtui writes)."""
    return tag in table()
