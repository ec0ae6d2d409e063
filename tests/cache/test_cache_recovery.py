"""A damaged record of sync outcomes (the journal outcomes.jsonl, its snapshot links.json, its watermark
outcomes.seq) is recovered on open to its last good state, and every document whose outcome may have
been lost is marked unknown ("sending": looked up in QuickBooks before it is ever sent), never taken as
unsent. A writer makes the recovery durable; a reader sees the same state; nothing is ever advised that
loses a link. (The sync side, against the sandbox: tests/sync/test_recovery.py.)"""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from qbtui.cache import Cache, CacheError, profile_dir
from qbtui.cache.store import RECOVERED_ERROR

DOCS = [{"type": "sale_invoice", "ref": f"D-{i}"} for i in range(8)]


def synced(ref: str, qbo_id: str) -> dict:
    return {"type": "sale_invoice", "ref": ref, "status": "synced", "run": "r1",
            "qbo": [{"entity": "Invoice", "id": qbo_id, "sync_token": "0"}]}


def vanished_writer(tmp_path: Path, compact_first: int = 0) -> Path:
    """A profile whose writer recorded one batch per document (D-0..D-5 synced, D-6 failed; D-7 never sent)
    and died without compacting: the outcomes after the first ``compact_first`` live only in the journal."""
    prof = profile_dir(tmp_path, "default")
    with Cache.open(prof, writer=True) as c:
        c.upsert_documents(DOCS)
    w = Cache.open(prof, writer=True)
    for i in range(6):
        w.record_outcomes([{"type": "sale_invoice", "ref": f"D-{i}", "status": "sending", "run": "r1"}])
        w.record_outcomes([synced(f"D-{i}", str(100 + i))])
        if i + 1 == compact_first:
            w.compact()
    w.record_outcomes([{"type": "sale_invoice", "ref": "D-6", "status": "failed", "run": "r1",
                        "error": {"code": "6000", "message": "refused"}}])
    w._release()  # as a killed process: lock and journal dropped, nothing compacted
    return prof


def journal_lines(prof: Path) -> list[bytes]:
    return (prof / "outcomes.jsonl").read_bytes().splitlines(keepends=True)


def states(c: Cache) -> dict[str, str | None]:
    return {d["ref"]: (c.link("sale_invoice", d["ref"]) or {}).get("status") for d in DOCS}


def assert_recovered(prof: Path, lost: bool = True) -> dict[str, str | None]:
    """Open as reader, then as writer, then again: the same recovered state each time, made durable by the
    writer (the last open finds nothing wrong); every document not synced is unknown."""
    with Cache.open(prof, writer=False) as r:
        assert r.recovery is not None and r.recovery.lost is lost, r.recovery
        seen = states(r)
    with Cache.open(prof, writer=True) as w:
        assert w.recovery is not None and w.recovery.lost is lost
        assert states(w) == seen
        message = w.recovery.message
        assert "remove it" not in message and "remove the" not in message and "backup" not in message
        if lost:
            assert "looks each up in QuickBooks before sending anything" in message and "qbtui repair" in message
        for ref, status in seen.items():
            if status != "synced":
                assert status == "sending" and w.status_of("sale_invoice", ref) == "pending"
                error = w.link("sale_invoice", ref)["error"]  # None: it was "sending" already
                assert error is None or error["code"] == RECOVERED_ERROR["code"]
                if ref in ("D-6", "D-7"):  # failed, and never sent: now unknown, with the reason
                    assert error["code"] == RECOVERED_ERROR["code"]
    with Cache.open(prof, writer=False) as again:
        assert again.recovery is None
        assert states(again) == seen
    return seen


