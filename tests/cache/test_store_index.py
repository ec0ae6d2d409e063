"""What the store's indexes serve: documents by status, the counts kept in the same transaction as the
records, a sorted and filtered page of one type, and the date and counterparty named as ledger/kinds.py
names them."""

from __future__ import annotations

from pathlib import Path

import pytest

from qbtui.cache import STATUSES, Cache, profile_dir
from qbtui.cache.index import DATES, PARTY
from qbtui.ledger.kinds import KINDS


def test_index_fields_are_the_kinds_own() -> None:
    assert DATES == {k.name: k.dates for k in KINDS}
    assert PARTY == {k.name: k.party for k in KINDS}


@pytest.fixture
def cache(tmp_path: Path):
    with Cache.open(profile_dir(tmp_path, "default"), writer=True) as c:
        c.upsert_documents(
            [{"type": "sale_invoice", "ref": f"SO-{i:03d}", "invoice_date": f"2026-11-{1 + i % 28:02d}",
              "customer": f"C-{i % 3}"} for i in range(60)]
            + [{"type": "customer", "ref": f"C-{i}", "name": f"Customer {i}"} for i in range(3)])
        c.record_outcomes([{"type": "sale_invoice", "ref": f"SO-{i:03d}", "status": "synced"} for i in range(40)])
        c.record_outcomes([{"type": "sale_invoice", "ref": f"SO-{i:03d}", "status": "failed",
                            "error": {"code": "6000", "message": "refused"}} for i in range(40, 45)])
        yield c


def test_by_status(cache: Cache) -> None:
    assert cache.keys_by_status(["failed"]) == [("sale_invoice", f"SO-{i:03d}") for i in range(40, 45)]
    pending = list(cache.documents_with_status(["pending"]))
    assert [(d["type"], d["ref"]) for d in pending] == (
        [("sale_invoice", f"SO-{i:03d}") for i in range(45, 60)] + [("customer", f"C-{i}") for i in range(3)])
    assert all(d["status"] == "pending" and d["changed"] is False and d["data"]["ref"] == d["ref"] for d in pending)
    cache.upsert_documents([{"type": "sale_invoice", "ref": "SO-000", "invoice_date": "2026-11-01",
                             "customer": "C-0", "memo": "changed"}])
    changed = list(cache.documents_with_status(["pending"], type="sale_invoice"))
    assert changed[0]["ref"] == "SO-000" and changed[0]["changed"] is True
    assert [link["ref"] for link in cache.links(["failed"])] == [f"SO-{i:03d}" for i in range(40, 45)]


def test_counts_follow_every_write(cache: Cache) -> None:
    def brute() -> dict:
        out: dict = {}
        for d in cache.documents():
            row = out.setdefault(d["type"], dict.fromkeys(STATUSES, 0))
            row[cache.status_of(d["type"], d["ref"])] += 1
        return out

    assert cache.status_counts() == brute()
    cache.update_document("sale_invoice", "SO-001", {"invoice_date": "2026-11-02", "customer": "C-1", "memo": "x"})
    cache.upsert_documents([{"type": "sale_invoice", "ref": "SO-050", "voided": True}])
    cache.record_outcomes([{"type": "sale_invoice", "ref": "SO-041", "status": "voided"}])
    assert cache.status_counts() == brute()
    assert cache.status_counts()["sale_invoice"]["skipped"] == 1
    cache.delete_documents(["customer"])
    assert "customer" not in cache.status_counts() and cache.types() == ["sale_invoice"]
    assert cache.status_counts() == brute()


def test_rows_pages_sorts_and_filters(cache: Cache) -> None:
    rows = cache.rows("sale_invoice", order="date", limit=5)
    assert [r["date"] for r in rows] == ["2026-11-01", "2026-11-01", "2026-11-01", "2026-11-02", "2026-11-02"]
    assert [r["ref"] for r in rows[:3]] == ["SO-000", "SO-028", "SO-056"]
    page2 = cache.rows("sale_invoice", order="date", offset=5, limit=5)
    assert not {r["ref"] for r in rows} & {r["ref"] for r in page2}
    failed = cache.rows("sale_invoice", "failed", order="ref", descending=True)
    assert [r["ref"] for r in failed] == [f"SO-{i:03d}" for i in range(44, 39, -1)]
    assert failed[0]["error"]["code"] == "6000" and failed[0]["party"] == "C-2"
    assert cache.count_rows("sale_invoice", "failed") == 5 and cache.count_rows("sale_invoice") == 60
    mine = cache.rows("sale_invoice", filter="C-1", limit=1000, data=True)
    assert len(mine) == 20 == cache.count_rows("sale_invoice", filter="C-1")
    assert all(r["data"]["customer"] == "C-1" for r in mine)
    assert cache.rows("sale_invoice", filter="100%_") == []
    with pytest.raises(ValueError, match="order must be one of"):
        cache.rows("sale_invoice", order="data")


@pytest.mark.parametrize("order", ["date", "ref", "party", "status", "inserted"])
@pytest.mark.parametrize("descending", [False, True])
def test_pages_at_any_offset_are_the_whole_view_in_order(cache: Cache, order: str, descending: bool) -> None:
    """A page read at an offset (its ids from the index first) is that slice of the whole view, in the view's
    order, ties by insertion, with every field of its rows."""
    whole = cache.rows("sale_invoice", order=order, descending=descending, limit=1000, data=True)
    key = {"inserted": lambda r: int(r["ref"][3:])}.get(order, lambda r: (r[order], int(r["ref"][3:])))
    assert [r["ref"] for r in whole] == [r["ref"] for r in sorted(whole, key=key, reverse=descending)]
    paged = [r for offset in range(0, 60, 7)
             for r in cache.rows("sale_invoice", order=order, descending=descending, offset=offset, limit=7,
                                 data=True)]
    assert paged == whole and len(whole) == 60
    assert cache.rows("sale_invoice", "failed", order=order, offset=2, limit=2) == cache.rows(
        "sale_invoice", "failed", order=order, limit=10)[2:4]


def test_documents_and_links_in_one_pass(cache: Cache) -> None:
    seen = {(rec["type"], rec["ref"]): (info, link) for rec, info, link in cache.documents_and_links()}
    assert len(seen) == 63
    info, link = seen[("sale_invoice", "SO-041")]
    assert info == {"status": "failed", "changed": False} and link["error"]["code"] == "6000"
    assert seen[("customer", "C-0")] == ({"status": "pending", "changed": False}, None)


def test_a_repeated_document_counts_once_and_the_last_wins(cache: Cache) -> None:
    summary = cache.upsert_documents([{"type": "customer", "ref": "C-0", "name": "A"},
                                      {"type": "customer", "ref": "C-9", "name": "B"},
                                      {"type": "customer", "ref": "C-0", "name": "Customer 0"}])
    assert (summary.created, summary.updated, summary.unchanged) == (1, 0, 1)
    assert cache.get("customer", "C-0")["rev"] == 1
