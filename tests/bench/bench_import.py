"""Benchmark of `qbtui import` at 100,000 documents (the real path: parse, validate, store).

Run:  python tests/bench/bench_import.py [--n 100000]
Generates a realistic JSON export (tests/bench/datasets.py), then runs `qbtui import` and
`qbtui status --json` as a user would, each in its own process; prints wall time, target, ratio
and the peak RSS of the import process. Exits non-zero if a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.datasets import document_mix  # noqa: E402


def timed(args: list[str], env: dict[str, str]) -> tuple[float, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    n = parser.parse_args().n
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.json"
        path.write_text(json.dumps({"documents": document_mix(n)}))
        env = dict(os.environ, QBTUI_DATA_DIR=str(Path(tmp) / "data"))
        qbtui = [sys.executable, "-m", "qbtui"]
        import_s, import_rss = timed([*qbtui, "import", str(path)], env)
        status_s, _ = timed([*qbtui, "status", "--json"], env)
    rows = [
        (f"import {n:,} documents (qbtui import, whole process)", import_s, 15.0, "s"),
        (f"qbtui status --json over {n:,} documents (reopen + gates)", status_s, None, "s"),
        ("peak memory of the import process", import_rss / 1024, 600.0, "MB"),
    ]
    failed = False
    for label, value, target, unit in rows:
        ratio = f"{value / target:.2f}" if target else "-"
        failed |= bool(target and value > target)
        print(f"{label:60} {value:8.2f} {unit:2}  target {target or '-':>6}  ratio {ratio}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
