"""The wizard does not fight the user: the account picker offers only what a role allows (searchable, a row highlighted
at once), skipping required roles and changing QuickBooks ask first (a change recorded in the audit log), the settings
the preflight asks for change in place, placeholders never pass for values, the company is named by its name, and
nothing on screen is an internal code. Pilot against the profile ``seeded`` (tests/wizard/conftest.py: reference data
pulled, no network while the app runs) or, where QuickBooks is changed, the loopback sandbox."""

from __future__ import annotations

import re
from pathlib import Path

from textual.widgets import Input, OptionList

from qbtui.cache import Cache
from qbtui.ledger.roles import ROLE_BY_NAME, ROLES, assignment_refused
from qbtui.settings import SettingError, parse_setting
from qbtui.sync.preflight import CODES
from qbtui.tui.screens import ConfirmScreen
from qbtui.tui.wizard import CONFIRM_PHRASE, STEPS

from .conftest import REALM, _ready, at_step
from .test_snapshots import _host
from .test_wizard_walk import connect_steps, message, settle, wizard_host


def stored(profile: Path, key: str):
    with Cache.open(profile, writer=False) as cache:
        return cache.get_setting(key)


def screen_text(app) -> str:
    """Every character the terminal shows, line by line."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def options(ol: OptionList) -> list:
    return [ol.get_option_at_index(i) for i in range(ol.option_count)]


async def test_the_account_picker_offers_only_allowed_types_is_searchable_and_starts_highlighted(seeded, tmp_path):
    profile = at_step(seeded, tmp_path, "accounts", mapping={})
    app = _host(profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot)
        w = app.screen
        accounts = [a for a in w.references["accounts"] if a.get("Active", True)]
        for n, role in enumerate(ROLES):  # every role: its allowed types only, a row highlighted, none refusable
            w.query_one("#roles", OptionList).highlighted = n
            await pilot.press("enter")
            await pilot.pause()
            picker = w.query_one("#accounts", OptionList)
            offered = {str(o.id) for o in options(picker)}
            allowed = {str(a["Id"]) for a in accounts if role.allows(a)}
            if allowed:
                assert offered == allowed, role.name
                assert picker.highlighted is not None, role.name
                assert all(assignment_refused({}, role.name, a) is None for a in accounts if str(a["Id"]) in offered)
            else:
                assert picker.highlighted is None and "No active account of an allowed type" in str(
                    options(picker)[0].prompt)
            assert isinstance(app.focused, Input) and app.focused.id == "account-filter"  # typing searches at once
            await pilot.press("escape")
            await pilot.pause()
        w.query_one("#roles", OptionList).highlighted = 0  # inventory asset
        await pilot.press("enter")
        await pilot.press(*"zzq")
        picker = w.query_one("#accounts", OptionList)
        assert "No account matches" in str(options(picker)[0].prompt) and picker.highlighted is None
        await pilot.press("backspace", "backspace", "backspace", *"asset")
        assert [str(o.prompt) for o in options(picker)] and all("asset" in str(o.prompt).casefold()
                                                                 for o in options(picker))
        assert picker.highlighted == 0
        await pilot.press("enter")  # the highlighted row, from the search box
        await _ready(pilot)
        chosen = stored(profile, "mapping")["inventory_asset"]
        assert ROLE_BY_NAME["inventory_asset"].allows(next(a for a in accounts if str(a["Id"]) == chosen))
        assert "mapped" in message(app) and "refused" not in message(app)


async def test_skipping_required_roles_asks_first_naming_them(seeded, tmp_path):
    profile = at_step(seeded, tmp_path, "accounts", mapping={})
    app = _host(profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        asked = app.screen.message + app.screen.note
        for role in ROLES:
            assert (role.label in asked) == role.required, role.name
        await pilot.press("n")  # no: stays
        await _ready(pilot)
        assert app.screen.step == "accounts"
        await pilot.press("n", "y")  # yes: goes on, the roles left unmapped
        await _ready(pilot)
        assert app.screen.step == "tax_terms"
        assert stored(profile, "mapping") == {}


async def test_with_the_required_roles_mapped_next_asks_nothing(seeded, tmp_path):
    app = _host(at_step(seeded, tmp_path, "accounts"))  # auto-mapped: every required role
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot)
        await pilot.press("n")
        await _ready(pilot)
        assert app.screen.step == "tax_terms"


async def test_placeholders_never_look_like_values(seeded, tmp_path):
    for step, box in (("mode", "#filter-start"), ("confirm", "#phrase")):
        app = _host(at_step(seeded, tmp_path / step, step, filter_start_date=None))
        async with app.run_test(size=(80, 24)) as pilot:
            await _ready(pilot)
            field = app.screen.query_one(box, Input)
            field.value = ""
            await pilot.pause()
            assert field.get_component_rich_style("input--placeholder").italic  # italic: NO_COLOR too
            if step == "mode":  # not a date: it cannot be taken for one
                try:
                    parse_setting("filter_start_date", field.placeholder)
                except SettingError:
                    pass
                else:
                    raise AssertionError(f"the placeholder {field.placeholder!r} is a valid date")
            else:  # the phrase is shown above, and typed: it is not its own placeholder
                assert CONFIRM_PHRASE not in field.placeholder
                assert CONFIRM_PHRASE in screen_text(app).replace("\n", " ")
                await pilot.press("enter")
                assert app.screen.step == "confirm" and "not the phrase" in message(app)


async def test_the_company_is_named_by_its_name_never_its_realm_id(seeded, tmp_path):
    with Cache.open(seeded, writer=False) as cache:
        name = cache.reference("company_info")["CompanyName"]
    for step in ("connect", "preflight", "accounts"):
        app = _host(at_step(seeded, tmp_path / step, step))
        async with app.run_test(size=(120, 40)) as pilot:
            await _ready(pilot)
            text = screen_text(app)
            assert name in text, step
            assert REALM not in text, step


#: what a user must never read on the wizard's screens: role ids, check codes, gate codes, Python values
INTERNAL = re.compile("|".join([*(rf"\b{r.name}\b" for r in ROLES if "_" in r.name),
                                *(rf"\b{c}\b" for c in CODES if "_" in c),
                                r"\b[a-z]+\.[a-z]+_[a-z_]+\b", r"\bNone\b", r"\bTrue\b", r"\bFalse\b"]))


async def test_no_internal_codes_on_any_step(seeded, tmp_path):
    for step in STEPS:
        for size in ((80, 24), (120, 40)):
            app = _host(at_step(seeded, tmp_path / f"{step}{size[0]}", step, mapping={}))
            async with app.run_test(size=size) as pilot:
                await _ready(pilot)
                texts = [screen_text(app)]
                if step in ("accounts", "preflight", "tax_terms"):  # each row's own text and detail too
                    ol = app.screen.query(OptionList).first()
                    for i in range(ol.option_count):
                        ol.highlighted = i
                        await pilot.pause()
                        texts.append(screen_text(app))
                    if step == "accounts":
                        await pilot.press("home", "enter")
                        await pilot.pause()
                        texts.append(screen_text(app))
                        await pilot.press("escape", "n")  # the question naming the roles left unmapped
                        await pilot.pause()
                        texts.append(screen_text(app))
                for text in texts:
                    found = INTERNAL.findall(text)
                    assert not found, (step, size, found, text)


async def test_the_settings_the_preflight_asks_for_change_in_place(seeded, tmp_path):
    profile = at_step(seeded, tmp_path, "preflight", base_currency="USD")  # the company keeps its books in CAD
    app = _host(profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot)
        w = app.screen
        codes = [c.code for c in w.step_widget.checks]
        w.query_one("#checks", OptionList).highlighted = codes.index("currency")
        await pilot.press("s")
        box = w.query_one("#setting-value", Input)
        assert app.focused is box and box.value == "CAD"  # the value that answers it, ready to store
        await pilot.press("enter")
        await _ready(pilot)
        assert stored(profile, "base_currency") == "CAD"
        assert next(c for c in w.step_widget.checks if c.code == "currency").ok
        assert "Base currency set to CAD" in message(app)

        w.query_one("#checks", OptionList).highlighted = codes.index("book_close")  # closed up to 2026-10-31
        await pilot.press("s")
        box = w.query_one("#setting-value", Input)
        assert box.value == "2026-11-02"
        box.value = "2026-13-01"
        await pilot.press("enter")  # refused inline, nothing stored
        await _ready(pilot)
        assert stored(profile, "filter_start_date") == "2026-10-01" and w.query_one("#setting-row").display
        await pilot.press("escape")  # closes the editor, stays on the step
        await _ready(pilot)
        assert w.step == "preflight" and not w.query_one("#setting-row").display
        await pilot.press("s")
        await pilot.press("enter")
        await _ready(pilot)
        assert stored(profile, "filter_start_date") == "2026-11-02"
        assert next(c for c in w.step_widget.checks if c.code == "book_close").ok


def _fix_runs(profile: Path) -> list[dict]:
    with Cache.open(profile, writer=False) as cache:
        return [r for r in cache.runs() if r.get("action") == "preflight_fix"]


async def test_a_fix_that_changes_quickbooks_asks_first_and_is_audited(profile, sandbox):
    host = wizard_host(profile, sandbox)
    async with host.run_test(size=(80, 24)) as pilot:
        await connect_steps(host, pilot, sandbox)
        await settle(host, pilot)
        w = host.screen
        codes = [c.code for c in w.step_widget.checks]
        w.query_one("#checks", OptionList).highlighted = codes.index("inventory_tracking")
        writes = len(sandbox.writes)
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(host.screen, ConfirmScreen)
        assert "Track inventory quantity on hand" in host.screen.message and "audit log" in host.screen.note
        await pilot.press("n")
        await settle(host, pilot)
        assert len(sandbox.writes) == writes and _fix_runs(profile) == []  # nothing sent, nothing recorded
        assert "Nothing was changed" in message(host)
        w.query_one("#checks", OptionList).highlighted = codes.index("inventory_items")
        await pilot.press("f")
        await pilot.pause()
        assert "MUG-01" in host.screen.note  # the items it would make inactive, named
        await pilot.press("y")
        await settle(host, pilot)
        assert "audit log" in message(host), message(host)
        [run] = _fix_runs(profile)
        assert run["who"] and run["code"] == "inventory_items" and run["ended"]
        assert [(c["entity"], c["field"], c["before"], c["after"]) for c in run["changed"]] == [
            ("Item", "Active", True, False)]


async def test_the_stock_step_asks_before_it_changes_quickbooks(seeded, tmp_path):
    profile = at_step(seeded, tmp_path, "stock")
    app = _host(profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot)
        await pilot.press("enter")  # Import stock on hand and recreate the items
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "inactive in QuickBooks" in app.screen.message and "audit log" in app.screen.note
        await pilot.press("n")
        await _ready(pilot)
        assert app.screen.step == "stock" and "Nothing was changed" in message(app)
        assert not (profile / "stock_on_hand.json").exists()


async def test_a_terms_choice_starts_on_the_name_spelled_alike(seeded, tmp_path):
    app = _host(at_step(seeded, tmp_path, "tax_terms"))
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot)
        names = app.screen.query_one("#names", OptionList)
        names.highlighted = next(i for i, o in enumerate(options(names)) if "net 15" in str(o.prompt))
        await pilot.press("enter")
        await pilot.pause()
        choices = app.screen.query_one("#choices", OptionList)
        assert str(choices.get_option_at_index(choices.highlighted).prompt) == "Net 15"


async def test_the_settings_screen_speaks_words_and_names_the_company(seeded, tmp_path):
    from qbtui.tui.wizard import SettingsScreen

    from .host import Host

    profile = at_step(seeded, tmp_path, "mode", integration_mode="both_ways")
    app = Host(lambda: SettingsScreen(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot)
        rows = [str(o.prompt) for o in options(app.screen.query_one("#settings-list", OptionList))]
        assert rows[0].split()[:2] == ["Integration", "mode"] and rows[0].endswith("Both ways")
        for row in rows:  # names and values in words: no key, no underscore, no Python value
            assert "_" not in row and not INTERNAL.search(row), row
        assert "Harbourside Goods (unprepared)" in screen_text(app) and "region CA" in screen_text(app)
        assert "qbtui settings set integration_mode" in " ".join(screen_text(app).replace("│", " ").split())


async def test_going_on_with_tax_codes_or_terms_left_to_pick_asks_first(seeded, tmp_path):
    profile = at_step(seeded, tmp_path, "tax_terms")
    app = _host(profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        note = app.screen.note
        assert "\u201cnet 15\u201d" in note and "default sales tax code" in note and "\u201cNet 30\u201d" not in note
        await pilot.press("n")
        await _ready(pilot)
        assert app.screen.step == "tax_terms" and "Still on this step" in message(app)
        await pilot.press("n", "y")
        await _ready(pilot)
        assert app.screen.step == "opening_balances"
