"""Snapshots of the Discrepancies tab acting, at 80x24 and 120x40 on the sample profile (frozen clock, fixed gates,
no network): a row under the cursor with its keys in the footer (o push, t take QuickBooks', s re-send, d dismiss,
P pull), and the push confirm showing the difference. Update with:
pytest tests/tui/test_discrepancies_snapshots.py --snapshot-update"""

from __future__ import annotations

import pytest

from tests.tui.test_snapshots import SIZES, _keys


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_discrepancies_row_selected(snap_compare, make_app, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=_keys("6", "j"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_discrepancies_push_confirm(snap_compare, make_app, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=_keys("6", "o"))
