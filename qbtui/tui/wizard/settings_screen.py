"""The settings screen: every setting (docs/domain.md#settings) with the value in force; ``enter`` edits one,
validated by :func:`qbtui.settings.parse_setting` (a clear inline error, nothing stored when bad).

It reads the settings with the Backend's small state reader (no documents) and stores a value through the
Backend (``qbtui settings set KEY VALUE --events`` in a child process, in a worker): it never opens the cache
as a writer on the UI thread."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from qbtui.settings import SettingError, parse_setting, setting_for, settings_table
from qbtui.tui.backend import Backend, BackendError
from qbtui.tui.wizard.listkeys import LIST_KEYS, PLACEHOLDER_CSS, ListKeys
from qbtui.tui.wizard.state import MODES, sentence

OTHER = "\tother"


def _shown(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def label(key: str) -> str:
    """A setting's name in words (``filter_start_date`` -> ``Filter start date``); the key itself is named in the
    help line, with the command that sets it."""
    return sentence(key.replace(".", " ").replace("_", " "))


def value_words(key: str, value: Any) -> str:
    """A setting's value in words: on/off, (not set), a mode's name, a choice without its underscores."""
    if value is None:
        return "(not set)"
    if isinstance(value, bool):
        return "on" if value else "off"
    if key == "integration_mode" and value in MODES:
        return MODES[value]
    if isinstance(value, str) and value in setting_for(key).choices:
        return value.replace("_", " ")
    return str(value)


def company_line(state: dict[str, Any]) -> str:
    """The company's name, region and home currency as the last pull saw them (docs/domain.md#tax-and-regions)."""
    from qbtui.ledger.context import Prefs

    prefs = Prefs.from_qbo(state.get("preferences") or None, state.get("company_info") or None)
    if prefs.region is None:
        return "company: not pulled yet"
    name = (state.get("company_info") or {}).get("CompanyName")
    return (f"{name}: " if name else "") + f"region {prefs.region.upper()}, home currency {prefs.home_currency or '?'}"


