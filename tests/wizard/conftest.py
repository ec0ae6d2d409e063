"""Fixtures for the connect wizard's tests: a profile with the demo data set, the sandbox's
``unprepared`` company in-process (no network), and a transport that records every request."""

from __future__ import annotations

from pathlib import Path

import httpx2
import pytest

from qbtui.cache import Cache
from qbtui.sandbox import SandboxConfig, create_app
from qbtui.sync.connection import begin_connect, finish_connect
from qbtui.tui.sample import sample_documents

ROOT = "http://127.0.0.1:8765"  # never dialled: the ASGI transport answers
CLIENT_ID = "wizard-client"
CLIENT_SECRET = "wizard-secret-never-printed"


class RecordingTransport(httpx2.AsyncBaseTransport):
    """The sandbox over ASGI, recording (method, path) of every API request."""

    def __init__(self, app) -> None:
        self.inner = httpx2.ASGITransport(app=app)
        self.requests: list[tuple[str, str]] = []

    async def handle_async_request(self, request):
        self.requests.append((request.method, request.url.path))
        return await self.inner.handle_async_request(request)

    @property
    def writes(self) -> list[tuple[str, str]]:
        """API requests that change the company (a query is a POST that reads)."""
        return [(m, p) for m, p in self.requests
                if p.startswith("/v3/company/") and m not in ("GET", "HEAD") and not p.endswith("/query")]


async def redirected_url(transport, authorize_url: str) -> str:
    """What the user's browser lands on after approving (the sandbox approves at once)."""
    async with httpx2.AsyncClient(transport=transport) as browser:
        return (await browser.get(authorize_url)).headers["location"]


async def connect(cache: Cache, profile: Path, transport) -> str:
    url = await begin_connect(cache, profile, environment=ROOT, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                              transport=transport)
    return await finish_connect(cache, profile, await redirected_url(transport, url), transport=transport)


def seed_profile(profile: Path, *, filter_start: str | None = "2026-10-01", extra: list[dict] | None = None) -> Path:
    with Cache.open(profile, writer=True, command="test") as cache:
        cache.upsert_documents(sample_documents() + (extra or []))
        if filter_start:
            cache.set_setting("filter_start_date", filter_start)
        cache.set_setting("time_scale", 60)
    return profile


@pytest.fixture
def sandbox():
    return create_app(SandboxConfig(company="unprepared", throttle="off"))


@pytest.fixture
def transport(sandbox) -> RecordingTransport:
    return RecordingTransport(sandbox)


#: contacts naming payment terms, one spelled as QBO does ("Net 30"), one not ("net 15" vs "Net 15")
TERMS_DOCS = [{"type": "customer", "ref": "C-900", "name": "Lakeside Deli", "terms": "Net 30"},
              {"type": "supplier", "ref": "S-900", "name": "Kiln Supplies", "terms": "net 15"}]


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    return seed_profile(tmp_path / "profiles" / "p1", extra=TERMS_DOCS)
