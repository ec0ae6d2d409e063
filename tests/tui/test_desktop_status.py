"""The status line of a QuickBooks Desktop profile says so, and when the Web Connector last called
(docs/desktop.md#qbtui-status-on-a-desktop-profile)."""

from __future__ import annotations

from qbtui.cache import Cache
from tests.tui.test_keys import ready, status_text


async def test_the_status_line_says_quickbooks_desktop_and_when_the_web_connector_called(make_app, data_dir):
    with Cache.open(data_dir / "profiles" / "demo", writer=True) as cache:
        cache.set_setting("backend", "desktop")
    app = make_app()
    async with app.run_test(size=(160, 24)) as pilot:
        await ready(app, pilot)
        text = status_text(app)
        assert "QUICKBOOKS DESKTOP" in text and "Web Connector not called yet" in text
    with Cache.open(data_dir / "profiles" / "demo", writer=True) as cache:
        cache.set_setting("desktop_last_session", {"ended": "2026-11-30T09:41:07+0000", "calls": 9, "message": "OK"})
    app = make_app()
    async with app.run_test(size=(160, 24)) as pilot:
        await ready(app, pilot)
        assert "Web Connector last called 2026-11-30 09:41" in status_text(app)
