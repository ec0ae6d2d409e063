"""The read-only rule in one place: in "From QuickBooks only" mode everything that writes to QuickBooks
refuses before it sends anything, with one exception type (WritesRefused) and one message."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest

from qbtui.cache import Cache
from qbtui.maintenance.cogs import void_cogs
from qbtui.maintenance.duplicates import remove_duplicate
from qbtui.maintenance.history import export_history
from qbtui.maintenance.products import replace_products
from qbtui.qbo.errors import READ_ONLY_MESSAGE, WritesRefused
from qbtui.settings import Settings
from qbtui.sync.engine import check_writes_allowed as engine_check
from qbtui.sync.opening import import_stock_on_hand, post_opening_inventory
from qbtui.sync.preflight import apply_fix
from qbtui.sync.readonly import check_writes_allowed, is_read_only
from qbtui.sync.undo import undo_run


class NoClient:
    """Any use of the client fails the test: a refusal must come before anything is sent."""

    def __getattr__(self, name: str):
        raise AssertionError(f"the client was used ({name}) in read-only mode")


@pytest.fixture
def read_only_cache(tmp_path: Path):
    with Cache.open(tmp_path / "p", writer=True) as cache:
        cache.set_setting("integration_mode", "from_quickbooks")
        cache.add_run({"id": "run-1", "kind": "sync"})
        yield cache


WRITERS = {
    "cogs void": lambda c, q: void_cogs(c, q, "2026-11-01", "2026-11-30"),
    "duplicates --remove": lambda c, q: remove_duplicate(c, q, "2026-11-01", "2026-11-30", "JournalEntry:1"),
    "history export": lambda c, q: export_history(c, q, date(2026, 1, 1)),
    "products replace": lambda c, q: replace_products(c, q),
    "undo": lambda c, q: undo_run(c, q, "run-1"),
    "fix in QuickBooks": lambda c, q: apply_fix("inventory_tracking", q, c),
    "stock on hand": lambda c, q: import_stock_on_hand(c, q, location="Main", path=Path("/nonexistent/soh.json")),
    "opening inventory": lambda c, q: post_opening_inventory(c, q, qbo_balance=None),
}


@pytest.mark.parametrize("what", sorted(WRITERS))
def test_every_writer_refuses_with_the_one_exception_and_message(read_only_cache, what: str) -> None:
    with pytest.raises(WritesRefused) as refused:
        asyncio.run(WRITERS[what](read_only_cache, NoClient()))
    assert READ_ONLY_MESSAGE in str(refused.value)
    assert refused.value.hint and refused.value.title


def test_one_guard(read_only_cache) -> None:
    assert is_read_only(read_only_cache) and not Settings.from_stored(read_only_cache.settings()).sends
    for guard in (check_writes_allowed, engine_check):
        with pytest.raises(WritesRefused, match="From QuickBooks only"):
            guard(read_only_cache)
    read_only_cache.set_setting("integration_mode", "both_ways")
    assert not is_read_only(read_only_cache)
    check_writes_allowed(read_only_cache)  # no refusal
