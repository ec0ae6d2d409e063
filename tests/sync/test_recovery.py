"""Recovery that cannot duplicate, against the sandbox: a record of sync outcomes that went back in time (an
older copy of documents.sqlite put back, with or without its watermark) is recovered on open, the documents whose outcome may have been lost are looked up in QuickBooks by the next
`qbtui sync` before anything is sent (nothing is created twice, payments included), and `qbtui repair`
rebuilds lost links by looking the documents up (exit 0 all accounted for, 1 some not, 2 could not run).
(The cache side of the same promises: tests/cache/test_cache_recovery.py.)"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import shutil
import subprocess
import sys
from collections import Counter

import pytest

from qbtui.cache import Cache
from qbtui.sync.connection import open_client
from qbtui.sync.engine import SyncEngine
from tests.support.documents import example, payment, small_set
from tests.support.profiles import Qbtui

PAYMENTS = [payment(f"PAY-{1001 + i}", f"SO-{1001 + i}", "2026-11-10", "10.00")
            for i in range(3)]  # part payments: QBO would take a second one without a word
DOCS = small_set(3) + PAYMENTS
KEYS = {"Customer": ("DisplayName", ["Harbour Cafe", "Lakeside Deli"]), "Item": ("Name", ["Stoneware mug"]),
        "Invoice": ("DocNumber", [f"SO-{1001 + i}" for i in range(3)]),
        "JournalEntry": ("DocNumber", [f"COGS-SO-{1001 + i}" for i in range(3)]),
        "Payment": ("PaymentRefNum", [p["ref"] for p in PAYMENTS])}


def qbo_objects(profile) -> dict[str, int]:
    """How many objects of each kind QuickBooks holds; each of ours must be there exactly once."""
    for entity, (field, ours) in KEYS.items():
        counts = profile.count(entity, field)
        assert {k: counts[k] for k in ours} == dict.fromkeys(ours, 1), entity
    return {entity: len(profile.live(entity)) for entity in KEYS}


def links(profile) -> dict[tuple[str, str], tuple[str, list[str]]]:
    with profile.cache() as cache:
        return {(d["type"], d["ref"]): (cache.status_of(d["type"], d["ref"]),
                                        [q["id"] for q in (cache.link(d["type"], d["ref"]) or {}).get("qbo") or ()])
                for d in DOCS}


def import_and_keep_a_copy(profile, docs=DOCS) -> None:
    """Import, then keep a whole copy of the database as it is before any sync (the writer checkpointed it on
    close, so the file alone is complete): what an older backup put back would be."""
    profile.import_docs(docs)
    shutil.copyfile(profile.path / "documents.sqlite", profile.path.parent / "older.sqlite")


def synced_then_killed(profile) -> dict:
    """Sync every document in-process, then drop the cache as a killed process would."""
    import_and_keep_a_copy(profile)

    async def go():
        cache = profile.cache(writer=True)
        try:
            async with await open_client(cache, profile.path) as client:
                # one worker, small batches: many batches, in the same order each time
                return await SyncEngine(cache, client, batch_size=2, batch_workers=1, singles=False).sync()
        finally:
            cache._release()

    report = asyncio.run(go())
    assert report.exit_code == 0, report.documents
    before = links(profile)
    assert {status for status, _ in before.values()} == {"synced"}
    return before


def damage(path, how: str) -> None:
    """Put back the copy of the database from before the sync; ``everything``: the watermark removed too (then
    only the run log shows that outcomes were recorded)."""
    for suffix in ("-wal", "-shm"):
        (path / f"documents.sqlite{suffix}").unlink(missing_ok=True)
    shutil.copyfile(path.parent / "older.sqlite", path / "documents.sqlite")
    if how == "everything":
        (path / "outcomes.mark").unlink()


@pytest.mark.parametrize("how", ["older_copy", "everything"])
def test_older_database_after_a_sync_with_payments_sends_nothing_twice(profile, how):
    before = synced_then_killed(profile)
    objects = qbo_objects(profile)
    damage(profile.path, how)
    r = profile.q("status")
    assert r.exit_code == 0, r.output
    assert "warning: the record of sync outcomes was damaged" in r.stderr
    assert "looks each up in QuickBooks before sending anything" in r.stderr
    with profile.cache() as cache:  # what may have been lost is unknown, never taken as unsent
        assert cache.recovery.lost and cache.recovery.unknown > 0
        unknown = [k for k in before if (cache.link(*k) or {}).get("status") == "sending"]
        assert len(unknown) == cache.recovery.unknown
        assert not [k for k in before if cache.link(*k) is None]
    code, out = profile.sync_json()
    assert code == 0, out
    assert qbo_objects(profile) == objects  # nothing was created again
    assert links(profile) == before  # every document linked to the very objects it made
    code, again = profile.sync_json()
    assert code == 0 and again["run"]["created"] == [] and qbo_objects(profile) == objects


def test_repair_relinks_everything_after_the_links_are_lost(profile):
    import_and_keep_a_copy(profile)
    code, out = profile.sync_json()
    assert code == 0, out
    before, objects = links(profile), qbo_objects(profile)
    damage(profile.path, "everything")
    r = profile.q("repair", "--json")
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert set(report) == {"run", "counts", "documents"}
    assert report["counts"] == {"linked": len(DOCS), "partly_linked": 0, "not_found": 0, "not_looked_up": 0,
                                "already_linked": 0, "skipped": 0}
    for doc in report["documents"]:
        assert set(doc) == {"type", "ref", "result", "qbo_ids", "reason"}
        assert doc["result"] == "linked" and doc["qbo_ids"] == before[(doc["type"], doc["ref"])][1]
    run = report["run"]
    assert run["kind"] == "maintenance" and run["action"] == "repair" and run["ended"]
    assert run["created"] == []  # what it linked was not created by it: undo never touches it
    assert links(profile) == before and qbo_objects(profile) == objects
    runs = profile.q.json("runs")["runs"]
    assert runs[0]["id"] == run["id"] and runs[0]["kind"] == "maintenance"
    code, out = profile.sync_json()
    assert code == 0 and out["run"]["created"] == [] and qbo_objects(profile) == objects
    # a second repair finds every link in place
    r = profile.q("repair")
    assert r.exit_code == 0, r.output
    assert f"0 linked, 0 partly linked, 0 not in QuickBooks, 0 not looked up; {len(DOCS)} were linked already" \
        in r.stdout


def test_repair_reports_a_document_missing_in_quickbooks(profile):
    import_and_keep_a_copy(profile)
    code, out = profile.sync_json()
    assert code == 0, out
    before = links(profile)
    je_id = before[("cogs", "COGS-SO-1002")][1][0]
    je = profile.company.get("JournalEntry", je_id)
    profile.company.delete("JournalEntry", {"Id": je_id, "SyncToken": je["SyncToken"]})
    damage(profile.path, "everything")
    r = profile.q("repair", "--json")
    assert r.exit_code == 1, r.output
    report = json.loads(r.stdout)
    results = {(d["type"], d["ref"]): d["result"] for d in report["documents"]}
    assert results.pop(("cogs", "COGS-SO-1002")) == "not_found"
    assert set(results.values()) == {"linked"}
    assert report["counts"]["not_found"] == 1 and report["counts"]["linked"] == len(DOCS) - 1
    r = profile.q("repair")  # the person's form: the one not found, and what happens to it
    assert r.exit_code == 1
    assert "NOT_FOUND     cogs COGS-SO-1002: not in QuickBooks: the next `qbtui sync` sends it" in r.stderr
    count_before = Counter(o.get("DocNumber") for o in profile.live("JournalEntry"))
    code, out = profile.sync_json()
    assert code == 0, out
    assert [(c["ref"], c["entity"]) for c in out["run"]["created"]] == [("COGS-SO-1002", "JournalEntry")]
    count_after = Counter(o.get("DocNumber") for o in profile.live("JournalEntry"))
    assert count_after - count_before == Counter({"COGS-SO-1002": 1})


def test_repair_cannot_run_without_a_connection_or_beside_another_writer(profile, tmp_path):
    q = Qbtui(tmp_path / "not-connected")
    path = tmp_path / "example.json"
    path.write_text(json.dumps({"documents": example()}))
    assert q("import", str(path)).exit_code == 0
    r = q("repair")
    assert r.exit_code == 2
    assert "not connected to QuickBooks" in r.stderr and "Traceback" not in r.output
    with profile.cache(writer=True):  # another qbtui holds the profile as writer
        r = profile.q("repair", "--json")
    assert r.exit_code == 2
    assert "is in use by process" in r.stderr
    with Cache.open(profile.path, writer=False) as cache:
        assert not [run for run in cache.runs() if run.get("action") == "repair"]


def test_a_full_disk_in_the_middle_of_a_sync_sends_nothing_twice(profile):
    """`qbtui sync` in a process whose files may not grow past a limit (what a full disk does to it: writes
    fail), set so that it stops part way: whatever it could not record as "sending" it never sent, and what it
    recorded it looks up; the next sync, with room again, ends with every document in QuickBooks once."""
    n = 100
    docs = small_set(n, prefix="FD-")
    profile.import_docs(docs)
    # above what state.json grows to in the run (its run record: under 100 bytes a document), under what the
    # write-ahead log grows to (a few pages a batch of outcomes): the log is the file that fills the disk, part way
    limit = max((profile.path / "state.json").stat().st_size + 100 * len(docs) + 2000,
                120 * 4120)  # 120 pages of the log: about half the run

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {**os.environ, "QBTUI_DATA_DIR": str(profile.q.data_dir), "PYTHONPATH": os.pathsep.join(sys.path)}
    first = subprocess.run([sys.executable, "-m", "qbtui", "sync", "--yes", "--json"], env=env, capture_output=True,
                           text=True, preexec_fn=limited, timeout=120)
    assert first.returncode != 0, first.stdout
    with profile.cache() as cache:  # it stopped part way: some outcomes could not be recorded
        synced = sum(cache.status_of(d["type"], d["ref"]) == "synced" for d in docs)
    assert 0 < synced < len(docs), (synced, first.stderr[-2000:])
    print(f"\nfull disk: {synced} of {len(docs)} synced when it stopped: {first.stderr.strip()[-300:]}")
    code, out = profile.sync_json()
    assert code == 0, out
    invoices = Counter(o.get("DocNumber") for o in profile.live("Invoice"))
    journals = Counter(o.get("DocNumber") for o in profile.live("JournalEntry"))
    assert all(invoices[f"FD-SO-{1001 + i}"] == 1 and journals[f"FD-COGS-SO-{1001 + i}"] == 1 for i in range(n))
    assert profile.count("Customer", "DisplayName")["FD-Harbour Cafe"] == 1
    with profile.cache() as cache:
        assert cache.recovery is None
        assert {cache.status_of(d["type"], d["ref"]) for d in docs} == {"synced"}
