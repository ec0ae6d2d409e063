"""What every command group of ``qbtui`` shares (the layer below them): the profile, the one way a command
gives up (:func:`fail`, :func:`user_errors`: a clear line, an exit code, a JSON error for ``--json``), the
question before anything is deleted or voided, JSON output and the progress printer.

Exit codes: 0 done; 1 some documents (or files) blocked, failed or rejected; 2 could not run; 130 stopped by
Ctrl+C.
"""

from __future__ import annotations

import asyncio
import errno
import functools
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import click

from qbtui.cache import Cache, CacheError, CacheLocked, profile_dir
from qbtui.cache.paths import list_profiles
from qbtui.documents.text import safe_text
from qbtui.private import private_dir
from qbtui.qbo import CompanyFault, InsecureURL, QBOFault
from qbtui.settings import SettingError


@dataclass
class Profile:
    """Where the current profile lives; opens its cache for reading or writing."""

    name: str
    data_dir: Path
    no_mouse: bool = False
    explicit: bool = False

    @property
    def path(self) -> Path:
        return profile_dir(self.data_dir, self.name)

    def require_existing(self) -> None:
        """For a report that would otherwise answer "nothing" (``status``, ``errors``): a name no profile has (a typo
        in --profile or QBTUI_PROFILE) while others exist says so, exit 2, with the names there are (a fresh
        install, with no profile at all, reads as empty; ``settings`` still shows a new profile's defaults)."""
        if not self.path.exists() and list_profiles(self.data_dir):
            fail(f"there is no profile {self.name!r} in {self.data_dir}", error="no_such_profile",
                 hint="profiles: " + ", ".join(list_profiles(self.data_dir)) + "; a new one is made by "
                      "`qbtui --profile NAME import FILE` or `qbtui --profile NAME connect ...`")

    def open(self, *, writer: bool, command: str = "qbtui") -> Cache:
        cache = Cache.open(self.path, writer=writer, command=command)
        if cache.migration is not None:  # the first open of a profile of the release before: migrated, once
            click.echo(safe_text(f"qbtui: note: {cache.migration.message}"), err=True)
        if cache.recovery is not None:  # a damaged record of outcomes, recovered: say so, and what happens next
            click.echo(safe_text(f"qbtui: warning: {cache.recovery.message}"), err=True)
        if writer:  # the gate results this command's writes leave out of date, computed and stored as it closes
            cache.before_close.append(_refresh_gates)
        return cache


async def connected_client(cache: Cache, profile: Profile) -> Any:
    """The profile's QBO client (use it with ``async with``); exit 2 with a clear line when it is not connected."""
    from qbtui.sync.connection import NotConnected, open_client

    try:
        return await open_client(cache, profile.path)
    except NotConnected as exc:
        fail(str(exc), 2)


def _refresh_gates(cache: Cache) -> None:
    from qbtui.sync.gatestore import refresh

    refresh(cache)


#: exit code of a command stopped by Ctrl+C (SIGINT), as shells report 128 + 2
EXIT_INTERRUPTED = 130

#: the ``code`` of a JSON error, by the exception being handled (most specific first), with a default hint
ERROR_KINDS: tuple[tuple[str, str, str | None], ...] = (
    ("CacheLocked", "profile_busy", "wait for the other qbtui to finish; readers such as `qbtui status` still work"),
    ("CacheError", "cache", None),
    ("SettingError", "setting", "`qbtui settings` lists the keys and their values"),
    ("InsecureURL", "insecure_url", "use an https address, or a loopback one for a qbtui sandbox"),
    ("ReconnectRequired", "reconnect", "run `qbtui connect` again"),
    ("CompanyUnavailable", "company_unavailable", None),
    ("QBOFault", "quickbooks", None),
    ("NotConnected", "not_connected", "run `qbtui connect` (or try `qbtui demo`)"),
    ("WritesRefused", "writes_disabled", "`qbtui integration enable` turns writing back on"),
    ("KeyboardInterrupt", "interrupted", "run the command again: what was sent is looked up in QuickBooks first"),
    ("OSError", "os_error", None),
    ("ValueError", "invalid", None),
)
EXIT_KINDS = {1: "refused", 2: "could_not_run", EXIT_INTERRUPTED: "interrupted"}


def _given(param: str) -> bool:
    """Whether the command being run (or a group above it) was given the flag stored as ``param``."""
    ctx = click.get_current_context(silent=True)
    while ctx is not None:
        if ctx.params.get(param):
            return True
        ctx = ctx.parent
    return False


def _json_wanted() -> bool:
    """Whether the command being run was given ``--json`` (its errors then go to stdout as JSON too)."""
    return _given("as_json")


def _events_wanted() -> bool:
    """Whether the command being run was given ``--events`` (it then speaks ``qbtui.sync.events``: its
    errors too, as an ``error`` event then ``done``)."""
    return _given("events")


