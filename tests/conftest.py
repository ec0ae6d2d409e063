"""Shared fixtures: a throwaway data dir and a CLI runner bound to it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from qbtui.cli import main

EXAMPLE = {"documents": [
    {"type": "customer", "ref": "C-100", "name": "Harbour Cafe"},
    {"type": "product", "ref": "MUG-01", "name": "Stoneware mug", "sale_price": "12.50", "purchase_cost": "4.10"},
    {"type": "sale_invoice", "ref": "SO-1001", "customer": "C-100", "invoice_date": "2026-11-02",
     "lines": [{"sku": "MUG-01", "quantity": 6, "unit_price": "12.50", "unit_cost": "4.10"}]},
    {"type": "cogs", "ref": "COGS-SO-1001", "invoice": "SO-1001", "date": "2026-11-02", "amount": "24.60"},
    {"type": "credit_note", "ref": "CN-77", "customer": "C-100", "invoice": "SO-1001", "date": "2026-11-05",
     "lines": [{"sku": "MUG-01", "quantity": 2, "unit_price": "12.50"}],
     "refunds": [{"ref": "RF-77-1", "date": "2026-11-06", "amount": "5.00"}]},
    {"type": "adjustment", "ref": "ADJ-2026-11-0001", "completed_date": "2026-11-03", "accounting_date": "2026-11-03",
     "reason": "found in back room", "lines": [{"sku": "MUG-01", "quantity_change": 3, "unit_cost": "4.10"}]},
]}


class Qbtui:
    """Runs ``qbtui --data-dir DIR ...`` in-process and returns the click Result."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.runner = CliRunner()

    def __call__(self, *args: str, profile: str = "default"):
        return self.runner.invoke(main, ["--data-dir", str(self.data_dir), "--profile", profile, *args],
                                  catch_exceptions=False)

    def json(self, *args: str, profile: str = "default"):
        result = self(*args, "--json", profile=profile)
        assert result.exit_code in (0, 1), result.output
        return json.loads(result.stdout)


@pytest.fixture
def qbtui(tmp_path: Path) -> Qbtui:
    return Qbtui(tmp_path / "data")


@pytest.fixture
def example_file(tmp_path: Path) -> Path:
    path = tmp_path / "example.json"
    path.write_text(json.dumps(EXAMPLE))
    return path
