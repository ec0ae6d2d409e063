"""Documents back into the import format's CSV layout (docs/import-format.md#csv): what ``qbtui export --format
csv`` writes, one file per type, that ``qbtui import`` reads back. Nested fields are dotted columns
(``billing_address.city``, ``extra.qbo_id``), one row per line item with the document's own fields repeated; a
credit note's refunds go to ``credit_note_refund`` rows (the refund's columns plus ``credit_note``)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from qbtui.documents.types import REFUND_TYPE


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def _flat(value: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, item in value.items():
        if isinstance(item, dict) and item:
            out.update(_flat(item, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = _cell(item)
    return out


def csv_rows(docs: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, str]]]:
    """Rows per file type (a document type, or ``credit_note_refund``), each row a {column: cell}."""
    out: dict[str, list[dict[str, str]]] = {}
    for doc in docs:
        head = {k: v for k, v in doc.items() if k not in ("type", "lines", "refunds")}
        rows = out.setdefault(doc["type"], [])
        flat = _flat(head)
        if doc.get("lines"):
            rows.extend({**flat, **_flat(line, "lines.")} for line in doc["lines"])
        else:
            rows.append(flat)
        for refund in doc.get("refunds") or ():
            out.setdefault(REFUND_TYPE, []).append({"credit_note": doc["ref"], **_flat(refund)})
    return out


def csv_text(rows: list[dict[str, str]]) -> str:
    """One file's text: the header is every column in the order it first appears."""
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
