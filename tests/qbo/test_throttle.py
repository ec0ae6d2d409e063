"""The client-side throttle on a fake clock: windows never overfull, and not needlessly slow."""

import asyncio

from qbtui.qbo import Limits, Throttle


class FakeTime:
    def __init__(self):
        self.now = 0.0

    def clock(self):
        return self.now

    async def sleep(self, s):
        self.now += max(s, 0.0)
        await asyncio.sleep(0)


def max_in_window(times, span):
    times = sorted(times)
    best, j = 0, 0
    for i, t in enumerate(times):
        while times[j] <= t - span:
            j += 1
        best = max(best, i - j + 1)
    return best


async def run(n, *, batch_every=0, time_scale=1.0, limits=None):
    ft = FakeTime()
    th = Throttle(limits, time_scale=time_scale, clock=ft.clock, sleep=ft.sleep)
    sent, batches = [], []

    async def one(i):
        is_batch = bool(batch_every) and i % batch_every == 0
        async with th.slot(batch=is_batch):
            sent.append(ft.now)
            if is_batch:
                batches.append(ft.now)
            await asyncio.sleep(0)

    await asyncio.gather(*(one(i) for i in range(n)))
    return ft, sent, batches


async def test_requests_per_second_and_minute():
    ft, sent, _ = await run(1200)
    assert len(sent) == 1200
    assert max_in_window(sent, 1.0) <= 10
    assert max_in_window(sent, 60.0) <= 500
    # 1200 requests need two full minute windows (+ margin), not much more
    assert 2 * 60 < ft.now < 2 * 66 + 30


async def test_batches_per_minute():
    ft, sent, batches = await run(300, batch_every=1)
    assert max_in_window(batches, 60.0) <= 40
    assert ft.now > 60 * 6  # 300 batches at 40/min


async def test_time_scale_shortens_windows():
    ft, sent, _ = await run(1000, time_scale=60)
    assert max_in_window(sent, 1.0) <= 500
    assert max_in_window(sent, 1 / 60) <= 10
    assert ft.now < 3.0


async def test_concurrency_cap():
    th = Throttle(Limits(concurrent=3, per_second=1000, per_minute=100000))
    inside, peak = 0, 0

    async def one():
        nonlocal inside, peak
        async with th.slot():
            inside += 1
            peak = max(peak, inside)
            await asyncio.sleep(0.001)
            inside -= 1

    await asyncio.gather(*(one() for _ in range(20)))
    assert peak == 3


async def test_pause_after_429():
    ft = FakeTime()
    th = Throttle(clock=ft.clock, sleep=ft.sleep)
    th.pause(60)
    async with th.slot():
        assert ft.now >= 60
