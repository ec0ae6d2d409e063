"""Snapshots of every wizard step, its questions and the settings screen at 80x24 and 120x40, on the profile
``seeded`` (tests/wizard/conftest.py: reference data pulled from the in-process sandbox before the app starts, no
network while the app runs, fixed realm).
Update with: pytest tests/wizard/test_snapshots.py --snapshot-update"""

from __future__ import annotations

from pathlib import Path

import pytest

from qbtui.tui.wizard import STEPS, ConnectWizard, SettingsScreen

from .conftest import CLIENT_ID, CLIENT_SECRET, ROOT, _ready, at_step
from .host import Host

AUTH_URL = (f"{ROOT}/oauth2/authorize?response_type=code&client_id={CLIENT_ID}&redirect_uri=http%3A%2F%2F"
            "localhost%2Fqbtui-callback&scope=com.intuit.quickbooks.accounting&state=FixedStateForSnapshots0001")


def pressing(*keys: str):
    """A run_before: the wizard drawn, then ``keys`` pressed, then what they started done."""
    async def run_before(pilot):
        await _ready(pilot)
        await pilot.press(*keys)
        await _ready(pilot)
    return run_before


def _host(profile: Path) -> Host:
    return Host(lambda: ConnectWizard(profile, environment=ROOT, client_id=CLIENT_ID, client_secret=CLIENT_SECRET))


#: the sizes every wizard snapshot is taken at: the most common SSH window, and a roomy one
SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])


@SIZES
@pytest.mark.parametrize("step", [s for s in STEPS if s != "connect"])
def test_step(snap_compare, seeded, tmp_path, step, size):
    profile = at_step(seeded, tmp_path, step)
    assert snap_compare(_host(profile), terminal_size=size, run_before=_ready)


@SIZES
def test_connect_connected(snap_compare, seeded, tmp_path, size):
    profile = at_step(seeded, tmp_path, "connect")
    assert snap_compare(_host(profile), terminal_size=size, run_before=_ready)


@SIZES
def test_connect_link_shown(snap_compare, seeded, tmp_path, size):
    profile = at_step(seeded, tmp_path, "connect", state={"auth_url": AUTH_URL}, realm_id=None,
                      oauth_pending={"state": "FixedStateForSnapshots0001", "environment": ROOT, "client_id": CLIENT_ID,
                                     "redirect_uri": "http://localhost/qbtui-callback"})
    assert snap_compare(_host(profile), terminal_size=size, run_before=_ready)


@SIZES
def test_connect_credentials(snap_compare, seeded, tmp_path, size):
    """Before the link: the credentials, the empty ones showing their (italic) placeholders."""
    profile = at_step(seeded, tmp_path, "connect", state={"reconnect": True}, realm_id=None)
    assert snap_compare(Host(lambda: ConnectWizard(profile)), terminal_size=size, run_before=_ready)


@SIZES
def test_accounts_picker(snap_compare, seeded, tmp_path, size):
    """The account picker of the inventory asset: its allowed types only, filtered by what is typed."""
    profile = at_step(seeded, tmp_path, "accounts", mapping={})
    assert snap_compare(_host(profile), terminal_size=size, run_before=pressing("enter", *"inv"))


@SIZES
def test_accounts_skip_question(snap_compare, seeded, tmp_path, size):
    profile = at_step(seeded, tmp_path, "accounts", mapping={})
    assert snap_compare(_host(profile), terminal_size=size, run_before=pressing("n"))


@SIZES
def test_preflight_fix_question(snap_compare, seeded, tmp_path, size):
    profile = at_step(seeded, tmp_path, "preflight")
    assert snap_compare(_host(profile), terminal_size=size, run_before=pressing("down", "f"))  # inventory tracking


@SIZES
def test_preflight_setting(snap_compare, seeded, tmp_path, size):
    profile = at_step(seeded, tmp_path, "preflight")
    # the base currency, the company's home currency ready to store
    assert snap_compare(_host(profile), terminal_size=size, run_before=pressing("s"))


@SIZES
def test_confirm_refusal(snap_compare, seeded, tmp_path, size):
    profile = at_step(seeded, tmp_path, "confirm")
    assert snap_compare(_host(profile), terminal_size=size, run_before=pressing(*"yes", "enter"))


@SIZES
def test_settings_screen(snap_compare, seeded, tmp_path, size):
    profile = at_step(seeded, tmp_path, "mode")
    assert snap_compare(Host(lambda: SettingsScreen(profile)), terminal_size=size, run_before=_ready)


@SIZES
def test_settings_screen_bad_value(snap_compare, seeded, tmp_path, size):
    profile = at_step(seeded, tmp_path, "mode")
    keys = pressing("down", "enter", "ctrl+a", "ctrl+k", *"EURO", "enter")  # base_currency
    assert snap_compare(Host(lambda: SettingsScreen(profile)), terminal_size=size, run_before=keys)
