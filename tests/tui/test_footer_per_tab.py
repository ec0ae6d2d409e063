"""The dashboard's footer (KeysFooter) shows on every tab what Textual's own Footer would show there (the same keys,
in the same order, greyed the same), drawn on the screen's last line; after a tab of each kind has been shown, a
switch between tabs changes its keys in place instead of mounting them again (Errors 5 <-> a document tab)."""

from __future__ import annotations

import pytest
from textual._context import active_message_pump
from textual.widgets import Footer

from qbtui.cache import Cache
from qbtui.maintenance import integration
from qbtui.tui.footer import KeysFooter

from .test_keys import ready
from .test_read_only_alerts import wait_for
from .test_snapshots import SIZES

#: per tab kind, the keys that tell its footer from the others'
ONLY = {"documents": ("u Upload", "U Upload all", "p Pend/all"), "discrepancies": ("o Push ours", "P Pull"),
        "summaries": ("w Would post",)}


def shown(app) -> list[tuple[str, str, bool]]:
    """The footer's keys as shown: (key, description, greyed), in order."""
    footer = app.screen.query_one(KeysFooter)
    return [(k.key_display, k.description, k._disabled) for k in footer.children if k.display]


def textual_footer(app) -> list[tuple[str, str, bool]]:
    """What Textual's own Footer.compose makes of the screen's bindings now (the footer's reference)."""
    footer = app.screen.query_one(KeysFooter)
    token = active_message_pump.set(footer)  # as while composing it (its keys bind to its compact flag)
    try:
        return [(k.key_display, k.description, k._disabled) for k in Footer.compose(footer)]
    finally:
        active_message_pump.reset(token)


def footer_line(app) -> str:
    return app.screen._compositor.render_strips()[-1].text


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_each_tab_shows_its_keys_and_a_switch_mounts_none(make_app, data_dir, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await ready(app, pilot)
        footer = app.screen.query_one(KeysFooter)

        async def visit(key: str) -> None:
            await pilot.press(key)
            await ready(app, pilot)
            kind = app.dashboard.tab.kind
            assert shown(app) == textual_footer(app), (key, kind)
            words = [f"{k} {d}" for k, d, _ in shown(app)]
            for other, only in ONLY.items():
                for word in only:
                    assert (word in words) == (other == kind), (key, kind, word, words)
            greyed = {f"{k} {d}": off for k, d, off in shown(app)}
            if kind in ("documents", "errors"):
                # r re-syncs on Errors (greyed elsewhere: it says so), unless nothing may be sent
                assert greyed["r Re-sync"] == (kind != "errors" or app.dashboard.read_only)
            line = footer_line(app)  # drawn: the keys from the left as far as they fit, the palette's on the right
            *keys, palette = [f"{k} {d}" for k, d, _ in shown(app)]
            fits = [w for w in keys if w in line]
            assert palette == "^p Commands" and line.rstrip().endswith(palette), line
            assert len(fits) >= 4 and fits == keys[:len(fits)], (keys, line)
            assert [line.find(w) for w in fits] == sorted(line.find(w) for w in fits), line

        for key in "1567":  # a tab of each kind: the footer has mounted every key it shows
            await visit(key)
        mounted = list(footer.children)
        for key in "5152627351":
            await visit(key)
            assert list(footer.children) == mounted, key  # the same keys, shown or hidden in place

        with Cache.open(data_dir / "profiles" / "demo", writer=True, command="qbtui integration disable") as cache:
            integration.disable(cache)  # another process: the sending keys greyed, in place
        await wait_for(pilot, lambda: app.dashboard.read_only, "the dashboard never noticed")
        await ready(app, pilot)
        assert ("u", "Upload", True) in shown(app) and shown(app) == textual_footer(app)
        await visit("5")
        assert ("r", "Re-sync", True) in shown(app)
        assert list(footer.children) == mounted
