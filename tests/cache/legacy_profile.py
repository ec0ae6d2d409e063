"""Write a profile in the format of the release before the SQLite store (documents.json, links.json,
outcomes.jsonl, outcomes.seq, state.json), with that release's own code, and dump what that release reads
back from it (the expectation a migration must meet).

The release is pinned: :func:`make_legacy_profile` extracts ``qbtui/`` of commit :data:`LEGACY_COMMIT` with
``git archive`` into a temporary folder and runs this file there in a child process, so the profile is
exactly what that release writes, whatever the working tree holds now.

    python tests/cache/legacy_profile.py PROFILE_DIR EXPECTED_JSON N   (run with the old qbtui on PYTHONPATH)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path

#: the last release that kept documents and links in TinyDB files and a journal
LEGACY_COMMIT = "f78593a"
ROOT = Path(__file__).resolve().parents[2]


def make_legacy_profile(tmp: Path, prof: Path, n: int) -> Path:
    """Write ``n`` documents (and links, runs, settings, reference data) into ``prof`` with the pinned
    release; returns the JSON file holding what that release reads back."""
    tree = tmp / "legacy-release"
    tree.mkdir(parents=True, exist_ok=True)
    archive = tmp / "legacy.tar"
    with open(archive, "wb") as f:
        subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", LEGACY_COMMIT, "qbtui"], stdout=f,
                       check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    archive.unlink()
    expected = tmp / "legacy-expected.json"
    env = {**os.environ, "PYTHONPATH": str(tree)}
    subprocess.run([sys.executable, str(Path(__file__).resolve()), str(prof), str(expected), str(n)],
                   check=True, env=env, cwd=str(tree))
    return expected


def documents(n: int) -> list[dict]:
    """Deterministic documents of every shape the cache sees (the benchmark's mix, a voided one)."""
    sys.path.insert(0, str(ROOT))
    from tests.bench.datasets import document_mix

    sys.path.pop(0)
    docs = document_mix(n, seed=13)
    docs[-1] = {**docs[-1], "voided": True}
    return docs


def write(prof: Path, expected: Path, n: int) -> None:
    import orjson

    import qbtui.cache.store
    from qbtui.cache import Cache

    assert "documents.json" in qbtui.cache.store.DOCUMENTS_NAME, "not the legacy release"
    docs = documents(n)
    with Cache.open(prof, writer=True, command="legacy") as c:
        c.upsert_documents(docs)
        c.upsert_documents([{**d, "memo": "changed"} for d in docs[: n // 100]])  # rev 2
        c.set_setting("realm_id", "9130355")
        c.set_setting("mapping", {"accounts_receivable": "84", "bank": "35"})
        c.set_setting("sync.batch_size", 30)
        c.put_reference("accounts", [{"Id": "84", "Name": "Accounts Receivable (A/R)"}])
        c.put_reference("preferences", {"AccountingInfoPrefs": {"BookCloseDate": "2026-01-31"}})
        run = c.add_run({"kind": "sync", "counts": {"synced": 3}})
        c.update_run(run, ended="2026-11-29T10:00:00+00:00")
        c.add_run({"kind": "undo", "undoes": run, "created": [{"type": "customer", "ref": "C-000001",
                                                               "entity": "Customer", "id": "1"}]})
        synced = int(n * 0.9)
        for start in range(0, synced, 1000):
            c.record_outcomes([
                {"type": d["type"], "ref": d["ref"], "status": "synced", "run": run,
                 "qbo": [{"entity": "Invoice", "id": str(i), "sync_token": "0"}]}
                for i, d in enumerate(docs[start:min(start + 1000, synced)], start)])
    # a second writer records more and dies without compacting: the last outcomes live only in the journal
    w = Cache.open(prof, writer=True, command="legacy")
    for i in range(synced, min(synced + 200, n)):
        d = docs[i]
        status = ("failed", "sending", "voided")[i % 3]
        outcome = {"type": d["type"], "ref": d["ref"], "status": status, "run": "r-last"}
        if status == "failed":
            outcome["error"] = {"code": "6240", "message": "Duplicate Name Exists Error", "detail": "x", "hint": "y"}
        w.record_outcomes([outcome])
    w.record_outcomes([{"type": "customer", "ref": "GONE-1", "status": "synced", "synced_rev": 1,
                        "qbo": [{"entity": "Customer", "id": "999"}]}])  # a link whose document is gone
    w._release()
    with Cache.open(prof, writer=False) as r:
        assert r.recovery is None
        out = {
            "documents": [[d["type"], d["ref"], d["rev"], d["imported"], d["data"]] for d in r.documents()],
            "links": list(r.links()),
            "status": {f"{t}\0{ref}": r.status_info(t, ref) for t, ref, *_ in
                       ([d["type"], d["ref"]] for d in r.documents())},
            "counts": r.status_counts(),
            "runs": r.runs(),
            "settings": r.settings(),
            "reference": {k: [r.reference(k), r.reference_updated(k)] for k in ("accounts", "preferences")},
        }
    expected.write_bytes(orjson.dumps(out))


if __name__ == "__main__":
    write(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]))
