"""`j` and `k` move in every list of the wizard's screens (as on the dashboard): bound on the screen, they move the
focused list (an OptionList or a DataTable); typed into an input they are letters, as the input takes them first.
And how the wizard's screens draw an input's placeholder."""

from __future__ import annotations

from textual.binding import Binding

LIST_KEYS = [Binding("j", "list_move(1)", "Down", show=False, id="list.down"),
             Binding("k", "list_move(-1)", "Up", show=False, id="list.up")]


class ListKeys:
    """A mixin for a Screen: the ``list_move`` action of :data:`LIST_KEYS`."""

    def action_list_move(self, step: int) -> None:
        widget = getattr(self, "focused", None)
        move = getattr(widget, "action_cursor_down" if step > 0 else "action_cursor_up", None)
        if callable(move):
            move()


#: an empty input's placeholder never looks like a value: dim (the theme's disabled text) and italic, which stays
#: when colours are off (NO_COLOR)
PLACEHOLDER_CSS = """
Input > .input--placeholder { color: $text-disabled; text-style: italic; }
"""
