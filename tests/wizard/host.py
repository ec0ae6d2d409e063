"""A tiny host app that pushes one wizard screen (the dashboard does the same)."""

from __future__ import annotations

from textual.app import App


class Host(App):
    CSS = "Screen { background: $background; }"

    def __init__(self, make_screen) -> None:
        super().__init__()
        self.make_screen = make_screen
        self.result = "unset"

    def on_mount(self) -> None:
        self.push_screen(self.make_screen(), self.done)

    def done(self, value) -> None:
        self.result = value
