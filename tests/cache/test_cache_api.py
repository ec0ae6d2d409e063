"""Round trips and semantics of the qbtui.cache public API."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from tinydb import TinyDB

from qbtui.cache import (
    STATUSES,
    Cache,
    CacheError,
    UpsertSummary,
    default_data_dir,
    profile_dir,
)


@pytest.fixture
def prof(tmp_path: Path) -> Path:
    return profile_dir(tmp_path, "default")


def inv(ref: str, **extra) -> dict:
    return {"type": "invoice", "ref": ref, "customer": "C-1",
            "lines": [{"sku": "MUG", "qty": 2, "price": "12.50"}], **extra}


def synced(type_: str, ref: str, rev: int, qbo_id: str = "1") -> dict:
    return {"type": type_, "ref": ref, "status": "synced", "synced_rev": rev,
            "qbo": [{"entity": "Invoice", "id": qbo_id, "sync_token": "0"}], "run": "r1"}


# ---------------------------------------------------------------- paths
def test_profile_dir_and_validation(tmp_path: Path) -> None:
    assert profile_dir(tmp_path, "my-shop_2") == tmp_path / "profiles" / "my-shop_2"
    for bad in ["", "a b", "../x", "x/y", "é", "a" * 65]:
        with pytest.raises(ValueError, match="invalid profile name"):
            profile_dir(tmp_path, bad)
    assert profile_dir(tmp_path, "a" * 64).name == "a" * 64


def test_default_data_dir_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("QBTUI_DATA_DIR", str(tmp_path / "d"))
    assert default_data_dir() == tmp_path / "d"
    monkeypatch.delenv("QBTUI_DATA_DIR")
    assert default_data_dir().name == "qbtui"


# ---------------------------------------------------------------- documents
def test_upsert_get_documents_count(prof: Path) -> None:
    with Cache.open(prof, writer=True) as c:
        s = c.upsert_documents([inv("I-1"), inv("I-2"), {"type": "customer", "ref": "C-1"}])
        assert s == UpsertSummary(created=3)
        rec = c.get("invoice", "I-1")
        assert rec is not None
        assert rec["ref"] == "I-1" and rec["rev"] == 1 and rec["data"] == inv("I-1")
        assert rec["imported"]
        assert c.get("invoice", "nope") is None
        assert c.count() == 3 and c.count("invoice") == 2 and c.count("bill") == 0
        assert [d["ref"] for d in c.documents("invoice")] == ["I-1", "I-2"]
        assert sorted(d["ref"] for d in c.documents()) == ["C-1", "I-1", "I-2"]
        # returned records are copies
        rec["data"]["customer"] = "X"
        assert c.get("invoice", "I-1")["data"]["customer"] == "C-1"
    with Cache.open(prof, writer=False) as r:
        assert r.get("invoice", "I-1")["data"] == inv("I-1")
        assert r.count() == 3


def test_reupsert_semantics(prof: Path) -> None:
    with Cache.open(prof, writer=True) as c:
        c.upsert_documents([inv("I-1"), inv("I-2"), inv("I-3")])
        c.record_outcomes([synced("invoice", "I-1", 1), synced("invoice", "I-2", 1)])
        # same data with other key order: unchanged, rev kept
        reordered = dict(reversed(list(inv("I-1").items())))
        s = c.upsert_documents([reordered, inv("I-2", memo="new"), inv("I-3", memo="x"),
                                inv("I-4")])
        assert (s.created, s.updated, s.unchanged) == (1, 2, 1)
        assert s.changed_after_sync == [("invoice", "I-2")]
        assert c.get("invoice", "I-1")["rev"] == 1
        assert c.get("invoice", "I-2")["rev"] == 2
        assert c.get("invoice", "I-3")["rev"] == 2
        assert c.status_info("invoice", "I-1") == {"status": "synced", "changed": False}
        assert c.status_info("invoice", "I-2") == {"status": "pending", "changed": True}
        assert c.status_info("invoice", "I-3") == {"status": "pending", "changed": False}
        # re-syncing the new rev makes it synced again
        c.record_outcomes([synced("invoice", "I-2", 2)])
        assert c.status_of("invoice", "I-2") == "synced"
        # duplicates in one call: last wins
        s = c.upsert_documents([inv("I-9", memo="a"), inv("I-9", memo="b")])
        assert s.created == 1 and c.get("invoice", "I-9")["data"]["memo"] == "b"


def test_upsert_rejects_bad_input_without_changes(prof: Path) -> None:
    with Cache.open(prof, writer=True) as c:
        c.upsert_documents([inv("I-1")])
        with pytest.raises(ValueError, match="type"):
            c.upsert_documents([inv("I-2"), {"ref": "x"}])
        with pytest.raises(ValueError, match="cannot be stored"):
            c.upsert_documents([inv("I-3"), inv("I-4", blob=object())])
        assert c.count() == 1
    with Cache.open(prof, writer=False) as r:
        assert r.count() == 1


def test_update_document(prof: Path) -> None:
    with Cache.open(prof, writer=True) as c:
        c.upsert_documents([inv("I-1")])
        c.update_document("invoice", "I-1", {**inv("I-1"), "customer": "C-2"})
        assert c.get("invoice", "I-1")["rev"] == 2
        c.update_document("invoice", "I-1", {**inv("I-1"), "customer": "C-2"})  # no change
        assert c.get("invoice", "I-1")["rev"] == 2
        with pytest.raises(KeyError):
            c.update_document("invoice", "nope", {})
        with pytest.raises(ValueError):
            c.update_document("invoice", "I-1", {"ref": "other"})
    with Cache.open(prof, writer=False) as r:
        assert r.get("invoice", "I-1")["data"]["customer"] == "C-2"


# ---------------------------------------------------------------- links and statuses
def test_links_outcomes_history(prof: Path) -> None:
    err = {"code": "6240", "message": "Duplicate Name", "detail": "exists", "hint": "rename"}
    with Cache.open(prof, writer=True) as c:
        c.upsert_documents([inv("I-1")])
        assert c.link("invoice", "I-1") is None
        c.record_outcomes([{"type": "invoice", "ref": "I-1", "status": "sending", "run": "r1"}])
        assert c.status_of("invoice", "I-1") == "pending"
        c.record_outcomes([{"type": "invoice", "ref": "I-1", "status": "failed", "error": err}])
        assert c.status_of("invoice", "I-1") == "failed"
        assert c.link("invoice", "I-1")["error"] == err
        c.record_outcomes([synced("invoice", "I-1", 1, qbo_id="77")])
        link = c.link("invoice", "I-1")
    for lk in (link, Cache.open(prof, writer=False).link("invoice", "I-1")):
        assert lk["status"] == "synced" and lk["error"] is None
        assert lk["qbo"] == [{"entity": "Invoice", "id": "77", "sync_token": "0"}]
        assert lk["synced_rev"] == 1 and lk["run"] == "r1"
        assert [h["status"] for h in lk["history"]] == ["sending", "failed", "synced"]
        assert lk["history"][1]["error"] == "6240"
    with Cache.open(prof, writer=False) as r:
        assert [(x["type"], x["ref"]) for x in r.links()] == [("invoice", "I-1")]


def test_record_outcomes_validation(prof: Path) -> None:
    with Cache.open(prof, writer=True) as c:
        for bad in [{"type": "invoice"}, {"type": "invoice", "ref": "1", "status": "done"},
                    {"type": "invoice", "ref": "1", "qbo": [{"id": "1"}]},
                    {"type": "invoice", "ref": "1", "bogus": 1},
                    {"type": "invoice", "ref": "1", "synced_rev": "2"}]:
            with pytest.raises(ValueError):
                c.record_outcomes([{"type": "invoice", "ref": "ok", "status": "synced"}, bad])
        assert list(c.links()) == []


def test_statuses_and_counts(prof: Path) -> None:
    with Cache.open(prof, writer=True) as c:
        c.upsert_documents([inv(f"I-{i}") for i in range(6)]
                           + [inv("V-1", voided=True), {"type": "customer", "ref": "C-1"}])
        c.record_outcomes([
            synced("invoice", "I-1", 1),
            {"type": "invoice", "ref": "I-2", "status": "failed",
             "error": {"code": "x", "message": "m"}},
            {**synced("invoice", "I-3", 1), "status": "voided"},
            {"type": "invoice", "ref": "I-4", "status": "sending"},
            synced("invoice", "I-5", 1),
        ])
        c.upsert_documents([inv("I-5", memo="changed")])
        expected = {
            "I-0": "pending", "I-1": "synced", "I-2": "failed", "I-3": "voided",
            "I-4": "pending", "I-5": "pending", "V-1": "skipped",
        }
        for ref, st in expected.items():
            assert c.status_of("invoice", ref) == st, ref
        with pytest.raises(KeyError):
            c.status_of("invoice", "nope")
        counts = c.status_counts()
    want = {"invoice": {"pending": 3, "blocked": 0, "failed": 1, "conflict": 0, "skipped": 1, "synced": 1,
                        "summarized": 0, "voided": 1},
            "customer": dict.fromkeys(STATUSES, 0) | {"pending": 1}}
    assert counts == want
    with Cache.open(prof, writer=False) as r:
        assert r.status_counts() == want


# ---------------------------------------------------------------- settings, runs, reference
def test_settings_runs_reference(prof: Path) -> None:
    with Cache.open(prof, writer=True) as c:
        assert c.get_setting("x", 5) == 5
        c.set_setting("x", {"a": [1, 2]})
        c.set_setting("y", "z")
        c.set_setting("x", 3)
        assert c.get_setting("x") == 3 and c.settings() == {"x": 3, "y": "z"}
        r1 = c.add_run({"kind": "import"})
        r2 = c.add_run({"id": "run-2", "kind": "sync", "counts": {"synced": 0}})
        assert r2 == "run-2" and r1 != r2
        c.update_run("run-2", ended="2026-11-27T12:00:00+00:00", counts={"synced": 4},
                     created=[{"entity": "Invoice", "id": "9"}])
        with pytest.raises(KeyError):
            c.update_run("nope", ended="x")
        with pytest.raises(ValueError):
            c.add_run({"id": "run-2"})
        c.put_reference("accounts", [{"Id": "1", "Name": "Sales"}])
        c.put_reference("company_info", {"CompanyName": "Acme"})
        c.put_reference("accounts", [{"Id": "2", "Name": "COGS"}])
        assert c.reference("accounts") == [{"Id": "2", "Name": "COGS"}]
        assert c.reference("terms") is None and c.reference("terms", []) == []
    with Cache.open(prof, writer=False) as r:
        assert r.settings() == {"x": 3, "y": "z"}
        runs = r.runs()
        assert [x["id"] for x in runs] == ["run-2", r1]
        assert runs[0]["counts"] == {"synced": 4} and runs[0]["kind"] == "sync"
        assert runs[0]["created"] == [{"entity": "Invoice", "id": "9"}]
        assert runs[1]["kind"] == "import" and runs[1]["started"]
        assert r.reference("company_info") == {"CompanyName": "Acme"}
        assert r.schema_version == 2


def test_reader_is_read_only_and_creates_nothing(tmp_path: Path) -> None:
    prof = profile_dir(tmp_path, "new")
    r = Cache.open(prof, writer=False)
    assert r.count() == 0 and r.status_counts() == {} and r.runs() == []
    assert not prof.exists()
    calls = [lambda: r.upsert_documents([inv("1")]), lambda: r.update_document("a", "b", {}),
             lambda: r.record_outcomes([]), lambda: r.compact(), lambda: r.set_setting("a", 1),
             lambda: r.add_run({}), lambda: r.update_run("x"),
             lambda: r.put_reference("terms", [])]
    for call in calls:
        with pytest.raises(CacheError, match="opened read-only"):
            call()
    r.close()
    with pytest.raises(CacheError, match="closed"):
        r.count()


def test_reader_reload_sees_new_data(prof: Path) -> None:
    w = Cache.open(prof, writer=True)
    w.upsert_documents([inv("I-1")])
    r = Cache.open(prof, writer=False)
    w.upsert_documents([inv("I-2")])
    w.record_outcomes([synced("invoice", "I-1", 1)])
    assert r.count() == 1 and r.status_of("invoice", "I-1") == "pending"  # the state at open
    r.reload()
    assert r.count() == 2 and r.status_of("invoice", "I-1") == "synced"  # from the write-ahead log
    w.close()
    r.reload()
    assert r.status_of("invoice", "I-1") == "synced"  # from the checkpointed database
    r.close()
    assert not (prof / "documents.sqlite-wal").exists() or (prof / "documents.sqlite-wal").stat().st_size == 0


def test_checkpoint_on_close_and_compact(prof: Path) -> None:
    """The write-ahead log holds what was committed since the last checkpoint; compact() and close() copy it
    into the database and empty it."""
    with Cache.open(prof, writer=True) as c:
        c.upsert_documents([inv(f"I-{i}") for i in range(100)])
        for i in range(100):
            c.record_outcomes([synced("invoice", f"I-{i}", 1)])
        assert (prof / "documents.sqlite-wal").stat().st_size > 0
        c.compact()
        assert (prof / "documents.sqlite-wal").stat().st_size == 0
        c.record_outcomes([{"type": "invoice", "ref": "I-0", "status": "failed"}])
        with Cache.open(prof, writer=False) as r:
            assert r.status_counts()["invoice"]["synced"] == 99 and r.status_of("invoice", "I-0") == "failed"
    wal = prof / "documents.sqlite-wal"
    assert not wal.exists() or wal.stat().st_size == 0


def test_the_store_is_sqlite_with_canonical_json(prof: Path) -> None:
    """Documents and links are rows of documents.sqlite (data as canonical JSON, as storage.blob makes it);
    settings, runs and reference data stay in state.json (TinyDB)."""
    import sqlite3

    from qbtui.cache.storage import blob

    with Cache.open(prof, writer=True) as c:
        c.upsert_documents([inv("I-1"), {"type": "customer", "ref": "C-1"}])
        c.record_outcomes([synced("invoice", "I-1", 1)])
        c.set_setting("k", "v")
    db = sqlite3.connect(prof / "documents.sqlite")
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert db.execute("SELECT data, status FROM documents WHERE type = 'invoice'").fetchone() == (
        blob(inv("I-1")), "synced")
    assert json.loads(db.execute("SELECT data FROM links").fetchone()[0])["ref"] == "I-1"
    assert sorted(db.execute("SELECT type, status, n FROM counts WHERE n > 0")) == [
        ("customer", "pending", 1), ("invoice", "synced", 1)]
    db.close()
    assert TinyDB(prof / "state.json").table("settings").all() == [{"key": "k", "value": "v"}]


def test_migrates_a_plain_tinydb_documents_file(prof: Path) -> None:
    """A documents.json in TinyDB's own layout (not one record per line) is migrated as well."""
    prof.mkdir(parents=True)
    db = TinyDB(prof / "documents.json", indent=2)
    db.table("invoice").insert({"ref": "I-1", "data": inv("I-1"), "rev": 3, "imported": "t"})
    db.close()
    with Cache.open(prof, writer=True) as c:
        assert c.get("invoice", "I-1")["rev"] == 3
        assert c.upsert_documents([inv("I-1")]).unchanged == 1
        c.upsert_documents([inv("I-2")])
    with Cache.open(prof, writer=False) as r:
        assert r.count() == 2 and r.get("invoice", "I-1")["data"] == inv("I-1")


