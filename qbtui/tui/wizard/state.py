"""The connect wizard's state and rules, without any UI (so that they can be tested alone).

State: the setting ``wizard`` = ``{"step": name, ...answers}``, saved after each step, so that
quitting and reopening resumes at the same step; ``{"step": "done"}`` once confirmed."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from qbtui.cache import Cache
from qbtui.ledger.kinds import TRANSACTIONS
from qbtui.ledger.roles import ROLES, account_label, assignment_refused

STATE_KEY = "wizard"
CONFIRM_PHRASE = "I would like to update all transactions"

STEPS: tuple[str, ...] = ("mode", "local_data", "connect", "preflight", "accounts", "tax_terms",
                          "opening_balances", "stock", "opening_journal", "confirm")
TITLES: dict[str, str] = {
    "mode": "Integration mode", "local_data": "Local data", "connect": "Connect to QuickBooks",
    "preflight": "Preflight", "accounts": "Account mapping", "tax_terms": "Tax codes and payment terms",
    "opening_balances": "Opening balances", "stock": "Stock on hand", "opening_journal": "Opening inventory journal",
    "confirm": "Confirm",
}
MODES = {"from_quickbooks": "From QuickBooks only", "both_ways": "Both ways"}
TRANSACTION_TYPES = TRANSACTIONS


def load_state(cache: Any) -> dict[str, Any]:
    state = cache.get_setting(STATE_KEY) or {}
    if not isinstance(state, dict) or state.get("step") not in (*STEPS, "done"):
        state = {"step": STEPS[0]}
    return dict(state)


def save_state(cache: Any, state: Mapping[str, Any]) -> None:
    cache.set_setting(STATE_KEY, dict(state))


def needs_wizard(cache: Any) -> bool:
    """True for a profile that has not finished the wizard (a new profile)."""
    return (cache.get_setting(STATE_KEY) or {}).get("step") != "done"


def next_step(step: str) -> str:
    i = STEPS.index(step)
    return STEPS[min(i + 1, len(STEPS) - 1)]


def previous_step(step: str) -> str | None:
    i = STEPS.index(step)
    return STEPS[i - 1] if i > 0 else None


# --- account mapping -------------------------------------------------------------------------

def assign_account(mapping: Mapping[str, str], accounts: Iterable[Mapping[str, Any]], role: str,
                   account_id: str) -> tuple[dict[str, str], str | None]:
    """Map ``role`` to ``account_id`` by the one mapping rule (:func:`qbtui.ledger.roles.assignment_refused`).
    Returns (the new mapping, None) or (the mapping unchanged, why it was refused)."""
    account = next((a for a in accounts if str(a.get("Id")) == str(account_id)), None)
    if account is None:
        return dict(mapping), f"no QuickBooks account with Id {account_id}: reload the accounts (r)"
    refused = assignment_refused(mapping, role, account)
    if refused is not None:
        return dict(mapping), refused
    new = dict(mapping)
    new[role] = str(account_id)
    return new, None


def mapping_rows(mapping: Mapping[str, str], accounts: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """(role, "Label  ->  account (type)") for every role."""
    by_id = {str(a.get("Id")): a for a in accounts}
    rows = []
    for r in ROLES:
        acc = by_id.get(str(mapping.get(r.name))) if r.name in mapping else None
        need = "required" if r.required else "optional"
        rows.append((r.name, f"{r.label} [{need}]: {account_label(acc) if acc else '(not mapped)'}"))
    return rows


# --- tax codes and terms ---------------------------------------------------------------------

def names_used(documents: Iterable[Mapping[str, Any]]) -> tuple[list[str], list[str]]:
    """(tax code names, payment term names) our documents use, in first-seen order."""
    taxes: dict[str, None] = {}
    terms: dict[str, None] = {}
    for d in documents:
        if d.get("terms"):
            terms[str(d["terms"])] = None
        for line in d.get("lines") or ():
            if isinstance(line, Mapping) and line.get("tax_code"):
                taxes[str(line["tax_code"])] = None
    return list(taxes), list(terms)


# --- keep or delete local data ---------------------------------------------------------------

def clear_local_data(profile_path: Path, cache: Cache, what: str, *, command: str = "qbtui wizard") -> Cache:
    """``what`` = "transactions" (documents and links of transactions; contacts and products stay) or
    "everything" (every document and link). Settings, runs and QBO reference data stay. The cache is
    closed and reopened (returned) because the document and link files are replaced whole."""
    if what not in ("transactions", "everything"):
        raise ValueError(f"clear what? {what!r}")
    keep_docs: list[dict[str, Any]] = []
    keep_links: list[dict[str, Any]] = []
    if what == "transactions":
        for rec in cache.documents():
            data = rec["data"]
            if data.get("type") not in TRANSACTION_TYPES:
                keep_docs.append(data)
        kept = {(d["type"], d["ref"]) for d in keep_docs}
        for link in cache.links():
            if (link["type"], link["ref"]) in kept and link.get("status"):
                keep_links.append({k: link[k] for k in ("type", "ref", "status", "qbo", "synced_rev", "error", "run")
                                   if k in link})
    cache.close()
    for name in ("documents.json", "links.json", "outcomes.jsonl"):
        try:
            os.remove(profile_path / name)
        except FileNotFoundError:
            pass
    cache = Cache.open(profile_path, writer=True, command=command)
    if keep_docs:
        cache.upsert_documents(keep_docs)
    if keep_links:
        cache.record_outcomes(keep_links)
    return cache
