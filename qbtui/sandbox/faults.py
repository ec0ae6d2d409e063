"""Fault injection on `/v3/company/...` (`--faults`), a company that refuses every request (`refuse`), and a real
dropped connection."""

from __future__ import annotations

import asyncio
import random
from typing import Any

from .clock import qbo_time
from .config import FaultSpec
from .errors import QBOError

# --- a company QBO refuses as a whole (docs/qbo.md#what-the-sandbox-enforces) -------------------------------
# Sources: Intuit's developer blog "Top QuickBooks Online API Errors and How to Handle Them" (2017-06-08: the
# HTTP status, code, message and detail of 120 and 6190); its "Understand QuickBooks Online subscription
# statuses" page (a cancelled, expired, suspended or restricted company allows reads only); a recorded XML 120
# (integrator's gist: Fault type "AuthorizatonFault", sic); integrators' recorded 403 3100 bodies (lowercase
# `fault`/`error` keys as in the 401, type SERVICE, detail null). Whether QBO answers 6190 per item inside a
# batch or for the whole batch is unverified: the sandbox answers it per write item, as a single write.

REFUSALS = ("3100", "120", "6190")


def refusal_3100() -> tuple[int, dict[str, Any]]:
    """403, ApplicationAuthorizationFailed: the app is not authorized for this company (any request)."""
    return 403, {"fault": {"error": [{"message": "message=ApplicationAuthorizationFailed; errorCode=003100; "
                                                 "statusCode=403", "detail": None, "code": "3100"}],
                           "type": "SERVICE"}, "time": qbo_time()}


def refusal_120() -> tuple[int, dict[str, Any]]:
    """401, Authorization Failure: the connected user has no access to the company any more (any request)."""
    return 401, {"Fault": {"Error": [{"Message": "Authorization Failure",
                                      "Detail": "AuthorizationFailure: --11014-You do not have access to use "
                                                "QuickBooks Online., statusCode: 401", "code": "120"}],
                           "type": "AuthorizationFault"}, "time": qbo_time()}


def invalid_company_status() -> QBOError:
    """400, 6190 Invalid Company Status: the subscription ended or was cancelled (writes only; reads still work)."""
    return QBOError(6190, "Invalid Company Status",
                    "Subscription period has ended or been canceled, or there was a billing problem: You can't add "
                    "data to QuickBooks Online Plus because your trial or subscription period ended")


class ConnectionDropped(Exception):
    """Raised where no socket can be closed (in-process ASGI transports): the client sees an error."""


class FaultInjector:
    def __init__(self, spec: FaultSpec, seed: int | None = None) -> None:
        self.spec = spec
        self.rng = random.Random(seed)
        self.counts = {"http500": 0, "drop_after_commit": 0, "timeout": 0}
        #: a company-wide refusal ("3100", "120" or "6190", None: none), once ``refuse_after_writes`` writes were
        #: taken (a run then meets it part-way)
        self.refuse: str | None = None
        self.refuse_after_writes = 0
        self.writes = 0

    def refuse_company(self, code: str | None, after_writes: int = 0) -> None:
        if code is not None and code not in REFUSALS:
            raise ValueError(f"unknown refusal {code!r}: one of {', '.join(REFUSALS)}")
        self.refuse, self.refuse_after_writes, self.writes = code, after_writes, 0

    def _refusing(self) -> bool:
        return self.refuse is not None and self.writes >= self.refuse_after_writes

    def refusal(self) -> tuple[int, dict[str, Any]] | None:
        """The answer to any request while the company refuses the app (3100) or the user (120)."""
        if self.refuse in ("3100", "120") and self._refusing():
            return refusal_3100() if self.refuse == "3100" else refusal_120()
        return None

    def check_write(self) -> None:
        """Before one write (a single request or a batch item): 6190 once the subscription has ended."""
        if self.refuse == "6190" and self._refusing():
            raise invalid_company_status()
        self.writes += 1

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