def test_garbage_middle_line_keeps_every_readable_batch(tmp_path: Path) -> None:
    prof = vanished_writer(tmp_path)
    lines = journal_lines(prof)
    lines[4] = b"garbage\n"  # the batch that said D-2 was being sent
    (prof / "outcomes.jsonl").write_bytes(b"".join(lines))
    seen = assert_recovered(prof)
    # what the journal still says is kept (batches after the damaged line too); the rest is unknown
    assert seen == {"D-0": "synced", "D-1": "synced", "D-2": "synced", "D-3": "synced", "D-4": "synced",
                    "D-5": "synced", "D-6": "sending", "D-7": "sending"}
    kept = [p.name for p in prof.iterdir() if ".damaged-" in p.name]
    assert len(kept) == 1 and kept[0].startswith("outcomes.jsonl.damaged-")
    assert b"garbage" in (prof / kept[0]).read_bytes()
    assert (prof / kept[0]).stat().st_mode & 0o077 == 0


def test_journal_truncated_at_a_line_boundary(tmp_path: Path) -> None:
    """Whole lines lost from the end leave a journal that reads as fine: the watermark tells."""
    prof = vanished_writer(tmp_path)
    lines = journal_lines(prof)
    (prof / "outcomes.jsonl").write_bytes(b"".join(lines[:5]))  # D-0, D-1 synced; D-2 sending
    seen = assert_recovered(prof)
    assert seen == {"D-0": "synced", "D-1": "synced", "D-2": "sending", "D-3": "sending", "D-4": "sending",
                    "D-5": "sending", "D-6": "sending", "D-7": "sending"}


def test_zero_filled_tail(tmp_path: Path) -> None:
    """A tail of NUL bytes (what some file systems leave after a power cut)."""
    prof = vanished_writer(tmp_path)
    raw = (prof / "outcomes.jsonl").read_bytes()
    cut = len(b"".join(journal_lines(prof)[:8]))
    (prof / "outcomes.jsonl").write_bytes(raw[:cut] + b"\0" * (len(raw) - cut))
    seen = assert_recovered(prof)
    assert [r for r, s in seen.items() if s == "synced"] == ["D-0", "D-1", "D-2", "D-3"]


def test_journal_removed_after_a_killed_run(tmp_path: Path) -> None:
    prof = vanished_writer(tmp_path, compact_first=2)  # D-0 and D-1 are in the snapshot
    (prof / "outcomes.jsonl").unlink()
    seen = assert_recovered(prof)
    assert seen == {"D-0": "synced", "D-1": "synced", **{f"D-{i}": "sending" for i in range(2, 8)}}


def test_journal_removed_after_a_clean_close_loses_nothing(tmp_path: Path) -> None:
    """The watermark also says when nothing was lost: no document is marked, nothing to look up."""
    prof = vanished_writer(tmp_path)
    Cache.open(prof, writer=True).close()  # compacts: the journal is empty
    (prof / "outcomes.jsonl").unlink()
    for writer in (False, True):
        with Cache.open(prof, writer=writer) as c:
            assert c.recovery is None
            assert states(c)["D-6"] == "failed" and states(c)["D-7"] is None


