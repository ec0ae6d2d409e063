"""How an app opens the wizard: for a new profile, and from the command palette."""

from __future__ import annotations

from textual.app import App

from qbtui.cache import Cache
from qbtui.tui.wizard import ConnectWizard, SettingsScreen, needs_wizard, wizard_commands

from .test_wizard_walk import settle


class Palette(App):
    def __init__(self, profile) -> None:
        super().__init__()
        self.profile = profile

    def on_mount(self) -> None:
        with Cache.open(self.profile, writer=False) as cache:
            if needs_wizard(cache):  # a new profile opens the wizard
                self.push_screen(ConnectWizard(self.profile))

    def get_system_commands(self, screen):
        yield from super().get_system_commands(screen)
        yield from wizard_commands(self, self.profile)


async def test_new_profile_opens_the_wizard_and_palette_commands(profile):
    app = Palette(profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)  # the first step drawn (its child has answered)
        assert isinstance(app.screen, ConnectWizard)
        await pilot.press("escape")
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Connect wizard" in titles and "Settings" in titles
        next(c for c in app.get_system_commands(app.screen) if c.title == "Settings").callback()
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        await pilot.press("escape")
        await pilot.pause()
        next(c for c in app.get_system_commands(app.screen) if c.title == "Connect wizard").callback()
        await settle(app, pilot)
        assert isinstance(app.screen, ConnectWizard) and app.screen.step == "mode"
        assert str(app.screen.query_one("#wizard-title").content).endswith("Integration mode")


async def test_settings_screen_edits_with_validation(profile):
    """Each value is stored by a `qbtui settings set --events` child (the screen holds no cache): a bad one is
    said inline and nothing is stored."""
    class Host(App):
        def on_mount(self):
            self.push_screen(SettingsScreen(profile))

    def stored(key):
        with Cache.open(profile, writer=False) as cache:
            return cache.get_setting(key)

    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("down", "enter", "ctrl+a", "ctrl+k", *"eur", "enter")  # base_currency
        await settle(app, pilot)
        assert stored("base_currency") == "EUR"
        assert "EUR" in str(screen.query_one("#settings-list").get_option_at_index(1).prompt)
        await pilot.press("down", "enter", "ctrl+a", "ctrl+k", *"2026-02-30", "enter")  # filter_start_date
        await settle(app, pilot)
        assert "YYYY-MM-DD" in str(screen.query_one("#settings-error").content)
        assert stored("filter_start_date") == "2026-10-01"
        await pilot.press("escape")  # closes the editor
        await pilot.press("end", "enter", *"channel.web.cogs_sync", "enter", "ctrl+a", "ctrl+k", *"no sync", "enter")
        await settle(app, pilot)
        assert stored("channel.web.cogs_sync") == "no_sync"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, SettingsScreen)


async def test_settings_screen_says_when_the_profile_is_busy(profile):
    """Another qbtui holds the profile: the child says so, the screen shows it and keeps the editor open."""
    class Host(App):
        def on_mount(self):
            self.push_screen(SettingsScreen(profile))

    app = Host()
    with Cache.open(profile, writer=True, command="another qbtui"):
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("down", "enter", "ctrl+a", "ctrl+k", *"eur", "enter")
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            error = str(app.screen.query_one("#settings-error").content)
            assert "another qbtui" in error or "in use" in error, error
            assert app.screen.query_one("#settings-value").display
    with Cache.open(profile, writer=False) as cache:
        assert cache.get_setting("base_currency") != "EUR"
