"""The ``qbtui`` command (docs/cli.md): every screen action has a headless twin here.

Exit codes: 0 done; 1 some documents (or files) blocked, failed or rejected; 2 could not run; 130 stopped by
Ctrl+C. With ``--json`` one JSON document goes to stdout (``{"error": {...}}`` when the command fails, see
:func:`fail`) and human messages to stderr.
"""

from __future__ import annotations

import asyncio
import errno
import functools
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import click

from qbtui import __version__
from qbtui.cache import Cache, CacheError, CacheLocked, default_data_dir, profile_dir
from qbtui.documents import DOCUMENT_TYPES, REFUND_TYPE, ImportFileError, import_schema, read_file
from qbtui.documents.text import safe_text
from qbtui.private import private_dir
from qbtui.qbo import InsecureURL, QBOFault, ReconnectRequired
from qbtui.settings import SettingError

STATUSES = ("pending", "blocked", "failed", "skipped", "synced", "voided")


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

    def open(self, *, writer: bool, command: str = "qbtui") -> Cache:
        cache = Cache.open(self.path, writer=writer, command=command)
        if cache.recovery is not None:  # a damaged record of outcomes, recovered: say so, and what happens next
            click.echo(safe_text(f"qbtui: warning: {cache.recovery.message}"), err=True)
        return cache


#: exit code of a command stopped by Ctrl+C (SIGINT), as shells report 128 + 2
EXIT_INTERRUPTED = 130

#: the ``code`` of a JSON error, by the exception being handled (most specific first), with a default hint
ERROR_KINDS: tuple[tuple[str, str, str | None], ...] = (
    ("CacheLocked", "profile_busy", "wait for the other qbtui to finish; readers such as `qbtui status` still work"),
    ("CacheError", "cache", None),
    ("SettingError", "setting", "`qbtui settings` lists the keys and their values"),
    ("InsecureURL", "insecure_url", "use an https address, or a loopback one for a qbtui sandbox"),
    ("ReconnectRequired", "reconnect", "run `qbtui connect` again"),
    ("QBOFault", "quickbooks", None),
    ("NotConnected", "not_connected", "run `qbtui connect` (or try `qbtui demo`)"),
    ("WritesRefused", "writes_disabled", "`qbtui integration enable` turns writing back on"),
    ("WritesDisabled", "writes_disabled", "`qbtui integration enable` turns writing back on"),
    ("KeyboardInterrupt", "interrupted", "run the command again: what was sent is looked up in QuickBooks first"),
    ("OSError", "os_error", None),
    ("ValueError", "invalid", None),
)
EXIT_KINDS = {1: "refused", 2: "could_not_run", EXIT_INTERRUPTED: "interrupted"}


def _json_wanted() -> bool:
    """Whether the command being run was given ``--json`` (its errors then go to stdout as JSON too)."""
    ctx = click.get_current_context(silent=True)
    while ctx is not None:
        if ctx.params.get("as_json"):
            return True
        ctx = ctx.parent
    return False


def _error_kind(exit_code: int) -> tuple[str, str | None]:
    exc = sys.exc_info()[1]
    names = {cls.__name__ for cls in type(exc).__mro__} if exc is not None else set()
    for name, kind, hint in ERROR_KINDS:
        if name in names:
            return kind, hint
    return EXIT_KINDS.get(exit_code, "error"), None


def fail(message: str, code: int = 2, *, error: str | None = None, hint: str | None = None) -> NoReturn:
    """The one way a command gives up: ``qbtui: message`` on stderr and exit ``code``; a ``--json`` command
    also prints ``{"error": {"code", "message", "hint"}}`` on stdout. ``error`` (the JSON code) and ``hint``
    default to those of the exception being handled."""
    kind, default_hint = _error_kind(code)
    hint = hint if hint is not None else default_hint
    click.echo(safe_text(f"qbtui: {message}" + (f" ({hint})" if hint and hint not in message else "")), err=True)
    if _json_wanted():
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
        except ReconnectRequired as exc:
            fail(f"{exc}", 2)
        except QBOFault as exc:
            fail(f"QuickBooks: {exc}", 2)
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


