"""Benchmark of the cache (documents.sqlite) at 100,000 documents, or 1,000,000, or both sizes compared.

Run:  python tests/bench/bench_cache.py [--n 100000]      one size
      python tests/bench/bench_cache.py --compare          10,000 and 1,000,000 in the same run, with the ratio
      ... --reuse DIR                                      keep each profile in DIR, measure again on it later

Each phase runs in a fresh process, as the app would. The profile is made as a user's would be: a .jsonl
export imported through qbtui/documents/importer.py (read and validate) then ``upsert_documents``; then every
document is marked synced except 10,000 pending and 1,010 failed (setup, not counted; tests/bench/datasets.py:
iter_bench_profile). --compare holds the SAME work in hand at both sizes: the 1,000,000-document profile, and a
small one made of the same 10,000 pending and 1,010 failed documents and only the documents they name (14,067,
synced): 25,077 documents. The two differ in their synced history only (the cost follows the work, not the
history); the import figures follow the documents imported and are not compared. Measured: the import
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
from tests.bench.datasets import iter_bench_profile, record_statuses  # noqa: E402

#: the failed documents' error
ERROR = {"code": "6240", "message": "Duplicate Name Exists Error", "detail": "The name supplied already exists.",
         "hint": "rename it"}


def peak_rss_mb() -> float:
    """This process's peak memory since it started its program: Linux's VmHWM. Not ``ru_maxrss``, which keeps
    the resident size of the process that started it (the benchmark's parent, as it was when it forked), so that a
    child looked as large as its parent."""
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


# --------------------------------------------------------------------------- phases (each in its own process)

def phase_write(prof: Path, n: int, history: bool) -> None:
    """The export file a user would import (.jsonl: streamed by the importer)."""
    path = prof.parent.parent / "export.jsonl"
    made = 0
    with open(path, "w") as f:
        for doc, _ in iter_bench_profile(n, history=history):
            f.write(json.dumps(doc) + "\n")
            made += 1
    (prof.parent.parent / "documents.count").write_text(str(made))
    print(f"    export: {made:,} documents, {path.stat().st_size / 1e6:.0f} MB")


def phase_import(prof: Path, n: int, history: bool) -> None:
    from qbtui.documents import read_file

    path = prof.parent.parent / "export.jsonl"
    t = time.perf_counter()
    docs = read_file(path)
    read = time.perf_counter() - t
    with Cache.open(prof, writer=True, command="bench") as cache:
        t = time.perf_counter()
        summary = cache.upsert_documents(docs)
        upsert = time.perf_counter() - t
    assert summary.created == int((prof.parent.parent / "documents.count").read_text()), summary
    print(f"RESULT read {read}")
    print(f"RESULT upsert {upsert}")
    print(f"RESULT peak {peak_rss_mb()}")


def phase_synced(prof: Path, n: int, history: bool) -> None:
    """Setup: every document synced but the work in hand: 10,000 pending and 1,010 failed."""
    t = time.perf_counter()
    with Cache.open(prof, writer=True, command="bench") as cache:
        made = record_statuses(cache, iter_bench_profile(n, history=history), ERROR, batch=1000)
    print(f"    setup: {made['synced']:,} synced, {made['failed']:,} failed, {made['pending']:,} pending in "
          f"{time.perf_counter() - t:.1f} s (not counted)")
    print(f"RESULT peak {peak_rss_mb()}")


def phase_gates(prof: Path, n: int, history: bool) -> None:
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


def phase_counts(prof: Path, n: int, history: bool) -> None:
    t = time.perf_counter()
    with Cache.open(prof, writer=False) as reader:
        counts = reader.status_counts()
    took = time.perf_counter() - t
    assert sum(sum(c.values()) for c in counts.values()) == int((prof.parent.parent / "documents.count").read_text())
    print(f"RESULT counts {took}")
    print(f"RESULT peak {peak_rss_mb()}")


def phase_fix(prof: Path, n: int, history: bool) -> None:
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


def phase_outcomes(prof: Path, n: int, history: bool) -> None:
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


def run_phase(name: str, prof: Path, n: int, history: bool) -> dict[str, float]:
    proc = subprocess.run([sys.executable, __file__, "--phase", name, "--profile", str(prof), "--n", str(n),
                           *(() if history else ("--work-only",))], capture_output=True, text=True)
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


def run_cli(prof: Path, *args: str, stdin: str | None = None) -> tuple[float, float, str]:
    """A whole ``qbtui`` process: (wall seconds, peak RSS MB, what it printed)."""
    env = {**os.environ, "QBTUI_DATA_DIR": str(prof.parent.parent), "PYTHONPATH": str(ROOT)}
    code = (f"import resource, runpy, sys; sys.argv = ['qbtui', '--profile', {prof.name!r}] + sys.argv[1:]\n"
            "try:\n    runpy.run_module('qbtui', run_name='__main__')\n"
            "finally:\n    try:  # as peak_rss_mb: VmHWM, not the parent's size that ru_maxrss keeps\n"
            "        kb = int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM:')).split()[1])\n"
            "    except (OSError, StopIteration):\n"
            "        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            "    sys.stderr.write(f'PEAK {kb / 1024}\\n')")
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True,
                          input=stdin)
    took = time.perf_counter() - t
    peak = [line for line in proc.stderr.splitlines() if line.startswith("PEAK ")]
    if proc.returncode not in (0, 1) or not peak:
        raise SystemExit(f"qbtui {' '.join(args)} failed: {proc.stderr[-2000:]}")
    return took, float(peak[-1].split()[1]), proc.stdout


def measure(n: int, keep: bool, reuse: Path | None = None, history: bool = True) -> dict[str, float]:
    """``reuse``: a folder where the profile of each size is kept (made once: its import figures are kept beside
    it, in built.json, and reported again; every later phase is measured again). ``history=False``: the work in
    hand of the mix of ``n`` and only what it names (tests/bench/datasets.py: iter_bench_profile)."""
    name = str(n) if history else f"{n}-work-only"
    tmp = Path(tempfile.mkdtemp(prefix="qbtui-bench-")) if reuse is None else reuse / name
    prof = tmp / "profiles" / "bench"
    print(f"--- {n:,} documents" if history else
          f"--- the work in hand of {n:,} documents and what it names, no other history")
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
            run_phase("write", prof, n, history)
            r = run_phase("import", prof, n, history)
            out["import"], out["import_read"], out["import_upsert"] = r["read"] + r["upsert"], r["read"], r["upsert"]
            out["import_peak"] = r["peak"]
            size = sum(p.stat().st_size for p in prof.iterdir() if p.name.startswith("documents.sqlite"))
            print(f"    documents.sqlite: {size / 1e6:.0f} MB")
            peaks.append(run_phase("synced", prof, n, history)["peak"])
            if reuse is not None:
                (prof.parent.parent / "export.jsonl").unlink(missing_ok=True)
                built.write_text(json.dumps({**out, "setup_peak": peaks[-1]}))
        r = run_phase("gates", prof, n, history)
        out["gates"] = r["gates"]
        peaks.append(r["peak"])
        r = run_phase("counts", prof, n, history)
        out["counts"] = r["counts"]
        peaks.append(r["peak"])
        for name, args in (("status", ("status", "--json")), ("errors", ("errors", "--json"))):
            out[name], peak, printed = run_cli(prof, *args)
            out[f"{name}_peak"] = peak
            peaks.append(peak)
        out["errors_rows"] = len(json.loads(printed).get("errors") or ())
        with Cache.open(prof, writer=False) as reader:  # the dashboard's Enter on a document: its child
            pay = next(iter(reader.documents_with_status(["pending"], "sale_payment")))
        out["document"], out["document_peak"], _ = run_cli(prof, "document", "sale_payment", pay["ref"], "--events")
        peaks.append(out["document_peak"])
        out["dry_run"], out["dry_run_peak"], _ = run_cli(prof, "sync", "--dry-run", "--json")
        peaks.append(out["dry_run_peak"])
        r = run_phase("fix", prof, n, history)
        out["fix"], out["fix_open"] = r["fix"], r["fix_open"]
        peaks.append(r["peak"])
        with Cache.open(prof, writer=False) as reader:
            rec = next(iter(reader.documents_with_status(["failed"])))
        out["fix_cli"], peak, _ = run_cli(prof, "update-document", "--events",
                                       stdin=json.dumps({**rec["data"], "memo": "fixed again"}))
        peaks.append(peak)
        r = run_phase("outcomes", prof, n, history)
        out["outcomes"] = r["outcomes"]
        peaks.append(r["peak"])
        out["peak"] = max(peaks)  # every process but the import (its own target: 1 GB)
        out["documents"] = float((tmp / "documents.count").read_text())
    finally:
        if keep or reuse is not None:
            print(f"kept {prof}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return out


ROWS = (  # key, label, unit, target (None: reported only), compared across sizes (within 1.5 times)
    ("documents", "documents in the profile", "", None, False),
    ("import", "import (importer + upsert_documents)", "s", 60.0, False),
    ("import_read", "    of which the importer's reading and validation", "s", None, False),
    ("import_upsert", "    of which upsert_documents", "s", None, False),
    ("import_peak", "    peak memory of the import process", "MB", 1024.0, False),
    ("gates", "    the writer's refresh of the gate results as it closes (setup)", "s", None, False),
    ("counts", "reader open + status_counts (the cache's part of status)", "s", 1.0, True),
    ("status", "qbtui status --json (whole process, gates included)", "s", 1.0, True),
    ("errors", "qbtui errors --json (whole process, gates included)", "s", 1.0, True),
    ("errors_rows", "    the blocked and failed documents it lists", "", None, False),
    ("document", "qbtui document (a pending payment: the dashboard's Enter)", "s", 1.0, True),
    ("document_peak", "    its peak memory", "MB", None, True),
    ("dry_run", "qbtui sync --dry-run --json (every pending and failed)", "s", None, True),
    ("dry_run_peak", "    its peak memory", "MB", 500.0, True),
    ("fix", "save one fix (update_document)", "s", 0.3, True),
    ("fix_open", "    writer open (quick_check) + save + close", "s", None, True),
    ("fix_cli", "    qbtui update-document (the fix form's child: whole process)", "s", None, True),
    ("outcomes", "5,000 outcomes, 30 a batch (open..close)", "s", 5.0, True),
    ("status_peak", "peak memory of qbtui status", "MB", 500.0, True),
    ("errors_peak", "peak memory of qbtui errors", "MB", 500.0, True),
    ("peak", "peak memory of any other process (setup included)", "MB", 500.0, True),
)
MAX_GROWTH = 1.5
#: below these a figure is noise: its ratio is shown, not judged
NOISE = {"s": 0.02, "MB": 20.0}


def report(results: dict[str, dict[str, float]]) -> bool:
    """Each figure of each size (the last: the one the targets are for), and with two sizes the ratio of the
    last to the first, judged (within 1.5) where the figure is compared: the cost follows the work in hand."""
    sizes = list(results)
    ok = True
    head = "".join(f"{n:>14}" for n in sizes)
    print(f"\n{'figure':<66}{head}  target   {f'ratio (<= {MAX_GROWTH})' if len(sizes) > 1 else ''}")
    for key, label, unit, target, compared in ROWS:
        values = [results[n][key] for n in sizes]
        cells = "".join(f"{v:>11,.0f}   " if not unit else f"{v:>11.2f} {unit:<2}" for v in values)
        missed = target is not None and values[-1] > target
        ok &= not missed
        ratio, grew = "", False
        if len(sizes) > 1 and values[0]:
            ratio = f"{values[-1] / values[0]:6.2f}"
            if compared and values[0] >= NOISE.get(unit, 0) and values[-1] / values[0] > MAX_GROWTH:
                grew = True
            elif compared and values[0] < NOISE.get(unit, 0):
                ratio += " (too small to judge)"
        ok &= not grew
        print(f"{label:<66}{cells}  {target if target is not None else '-':>6}  {ratio}  "
              f"{'MISSED' if missed else ''}{' GREW' if grew else ''}")
    return ok


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--compare", action="store_true",
                    help="1,000,000 documents and the same work in hand without the history (25,077), in the same run")
    ap.add_argument("--work-only", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--keep", action="store_true", help="keep the temporary profile")
    ap.add_argument("--reuse", type=Path, metavar="DIR",
                    help="make each size's profile once in DIR and measure on it again in later runs")
    ap.add_argument("--phase", choices=sorted(PHASES))
    ap.add_argument("--profile", type=Path)
    args = ap.parse_args()
    if args.phase:
        PHASES[args.phase](args.profile, args.n, not args.work_only)
        return 0
    if args.compare:
        n = args.n if args.n != 100_000 else 1_000_000
        results = {"work only": measure(n, args.keep, args.reuse, history=False),
                   f"{n:,}": measure(n, args.keep, args.reuse)}
    else:
        results = {f"{args.n:,}": measure(args.n, args.keep, args.reuse)}
    return 0 if report(results) else 1


if __name__ == "__main__":
    sys.exit(main())
