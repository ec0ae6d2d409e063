"""Benchmark of the footer on a tab switch: the UI thread's CPU time of switching between the Errors tab (5) and a
document tab (1), whose footers differ (u U p, or r), headless at 120x40 on the sample profile (`qbtui demo`'s
documents), from the key press to the end of the refresh after it. Three ways, each in a fresh app:

* the dashboard's footer (KeysFooter: its keys shown, hidden, greyed in place);
* Textual's Footer (removes its keys and mounts new ones on every change of the bindings), for comparison;
* no footer refresh at all (the switch's own work: the floor), and an unbound key (the loop's own cost).

The footer's share of a switch is its figure less the floor. Target: a switch within 50 ms of the UI thread (the
dashboard's key target), the footer's share within 10 ms.

Run:  python tests/bench/bench_footer.py [--switches 40]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from textual.widgets import Footer  # noqa: E402

import qbtui.tui.dashboard as dashboard_module  # noqa: E402
from qbtui.tui.app import QbtuiApp  # noqa: E402
from qbtui.tui.footer import KeysFooter  # noqa: E402
from qbtui.tui.sample import build_sample_profile  # noqa: E402

SWITCH_TARGET = 0.050
FOOTER_TARGET = 0.010


async def _cpu_of(pilot, key: str) -> float:
    """The UI thread's CPU time from the key press to the end of the refreshes after it (the app runs in this
    thread: everything it does for the key counts, and nothing of other processes)."""
    t = time.thread_time()
    await pilot.press(key)
    await pilot.pause()
    await pilot.pause()
    return time.thread_time() - t


async def _measure(profile: Path, footer: type, refresh: bool, switches: int) -> tuple[list[float], list[float]]:
    dashboard_module.KeysFooter = footer  # type: ignore[attr-defined]  # what the dashboard composes
    try:
        app = QbtuiApp(profile, profile="demo", data_dir=profile.parents[1])
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            if not refresh:
                app.dashboard.refresh_bindings = lambda: None  # type: ignore[method-assign]
            for _ in range(3):  # every tab's rows read once, the footer's keys of both kinds shown once
                await _cpu_of(pilot, "5")
                await _cpu_of(pilot, "1")
            switch, noop = [], []
            for _ in range(switches // 2):
                switch.append(await _cpu_of(pilot, "5"))
                switch.append(await _cpu_of(pilot, "1"))
                noop.append(await _cpu_of(pilot, "f12"))
            await app.workers.wait_for_complete()
    finally:
        dashboard_module.KeysFooter = KeysFooter  # type: ignore[attr-defined]
    return switch, noop


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--switches", type=int, default=40)
    args = ap.parse_args()
    profile = Path(tempfile.mkdtemp(prefix="qbtui-bench-footer-")) / "data" / "profiles" / "demo"
    build_sample_profile(profile)
    runs = {"KeysFooter (the dashboard's)": (KeysFooter, True), "Textual's Footer (for comparison)": (Footer, True),
            "no footer refresh (the floor)": (KeysFooter, False)}
    medians: dict[str, float] = {}
    print(f"UI-thread CPU per tab switch 5 <-> 1 at 120x40, median / max over {args.switches} switches:")
    noops: list[float] = []
    for label, (footer, refresh) in runs.items():
        switch, noop = asyncio.run(_measure(profile, footer, refresh, args.switches))
        noops += noop
        medians[label] = statistics.median(switch)
        print(f"  {label:36} {medians[label] * 1000:6.1f} / {max(switch) * 1000:6.1f} ms")
    print(f"  {'an unbound key (baseline)':36} {statistics.median(noops) * 1000:6.1f} ms")
    ours, floor = medians["KeysFooter (the dashboard's)"], medians["no footer refresh (the floor)"]
    textual = medians["Textual's Footer (for comparison)"]
    ok = True
    for label, value, target in (("a switch (median)", ours, SWITCH_TARGET),
                                 ("the footer's share (median less the floor)", ours - floor, FOOTER_TARGET)):
        ratio = value / target
        ok &= ratio <= 1.0
        print(f"{label:48} {value * 1000:6.1f} ms  target {target * 1000:.0f} ms  ratio {ratio:.2f}  "
              f"{'OK' if ratio <= 1 else 'MISSED'}")
    label = "the footer's share with Textual's Footer"
    print(f"{label:48} {(textual - floor) * 1000:6.1f} ms")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
