"""The opening steps after setup, from the settings screen (``o``): the wizard's opening balances, stock on hand
and opening inventory journal, each run as ``qbtui opening STEP --yes`` through the Backend after the question
``qbtui opening`` asks (qbtui.sync.wizard.OPENING_QUESTIONS); each runs once (a second run is refused, said)."""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from qbtui.sync.wizard import OPENING_QUESTIONS
from qbtui.tui.backend import Backend, BackendError
from qbtui.tui.wizard.listkeys import LIST_KEYS, PLACEHOLDER_CSS, ListKeys
from qbtui.tui.wizard.state import sentence

TITLES = {"balances": "Opening balances: QuickBooks' open invoices and bills",
          "stock": "Stock on hand: from QuickBooks' Inventory items",
          "journal": "Opening inventory journal"}


class OpeningScreen(ListKeys, ModalScreen[None]):
    """Choose a step (enter), answer its question (y / n); stock asks for its location first."""

    DEFAULT_CSS = """
    OpeningScreen { align: center middle; }
    #opening-frame { width: 90; height: auto; border: round $accent; padding: 0 1; background: $surface; }
    #opening-title { text-style: bold; }
    #opening-list { height: auto; }
    #opening-location { display: none; }
    #opening-question, #opening-result { height: auto; }
    """ + PLACEHOLDER_CSS
    BINDINGS = [*LIST_KEYS, Binding("escape", "back", "Back"), Binding("y", "yes", "Run", show=False),
                Binding("n", "no", "Cancel", show=False)]

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend
        self.chosen: str | None = None
        self.asking = False

    def compose(self) -> ComposeResult:
        with Vertical(id="opening-frame"):
            yield Static("Opening steps (enter choose, esc back)", id="opening-title")
            yield OptionList(*(Option(TITLES[k], id=k) for k in OPENING_QUESTIONS), id="opening-list")
            yield Input(placeholder="location of the stock on hand (enter)", id="opening-location")
            yield Static(id="opening-question", markup=False)
            yield Static(id="opening-result", markup=False)

    def on_mount(self) -> None:
        self.query_one("#opening-list").focus()

    @on(OptionList.OptionSelected, "#opening-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.chosen = event.option.id
        location = self.query_one("#opening-location", Input)
        if self.chosen == "stock" and not location.value.strip():
            location.display = True
            location.focus()
            return
        self.ask()

    @on(Input.Submitted, "#opening-location")
    def _located(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.ask()

    def ask(self) -> None:
        assert self.chosen is not None
        self.asking = True
        self.query_one("#opening-question", Static).update(sentence(OPENING_QUESTIONS[self.chosen])
                                                            + "  (y: run, n: cancel)")
        self.query_one("#opening-list").focus()

    def action_yes(self) -> None:
        if self.asking and self.chosen is not None:
            self.asking = False
            self.query_one("#opening-question", Static).update("running ...")
            location = self.query_one("#opening-location", Input).value.strip() or None
            self.run_step(self.chosen, location if self.chosen == "stock" else None)

    def action_no(self) -> None:
        if self.asking:
            self.asking = False
            self.query_one("#opening-question", Static).update("nothing was changed")

    def action_back(self) -> None:
        self.dismiss(None)

    @work(exclusive=True, group="opening", exit_on_error=False)
    async def run_step(self, step: str, location: str | None) -> None:
        try:
            done: dict[str, Any] = await self.backend.opening(step, location=location)
        except BackendError as exc:
            self.query_one("#opening-question", Static).update("")
            self.query_one("#opening-result", Static).update(f"Not done: {exc}")
            return
        self.query_one("#opening-question", Static).update("")
        self.query_one("#opening-result", Static).update(str((done or {}).get("message") or "done"))
