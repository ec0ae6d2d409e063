"""A record of sync outcomes that went back in time or was lost (an older copy of documents.sqlite put back,
its write-ahead log removed after a killed writer, the file removed, the watermark outcomes.mark removed or
unreadable) is recovered on open, and every document whose outcome may have been lost is marked unknown
("sending": looked up in QuickBooks before it is ever sent), never taken as unsent. A writer makes the recovery
durable; a reader sees the same state. A damaged database refuses to open, with advice that never loses a
link silently. (The sync side, against the sandbox: tests/sync/test_recovery.py.)"""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest

from qbtui.cache import Cache, CacheCorrupt, CacheError, profile_dir
from qbtui.cache.store import RECOVERED_ERROR

DOCS = [{"type": "sale_invoice", "ref": f"D-{i}"} for i in range(8)]
DB = "documents.sqlite"


def synced(ref: str, qbo_id: str) -> dict:
    return {"type": "sale_invoice", "ref": ref, "status": "synced", "run": "r1",
            "qbo": [{"entity": "Invoice", "id": qbo_id, "sync_token": "0"}]}


def synced_profile(tmp_path: Path, copy_after: int = 3) -> tuple[Path, Path]:
    """A profile whose writer recorded one batch per step (D-0..D-5 synced, D-6 failed; D-7 never sent), and
    a consistent copy of its database taken after the first ``copy_after`` documents were synced."""
    prof = profile_dir(tmp_path, "default")
    older = tmp_path / "older.sqlite"
    with Cache.open(prof, writer=True) as c:
        c.upsert_documents(DOCS)
        c.add_run({"kind": "sync"})
    with Cache.open(prof, writer=True) as w:
        for i in range(6):
            if i == copy_after:
                w.compact()  # the log copied into the database: the file alone is a whole copy
                shutil.copyfile(prof / DB, older)
            w.record_outcomes([{"type": "sale_invoice", "ref": f"D-{i}", "status": "sending", "run": "r1"}])
            w.record_outcomes([synced(f"D-{i}", str(100 + i))])
        w.record_outcomes([{"type": "sale_invoice", "ref": "D-6", "status": "failed", "run": "r1",
                            "error": {"code": "6000", "message": "refused"}}])
    return prof, older


