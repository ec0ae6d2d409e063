"""The connect wizard's step names, titles and rows, without any UI (so that they can be tested alone).

The state and the rules the wizard shares with the ``qbtui wizard-step`` commands (the stored state, the
mapping rule, clearing local data) are :mod:`qbtui.sync.wizard`'s, re-exported here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from qbtui.ledger.roles import ROLES, account_label
from qbtui.sync.wizard import (
    CONFIRM_PHRASE,
    NAME_MAPPINGS,
    STATE_KEY,
    STEPS,
    TRANSACTION_TYPES,
    assign_account,
    load_state,
    names_used,
    needs_wizard,
)

__all__ = ["CONFIRM_PHRASE", "MODES", "NAME_MAPPINGS", "STATE_KEY", "STEPS", "TITLES", "TRANSACTION_TYPES",
           "account_label", "assign_account", "load_state", "mapping_rows", "names_used", "needs_wizard",
           "next_step", "previous_step"]

TITLES: dict[str, str] = {
    "mode": "Integration mode", "local_data": "Local data", "connect": "Connect to QuickBooks",
    "preflight": "Preflight", "accounts": "Account mapping", "tax_terms": "Tax codes and payment terms",
    "opening_balances": "Opening balances", "stock": "Stock on hand", "opening_journal": "Opening inventory journal",
    "confirm": "Confirm",
}
MODES = {"from_quickbooks": "From QuickBooks only", "both_ways": "Both ways"}


def next_step(step: str) -> str:
    i = STEPS.index(step)
    return STEPS[min(i + 1, len(STEPS) - 1)]


def previous_step(step: str) -> str | None:
    i = STEPS.index(step)
    return STEPS[i - 1] if i > 0 else None


def mapping_rows(mapping: Mapping[str, str], accounts: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """(role, "Label  ->  account (type)") for every role."""
    by_id = {str(a.get("Id")): a for a in accounts}
    rows = []
    for r in ROLES:
        acc = by_id.get(str(mapping.get(r.name))) if r.name in mapping else None
        need = "required" if r.required else "optional"
        rows.append((r.name, f"{r.label} [{need}]: {account_label(acc) if acc else '(not mapped)'}"))
    return rows
