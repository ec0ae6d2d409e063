"""Benchmark of the cache (documents.sqlite) at 100,000 documents, or 1,000,000, or both sizes compared.

Run:  python tests/bench/bench_cache.py [--n 100000]      one size
      python tests/bench/bench_cache.py --compare          10,000 and 1,000,000 in the same run, with the ratio
      ... --reuse DIR                                      keep each profile in DIR, measure again on it later

Each phase runs in a fresh process, as the app would. The profile is made as a user's would be: a .jsonl
export imported through qbtui/documents/importer.py (read and validate) then ``upsert_documents``; then every
document is marked synced except 10,000 pending and 1,000 failed (setup, not counted). Measured: the import
(split into the importer's reading and validation and the cache's upsert), ``qbtui status --json`` and
``qbtui errors --json`` as whole processes (the gates included: their results are stored, computed again only
where something changed; the writer that recorded the setup's outcomes refreshes them as it closes, timed
apart), ``qbtui document`` (the child the dashboard runs on Enter: one pending payment, its plan included) and
``qbtui sync --dry-run --json`` (the plan of every pending and failed document) as whole processes, a reader's
open + ``status_counts`` (the cache's part of ``status``), saving one fix (``update_document``,
and the writer's open + save), recording 5,000 outcomes 30 at a time, and the peak RSS of every process.
Exits non-zero if a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from qbtui.cache import Cache  # noqa: E402
from tests.bench.datasets import iter_document_mix  # noqa: E402

PENDING = 10_000
FAILED = 1_000


def peak_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


# --------------------------------------------------------------------------- phases (each in its own process)

def phase_write(prof: Path, n: int) -> None:
    """The export file a user would import (.jsonl: streamed by the importer)."""
    path = prof.parent.parent / "export.jsonl"
    with open(path, "w") as f:
        for doc in iter_document_mix(n):
            f.write(json.dumps(doc) + "\n")
    print(f"    export: {path.stat().st_size / 1e6:.0f} MB")


def phase_import(prof: Path, n: int) -> None:
    from qbtui.documents import read_file

    path = prof.parent.parent / "export.jsonl"
    t = time.perf_counter()
    docs = read_file(path)
    read = time.perf_counter() - t
    with Cache.open(prof, writer=True, command="bench") as cache:
        t = time.perf_counter()
        summary = cache.upsert_documents(docs)
        upsert = time.perf_counter() - t
    assert summary.created == n, summary
    print(f"RESULT read {read}")
    print(f"RESULT upsert {upsert}")
    print(f"RESULT peak {peak_rss_mb()}")


def phase_synced(prof: Path, n: int) -> None:
    """Setup: every document synced but the last 10,000 (pending) and 1,000 before them (failed)."""
    t = time.perf_counter()
    with Cache.open(prof, writer=True, command="bench") as cache:
        keys = [(d["type"], d["ref"]) for d in cache.documents()]
        keep = PENDING if n > 2 * PENDING else n // 10
        fail = FAILED if n > 2 * PENDING else n // 100
        body = keys[: len(keys) - keep - fail]
        for i in range(0, len(body), 1000):
            cache.record_outcomes([{"type": ty, "ref": ref, "status": "synced", "run": "setup",
                                    "qbo": [{"entity": "Invoice", "id": str(i + j), "sync_token": "0"}]}
                                   for j, (ty, ref) in enumerate(body[i:i + 1000])])
        cache.record_outcomes([{"type": ty, "ref": ref, "status": "failed", "run": "setup",
                                "error": {"code": "6240", "message": "Duplicate Name Exists Error",
                                          "detail": "The name supplied already exists.", "hint": "rename it"}}
                               for ty, ref in keys[len(body):len(body) + fail]])
    print(f"    setup: {len(body):,} synced, {fail:,} failed, {keep:,} pending in {time.perf_counter() - t:.1f} s "
          "(not counted)")
    print(f"RESULT peak {peak_rss_mb()}")


def phase_gates(prof: Path, n: int) -> None:
    """What the writer that recorded those outcomes does as it closes (qbtui.cli.common: Profile.open): the gate
    results of the pending documents computed and stored (qbtui.sync.gatestore.refresh)."""
    from qbtui.sync.gatestore import refresh, stale_count

    t = time.perf_counter()
    with Cache.open(prof, writer=True, command="bench") as cache:
        stale = stale_count(cache)
        refresh(cache)
        assert stale_count(cache) == 0
    print(f"    the writer's refresh of {stale:,} gate results as it closes: {time.perf_counter() - t:.2f} s")
    print(f"RESULT gates {time.perf_counter() - t}")
    print(f"RESULT peak {peak_rss_mb()}")


def phase_counts(prof: Path, n: int) -> None:
    t = time.perf_counter()
    with Cache.open(prof, writer=False) as reader:
        counts = reader.status_counts()
    took = time.perf_counter() - t
    assert sum(sum(c.values()) for c in counts.values()) == n, counts
    print(f"RESULT counts {took}")
    print(f"RESULT peak {peak_rss_mb()}")


def phase_fix(prof: Path, n: int) -> None:
    with Cache.open(prof, writer=False) as reader:
        rec = next(iter(reader.documents_with_status(["failed"])))
    t0 = time.perf_counter()
    with Cache.open(prof, writer=True, command="bench") as cache:
        t1 = time.perf_counter()
        cache.update_document(rec["type"], rec["ref"], {**rec["data"], "memo": "fixed"})
        t2 = time.perf_counter()
    t3 = time.perf_counter()
    print(f"RESULT fix {t2 - t1}")
    print(f"RESULT fix_open {t3 - t0}")
    print(f"RESULT peak {peak_rss_mb()}")


def phase_outcomes(prof: Path, n: int) -> None:
    with Cache.open(prof, writer=False) as reader:
        refs = reader.keys_by_status(["pending"])[:5000]
    t = time.perf_counter()
    with Cache.open(prof, writer=True, command="bench") as cache:
        for i in range(0, len(refs), 30):
            cache.record_outcomes([{"type": ty, "ref": ref, "status": "sending", "run": "bench"}
                                   for ty, ref in refs[i:i + 30]])
    print(f"RESULT outcomes {time.perf_counter() - t}")
    print(f"RESULT peak {peak_rss_mb()}")


PHASES = {"write": phase_write, "import": phase_import, "synced": phase_synced, "gates": phase_gates,
          "counts": phase_counts,
          "fix": phase_fix, "outcomes": phase_outcomes}


def run_phase(name: str, prof: Path, n: int) -> dict[str, float]:
    proc = subprocess.run([sys.executable, __file__, "--phase", name, "--profile", str(prof), "--n", str(n)],
                          capture_output=True, text=True)
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
    return out


def run_cli(prof: Path, *args: str, stdin: str | None = None) -> tuple[float, float]:
    """A whole ``qbtui`` process: (wall seconds, peak RSS MB)."""
    env = {**os.environ, "QBTUI_DATA_DIR": str(prof.parent.parent), "PYTHONPATH": str(ROOT)}
    code = (f"import resource, runpy, sys; sys.argv = ['qbtui', '--profile', {prof.name!r}] + sys.argv[1:]\n"
            "try:\n    runpy.run_module('qbtui', run_name='__main__')\n"
            "finally:\n    sys.stderr.write(f'PEAK {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n')")
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True,
                          input=stdin)
    took = time.perf_counter() - t
    peak = [line for line in proc.stderr.splitlines() if line.startswith("PEAK ")]
    if proc.returncode not in (0, 1) or not peak:
        raise SystemExit(f"qbtui {' '.join(args)} failed: {proc.stderr[-2000:]}")
    return took, int(peak[-1].split()[1]) / 1024


def measure(n: int, keep: bool, reuse: Path | None = None) -> dict[str, float]:
    """``reuse``: a folder where the profile of each size is kept (made once: its import figures are kept beside
    it, in built.json, and reported again; every later phase is measured again)."""
    tmp = Path(tempfile.mkdtemp(prefix="qbtui-bench-")) if reuse is None else reuse / str(n)
    prof = tmp / "profiles" / "bench"
    print(f"--- {n:,} documents")
    out: dict[str, float] = {}
    peaks: list[float] = []
    built = tmp / "built.json"
    try:
        if reuse is not None and built.exists():
            out.update(json.loads(built.read_text()))
            peaks.append(out.pop("setup_peak"))
            print(f"    the profile kept in {tmp} (import figures as measured when it was made)")
        else:
            if reuse is not None:
                shutil.rmtree(tmp, ignore_errors=True)
                tmp.mkdir(parents=True)
            run_phase("write", prof, n)
            r = run_phase("import", prof, n)
            out["import"], out["import_read"], out["import_upsert"] = r["read"] + r["upsert"], r["read"], r["upsert"]
            out["import_peak"] = r["peak"]
            size = sum(p.stat().st_size for p in prof.iterdir() if p.name.startswith("documents.sqlite"))
            print(f"    documents.sqlite: {size / 1e6:.0f} MB")
            peaks.append(run_phase("synced", prof, n)["peak"])
            if reuse is not None:
                (prof.parent.parent / "export.jsonl").unlink(missing_ok=True)
                built.write_text(json.dumps({**out, "setup_peak": peaks[-1]}))
        r = run_phase("gates", prof, n)
        out["gates"] = r["gates"]
        peaks.append(r["peak"])
        r = run_phase("counts", prof, n)
        out["counts"] = r["counts"]
        peaks.append(r["peak"])
        for name, args in (("status", ("status", "--json")), ("errors", ("errors", "--json"))):
            out[name], peak = run_cli(prof, *args)
            out[f"{name}_peak"] = peak
            peaks.append(peak)
        with Cache.open(prof, writer=False) as reader:  # the dashboard's Enter on a document: its child
            pay = next(iter(reader.documents_with_status(["pending"], "sale_payment")))
        out["document"], out["document_peak"] = run_cli(prof, "document", "sale_payment", pay["ref"], "--events")
        peaks.append(out["document_peak"])
        out["dry_run"], out["dry_run_peak"] = run_cli(prof, "sync", "--dry-run", "--json")
        peaks.append(out["dry_run_peak"])
        r = run_phase("fix", prof, n)
        out["fix"], out["fix_open"] = r["fix"], r["fix_open"]
        peaks.append(r["peak"])
        with Cache.open(prof, writer=False) as reader:
            rec = next(iter(reader.documents_with_status(["failed"])))
        out["fix_cli"], peak = run_cli(prof, "update-document", "--events",
                                       stdin=json.dumps({**rec["data"], "memo": "fixed again"}))
        peaks.append(peak)
        r = run_phase("outcomes", prof, n)
        out["outcomes"] = r["outcomes"]
        peaks.append(r["peak"])
        out["peak"] = max(peaks)  # every process but the import (its own target: 1 GB)
    finally:
        if keep or reuse is not None:
            print(f"kept {prof}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return out


ROWS = (  # key, label, unit, target (None: reported only), compared across sizes
    ("import", "import (importer + upsert_documents)", "s", 60.0),
    ("import_read", "    of which the importer's reading and validation", "s", None),
    ("import_upsert", "    of which upsert_documents", "s", None),
    ("import_peak", "    peak memory of the import process", "MB", 1024.0),
    ("gates", "    the writer's refresh of the gate results as it closes (setup)", "s", None),
    ("counts", "reader open + status_counts (the cache's part of status)", "s", 1.0),
    ("status", "qbtui status --json (whole process, gates included)", "s", 1.0),
    ("errors", "qbtui errors --json (whole process, gates included)", "s", 1.0),
    ("document", "qbtui document (a pending payment: the dashboard's Enter)", "s", 1.0),
    ("document_peak", "    its peak memory", "MB", None),
    ("dry_run", "qbtui sync --dry-run --json (every pending and failed)", "s", None),
    ("dry_run_peak", "    its peak memory", "MB", 500.0),
    ("fix", "save one fix (update_document)", "s", 0.3),
    ("fix_open", "    writer open (quick_check) + save + close", "s", None),
    ("fix_cli", "    qbtui update-document (the fix form's child: whole process)", "s", None),
    ("outcomes", "5,000 outcomes, 30 a batch (open..close)", "s", 5.0),
    ("status_peak", "peak memory of qbtui status", "MB", 500.0),
    ("peak", "peak memory of any other process (setup included)", "MB", 500.0),
)


def report(results: dict[int, dict[str, float]]) -> bool:
    sizes = sorted(results)
    ok = True
    head = "".join(f"{n:>12,}" for n in sizes)
    print(f"\n{'figure':<60}{head}  target   {'ratio' if len(sizes) > 1 else ''}")
    for key, label, unit, target in ROWS:
        values = [results[n][key] for n in sizes]
        cells = "".join(f"{v:>9.2f} {unit:<2}" for v in values)
        missed = target is not None and values[-1] > target
        ok &= not missed
        ratio = f"{values[-1] / values[0]:6.2f}" if len(sizes) > 1 and values[0] else ""
        print(f"{label:<60}{cells}  {target if target is not None else '-':>6}  {ratio}  "
              f"{'MISSED' if missed else ''}")
    return ok


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--compare", action="store_true", help="10,000 and 1,000,000 in the same run")
    ap.add_argument("--keep", action="store_true", help="keep the temporary profile")
    ap.add_argument("--reuse", type=Path, metavar="DIR",
                    help="make each size's profile once in DIR and measure on it again in later runs")
    ap.add_argument("--phase", choices=sorted(PHASES))
    ap.add_argument("--profile", type=Path)
    args = ap.parse_args()
    if args.phase:
        PHASES[args.phase](args.profile, args.n)
        return 0
    sizes = (10_000, 1_000_000) if args.compare else (args.n,)
    results = {n: measure(n, args.keep, args.reuse) for n in sizes}
    return 0 if report(results) else 1


if __name__ == "__main__":
    sys.exit(main())
