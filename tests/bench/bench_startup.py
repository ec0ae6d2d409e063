"""Start-up: the wall time of a `qbtui` command that does little, process start to exit (best of 5).

    python tests/bench/bench_startup.py [--documents 1000] [--runs 5] [--root DIR]

Every command, and every child process the dashboard starts (`qbtui ... --events`), pays its imports before it
does anything. Measured: `qbtui --version` (the interpreter and the root command), `qbtui status --help` (a
command's options, nothing opened) and `qbtui status --json` on a profile of 1,000 imported documents (open, counts,
gates), each as a new `python -m qbtui` process. `--root` measures another checkout of qbtui (e.g. the release
before, to compare: its own profile is made with its own `import`).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.bench_sync import documents  # noqa: E402

#: targets: what a command costs before it does anything
TARGETS = {"--version": 0.25, "status --help": 0.35, "status --json": 0.8}


def best_of(root: Path, env: dict[str, str], args: list[str], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "qbtui", *args], cwd=root, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if r.returncode not in (0, 1):
            raise RuntimeError(f"qbtui {' '.join(args)} -> {r.returncode}: {r.stderr[-2000:]}")
        best = min(best, wall)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--documents", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--root", type=Path, default=ROOT, help="the qbtui checkout to measure (default: this one)")
    args = ap.parse_args(argv)
    root = args.root.resolve()
    n = args.documents
    docs = documents(max(1, n // 20), max(1, n // 40), n - max(1, n // 20) - max(1, n // 40), 0)
    worst = 0
    with tempfile.TemporaryDirectory(prefix="qbtui-bench-startup-") as tmp:
        env = {**os.environ, "QBTUI_DATA_DIR": str(Path(tmp) / "data"), "PYTHONPATH": str(root)}
        path = Path(tmp) / "docs.json"
        path.write_text(json.dumps({"documents": docs}))
        r = subprocess.run([sys.executable, "-m", "qbtui", "import", str(path)], cwd=root, env=env,
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"import -> {r.returncode}: {r.stderr[-2000:]}")
        print(f"qbtui at {root}; a profile of {len(docs)} imported documents; best of {args.runs} runs each")
        for label, argv_ in (("--version", ["--version"]), ("status --help", ["status", "--help"]),
                             ("status --json", ["status", "--json"])):
            wall = best_of(root, env, argv_, args.runs)
            target = TARGETS[label]
            ratio = wall / target
            worst = max(worst, int(ratio > 1))
            print(f"qbtui {label}: {wall * 1000:.0f} ms (target <= {target * 1000:.0f} ms, ratio {ratio:.2f})")
    return worst


if __name__ == "__main__":
    raise SystemExit(main())
