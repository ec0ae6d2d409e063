"""The connect wizard (docs/domain.md#connect-wizard) as one modal screen whose body shows the current step.

Every step: a short explanation, sometimes an input, and a list of actions (``enter`` picks one).
``escape`` goes back a step (out of the wizard from the first). The step reached is saved in the
profile (setting ``wizard``), so that quitting and reopening resumes there.

Everything that reads the whole profile, writes to it or talks to QuickBooks goes through the Backend:
``qbtui wizard-step OP --events`` (qbtui/cli/wizard.py) in a child process, from a worker. Each answer
carries the profile's settings and reference lists as they are afterwards, which is what the steps draw
from: the screen never opens the cache and holds nothing between steps, and the UI never waits on
QuickBooks."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from qbtui.ledger.roles import ROLE_BY_NAME
from qbtui.settings import SettingError, is_read_only, parse_setting, setting_for
from qbtui.sync.wizard import OPENING_QUESTIONS, Check
from qbtui.tui.backend import Backend, BackendError
from qbtui.tui.screens import ConfirmScreen
from qbtui.tui.wizard.listkeys import LIST_KEYS, PLACEHOLDER_CSS, ListKeys
from qbtui.tui.wizard.state import (
    CONFIRM_PHRASE,
    MODES,
    NAME_MAPPINGS,
    STEPS,
    TITLES,
    allowed_words,
    mapping_rows,
    next_step,
    picker_rows,
    previous_step,
    quoted,
    sentence,
    unmapped_required,
)

#: the error code of a step that QuickBooks or the rules refuse (qbtui/cli/wizard.py)
REFUSED = "refused"
#: what every question before a change to QuickBooks says
AUDITED = ("This changes QuickBooks. It is recorded in the audit log (qbtui audit), with who made the change and what "
           "it was before and after.")
#: the id of a list's row that says there is nothing to choose
NONE = "\tnone"


def _opt(label: str, id: str) -> Option:
    """An option whose label is plain text (names may hold '[' and the like)."""
    return Option(Text(label), id=id)


def _actions(*items: tuple[str, str], id: str = "actions") -> OptionList:
    """A step's choices, the first highlighted (enter takes it at once)."""
    actions = OptionList(*[_opt(label, key) for key, label in items], id=id)
    actions.highlighted = 0
    return actions


class Step(Widget):
    """One step's body. ``wizard`` is the screen; ``keys`` is the help line."""

    DEFAULT_CSS = """
    Step { height: 1fr; overflow-y: auto; }
    Step .explain { margin-bottom: 1; }
    Step OptionList { height: auto; max-height: 60%; }
    Step Input { margin-bottom: 1; }
    """
    keys = "enter choose · esc back"

    def __init__(self, wizard: ConnectWizard, view: dict[str, Any]) -> None:
        super().__init__()
        self.wizard = wizard
        self.view = view  # what ``qbtui wizard-step show`` says this step shows

    def setting(self, key: str) -> Any:
        return self.wizard.settings.get(key)

    def say(self, text: str, error: bool = False) -> None:
        self.wizard.say(text, error)

    def first_focus(self) -> Widget | None:
        return next(iter(self.query("Input, OptionList")), None)

    def on_mount(self) -> None:
        target = self.first_focus()
        if target is not None:
            target.focus()

    async def act_then_advance(self, op: str, failed: str, **request: Any) -> None:
        """Run ``qbtui wizard-step OP`` (in the step's worker); a refusal or a failure is said on the step, and
        the wizard stays; success says what the step answers and goes to the next step."""
        try:
            answer = await self.wizard.step_call(op, **request)
        except BackendError as exc:
            self.say(f"Refused: {exc.message}" if exc.code == REFUSED else f"{failed}: {exc.message}", error=True)
            return
        self.say(answer["message"])
        self.wizard.advance(keep_message=True)

    def next_asking(self, left: list[str], what: str, note: str, how: str) -> None:
        """The next step; with ``left`` (what the step leaves undone, in words) not empty, after a question naming
        it (``what``: how many of what, ``note``: the names go in its {}); no keeps the step, saying ``how``."""
        if not left:
            self.wizard.advance()
            return

        def answered(go_on: bool | None) -> None:
            if go_on:
                self.wizard.advance()
            else:
                self.say(f"Still on this step: {how}.")
        self.app.push_screen(ConfirmScreen(f"Go on with {len(left)} {what}?", note.format(", ".join(left)),
                                           yes="Go on without them (y)"), answered)

    def ask_first(self, question: str, go: Callable[[], None], note: str = "") -> None:
        """A step that changes QuickBooks: ``go`` once the question is answered yes (at once in "From QuickBooks
        only" mode, where the child refuses it in the rule's own words and nothing changes)."""
        if is_read_only(self.wizard.settings):
            go()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                go()
            else:
                self.say("Nothing was changed in QuickBooks.")
        self.app.push_screen(ConfirmScreen(question, (note + "\n" if note else "") + AUDITED,
                                           yes="Yes, change QuickBooks (y)"), answered)


# --- 1. integration mode and filter start date ------------------------------------------------

