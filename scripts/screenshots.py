"""Generate screenshots/ from the app (SVG via App.save_screenshot; never drawn by hand).

Run:  python scripts/screenshots.py [--out screenshots]

Builds the sample profile (qbtui.tui.sample) in a temp dir under a frozen clock, drives the
dashboard with Pilot and saves one SVG per view.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import qbtui.cache.store as store  # noqa: E402
from qbtui.tui.app import QbtuiApp  # noqa: E402
from qbtui.tui.sample import build_sample_profile  # noqa: E402

FAKE_SYNC = [sys.executable, str(Path(__file__).resolve().parents[1] / "tests" / "tui" / "fake_sync.py")]

# (file name, terminal size, keys pressed after the start)
SHOTS = [
    ("sales-invoices-120x40", (120, 40), ["j", "space", "space", "space"]),
    ("sales-invoices-80x24", (80, 24), ["j", "space", "space"]),
    ("purchases-all-120x40", (120, 40), ["2", "right_square_bracket", "right_square_bracket", "p"]),
    ("errors-120x40", (120, 40), ["5"]),
    ("errors-80x24", (80, 24), ["5"]),
    ("errors-dates-fix-form-120x40", (120, 40), ["5", "right_square_bracket", "j", "e"]),
    ("errors-link-picker-120x40", (120, 40), ["5", "right_square_bracket", "right_square_bracket", "e",
                                               "ctrl+l"]),
    ("document-120x40", (120, 40), ["p", "enter"]),
    ("upload-confirm-120x40", (120, 40), ["a", "u"]),
    ("discrepancies-120x40", (120, 40), ["6"]),
    ("help-80x24", (80, 24), ["question_mark"]),
    ("ansi-light-120x40", (120, 40), ["4"]),
]


async def shoot(profile: Path, data_dir: Path, out: Path, name: str, size: tuple[int, int], keys: list[str]) -> None:
    theme = "ansi-light" if "ansi-light" in name else None
    app = QbtuiApp(profile, profile="demo", data_dir=data_dir, qbtui_command=FAKE_SYNC, theme=theme)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        for k in keys:
            await pilot.press(k)
            await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        app.save_screenshot(filename=f"{name}.svg", path=str(out))
    print(f"{out / (name + '.svg')}")


async def main_async(out: Path) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="qbtui-shots-"))
    try:
        store._now = lambda: "2026-11-27T09:00:00+00:00"  # frozen clock for imported/history times
        data_dir = tmp / "data"
        profile = build_sample_profile(data_dir / "profiles" / "demo")
        out.mkdir(parents=True, exist_ok=True)
        for name, size, keys in SHOTS:
            await shoot(profile, data_dir, out, name, size, keys)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "screenshots")
    args = ap.parse_args()
    asyncio.run(main_async(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
