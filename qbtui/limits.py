"""QBO's rate limits per realm, declared once: the client's throttle stays under them
(``qbtui.qbo.throttle``) and the sandbox enforces them (``qbtui.sandbox.throttle``, answering 429).
Below every room (imports nothing of qbtui), since the client and the sandbox may not import each other.
"""

from __future__ import annotations

from dataclasses import dataclass

BATCH_MAX_ITEMS = 30
"""QBO's cap on the items of one batch request (more is refused whole)."""


@dataclass(frozen=True)
class Limits:
    """QBO's limits per realm (and app): requests per minute and per second, requests in flight, batch
    requests per minute (a batch also counts as a request). Windows in seconds, before a ``time_scale``
    shortens them (the sandbox's ``--time-scale``, and the client's to match it)."""

    per_minute: int = 500
    per_second: int = 10
    concurrent: int = 10
    batches_per_minute: int = 40
    minute_s: float = 60.0
    second_s: float = 1.0
