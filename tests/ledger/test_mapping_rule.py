"""One mapping rule for `qbtui map` and the wizard: one account, one role. An account already mapped to
another role is refused by both, with the same message, and the mapping is left as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from qbtui.cache import Cache
from qbtui.tui.wizard.state import assign_account

ACCOUNTS = [
    {"Id": "1", "Name": "Checking", "AccountType": "Bank", "Active": True},
    {"Id": "2", "Name": "Savings", "AccountType": "Bank", "Active": True},
    {"Id": "3", "Name": "Sales", "AccountType": "Income", "Active": True},
    {"Id": "4", "Name": "Old Bank", "AccountType": "Bank", "Active": False},
]


def _profile(qbtui, mapping: dict[str, str]) -> Path:
    profile = qbtui.data_dir / "profiles" / "default"
    with Cache.open(profile, writer=True) as cache:
        cache.put_reference("accounts", ACCOUNTS)
        cache.set_setting("mapping", mapping)
    return profile


def _mapping(profile: Path) -> dict[str, str]:
    with Cache.open(profile, writer=False) as cache:
        return cache.get_setting("mapping")


@pytest.mark.parametrize(("role", "account_id", "why"), [
    ("payment_clearing", "1", "already mapped to Bank"),  # one account, one role: never moved
    ("sales_income", "1", "not an allowed type"),
    ("bank", "4", "inactive"),
])
def test_map_and_the_wizard_refuse_the_same_with_the_same_message(qbtui, role: str, account_id: str,
                                                                   why: str) -> None:
    before = {"bank": "1", "sales_income": "3"}
    profile = _profile(qbtui, before)
    unchanged, wizard_says = assign_account(before, ACCOUNTS, role, account_id)
    assert unchanged == before and wizard_says is not None and why in wizard_says

    result = qbtui("map", role, account_id)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"qbtui: {wizard_says}"
    assert _mapping(profile) == before


def test_map_and_the_wizard_accept_the_same(qbtui) -> None:
    profile = _profile(qbtui, {"bank": "1"})
    mapped, refused = assign_account({"bank": "1"}, ACCOUNTS, "payment_clearing", "2")
    assert refused is None and mapped == {"bank": "1", "payment_clearing": "2"}
    assert qbtui("map", "payment_clearing", "Savings").exit_code == 0
    assert _mapping(profile) == mapped
    # mapping a role again to the account it already has is no conflict
    assert qbtui("map", "bank", "1").exit_code == 0 and _mapping(profile) == mapped