class ModeStep(Step):
    keys = "enter choose · tab next field · esc leave"

    def compose(self) -> ComposeResult:
        mode = self.wizard.state.get("mode") or self.setting("integration_mode")
        start = self.setting("filter_start_date") or ""
        yield Static("How should qbtui work with this QuickBooks company?\n"
                     "From QuickBooks only: read accounts, tax codes, terms and settings; write nothing.\n"
                     "Both ways: also send the inventory side's documents to QuickBooks.", classes="explain")
        yield Static("Filter start date (send transactions dated on or after it; YYYY-MM-DD, empty: all):")
        yield Input(value=str(start), placeholder="YYYY-MM-DD, or leave empty for all", id="filter-start")
        options = _actions(("from_quickbooks", "From QuickBooks only (read, never write)"),
                           ("both_ways", "Both ways (read, and send documents)"))
        yield options
        if mode in MODES:
            options.highlighted = 0 if mode == "from_quickbooks" else 1

    def first_focus(self) -> Widget | None:
        return self.query_one(OptionList)

    @on(Input.Submitted, "#filter-start")
    def _date_done(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        text = self.query_one("#filter-start", Input).value
        try:
            parse_setting("filter_start_date", text)  # said at once; the child stores it, checked again
        except SettingError as exc:
            self.say(str(exc), error=True)
            self.query_one("#filter-start", Input).focus()
            return
        mode = str(event.option.id)
        self.wizard.state["mode"] = mode
        self.wizard.advance(settings={"filter_start_date": text, "integration_mode": mode})


# --- 2. keep or delete local data -------------------------------------------------------------

class LocalDataStep(Step):
    def compose(self) -> ComposeResult:
        total = self.view["documents"]
        yield Static(f"The local cache holds {total} document(s). Test data imported while trying qbtui should go "
                     "before the real sync starts. Contacts and products can stay (they are matched by name).",
                     classes="explain")
        yield _actions(("keep", "Keep everything"), ("transactions", "Delete transactions only (keep contacts "
                       "and products)"), ("everything", "Delete everything (every document and its sync link)"))

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        what = str(event.option.id)
        self.wizard.state["local_data"] = what
        if what == "keep":
            self.wizard.advance()
        else:
            self.clear(what)

    @work(exclusive=True, group="local_data", exit_on_error=False)
    async def clear(self, what: str) -> None:
        try:
            await self.wizard.step_call("clear", what=what)
        except BackendError as exc:
            self.say(f"Could not delete: {exc.message}", error=True)
            return
        self.say(f"Deleted: {'transactions' if what == 'transactions' else 'every document'}.")
        self.wizard.advance()


# --- 3. connect ----------------------------------------------------------------------------

def _whole(url: str | None) -> Text:
    """The link shown whole, folded over as many lines as it takes (it has no spaces to wrap at)."""
    return Text(url or "", overflow="fold")


def _redirect_label(url: str | None) -> str:
    """Where the browser will land: the redirect URI the link names."""
    from urllib.parse import parse_qs, urlsplit

    uri = (parse_qs(urlsplit(url or "").query).get("redirect_uri") or [""])[0]
    return f"Paste the address you land on (it starts with {uri}):" if uri else "Paste the address you land on:"


class ConnectStep(Step):
    keys = "enter next · ctrl+y copy link · esc back"

    def compose(self) -> ComposeResult:
        pending = self.setting("oauth_pending")
        if self.setting("realm_id") and not self.wizard.state.get("reconnect"):
            yield Static(f"Connected to {self.wizard.company_name} "
                         f"(environment: {self.setting('environment')}).",
                         classes="explain")
            yield _actions(("keep", "Keep this connection and continue"), ("again", "Connect again"))
            return
        yield Static("Open the link below on your own computer, approve, then paste the address the browser "
                     "lands on (it starts with the redirect URI).", classes="explain")
        with Vertical(id="credentials"):
            with Horizontal(classes="field"):
                yield Static("Environment   ", classes="label")
                yield Input(value=self.wizard.environment or "production", placeholder="production, sandbox or a URL",
                            id="environment", compact=True)
            with Horizontal(classes="field"):
                yield Static("Client id     ", classes="label")
                yield Input(value=self.wizard.client_id or "", placeholder="your Intuit app's client id",
                            id="client-id", compact=True)
            with Horizontal(classes="field"):
                yield Static("Client secret ", classes="label")
                yield Input(value=self.wizard.client_secret or "", placeholder="its client secret, then enter",
                            password=True, id="client-secret", compact=True)
        url = self.wizard.state.get("auth_url") if pending else ""
        yield Static("Link (ctrl+y copies it; `qbtui connect --print-auth-url` prints it):", id="auth-label")
        yield Static(_whole(url), id="auth-url", markup=False)
        yield Static(_redirect_label(url), id="redirect-label")
        yield Input(placeholder="paste the address the browser landed on", id="redirect", compact=True)

    def on_mount(self) -> None:
        url = self.wizard.state.get("auth_url") if self.setting("oauth_pending") else None
        if self.query("#redirect"):
            for w in self.query("#redirect, #auth-url, #auth-label, #redirect-label"):
                w.display = bool(url)
        if url:
            self.focus_paste()
        else:
            super().on_mount()

    def focus_paste(self) -> None:
        """The link shown: the credentials close up, and the paste field is focused and scrolled into view."""
        self.query_one("#credentials").add_class("-link-shown")
        box = self.query_one("#redirect", Input)
        box.focus()
        self.call_after_refresh(box.scroll_visible, animate=False)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id == "keep":
            self.wizard.advance()
        else:
            self.wizard.state["reconnect"] = True
            self.wizard.show(self.wizard.step)

    @on(Input.Submitted, "#environment, #client-id")
    def _field_done(self, event: Input.Submitted) -> None:
        self.screen.focus_next()

    @on(Input.Submitted, "#client-secret")
    def _get_link(self) -> None:
        env = self.query_one("#environment", Input).value.strip()
        cid = self.query_one("#client-id", Input).value.strip()
        secret = self.query_one("#client-secret", Input).value
        if not env or not cid or not secret:
            self.say("environment, client id and client secret are all needed", error=True)
            return
        self.say("Asking QuickBooks for the link...")
        self.begin(env, cid, secret)

    @work(exclusive=True, group="connect", exit_on_error=False)
    async def begin(self, env: str, cid: str, secret: str) -> None:
        try:  # the secret goes to the child on its stdin, never on a command line
            url = (await self.wizard.step_call("connect-link", environment=env, client_id=cid, client_secret=secret,
                                               state=self.wizard.state))["url"]
        except BackendError as exc:  # shown, never raised into the app
            self.say(f"Could not get the link: {exc.message}", error=True)
            return
        self.wizard.state["auth_url"] = url  # stored by the child with the state
        self.query_one("#auth-url", Static).update(_whole(url))
        self.query_one("#redirect-label", Static).update(_redirect_label(url))
        for w in self.query("#redirect, #auth-url, #auth-label, #redirect-label"):
            w.display = True
        self.focus_paste()
        self.say("Link ready: ctrl+y copies it. Open it, approve, paste the address you land on.")

    @on(Input.Submitted, "#redirect")
    def _pasted(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self.say("paste the whole address the browser landed on", error=True)
            return
        self.say("Connecting...")
        self.finish(event.value.strip())

    @work(exclusive=True, group="connect", exit_on_error=False)
    async def finish(self, pasted: str) -> None:
        try:
            await self.wizard.step_call("connect", pasted=pasted)
        except BackendError as exc:
            self.say(f"Could not connect: {exc.message}", error=True)
            return
        self.wizard.state.pop("reconnect", None)
        self.wizard.state.pop("auth_url", None)
        self.say(f"Connected to {self.wizard.company_name}; accounts, tax codes, terms and settings loaded.")
        self.wizard.advance()


# --- 4. preflight --------------------------------------------------------------------------

def setting_words(key: str) -> str:
    """A setting's name in words (``base_currency`` -> ``Base currency``)."""
    return key.replace("_", " ").capitalize()


class PreflightStep(Step):
    keys = "f fix · s change setting · b backup done · r reload · n next · esc back"
    BINDINGS = [Binding("f", "fix", "Fix"), Binding("s", "setting", "Change setting"),
                Binding("b", "backup", "Backup done"), Binding("r", "reload", "Reload"), Binding("n", "next", "Next")]

    def compose(self) -> ComposeResult:
        yield OptionList(id="checks")
        with Horizontal(id="setting-row", classes="field"):
            yield Static(id="setting-label")
            yield Input(id="setting-value", compact=True)
        yield VerticalScroll(Static(id="check-detail", markup=False), id="detail-box")

    def on_mount(self) -> None:
        self.editing: str | None = None  # the setting being changed (``s``)
        self.query_one("#setting-row").display = False
        self.show_checks(self.view)
        self.query_one("#checks").focus()
        if self.setting("realm_id") and not self.wizard.has_preferences:
            self.action_reload()

    async def refresh_checks(self, **request: Any) -> None:
        """The checks again, from a child that reads the profile (after storing what ``request`` says)."""
        self.show_checks((await self.wizard.step_call("show", state=self.wizard.state, **request))["view"])

    def show_checks(self, view: dict[str, Any]) -> None:
        self.checks: list[Check] = [Check.from_json(c) for c in view["checks"]]
        ol = self.query_one("#checks", OptionList)
        keep = ol.highlighted or 0
        ol.clear_options()
        ol.add_options([_opt(f"{'[OK]     ' if c.ok else '[PROBLEM]'} {c.title}", c.code) for c in self.checks])
        ol.highlighted = min(keep, len(self.checks) - 1)
        problems = sum(not c.ok for c in self.checks)
        self.wizard.set_subtitle(f"{problems} problem(s)" if problems else "all clear")
        self._detail()

    def _detail(self) -> None:
        ol = self.query_one("#checks", OptionList)
        if ol.highlighted is None or not self.checks:
            return
        c = self.checks[ol.highlighted]
        text = c.explanation
        if c.details:
            text += "\n" + "\n".join(f"  - {d}" for d in c.details)
        if c.fix and not c.ok:
            text += f"\nFix (f, asks first): {c.fix}."
        if c.setting and not c.ok:
            text += (f"\nChange {setting_words(c.setting)} here (s)"
                     + (f": {c.suggested} would answer it." if c.suggested else "."))
        self.query_one("#check-detail", Static).update(text)

    @on(OptionList.OptionHighlighted, "#checks")
    def _moved(self) -> None:
        self._detail()

    @on(OptionList.OptionSelected, "#checks")
    def _selected(self) -> None:
        self._detail()

    def action_next(self) -> None:
        self.wizard.advance()

    @work(exclusive=True, group="preflight", exit_on_error=False)
    async def action_backup(self) -> None:
        try:
            await self.refresh_checks(backup=True)
        except BackendError as exc:
            self.say(f"Could not store it: {exc.message}", error=True)
            return
        self.say("Backup confirmed.")

    def highlighted(self) -> Check | None:
        ol = self.query_one("#checks", OptionList)
        return self.checks[ol.highlighted] if ol.highlighted is not None and self.checks else None

    def action_fix(self) -> None:
        """The highlighted check's fix, which changes QuickBooks: after a question naming what changes."""
        c = self.highlighted()
        if c is None:
            return
        if c.ok:
            self.say("Nothing to fix here.")
        elif c.code == "backup":
            self.action_backup()
        elif not c.fix:
            self.say("qbtui cannot fix this one in QuickBooks: see the explanation"
                     + (" (s changes the setting it names)." if c.setting else "."), error=True)
        else:
            def go() -> None:
                self.say(f"Fixing: {c.fix}...")
                self.run_fix(c.code)
            details = "\n".join(f"  - {d}" for d in c.details[:8]) + ("\n  ..." if len(c.details) > 8 else "")
            self.ask_first(f"{c.fix}?", go, details)

    @work(exclusive=True, group="preflight", exit_on_error=False)
    async def run_fix(self, code: str) -> None:
        try:
            message = (await self.wizard.step_call("fix", code=code))["message"]
            await self.refresh_checks()
        except BackendError as exc:
            self.say(exc.message if exc.code == REFUSED else f"The fix failed: {exc.message}", error=True)
            return
        self.say(f"{message} Recorded in the audit log (qbtui audit).")

    def action_setting(self) -> None:
        """Change the setting the highlighted check asks for, here: prefilled with the value that answers it."""
        c = self.highlighted()
        if c is None or not c.setting:
            self.say("This check names no setting of ours to change.", error=True)
            return
        self.editing = c.setting
        self.say("")
        current = self.setting(c.setting)
        self.query_one("#setting-label", Static).update(f"{setting_words(c.setting)}: ")
        box = self.query_one("#setting-value", Input)
        box.value = str(c.suggested or current or "")
        box.placeholder = setting_for(c.setting).help
        self.query_one("#setting-row").display = True
        box.focus()
        self.wizard.query_one("#wizard-keys", Static).update("enter store · esc cancel")

    @on(Input.Submitted, "#setting-value")
    def _setting_typed(self, event: Input.Submitted) -> None:
        assert self.editing is not None
        try:
            parse_setting(self.editing, event.value)  # said at once; the child stores it, checked again
        except SettingError as exc:
            self.say(str(exc), error=True)
            return
        self.store_setting(self.editing, event.value)

    @work(exclusive=True, group="preflight", exit_on_error=False)
    async def store_setting(self, key: str, text: str) -> None:
        try:
            await self.refresh_checks(settings={key: text})
        except BackendError as exc:
            self.say(f"Could not store it: {exc.message}", error=True)
            return
        self.back()
        self.say(f"{setting_words(key)} set to {text.strip() or 'none'}.")

    def back(self) -> bool:
        """Esc closes the setting's editor first."""
        if self.editing is None:
            return False
        self.editing = None
        self.query_one("#setting-row").display = False
        self.wizard.query_one("#wizard-keys", Static).update(self.keys)
        self.query_one("#checks").focus()
        return True

    def action_reload(self) -> None:
        self.say("Reloading from QuickBooks...")
        self.run_reload()

    @work(exclusive=True, group="preflight", exit_on_error=False)
    async def run_reload(self) -> None:
        try:
            await self.wizard.step_call("reload", what="all")
            await self.refresh_checks()
        except BackendError as exc:
            self.say(f"Could not reload: {exc.message}", error=True)
            return
        self.say("Reloaded from QuickBooks.")


# --- 5. account mapping --------------------------------------------------------------------

class PickerFilter(Input):
    """The account picker's search box: typing filters the list under it; the arrows move in the list, enter picks
    the row highlighted."""

    BINDINGS = [Binding("down", "move(1)", "Down", show=False), Binding("up", "move(-1)", "Up", show=False)]

    def action_move(self, step: int) -> None:
        accounts = self.screen.query_one("#accounts", OptionList)
        (accounts.action_cursor_down if step > 0 else accounts.action_cursor_up)()


class AccountsStep(Step):
    keys = "enter pick account · a auto-map · u unmap · r reload · n next · esc back"
    picker_keys = "type to filter · ↑↓ move · enter choose · esc back to the roles"
    BINDINGS = [Binding("a", "auto", "Auto-map"), Binding("u", "unmap", "Unmap"), Binding("r", "reload", "Reload"),
                Binding("n", "next", "Next")]

    def compose(self) -> ComposeResult:
        yield Static("Map each role to its own QuickBooks account of an allowed type. Missing accounts? Create them "
                     "in QuickBooks, then r reloads.", classes="explain")
        yield OptionList(id="roles")
        with Horizontal(id="account-search", classes="field"):
            yield Static("Search        ", classes="label")
            yield PickerFilter(placeholder="part of a name or a type", id="account-filter", compact=True)
        yield OptionList(id="accounts")

    def on_mount(self) -> None:
        self.role: str | None = None
        for w in self.query("#accounts, #account-search"):
            w.display = False
        self.fill_roles()
        self.query_one("#roles").focus()

    @property
    def accounts(self) -> list[dict[str, Any]]:
        return [a for a in self.wizard.references.get("accounts") or [] if a.get("Active", True)]

    @property
    def mapping(self) -> dict[str, str]:
        return dict(self.setting("mapping") or {})

    def fill_roles(self) -> None:
        ol = self.query_one("#roles", OptionList)
        keep = ol.highlighted or 0
        ol.clear_options()
        ol.add_options([_opt(text, role) for role, text in mapping_rows(self.mapping, self.accounts)])
        ol.highlighted = keep
        missing = unmapped_required(self.mapping)
        self.wizard.set_subtitle(f"{len(missing)} required role(s) not mapped" if missing else "required roles mapped")

    @on(OptionList.OptionSelected, "#roles")
    def _pick(self, event: OptionList.OptionSelected) -> None:
        self.role = str(event.option.id)
        box = self.query_one("#account-filter", Input)
        box.value = ""
        self.fill_accounts()
        for w in self.query("#accounts, #account-search"):
            w.display = True
        self.query_one("#roles").display = False
        box.focus()
        role = ROLE_BY_NAME[self.role]
        self.wizard.set_subtitle(f"Account for {role.label}: {allowed_words(self.role)}")
        self.wizard.query_one("#wizard-keys", Static).update(self.picker_keys)

    def fill_accounts(self) -> None:
        """The accounts the role allows, filtered by what is typed; the role's current account (else the first
        free one) highlighted."""
        assert self.role is not None
        rows = picker_rows(self.role, self.mapping, self.accounts, self.query_one("#account-filter", Input).value)
        ol = self.query_one("#accounts", OptionList)
        ol.clear_options()
        if not rows:
            typed = self.query_one("#account-filter", Input).value.strip()
            ol.add_option(Option(Text(f"No account matches {quoted(typed)}" if typed else
                                      f"No active account of an allowed type ({allowed_words(self.role)}): create "
                                      "one in QuickBooks, then esc and r reload the accounts"), id=NONE, disabled=True))
            return
        ol.add_options([Option(Text(text), id=account_id, disabled=not free) for account_id, text, free in rows])
        current = str(self.mapping.get(self.role))
        ids = [account_id for account_id, _, free in rows]
        free_ids = [account_id for account_id, _, free in rows if free]
        if current in ids:
            ol.highlighted = ids.index(current)
        elif free_ids:
            ol.highlighted = ids.index(free_ids[0])

    @on(Input.Changed, "#account-filter")
    def _typed(self) -> None:
        if self.role is not None:
            self.fill_accounts()

    @on(Input.Submitted, "#account-filter")
    def _enter(self) -> None:
        ol = self.query_one("#accounts", OptionList)
        if ol.highlighted is None:
            self.say("No account to choose: type less, or esc to go back to the roles.", error=True)
            return
        self.choose(str(ol.get_option_at_index(ol.highlighted).id))

    @on(OptionList.OptionSelected, "#accounts")
    def _assign(self, event: OptionList.OptionSelected) -> None:
        self.choose(str(event.option.id))

    def choose(self, account: str) -> None:
        assert self.role is not None
        if account != NONE:
            self.assign(self.role, account)

    @work(exclusive=True, group="accounts", exit_on_error=False)
    async def assign(self, role: str, account: str) -> None:
        try:
            await self.wizard.step_call("map", op="assign", role=role, account=account)
        except BackendError as exc:
            self.say(exc.message, error=True)
            return
        self.say(f"{ROLE_BY_NAME[role].label} mapped.")
        self.close_picker()

    def close_picker(self) -> bool:
        if not self.query_one("#accounts").display:
            return False
        for w in self.query("#accounts, #account-search"):
            w.display = False
        self.query_one("#roles").display = True
        self.wizard.query_one("#wizard-keys", Static).update(self.keys)
        self.fill_roles()
        self.query_one("#roles").focus()
        return True

    def back(self) -> bool:
        return self.close_picker()

    @work(exclusive=True, group="accounts", exit_on_error=False)
    async def action_auto(self) -> None:
        try:
            found = (await self.wizard.step_call("map", op="auto"))["found"]
        except BackendError as exc:
            self.say(exc.message, error=True)
            return
        self.fill_roles()
        self.say(f"Auto-mapped {found} role(s) by name and allowed type.")

    def action_unmap(self) -> None:
        ol = self.query_one("#roles", OptionList)
        if ol.highlighted is None or not ol.display:
            return
        self.unmap(str(ol.get_option_at_index(ol.highlighted).id))

    @work(exclusive=True, group="accounts", exit_on_error=False)
    async def unmap(self, role: str) -> None:
        try:
            await self.wizard.step_call("map", op="unmap", role=role)
        except BackendError as exc:
            self.say(exc.message, error=True)
            return
        self.fill_roles()

    def action_next(self) -> None:
        self.next_asking(unmapped_required(self.mapping), "required role(s) not mapped", "Not mapped: {}. Nothing "
                         "that posts to them is sent until they are mapped (this step again, or qbtui map).",
                         "enter on a role picks its account, a auto-maps")

    def action_reload(self) -> None:
        self.say("Reloading accounts from QuickBooks...")
        self.run_reload()

    @work(exclusive=True, group="accounts", exit_on_error=False)
    async def run_reload(self) -> None:
        try:
            await self.wizard.step_call("reload", what="accounts")
        except BackendError as exc:
            self.say(f"Could not reload the accounts: {exc.message}", error=True)
            return
        if self.role is not None and self.query_one("#accounts").display:
            self.fill_accounts()
        else:
            self.fill_roles()
        self.say(f"{len(self.accounts)} active account(s) loaded.")


# --- 6. tax codes and terms ----------------------------------------------------------------

class TaxTermsStep(Step):
    keys = "enter pick · a match exact names · n next · esc back"
    BINDINGS = [Binding("a", "auto", "Match exact"), Binding("n", "next", "Next")]

    def compose(self) -> ComposeResult:
        yield Static("Our tax codes and payment terms must name QuickBooks ones spelled exactly the same, case "
                     "included. Pick the QuickBooks one for any that does not match.", classes="explain")
        yield OptionList(id="names")
        yield OptionList(id="choices")

    def on_mount(self) -> None:
        self.current: tuple[str, str] | None = None
        self.query_one("#choices").display = False
        self.taxes, self.terms = self.view["taxes"], self.view["terms"]  # exact names already matched (the child)
        self.tax_region = self.view.get("region")
        if self.tax_region:
            self.query_one(".explain", Static).update(
                f"Company region {self.tax_region.upper()}, home currency {self.view.get('home_currency') or '?'}. "
                "Our tax codes and payment terms must name QuickBooks ones spelled exactly the same, case included. "
                "Pick the QuickBooks one for any that does not match"
                + (", and a default tax code for sales and for purchase lines without one (outside the US every "
                   "line needs one)." if self.tax_region != "us" else "."))
        self.fill()
        self.query_one("#names").focus()

    def lists(self, kind: str) -> tuple[list[dict[str, Any]], str]:
        if kind == "tax_default":
            return self.wizard.references.get("tax_codes") or [], "tax_defaults"
        items_key, key = NAME_MAPPINGS[kind]
        return self.wizard.references.get(items_key) or [], key

    def fill(self) -> None:
        ol = self.query_one("#names", OptionList)
        ol.clear_options()
        rows = []
        self.open: list[str] = []  # what is left to pick, in words (the question before going on names them)
        for kind, names in (("tax", self.taxes), ("terms", self.terms)):
            items, key = self.lists(kind)
            mapped = self.setting(key) or {}
            by_id = {str(i.get("Id")): i.get("Name") for i in items}
            for name in names:
                target = by_id.get(str(mapped.get(name))) if name in mapped else None
                label = "Tax code" if kind == "tax" else "Terms"
                shown = quoted(target) if target else "(no exact match: pick one)"
                rows.append(_opt(f"{label} {quoted(name)}: {shown}",
                                 f"{kind}\t{name}"))
                if not target:
                    self.open.append(f"{label} {quoted(name)}")
        if not rows:
            rows.append(_opt("No document names a tax code or payment terms: nothing to map.", "none"))
        if self.tax_region and self.tax_region != "us":  # the default codes of lines without one (docs/domain.md#tax-and-regions)
            items, key = self.lists("tax_default")
            by_id = {str(i.get("Id")): i.get("Name") for i in items}
            defaults = self.setting(key) or {}
            for side in ("sales", "purchase"):
                target = by_id.get(str(defaults.get(side))) if side in defaults else None
                rows.append(_opt(f"Default {side} tax code: {quoted(target) if target else '(none: pick one)'}",
                                 f"tax_default\t{side}"))
                if not target:
                    self.open.append(f"the default {side} tax code")
        ol.add_options(rows)
        ol.highlighted = 0

    @work(exclusive=True, group="tax_terms", exit_on_error=False)
    async def action_auto(self) -> None:
        try:
            left_all = (await self.wizard.step_call("names", op="auto",
                                                    names={"tax": self.taxes, "terms": self.terms}))["left"]
        except BackendError as exc:
            self.say(exc.message, error=True)
            return
        self.fill()
        self.say(f"Not matched exactly: {', '.join(map(quoted, left_all))}" if left_all else "Every name matches.",
                 error=bool(left_all))

    @on(OptionList.OptionSelected, "#names")
    def _pick(self, event: OptionList.OptionSelected) -> None:
        if event.option.id == "none":
            return
        kind, name = str(event.option.id).split("\t", 1)
        self.current = (kind, name)
        items, _ = self.lists(kind)
        choices = self.query_one("#choices", OptionList)
        choices.clear_options()
        active = [i for i in items if i.get("Active", True)]
        choices.add_options([_opt(str(i.get("Name")), str(i.get("Id"))) for i in active])
        # highlighted at once: the one spelled the same but for case, else the first
        names = [str(i.get("Name")).casefold() for i in active]
        choices.highlighted = names.index(name.casefold()) if name.casefold() in names else 0 if active else None
        choices.display = True
        self.query_one("#names").display = False
        choices.focus()

    @on(OptionList.OptionSelected, "#choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        assert self.current is not None
        kind, name = self.current
        self.pick(kind, name, str(event.option.id))

    @work(exclusive=True, group="tax_terms", exit_on_error=False)
    async def pick(self, kind: str, name: str, qbo_id: str) -> None:
        try:
            await self.wizard.step_call("names", op="pick", kind=kind, name=name, id=qbo_id)
        except BackendError as exc:
            self.say(exc.message, error=True)
            return
        self.back()

    def back(self) -> bool:
        if not self.query_one("#choices").display:
            return False
        self.query_one("#choices").display = False
        self.query_one("#names").display = True
        self.fill()
        self.query_one("#names").focus()
        return True

    def action_next(self) -> None:
        self.next_asking(self.open, "left to pick", "Not picked: {}. Documents that use them are held back until "
                         "they are picked (this step again).", "enter on a row picks its QuickBooks one")


# --- 7. opening balances -------------------------------------------------------------------

class OpeningBalancesStep(Step):
    def compose(self) -> ComposeResult:
        done = self.view.get("done")
        text = ("QuickBooks' unpaid and partly paid invoices and bills (fully paid ones are left out) come into the "
                "cache as documents already synced and linked, dated on the integration date, so that payments "
                "recorded later on the inventory side apply to them. This can be done once only.")
        if done:
            text += (f"\nAlready imported on {str(done.get('at'))[:10]}: {done.get('invoices')} invoice(s), "
                     f"{done.get('bills')} bill(s).")
        yield Static(text, classes="explain")
        yield _actions(("import", "Import opening balances from QuickBooks"), ("skip", "Continue without importing"))

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id == "skip":
            self.wizard.advance()
        else:
            self.say("Importing opening balances...")
            self.run_import()

    @work(exclusive=True, group="opening", exit_on_error=False)
    async def run_import(self) -> None:
        today = self.wizard.today
        await self.act_then_advance("opening-balances", "The import failed", effective=today and today.isoformat())


# --- 8. stock on hand ----------------------------------------------------------------------

class StockStep(Step):
    keys = "enter choose · tab location · esc back"

    def compose(self) -> ComposeResult:
        yield Static("Active QuickBooks Inventory items with a SKU become products with their quantity on hand and "
                     f"cost, written to {self.wizard.stock_path.name} (import format) for the inventory system; then "
                     "they are made inactive in QuickBooks and recreated as NonInventory items.", classes="explain")
        yield Static(f"Warning: {self.view['warning']}", classes="explain warning")
        with Horizontal(classes="field"):
            yield Static("Location      ", classes="label")
            yield Input(value=self.wizard.state.get("location", "Main warehouse"), id="location", compact=True)
        yield _actions(("import", "Import stock on hand and recreate the items"), ("skip", "Skip"))

    def first_focus(self) -> Widget | None:
        return self.query_one(OptionList)

    @on(Input.Submitted, "#location")
    def _located(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id == "skip":
            self.wizard.advance()
            return
        location = self.query_one("#location", Input).value.strip()
        self.wizard.state["location"] = location

        def go() -> None:
            self.say("Importing stock on hand...")
            self.run_import(location)
        self.ask_first(sentence(OPENING_QUESTIONS["stock"]), go, f"Location: {location or '(none)'}.")

    @work(exclusive=True, group="stock", exit_on_error=False)
    async def run_import(self, location: str) -> None:
        await self.act_then_advance("stock", "The import failed", location=location, path=str(self.wizard.stock_path))


# --- 9. opening inventory journal ----------------------------------------------------------

class OpeningJournalStep(Step):
    def compose(self) -> ComposeResult:
        done = self.view.get("done")
        if "error" in self.view:
            yield Static(f"The opening inventory journal cannot be built yet: {self.view['error']}.", classes="explain")
            yield _actions(("skip", "Continue without it"))
            return
        p = self.view["preview"]
        difference = Decimal(p["difference"])
        text = (f"Dated {p['day']} (the day before the filter start date), reference OPENING-INV.\n"
                f"Inventory valuation (quantity on hand x average cost): {p['valuation']}\n"
                f"QuickBooks inventory asset balance:                   {p['qbo_balance']}\n"
                f"Difference: {difference}  ->  ")
        if p["nothing"]:
            text += "nothing to post, they agree."
        elif difference > 0:
            text += f"Dr Inventory asset {difference}, Cr Opening balance equity {difference}."
        else:
            text += f"Dr Opening balance equity {-difference}, Cr Inventory asset {-difference}."
        if done:
            text += f"\nAlready posted: QuickBooks JournalEntry {done.get('id')}."
        yield Static(text, classes="explain", markup=False)
        yield _actions(("post", "Post the journal to QuickBooks"), ("skip", "Continue without posting"))

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id == "skip":
            self.wizard.advance()
        else:
            def go() -> None:
                self.say("Posting the opening inventory journal...")
                self.run_post()
            self.ask_first(sentence(OPENING_QUESTIONS["journal"]), go)

    @work(exclusive=True, group="journal", exit_on_error=False)
    async def run_post(self) -> None:
        await self.act_then_advance("opening-journal", "Posting failed")


# --- 10. confirm ---------------------------------------------------------------------------

class ConfirmStep(Step):
    keys = "enter confirm · esc back"

    def compose(self) -> ComposeResult:
        problems = self.view["problems"]
        mode = MODES.get(str(self.setting("integration_mode")), "not chosen")
        text = (f"Mode: {mode}. Filter start date: {self.setting('filter_start_date') or 'none'}.\n"
                f"Open preflight problems: {len(problems)}"
                + (":\n" + "\n".join(f"  - {p}" for p in problems) + "\nDocuments they concern stay blocked."
                   if problems else ".")
                + f"\nTo finish, type exactly:  {CONFIRM_PHRASE}")
        yield Static(text, classes="explain", markup=False)
        yield Input(placeholder="type the phrase above, then enter", id="phrase")

    @on(Input.Submitted, "#phrase")
    def _typed(self, event: Input.Submitted) -> None:
        if event.value != CONFIRM_PHRASE:
            self.say(f"That is not the phrase. Type exactly (case and spaces included): {CONFIRM_PHRASE}",
                     error=True)
            return
        self.wizard.finish()


STEP_WIDGETS: dict[str, Callable[[ConnectWizard, dict[str, Any]], Step]] = {
    "mode": ModeStep, "local_data": LocalDataStep, "connect": ConnectStep, "preflight": PreflightStep,
    "accounts": AccountsStep, "tax_terms": TaxTermsStep, "opening_balances": OpeningBalancesStep,
    "stock": StockStep, "opening_journal": OpeningJournalStep, "confirm": ConfirmStep,
}


class ConnectWizard(ListKeys, ModalScreen[bool | None]):
    """The connect wizard. Dismisses with True once confirmed, None when left with ``escape`` on the
    first step (the step reached is kept either way and the next opening resumes there).

    ``backend``: the profile's Backend (or its folder: a Backend of its own), through which every step reads,
    writes and reaches QuickBooks; ``environment``, ``client_id``, ``client_secret``: prefill of the connect
    step; ``today``: the integration date; ``stock_path``: where stock on hand is written."""

    DEFAULT_CSS = """
    ConnectWizard { align: center middle; }
    #wizard-frame { width: 100%; height: 100%; border: round $accent; padding: 0 1; background: $surface; }
    #wizard-title { text-style: bold; height: auto; }
    #wizard-sub { color: $text-muted; }
    #wizard-body { height: 1fr; }
    #wizard-message { height: auto; max-height: 3; }
    #wizard-message.error { color: $error; text-style: bold; }
    #wizard-keys { color: $text-muted; }
    #auth-url { height: auto; margin-bottom: 1; }
    #credentials { height: auto; margin-bottom: 1; }
    .field { height: 1; margin-bottom: 1; }
    .field .label { width: 14; }
    .field Input { width: 1fr; }
    #credentials.-link-shown .field { margin-bottom: 0; }
    #setting-label { width: auto; text-style: bold; }
    #detail-box { height: 1fr; border-top: solid $primary; }
    .warning { color: $warning; }
    """ + PLACEHOLDER_CSS
    BINDINGS = [*LIST_KEYS, Binding("escape", "back", "Back", id="wizard.back"),
                Binding("ctrl+y", "copy_url", "Copy link", id="wizard.copy_link", show=False)]

    def __init__(self, backend: Backend | Path, *, environment: str | None = None, client_id: str | None = None,
                 client_secret: str | None = None, today: date | None = None, stock_path: Path | None = None) -> None:
        super().__init__()
        self.backend = backend if isinstance(backend, Backend) else Backend(Path(backend))
        self.profile_path = self.backend.profile_path
        self.environment = environment
        self.client_id = client_id
        self.client_secret = client_secret
        self.today = today
        self.stock_path = stock_path or self.profile_path / "stock_on_hand.json"
        #: the stored state once the first step is drawn (loaded by the child of the first step)
        self.state: dict[str, Any] = {"step": STEPS[0]}
        #: the profile's settings and reference lists, as the last answer of a step left them
        self.settings: dict[str, Any] = {}
        self.references: dict[str, list[dict[str, Any]]] = {}
        self.has_preferences = False
        #: QuickBooks' name of the company connected (None before the first connect)
        self.company: str | None = None
        self.step_widget: Step | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="wizard-frame"):
            yield Static(id="wizard-title")
            yield Static(id="wizard-sub")
            yield Vertical(id="wizard-body")
            yield Static(id="wizard-message", markup=False)
            yield Static(id="wizard-keys")

    def on_mount(self) -> None:
        self.query_one("#wizard-frame").border_title = "Connect wizard"
        self.open_step(None, {}, False)  # the stored state (the child reads it), its step drawn

    # -- navigation -----------------------------------------------------------------------
    @property
    def step(self) -> str:
        return self.state["step"]

    async def step_call(self, op: str, /, **request: Any) -> dict[str, Any]:
        """``qbtui wizard-step OP`` with ``request`` (JSON on its stdin); the profile's settings and reference
        lists are taken from the answer. BackendError when the step did not do its work."""
        answer = await self.backend.call("wizard-step", op, stdin=json.dumps(request, default=str).encode())
        self.settings = answer.get("settings") or {}
        self.references = answer.get("references") or {}
        if "has_preferences" in answer:
            self.has_preferences = bool(answer["has_preferences"])
        self.company = answer.get("company") or None
        return answer

    @property
    def company_name(self) -> str:
        """The company as the wizard names it: QuickBooks' name for it, never its realm id."""
        return f"the QuickBooks company {quoted(self.company)}" if self.company else "your QuickBooks company"

    def show(self, step: str, keep_message: bool = False, settings: dict[str, str] | None = None) -> None:
        """Go to ``step``: the state (and ``settings``, as typed) stored, then the step drawn from what it shows.
        Until it is drawn the step shown takes no keys (they would act on the step being left)."""
        if self.step_widget is not None:
            self.step_widget.disabled = True
        self.open_step({**self.state, "step": step}, settings or {}, keep_message)

    @work(exclusive=True, group="wizard.show", exit_on_error=False)
    async def open_step(self, state: dict[str, Any] | None, settings: dict[str, str], keep_message: bool) -> None:
        try:
            answer = await self.step_call("show", state=state, settings=settings)
        except BackendError as exc:  # a busy profile, a bad value: said, the step stays
            if self.step_widget is not None:
                self.step_widget.disabled = False
            self.say(exc.message, error=True)
            return
        self.state = answer["state"]
        self.mount_step(answer["view"], keep_message)

    def mount_step(self, view: dict[str, Any], keep_message: bool) -> None:
        step = self.step
        n = STEPS.index(step) + 1
        title = f"Step {n} of {len(STEPS)}: {TITLES[step]}"
        self.query_one("#wizard-title", Static).update(title + (f" · {self.company}" if self.company else ""))
        self.set_subtitle("")
        if not keep_message:
            self.say("")
        body = self.query_one("#wizard-body")
        body.remove_children()
        self.step_widget = STEP_WIDGETS[step](self, view)
        body.mount(self.step_widget)
        self.query_one("#wizard-keys", Static).update(self.step_widget.keys)

    def advance(self, keep_message: bool = False, settings: dict[str, str] | None = None) -> None:
        self.show(next_step(self.step), keep_message=keep_message, settings=settings)

    def action_back(self) -> None:
        if self.step_widget is not None and hasattr(self.step_widget, "back") and self.step_widget.back():
            return
        previous = previous_step(self.step)
        if previous is None:  # the step reached is stored already (each step stores it when drawn)
            self.dismiss(None)
        else:
            self.show(previous)

    @work(exclusive=True, group="wizard.show", exit_on_error=False)
    async def finish(self) -> None:
        try:
            await self.step_call("finish", state=self.state)
        except BackendError as exc:
            self.say(exc.message, error=True)
            return
        self.state = {**self.state, "step": "done"}
        self.dismiss(True)

    # -- helpers for steps ----------------------------------------------------------------
    def say(self, text: str, error: bool = False) -> None:
        msg = self.query_one("#wizard-message", Static)
        msg.update(text)
        msg.set_class(error, "error")

    def set_subtitle(self, text: str) -> None:
        self.query_one("#wizard-sub", Static).update(text)

    def action_copy_url(self) -> None:
        url = self.state.get("auth_url")
        if url:
            self.app.copy_to_clipboard(url)
            self.say("Link copied to the clipboard (OSC 52).")
        else:
            self.say("No link yet.", error=True)
