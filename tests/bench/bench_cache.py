"""Benchmark of qbtui.cache at 100,000 documents.

Run:  python tests/bench/bench_cache.py [--n 100000]
Prints each figure with its target and the ratio (figure / target; <= 1.0 passes) and the
peak RSS (resource.getrusage) of each phase; each phase runs in a fresh process, like the
app's import / sync / dashboard would. Exits non-zero if a target is missed.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from qbtui.cache import Cache  # noqa: E402


def make_documents(n: int, seed: int = 1) -> list[dict]:
    """A realistic mix: 50% invoices (3 lines), 15% customers, 15% products, 10% bills
    (2 lines), 10% vendors."""
    rnd = random.Random(seed)
    docs: list[dict] = []
    for i in range(n):
        k = i % 20
        if k < 10:
            lines = [
                {"line": j + 1, "sku": f"SKU-{rnd.randrange(5000):05d}",
                 "description": f"Widget model {rnd.randrange(1000)} in blue",
                 "qty": rnd.randrange(1, 50), "unit_price": f"{rnd.uniform(1, 500):.2f}",
                 "tax_code": "TAX", "class": None}
                for j in range(3)
            ]
            docs.append({
                "type": "invoice", "ref": f"INV-{i:07d}", "date": f"2026-11-{1 + i % 28:02d}",
                "due_date": f"2026-12-{1 + i % 28:02d}",
                "customer_ref": f"CUS-{rnd.randrange(15000):06d}", "currency": "USD",
                "terms": "Net 30", "memo": "Thank you for your business", "lines": lines,
                "total": f"{sum(float(x['unit_price']) * x['qty'] for x in lines):.2f}",
                "voided": False,
            })
        elif k < 13:
            docs.append({
                "type": "customer", "ref": f"CUS-{i:06d}", "name": f"Customer {i} Ltd",
                "email": f"billing{i}@example.com", "phone": "+1 555 0100",
                "billing_address": {"line1": f"{i} Main Street", "city": "Springfield",
                                    "postal_code": f"{10000 + i % 89999}", "country": "US"},
                "taxable": True,
            })
        elif k < 16:
            docs.append({
                "type": "product", "ref": f"SKU-{i:06d}", "name": f"Widget {i}",
                "description": "A very useful widget", "price": f"{rnd.uniform(1, 500):.2f}",
                "cost": f"{rnd.uniform(1, 300):.2f}", "income_account": "Sales",
                "expense_account": "Cost of Goods Sold", "track_qty": True,
                "qty_on_hand": rnd.randrange(1000),
            })
        elif k < 18:
            docs.append({
                "type": "bill", "ref": f"BILL-{i:07d}", "date": "2026-10-15",
                "vendor_ref": f"VEN-{rnd.randrange(10000):06d}",
                "lines": [{"line": j + 1, "account": "Inventory Asset",
                           "amount": f"{rnd.uniform(10, 900):.2f}", "description": "Stock"}
                          for j in range(2)],
            })
        else:
            docs.append({
                "type": "vendor", "ref": f"VEN-{i:06d}", "name": f"Supplier {i} GmbH",
                "email": f"ap{i}@example.org", "currency": "USD",
            })
    return docs


def peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux, bytes on macOS.
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def report(name: str, value: float, target: float, unit: str) -> bool:
    ratio = value / target
    ok = ratio <= 1.0
    print(f"{name:<58} {value:9.2f} {unit:<3} target <= {target:g} {unit:<3} "
          f"ratio {ratio:5.2f}  {'ok' if ok else 'MISSED'}", flush=True)
    return ok


def phase_import(prof: Path, n: int) -> None:
    docs = make_documents(n)
    with Cache.open(prof, writer=True, command="bench") as cache:
        t = time.perf_counter()
        summary = cache.upsert_documents(docs)
        a = time.perf_counter() - t
    assert summary.created == n, summary
    print(f"RESULT a {a}")
    with Cache.open(prof, writer=True, command="bench") as cache:
        t = time.perf_counter()
        s2 = cache.upsert_documents(docs)
        print(f"    re-upsert of the same {n:,} (no write): {time.perf_counter() - t:.2f} s, "
              f"unchanged={s2.unchanged}")
    print(f"RESULT peak {peak_rss_mb()}")


def phase_mark_synced(prof: Path, n: int) -> None:
    # setup for (b)/(c): every document synced (as a sync of 100k would leave it)
    t = time.perf_counter()
    with Cache.open(prof, writer=True, command="bench") as cache:
        batch: list[dict] = []
        for rec in cache.documents():
            batch.append({"type": rec["type"], "ref": rec["ref"], "status": "synced",
                          "synced_rev": rec["rev"], "run": "setup",
                          "qbo": [{"entity": rec["type"].title(), "id": rec["ref"],
                                   "sync_token": "0"}]})
            if len(batch) == 1000:
                cache.record_outcomes(batch)
                batch = []
        if batch:
            cache.record_outcomes(batch)
    print(f"    setup: {n:,} synced links recorded + compacted in "
          f"{time.perf_counter() - t:.2f} s (not counted)")
    print(f"RESULT peak {peak_rss_mb()}")


def phase_reopen(prof: Path, n: int) -> None:
    t = time.perf_counter()
    reader = Cache.open(prof, writer=False)
    counts = reader.status_counts()
    b = time.perf_counter() - t
    assert sum(c["synced"] for c in counts.values()) == n, counts
    print(f"RESULT b {b}")
    print(f"RESULT peak {peak_rss_mb()}")


def phase_outcomes(prof: Path, n: int) -> None:
    with Cache.open(prof, writer=False) as reader:
        refs = [(r["type"], r["ref"]) for _, r in zip(range(5000), reader.documents())]
    del reader
    t = time.perf_counter()
    with Cache.open(prof, writer=True, command="bench") as cache:
        for i in range(0, len(refs), 30):
            cache.record_outcomes([
                {"type": ty, "ref": ref, "status": "failed", "run": "bench",
                 "error": {"code": "6240", "message": "Duplicate Name Exists Error",
                           "detail": "The name supplied already exists.",
                           "hint": "rename the customer"}}
                for ty, ref in refs[i:i + 30]
            ])
    c = time.perf_counter() - t
    with Cache.open(prof, writer=False) as r2:
        assert sum(x["failed"] for x in r2.status_counts().values()) == len(refs)
    print(f"RESULT c {c}")
    print(f"RESULT peak {peak_rss_mb()}")


PHASES = {"import": phase_import, "synced": phase_mark_synced, "reopen": phase_reopen,
          "outcomes": phase_outcomes}


def run_phase(name: str, prof: Path, n: int) -> dict[str, float]:
    """Each phase runs in its own process, as the app would (import, sync, TUI reader)."""
    proc = subprocess.run([sys.executable, __file__, "--phase", name, "--profile", str(prof),
                           "--n", str(n)], capture_output=True, text=True)
    if proc.returncode:
        print(proc.stdout, proc.stderr)
        raise SystemExit(f"phase {name} failed")
    out: dict[str, float] = {}
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            _, key, value = line.split()
            out[key] = float(value)
        else:
            print(line)
    print(f"    [{name}: peak RSS {out['peak']:.0f} MB]")
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--keep", action="store_true", help="keep the temporary profile")
    ap.add_argument("--phase", choices=sorted(PHASES))
    ap.add_argument("--profile", type=Path)
    args = ap.parse_args()
    if args.phase:
        PHASES[args.phase](args.profile, args.n)
        return 0
    n = args.n
    tmp = Path(tempfile.mkdtemp(prefix="qbtui-bench-"))
    prof = tmp / "profiles" / "bench"
    ok = []
    try:
        ra = run_phase("import", prof, n)
        ok.append(report(f"(a) upsert {n:,} documents in one call", ra["a"], 15.0, "s"))
        ok.append(report("    same, cache part (aim)", ra["a"], 5.0, "s"))
        print(f"    documents.json: {(prof / 'documents.json').stat().st_size / 1e6:.1f} MB")
        rs = run_phase("synced", prof, n)
        rb = run_phase("reopen", prof, n)
        ok.append(report(f"(b) reader open + status_counts at {n:,}", rb["b"], 2.0, "s"))
        rc = run_phase("outcomes", prof, n)
        ok.append(report("(c) record 5,000 outcomes, 30 per batch (open..close)", rc["c"],
                         5.0, "s"))
        peak = max(r["peak"] for r in (ra, rs, rb, rc))
        ok.append(report(f"(d) peak RSS of any phase at {n:,} documents", peak, 600.0, "MB"))
    finally:
        if args.keep:
            print(f"kept {prof}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
