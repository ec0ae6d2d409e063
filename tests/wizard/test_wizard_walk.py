"""Pilot walks of the connect wizard against the sandbox's ``unprepared`` company (docs/cli.md#the-sandbox-server) on
loopback, the demo data set imported and the filter start date 2026-10-01. The wizard's steps run in
``qbtui wizard-step`` child processes (its Backend): the test reads what they stored with a reader of its own."""

from __future__ import annotations

import contextlib
from datetime import date

from textual.worker import WorkerCancelled

from qbtui.cache import Cache
from qbtui.ledger.roles import ROLE_BY_NAME
from qbtui.tui.wizard import CONFIRM_PHRASE, ConnectWizard
from qbtui.tui.wizard.state import load_state
from tests.support.profiles import redirected_url

from .conftest import CLIENT_ID, CLIENT_SECRET
from .host import Host

PREFLIGHT_PROBLEMS = {"currency", "inventory_tracking", "book_close", "inventory_items", "contact_kinds", "backup"}


def wizard_host(profile, sandbox, **kw) -> Host:
    return Host(lambda: ConnectWizard(profile, environment=sandbox.url, client_id=CLIENT_ID,
                                      client_secret=CLIENT_SECRET, today=date(2026, 11, 27), **kw))


def setting(profile, key):
    """What the wizard's children stored (read as any other reader would)."""
    with Cache.open(profile, writer=False) as cache:
        return cache.get_setting(key)


def reference(profile, kind):
    with Cache.open(profile, writer=False) as cache:
        return cache.reference(kind)


def by_name_of(accounts, account_id) -> str:
    """An account's name and type as the picker shows them (what typing searches)."""
    from qbtui.tui.wizard.state import account_text

    return account_text(next(a for a in accounts if a["Id"] == account_id))


def status_of(profile, type_, ref):
    with Cache.open(profile, writer=False) as cache:
        return cache.status_of(type_, ref)


async def settle(host, pilot) -> None:
    """Until no worker runs (a step's worker that ends by going to the next step starts the next step's)."""
    await pilot.pause()
    while not all(worker.is_finished for worker in host.workers):
        with contextlib.suppress(WorkerCancelled):  # a step left before it was drawn
            await host.workers.wait_for_complete()
        await pilot.pause()


def message(host) -> str:
    return str(host.screen.query_one("#wizard-message").content)


