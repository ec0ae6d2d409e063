"""A profile written by the release before the SQLite store (documents.json, links.json, outcomes.jsonl,
outcomes.seq: made here by that very release, pinned in legacy_profile.py) is migrated on its first open,
once, in one transaction, with a message and a private backup of the old files; every document, link, run,
setting and reference is intact."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import orjson
import pytest

from qbtui.cache import Cache, CacheError, profile_dir

from .legacy_profile import make_legacy_profile
from .test_cache_kill import kill, spawn, wait_for

HOLD_LOCK = r'''
import sys, time
from pathlib import Path
from qbtui.cache.lock import WriterLock
WriterLock(Path(sys.argv[1]), sys.argv[2]).acquire()
print("ready", flush=True)
time.sleep(60)
'''
OLD_FILES = {"documents.json", "links.json", "outcomes.jsonl", "outcomes.seq"}


def assert_intact(c: Cache, expected: dict) -> None:
    docs = {(t, r): (rev, imported, data) for t, r, rev, imported, data in expected["documents"]}
    seen = 0
    for rec in c.documents():
        key = (rec["type"], rec["ref"])
        assert (rec["rev"], rec["imported"], rec["data"]) == docs[key], key
        seen += 1
    assert seen == len(docs) == c.count()
    links = {(x["type"], x["ref"]): x for x in expected["links"]}
    got = {(x["type"], x["ref"]): x for x in c.links()}
    assert got == links
    for key, info in expected["status"].items():
        assert c.status_info(*key.split("\0")) == info, key
    # the release before knew six statuses; ``conflict`` and ``summarized`` came later (0 in a migrated profile)
    assert c.status_counts() == {t: {"conflict": 0, "summarized": 0, **row} for t, row in expected["counts"].items()}
    assert c.runs() == expected["runs"]
    assert c.settings() == expected["settings"]
    for kind, (items, updated) in expected["reference"].items():
        assert c.reference(kind) == items and c.reference_updated(kind) == updated


def private(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) & 0o077 == 0


def check_migration(tmp_path: Path, n: int) -> None:
    prof = profile_dir(tmp_path / "data", "default")
    expected = orjson.loads(make_legacy_profile(tmp_path, prof, n).read_bytes())
    assert OLD_FILES <= set(os.listdir(prof))
    t = time.perf_counter()
    with Cache.open(prof, writer=True, command="qbtui status") as c:
        took = time.perf_counter() - t
        assert c.migration is not None and c.recovery is None
        assert c.migration.documents == n and c.migration.links == len(expected["links"])
        assert "migrated to this version's store" in c.migration.message and c.migration.backup in c.migration.message
        backup = prof / c.migration.backup
    print(f"migrated {n:,} documents in {took:.1f} s")
    names = set(os.listdir(prof))
    assert not names & OLD_FILES and {"documents.sqlite", "state.json", "outcomes.mark"} <= names
    assert set(os.listdir(backup)) == OLD_FILES
    assert private(backup) and all(private(p) for p in backup.iterdir())
    assert all(private(prof / name) for name in names if name.startswith("documents.sqlite"))
    with Cache.open(prof, writer=False) as r:
        assert r.migration is None and r.recovery is None  # once
        assert_intact(r, expected)
    with Cache.open(prof, writer=True) as w:  # and it goes on: a new outcome, a new document
        assert w.migration is None
        ref = expected["documents"][-1][1]
        w.record_outcomes([{"type": expected["documents"][-1][0], "ref": ref, "status": "failed"}])
        w.upsert_documents([{"type": "customer", "ref": "NEW-1", "name": "New"}])
        assert w.count() == n + 1


def test_migration_of_a_small_profile_of_the_release_before(tmp_path: Path) -> None:
    check_migration(tmp_path, 3_000)


@pytest.mark.slow
def test_migration_of_100000_documents_of_the_release_before(tmp_path: Path) -> None:
    check_migration(tmp_path, 100_000)


def test_status_migrates_and_says_so(tmp_path: Path) -> None:
    """`qbtui status` (a reader) on a profile not yet migrated takes the writer lock, migrates it and says so on
    stderr; with another process holding the lock it says what is wrong and what to do."""
    from qbtui.cli import main
    from tests.support.profiles import Qbtui

    q = Qbtui(tmp_path / "data")
    prof = profile_dir(q.data_dir, "default")
    make_legacy_profile(tmp_path, prof, 500)
    proc = spawn(HOLD_LOCK, prof, "qbtui sync")  # a writer of the release before: it holds the lock only
    try:
        wait_for(proc, "ready")
        r = q.runner.invoke(main, ["--data-dir", str(q.data_dir), "status", "--json"])
        assert r.exit_code == 2
        assert "written by an older qbtui and is not migrated" in r.stderr and "Run the command again" in r.stderr
    finally:
        kill(proc)
    assert OLD_FILES <= set(os.listdir(prof))
    r = q.runner.invoke(main, ["--data-dir", str(q.data_dir), "status", "--json"])
    assert r.exit_code == 0, r.output
    assert "migrated to this version's store" in r.stderr
    assert sum(sum(c.values()) for c in orjson.loads(r.stdout)["documents"].values()) == 500
    r = q.runner.invoke(main, ["--data-dir", str(q.data_dir), "status", "--json"])
    assert r.exit_code == 0 and "migrated" not in r.stderr


def test_migration_killed_before_the_old_files_moved_finishes_on_next_open(tmp_path: Path) -> None:
    prof = profile_dir(tmp_path / "data", "default")
    make_legacy_profile(tmp_path, prof, 300)
    with Cache.open(prof, writer=True) as c:
        backup = prof / c.migration.backup
    for p in backup.iterdir():  # as if killed between the commit and the moves
        os.replace(p, prof / p.name)
    backup.rmdir()
    with Cache.open(prof, writer=False) as r:
        assert r.count() == 300 and r.migration is None
    with Cache.open(prof, writer=True) as w:
        assert w.count() == 300
    assert not set(os.listdir(prof)) & OLD_FILES


def test_a_reader_that_cannot_write_says_so(tmp_path: Path) -> None:
    prof = profile_dir(tmp_path / "data", "default")
    make_legacy_profile(tmp_path, prof, 50)
    os.chmod(prof, 0o500)
    try:
        if os.access(prof, os.W_OK):
            pytest.skip("running as a user who may write anywhere")
        with pytest.raises(CacheError, match="not migrated to this version's store yet"):
            Cache.open(prof, writer=False)
    finally:
        os.chmod(prof, 0o700)