def events_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--events``: answer in the event vocabulary of ``qbtui.sync.events`` (JSON lines; used by the TUI)."""
    return click.option("--events", is_flag=True, help="Answer as JSON lines of events (used by the TUI).")(func)


def answer(kind: str, data: Any, exit_code: int = 0) -> NoReturn:
    """The end of a command run with ``--events``: its ``result`` (a long list in parts, see
    ``qbtui.sync.events.RESULT_PART``), then ``done``."""
    from qbtui.sync import events

    if isinstance(data, list) and len(data) > events.RESULT_PART:
        for start in range(0, len(data), events.RESULT_PART):
            events.emit(events.result(kind, data[start:start + events.RESULT_PART]))
    else:
        events.emit(events.result(kind, data))
    events.emit(events.done(exit_code))
    raise SystemExit(exit_code)


def _error_kind(exit_code: int) -> tuple[str, str | None]:
    exc = sys.exc_info()[1]
    names = {cls.__name__ for cls in type(exc).__mro__} if exc is not None else set()
    for name, kind, hint in ERROR_KINDS:
        if name in names:
            return kind, hint
    return EXIT_KINDS.get(exit_code, "error"), None


def fail(message: str, code: int = 2, *, error: str | None = None, hint: str | None = None) -> NoReturn:
    """The one way a command gives up: ``qbtui: message`` on stderr and exit ``code``; a ``--json`` command
    also prints ``{"error": {"code", "message", "hint"}}`` on stdout, an ``--events`` one an ``error`` event
    and ``done``. ``error`` (the JSON code) and ``hint``
    default to those of the exception being handled."""
    kind, default_hint = _error_kind(code)
    hint = hint if hint is not None else default_hint
    click.echo(safe_text(f"qbtui: {message}" + (f" ({hint})" if hint and hint not in message else "")), err=True)
    if _events_wanted():
        from qbtui.sync import events

        events.emit(events.error(message, error or kind, hint or ""))
        events.emit(events.done(code))
    elif _json_wanted():
        click.echo(json.dumps({"error": {"code": error or kind, "message": message, "hint": hint}}, indent=2))
    raise SystemExit(code)


def user_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the errors a person can act on into one clear line and exit code 2 (130 for Ctrl+C), never a
    traceback; with --json also a JSON error on stdout (see :func:`fail`)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except KeyboardInterrupt:
            fail("interrupted (Ctrl+C)", EXIT_INTERRUPTED)
        except CacheLocked as exc:
            fail(str(exc), hint="another qbtui holds the profile; readers such as `qbtui status` still work")
        except (CacheError, SettingError, InsecureURL) as exc:
            fail(str(exc))
        except CompanyFault as exc:  # the connection, the user's access or the subscription (3100, 120, 6190)
            fail(str(exc), 2, hint=exc.hint or None)
        except QBOFault as exc:
            fail(f"QuickBooks: {exc}", 2)
        except BrokenPipeError:  # stdout's reader quit (`| head`, `less` closed): click ends quietly, exit 1
            raise
        except OSError as exc:  # a read-only folder, a full disk, a file-size limit, permissions
            fail(os_error_message(exc))
        except ValueError as exc:  # bad profile name, bad pasted URL and the like
            fail(str(exc))

    return wrapper


_OS_HINTS = {
    errno.ENOSPC: "the disk is full: free some space and run it again",
    errno.EDQUOT: "the disk quota is used up: free some space and run it again",
    errno.EFBIG: "the file would be larger than this system allows (see `ulimit -f`)",
    errno.EROFS: "that file system is read-only: use a writable folder (--data-dir or QBTUI_DATA_DIR)",
    errno.EACCES: "qbtui may not write there: check the folder's owner and permissions, or use --data-dir",
    errno.EPERM: "qbtui may not write there: check the folder's owner and permissions, or use --data-dir",
}


def os_error_message(exc: OSError) -> str:
    """One line for an OS error: the path, what went wrong, what to do. Nothing was half-written: every file of
    a profile is replaced atomically, so what was there before is still there."""
    where = exc.filename if exc.filename is not None else "(a file of the profile)"
    what = exc.strerror or str(exc)
    hint = _OS_HINTS.get(exc.errno or 0)
    return f"{where}: {what}" + (f"; {hint}" if hint else "") + "; nothing was half-written"


def confirm_or_refuse(yes: bool, question: str) -> None:
    """Before a command deletes or voids (in QuickBooks or in the cache), or sends a whole history: go on with
    ``--yes``; on a terminal, ask (no: nothing changed, exit 1); without one, refuse with exit 2 naming --yes.
    One rule for every such command: nothing is deleted because a script forgot to say so."""
    if yes:
        return
    if not sys.stdin.isatty():
        fail(f"refused to {question.rstrip('?')} without asking, and there is no terminal to ask on: add --yes "
             "to go ahead", 2, error="confirmation_required", hint="add --yes")
    if not click.confirm(question, err=True):
        fail("nothing was changed", 1, error="declined")


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


def is_tty_err() -> bool:
    return sys.stderr.isatty()


def run_async(coro: Any) -> Any:
    return asyncio.run(coro)


class EventPrinter:
    """Progress of a long run: JSON lines on stdout (--events), or one updating line on a terminal's stderr."""

    def __init__(self, events: bool):
        self.events = events
        self.tty = is_tty_err()

    def __call__(self, event: dict[str, Any]) -> None:
        if self.events:
            click.echo(json.dumps(event, default=str))
            sys.stdout.flush()
        elif self.tty and event.get("event") == "progress":
            from qbtui.sync.events import progress_text

            click.echo(f"\r{progress_text(event)}   ", err=True, nl=False)

    def close(self) -> None:
        if self.tty and not self.events:
            click.echo("", err=True)


@user_errors
def open_dashboard(profile: Profile, *, firm: bool = False) -> None:
    """The dashboard on the profile; with ``firm`` the companies screen (every profile) first."""
    from qbtui import tui

    if not firm:
        private_dir(profile.path, tighten=True)
    if not sys.stdout.isatty():
        fail("the dashboard needs a terminal; for scripts use the commands (qbtui --help)")
    tui.run(profile.path, profile=profile.name, data_dir=profile.data_dir, no_mouse=profile.no_mouse, firm=firm)
