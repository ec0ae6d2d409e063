"""Benchmark of the dashboard at 100,000 documents.

Run:  python tests/bench/bench_tui.py [--n 100000] [--presses 30]

Builds a profile with --n documents (tests/bench/datasets.py), then, headless at 120x40:
* first paint: from before the cache is opened to the end of the first refresh showing rows
  (the gate overlay runs afterwards in a thread; its time is printed, without a target);
* keypress latency measured inside the app: from the Key event to the end of the next refresh
  (QBTUI_TIME_KEYS), for j, space, a tab switch (1/2, ]) and the filter's enter, next to an
  unbound key as the baseline. Median and p95, with targets and ratios (<= 1.0 passes).
Exits non-zero if a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ["QBTUI_TIME_KEYS"] = "1"

from qbtui.cache import Cache  # noqa: E402
from qbtui.tui.app import QbtuiApp  # noqa: E402
from tests.bench.datasets import document_mix  # noqa: E402

FIRST_PAINT_TARGET = 2.0
KEY_TARGET = 0.050


def build(profile: Path, n: int) -> None:
    docs = document_mix(n)
    with Cache.open(profile, writer=True) as cache:
        cache.upsert_documents(docs)
        cache.set_setting("environment", "sandbox")
        cache.set_setting("realm_id", "1")
        cache.put_reference("company_info", {"CompanyName": "Bench Co"})
        # a realistic share already synced / failed
        outcomes = [{"type": d["type"], "ref": d["ref"], "status": "synced", "synced_rev": 1,
                     "qbo": [{"entity": "X", "id": str(i), "sync_token": "0"}]}
                    for i, d in enumerate(docs) if i % 3 == 0]
        outcomes += [{"type": d["type"], "ref": d["ref"], "status": "failed",
                      "error": {"code": "6000", "message": "bench", "hint": "none"}}
                     for i, d in enumerate(docs) if i % 97 == 1]
        for k in range(0, len(outcomes), 5000):
            cache.record_outcomes(outcomes[k:k + 5000])


async def measure(profile: Path, data_dir: Path, presses: int) -> dict:
    t0 = time.perf_counter()
    app = QbtuiApp(profile, profile="bench", data_dir=data_dir)
    out: dict = {}
    async with app.run_test(size=(120, 40)) as pilot:
        while app.first_paint_at is None:
            await asyncio.sleep(0.001)
        out["first_paint"] = app.first_paint_at - t0
        out["model_load"] = app.model.load_seconds
        out["rows_first"] = app.model.count()
        out["shown"] = len(app.table.index)
        t_rest = time.perf_counter()
        # the other types, the totals and the gates follow in threads: wait until all are in
        while True:
            await app.workers.wait_for_complete()
            await pilot.pause()
            if app.model.complete and app.model.totals_ready and not any(
                    w.is_running for w in app.workers):
                break
        out["rest"] = time.perf_counter() - t_rest
        out["rows"] = app.model.count()

        async def timed(label: str, keys: list[str]) -> None:
            app.key_timings.clear()
            for k in keys:
                await pilot.press(k)
                await pilot.pause()
            out[label] = [t for _, t in app.key_timings]

        await timed("no-op key (baseline)", ["z"] * presses)
        await timed("j (cursor down)", ["j"] * presses)
        await timed("space (select)", ["space"] * presses)
        await timed("tab switch (1, 2, ])", ["2", "1", "right_square_bracket"] * (presses // 3))
        # the filter: "/" then typing applies live (each key filters the rows), enter keeps it
        typing, enter = [], []
        for i in range(max(3, presses // 5)):
            await pilot.press("slash")
            await pilot.pause()
            for ch in (str(i % 10), str((i * 3) % 10)):
                app.key_timings.clear()
                await pilot.press(ch)
                await pilot.pause()
                typing += [t for _, t in app.key_timings]
            app.key_timings.clear()
            await pilot.press("enter")
            await pilot.pause()
            enter += [t for _, t in app.key_timings]
            await pilot.press("escape")  # clear it again
            await pilot.pause()
        out["filter (typing, live)"] = typing
        out["filter (enter)"] = enter
        app.key_timings.clear()
        await timed("p (pending/all)", ["p"] * (presses // 3))
        await timed("a (select all shown)", ["a", "escape"] * (presses // 6))
    return out


def p95(values: list[float]) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--presses", type=int, default=30)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="qbtui-bench-tui-"))
    try:
        data_dir = tmp / "data"
        profile = data_dir / "profiles" / "bench"
        t = time.perf_counter()
        build(profile, args.n)
        print(f"built {args.n:,} documents in {time.perf_counter() - t:.1f} s (not timed)")
        r = asyncio.run(measure(profile, data_dir, args.presses))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    ok = True
    ratio = r["first_paint"] / FIRST_PAINT_TARGET
    ok &= ratio <= 1.0
    print(f"{'first paint (cache load + model + first refresh)':52} {r['first_paint'] * 1000:8.0f} ms  "
          f"target {FIRST_PAINT_TARGET * 1000:.0f} ms  ratio {ratio:.2f}  {'OK' if ratio <= 1 else 'MISSED'}")
    print(f"{'  of which the model (rows, totals, sort)':52} {r['model_load'] * 1000:8.0f} ms")
    print(f"{'other tabs + totals + gates after it (threads, no target)':52} {r['rest'] * 1000:8.0f} ms")
    print(f"rows at first paint {r['rows_first']:,} (shown type + contacts); in all {r['rows']:,}; "
          f"rows in the first tab {r['shown']:,}")
    print(f"keypress latency, key event -> end of next refresh (median / p95), target {KEY_TARGET * 1000:.0f} ms:")
    for label, values in r.items():
        if not isinstance(values, list):
            continue
        if not values:
            print(f"  {label:36} no samples")
            continue
        med, hi = statistics.median(values), p95(values)
        ratio = hi / KEY_TARGET
        passed = ratio <= 1.0
        if "baseline" not in label:
            ok &= passed
        print(f"  {label:36} {med * 1000:7.1f} / {hi * 1000:7.1f} ms  ratio(p95) {ratio:.2f}  "
              f"{'OK' if passed else 'MISSED'}  (n={len(values)})")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