def test_snapshot_corrupted(tmp_path: Path) -> None:
    prof = vanished_writer(tmp_path, compact_first=3)  # D-0..D-2 only in the snapshot
    raw = (prof / "links.json").read_bytes()
    (prof / "links.json").write_bytes(raw[: len(raw) // 2])
    seen = assert_recovered(prof)
    # the journal's batches (D-3..D-6) are still applied; what only the snapshot knew is unknown
    assert seen == {"D-0": "sending", "D-1": "sending", "D-2": "sending", "D-3": "synced", "D-4": "synced",
                    "D-5": "synced", "D-6": "sending", "D-7": "sending"}
    assert any(p.name.startswith("links.json.damaged-") for p in prof.iterdir())


def test_every_outcome_file_removed_after_a_sync_run(tmp_path: Path) -> None:
    """links.json, the journal and the watermark all gone: the run log still shows a sync happened."""
    prof = vanished_writer(tmp_path)
    with Cache.open(prof, writer=True) as c:
        c.add_run({"kind": "sync"})
    for name in ("links.json", "outcomes.jsonl", "outcomes.seq"):
        (prof / name).unlink()
    seen = assert_recovered(prof)
    assert set(seen.values()) == {"sending"}


@pytest.mark.parametrize("content", [b"not a number\n", b"-5\n", b"", b"99999999999999999999\n"])
def test_unreadable_watermark(tmp_path: Path, content: bytes) -> None:
    prof = vanished_writer(tmp_path)
    (prof / "outcomes.seq").write_bytes(content)
    seen = assert_recovered(prof)
    assert seen["D-5"] == "synced" and seen["D-6"] == "sending" and seen["D-7"] == "sending"


def test_a_writer_killed_while_opening_a_new_profile_is_no_damage(tmp_path: Path) -> None:
    """Killed after creating the watermark file and before writing it: nothing was recorded, nothing lost."""
    prof = profile_dir(tmp_path, "default")
    with Cache.open(prof, writer=True) as c:
        c.upsert_documents(DOCS)
    (prof / "outcomes.seq").write_bytes(b"")
    with Cache.open(prof, writer=True) as w:
        assert w.recovery is None and set(states(w).values()) == {None}


def test_torn_tail_is_not_damage(tmp_path: Path) -> None:
    """The one thing a crash itself leaves (an append cut short) is no loss: it was never acknowledged."""
    prof = vanished_writer(tmp_path)
    with open(prof / "outcomes.jsonl", "ab") as f:
        f.write(b'{"seq":99,"at":"x","outcomes":[{"type":"sale_invoice","ref":"D-7","sta')
    with Cache.open(prof, writer=True) as w:
        assert w.recovery is None
        assert states(w)["D-7"] is None and states(w)["D-6"] == "failed"


def test_new_writer_appends_after_recovery_and_the_sequence_goes_on(tmp_path: Path) -> None:
    prof = vanished_writer(tmp_path)
    lines = journal_lines(prof)
    (prof / "outcomes.jsonl").write_bytes(b"".join(lines[:3]))
    with Cache.open(prof, writer=True) as w:
        assert w.recovery.lost
        w.record_outcomes([synced("D-7", "200")])
        seq = orjson.loads(journal_lines(prof)[-1])["seq"]
        assert seq > 13  # above every batch the lost journal held (13), never reused
    with Cache.open(prof, writer=False) as r:
        assert r.recovery is None and r.status_of("sale_invoice", "D-7") == "synced"
        assert r.status_of("sale_invoice", "D-5") == "pending"


def test_reimport_after_documents_json_is_moved_aside_updates_never_creates(tmp_path: Path) -> None:
    """The advice for a corrupted documents.json: move it aside and import again. A document synced at a
    revision comes back above it, so that a change made since is sent as an update, not taken as synced."""
    prof = profile_dir(tmp_path, "default")
    with Cache.open(prof, writer=True) as c:
        c.upsert_documents([{"type": "sale_invoice", "ref": "D-0", "total": "1"}])
        c.upsert_documents([{"type": "sale_invoice", "ref": "D-0", "total": "2"}])  # rev 2
        c.record_outcomes([synced("D-0", "100")])  # synced at rev 2
        c.upsert_documents([{"type": "sale_invoice", "ref": "D-0", "total": "3"}])  # rev 3: changed since
    raw = (prof / "documents.json").read_bytes()
    (prof / "documents.json").write_bytes(raw[:-10])
    with pytest.raises(CacheError, match="move it aside and import the documents again"):
        Cache.open(prof, writer=False)
    (prof / "documents.json").rename(prof / "documents.json.bad")
    with Cache.open(prof, writer=True) as c:
        assert c.recovery is None
        c.upsert_documents([{"type": "sale_invoice", "ref": "D-0", "total": "3"}])
        assert c.get("sale_invoice", "D-0")["rev"] == 3
        assert c.status_info("sale_invoice", "D-0") == {"status": "pending", "changed": True}
        assert c.link("sale_invoice", "D-0")["qbo"][0]["id"] == "100"  # an update of the same object