def test_decimal_and_datetime_values(prof: Path) -> None:
    import datetime
    from decimal import Decimal
    doc = inv("I-1", total=Decimal("25.00"), date=datetime.date(2026, 11, 2))
    with Cache.open(prof, writer=True) as c:
        c.upsert_documents([doc])
        assert c.get("invoice", "I-1")["data"]["total"] == "25.00"
        assert c.get("invoice", "I-1")["data"]["date"] == "2026-11-02"
        assert c.upsert_documents([doc]).unchanged == 1


def test_no_temp_files_left(prof: Path) -> None:
    with Cache.open(prof, writer=True) as c:
        c.upsert_documents([inv("I-1")])
        c.set_setting("a", 1)
    names = sorted(os.listdir(prof))
    assert names == ["documents.checked", "documents.sqlite", "outcomes.mark", "state.json", "writer.lock"]
    assert not any(".tmp-" in n for n in names)
    json.loads((prof / "state.json").read_text())


def test_state_reader_sees_settings_runs_and_reference_without_documents(tmp_path):
    from qbtui.cache import StateReader

    with Cache.open(tmp_path, writer=True) as cache:
        cache.upsert_documents([{"type": "customer", "ref": "C-1", "name": "A"}])
        cache.set_setting("autosync.every", "1h")
        run_id = cache.add_run({"kind": "sync"})
        cache.put_reference("accounts", [{"Id": "1"}])
    with StateReader.open(tmp_path) as state:
        assert state.get_setting("autosync.every") == "1h"
        assert [r["id"] for r in state.runs()] == [run_id]
        assert state.reference("accounts") == [{"Id": "1"}]
        assert not hasattr(state, "documents")
    with pytest.raises(CacheError, match="closed"):
        state.settings()
