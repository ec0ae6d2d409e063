"""Fixtures for the connect wizard's tests: a profile with the demo data set, and the sandbox's ``unprepared``
company, either on loopback (``sandbox``: the wizard's steps run in ``qbtui wizard-step`` child processes, which
reach it there) or in-process behind a transport (``transport``, for the library calls), each recording every
request (tests/support/profiles.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from qbtui.cache import Cache
from qbtui.ledger.roles import auto_map
from qbtui.sandbox import serve_in_thread
from qbtui.sync.connection import open_client
from qbtui.sync.pull import pull_reference
from tests.support.profiles import (
    ROOT,
    RecordingTransport,
    RequestLog,
    connect,
    in_process,
    sandbox_config,
    seed_profile,
)

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "REALM", "ROOT", "TERMS_DOCS", "at_step", "seed_profile"]

CLIENT_ID = "wizard-client"
CLIENT_SECRET = "wizard-secret-never-printed"


@pytest.fixture
def transport() -> RecordingTransport:
    """The sandbox's ``unprepared`` company in this process (tests/support/profiles.py)."""
    return in_process(company="unprepared")


@dataclass
class Loopback:
    """A sandbox on loopback: its root URL and the log of the API requests it took (``log.writes``)."""

    url: str
    log: RequestLog

    @property
    def writes(self) -> list[tuple[str, str]]:
        return self.log.writes


@pytest.fixture
def sandbox() -> Iterator[Loopback]:
    """The sandbox's ``unprepared`` company on a loopback port of this process (uvicorn in a thread)."""
    with serve_in_thread(sandbox_config(company="unprepared")) as sb:
        sb.app.api = log = RequestLog(sb.app.api)
        yield Loopback(sb.url, log)


#: contacts naming payment terms, one spelled as QBO does ("Net 30"), one not ("net 15" vs "Net 15")
TERMS_DOCS = [{"type": "customer", "ref": "C-900", "name": "Lakeside Deli", "terms": "Net 30"},
              {"type": "supplier", "ref": "S-900", "name": "Kiln Supplies", "terms": "net 15"}]


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    return seed_profile(tmp_path / "profiles" / "p1", extra=TERMS_DOCS)


#: the realm id of the profile ``seeded`` (fixed, for snapshots)
REALM = "9341453050000001"


async def _pull(profile: Path) -> None:
    transport = in_process(company="unprepared")
    with Cache.open(profile, writer=True, command="test") as cache:
        await connect(cache, profile, transport, client_id=CLIENT_ID, secret=CLIENT_SECRET)
        async with await open_client(cache, profile, transport=transport) as client:
            await pull_reference(cache, client)
        cache.set_setting("realm_id", REALM)
        cache.set_setting("mapping", auto_map(cache.reference("accounts")))


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    """A profile with the demo data set and the unprepared company's reference data, auto-mapped, pulled once per
    test module from the in-process sandbox (no network while an app runs); at_step copies it."""
    profile = seed_profile(tmp_path_factory.mktemp("snap") / "profile", extra=TERMS_DOCS)
    asyncio.run(_pull(profile))
    return profile


def at_step(seeded: Path, tmp_path: Path, step: str, **settings) -> Path:
    profile = tmp_path / "profiles" / "profile"  # where a Backend of it finds it (data dir / profiles / name)
    profile.mkdir(parents=True)
    for f in seeded.iterdir():
        if f.is_file() and f.name != "writer.lock":
            (profile / f.name).write_bytes(f.read_bytes())
    with Cache.open(profile, writer=True, command="test") as cache:
        cache.set_setting("wizard", {"step": step, **settings.pop("state", {})})
        for k, v in settings.items():
            cache.set_setting(k, v)
    return profile


async def _ready(pilot):
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
