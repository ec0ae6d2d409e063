"""Throughput in small: the engine uses QBO's batch budget and its single-request budget side by side,
paced under the limits (no 429: one costs a whole minute). The full-size figure is tests/bench/bench_sync.py."""

from __future__ import annotations

import asyncio
import time

from qbtui.sync.connection import open_client
from qbtui.sync.engine import SyncEngine
from tests.bench.bench_sync import OBJECTS_PER_WINDOW, documents


def test_both_budgets_used_and_no_429(make_profile):
    time_scale = 15.0  # a 4 s "minute"
    profile = make_profile(throttle="qbo", time_scale=time_scale, latency_ms=5)
    docs = documents(30, 20, 1500, 1500)
    profile.import_docs(docs)

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
    singles = stats.requests - stats.batches
    assert stats.batches > 60 and singles > 400, stats  # both budgets, not batches alone
    minimum = len(docs) / OBJECTS_PER_WINDOW * (60 / time_scale)
    assert wall < 1.6 * minimum + 1.0, (wall, minimum)
    assert profile.count("Invoice", "DocNumber")["BS-000001"] == 1
