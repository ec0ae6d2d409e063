"""Exactly once under chaos: 2,000 documents (contacts, products, invoices, COGS) against a sandbox over
loopback that fails 5% of requests with HTTP 500, drops 5% of answers after committing and lets 2% time
out; the access token lives 2 s, so it expires again and again mid-run; `qbtui sync` runs as a separate
process and is SIGKILLed at 10 random (seeded) moments, then re-run until it finishes. Afterwards QBO
holds exactly one entity per document (by DocNumber and by DisplayName/Name) and every document is
synced or failed with a reason."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest

from .conftest import SECRET, SECRET_ENV

FAULTS = os.environ.get("QBTUI_CHAOS_FAULTS", "http500=0.05,drop_after_commit=0.05,timeout=0.02")
N_DOCS = int(os.environ.get("QBTUI_CHAOS_DOCS", "2000"))
KILLS = 10
SEED = int(os.environ.get("QBTUI_CHAOS_SEED", "42"))


def chaos_documents(n: int, seed: int = 11) -> list[dict]:
    rng = random.Random(seed)
    customers, products = max(2, n * 3 // 100), max(2, n * 2 // 100)
    docs: list[dict] = [{"type": "customer", "ref": f"C-{i:05d}", "name": f"Chaos Customer {i:05d}"}
                        for i in range(customers)]
    docs += [{"type": "product", "ref": f"SKU-{i:05d}", "name": f"Chaos Product {i:05d}", "sale_price": "12.50",
              "purchase_cost": "4.10"} for i in range(products)]
    k = 0
    while len(docs) < n:
        qty = rng.randint(1, 9)
        docs.append({"type": "sale_invoice", "ref": f"SO-{k:06d}", "customer": f"C-{rng.randrange(customers):05d}",
                     "invoice_date": "2026-11-02",
                     "lines": [{"sku": f"SKU-{rng.randrange(products):05d}", "quantity": qty, "unit_price": "12.50",
                                "unit_cost": "4.10"}]})
        if len(docs) < n:
            docs.append({"type": "cogs", "ref": f"COGS-{k:06d}", "invoice": f"SO-{k:06d}", "date": "2026-11-02",
                         "amount": f"{qty * 4.10:.2f}"})
        k += 1
    return docs


def run_sync(env: dict, kill_after: int | None, rng: random.Random) -> tuple[int | None, int, str]:
    """`qbtui sync --yes --events` in its own process; SIGKILL after `kill_after` document events (plus a
    random few milliseconds, so that some kills land while a request is in flight). Returns (exit code or
    None when killed, document events seen, stderr tail)."""
    proc = subprocess.Popen([sys.executable, "-m", "qbtui", "sync", "--yes", "--events"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    err: list[str] = []
    reader = threading.Thread(target=lambda: err.extend(proc.stderr), daemon=True)
    reader.start()
    seen = 0
    killed = False
    for line in proc.stdout:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if event.get("event") == "document":
            seen += 1
            if kill_after is not None and seen >= kill_after and not killed:
                time.sleep(rng.uniform(0, 0.03))
                proc.send_signal(signal.SIGKILL)
                killed = True
    proc.wait(timeout=300)
    reader.join(timeout=5)
    return (None if killed else proc.returncode), seen, "".join(err)[-3000:]


@pytest.mark.slow
def test_exactly_once_with_faults_token_expiry_and_sigkill(make_profile, tmp_path):
    profile = make_profile(token_ttl=2, fault_hold_s=0.3, fault_seed=2026)
    docs = chaos_documents(N_DOCS)
    profile.import_docs(docs)
    profile.faults(FAULTS, seed=SEED)
    env = {**os.environ, "QBTUI_DATA_DIR": str(profile.q.data_dir), SECRET_ENV: SECRET,
           "PYTHONPATH": os.pathsep.join(sys.path)}
    rng = random.Random(SEED)
    kills, runs, finished = 0, 0, False
    remaining = N_DOCS
    log = []
    stderr_all = []
    while runs < KILLS + 15:
        runs += 1
        kill_after = rng.randint(1, max(1, remaining // (2 * (KILLS - kills) + 1))) if kills < KILLS else None
        code, seen, err = run_sync(env, kill_after, rng)
        log.append((kill_after, code, seen))
        stderr_all.append(err)
        if code is None:
            kills += 1
            remaining = max(1, remaining - seen)
            continue
        assert code in (0, 1), err
        with profile.cache() as cache:
            pending = sum(c["pending"] for c in cache.status_counts().values())
        if pending == 0:
            finished = True
            break
    assert finished, log
    assert kills == KILLS, log
    # QBO: exactly one entity per document
    by_number = profile.count("Invoice", "DocNumber") + profile.count("JournalEntry", "DocNumber")
    by_name = profile.count("Customer", "DisplayName") + profile.count("Item", "Name")
    for d in docs:
        if d["type"] in ("customer", "product"):
            assert by_name[d["name"]] == 1, d
        else:
            assert by_number[d["ref"]] == 1, d
    # every document synced, or failed with a reason
    with profile.cache() as cache:
        for d in docs:
            status = cache.status_of(d["type"], d["ref"])
            assert status in ("synced", "failed"), (d["ref"], status)
            if status == "failed":
                error = cache.link(d["type"], d["ref"])["error"]
                assert error and error.get("code") and error.get("message"), (d["ref"], error)
        statuses = Counter(cache.status_of(d["type"], d["ref"]) for d in docs)
        # every object made is in some run's "created" list (killed runs included), so undo can find it;
        # no run is left open
        created = {(c["entity"], c["id"]) for r in cache.runs() for c in r.get("created") or ()}
        made = {(q["entity"], q["id"]) for d in docs for q in (cache.link(d["type"], d["ref"]) or {}).get("qbo") or ()}
        assert made <= created, sorted(made - created)[:10]
        assert all(r.get("ended") for r in cache.runs())
        assert sum(1 for r in cache.runs() if r.get("interrupted")) == KILLS
    # no secret in anything the runs printed
    from qbtui.sync.connection import token_store
    tokens = token_store(profile.path).load()
    secrets = [SECRET, tokens.access_token, tokens.refresh_token, *profile.sandbox.tokens.data["access"],
               *profile.sandbox.tokens.data["refresh"]]
    printed = "".join(stderr_all)
    assert not [s for s in secrets if s in printed]
    assert "Bearer" not in printed
    rotated = sum(1 for v in profile.sandbox.tokens.data["refresh"].values() if v["dead_after"] is not None)
    assert rotated >= 3  # the access token expired mid-run, again and again
    faults = profile.sandbox.faults.counts
    assert faults["drop_after_commit"] > 0 and faults["timeout"] > 0 and faults["http500"] > 0
    print(f"\nchaos: {N_DOCS} documents, {kills} kills, {runs} runs, {rotated} token refreshes, "
          f"statuses {dict(statuses)}, faults {faults}")
