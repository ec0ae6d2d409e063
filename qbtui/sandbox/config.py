"""Sandbox configuration: what `qbtui sandbox serve` options turn into."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from qbtui.limits import BATCH_MAX_ITEMS, Limits

Company = Literal["empty", "demo", "unprepared", "inventory"]
Throttle = Literal["qbo", "off"]

FAULT_KINDS = ("http500", "drop_after_commit", "timeout")


@dataclass(frozen=True)
class FaultSpec:
    """Probabilities per `/v3/company/...` request (each in 0..1, summing to at most 1)."""

    http500: float = 0.0
    drop_after_commit: float = 0.0
    timeout: float = 0.0

    @property
    def any(self) -> bool:
        return (self.http500 + self.drop_after_commit + self.timeout) > 0


def parse_faults(spec: str | None) -> FaultSpec:
    """Parse `"http500=0.05,drop_after_commit=0.05,timeout=0.02"`; raise ValueError when malformed."""
    if not spec or not spec.strip():
        return FaultSpec()
    values: dict[str, float] = {}
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        key, sep, raw = part.partition("=")
        key = key.strip()
        if not sep or key not in FAULT_KINDS:
            raise ValueError(f"bad fault {part!r}: expected NAME=P with NAME one of {', '.join(FAULT_KINDS)}")
        try:
            p = float(raw)
        except ValueError:
            raise ValueError(f"bad probability in {part!r}") from None
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"probability out of 0..1 in {part!r}")
        values[key] = p
    if sum(values.values()) > 1.0 + 1e-9:
        raise ValueError("fault probabilities add up to more than 1")
    return FaultSpec(**values)


ThrottleLimits = Limits
"""QBO's limits per realm (and app), the one declaration in :mod:`qbtui.limits` (the client's throttle uses
it too); the sandbox's name for it."""


@dataclass
class SandboxConfig:
    company: Company = "demo"
    #: the country, home currency and tax codes (regions.py): us, ca, uk, au, nz
    region: str = "us"
    #: Preferences.CurrencyPrefs.MultiCurrencyEnabled (currency.py)
    multicurrency: bool = False
    throttle: Throttle = "qbo"
    time_scale: float = 1.0
    latency_ms: float = 0.0
    faults: FaultSpec = field(default_factory=FaultSpec)
    fault_hold_s: float = 5.0
    fault_seed: int | None = None
    token_ttl: float = 3600.0
    refresh_grace_s: float = 24 * 3600.0
    refresh_ttl: float = 100 * 24 * 3600.0
    state_file: Path | None = None
    realm_id: str = "9341453050298736"
    limits: ThrottleLimits = field(default_factory=ThrottleLimits)
    batch_max_items: int = BATCH_MAX_ITEMS
    #: seconds between two writes of the state file (writes are coalesced)
    save_interval_s: float = 0.5
    #: monotonic clock for the throttle windows (tests inject a fake one)
    clock: Callable[[], float] = time.monotonic
    #: wall clock (epoch seconds) for token expiry, MetaData and CDC
    wall_clock: Callable[[], float] = time.time

    def __post_init__(self) -> None:
        if self.company not in ("empty", "demo", "unprepared", "inventory"):
            raise ValueError(f"unknown company {self.company!r}")
        if self.region not in ("us", "ca", "uk", "au", "nz"):
            raise ValueError(f"unknown region {self.region!r}")
        if self.throttle not in ("qbo", "off"):
            raise ValueError(f"unknown throttle {self.throttle!r}")
        if self.time_scale <= 0:
            raise ValueError("time_scale must be > 0")
        if isinstance(self.faults, str):
            self.faults = parse_faults(self.faults)
        if self.state_file is not None:
            self.state_file = Path(self.state_file)
