"""The connect wizard's step names, titles and rows, without any UI (so that they can be tested alone).

The state and the rules the wizard shares with the ``qbtui wizard-step`` commands (the stored state, the
mapping rule, clearing local data) are :mod:`qbtui.sync.wizard`'s, re-exported here."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from qbtui.ledger.roles import ROLE_BY_NAME, ROLES, account_label, assignment_refused
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
           "account_label", "account_text", "allowed_words", "assign_account", "load_state", "mapping_rows",
           "names_used", "needs_wizard", "next_step", "picker_rows", "previous_step", "quoted", "sentence",
           "unmapped_required", "words"]

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


def words(code: str | None) -> str:
    """QuickBooks' CamelCase enum values in words, as its own screens write them: ``UndepositedFunds`` ->
    ``Undeposited Funds``."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", str(code or ""))


def account_text(account: Mapping[str, Any]) -> str:
    """An account as the wizard shows it: its name, then its type and subtype in words."""
    sub = account.get("AccountSubType")
    return f"{account.get('Name')} ({words(account.get('AccountType'))}{', ' + words(sub) if sub else ''})"


def allowed_words(role: str) -> str:
    """The account types ``role`` allows (:meth:`qbtui.ledger.roles.Role.allowed_text`), in words."""
    return words(ROLE_BY_NAME[role].allowed_text())


def sentence(text: str) -> str:
    """``text`` as a sentence: its first letter capital, the rest as written (str.capitalize would lower
    "QuickBooks")."""
    return text[:1].upper() + text[1:]


def quoted(name: Any) -> str:
    """A name as the wizard quotes it (never Python's repr)."""
    return f"\u201c{name}\u201d"


def mapping_rows(mapping: Mapping[str, str], accounts: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """(role, "Label [required]: account (type)") for every role."""
    by_id = {str(a.get("Id")): a for a in accounts}
    rows = []
    for r in ROLES:
        acc = by_id.get(str(mapping.get(r.name))) if r.name in mapping else None
        need = "required" if r.required else "optional"
        rows.append((r.name, f"{r.label} [{need}]: {account_text(acc) if acc else '(not mapped)'}"))
    return rows


def unmapped_required(mapping: Mapping[str, str]) -> list[str]:
    """The labels of the required roles ``mapping`` leaves out."""
    return [r.label for r in ROLES if r.required and r.name not in mapping]


def picker_rows(role: str, mapping: Mapping[str, str], accounts: Iterable[Mapping[str, Any]],
                query: str = "") -> list[tuple[str, str, bool]]:
    """The account picker of ``role``: (account Id, text, can be chosen) for each active account of a type the
    role allows (:meth:`qbtui.ledger.roles.Role.allows`; others are never offered), whose text holds every word
    of ``query`` (any case). One mapped to another role is listed, saying which, but cannot be chosen (the one
    mapping rule, :func:`qbtui.ledger.roles.assignment_refused`)."""
    r = ROLE_BY_NAME[role]
    terms = query.casefold().split()
    rows = []
    for a in accounts:
        if not a.get("Active", True) or not r.allows(a):
            continue
        text = account_text(a)
        if not all(t in text.casefold() for t in terms):
            continue
        free = assignment_refused(mapping, role, a) is None
        if not free:
            holder = next((ROLE_BY_NAME[n].label for n, acc in mapping.items()
                           if str(acc) == str(a.get("Id")) and n != role and n in ROLE_BY_NAME), "another role")
            text += f"  (mapped to {holder})"
        elif str(mapping.get(role)) == str(a.get("Id")):
            text += "  (current)"
        rows.append((str(a.get("Id")), text, free))
    return rows
