"""The companies screen (firm mode) at 80x24 and 120x40: three sample profiles, frozen clock, no network.
Update with: pytest tests/tui/test_companies_snapshots.py --snapshot-update"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from qbtui.tui.app import QbtuiApp
from qbtui.tui.sample import build_sample_profile

from .conftest import FROZEN_NOW
from .test_snapshots import SIZES, _keys


@pytest.fixture
def firm_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import qbtui.cache.store as store

    monkeypatch.setattr(store, "now_iso", lambda moment=None: FROZEN_NOW)
    for name in ("harbour", "lakeside", "summit"):
        build_sample_profile(tmp_path / "data" / "profiles" / name)
    return tmp_path / "data"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_companies(snap_compare, firm_dir, size):
    app = QbtuiApp(None, data_dir=firm_dir, firm=True, clock=lambda: datetime.fromisoformat(FROZEN_NOW))
    assert snap_compare(app, terminal_size=size, run_before=_keys("j"))
