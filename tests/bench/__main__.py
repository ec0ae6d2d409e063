"""Run every benchmark, one process each: `python -m tests.bench [NAME...]` (names: import, cache, ledger,
sandbox, sync, summaries, firm, undo, startup, tui, footer, desktop). Each prints its figures, targets and ratios; the exit code is non-zero if any missed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ("import", "cache", "startup", "ledger", "sandbox", "tui", "footer", "sync", "summaries", "firm", "undo", "desktop")


def main(names: list[str]) -> int:
    worst = 0
    for name in names or ORDER:
        script = HERE / f"bench_{name}.py"
        if not script.exists():
            print(f"no benchmark {name!r} (have: {', '.join(ORDER)})")
            worst = 2
            continue
        print(f"== {name} ==", flush=True)
        worst = max(worst, subprocess.run([sys.executable, str(script)]).returncode)
    return worst


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
