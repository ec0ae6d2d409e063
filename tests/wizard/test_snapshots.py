"""Snapshots of every wizard step and the settings screen at 80x24: reference data pulled once from the
in-process sandbox into the profile before the app starts (no network while the app runs), fixed realm.
Update with: pytest tests/wizard/test_snapshots.py --snapshot-update"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from qbtui.cache import Cache
from qbtui.ledger.roles import auto_map
from qbtui.sync.connection import open_client
from qbtui.sync.pull import pull_reference
from qbtui.tui.wizard import STEPS, ConnectWizard, SettingsScreen
from tests.support.profiles import connect, in_process

from .conftest import CLIENT_ID, CLIENT_SECRET, ROOT, TERMS_DOCS, seed_profile
from .host import Host

REALM = "9341453050000001"
AUTH_URL = (f"{ROOT}/oauth2/authorize?response_type=code&client_id={CLIENT_ID}&redirect_uri=http%3A%2F%2F"
            "localhost%2Fqbtui-callback&scope=com.intuit.quickbooks.accounting&state=FixedStateForSnapshots0001")


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


def _host(profile: Path) -> Host:
    return Host(lambda: ConnectWizard(profile, environment=ROOT, client_id=CLIENT_ID, client_secret=CLIENT_SECRET))


@pytest.mark.parametrize("step", [s for s in STEPS if s != "connect"])
def test_step(snap_compare, seeded, tmp_path, step):
    profile = at_step(seeded, tmp_path, step)
    assert snap_compare(_host(profile), terminal_size=(80, 24), run_before=_ready)


def test_connect_connected(snap_compare, seeded, tmp_path):
    profile = at_step(seeded, tmp_path, "connect")
    assert snap_compare(_host(profile), terminal_size=(80, 24), run_before=_ready)


def test_connect_link_shown(snap_compare, seeded, tmp_path):
    profile = at_step(seeded, tmp_path, "connect", state={"auth_url": AUTH_URL}, realm_id=None,
                      oauth_pending={"state": "FixedStateForSnapshots0001", "environment": ROOT, "client_id": CLIENT_ID,
                                     "redirect_uri": "http://localhost/qbtui-callback"})
    assert snap_compare(_host(profile), terminal_size=(80, 24), run_before=_ready)


def test_accounts_picker_refusal(snap_compare, seeded, tmp_path):
    profile = at_step(seeded, tmp_path, "accounts", mapping={})

    async def run_before(pilot):
        await _ready(pilot)
        await pilot.press("enter", "end", "enter")  # inventory asset -> the last account: wrong type
        await _ready(pilot)
    assert snap_compare(_host(profile), terminal_size=(80, 24), run_before=run_before)


def test_confirm_refusal(snap_compare, seeded, tmp_path):
    profile = at_step(seeded, tmp_path, "confirm")

    async def run_before(pilot):
        await _ready(pilot)
        await pilot.press(*"yes", "enter")
        await _ready(pilot)
    assert snap_compare(_host(profile), terminal_size=(80, 24), run_before=run_before)


def test_settings_screen(snap_compare, seeded, tmp_path):
    profile = at_step(seeded, tmp_path, "mode")
    assert snap_compare(Host(lambda: SettingsScreen(profile)), terminal_size=(80, 24), run_before=_ready)


def test_settings_screen_bad_value(snap_compare, seeded, tmp_path):
    profile = at_step(seeded, tmp_path, "mode")

    async def run_before(pilot):
        await _ready(pilot)
        await pilot.press("down", "enter", "ctrl+a", "ctrl+k", *"EURO", "enter")  # base_currency
        await _ready(pilot)
    assert snap_compare(Host(lambda: SettingsScreen(profile)), terminal_size=(80, 24), run_before=run_before)
