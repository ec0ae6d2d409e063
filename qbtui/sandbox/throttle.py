"""QBO's rate limits per realm: 500/min, 10/s, 10 in flight, 40 batches/min; `time_scale` shortens windows."""

from __future__ import annotations

from collections import deque

from .config import SandboxConfig


class Throttle:
    def __init__(self, config: SandboxConfig) -> None:
        self.enabled = config.throttle == "qbo"
        self.limits = config.limits
        self.clock = config.clock
        self.minute_s = config.limits.minute_s / config.time_scale
        self.second_s = config.limits.second_s / config.time_scale
        self.minute: deque[float] = deque()
        self.second: deque[float] = deque()
        self.batches: deque[float] = deque()
        self.in_flight = 0
        self.rejected = 0

    @staticmethod
    def _prune(window: deque[float], now: float, span: float) -> None:
        edge = now - span
        while window and window[0] <= edge:
            window.popleft()

    def enter(self, is_batch: bool = False) -> bool:
        """Take a slot for one request; False means answer 429 (rejected requests use no budget)."""
        if not self.enabled:
            self.in_flight += 1
            return True
        lim = self.limits
        if self.in_flight >= lim.concurrent:
            self.rejected += 1
            return False
        now = self.clock()
        self._prune(self.minute, now, self.minute_s)
        self._prune(self.second, now, self.second_s)
        if len(self.second) >= lim.per_second or len(self.minute) >= lim.per_minute:
            self.rejected += 1
            return False
        if is_batch:
            self._prune(self.batches, now, self.minute_s)
            if len(self.batches) >= lim.batches_per_minute:
                self.rejected += 1
                return False
            self.batches.append(now)
        self.second.append(now)
        self.minute.append(now)
        self.in_flight += 1
        return True

    def leave(self) -> None:
        self.in_flight -= 1
