"""The connect wizard's state and rules (docs/domain.md#connect-wizard), without any UI and without QuickBooks:
what the hidden ``qbtui wizard-step`` commands (qbtui/cli/wizard.py) and the wizard's screen
(qbtui/tui/wizard/) both need, in one place.

State: the setting ``wizard`` = ``{"step": name, ...answers}``, saved after each step, so that quitting and
reopening resumes at the same step; ``{"step": "done"}`` once confirmed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qbtui.cache import Cache
from qbtui.ledger.kinds import TRANSACTIONS
from qbtui.ledger.roles import assignment_refused

STATE_KEY = "wizard"
CONFIRM_PHRASE = "I would like to update all transactions"

STEPS: tuple[str, ...] = ("mode", "local_data", "connect", "preflight", "accounts", "tax_terms",
                          "opening_balances", "stock", "opening_journal", "confirm")
TRANSACTION_TYPES = TRANSACTIONS
#: the opening steps that can run again after setup (``qbtui opening STEP``, the settings screen's ``o``): the
#: question each asks first
OPENING_QUESTIONS = {
    "balances": "read QuickBooks' open invoices and bills and record them as opening balances (synced documents "
                "with QuickBooks' dates and Ids)?",
    "stock": "write stock on hand from QuickBooks' Inventory items to a file, then make those items inactive in "
             "QuickBooks and recreate them as NonInventory items?",
    "journal": "post the opening inventory journal (inventory asset against opening balance equity) to QuickBooks?",
}
#: the settings the tax codes and terms step maps our names in, by kind
NAME_MAPPINGS = {"tax": ("tax_codes", "tax_mapping"), "terms": ("terms", "terms_mapping")}


@dataclass(frozen=True)
class Check:
    """One preflight check (:mod:`qbtui.sync.preflight`), here so that the wizard's screen can show one
    (``from_json`` of what ``qbtui wizard-step show`` answers) without importing the preflight."""

    code: str
    ok: bool
    title: str
    explanation: str
    fix: str | None = None  # what apply_fix(code) does, when QBO allows a fix from here
    details: tuple[str, ...] = ()
    #: this finding keeps `qbtui sync` from making its first run (qbtui.sync.preflight.BLOCKS_SYNC)
    blocks_sync: bool = False
    #: the setting of ours that answers this finding (the wizard changes it in place), and the value that
    #: would answer it (None: no suggestion)
    setting: str | None = None
    suggested: str | None = None

    @property
    def status(self) -> str:
        return "OK" if self.ok else "PROBLEM"

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "ok": self.ok, "title": self.title, "explanation": self.explanation,
                "fix": self.fix, "details": list(self.details), "setting": self.setting,
                "suggested": self.suggested}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Check:
        return cls(str(data["code"]), bool(data["ok"]), str(data["title"]), str(data["explanation"]),
                   data.get("fix"), tuple(data.get("details") or ()), setting=data.get("setting"),
                   suggested=data.get("suggested"))


def _stored(source: Any) -> Any:
    """The stored wizard state of ``source``: a Cache (or a StateReader) or a settings mapping."""
    return source.get(STATE_KEY) if isinstance(source, Mapping) else source.get_setting(STATE_KEY)


def load_state(source: Any) -> dict[str, Any]:
    """The wizard state stored in ``source`` (a Cache, a StateReader or the settings), the first step if none."""
    state = _stored(source) or {}
    if not isinstance(state, dict) or state.get("step") not in (*STEPS, "done"):
        state = {"step": STEPS[0]}
    return dict(state)


def save_state(cache: Any, state: Mapping[str, Any]) -> None:
    cache.set_setting(STATE_KEY, dict(state))


def needs_wizard(source: Any) -> bool:
    """True for a profile that has not finished the wizard (a new profile)."""
    return (_stored(source) or {}).get("step") != "done"


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
    "everything" (every document and link). Settings, runs and QBO reference data stay. One transaction of
    the store (all or nothing); returns the cache (the same one: kept for callers that reopened it)."""
    if what not in ("transactions", "everything"):
        raise ValueError(f"clear what? {what!r}")
    cache.delete_documents(TRANSACTION_TYPES if what == "transactions" else None)
    return cache
