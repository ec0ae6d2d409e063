""""From QuickBooks only": whatever is pressed or run, no write request reaches the sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from qbtui.cache import Cache
from qbtui.sync.connection import open_client
from qbtui.sync.engine import SyncEngine, WritesRefused
from qbtui.sync.opening import import_stock_on_hand, post_opening_inventory
from qbtui.sync.preflight import FIXABLE, apply_fix
from qbtui.sync.undo import undo_run
from tests.support.profiles import connect

from .test_wizard_walk import connect_steps, message, setting, settle, wizard_host


async def test_wizard_in_from_quickbooks_mode_writes_nothing(profile, sandbox):
    """The wizard's steps run in child processes against the sandbox on loopback: none sends a write."""
    host = wizard_host(profile, sandbox)
    async with host.run_test(size=(80, 24)) as pilot:
        await connect_steps(host, pilot, sandbox, mode_down=0)  # From QuickBooks only
        w = host.screen
        assert setting(profile, "integration_mode") == "from_quickbooks"
        await settle(host, pilot)
        for _ in range(len(w.step_widget.checks)):  # try every fix
            await pilot.press("f")
            await settle(host, pilot)
            if "From QuickBooks only" not in message(host):
                assert "fix" in message(host).lower() or "Nothing" in message(host) or "Backup" in message(host)
            await pilot.press("down")
        await pilot.press("n")  # each step's keys once it is drawn
        await settle(host, pilot)
        await pilot.press("a")  # auto-map: its child stores the mapping before r reads the step again
        await settle(host, pilot)
        await pilot.press("r")
        await settle(host, pilot)
        await pilot.press("n", "y")  # yes: go on with the required roles auto-mapping left unmapped
        await settle(host, pilot)
        await pilot.press("a")  # auto-pick, stored by its child before n goes on
        await settle(host, pilot)
        await pilot.press("n", "y")  # yes: go on with what is left to pick
        await settle(host, pilot)
        assert w.step == "opening_balances"
        await pilot.press("enter")  # reads only: allowed
        await settle(host, pilot)
        assert w.step == "stock"
        await pilot.press("enter")
        await settle(host, pilot)
        assert w.step == "stock" and "From QuickBooks only" in message(host)
        await pilot.press("down", "enter")
        await settle(host, pilot)
        assert w.step == "opening_journal"
        with Cache.open(profile, writer=True, command="test") as cache:  # no step holds the profile between steps
            mapping = cache.get_setting("mapping")
            cache.set_setting("mapping", {**mapping, "opening_balance_equity":
                                          mapping.get("opening_balance_equity", "0")})
        await pilot.press("enter")
        await settle(host, pilot)
        assert sandbox.log.requests  # the steps did reach the sandbox (they read)
        assert sandbox.writes == []


async def test_engine_and_helpers_refuse_writes(profile, transport):
    with Cache.open(profile, writer=True) as cache:
        await connect(cache, profile, transport)
        cache.set_setting("integration_mode", "from_quickbooks")
        async with await open_client(cache, profile, transport=transport) as client:
            with pytest.raises(WritesRefused, match="From QuickBooks only"):
                await SyncEngine(cache, client).sync()
            for code in FIXABLE:
                with pytest.raises(WritesRefused):
                    await apply_fix(code, client, cache)
            with pytest.raises(WritesRefused):
                await import_stock_on_hand(cache, client, location="Main", path=profile / "soh.json")
            with pytest.raises(WritesRefused):
                await post_opening_inventory(cache, client, qbo_balance=None)
    assert transport.writes == []


async def test_undo_refuses_writes_in_from_quickbooks_mode(profile, transport):
    with Cache.open(profile, writer=True) as cache:
        await connect(cache, profile, transport)
        async with await open_client(cache, profile, transport=transport) as client:
            item = (await client.query("SELECT * FROM Item WHERE Name = 'Gift Wrapping'"))[0]
            run = cache.add_run({"kind": "sync", "created": [{"type": "product", "ref": "X", "entity": "Item",
                                                              "id": item["Id"]}]})
            cache.set_setting("integration_mode", "from_quickbooks")
            try:
                await undo_run(cache, client, run)
            except WritesRefused:
                pass
    assert transport.writes == []


def test_cli_sync_says_why_and_exits_non_zero(qbtui):
    assert qbtui("settings", "set", "integration_mode", "from_quickbooks").exit_code == 0
    with Cache.open(Path(qbtui.data_dir) / "profiles" / "default", writer=True) as cache:
        cache.set_setting("realm_id", "1")
        cache.set_setting("environment", "http://127.0.0.1:9")  # never reached
    result = qbtui("sync", "--yes")
    assert result.exit_code != 0
    assert "From QuickBooks only" in result.output


async def test_a_read_only_client_sends_no_write_whoever_asks(profile, transport):
    """The client itself refuses: even code that skips the engine's check cannot write."""
    with Cache.open(profile, writer=True) as cache:
        await connect(cache, profile, transport)
        cache.set_setting("integration_mode", "from_quickbooks")
        async with await open_client(cache, profile, transport=transport) as client:
            assert client.read_only
            assert await client.query("SELECT * FROM Customer MAXRESULTS 1")  # reads still work
            with pytest.raises(WritesRefused, match="From QuickBooks only"):
                await client.create("Customer", {"DisplayName": "Never Sent"})
    assert transport.writes == []
