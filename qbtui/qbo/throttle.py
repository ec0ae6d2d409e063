"""Client-side throttle: stay near but under QBO's limits per realm.

Sliding windows: <= 500 requests per minute, <= 10 per second, <= 40 batch requests per minute
(a batch also counts as a request), <= 10 in flight. `time_scale` shortens every window like the
sandbox's `--time-scale`. Single (non-batch) requests get at most 500 - 40 = 460 places per minute, so
that the batch budget is never starved: a sync that sends batches and single requests side by side
uses both budgets (40 x 30 + 460 objects per minute). `margin` widens each window a little so that
arrival jitter at the server does not push a burst over its count (a 429 costs a whole minute): the
minute windows need little (jitter is milliseconds against seconds), the one-second window more.
After a 429 everyone pauses (`pause`). `wait_ready` lets a caller wait for a place before it decides
what to send (the sync engine takes its next documents only when a request can go out).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager

from qbtui.limits import Limits


class Throttle:
    def __init__(self, limits: Limits | None = None, *, time_scale: float = 1.0, margin: float = 0.01,
                 second_margin: float = 0.1, jitter_s: float = 0.01, pace: bool = False, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        if time_scale <= 0:
            raise ValueError("time_scale must be > 0")
        self.limits = limits or Limits()
        self.time_scale = time_scale
        self.clock = clock
        self.sleep = sleep
        # windows widened by a fraction and by a few real (unscaled) milliseconds of arrival jitter
        self.minute_span = self.limits.minute_s / time_scale * (1 + margin) + jitter_s
        self.second_span = self.limits.second_s / time_scale * (1 + second_margin) + jitter_s
        self._minute: deque[float] = deque()
        self._second: deque[float] = deque()
        self._batches: deque[float] = deque()
        self._singles: deque[float] = deque()
        # requests are spread evenly over the one-second window instead of going out in bursts of 10:
        # a server that stalls a few milliseconds bunches a burst's arrivals and counts 11 in its window.
        # Never faster than the minute's average either (500 a minute is 8.3 a second, under the 10 a second):
        # the minute window would stop them anyway, and the wider spacing absorbs longer stalls
        self.min_interval = max(self.second_span / self.limits.per_second,
                                self.minute_span / self.limits.per_minute) if pace else 0.0
        self._last = float("-inf")
        self._sem: asyncio.Semaphore | None = None
        self.paused_until = 0.0
        self.waited = 0.0  # total seconds spent waiting for a window (for progress display)

    def _windows(self, batch: bool) -> Iterator[tuple[deque[float], float, int]]:
        lim = self.limits
        yield self._second, self.second_span, lim.per_second
        yield self._minute, self.minute_span, lim.per_minute
        if batch:
            yield self._batches, self.minute_span, lim.batches_per_minute
        else:
            yield self._singles, self.minute_span, max(lim.per_minute - lim.batches_per_minute, lim.per_minute // 2, 1)

    def _wait_needed(self, now: float, batch: bool) -> float:
        wait = max(self.paused_until - now, self._last + self.min_interval - now)
        for window, span, limit in self._windows(batch):
            while window and window[0] <= now - span:
                window.popleft()
            if len(window) >= limit:
                wait = max(wait, window[len(window) - limit] + span - now)
        return wait

    async def _admit(self, batch: bool) -> float:
        waited = 0.0
        while True:
            now = self.clock()
            wait = self._wait_needed(now, batch)
            if wait <= 0:
                for window, _, _ in self._windows(batch):
                    window.append(now)
                self._last = now
                return waited
            waited += wait
            self.waited += wait
            await self.sleep(wait)

    async def wait_ready(self, *, batch: bool = False) -> None:
        """Wait until a request of this kind would be admitted now (takes no place)."""
        while True:
            wait = self._wait_needed(self.clock(), batch)
            if wait <= 0:
                return
            await self.sleep(wait)

    @asynccontextmanager
    async def slot(self, *, batch: bool = False) -> AsyncIterator[float]:
        """Hold one of the concurrent slots and one place in each window for one request;
        yields the seconds this request waited for its windows."""
        if self._sem is None:
            self._sem = asyncio.Semaphore(self.limits.concurrent)
        async with self._sem:
            yield await self._admit(batch)

    def pause(self, seconds: float) -> None:
        """Nobody sends for `seconds` (already scaled) from now: after a 429."""
        self.paused_until = max(self.paused_until, self.clock() + seconds)
