"""Crash safety: SIGKILL a writer at random moments; the cache must always open and hold
exactly the state before or exactly the state after the interrupted operation."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson

from qbtui.cache import Cache

from ._child import IMPORT, OUTCOMES

ROOT = Path(__file__).resolve().parents[2]
KILLS = 20


def spawn(script: str, *args: object) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.Popen([sys.executable, "-c", script, *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def wait_for(proc: subprocess.Popen[str], word: str) -> str:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith(word):
        proc.kill()
        raise AssertionError(f"child said {line!r}; stderr: {proc.stderr.read()}")  # type: ignore[union-attr]
    return line


def kill(proc: subprocess.Popen[str]) -> None:
    try:
        proc.send_signal(signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=10)
    proc.stdout.close()  # type: ignore[union-attr]
    proc.stderr.close()  # type: ignore[union-attr]


def fingerprint(prof: Path) -> str:
    """Documents (without import timestamps) and links, as one hash."""
    with Cache.open(prof, writer=False) as c:
        docs = sorted((d["type"], d["ref"], d["rev"], orjson.dumps(d["data"], option=orjson.OPT_SORT_KEYS))
                      for d in c.documents())
        links = sorted(orjson.dumps(x, option=orjson.OPT_SORT_KEYS) for x in c.links())
        counts = c.status_counts()
    h = hashlib.sha256(repr((docs, links, counts)).encode())
    return h.hexdigest()


def test_kill_during_large_import(tmp_path: Path) -> None:
    n = 20_000
    base = tmp_path / "base" / "profiles" / "default"
    with Cache.open(base, writer=True) as c:
        c.upsert_documents([{"type": "invoice" if i % 3 else "customer", "ref": f"D-{i}",
                             "old": True} for i in range(1000)])
        c.record_outcomes([{"type": "customer", "ref": "D-0", "status": "synced",
                            "synced_rev": 1}])
    before = fingerprint(base)

    # One uninterrupted run gives the "after" state and the duration of the upsert.
    ref_prof = tmp_path / "ref" / "profiles" / "default"
    shutil.copytree(base, ref_prof)
    proc = spawn(IMPORT, ref_prof, n, 1)
    wait_for(proc, "go")
    duration = float(wait_for(proc, "done").split()[1])
    wait_for(proc, "closed")
    proc.wait(timeout=30)
    proc.stdout.close(), proc.stderr.close()  # type: ignore[union-attr]
    after = fingerprint(ref_prof)
    assert after != before

    rnd = random.Random(20261127)
    seen = {"before": 0, "after": 0}
    for i in range(KILLS):
        prof = tmp_path / f"k{i}" / "profiles" / "default"
        shutil.copytree(base, prof)
        proc = spawn(IMPORT, prof, n, 1)
        wait_for(proc, "go")
        time.sleep(rnd.uniform(0, duration * 1.3))
        kill(proc)
        fp = fingerprint(prof)
        assert fp in (before, after), f"kill #{i}: partial import"
        seen["before" if fp == before else "after"] += 1
        # the dead writer left no lock behind
        Cache.open(prof, writer=True).close()
        assert fingerprint(prof) == fp
        shutil.rmtree(prof.parent.parent)
    print("import kills:", seen)


def test_kill_during_outcome_stream(tmp_path: Path) -> None:
    batches = 120
    base = tmp_path / "base" / "profiles" / "default"
    with Cache.open(base, writer=True) as c:
        c.upsert_documents([{"type": "invoice", "ref": f"D-{i}"} for i in range(batches * 30)])

    threshold = 40_000  # (unused by the store: the write-ahead log checkpoints on its own)
    ref_prof = tmp_path / "ref" / "profiles" / "default"
    shutil.copytree(base, ref_prof)
    proc = spawn(OUTCOMES, ref_prof, batches, threshold)
    wait_for(proc, "go")
    duration = float(wait_for(proc, "done").split()[1])
    proc.wait(timeout=30)
    proc.stdout.close(), proc.stderr.close()  # type: ignore[union-attr]

    rnd = random.Random(4242)
    prefixes = []
    for i in range(KILLS):
        prof = tmp_path / f"k{i}" / "profiles" / "default"
        shutil.copytree(base, prof)
        proc = spawn(OUTCOMES, prof, batches, threshold)
        wait_for(proc, "go")
        time.sleep(rnd.uniform(0, duration))
        kill(proc)
        with Cache.open(prof, writer=False) as c:
            assert c.recovery is None, f"kill #{i}: a kill is no damage: {c.recovery}"
            present = []
            for b in range(batches):
                links = [c.link("invoice", f"D-{b * 30 + k}") for k in range(30)]
                there = [lk is not None for lk in links]
                assert all(there) or not any(there), f"kill #{i}: batch {b} is partial"
                if all(there):
                    assert all(lk["run"] == f"b{b}" and lk["status"] == "synced"
                               and len(lk["history"]) == 1 for lk in links)
                present.append(all(there))
            k = sum(present)
            assert present == [True] * k + [False] * (batches - k), f"kill #{i}: not a prefix"
            assert c.status_counts()["invoice"]["synced"] == k * 30
        prefixes.append(k)
        # a new writer opens (no stale lock), ignores any uncommitted tail of the log and writes cleanly
        with Cache.open(prof, writer=True) as w:
            assert w.recovery is None
            w.record_outcomes([{"type": "invoice", "ref": "extra", "status": "failed"}])
            with Cache.open(prof, writer=False) as r:
                assert r.link("invoice", "extra")["status"] == "failed"
                assert r.status_counts()["invoice"]["synced"] == k * 30
        shutil.rmtree(prof.parent.parent)
    print("batches present after each kill:", prefixes)
    assert len(set(prefixes)) > 3, "kills did not land at varied moments"


def test_a_killed_writers_log_is_kept_and_a_removed_log_is_detected(tmp_path: Path) -> None:
    """A writer killed after a commit leaves that commit in documents.sqlite-wal: the next open reads it, and
    nothing was lost. Removing that file (what only something outside qbtui does) loses the commit: the
    watermark shows it, and the documents whose outcome may be lost are looked up before anything is sent."""
    from ._child import HOLD

    prof = tmp_path / "p"
    with Cache.open(prof, writer=True) as c:
        c.upsert_documents([{"type": "invoice", "ref": "D-0"}, {"type": "invoice", "ref": "D-1"}])
    proc = spawn(HOLD, prof, "qbtui sync", "record")
    wait_for(proc, "ready")
    kill(proc)
    assert (prof / "documents.sqlite-wal").stat().st_size > 0
    copy = tmp_path / "copy"
    shutil.copytree(prof, copy)
    with Cache.open(prof, writer=False) as r:
        assert r.recovery is None and r.status_of("invoice", "D-0") == "synced"
    with Cache.open(prof, writer=True) as w:
        assert w.recovery is None and w.status_of("invoice", "D-0") == "synced"
    (copy / "documents.sqlite-wal").unlink()
    (copy / "documents.sqlite-shm").unlink(missing_ok=True)
    with Cache.open(copy, writer=False) as r:
        assert r.recovery is not None and r.recovery.lost and r.recovery.unknown == 2
        assert "1 batches of outcomes are missing" in r.recovery.message
        assert r.link("invoice", "D-1")["status"] == "sending"
    with Cache.open(copy, writer=True) as w:
        assert w.recovery is not None and w.recovery.unknown == 2
        w.record_outcomes([{"type": "invoice", "ref": "D-0", "status": "synced"}])
    with Cache.open(copy, writer=False) as r:
        assert r.recovery is None and r.status_of("invoice", "D-0") == "synced"
        assert r.link("invoice", "D-1")["error"]["code"] == "cache.outcome_unknown"


def test_readers_see_consistent_prefixes_while_writer_streams(tmp_path: Path) -> None:
    """Readers take no lock: opened at any moment (mid-transaction, mid-checkpoint) they see
    whole batches forming a prefix."""
    batches = 400
    prof = tmp_path / "p"
    with Cache.open(prof, writer=True) as c:
        c.upsert_documents([{"type": "invoice", "ref": f"D-{i}"} for i in range(batches * 30)])
    proc = spawn(OUTCOMES, prof, batches, 30_000)
    wait_for(proc, "go")
    seen = []
    try:
        while proc.poll() is None and len(seen) < 200:
            with Cache.open(prof, writer=False) as r:
                assert r.recovery is None, r.recovery  # a reader racing appends and compactions sees no damage
                synced = r.status_counts()["invoice"]["synced"]
                assert synced % 30 == 0
                k = synced // 30
                for b in (k - 1, k):
                    if 0 <= b < batches:
                        there = {r.link("invoice", f"D-{b * 30 + j}") is not None
                                 for j in range(30)}
                        assert there == {b < k}, f"batch {b} partial or out of order"
            seen.append(k)
    finally:
        kill(proc)
    assert seen == sorted(seen)
    assert len({k for k in seen if 0 < k < batches}) >= 2, seen