async def connect_steps(host, pilot, sandbox, mode_down: int = 1) -> None:
    """Steps 1-3: the mode (0: From QuickBooks only, 1: Both ways), keep data, connect by pasting."""
    await settle(host, pilot)
    w = host.screen
    assert w.step == "mode"
    await pilot.press(*["down"] * mode_down, "enter")
    await settle(host, pilot)
    assert w.step == "local_data"
    await pilot.press("enter")  # keep everything
    await settle(host, pilot)
    assert w.step == "connect"
    await pilot.press("enter", "enter", "enter")  # environment, client id, secret (prefilled) -> link
    await settle(host, pilot)
    url = w.state["auth_url"]
    assert "\n" not in url and url.startswith(sandbox.url)
    label = w.query_one("#auth-url")
    assert label.size.height == -(-len(url) // label.size.width)  # whole: folded over as many lines as it takes
    from urllib.parse import parse_qs, urlsplit
    redirect_uri = parse_qs(urlsplit(url).query)["redirect_uri"][0]
    assert redirect_uri in str(w.query_one("#redirect-label").render())  # where the browser lands, named
    assert "qbtui connect --print-auth-url" in str(w.query_one("#auth-label").render())  # the command-line twin
    await pilot.pause()
    box = w.query_one("#redirect")
    assert host.screen.get_widget_at(box.region.x, box.region.y)[0] is box  # the paste field in view at 80x24
    await pilot.press("ctrl+y")
    assert "copied" in message(host) and host.clipboard == url  # the whole link, by OSC 52
    w.query_one("#redirect").value = await redirected_url(None, url)
    await pilot.press("enter")
    await settle(host, pilot)
    assert w.step == "preflight", message(host)


async def test_walk_the_whole_wizard(profile, sandbox):
    host = wizard_host(profile, sandbox)
    async with host.run_test(size=(80, 24)) as pilot:
        await connect_steps(host, pilot, sandbox)
        w = host.screen
        await settle(host, pilot)
        checks = {c.code: c for c in w.step_widget.checks}
        assert {code for code, c in checks.items() if not c.ok} == PREFLIGHT_PROBLEMS
        for code in PREFLIGHT_PROBLEMS:  # each explained in plain words
            assert len(checks[code].explanation) > 60
        assert "CAD" in checks["currency"].title and "USD" in checks["currency"].title
        assert "credits the inventory asset" in checks["inventory_items"].explanation
        assert "MUG-01" in checks["inventory_items"].details[0]
        assert "Harbour Cafe" in checks["contact_kinds"].details[0]
        assert "2026-10-31" in checks["book_close"].title
        assert checks["inventory_tracking"].fix and checks["inventory_items"].fix
        assert checks["currency"].fix is None  # QBO cannot change its home currency

        # fix inventory tracking (a sparse Preferences update), then the matching Inventory item
        await pilot.press("down")  # inventory_tracking
        await pilot.press("f", "y")  # asked first (tests/wizard/test_wizard_asks.py)
        await settle(host, pilot)
        assert "off" in message(host), message(host)
        assert {c.code for c in w.step_widget.checks if not c.ok} == PREFLIGHT_PROBLEMS - {"inventory_tracking"}
        await pilot.press("b")
        await settle(host, pilot)
        assert next(c for c in w.step_widget.checks if c.code == "backup").ok
        assert ("POST", f"/v3/company/{setting(profile, 'realm_id')}/preferences") in sandbox.writes
        await pilot.press("n")
        await settle(host, pilot)

        # account mapping: the picker offers only the role's allowed types, searchable, a row highlighted at once;
        # an account mapped to another role is listed but cannot be chosen
        assert w.step == "accounts"
        accounts = reference(profile, "accounts")
        by_name = {a["Name"]: a for a in accounts}
        await pilot.press("enter")  # role 1: inventory_asset -> the account picker
        await settle(host, pilot)
        picker = w.query_one("#accounts")

        def offered() -> dict[str, bool]:
            return {picker.get_option_at_index(i).id: not picker.get_option_at_index(i).disabled
                    for i in range(picker.option_count)}
        allowed = {a["Id"] for a in accounts if ROLE_BY_NAME["inventory_asset"].allows(a) and a.get("Active", True)}
        assert set(offered()) == allowed and by_name["Checking"]["Id"] not in offered()
        assert picker.highlighted is not None
        await pilot.press(*"asset")  # typed into the search box: only the rows holding it
        assert set(offered()) == {i for i in allowed if "asset" in by_name_of(accounts, i).casefold()}
        picker.highlighted = list(offered()).index(by_name["Inventory Asset"]["Id"])
        await pilot.press("enter")
        await settle(host, pilot)
        assert setting(profile, "mapping") == {"inventory_asset": by_name["Inventory Asset"]["Id"]}, message(host)
        await pilot.press("down", "down", "enter")  # inventory_discrepancy: Cost of Goods Sold is an allowed type
        await settle(host, pilot)
        picker.highlighted = list(offered()).index(by_name["Cost of Goods Sold"]["Id"])
        await pilot.press("enter")
        await settle(host, pilot)
        assert setting(profile, "mapping")["inventory_discrepancy"] == by_name["Cost of Goods Sold"]["Id"]
        await pilot.press("up", "enter")  # cogs: the same account is listed, taken, and cannot be chosen
        await settle(host, pilot)
        assert offered()[by_name["Cost of Goods Sold"]["Id"]] is False
        taken = picker.get_option_at_index(list(offered()).index(by_name["Cost of Goods Sold"]["Id"]))
        assert "mapped to Inventory discrepancy" in str(taken.prompt)
        assert picker.highlighted is None or picker.get_option_at_index(picker.highlighted).disabled is False
        await pilot.press("escape")  # closes the picker, stays on the step
        assert w.step == "accounts"
        await pilot.press("down", "u")  # unmap inventory_discrepancy, then auto-map the rest
        await settle(host, pilot)
        await pilot.press("a")
        await settle(host, pilot)
        mapping = setting(profile, "mapping")
        assert mapping["cogs"] == by_name["Cost of Goods Sold"]["Id"]
        assert mapping["inventory_discrepancy"] == by_name["Inventory Discrepancy"]["Id"]
        await pilot.press("r")  # reload accounts from QBO
        await settle(host, pilot)
        assert "loaded" in message(host)
        await pilot.press("n")
        await settle(host, pilot)

        # tax codes and terms: exact names only
        assert w.step == "tax_terms"
        await pilot.press("a")
        await settle(host, pilot)
        terms = {t["Name"]: t["Id"] for t in reference(profile, "terms")}
        assert setting(profile, "terms_mapping") == {"Net 30": terms["Net 30"]}
        assert "\u201cnet 15\u201d" in message(host)  # spelled differently from QBO's "Net 15": not matched
        await pilot.press("down", "enter")  # pick one by hand for 'net 15'
        choices = w.query_one("#choices")
        names = [str(choices.get_option_at_index(i).prompt) for i in range(choices.option_count)]
        choices.highlighted = names.index("Net 15")
        await pilot.press("enter")
        await settle(host, pilot)
        assert setting(profile, "terms_mapping")["net 15"] == terms["Net 15"]
        await pilot.press("n", "y")  # yes: go on with the default tax codes not picked (asked first)
        await settle(host, pilot)

        # opening balances: once only
        assert w.step == "opening_balances"
        await pilot.press("enter")
        await settle(host, pilot)
        assert w.step == "stock", message(host)
        assert "1 unpaid or partly paid invoice(s) and 1 bill(s)" in message(host)
        assert status_of(profile, "sale_invoice", "1002") == "synced"
        await pilot.press("escape")
        await settle(host, pilot)
        assert w.step == "opening_balances"
        await pilot.press("enter")
        await settle(host, pilot)
        assert w.step == "opening_balances"
        assert "only once" in message(host)
        await pilot.press("down", "enter")
        await settle(host, pilot)

        # stock on hand
        assert w.step == "stock"
        assert "batch" in str(w.query_one(".warning").content) and "serial" in str(w.query_one(".warning").content)
        await pilot.press("enter", "y")  # it changes QuickBooks: asked first
        await settle(host, pilot)
        assert w.step == "opening_journal", message(host)
        assert status_of(profile, "product", "MUG-01") == "synced"
        assert (profile / "stock_on_hand.json").exists()

        # the opening inventory journal, the day before the filter start date
        explain = str(w.step_widget.query_one(".explain").content)
        assert "2026-09-30" in explain
        # the unprepared company's books are closed up to 2026-10-31: QBO would refuse the journal (6210), so the
        # step says so before anything is sent (as the preflight's book close check and the date gate do)
        assert "6210" in explain and "2026-10-31" in explain, explain
        assert not any(path.endswith("/journalentry") for _, path in sandbox.writes)
        await pilot.press("enter")
        await settle(host, pilot)

        # confirm: only the exact phrase; the preflight as QuickBooks is now (stock on hand made the matching
        # Inventory item inactive)
        assert w.step == "confirm"
        assert not any("Inventory item" in p for p in w.step_widget.view["problems"]), w.step_widget.view
        for wrong in ("i would like to update all transactions", CONFIRM_PHRASE + ".", "yes"):
            w.query_one("#phrase").value = wrong
            await pilot.press("enter")
            assert w.step == "confirm" and "not the phrase" in message(host)
        w.query_one("#phrase").value = CONFIRM_PHRASE
        await pilot.press("enter")
        await settle(host, pilot)
        assert host.result is True
    with Cache.open(profile, writer=False) as cache:
        assert cache.get_setting("wizard")["step"] == "done"
        assert cache.get_setting("integration_mode") == "both_ways"


async def test_quit_midway_and_reopen_resumes_at_the_same_step(profile, sandbox):
    host = wizard_host(profile, sandbox)
    async with host.run_test(size=(80, 24)) as pilot:
        await connect_steps(host, pilot, sandbox)
        await settle(host, pilot)
        await pilot.press("n")
        await settle(host, pilot)
        assert host.screen.step == "accounts"
        await pilot.press("a")
        await settle(host, pilot)
    with Cache.open(profile, writer=False) as cache:
        assert load_state(cache)["step"] == "accounts"
    host = wizard_host(profile, sandbox)
    async with host.run_test(size=(80, 24)) as pilot:
        await settle(host, pilot)
        w = host.screen
        assert w.step == "accounts"
        assert "Inventory Asset" in str(w.query_one("#roles").get_option_at_index(0).prompt)
        await pilot.press("escape")  # back a step
        await settle(host, pilot)
        assert w.step == "preflight"
        for _ in range(3):
            await pilot.press("escape")
            await settle(host, pilot)
        assert w.step == "mode"
        await pilot.press("escape")
        await settle(host, pilot)
        assert host.result is None
    with Cache.open(profile, writer=False) as cache:
        assert load_state(cache)["step"] == "mode"


async def test_no_step_opens_the_cache_on_the_ui_thread(profile, sandbox, monkeypatch):
    """Every step that reads the whole profile, writes or reaches QuickBooks runs in a child process: walking
    the wizard (connect, preflight with a fix, auto-mapping, the tax codes and terms) opens no Cache on the UI
    thread, and the wizard holds the profile between steps for nobody (a writer can take it at any step)."""
    from tests.tui.test_backend import UIThreadOpens

    on_ui_thread = UIThreadOpens(monkeypatch)
    on_ui_thread.watch()
    host = wizard_host(profile, sandbox)
    async with host.run_test(size=(80, 24)) as pilot:
        await connect_steps(host, pilot, sandbox)
        await pilot.press("down", "f", "y")  # fix inventory tracking (asked first)
        await settle(host, pilot)
        await pilot.press("n")
        await settle(host, pilot)
        await pilot.press("a")
        await settle(host, pilot)
        await pilot.press("n")
        await settle(host, pilot)
        assert host.screen.step == "tax_terms"
        assert on_ui_thread == []
        with Cache.open(profile, writer=True, command="another qbtui"):  # free between steps
            pass
