"""Fault injection on `/v3/company/...` (`--faults`), and a real dropped connection."""

from __future__ import annotations

import asyncio
import random

from .config import FaultSpec


class ConnectionDropped(Exception):
    """Raised where no socket can be closed (in-process ASGI transports): the client sees an error."""


class FaultInjector:
    def __init__(self, spec: FaultSpec, seed: int | None = None) -> None:
        self.spec = spec
        self.rng = random.Random(seed)
        self.counts = {"http500": 0, "drop_after_commit": 0, "timeout": 0}

    def decide(self) -> str | None:
        spec = self.spec
        if not spec.any:
            return None
        r = self.rng.random()
        for kind in ("http500", "drop_after_commit", "timeout"):
            p = getattr(spec, kind)
            if r < p:
                self.counts[kind] += 1
                return kind
            r -= p
        return None


async def drop_connection(receive) -> None:
    """Close the client's TCP connection without writing any HTTP response.

    Under uvicorn the ASGI `receive` callable is a bound method of the request cycle, which holds
    the transport: closing it sends FIN with no status line, as a lost answer looks to a client.
    Elsewhere (httpx's ASGITransport) raise ConnectionDropped, which the client gets as an error.
    """
    cycle = getattr(receive, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None or not hasattr(transport, "close"):
        raise ConnectionDropped("connection dropped by the sandbox (fault injection)")
    transport.close()
    # let connection_lost run, so that uvicorn marks the cycle disconnected and sends nothing
    for _ in range(3):
        await asyncio.sleep(0)
    if hasattr(cycle, "disconnected"):
        cycle.disconnected = True
