"""The classes and locations (QBO Class and Department) a document's payloads name, without building them: what
the gates compare with QBO's lists as last pulled. Mirrors the builders (ledger/common.py, ledger/journals.py;
docs/qbo.md#classes-and-locations): a class per line with per-line class tracking, one per transaction with
per-transaction tracking, a journal's from its source document; the location at the top when QBO tracks
locations."""

from __future__ import annotations

from dataclasses import dataclass, field

from qbtui.ledger.common import Doc, line_classes, location_value, txn_class_value
from qbtui.ledger.context import Ledger
from qbtui.ledger.journals import adjustment_classes, cogs_classes, journal_class, journal_location

#: document type -> contact kind of its class and location sources, for the documents with lines
LINED = {"sale_invoice": "customer", "quote": "customer", "credit_note": "customer",
         "supplier_invoice": "supplier", "supplier_credit": "supplier", "purchase_order": "supplier"}
NO_LOCATION = frozenset({"purchase_order"})  # sent without a DepartmentRef (ledger/purchases.py)


@dataclass
class Dimensions:
    classes: list[str] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    #: with per-transaction class tracking, the different classes of lines that must share one
    conflicting: list[str] = field(default_factory=list)


def used(doc: Doc, ledger: Ledger) -> Dimensions:
    out = Dimensions()
    p, t = ledger.prefs, doc["type"]
    if t in LINED:
        contact = LINED[t]
        if p.class_per_line:
            out.classes = line_classes(doc, ledger, contact)
        elif p.class_per_txn:
            one = txn_class_value(doc, ledger, contact)
            if one is not None:
                out.classes = [one]
            else:
                several = line_classes(doc, ledger, contact)
                out.classes, out.conflicting = several, several if len(several) > 1 else []
        if p.track_departments and t not in NO_LOCATION and (where := location_value(doc, ledger, contact)):
            out.locations = [where]
    elif t in ("cogs", "supplier_deposit", "adjustment"):
        if t == "adjustment":
            out.classes = [name for name, _ in adjustment_classes(doc, ledger) if name is not None]
        elif t == "cogs":
            out.classes = [name for name, _ in cogs_classes(doc, ledger) if name is not None]
        elif (name := journal_class(doc, ledger)) is not None:
            out.classes = [name]
        if (where := journal_location(doc, ledger)) is not None:
            out.locations = [where]
    return out
