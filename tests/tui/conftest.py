"""Fixtures for the dashboard's tests: a seeded sample profile, an app bound to it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from qbtui.tui.app import QbtuiApp
from qbtui.tui.sample import build_sample_profile

FAKE_SYNC = [sys.executable, str(Path(__file__).with_name("fake_sync.py"))]

#: Fixed gate results, so that screens do not change when the gates' wording evolves.
FIXED_GATES = {
    ("sale_invoice", "SO-1008"): ("blocked", [{"code": "invoice.missing_date",
                                               "message": "This sales invoice has no invoice date.",
                                               "hint": "Set the invoice date and import it again"}]),
    ("supplier_invoice", "BILL-3002"): ("blocked", [
        {"code": "date.in_closed_period", "message": "This supplier invoice's invoice date 2026-09-20 is in a "
         "closed period: QBO's books are closed up to 2026-09-30.", "hint": "Date it after the close date"},
        {"code": "supplier_invoice.missing_number", "message": "This supplier invoice has no supplier invoice "
         "number.", "hint": "Enter the supplier's invoice number"}]),
    ("adjustment", "ADJ-2026-11-0002"): ("blocked", [{"code": "adjustment.missing_accounting_date",
                                                      "message": "This stock adjustment has no accounting date.",
                                                      "hint": "Set the accounting date"}]),
    ("quote", "QT-501"): ("skipped", [{"code": "quote.export_off", "message": "Exporting sales quotes is off.",
                                       "hint": "qbtui settings set export_quotes true"}]),
}


def fixed_gates(cache) -> dict:
    return dict(FIXED_GATES)


FROZEN_NOW = "2026-11-27T09:00:00+00:00"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample profile, written under a frozen clock (imported / history timestamps)."""
    import qbtui.cache.store as store

    monkeypatch.setattr(store, "now_iso", lambda moment=None: FROZEN_NOW)
    build_sample_profile(tmp_path / "data" / "profiles" / "demo")
    return tmp_path / "data"


@pytest.fixture
def make_app(data_dir: Path):
    def make(**kw) -> QbtuiApp:
        kw.setdefault("gate_source", fixed_gates)
        kw.setdefault("qbtui_command", FAKE_SYNC)
        return QbtuiApp(data_dir / "profiles" / "demo", profile="demo", data_dir=data_dir, **kw)
    return make