def put_back(prof: Path, older: Path) -> None:
    for suffix in ("-wal", "-shm"):
        (prof / f"{DB}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(older, prof / DB)


def states(c: Cache) -> dict[str, str | None]:
    return {d["ref"]: (c.link("sale_invoice", d["ref"]) or {}).get("status") for d in DOCS}


def assert_recovered(prof: Path) -> dict[str, str | None]:
    """Open as reader, then as writer, then again: the same recovered state each time, made durable by the
    writer (the last open finds nothing wrong); every document not synced is unknown."""
    with Cache.open(prof, writer=False) as r:
        assert r.recovery is not None and r.recovery.lost, r.recovery
        seen = states(r)
    with Cache.open(prof, writer=True) as w:
        assert w.recovery is not None and w.recovery.lost
        assert states(w) == seen
        message = w.recovery.message
        assert "remove it" not in message and "remove the" not in message
        assert "looks each up in QuickBooks before sending anything" in message and "qbtui repair" in message
        for ref, status in seen.items():
            if status != "synced":
                assert status == "sending" and w.status_of("sale_invoice", ref) == "pending"
                error = w.link("sale_invoice", ref)["error"]  # None: it was "sending" already
                assert error is None or error["code"] == RECOVERED_ERROR["code"]
                if ref in ("D-6", "D-7"):  # failed, and never sent: now unknown, with the reason
                    assert error["code"] == RECOVERED_ERROR["code"]
        assert w.status_counts()["sale_invoice"]["pending"] == sum(s != "synced" for s in seen.values())
    with Cache.open(prof, writer=False) as again:
        assert again.recovery is None
        assert states(again) == seen
    return seen


def test_an_older_copy_put_back_is_caught_by_the_watermark(tmp_path: Path) -> None:
    prof, older = synced_profile(tmp_path)
    put_back(prof, older)
    seen = assert_recovered(prof)
    assert seen == {"D-0": "synced", "D-1": "synced", "D-2": "synced", **{f"D-{i}": "sending" for i in range(3, 8)}}


def test_watermark_removed_rules_nothing_out(tmp_path: Path) -> None:
    prof, _ = synced_profile(tmp_path)
    (prof / "outcomes.mark").unlink()
    seen = assert_recovered(prof)
    assert [r for r, s in seen.items() if s == "synced"] == [f"D-{i}" for i in range(6)]


@pytest.mark.parametrize("content", [b"not a number\n", b"-5\n", b"99999999999999999999\n"])
def test_unreadable_watermark(tmp_path: Path, content: bytes) -> None:
    prof, _ = synced_profile(tmp_path)
    (prof / "outcomes.mark").write_bytes(content)
    seen = assert_recovered(prof)
    assert seen["D-5"] == "synced" and seen["D-6"] == "sending" and seen["D-7"] == "sending"


def test_nothing_lost_is_no_damage(tmp_path: Path) -> None:
    """A clean close, a writer killed while opening a new profile (the watermark created, never written): no
    recovery, nothing marked."""
    prof, _ = synced_profile(tmp_path)
    for writer in (False, True):
        with Cache.open(prof, writer=writer) as c:
            assert c.recovery is None and states(c)["D-6"] == "failed" and states(c)["D-7"] is None
    fresh = profile_dir(tmp_path / "fresh", "default")
    with Cache.open(fresh, writer=True) as c:
        c.upsert_documents(DOCS)
    (fresh / "outcomes.mark").write_bytes(b"")
    with Cache.open(fresh, writer=True) as w:
        assert w.recovery is None and set(states(w).values()) == {None}


def test_new_writer_goes_on_above_every_batch_seen(tmp_path: Path) -> None:
    prof, older = synced_profile(tmp_path)
    put_back(prof, older)
    with Cache.open(prof, writer=True) as w:
        assert w.recovery.lost
        w.record_outcomes([synced("D-7", "200")])
        seq = int((prof / "outcomes.mark").read_bytes())
        assert seq > 13  # above every batch the lost record held (13), never reused
    with Cache.open(prof, writer=False) as r:
        assert r.recovery is None and r.status_of("sale_invoice", "D-7") == "synced"
        assert r.status_of("sale_invoice", "D-5") == "pending"


def test_removed_database_imports_again_as_unknown(tmp_path: Path) -> None:
    """documents.sqlite removed (or moved aside): the watermark and the run log show outcomes were recorded,
    so every document imported again is unknown and looked up in QuickBooks before it is sent."""
    prof, _ = synced_profile(tmp_path)
    for name in (DB, f"{DB}-wal", f"{DB}-shm"):
        (prof / name).unlink(missing_ok=True)
    with Cache.open(prof, writer=False) as r:
        assert r.recovery is not None and r.recovery.lost and r.count() == 0
    with Cache.open(prof, writer=True) as w:
        assert w.recovery is not None and f"{DB} was removed" in w.recovery.message
        w.upsert_documents(DOCS)
        assert set(states(w).values()) == {"sending"}
        assert w.link("sale_invoice", "D-0")["error"]["code"] == RECOVERED_ERROR["code"]
        assert w.status_counts()["sale_invoice"]["pending"] == 8
    with Cache.open(prof, writer=False) as r:
        assert r.recovery is None and set(states(r).values()) == {"sending"}


@pytest.mark.parametrize("damage", ["truncated", "garbage", "not_sqlite"])
def test_a_damaged_database_refuses_to_open_with_advice(tmp_path: Path, damage: str) -> None:
    prof, _ = synced_profile(tmp_path)
    with Cache.open(prof, writer=True) as c:
        c.upsert_documents([{"type": "customer", "ref": f"C-{i}", "note": "x" * 500} for i in range(400)])
    path = prof / DB
    raw = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(raw[: len(raw) // 2])
    elif damage == "garbage":
        path.write_bytes(raw[:8192] + b"\xff" * 4096 * 6 + raw[8192 + 4096 * 6:])
    else:
        path.write_bytes(b'{"not": "sqlite"}')
    with pytest.raises(CacheCorrupt) as exc:
        Cache.open(prof, writer=True)
    msg = str(exc.value)
    assert str(path) in msg and "corrupted" in msg and ".recover" in msg and "move it aside" in msg
    assert "remove the profile" not in msg
    if damage == "not_sqlite":
        with pytest.raises(CacheError, match="not a SQLite database"):
            Cache.open(prof, writer=False)
    # the advice's last way out: move it aside, import again: every document is looked up before a send
    path.rename(prof / f"{DB}.damaged")
    with Cache.open(prof, writer=True) as w:
        assert w.recovery is not None and w.recovery.lost
        w.upsert_documents(DOCS)
        assert set(states(w).values()) == {"sending"}


def test_reimport_continues_above_the_synced_revision(tmp_path: Path) -> None:
    """A document imported again while its link is kept (it was removed with ``delete_documents`` of a
    wizard's fresh start, or lost) comes back above the revision its link says was synced, so that a change
    made since is sent as an update, not taken as synced."""
    prof = profile_dir(tmp_path, "default")
    with Cache.open(prof, writer=True) as c:
        c.upsert_documents([{"type": "sale_invoice", "ref": "D-0", "total": "1"}])
        c.upsert_documents([{"type": "sale_invoice", "ref": "D-0", "total": "2"}])  # rev 2
        c.record_outcomes([synced("D-0", "100")])  # synced at rev 2
        c._conn.execute("DELETE FROM documents")  # the document alone lost (as by a hand-made repair)
        c._conn.execute("DELETE FROM counts")
        c.upsert_documents([{"type": "sale_invoice", "ref": "D-0", "total": "3"}])
        assert c.get("sale_invoice", "D-0")["rev"] == 3
        assert c.status_info("sale_invoice", "D-0") == {"status": "pending", "changed": True}
        assert c.link("sale_invoice", "D-0")["qbo"][0]["id"] == "100"  # an update of the same object


def test_migrated_damaged_journal_is_recovered(tmp_path: Path) -> None:
    """A profile of the release before whose journal lost batches (the watermark says 4, the journal holds
    2): migrated with what can be read, and every document not synced is unknown."""
    prof = profile_dir(tmp_path, "default")
    prof.mkdir(parents=True)
    docs = {"sale_invoice": {str(i + 1): {"ref": f"D-{i}", "rev": 1, "imported": "2026-11-01T00:00:00+00:00",
                                          "data": DOCS[i]} for i in range(8)}}
    (prof / "documents.json").write_bytes(orjson.dumps(docs))
    (prof / "links.json").write_bytes(orjson.dumps({"meta": {"1": {"seq": 0}}, "links": {}}))
    lines = [orjson.dumps({"seq": n, "at": "2026-11-01T00:00:00+00:00", "outcomes": [synced(f"D-{n - 1}", str(n))]})
             for n in (1, 2)]
    (prof / "outcomes.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    (prof / "outcomes.seq").write_bytes(b"%020d\n" % 4)
    with Cache.open(prof, writer=False) as r:  # a reader migrates when it can take the writer lock
        assert r.migration is not None and r.migration.documents == 8
        assert r.recovery is not None and r.recovery.lost and r.recovery.unknown == 6
        assert "2 batches of outcomes are missing" in r.recovery.message
        assert states(r) == {"D-0": "synced", "D-1": "synced", **{f"D-{i}": "sending" for i in range(2, 8)}}
    with Cache.open(prof, writer=True) as w:
        assert w.recovery is None and w.migration is None
        assert w.record_outcomes([synced("D-7", "8")]) is None
    assert int((prof / "outcomes.mark").read_bytes()) > 4
