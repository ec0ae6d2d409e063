"""The gates of `qbtui status` and `qbtui errors` read the contacts, the products and the pending documents, and
anything else only when a gate asks for it (sync/plan.py: gate_snapshot): their answer is the one a snapshot of the whole
cache gives, for documents of every kind, synced or not, with names shared, dependencies missing, failed or
skipped, settings that skip, and a document changed after it was synced."""

from __future__ import annotations

import random

from qbtui.cache import Cache, profile_dir
from qbtui.sync.plan import _bulk, _evaluate, gate_statuses, snapshot
from tests.sync.test_chaos import chaos_documents


def full_gate_statuses(cache: Cache) -> dict:
    with _bulk():
        snap = snapshot(cache)
        keys = [k for k, st in snap.status.items() if st["status"] == "pending"]
        evaluated = _evaluate(snap, keys, ("pending",))
    return {k: ("pending" if st == "ready" else st, reasons) for k, (st, reasons) in evaluated.items()}


def test_gate_snapshot_answers_as_the_whole_cache(tmp_path) -> None:
    rng = random.Random(5)
    docs = chaos_documents(600)
    for d in rng.sample(docs, 40):  # names that clash, references to nothing
        if "name" in d:
            d["name"] = "Same Name"
        elif "customer" in d:
            d["customer"] = "C-MISSING"
    with Cache.open(profile_dir(tmp_path, "default"), writer=True) as cache:
        cache.upsert_documents(docs)
        cache.set_setting("export_quotes", True)
        done = rng.sample(docs, 300)
        cache.record_outcomes([{"type": d["type"], "ref": d["ref"], "status": "synced",
                                "qbo": [{"entity": "Invoice", "id": str(i), "sync_token": "0"}]}
                               for i, d in enumerate(done[:250])])
        cache.record_outcomes([{"type": d["type"], "ref": d["ref"], "status": "failed",
                                "error": {"code": "6000", "message": "x"}} for d in done[250:280]])
        cache.upsert_documents([{**d, "memo": "changed since"} for d in done[:20]])  # synced, then changed
        cache.upsert_documents([{**d, "voided": True} for d in done[280:]])
        want = full_gate_statuses(cache)
        got = gate_statuses(cache)
        assert len(want) > 300 and {st for st, _ in want.values()} >= {"pending", "blocked"}
        assert list(got) == list(want)
        assert {k: (st, [r.to_json() for r in rs]) for k, (st, rs) in got.items()} == \
               {k: (st, [r.to_json() for r in rs]) for k, (st, rs) in want.items()}
