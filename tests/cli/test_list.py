"""``qbtui list``: the dashboard's columns for a type, its filter, and CSV a spreadsheet opens safely."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

from qbtui.ledger.listing import columns_of, inert, parse_filter
from qbtui.tui.sample import build_sample_profile
from tests.support.documents import customer, invoice, line, product
from tests.support.profiles import Qbtui

FORMULAS = ["=HYPERLINK(\"http://example.test\",\"x\")", "+1 555 0100", "-2+3", "@SUM(A1:A2)"]


@pytest.fixture
def q(tmp_path: Path) -> Qbtui:
    data = tmp_path / "data"
    build_sample_profile(data / "profiles" / "default")
    q = Qbtui(data)
    docs = [product("FX-1", name="Formula mug", sale_price="1234.50"),
            *(customer(f"F-{i}", name=name) for i, name in enumerate(FORMULAS)),
            *(invoice(f"FX-{i}", customer=f"F-{i}", invoice_date=f"2026-11-{10 + i:02d}",
                      lines=[line("FX-1", quantity=1, unit_price=str(Decimal("100.05") * (i + 1)))])
              for i in range(len(FORMULAS)))]
    path = tmp_path / "formulas.json"
    path.write_text(json.dumps({"documents": docs}))
    assert q("import", str(path)).exit_code == 0
    return q


def test_csv_makes_formula_cells_inert_and_round_trips_amounts_and_dates(q):
    result = q("list", "--type", "sale_invoice", "--filter", "FX-", "--csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["Reference"] for r in rows] == [f"FX-{i}" for i in range(4)]
    # every text cell a spreadsheet would run starts with a quote; the name is otherwise whole
    assert [r["Counterparty"] for r in rows] == ["'" + name for name in FORMULAS]
    # amounts and ISO dates stay plain values, and read back exactly
    assert [Decimal(r["Total"]) for r in rows] == [Decimal("100.05") * (i + 1) for i in range(4)]
    assert [r["Date"] for r in rows] == [f"2026-11-{10 + i:02d}" for i in range(4)]
    assert list(rows[0]) == [c.title for c in columns_of("sale_invoice")]


def test_inert_leaves_numbers_and_dates():
    assert inert("-12.50") == "-12.50" and inert("2026-11-01") == "2026-11-01" and inert("12") == "12"
    assert inert("-2+3") == "'-2+3" and inert("=1+1") == "'=1+1" and inert("@x") == "'@x" and inert("+x") == "'+x"
    assert inert("\t=1") == "'\t=1" and inert("plain") == "plain" and inert("") == ""


def test_list_filters_by_amount_date_range_phrase_and_status(q):
    def refs(query: str) -> list[str]:
        result = q("list", "--type", "sale_invoice", "--filter", query, "--csv")
        assert result.exit_code == 0, result.output
        return [r["Reference"] for r in csv.DictReader(io.StringIO(result.stdout))]

    assert refs("FX- amount:>250") == ["FX-2", "FX-3"]
    assert refs("amount:200..300.15 FX-") == ["FX-1", "FX-2"]
    assert refs("date:2026-11-11..2026-11-12 FX-") == ["FX-1", "FX-2"]
    assert refs('"harbour cafe" date:2026-11-01..2026-11-06') == ["SO-1001", "SO-1021"]
    assert refs("status:synced") == ["SO-1001", "SO-1005", "SO-1002", "SO-1003", "SO-1004"]
    bad = q("list", "--type", "sale_invoice", "--filter", "amount:lots")
    assert bad.exit_code == 2 and "not a number" in bad.output


def test_list_table_has_the_kinds_columns_and_a_total_per_currency(q):
    result = q("list", "--type", "product", "--filter", "FX-1")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["SKU", "Name", "Kind", "Price", "Cost", "Status", "QBO", "item"]
    assert "Formula mug" in lines[1] and "1234.50" in lines[1]
    assert lines[-1] == "1 document, 1,234.50"
    payments = q("list", "--type", "sale_payment").stdout.splitlines()
    assert payments[0].split()[:5] == ["Reference", "Date", "Invoice", "paid", "Amount"]
    assert payments[-1] == "6 documents, 150.00"


def test_filter_terms():
    f = parse_filter('status:failed,blocked amount:>=10 date:2026-11 "two words" mug')
    assert f.statuses == ("failed", "blocked") and f.amount == (">=10",)
    assert f.dates == ("2026-11",) and f.text == ("two words", "mug")