class SettingsScreen(ListKeys, ModalScreen[None]):
    """Settings of one profile, given its Backend (or its folder: a Backend of its own)."""

    DEFAULT_CSS = """
    SettingsScreen { align: center middle; }
    #settings-frame { width: 100%; height: 100%; border: round $accent; padding: 0 1; background: $surface; }
    #settings-title { text-style: bold; }
    #settings-list { height: 1fr; }
    #settings-help { height: auto; color: $text-muted; }
    #settings-error { height: auto; color: $error; text-style: bold; }
    #settings-key, #settings-value { display: none; }
    """ + PLACEHOLDER_CSS
    BINDINGS = [*LIST_KEYS, Binding("escape", "back", "Back", id="settings.back"),
                Binding("o", "opening", "Opening steps", id="settings.opening")]

    def __init__(self, backend: Backend | Path) -> None:
        super().__init__()
        self.backend = backend if isinstance(backend, Backend) else Backend(Path(backend))
        self.profile_path = self.backend.profile_path
        self.settings: dict[str, Any] = {}
        self.editing: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="settings-frame"):
            yield Static("Settings (enter edit, esc back)", id="settings-title")
            yield OptionList(id="settings-list")
            yield Static(id="settings-help", markup=False)
            yield Input(placeholder="a key such as channel.<name>.invoice_sync", id="settings-key")
            yield Input(id="settings-value")
            yield Static(id="settings-error", markup=False)

    def on_mount(self) -> None:
        self.fill()
        self.query_one("#settings-list").focus()

    def rows(self) -> list[dict[str, Any]]:
        state = self.backend.state()
        self.settings = state["settings"]
        self.query_one("#settings-title", Static).update(f"Settings (enter edit, esc back)  {company_line(state)}")
        return settings_table(self.settings)

    def fill(self) -> None:
        ol = self.query_one("#settings-list", OptionList)
        keep = ol.highlighted or 0
        ol.clear_options()
        rows = self.rows()
        width = max(28, *(len(label(r["key"])) for r in rows))
        ol.add_options([Option(Text(f"{label(r['key']):<{width}}  {value_words(r['key'], r['value'])}"), id=r["key"])
                        for r in rows])
        ol.add_option(Option("(a sales channel's setting: how its invoices and cost of goods are sent)", id=OTHER))
        ol.highlighted = min(keep, ol.option_count - 1)
        self._help()

    @on(OptionList.OptionHighlighted, "#settings-list")
    def _help(self) -> None:
        ol = self.query_one("#settings-list", OptionList)
        if ol.highlighted is None:
            return
        key = str(ol.get_option_at_index(ol.highlighted).id)
        if key == OTHER:
            text = ("Per sales channel: individual (each document is sent on its own), daily or monthly (a day's or "
                    "a month's documents posted as one summary once summary.grace has passed: the documents show "
                    "SUMMARIZED, the Summaries tab (7) lists the summaries) or no_sync (skipped). payment_sync: "
                    "its payments and refunds (unset: as its invoices); summary_customer: the QBO customer of its "
                    "summary invoices (unset: '<name> sales').")
        else:
            s = setting_for(key)
            allowed = f" Allowed: {', '.join(s.choices)}." if s.choices and len(s.choices) <= 6 else ""
            text = (f"{s.help}. Default: {value_words(key, s.default)}.{allowed} Command line: qbtui settings set "
                    f"{key} VALUE.")
        self.query_one("#settings-help", Static).update(text)

    @on(OptionList.OptionSelected, "#settings-list")
    def _edit(self, event: OptionList.OptionSelected) -> None:
        key = str(event.option.id)
        self.query_one("#settings-error", Static).update("")
        if key == OTHER:
            box = self.query_one("#settings-key", Input)
            box.value = ""
            box.display = True
            box.focus()
            return
        self.open_value(key)

    def open_value(self, key: str) -> None:
        self.editing = key
        value = self.settings.get(key, setting_for(key).default)
        box = self.query_one("#settings-value", Input)
        box.value = "" if value is None else _shown(value)
        box.placeholder = f"{key} (none clears an optional setting)"
        box.display = True
        box.focus()

    @on(Input.Submitted, "#settings-key")
    def _key(self, event: Input.Submitted) -> None:
        try:
            setting_for(event.value.strip())
        except SettingError as exc:
            self.query_one("#settings-error", Static).update(str(exc))
            return
        event.input.display = False
        self.open_value(event.value.strip())

    @on(Input.Submitted, "#settings-value")
    def _value(self, event: Input.Submitted) -> None:
        assert self.editing is not None
        try:
            parse_setting(self.editing, event.value)  # said at once, inline; the child checks it again
        except SettingError as exc:
            self.query_one("#settings-error", Static).update(str(exc))
            return
        self.store(self.editing, event.value)

    @work(exclusive=True, group="settings", exit_on_error=False)
    async def store(self, key: str, text: str) -> None:
        try:
            value = await self.backend.set_setting(key, text)
        except BackendError as exc:  # a busy profile, a full disk: said, the editor stays open
            self.query_one("#settings-error", Static).update(exc.message)
            return
        self.query_one("#settings-error", Static).update("")
        self.notify(f"{label(key)}: {value_words(key, value)}")
        self.close_editor()

    def close_editor(self) -> bool:
        shown = False
        for box in self.query("#settings-key, #settings-value").results(Input):
            shown = shown or box.display
            box.display = False
        self.editing = None
        self.fill()
        self.query_one("#settings-list").focus()
        return shown

    def action_back(self) -> None:
        if not self.close_editor():
            self.dismiss(None)

    def action_opening(self) -> None:
        """The opening steps after setup (qbtui opening balances|stock|journal), through the Backend."""
        from qbtui.tui.wizard.opening_screen import OpeningScreen

        if self.editing is None:
            self.app.push_screen(OpeningScreen(self.backend))
