"""The dashboard's footer: Textual's Footer, its keys shown, hidden, greyed and ungreyed in place.

Textual's Footer recomposes on every change of the bindings: it removes its keys and mounts new ones (each new
key's styles computed, its compact class set through a data binding, a layout pass), about 30 ms of the UI thread
at 120x40 on every switch between the Errors tab and a document tab (their footers differ: u U p, or r). This one
keeps one FooterKey per key it has shown, in the bindings' order; a change of the bindings shows, hides, greys or
ungreys them (nothing when what it shows is the same), and it recomposes as Textual does only for a key it has not
shown yet (then with every key it has shown, the new one hidden or shown in its place). What it shows is what
Textual's Footer.compose shows: the screen's active bindings that have ``show``, one per action, the command
palette's key on the right; with binding groups (the dashboard has none) it is Textual's own recompose."""

from __future__ import annotations

from typing import NamedTuple

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

#: a footer that has shown this many more keys than it shows now starts again from the ones it shows
MAX_HIDDEN = 24


class Shown(NamedTuple):
    """One key of the footer, as Textual's Footer.compose makes its FooterKey."""

    key: str
    display: str
    description: str
    action: str
    tooltip: str
    palette: bool  # the command palette's key, docked right


class KeysFooter(Footer):
    """A Footer whose keys change in place (see the module docstring)."""

    def __init__(self, *children, **kwargs) -> None:
        super().__init__(*children, **kwargs)
        self._known: list[Shown] = []  # the FooterKeys mounted, in order (some hidden)
        self._state: list[tuple[Shown, bool]] | None = None  # what is shown: each key and whether it is enabled

    def wanted(self) -> list[tuple[Shown, bool]] | None:
        """The keys Textual's Footer would show now, in order, each with whether it is enabled; None when the
        bindings have groups (Textual's own compose draws those)."""
        active = self.screen.active_bindings
        app = self.app
        out: list[tuple[Shown, bool]] = []
        actions: set[str] = set()
        for _, binding, enabled, tooltip in active.values():
            if not binding.show:
                continue
            if binding.group is not None:
                return None
            if binding.action in actions:  # the first binding of an action stands for it
                continue
            actions.add(binding.action)
            out.append((Shown(binding.key, app.get_key_display(binding), binding.description, binding.action,
                              tooltip or "", False), enabled))
        if self.show_command_palette and app.ENABLE_COMMAND_PALETTE:
            found = active.get(app.COMMAND_PALETTE_BINDING)
            if found is not None:
                _, binding, enabled, _ = found
                out.append((Shown(binding.key, app.get_key_display(binding), binding.description, binding.action,
                                  binding.tooltip or binding.description, True), enabled))
        return out

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        wanted = self.wanted()
        if wanted is None:
            self._known, self._state = [], None
            yield from super().compose()
            return
        enabled = dict(wanted)
        known = _merged(self._known, [shown for shown, _ in wanted])
        if len(known) > len(wanted) + MAX_HIDDEN:
            known = [shown for shown, _ in wanted]
        self._known, self._state = known, wanted
        for shown in known:
            key = FooterKey(shown.key, shown.display, shown.description, shown.action,
                            disabled=not enabled.get(shown, True), tooltip=shown.tooltip,
                            classes="-command-palette" if shown.palette else "")
            if not shown.palette:
                key.data_bind(compact=Footer.compact)
            key.display = shown in enabled
            yield key

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._update)

    async def _update(self) -> None:
        if not self.is_attached:
            return
        wanted = self.wanted()
        if wanted is not None and wanted == self._state:
            return  # what the footer shows is the same: nothing to do
        keys = list(self.query_children(FooterKey))
        if wanted is None or len(keys) != len(self._known) or not _in_order(self._known, wanted):
            await self.recompose()  # a key not shown before (or groups): composed, as Textual does
            return
        enabled = dict(wanted)
        with self.app.batch_update():
            for shown, key in zip(self._known, keys):
                key.display = shown in enabled
                off = not enabled.get(shown, True)
                if key._disabled != off:
                    key._disabled = off  # FooterKey's own flag (a click on it rings the bell)
                    key.set_class(off, "-disabled")
        self._state = wanted


def _in_order(known: list[Shown], wanted: list[tuple[Shown, bool]]) -> bool:
    """Every wanted key is mounted, in the order the footer shows them."""
    at = {shown: i for i, shown in enumerate(known)}
    places = [at.get(shown, -1) for shown, _ in wanted]
    return all(p >= 0 for p in places) and places == sorted(places)


def _merged(known: list[Shown], wanted: list[Shown]) -> list[Shown]:
    """The keys mounted before and the wanted ones, each new one after the wanted key before it; the wanted
    order when the two orders differ."""
    out = list(known)
    last = -1
    for shown in wanted:
        if shown in out:
            i = out.index(shown)
            if i < last:
                return list(wanted)
            last = i
        else:
            last += 1
            out.insert(last, shown)
    return out
