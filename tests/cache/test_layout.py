"""The store's layout 3: the index of (type, status, date), so that a view of one status sorted by date is read in
order from the index a page at a time; a store of the layout before gets it on a writer's first open (a reader of it
still reads); ``rows`` names the QBO Ids each document is linked to."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from qbtui.cache import Cache, db as sq

DB = sq.DB_NAME


def _invoice(ref: str, day: int) -> dict:
    return {"type": "sale_invoice", "ref": ref, "customer": "C-1", "invoice_date": f"2026-11-{day:02d}",
            "lines": [{"sku": "MUG-01", "quantity": 1, "unit_price": "12.50"}]}


def _fill(profile: Path) -> None:
    with Cache.open(profile, writer=True) as cache:
        cache.upsert_documents([_invoice(f"SO-{i}", 1 + (i * 7) % 28) for i in range(60)])
        cache.record_outcomes([{"type": "sale_invoice", "ref": f"SO-{i}", "status": "synced",
                                "qbo": [{"entity": "Invoice", "id": str(100 + i), "sync_token": "0"}]}
                               for i in range(0, 60, 2)])
        cache.record_outcomes([{"type": "sale_invoice", "ref": "SO-1", "status": "failed",
                                "error": {"code": "6000", "message": "x"}}])


def _as_layout_2(profile: Path) -> None:
    conn = sqlite3.connect(profile / DB)
    conn.execute("DROP INDEX documents_status_date")
    conn.execute("UPDATE meta SET value = 2 WHERE key = 'store_version'")
    conn.commit()
    conn.close()


def _plan(cache: Cache, sql: str, args: tuple) -> str:
    return " ".join(str(r[-1]) for r in cache._conn.execute("EXPLAIN QUERY PLAN " + sql, args))


def test_a_status_sorted_by_date_is_read_from_the_index(tmp_path: Path) -> None:
    profile = tmp_path / "p"
    _fill(profile)
    with Cache.open(profile, writer=False) as cache:
        assert cache._meta("store_version") == sq.STORE_VERSION == 3
        sql = ("SELECT d.ref FROM documents d WHERE d.type = ? AND d.status = ? ORDER BY d.date DESC, d.id DESC "
               "LIMIT 10")
        plan = _plan(cache, sql, ("sale_invoice", "pending"))
        assert "documents_status_date" in plan and "TEMP B-TREE" not in plan, plan
        rows = cache.rows("sale_invoice", "pending", order="date", limit=100)
        assert len(rows) == 29
        assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)
        back = cache.rows("sale_invoice", "pending", order="date", descending=True, limit=100)
        assert [r["ref"] for r in back] == [r["ref"] for r in rows][::-1]


def test_rows_name_the_qbo_ids(tmp_path: Path) -> None:
    profile = tmp_path / "p"
    _fill(profile)
    with Cache.open(profile, writer=False) as cache:
        rows = {r["ref"]: r for r in cache.rows("sale_invoice", limit=100)}
    assert rows["SO-2"]["qbo_ids"] == ["102"] and rows["SO-2"]["status"] == "synced"
    assert rows["SO-3"]["qbo_ids"] == [] and rows["SO-1"]["qbo_ids"] == []
    assert rows["SO-1"]["error"]["code"] == "6000"


def test_a_store_of_layout_2_gets_the_index_on_a_writers_open(tmp_path: Path) -> None:
    profile = tmp_path / "p"
    _fill(profile)
    _as_layout_2(profile)
    with Cache.open(profile, writer=False) as reader:  # a reader of the layout before reads, without the index
        before = reader.rows("sale_invoice", "pending", limit=100)
        assert "documents_status_date" not in _plan(reader, "SELECT ref FROM documents WHERE type = ? AND status = ? "
                                                    "ORDER BY date", ("sale_invoice", "pending"))
    with Cache.open(profile, writer=True) as cache:
        assert cache._meta("store_version") == 3
        assert cache.count("sale_invoice") == 60 and cache.rows("sale_invoice", "pending", limit=100) == before
    conn = sqlite3.connect(profile / DB)
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    conn.close()
    assert "documents_status_date" in names


def test_rows_of_a_date_prefix(tmp_path: Path) -> None:
    profile = tmp_path / "p"
    _fill(profile)
    with Cache.open(profile, writer=False) as cache:
        every = cache.rows("sale_invoice", limit=100)
        for prefix in ("2026", "2026-11", "2026-11-0", "2026-11-08", "2025", "2026-11-3"):
            want = [r["ref"] for r in every if r["date"].startswith(prefix)]
            assert [r["ref"] for r in cache.rows("sale_invoice", limit=100, date=prefix)] == want, prefix
            assert cache.count_rows("sale_invoice", date=prefix) == len(want)
            pending = [r["ref"] for r in every if r["date"].startswith(prefix) and r["status"] == "pending"]
            assert [r["ref"] for r in cache.rows("sale_invoice", "pending", limit=100, date=prefix)] == pending
            assert cache.count_rows("sale_invoice", "pending", date=prefix, filter="SO-") == len(pending)
        assert cache.count_rows("sale_invoice", date="2026-11-08") == 15 and not cache.rows("sale_invoice", date="2025")
        plan = _plan(cache, "SELECT ref FROM documents d WHERE d.type = ? AND d.status = ? AND d.date >= ? AND "
                     "d.date < ? ORDER BY d.date", ("sale_invoice", "pending", "2026-11", "2026-11\uffff"))
        assert "documents_status_date" in plan and "TEMP B-TREE" not in plan, plan
