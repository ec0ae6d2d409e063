"""The dashboard's top tabs and sub-tabs (docs/domain.md#dashboard), in the Cin7 Omni "V2" shape."""

from __future__ import annotations

from dataclasses import dataclass

from qbtui.ledger.gates import FAMILIES
from qbtui.ledger.kinds import ABBREV, TAB_ORDER, dashboard_kinds
from qbtui.ledger.summaries import KINDS as SUMMARY_KINDS


@dataclass(frozen=True)
class SubTab:
    label: str
    short: str
    #: a document type (Sales..Retail), an error family (Errors) or a discrepancy kind.
    key: str


@dataclass(frozen=True)
class TopTab:
    label: str
    kind: str  # "documents" | "errors" | "discrepancies" | "summaries"
    subtabs: tuple[SubTab, ...]


_FAMILY_LABELS = {"dates": "Dates", "names": "Names & links", "amounts": "Amounts", "mappings": "Mappings & settings",
                  "dependencies": "Waiting on others", "other": "Other"}
ERROR_FAMILIES: tuple[tuple[str, str], ...] = (("all", "All"), *((f, _FAMILY_LABELS[f]) for f in FAMILIES))
"""The Errors tab's sub-tabs: the families of the gates' reasons (ledger.gates.FAMILIES)."""

SUMMARY_LABELS: dict[str, tuple[str, str]] = {
    "sales": ("Sales invoices", "Sales"), "credits": ("Credit memos", "Credits"), "refunds": ("Refunds", "Refunds"),
    "cogs": ("COGS journals", "COGS"), "payments": ("Payments", "Payments")}
"""The Summaries tab's sub-tabs: each kind of summary (qbtui.ledger.summaries.KINDS), long and short."""

TABS: tuple[TopTab, ...] = (
    *(TopTab(tab, "documents", tuple(SubTab(k.label, k.short, k.name) for k in dashboard_kinds(tab)))
      for tab in TAB_ORDER),
    TopTab("Errors", "errors", tuple(SubTab(label, label.split(" ")[0], key)
                                     for key, label in ERROR_FAMILIES)),
    TopTab("Discrepancies", "discrepancies", (
        SubTab("All", "All", "all"),
        SubTab("Changed in QBO", "Changed", "changed"),
        SubTab("Deleted in QBO", "Deleted", "deleted"),
        SubTab("Total differs", "Total", "total"),
    )),
    # the summaries of channels posted daily or monthly (docs/domain.md#summarized-posting), per kind of summary
    TopTab("Summaries", "summaries", (
        SubTab("All", "All", "all"),
        *(SubTab(*SUMMARY_LABELS[kind], kind) for kind in SUMMARY_KINDS),
    )),
)

TYPE_LABELS: dict[str, str] = {sub.key: sub.label for tab in TABS if tab.kind == "documents" for sub in tab.subtabs}
# Singular labels used in the Errors tab's Type column and in messages.
TYPE_SHORT: dict[str, str] = ABBREV
