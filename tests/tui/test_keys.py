"""Pilot tests: every key of the README's key table (README.md#keys), at 80x24, on the sample profile."""

from __future__ import annotations

from decimal import Decimal

import pytest
from textual.command import CommandPalette

from qbtui.cache import Cache
from qbtui.tui.screens import ConfirmScreen, DocumentScreen, FixScreen, HelpScreen, LinkPicker

SIZE = (80, 24)


async def ready(app, pilot):
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def shown(app):
    return [r.ref for r in app.dashboard.table.shown_rows()]


async def filter_to(app, pilot, text: str) -> None:
    await pilot.press("slash")
    app.dashboard.filter_buffer = text  # as if typed (typing is tested in test_filter_typing)
    await pilot.press("enter")


def status_text(app) -> str:
    return str(app.dashboard._dash("#statusline").render())


async def test_starts_on_sales_invoices_pending_only(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        assert (app.dashboard.tab.label, app.dashboard.sub.label) == ("Sales", "Invoices")
        refs = shown(app)
        assert "SO-1001" not in refs  # synced: not pending
        assert "SO-1010" in refs and "SO-1008" in refs  # failed and blocked still need work
        dates = [(r.date, r.ref) for r in app.dashboard.table.shown_rows()]
        assert dates == sorted(dates)
        text = status_text(app)
        for part in ("SANDBOX", "connected", "0 selected, total $0.00", "synced 11-26 16:41"):
            assert part in text


async def test_number_keys_and_brackets_switch_tabs(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        for key, label in (("2", "Purchases"), ("3", "Adjustments & COGS"), ("4", "Retail"), ("5", "Errors"),
                           ("6", "Discrepancies"), ("1", "Sales")):
            await pilot.press(key)
            assert app.dashboard.tab.label == label
        await pilot.press("right_square_bracket")
        assert app.dashboard.sub.label == "Credit Notes"
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert app.dashboard.sub.label == "Quotes"
        await pilot.press("2", "right_square_bracket")
        assert app.dashboard.sub.label == "Purchase Orders"
        assert shown(app) == ["PO-3001"]


async def test_movement_keys(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("p")  # all invoices: 24 rows, more than a page
        t = app.dashboard.table
        await pilot.press("j", "j", "down")
        assert t.cursor == 3
        await pilot.press("k", "up")
        assert t.cursor == 1
        await pilot.press("G")
        assert t.cursor == len(t.index) - 1
        assert t.scroll_offset.y > 0
        await pilot.press("g")
        assert t.cursor == 0 and t.scroll_offset.y == 0
        await pilot.press("pagedown")
        assert t.cursor == t.size.height - 1
        await pilot.press("pageup")
        assert t.cursor == 0
        await pilot.press("end", "home")
        assert t.cursor == 0


async def test_selection_keys_and_total(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        rows = list(app.dashboard.table.shown_rows())
        await pilot.press("space", "space")
        assert app.dashboard.table.selected == {rows[0].key, rows[1].key}
        assert app.dashboard.table.cursor == 2
        total = rows[0].total + rows[1].total
        assert f"2 selected, total ${total:,.2f}" in status_text(app)
        await pilot.press("exclamation_mark")
        assert len(app.dashboard.table.selected) == len(rows) - 2 and rows[0].key not in app.dashboard.table.selected
        await pilot.press("escape")
        assert app.dashboard.table.selected == set()
        await pilot.press("a")
        assert len(app.dashboard.table.selected) == len(rows)
        expected = sum((r.total for r in rows), Decimal(0))
        assert f"{len(rows)} selected, total ${expected:,.2f}" in status_text(app)
        await pilot.press("escape")
        assert "0 selected" in status_text(app)


async def test_filter_and_pending_toggle(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        pending = len(shown(app))
        await pilot.press("p")
        assert len(shown(app)) == 24
        await pilot.press("p")
        assert len(shown(app)) == pending
        await filter_to(app, pilot, "status:failed")
        assert shown(app) == ["SO-1010"]
        await pilot.press("escape")  # clears the filter
        assert len(shown(app)) == pending and app.dashboard.filter_text == ""
        await pilot.press("p")
        await filter_to(app, pilot, "date:2026-11-0")
        assert shown(app) and all(r.date.startswith("2026-11-0") for r in app.dashboard.table.shown_rows())
        await filter_to(app, pilot, "harbour")
        assert shown(app) and all(r.party == "Harbour Cafe" for r in app.dashboard.table.shown_rows())
        await pilot.press("slash", "escape")  # esc in the filter box clears it
        assert app.dashboard.filter_text == ""


async def test_filter_typing_applies_live_and_keys_go_to_it(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("slash", *"status:fa", "q", "backspace", "i")
        assert app.dashboard.filter_buffer == "status:fai" and shown(app) == ["SO-1010"]  # live, q typed not quit
        assert "/status:fai" in str(app.dashboard._dash("#info").render())
        await pilot.press("enter")
        assert app.dashboard.filter_buffer is None and app.dashboard.filter_text == "status:fai" and app.is_running
        await pilot.press("slash", "j", "escape")
        assert app.dashboard.filter_text == "" and app.dashboard.table.cursor == 0


async def test_enter_opens_document_and_y_copies(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("p")
        await filter_to(app, pilot, "SO-1001")  # synced: shown with all
        assert app.dashboard.table.current_row.ref == "SO-1001"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DocumentScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert screen.record["data"]["lines"][0]["sku"] == "MUG-01"
        assert screen.link["qbo"][0]["id"] == "140" and screen.link["history"]
        payload = str(screen.query_one("#payloads").render())
        assert "Invoice" in payload or "planner" in payload
        await pilot.press("y")
        assert app.clipboard == "SO-1001"
        await pilot.press("Y")
        assert app.clipboard == "140"
        await pilot.press("q")
        assert not isinstance(app.screen, DocumentScreen)
        await pilot.press("y")  # on the table too
        assert app.clipboard == "SO-1001"


async def test_upload_selected_confirm_cancel_then_run(make_app, monkeypatch):
    monkeypatch.setenv("FAKE_SYNC_FAIL", "SO-1013")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("j", "space", "space")  # SO-1009, SO-1013
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "Upload 2 documents selected, total $242.00" in app.screen.message
        await pilot.press("n")
        assert not isinstance(app.screen, ConfirmScreen) and not app.dashboard.uploading
        await pilot.press("u")
        await pilot.pause()
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not app.dashboard.uploading
        refs = shown(app)
        assert "SO-1009" not in refs  # synced: left the pending list
        assert "SO-1013" in refs and app.dashboard.model.by_key[("sale_invoice", "SO-1013")].status == "failed"
        notes = [n.message for n in app._notifications]
        assert any("FAILED" in m and "5 for Errors" in m for m in notes)
        # the dashboard hands over the chosen documents only; `qbtui sync` adds their dependencies
        assert app.dashboard.progress["ok"] == 1 and app.dashboard.progress["failed"] == 1
        app.dashboard.uploading = True  # while a run goes, u/U/r are disabled
        assert app.dashboard.check_action("upload_selected", ()) is None
        await pilot.press("u")
        assert not isinstance(app.screen, ConfirmScreen)
        app.dashboard.uploading = False


async def test_upload_all_shown_with_enter_confirms(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("4")  # Retail > Gift Vouchers: GV-1 50.00, GV-2 20.00
        await pilot.press("U")
        await pilot.pause()
        assert "Upload 2 documents shown, total $70.00" in app.screen.message
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert shown(app) == []
        assert any("Upload finished" in n.message for n in app._notifications)


async def test_upload_error_event_is_shown(make_app, monkeypatch):
    monkeypatch.setenv("FAKE_SYNC_ERROR", "another sync holds the profile")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("4", "U", "y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("another sync holds the profile" in n.message for n in app._notifications)
        assert len(shown(app)) == 2


async def test_errors_tab_rows_and_subtabs(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("5")
        refs = shown(app)
        assert {"C-103", "SO-1008", "BILL-3002", "ADJ-2026-11-0002", "CN-78", "SO-1010"} <= set(refs)
        row = app.dashboard.table.current_row
        assert row.error["code"] and row.error["message"]
        await pilot.press("right_square_bracket")  # Dates
        assert set(shown(app)) == {"SO-1008", "BILL-3002", "ADJ-2026-11-0002", "SO-1010"}
        await pilot.press("right_square_bracket")  # Names & links
        assert shown(app) == ["C-103"]
        await pilot.press("right_square_bracket")  # Amounts
        assert shown(app) == ["CN-78"]


async def test_e_fixes_a_date_and_rechecks(make_app, data_dir):
    seen = []

    def gates(cache):
        seen.append(1)
        doc = cache.get("sale_invoice", "SO-1008")["data"]
        from tests.tui.conftest import FIXED_GATES
        g = dict(FIXED_GATES)
        if doc.get("invoice_date"):
            g[("sale_invoice", "SO-1008")] = ("pending", [])
        return g

    app = make_app(gate_source=gates)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("5", "right_square_bracket")  # Dates
        await filter_to(app, pilot, "SO-1008")
        await pilot.press("e")
        await ready(app, pilot)  # the form opens once the Backend has read the document
        assert isinstance(app.screen, FixScreen)
        box = app.screen.query_one("#f-invoice_date")
        box.value = "2026-13-01"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FixScreen)  # invalid: stays, says why
        assert "not a real calendar date" in str(app.screen.query_one("#fix-error").render())
        box.value = "2026-11-02"
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not isinstance(app.screen, FixScreen)
        with Cache.open(data_dir / "profiles" / "demo", writer=False) as c:
            assert c.get("sale_invoice", "SO-1008")["data"]["invoice_date"] == "2026-11-02"
        assert len(seen) >= 2
        assert app.dashboard.model.by_key[("sale_invoice", "SO-1008")].status == "pending"
        assert "SO-1008" not in shown(app)


async def test_S_syncs_every_tab(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        waiting = {r.key for rows in app.dashboard.model.rows.values() for r in rows if r.status in ("pending", "blocked", "failed")}
        await pilot.press("S")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert f"Upload {len(waiting)} documents waiting on every tab" in app.screen.message
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.dashboard.progress["ok"] + app.dashboard.progress["failed"] == len(waiting)
        assert {t for t, _ in waiting} >= {"customer", "sale_invoice", "supplier_invoice", "adjustment", "gift_voucher"}


async def test_fix_form_never_stores_what_import_would_refuse(make_app, data_dir):
    """An amount that is not a number, or a required amount left empty, is refused with the import's own
    message; the document in the cache is unchanged."""
    app = make_app()
    with Cache.open(data_dir / "profiles" / "demo", writer=False) as c:
        before = c.get("credit_note", "CN-78")["data"]
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("5")
        await filter_to(app, pilot, "CN-78")
        await pilot.press("e")
        await ready(app, pilot)  # the form opens once the Backend has read the document
        assert isinstance(app.screen, FixScreen)
        box = app.screen.query_one("#f-refunds-0-amount")
        for text, message in (("abc", "'abc' is not a number"), ("", "required field is missing"),
                              ("1.234", "too many decimal places")):
            box.value = text
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, FixScreen)
            assert message in str(app.screen.query_one("#fix-error").render())
    with Cache.open(data_dir / "profiles" / "demo", writer=False) as c:
        assert c.get("credit_note", "CN-78")["data"] == before


async def test_e_links_a_contact_to_an_existing_qbo_one(make_app, data_dir):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("5")
        await filter_to(app, pilot, "C-103")
        await pilot.press("e")
        await ready(app, pilot)  # the form opens once the Backend has read the document
        assert isinstance(app.screen, FixScreen)
        await pilot.press("ctrl+l")
        await ready(app, pilot)  # the picker's list comes from the Backend
        assert isinstance(app.screen, LinkPicker)
        app.screen.query_one("#search").value = "harbour"
        await pilot.pause()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        with Cache.open(data_dir / "profiles" / "demo", writer=False) as c:
            link = c.link("customer", "C-103")
        assert link["status"] == "synced" and link["qbo"][0]["id"] == "58"
        assert app.dashboard.model.by_key[("customer", "C-103")].status == "synced"


async def test_fix_save_when_profile_is_busy(make_app, data_dir):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("5")
        await filter_to(app, pilot, "SO-1008")
        await pilot.press("e")
        await ready(app, pilot)  # the form opens once the Backend has read the document
        app.screen.query_one("#f-invoice_date").value = "2026-11-02"
        with Cache.open(data_dir / "profiles" / "demo", writer=True, command="qbtui sync"):
            await pilot.press("ctrl+s")
            await app.workers.wait_for_complete()  # the save runs in a child process
            await pilot.pause()
        assert isinstance(app.screen, FixScreen)
        assert any("busy" in (n.title or "") for n in app._notifications)
        await pilot.press("escape")
        assert not isinstance(app.screen, FixScreen)


async def test_r_resyncs_the_selection_on_errors(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("5")
        await filter_to(app, pilot, "CN-78")
        await pilot.press("space", "r")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and "1 document to re-sync" in app.screen.message
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.dashboard.model.by_key[("credit_note", "CN-78")].status == "synced"


async def test_help_palette_back_and_quit(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        ids = {bid for _, _, bid in app.screen.bindings_list}
        assert {"upload_selected", "upload_all", "filter", "toggle_pending", "select_toggle", "select_all",
                "select_invert", "open_document", "fix", "help", "back", "quit", "tab_errors",
                "subtab_next", "cursor_down", "copy_reference"} <= ids
        await pilot.press("q")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("colon")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("space", "q")  # back: clears the selection first
        assert app.dashboard.table.selected == set() and app.is_running
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_ctrl_q_quits(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running


async def test_keymap_setting_remaps_by_id(make_app, data_dir):
    from qbtui.settings import SettingError, set_setting

    with Cache.open(data_dir / "profiles" / "demo", writer=True) as c:  # as `qbtui settings set KEY VALUE` does
        set_setting(c, "keymap.upload_all", "ctrl+u")
        set_setting(c, "keymap.toggle_pending", "F")  # P is Pull
        with pytest.raises(SettingError, match="not a key list"):
            set_setting(c, "keymap.upload_all", "ctrl u; rm")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("F")
        assert not app.dashboard.pending_only
        await pilot.press("ctrl+u")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")


async def test_discrepancies_tab(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("6")
        assert shown(app) == ["SO-1003", "SO-1004"]
        assert "61.51" in app.dashboard.table.current_row.error["message"]
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert shown(app) == ["SO-1004"]


@pytest.mark.parametrize("theme", ["ansi-dark", "ansi-light"])
async def test_ansi_themes(make_app, theme):
    app = make_app(theme=theme)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        assert app.theme == theme


async def test_palette_lists_dashboard_and_other_screens(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        names = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Upload", "Upload all", "Filter", "Help"} <= names
        assert {"Settings", "Audit log"} <= names