class QbtuiGroup(click.Group):
    """qbtui's command group: a usage error (a missing or bad option) of a command given ``--json`` is also
    printed as ``{"error": {"code": "usage", ...}}`` on stdout, like every other failure of a --json command."""

    def invoke(self, ctx: click.Context) -> Any:
        as_json = "--json" in ctx.args
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            if as_json:
                command = exc.ctx.command_path if exc.ctx is not None else "qbtui"
                click.echo(json.dumps({"error": {"code": "usage", "message": exc.format_message(),
                                                 "hint": f"`{command} --help` shows the options"}}, indent=2))
            raise


@click.group(cls=QbtuiGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--profile", default="default", show_default=True, envvar="QBTUI_PROFILE", help="Profile (one company).")
@click.option("--data-dir", type=click.Path(path_type=Path, file_okay=False), envvar="QBTUI_DATA_DIR",
              help="Where profiles live [env QBTUI_DATA_DIR; default: the platform's user data folder].")
@click.option("--no-mouse", is_flag=True, help="Leave the mouse to the terminal (its own text selection).")
@click.version_option(__version__, prog_name="qbtui")
@click.pass_context
def main(ctx: click.Context, profile: str, data_dir: Path | None, no_mouse: bool) -> None:
    """qbtui: send an inventory system's documents to QuickBooks Online, exactly once.

    With no command, opens the dashboard on the profile."""
    explicit = ctx.get_parameter_source("profile") not in (click.core.ParameterSource.DEFAULT, None)
    ctx.obj = Profile(profile, data_dir or default_data_dir(), no_mouse=no_mouse, explicit=explicit)
    if ctx.invoked_subcommand is None:
        open_dashboard(ctx.obj)


@user_errors
def open_dashboard(profile: Profile) -> None:
    from qbtui import tui

    private_dir(profile.path, tighten=True)
    if not sys.stdout.isatty():
        fail("the dashboard needs a terminal; for scripts use the commands (qbtui --help)")
    tui.run(profile.path, profile=profile.name, data_dir=profile.data_dir, no_mouse=profile.no_mouse)


@main.command("demo")
@click.option("--reset", is_flag=True, help="Start the demo company and its sample data over.")
@click.pass_obj
@user_errors
def demo_command(profile: Profile, reset: bool) -> None:
    """The built-in sandbox company with sample data (profile "demo"), in the dashboard."""
    from qbtui.demo import DEMO_PROFILE, DemoError, prepare, stop_sandbox

    if profile.explicit and profile.name != DEMO_PROFILE:
        # --reset would delete that profile's documents, links, runs and tokens, and even without it the profile
        # would be pointed at a throwaway sandbox: the demo only ever touches its own profile
        fail(f"`qbtui demo` works only on its own profile {DEMO_PROFILE!r}, never on {profile.name!r}: nothing was "
             f"changed; run `qbtui demo` without --profile" + (" (and without QBTUI_PROFILE)" if
                                                                os.environ.get("QBTUI_PROFILE") else ""),
             error="demo_profile_only", hint=f"qbtui --profile {DEMO_PROFILE} demo")
    profile = Profile(DEMO_PROFILE, profile.data_dir, no_mouse=profile.no_mouse, explicit=True)
    if not sys.stdout.isatty():  # before anything is started or reset
        fail("the demo opens the dashboard, which needs a terminal; for scripts use the commands (qbtui --help)")
    click.echo(f"starting the demo company (profile {profile.name})...", err=True)
    try:
        proc, url = prepare(profile.path, reset=reset)
    except DemoError as exc:
        fail(str(exc))
    try:
        open_dashboard(profile)
    finally:
        stop_sandbox(proc)


@main.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the import format."""
    print_json(import_schema())


@main.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--type", "doc_type", type=click.Choice([*DOCUMENT_TYPES, REFUND_TYPE]),
              help="Document type of the files (CSV files are otherwise typed by their name, e.g. sale_invoice.csv).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary on stdout.")
@click.pass_obj
@user_errors
def import_command(profile: Profile, files: tuple[Path, ...], doc_type: str | None, as_json: bool) -> None:
    """Load documents from FILE... (.json, .jsonl, .csv); each file is imported whole or not at all."""
    results: list[dict[str, Any]] = []
    rejected = 0
    with profile.open(writer=True, command="qbtui import") as cache:
        for path in files:
            if is_tty_err():
                click.echo(safe_text(f"reading {path} ..."), err=True)

            def find_credit_note(ref: str) -> dict[str, Any] | None:
                record = cache.get("credit_note", ref)
                return record["data"] if record else None

            try:
                documents = read_file(path, doc_type=doc_type, find_credit_note=find_credit_note)
            except ImportFileError as exc:
                rejected += 1
                click.echo(safe_text(str(exc)), err=True)
                results.append({"file": str(path), "imported": False,
                                "problems": [{"where": p.where, "field": p.field, "reason": p.reason} for p in exc.problems]})
                continue
            try:
                summary = cache.upsert_documents(documents)
            except ValueError as exc:  # a document the cache cannot store: this file only
                rejected += 1
                click.echo(safe_text(f"{path}: nothing imported from this file ({exc})"), err=True)
                results.append({"file": str(path), "imported": False,
                                "problems": [{"where": "", "field": "", "reason": str(exc)}]})
                continue
            results.append({"file": str(path), "imported": True, "documents": len(documents),
                            "created": summary.created, "updated": summary.updated, "unchanged": summary.unchanged,
                            "changed_after_sync": [{"type": t, "ref": r} for t, r in summary.changed_after_sync]})
            message = (f"{path}: {len(documents)} documents ({summary.created} new, {summary.updated} updated, "
                       f"{summary.unchanged} unchanged)")
            if summary.changed_after_sync:
                message += (f"; {len(summary.changed_after_sync)} already synced changed: they wait for a re-sync "
                            "(see qbtui status)")
            click.echo(safe_text(message), err=as_json)
    if as_json:
        print_json({"files": results})
    if rejected:
        raise SystemExit(1)


def connection_summary(cache: Cache) -> dict[str, Any]:
    company = cache.reference("company_info") or {}
    return {
        "connected": bool(cache.get_setting("realm_id")),
        "environment": cache.get_setting("environment"),
        "realm_id": cache.get_setting("realm_id"),
        "company": company.get("CompanyName"),
    }


@main.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@click.pass_obj
@user_errors
def status_command(profile: Profile, as_json: bool) -> None:
    """Counts per document type and status; connection; last run."""
    with profile.open(writer=False) as cache:
        counts = with_gates(cache)
        runs = cache.runs()
        data = {
            "profile": profile.name,
            "connection": connection_summary(cache),
            "last_run": runs[0] if runs else None,
            "documents": {t: {s: counts.get(t, {}).get(s, 0) for s in STATUSES} for t in DOCUMENT_TYPES if t in counts},
        }
    if as_json:
        print_json(data)
        return
    conn = data["connection"]
    click.echo(safe_text(f"profile {profile.name}: " + (f"connected to {conn['company'] or conn['realm_id']} "
                                                        f"({conn['environment']})" if conn["connected"] else "not connected")))
    if not data["documents"]:
        click.echo("no documents yet: qbtui import FILE")
        return
    width = max(map(len, data["documents"]))
    click.echo(f"{'type':<{width}}  " + "  ".join(f"{s:>7}" for s in STATUSES))
    for doc_type, row in data["documents"].items():
        click.echo(f"{doc_type:<{width}}  " + "  ".join(f"{row[s]:>7}" for s in STATUSES))
    if data["last_run"]:
        run = data["last_run"]
        click.echo(f"last run {run.get('id')} ({run.get('kind')}) ended {run.get('ended') or 'not ended'}")


def with_gates(cache: Cache) -> dict[str, dict[str, int]]:
    """Status counts with the gates' blocked/skipped overlaid on the cache's pending."""
    from qbtui.sync import gate_statuses

    counts = {t: dict(c) for t, c in cache.status_counts().items()}
    for (doc_type, _), (status, _) in gate_statuses(cache).items():
        if status in ("blocked", "skipped") and doc_type in counts:
            counts[doc_type]["pending"] -= 1
            counts[doc_type][status] += 1
    return counts


def run_async(coro: Any) -> Any:
    return asyncio.run(coro)


# ----------------------------------------------------------------------------- sync family

def _read_refs_file(path: Path | None) -> set[tuple[str, str]] | None:
    """The exact (type, ref) pairs of a --refs-from file: a JSON array of ``[TYPE, REF]`` pairs (what the
    dashboard writes: no character a reference may hold can split it), or, as before, TYPE<TAB>REF lines
    (split on newlines only, never on the other characters str.splitlines takes as line ends)."""
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{path}: cannot read it: {getattr(exc, 'strerror', None) or exc}")
    keys: set[tuple[str, str]] = set()
    if text.lstrip().startswith("["):
        try:
            pairs = json.loads(text)
        except json.JSONDecodeError as exc:
            fail(f"{path}: not a JSON array of [TYPE, REF] pairs: {exc}")
        for n, pair in enumerate(pairs if isinstance(pairs, list) else [None], 1):
            if not (isinstance(pair, list) and len(pair) == 2 and pair[0] in DOCUMENT_TYPES
                    and isinstance(pair[1], str)):
                fail(f"{path}: item {n}: expected [TYPE, REF] with TYPE one of the document types")
            keys.add((pair[0], pair[1]))
        return keys
    for n, line in enumerate(text.split("\n"), 1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        doc_type, sep, ref = line.partition("\t")
        if not sep or doc_type not in DOCUMENT_TYPES:
            fail(f"{path}: line {n}: expected TYPE<TAB>REF")
        keys.add((doc_type, ref))
    return keys


def _removals(cache: Cache, types: set[str] | None, refs: set[str] | None,
              keys: set[tuple[str, str]] | None) -> int:
    """How many QuickBooks objects a sync of this selection would void or delete (documents voided on the
    inventory side): such a sync asks first, like every command that deletes or voids."""
    from qbtui.sync import plan

    return sum(1 for p in plan(cache, types=types, refs=refs, keys=keys, with_dependencies=True)
               if p.status == "ready" for pl in p.payloads if pl.operation in ("void", "delete"))


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
            click.echo(f"\rsent {event['sent']}  ok {event['ok']}  failed {event['failed']}  remaining "
                       f"{event['remaining']}  {event.get('rate_per_min', 0):.0f}/min (QBO allows ~1,660/min)   ",
                       err=True, nl=False)

    def close(self) -> None:
        if self.tty and not self.events:
            click.echo("", err=True)


@main.command("sync")
@click.option("--type", "types", multiple=True, type=click.Choice(DOCUMENT_TYPES), help="Only this type (repeatable).")
@click.option("--ref", "refs", multiple=True, help="Only this reference (repeatable).")
@click.option("--refs-from", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="A file of TYPE<TAB>REF lines to send.")
@click.option("--dry-run", is_flag=True, help="Print the exact payloads; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--scheduled", is_flag=True, help="For cron: run only when the autosync schedule says so.")
@click.option("--events", is_flag=True, help="Stream progress as JSON lines on stdout (used by the TUI).")
@click.pass_obj
@user_errors
def sync_command(profile: Profile, types: tuple[str, ...], refs: tuple[str, ...], refs_from: Path | None,
                 dry_run: bool, as_json: bool, yes: bool, scheduled: bool, events: bool) -> None:
    """Send pending documents (and what they depend on) to QuickBooks, in dependency order."""
    from qbtui.sync import dry_run_json, plan, render_dry_run
    from qbtui.sync.runs import marks_interrupted

    keys = _read_refs_file(refs_from)
    types_, refs_ = set(types), set(refs)
    if dry_run:
        with profile.open(writer=False) as cache:
            planned = plan(cache, types=types_ or None, refs=refs_ or None, keys=keys, with_dependencies=True)
        if as_json:
            print_json(dry_run_json(planned))
        else:
            click.echo(safe_text(render_dry_run(planned)) if planned else "nothing to send: no pending documents")
        raise SystemExit(1 if any(p.status == "blocked" for p in planned) else 0)
    if scheduled:
        from qbtui.maintenance.autosync import scheduled_sync_command
        scheduled_sync_command(profile, as_json=as_json, events=events)
    with profile.open(writer=True, command="qbtui sync") as cache:
        removals = 0 if yes else _removals(cache, types_ or None, refs_ or None, keys)
        if removals:
            confirm_or_refuse(yes, f"void or delete {removals} QuickBooks object{'s' if removals != 1 else ''} of "
                                   "documents voided on the inventory side, and send the rest?")
        elif not yes and not as_json and not events and sys.stdin.isatty():
            pending = sum(c["pending"] + c["failed"] for c in cache.status_counts().values())
            click.confirm(f"send up to {pending} pending or failed documents to QuickBooks?", abort=True)
        printer = EventPrinter(events)
        try:
            with marks_interrupted(cache):
                report = run_async(_sync(profile, cache, types_ or None, refs_ or None, keys, printer))
        except ReconnectRequired as exc:
            if events:
                printer({"event": "error", "message": str(exc)})
            fail(str(exc), 2)
        except Exception as exc:
            if events:
                printer({"event": "error", "message": str(exc)})
            raise
        finally:
            printer.close()
    if events:
        printer({"event": "done", "exit_code": report.exit_code})
    elif as_json:
        print_json(report.to_json())
    else:
        counts = report.run.get("counts", {})
        click.echo(f"run {report.run['id']}: " + (", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "nothing to send"))
        for doc in report.documents:
            if doc["status"] in ("failed", "blocked", "pending") and doc.get("error"):
                err = doc["error"]
                click.echo(safe_text(f"  {doc['status'].upper():7} {doc['type']} {doc['ref']}: {err.get('code')} "
                                     f"{err.get('message')}" + (f" (hint: {err['hint']})" if err.get("hint") else "")),
                           err=True)
    raise SystemExit(report.exit_code)


async def _sync(profile: Profile, cache: Cache, types: set[str] | None, refs: set[str] | None,
                keys: set[tuple[str, str]] | None, printer: EventPrinter):
    from qbtui.sync.connection import NotConnected, open_client
    from qbtui.sync.engine import SyncEngine, WritesRefused, check_writes_allowed

    try:
        check_writes_allowed(cache)
        client = await open_client(cache, profile.path)
    except (NotConnected, WritesRefused) as exc:
        fail(str(exc), 2)
    async with client:
        return await SyncEngine(cache, client, on_event=printer).sync(types=types, refs=refs, keys=keys)


@main.command("errors")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@click.pass_obj
@user_errors
def errors_command(profile: Profile, as_json: bool) -> None:
    """Blocked and failed documents: type, ref, status, code, message, hint."""
    from qbtui.sync import gate_statuses

    rows: list[dict[str, Any]] = []
    with profile.open(writer=False) as cache:
        for (doc_type, ref), (status, reasons) in gate_statuses(cache).items():
            if status == "blocked":
                rows += [{"type": doc_type, "ref": ref, "status": "blocked", "code": r.code, "message": r.message,
                          "hint": r.hint} for r in reasons]
        for link in cache.links():
            if cache.status_of(link["type"], link["ref"]) == "failed" and link.get("error"):
                err = link["error"]
                rows.append({"type": link["type"], "ref": link["ref"], "status": "failed", "code": err.get("code"),
                             "message": err.get("message"), "hint": err.get("hint")})
    if as_json:
        print_json({"errors": rows})
    elif not rows:
        click.echo("no blocked or failed documents")
    else:
        for row in rows:
            click.echo(safe_text(f"{row['status'].upper():7} {row['type']} {row['ref']}: [{row['code']}] {row['message']}"
                                 + (f"\n        hint: {row['hint']}" if row.get("hint") else "")))
    raise SystemExit(1 if rows else 0)


@main.command("gates", hidden=True)
@click.pass_obj
@user_errors
def gates_command(profile: Profile) -> None:
    """For the dashboard: every pending document's gate status and reasons, as one JSON document."""
    import orjson

    from qbtui.sync import gate_statuses

    with profile.open(writer=False) as cache:
        gates = gate_statuses(cache)
    sys.stdout.buffer.write(orjson.dumps({"gates": [[t, r, status, [x.to_json() for x in reasons]]
                                                    for (t, r), (status, reasons) in gates.items()]}))


@main.command("update-document", hidden=True)
@click.pass_obj
@user_errors
def update_document_command(profile: Profile) -> None:
    """For the dashboard's fix form: one edited document (JSON on stdin) checked as an import checks it, then
    stored; exit 1 with the reasons when it is refused, 2 when the profile is busy."""
    from qbtui.documents import check_document

    try:
        data = json.loads(sys.stdin.read())
    except json.JSONDecodeError as exc:
        fail(f"not a JSON document: {exc}")
    checked, problems = check_document(data if isinstance(data, dict) else {})
    if checked is None:
        fail("; ".join(f"{'.'.join(map(str, loc))}: {reason}" for loc, reason in problems), 1)
    with profile.open(writer=True, command="qbtui (fix form)") as cache:
        try:
            cache.update_document(checked["type"], checked["ref"], checked)
        except KeyError:
            fail(f"no {checked['type']} {checked['ref']!r} in the cache")


@main.command("runs")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@click.pass_obj
@user_errors
def runs_command(profile: Profile, as_json: bool) -> None:
    """The run log (audit), newest first."""
    with profile.open(writer=False) as cache:
        runs = cache.runs()
    if as_json:
        print_json({"runs": runs})
        return
    if not runs:
        click.echo("no runs yet")
    for run in runs:
        counts = ", ".join(f"{n} {k}" for k, n in sorted((run.get("counts") or {}).items()))
        click.echo(f"{run['id']}  {run.get('kind') or '':11} {run.get('started') or ''} -> {run.get('ended') or 'not ended'}"
                   f"  {counts}  created {len(run.get('created') or [])}"
                   + ("  INTERRUPTED" if run.get("interrupted") else "")
                   + (f"  (undone by {run['undone_by']})" if run.get("undone_by") else ""))


@main.command("undo")
@click.argument("run_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
@user_errors
def undo_command(profile: Profile, run_id: str, yes: bool) -> None:
    """Remove from QuickBooks what run RUN_ID created, in reverse dependency order."""
    from qbtui.sync.connection import NotConnected, open_client
    from qbtui.sync.undo import UndoError, undo_run
    from qbtui.sync.runs import marks_interrupted

    with profile.open(writer=True, command="qbtui undo") as cache:
        run = next((r for r in cache.runs() if r["id"] == run_id), None)
        if run is None:
            fail(f"no run {run_id!r}: see `qbtui runs` for the run ids")
        confirm_or_refuse(yes, f"delete (or deactivate) the {len(run.get('created') or [])} QuickBooks objects run "
                               f"{run_id} created?")

        async def go() -> dict[str, Any]:
            try:
                client = await open_client(cache, profile.path)
            except NotConnected as exc:
                fail(str(exc), 2)
            async with client:
                return await undo_run(cache, client, run_id, on_event=EventPrinter(False))

        try:
            with marks_interrupted(cache):
                undo = run_async(go())
        except UndoError as exc:
            fail(str(exc), 2)
    counts = undo.get("counts", {})
    click.echo(f"undo run {undo['id']}: {counts.get('removed', 0)} removed, {counts.get('failed', 0)} failed")
    raise SystemExit(1 if counts.get("failed") else 0)


@main.command("pull")
@click.pass_obj
@user_errors
def pull_command(profile: Profile) -> None:
    """Refresh reference data and QuickBooks-side changes to synced documents."""
    from qbtui.sync.connection import NotConnected, open_client
    from qbtui.sync.pull import pull_changes, pull_reference
    from qbtui.sync.runs import marks_interrupted

    with profile.open(writer=True, command="qbtui pull") as cache:
        async def go() -> tuple[dict[str, int], list[dict[str, Any]]]:
            try:
                client = await open_client(cache, profile.path)
            except NotConnected as exc:
                fail(str(exc), 2)
            async with client:
                return await pull_reference(cache, client), await pull_changes(cache, client)

        with marks_interrupted(cache):
            counts, discrepancies = run_async(go())
    click.echo("pulled " + ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in counts.items()))
    click.echo(f"{len(discrepancies)} discrepancies" + (": see the Discrepancies tab" if discrepancies else ""))


# ----------------------------------------------------------------------------- connection and mapping

@main.command("connect")
@click.option("--environment", default="production", show_default=True,
              help="production, sandbox, or the root URL of a qbtui sandbox.")
@click.option("--client-id", help="Your Intuit app's client id.")
@click.option("--client-secret-env", metavar="VAR", help="Read the client secret from this environment variable.")
@click.option("--mode", type=click.Choice(["both_ways", "from_quickbooks"]), default="both_ways", show_default=True)
@click.option("--print-auth-url", is_flag=True, help="Print the authorize URL (one line) and exit.")
@click.option("--redirect-url", help="The address the browser landed on after approving.")
@click.option("--redirect-uri", help="The redirect URI registered in your Intuit app.")
@click.pass_obj
@user_errors
def connect_command(profile: Profile, environment: str, client_id: str | None, client_secret_env: str | None,
                    mode: str, print_auth_url: bool, redirect_url: str | None, redirect_uri: str | None) -> None:
    """Connect the profile to a QuickBooks company (OAuth 2.0, usable over SSH)."""
    from qbtui.sync.connection import begin_connect, finish_connect

    private_dir(profile.path, tighten=True)
    with profile.open(writer=True, command="qbtui connect") as cache:
        if not redirect_url or print_auth_url:
            if not client_id:
                fail("--client-id is required (your Intuit app's client id; see README: Connecting a real company)")
            if client_secret_env:
                secret = os.environ.get(client_secret_env)
                if not secret:
                    fail(f"environment variable {client_secret_env} is empty or not set")
            else:
                secret = click.prompt("client secret", hide_input=True, err=True)
            url = run_async(begin_connect(cache, profile.path, environment=environment, client_id=client_id,
                                          client_secret=secret, redirect_uri=redirect_uri))
            cache.set_setting("integration_mode", mode)
            click.echo(url)
            if print_auth_url:
                click.echo("open that address on your own computer, approve, then run: qbtui connect --redirect-url "
                           "'<the address the browser landed on>'", err=True)
                return
            redirect_url = click.prompt("paste the address the browser landed on", err=True)
        realm_id = run_async(finish_connect(cache, profile.path, redirect_url))
        click.echo(f"connected to company {realm_id}; pulling reference data...", err=True)

        async def pull() -> dict[str, int]:
            from qbtui.sync.connection import open_client
            from qbtui.sync.pull import pull_reference

            async with await open_client(cache, profile.path) as client:
                return await pull_reference(cache, client)

        counts = run_async(pull())
    click.echo(f"connected: {counts.get('accounts', 0)} accounts pulled; next: qbtui map --auto")


@main.command("map")
@click.argument("role", required=False)
@click.argument("account", required=False)
@click.option("--auto", "auto", is_flag=True, help="Match accounts, tax codes and terms by name and allowed type.")
@click.option("--json", "as_json", is_flag=True, help="Print the mapping as JSON.")
@click.pass_obj
@user_errors
def map_command(profile: Profile, role: str | None, account: str | None, auto: bool, as_json: bool) -> None:
    """Map accounting roles to QBO accounts (roles and allowed account types: docs/domain.md#mapping-roles)."""
    from qbtui.ledger.roles import REQUIRED_ROLES, ROLE_BY_NAME, auto_map, mapping_problems

    with profile.open(writer=bool(auto or role), command="qbtui map") as cache:
        accounts = cache.reference("accounts") or []
        if (auto or role) and not accounts:
            fail("no QuickBooks accounts in the cache: connect first (`qbtui connect`) or run `qbtui pull`")
        mapping = dict(cache.get_setting("mapping") or {})
        if role:
            if role not in ROLE_BY_NAME:
                import difflib
                close = difflib.get_close_matches(role, ROLE_BY_NAME, n=1)
                fail(f"unknown role {role!r}" + (f" (did you mean {close[0]!r}?)" if close else
                                                 f"; roles: {', '.join(ROLE_BY_NAME)}"))
            if not account:
                fail("give the account: qbtui map ROLE ACCOUNT (its QBO Id or exact name)")
            hit = next((a for a in accounts if str(a.get("Id")) == account), None) or next(
                (a for a in accounts if a.get("Name") == account), None)
            if hit is None:
                fail(f"no QuickBooks account {account!r} (give its Id or exact name; `qbtui pull` reloads accounts)")
            trial = {**{k: v for k, v in mapping.items() if v != str(hit["Id"])}, role: str(hit["Id"])}
            bad = [p for p in mapping_problems(trial, accounts) if p.get("role") == role]
            if bad:
                fail(bad[0]["message"])
            mapping = trial
            cache.set_setting("mapping", mapping)
        if auto:
            mapping.update(auto_map(accounts, mapping))
            cache.set_setting("mapping", mapping)
        names = {str(a.get("Id")): a.get("Name") for a in accounts}
        left = [r for r in REQUIRED_ROLES if r not in mapping]
    if as_json:
        print_json({"mapping": mapping, "unmapped_required": left})
        return
    for name in ROLE_BY_NAME:
        if name in mapping:
            click.echo(safe_text(f"{name:24} -> {names.get(mapping[name], '?')} (Id {mapping[name]})"))
    if left:
        click.echo("still to map (required): " + ", ".join(left) + "  ->  qbtui map ROLE ACCOUNT")
    elif auto or role:
        click.echo("every required role is mapped")


@main.group("settings", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@click.pass_context
@user_errors
def settings_group(ctx: click.Context, as_json: bool) -> None:
    """Show the settings, or change one: qbtui settings set KEY VALUE (each setting: docs/domain.md#settings)."""
    if ctx.invoked_subcommand is not None:
        return
    from qbtui.settings import settings_table

    profile: Profile = ctx.obj
    with profile.open(writer=False) as cache:
        rows = settings_table(cache.settings())
    if as_json:
        print_json({"settings": {r["key"]: r["value"] for r in rows}})
        return
    for row in rows:
        click.echo(f"{row['key']:28} {json.dumps(row['value'])}")


@settings_group.command("set")
@click.argument("key")
@click.argument("value")
@click.pass_obj
@user_errors
def settings_set(profile: Profile, key: str, value: str) -> None:
    """Set KEY to VALUE (validated)."""
    from qbtui.settings import set_setting

    private_dir(profile.path, tighten=True)
    with profile.open(writer=True, command="qbtui settings set") as cache:
        stored = set_setting(cache, key, value)
    click.echo(f"{key} = {json.dumps(stored)}")


from qbtui.sandbox.cli import sandbox  # noqa: E402  (the sandbox's own command group)

main.add_command(sandbox)
from qbtui.maintenance.cli import COMMANDS as _maintenance_commands
for _c in _maintenance_commands: main.add_command(_c)
