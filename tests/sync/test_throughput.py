"""Throughput in small: the engine uses QBO's batch budget and its single-request budget side by side,
paced under the limits (no 429: one costs a whole minute). The full-size figure is tests/bench/bench_sync.py."""

from __future__ import annotations

import asyncio
import time

from qbtui.limits import Limits
from qbtui.sync.connection import open_client
from qbtui.sync.engine import SyncEngine
from tests.bench.bench_sync import OBJECTS_PER_WINDOW, documents


def _full_intervals(batches: list[float], limit: int, window: float) -> list[tuple[float, float]]:
    """When the batch budget was full: from each batch that was the ``limit``-th in its sliding window until
    the oldest of those left the window (no batch could go then)."""
    return [(batches[i], batches[i - limit + 1] + window) for i in range(limit - 1, len(batches))]


def test_both_budgets_used_and_no_429(make_profile):
    """Both budgets are used side by side: the batches fill their budget (as many in a window as QBO takes), and
    while they wait for it, and in every quarter of a minute that batches go out, single requests go out too. How many single
    requests a run sends depends on the machine (the sandbox answers in this process: singles are bounded by its
    CPU here, not by their budget), so it is checked by when they went, not by how many."""
    time_scale = 15.0  # a 4 s "minute"
    profile = make_profile(throttle="qbo", time_scale=time_scale, latency_ms=5)
    docs = documents(30, 20, 1500, 1500)
    profile.import_docs(docs)
    log = profile.log_requests()

    async def go():
        with profile.cache(writer=True) as cache:
            async with await open_client(cache, profile.path) as client:
                t0 = time.perf_counter()
                report = await SyncEngine(cache, client).sync()
                return report, client.stats, time.perf_counter() - t0

    report, stats, wall = asyncio.run(go())
    assert report.exit_code == 0
    assert all(d["status"] == "synced" for d in report.documents)
    assert stats.throttled == 0 and profile.sandbox.throttle.rejected == 0
    posts = sorted((r.start, r.path.rstrip("/").endswith("/batch")) for r in log.requests if r.method == "POST")
    batches = [t for t, is_batch in posts if is_batch]
    singles = [t for t, is_batch in posts if not is_batch]
    assert len(batches) == stats.batches > 60, stats  # the batches carry most of it
    limits = Limits()
    window = limits.minute_s / time_scale
    full = _full_intervals(batches, limits.batches_per_minute, window)
    assert full, "the batch budget was never full: batches alone would do"
    waiting = [t for t in singles if any(a <= t < b for a, b in full)]
    assert len(waiting) >= 100, (len(waiting), len(singles))  # singles go while the batches wait for their budget
    quarter = window / 4  # every quarter of a minute in which batches went out, singles went out too
    with_batches = {int((t - posts[0][0]) / quarter) for t in batches}
    with_singles = {int((t - posts[0][0]) / quarter) for t in singles}
    assert with_batches - with_singles <= {max(with_batches)}, (sorted(with_batches), sorted(with_singles))
    minimum = len(docs) / OBJECTS_PER_WINDOW * (60 / time_scale)
    assert wall < 1.6 * minimum + 1.0, (wall, minimum)
    print(f"singles {len(singles)} ({len(waiting)} while the batch budget was full), batches {len(batches)}, "
          f"wall {wall:.1f} s (minimum {minimum:.1f} s)")
    assert profile.count("Invoice", "DocNumber")["BS-000001"] == 1
