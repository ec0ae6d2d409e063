"""One writer per profile; schema and corruption errors."""

from __future__ import annotations

import time
from pathlib import Path

import orjson
import pytest

from qbtui.cache import Cache, CacheError, CacheLocked, profile_dir

from ._child import HOLD
from .test_cache_kill import kill, spawn, wait_for


def test_second_writer_gets_cachelocked_reader_works(tmp_path: Path) -> None:
    prof = profile_dir(tmp_path, "default")
    with Cache.open(prof, writer=True) as c:
        c.upsert_documents([{"type": "invoice", "ref": "D-0"}])
    proc = spawn(HOLD, prof, "qbtui sync")
    try:
        wait_for(proc, "ready")
        t = time.monotonic()
        with pytest.raises(CacheLocked) as exc:
            Cache.open(prof, writer=True, command="qbtui import")
        assert time.monotonic() - t < 1.0
        msg = str(exc.value)
        assert f"profile 'default' is in use by process {proc.pid} (qbtui sync), started " in msg
        assert msg.endswith("wait for it to finish or stop it")
        assert exc.value.pid == proc.pid and exc.value.command == "qbtui sync"
        assert isinstance(exc.value, CacheError)
        with Cache.open(prof, writer=False) as r:  # readers need no lock
            assert r.get("invoice", "D-0")["rev"] == 1
    finally:
        kill(proc)
    with Cache.open(prof, writer=True) as c:  # the killed holder left no stale lock
        c.set_setting("after", True)
    assert Cache.open(prof, writer=False).get_setting("after") is True


def test_same_process_second_writer_is_refused(tmp_path: Path) -> None:
    prof = profile_dir(tmp_path, "p1")
    with Cache.open(prof, writer=True, command="qbtui tui"):
        with pytest.raises(CacheLocked, match=r"profile 'p1' is in use by process \d+ \(qbtui tui\)"):
            Cache.open(prof, writer=True)
    Cache.open(prof, writer=True).close()


def test_killed_writer_commit_survives(tmp_path: Path) -> None:
    prof = profile_dir(tmp_path, "default")
    with Cache.open(prof, writer=True) as c:
        c.upsert_documents([{"type": "invoice", "ref": "D-0"}])
    proc = spawn(HOLD, prof, "qbtui sync", "record")
    wait_for(proc, "ready")
    kill(proc)  # died without a checkpoint: the outcome lives only in the write-ahead log
    assert (prof / "documents.sqlite-wal").stat().st_size > 0
    with Cache.open(prof, writer=False) as r:
        assert r.status_of("invoice", "D-0") == "synced"


def _edit_meta(prof: Path, version: int) -> None:
    path = prof / "state.json"
    data = orjson.loads(path.read_bytes())
    data["meta"]["1"]["schema_version"] = version
    path.write_bytes(orjson.dumps(data))


def test_newer_schema_refused(tmp_path: Path) -> None:
    prof = profile_dir(tmp_path, "default")
    Cache.open(prof, writer=True).close()
    _edit_meta(prof, 3)
    expected = ("this cache was written by a newer qbtui (schema 3, this qbtui reads up to 2): "
                "upgrade qbtui")
    for writer in (False, True):
        with pytest.raises(CacheError) as exc:
            Cache.open(prof, writer=writer)
        assert str(exc.value) == expected
    _edit_meta(prof, 2)
    Cache.open(prof, writer=True).close()  # the lock was released after the refusal


@pytest.mark.parametrize("name", ["documents.sqlite", "state.json"])
def test_truncated_file_names_the_file_and_a_way_out_that_keeps_the_links(tmp_path: Path, name: str) -> None:
    """Only something outside qbtui damages documents.sqlite (SQLite's atomic commit) or state.json (replaced
    whole on each change): the open is refused, naming the file, and the advice keeps the links where it can
    (a damaged database: a copy, or SQLite's .recover; test_cache_recovery.py)."""
    prof = profile_dir(tmp_path, "default")
    with Cache.open(prof, writer=True) as c:
        c.upsert_documents([{"type": "invoice", "ref": f"D-{i}", "x": "y" * 50}
                            for i in range(50)])
        c.record_outcomes([{"type": "invoice", "ref": "D-1", "status": "synced"}])
        c.set_setting("a", "b" * 100)
    path = prof / name
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    for writer in (False, True):
        with pytest.raises(CacheError) as exc:
            Cache.open(prof, writer=writer)
        msg = str(exc.value)
        assert str(path) in msg and "corrupted" in msg and "move it aside" in msg
        assert "links to QuickBooks are kept" in msg if name == "state.json" else ".recover" in msg
        assert "remove the profile" not in msg and "backup" not in msg
    if name == "documents.sqlite":
        return  # an empty or missing database: test_cache_recovery.py::test_removed_database_imports_again_as_unknown
    path.write_bytes(b"")
    with pytest.raises(CacheError, match=name):
        Cache.open(prof, writer=False)
    path.write_bytes(b'["not", "tinydb"]')
    with pytest.raises(CacheError, match=name):
        Cache.open(prof, writer=False)
