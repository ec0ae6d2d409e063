"""The sync family: ``qbtui sync`` (also ``--dry-run``, ``--scheduled``, ``--events``), ``runs``, ``undo``,
``pull``."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any, NoReturn

import click

from qbtui.cache import Cache
from qbtui.cli.common import (
    EventPrinter,
    Profile,
    answer,
    confirm_or_refuse,
    connected_client,
    events_option,
    fail,
    print_json,
    run_async,
    user_errors,
)
from qbtui.documents.text import safe_text
from qbtui.documents.types import DOCUMENT_TYPES
from qbtui.qbo import CompanyFault
from qbtui.sync.events import counts_text, run_text


def _dry_run_summaries(profile: Profile, full: bool, *, as_json: bool, events: bool) -> NoReturn:
    """``qbtui sync --dry-run --summaries``: the summaries a full sync would post (due or not), each with its
    payload when due and the documents behind each line, without planning the documents one by one. With
    ``--events`` (the dashboard's Summaries tab, w) each carries ``text``, its lines as the human form prints them."""
    from qbtui.sync.summaries import dry_run_summaries, render_summaries

    if not full:
        fail("--summaries goes with --dry-run, without --type, --ref or --refs-from (summaries are posted by a full "
             "sync)", error="usage")
    with profile.open(writer=False) as cache:
        summaries = dry_run_summaries(cache)
    if events:
        answer("summaries", [{**s, "text": render_summaries([s])} for s in summaries])
    if as_json:
        print_json({"summaries": summaries})
    else:
        for text in render_summaries(summaries) or ["no summaries to post: no channel summarizes, or nothing waits"]:
            click.echo(safe_text(text))
    raise SystemExit(0)


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


def _resend_undone(cache: Cache, types: set[str], refs: set[str], keys: set[tuple[str, str]] | None) -> None:
    """Documents an undo removed from QuickBooks (``voided`` by an undo run) that this sync names by reference are
    sent again, as new QuickBooks objects, with the undone documents they need (their customer, products...): their
    link forgets the removed objects (its history keeps them)."""
    from qbtui.ledger.kinds import dependencies

    undos = {r["id"] for r in cache.runs() if r.get("kind") == "undo"}
    if not undos:
        return
    undone = {(link["type"], link["ref"]): link for link in cache.links(["voided"]) if link.get("run") in undos}
    todo = [k for k in undone if (k[1] in refs and (not types or k[0] in types)) or k in (keys or ())]
    again: dict[tuple[str, str], dict[str, Any]] = {}
    while todo:
        key = todo.pop()
        record = cache.get(*key)
        if key in again or record is None:
            continue
        link = undone[key]
        again[key] = {"type": key[0], "ref": key[1], "status": "failed", "qbo": [], "synced_rev": None,
                      "error": {"code": "undone", "message": f"removed from QuickBooks by undo run {link.get('run')}; "
                                "sent again", "detail": "", "hint": ""}}
        todo += [dep for dep in dependencies(record["data"]) if dep in undone]
    if again:
        cache.record_outcomes(list(again.values()))


def _removals(cache: Cache, types: set[str] | None, refs: set[str] | None,
              keys: set[tuple[str, str]] | None) -> int:
    """How many QuickBooks objects a sync of this selection would void or delete (documents voided on the
    inventory side): such a sync asks first, like every command that deletes or voids."""
    from qbtui.sync import plan

    return sum(1 for p in plan(cache, types=types, refs=refs, keys=keys, with_dependencies=True)
               if p.status == "ready" for pl in p.payloads if pl.operation in ("void", "delete"))


def _desktop_queue(profile: Profile, *, as_json: bool, events: bool) -> bool:
    """On a QuickBooks Desktop profile nothing is sent from here: the documents wait for the Web Connector's next
    session (docs/desktop.md#exactly-once). Says what is queued; False on any other profile."""
    with profile.open(writer=False) as cache:
        if cache.get_setting("backend") != "desktop":
            return False
        from qbtui.cli.desktop import ready
        from qbtui.desktop.send import queued

        keys = queued(cache, ready)
        last = (cache.get_setting("desktop_last_session") or {}).get("ended")
    data = {"backend": "desktop", "queued": len(keys), "web_connector_last_called": last}
    message = (f"{len(keys)} document{'s' if len(keys) != 1 else ''} queued for the Web Connector's next session "
               + (f"(it last called {last})" if last else "(it has not called yet: add the .qwc file, "
                  "`qbtui desktop qwc`)"))
    if events:
        printer = EventPrinter(events)
        printer({"event": "done", "exit_code": 0, "message": message, **data})
        printer.close()
    elif as_json:
        print_json(data)
    else:
        click.echo(message)
    return True


@click.command("sync")
@click.option("--type", "types", multiple=True, type=click.Choice(DOCUMENT_TYPES), help="Only this type (repeatable).")
@click.option("--ref", "refs", multiple=True, help="Only this reference (repeatable).")
@click.option("--refs-from", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="A file of TYPE<TAB>REF lines to send.")
@click.option("--dry-run", is_flag=True, help="Print the exact payloads; change nothing.")
@click.option("--summaries", "summaries_only", is_flag=True,
              help="With --dry-run: only the summaries of summarized channels a full sync would post.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--scheduled", is_flag=True, help="For cron: run only when the autosync schedule says so.")
@click.option("--events", is_flag=True, help="Stream progress as JSON lines on stdout (used by the TUI).")
@click.option("--all-profiles", is_flag=True, help="Every profile of the data folder, in parallel (one `qbtui sync` "
                                                   "each, within its own company's limits); one summary.")
@click.pass_obj
@user_errors
def sync_command(profile: Profile, types: tuple[str, ...], refs: tuple[str, ...], refs_from: Path | None,
                 dry_run: bool, as_json: bool, yes: bool, scheduled: bool, events: bool, all_profiles: bool,
                 summaries_only: bool = False) -> None:
    """Send pending documents (and what they depend on) to QuickBooks, in dependency order."""
    from qbtui.sync import dry_run_json, plan, render_dry_run
    from qbtui.sync.runs import marks_interrupted

    if all_profiles:
        if refs or refs_from or dry_run or events:
            fail("--all-profiles takes --type, --scheduled, --yes and --json only (a reference belongs to one "
                 "profile)", error="usage")
        sync_all_profiles(profile, types, as_json=as_json, yes=yes, scheduled=scheduled)
    keys = _read_refs_file(refs_from)
    types_, refs_ = set(types), set(refs)
    if summaries_only:
        _dry_run_summaries(profile, dry_run and not (types_ or refs_ or keys), as_json=as_json, events=events)
    if dry_run:
        from qbtui.sync.resolve import dry_run_conflicts
        from qbtui.sync.summaries import dry_run_summaries, render_summaries

        with profile.open(writer=False) as cache:
            planned = plan(cache, types=types_ or None, refs=refs_ or None, keys=keys, with_dependencies=True)
            conflicts = dry_run_conflicts(cache, planned, types_ or None, refs_ or None, keys)
            # a full sync also posts the summarized channels' due periods (docs/domain.md#summarized-posting)
            summaries = [] if types_ or refs_ or keys else dry_run_summaries(cache)
        if as_json:
            print_json({**dry_run_json(planned), "conflicts": conflicts, "summaries": summaries})
        else:
            click.echo(safe_text(render_dry_run(planned)) if planned else "nothing to send: no pending documents")
            for text in render_summaries(summaries):
                click.echo(safe_text(text))
            for c in conflicts:  # held back (or to be): QuickBooks' copy changed since qbtui wrote it
                click.echo(safe_text(f"CONFLICT {c['type']} {c['ref']}: " + (c["text"] or "held back, not sent")
                           if c["status"] == "conflict" else f"CONFLICT {c['type']} {c['ref']}: changed in QuickBooks"
                           f" ({c['text']}), will be held back, not sent"))
                click.echo(f"  resolve with `qbtui discrepancies resolve {c['type']} {c['ref']} --push | --accept | "
                           "--resend | --dismiss NOTE`")
        raise SystemExit(1 if any(p.status == "blocked" for p in planned) or conflicts else 0)
    if _desktop_queue(profile, as_json=as_json, events=events):
        return
    if scheduled:
        scheduled_sync(profile, as_json=as_json, events=events)
    with profile.open(writer=True, command="qbtui sync") as cache:
        from qbtui.sync.preflight import check_json, first_sync_blocker

        blocker = first_sync_blocker(cache)
        if blocker is not None:  # the first sync only; later the gates block each document (docs/domain.md#gates)
            row = check_json(blocker)
            fail(f"nothing was sent: {row['message']}", 2, error=f"preflight.{blocker.code}", hint=row["hint"])
        if refs_ or keys:
            _resend_undone(cache, types_, refs_, keys)
        removals = 0 if yes else _removals(cache, types_ or None, refs_ or None, keys)
        if removals:
            confirm_or_refuse(yes, f"void or delete {removals} QuickBooks object{'s' if removals != 1 else ''} of "
                                   "documents voided on the inventory side, and send the rest?")
        elif not yes and not as_json and not events and sys.stdin.isatty():
            counts = cache.status_counts().values()
            pending, held = sum(c["pending"] + c["failed"] for c in counts), sum(c.get("conflict", 0) for c in counts)
            click.confirm(f"send up to {pending} pending or failed documents to QuickBooks?" + (
                f" ({held} held back as conflicts are not sent: `qbtui discrepancies`)" if held else ""), abort=True)
        printer = EventPrinter(events)
        try:
            with marks_interrupted(cache):
                report = run_async(_sync(profile, cache, types_ or None, refs_ or None, keys, printer))
        except CompanyFault as exc:  # the connection, the user's access or the subscription: the run stopped
            fail(str(exc), 2, hint=exc.hint or None)
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
        click.echo(f"run {report.run['id']}: {counts_text(counts)}")
        for doc in report.documents:
            if doc["status"] in ("failed", "blocked", "pending", "conflict") and doc.get("error"):
                err = doc["error"]
                click.echo(safe_text(f"  {doc['status'].upper():7} {doc['type']} {doc['ref']}: {err.get('code')} "
                                     f"{err.get('message')}" + (f"; detail: {err['detail']}" if err.get("detail") else "")
                                     + (f" (hint: {err['hint']})" if err.get("hint") else "")),
                           err=True)
        skipped = [d for d in report.documents if d["status"] == "skipped" and d.get("error")]
        for doc in skipped[:SKIPPED_SHOWN]:  # not an error (exit 0): said, with the reason, on stdout
            click.echo(safe_text(f"  SKIPPED {doc['type']} {doc['ref']}: {doc['error'].get('message')}"))
        if len(skipped) > SKIPPED_SHOWN:
            click.echo(f"  ... and {len(skipped) - SKIPPED_SHOWN} more skipped (qbtui sync --json lists them)")
    raise SystemExit(report.exit_code)


#: how many skipped documents the human output of qbtui sync names (the JSON report lists all)
SKIPPED_SHOWN = 20


async def _sync(profile: Profile, cache: Cache, types: set[str] | None, refs: set[str] | None,
                keys: set[tuple[str, str]] | None, printer: EventPrinter):
    from qbtui.qbo.errors import WritesRefused
    from qbtui.sync.connection import NotConnected, open_client
    from qbtui.sync.engine import SyncEngine
    from qbtui.sync.readonly import check_writes_allowed

    try:
        check_writes_allowed(cache)
        client = await open_client(cache, profile.path)
    except (NotConnected, WritesRefused) as exc:
        fail(str(exc), 2)
    async with client:
        return await SyncEngine(cache, client, on_event=printer).sync(types=types, refs=refs, keys=keys)


def scheduled_sync(profile: Profile, *, as_json: bool = False, events: bool = False) -> None:
    """The body of ``qbtui sync --scheduled``: the scheduled sync (:func:`qbtui.maintenance.autosync.run_scheduled`)
    with its events and result printed; exits with its exit code."""
    from qbtui.maintenance.autosync import run_scheduled

    printer = EventPrinter(events) if events else None
    result = run_scheduled(profile.path, on_event=printer)
    if printer is not None:
        printer.close()
        if result.error:
            from qbtui.sync import events as vocabulary

            printer(dict(vocabulary.error(result.message, result.error)))
        printer({"event": "done", "exit_code": result.exit_code, "message": result.message})
    elif as_json:
        if result.exit_code == 2:
            click.echo(f"qbtui: {result.message}", err=True)
        print_json({"exit_code": result.exit_code, "message": result.message, "run": result.run,
                    "documents": result.report.documents if result.report is not None else [],
                    "alert": result.alert})
    else:
        click.echo(result.message, err=result.exit_code != 0)
        if result.alert is not None:
            email = result.alert.get("email") or {}
            if email.get("sent"):
                click.echo(f"alert e-mailed to {', '.join(email.get('to') or [])}", err=True)
            elif email.get("error"):
                click.echo(f"alert not e-mailed: {email['error']}", err=True)
    raise SystemExit(result.exit_code)


def _worst(codes: list[int]) -> int:
    """The worst exit code: stopped (130) > could not run (2) > some documents not sent (1) > done (0)."""
    return max(codes, key=lambda c: (c == 130, c >= 2, c), default=0)


def same_company(data_dir: Path, names: list[str]) -> list[list[str]]:
    """``names`` in groups of the profiles connected to the same QuickBooks company (environment and realm id), in
    their order; a profile not connected (or not readable: its own sync says why) is a group of its own."""
    from qbtui.cache import CacheError, StateReader
    from qbtui.cache.paths import profile_dir

    groups: dict[Any, list[str]] = {}
    for name in names:
        key: Any = name
        try:
            with StateReader.open(profile_dir(data_dir, name)) as state:
                if state.get_setting("realm_id"):
                    key = (str(state.get_setting("environment") or ""), str(state.get_setting("realm_id")))
        except (CacheError, OSError, ValueError):
            pass
        groups.setdefault(key, []).append(name)
    return list(groups.values())


def sync_all_profiles(profile: Profile, types: tuple[str, ...], *, as_json: bool, yes: bool, scheduled: bool) -> None:
    """``qbtui sync --all-profiles``: one ``qbtui --profile P sync --yes --json`` child per profile, all at once
    (each its own process, so each within its own company's rate limits: QBO counts them per realm), then one
    summary; the exit code is the worst of theirs. Profiles connected to the same company (the same environment
    and realm: one company, two profiles) share its limits, so they go one after the other. JSON: ``{"exit_code",
    "profiles": [{"profile", "exit_code", "counts", "result", "after"?}]}`` with ``result`` that profile's
    ``sync --json`` (or its ``{"error": ...}``) and ``after`` the profile of the same company it waited for."""
    import os
    import shlex
    import subprocess
    from concurrent.futures import ThreadPoolExecutor

    from qbtui.cache.paths import list_profiles

    names = list_profiles(profile.data_dir)
    if not names:
        fail(f"no profiles in {profile.data_dir}", error="no_profiles")
    if not yes and not as_json and sys.stdin.isatty():
        click.confirm(f"send the pending and failed documents of {len(names)} profiles ({', '.join(names)}) to "
                      "QuickBooks?", abort=True)
    override = os.environ.get("QBTUI_COMMAND")
    command = shlex.split(override) if override else [sys.executable, "-m", "qbtui"]

    def one(name: str) -> dict[str, Any]:
        argv = [*command, "--data-dir", str(profile.data_dir), "--profile", name, "sync", "--yes", "--json",
                *(f"--type={t}" for t in types), *(["--scheduled"] if scheduled else [])]
        done = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        try:
            result = json.loads(done.stdout) if done.stdout.strip() else None
        except ValueError:
            result = None
        if result is None:
            last = (done.stderr.strip().splitlines() or ["no answer"])[-1]
            result = {"error": {"code": "no_answer", "message": last}}
        counts = (result.get("run") or {}).get("counts", {}) if isinstance(result, dict) else {}
        return {"profile": name, "exit_code": done.returncode, "counts": counts, "result": result}

    groups = same_company(profile.data_dir, names)

    def in_turn(group: list[str]) -> list[dict[str, Any]]:
        rows = [one(name) for name in group]
        for before, row in zip(group, rows[1:]):
            row["after"] = before
        return rows

    if not as_json:
        click.echo(f"syncing {len(names)} profiles at once: {', '.join(names)}...", err=True)
        for group in groups:
            if len(group) > 1:
                click.echo(f"{', '.join(group)} are connected to the same QuickBooks company: one after the other "
                           "(they share its limits)", err=True)
    with ThreadPoolExecutor(max_workers=len(groups)) as pool:
        done = {row["profile"]: row for rows in pool.map(in_turn, groups) for row in rows}
    rows = [done[name] for name in names]
    code = _worst([r["exit_code"] for r in rows])
    if as_json:
        print_json({"exit_code": code, "profiles": rows})
        raise SystemExit(code)
    width = max(len(n) for n in names)
    for r in rows:
        error = r["result"].get("error") if isinstance(r["result"], dict) else None
        if error:
            said = f"did not run: {error.get('message')}"
        elif r["result"].get("message"):  # --scheduled: not due, or what the scheduled run did
            said = str(r["result"]["message"])
        else:
            said = counts_text(r["counts"])
        click.echo(safe_text(f"{r['profile']:<{width}}  exit {r['exit_code']}  {said}"))
    total = {s: sum(r["counts"].get(s, 0) for r in rows) for s in sorted({s for r in rows for s in r["counts"]})}
    click.echo(f"{len(rows)} profiles: {counts_text(total)}; exit {code}")
    raise SystemExit(code)


@click.command("runs")
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
        counts = (run_text(run) if run.get("kind") in ("sync", "scheduled") else
                  ", ".join(f"{n} {k}" for k, n in sorted((run.get("counts") or {}).items())))
        click.echo(f"{run['id']}  {run.get('kind') or '':11} {run.get('started') or ''} -> {run.get('ended') or 'not ended'}"
                   f"  {counts}  created {len(run.get('created') or [])}"
                   + ("  INTERRUPTED" if run.get("interrupted") else "")
                   + (f"  (undone by {run['undone_by']})" if run.get("undone_by") else ""))


@click.command("undo")
@click.argument("run_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--dry-run", is_flag=True, help="List every object of the run and what undo would do to it; change nothing.")
@click.option("--cascade", is_flag=True, help="Also undo the later documents that still use an object of the run "
                                              "(newest first).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout (with --dry-run: the plan).")
@events_option
@click.pass_obj
@user_errors
def undo_command(profile: Profile, run_id: str, yes: bool, dry_run: bool, cascade: bool, as_json: bool,
                 events: bool) -> None:
    """Remove from QuickBooks what run RUN_ID created, in reverse dependency order (refused, naming them, when later
    documents still use its objects, unless --cascade)."""
    from qbtui.cli.desktop import is_desktop, queue_undo
    from qbtui.sync.runs import marks_interrupted
    from qbtui.sync.undo import UndoError, UndoRefused, undo_plan, undo_run

    if is_desktop(profile):  # queued for the Web Connector's next session (docs/desktop.md#undo)
        queue_undo(profile, run_id, yes=yes, dry_run=dry_run, cascade=cascade, as_json=as_json, events=events)
    if dry_run:
        with profile.open(writer=False) as cache:
            try:
                planned = undo_plan(cache, run_id, cascade=cascade)
            except UndoError as exc:
                fail(str(exc), 2)
        if events:  # the dashboard's runs screen: the plan its confirm shows
            answer("undo_plan", planned)
        if as_json:
            print_json(planned)
        else:
            for o in planned["objects"]:
                line = f"{o['action']:10} {o['type']} {o['ref']} ({o['entity']} {o['id']})"
                if o["run"] != run_id:
                    line += f" of run {o['run']} (cascade)"
                if o["used_by"]:
                    line += " used by " + ", ".join(f"{u['type']} {u['ref']}" + (f" of run {u['run']}" if u["run"]
                                                                                 else "") for u in o["used_by"])
                click.echo(safe_text(line))
            actions = Counter(o["action"] for o in planned["objects"])
            click.echo(f"dry run of undo {run_id}: " + (", ".join(f"{n} {a}" for a, n in sorted(actions.items()))
                                                        or "nothing to remove") + "; nothing was changed")
        raise SystemExit(0)
    with profile.open(writer=True, command="qbtui undo") as cache:
        try:
            planned = undo_plan(cache, run_id, cascade=cascade)
        except UndoError as exc:
            fail(str(exc), 2)
        refused = [o for o in planned["objects"] if o["action"] == "refused"]
        if refused:
            _refused(refused, as_json, events)
        actions = Counter(o["action"] for o in planned["objects"])
        later = len({(o["type"], o["ref"]) for o in planned["objects"] if o["run"] != run_id})
        confirm_or_refuse(yes, f"delete {actions['delete']} and deactivate {actions['deactivate']} QuickBooks objects "
                               f"run {run_id} created" + (f", with the {later} later documents that use them" if later
                                                          else "") + "?")

        async def go() -> dict[str, Any]:
            client = await connected_client(cache, profile)
            async with client:
                return await undo_run(cache, client, run_id, cascade=cascade, on_event=EventPrinter(False))

        try:
            with marks_interrupted(cache):
                undo = run_async(go())
        except UndoRefused as exc:
            _refused(exc.refused, as_json, events)
        except UndoError as exc:
            fail(str(exc), 2)
    counts = undo.get("counts", {})
    if events:
        answer("undo", undo, 1 if counts.get("failed") else 0)
    if as_json:
        print_json({"run": undo})
    else:
        click.echo(f"undo run {undo['id']}: {counts.get('removed', 0)} removed, {counts.get('failed', 0)} failed"
                   + (f" (with {len(undo['cascaded'])} objects of later runs)" if undo.get("cascaded") else ""))
    raise SystemExit(1 if counts.get("failed") else 0)


def _refused(refused: list[dict[str, Any]], as_json: bool, events: bool = False) -> None:
    """Undo refused before anything was removed: each object later documents still use, named; exit 1."""
    if events:
        fail("nothing was undone: " + "; ".join(
            f"{o['type']} {o['ref']} is used by " + ", ".join(f"{u['type']} {u['ref']}" + (f" of run {u['run']}"
                                                                                        if u["run"] else "")
                                                            for u in o["used_by"]) for o in refused),
             1, error="undo_refused", hint="undo the later runs first, or undo with cascade")
    for o in refused:
        click.echo(safe_text(f"refused {o['type']} {o['ref']} ({o['entity']} {o['id']}): still used by "
                             + ", ".join(f"{u['type']} {u['ref']}" + (f" of run {u['run']}" if u["run"] else "")
                                         for u in o["used_by"])), err=True)
    if as_json:
        print_json({"error": "undo_refused", "refused": refused})
    click.echo("nothing was undone: undo the later runs first, or run qbtui undo again with --cascade", err=True)
    raise SystemExit(1)


@click.command("pull")
@click.option("--json", "as_json", is_flag=True, help="Print what was pulled as JSON.")
@events_option
@click.pass_obj
@user_errors
def pull_command(profile: Profile, as_json: bool, events: bool) -> None:
    """From QuickBooks: reference data, changes to synced documents (discrepancies), and what was recorded or
    created in QuickBooks that the inventory side needs (payments; with the import_* settings on, invoices, bills,
    customers, vendors, items). Sends nothing (`qbtui export` writes what it brought in)."""
    from qbtui.sync.inbound import run_pull
    from qbtui.sync.runs import marks_interrupted

    with profile.open(writer=True, command="qbtui pull") as cache:
        async def go() -> dict[str, Any]:
            client = await connected_client(cache, profile)
            async with client:
                return await run_pull(cache, client)

        with marks_interrupted(cache):
            pulled = run_async(go())
    counts, discrepancies = pulled["reference"], pulled["discrepancies"]
    summary = {"run": pulled["run"], "reference": counts, "discrepancies": len(discrepancies),
               "received": pulled["counts"], "documents": pulled["received"], "skipped": pulled["skipped"]}
    if events:  # the dashboard's pull (P): the same JSON as a result event
        answer("pull", summary)
    if as_json:
        print_json(summary)
        return
    click.echo("pulled " + ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in counts.items()))
    click.echo(f"{len(discrepancies)} discrepancies" + (": see the Discrepancies tab" if discrepancies else ""))
    received = {k: n for k, n in pulled["counts"].items() if n and k not in ("skipped", "balances")}
    click.echo("from QuickBooks: " + (", ".join(f"{n} {k}" for k, n in received.items()) or "nothing new")
               + (f"; {pulled['counts']['balances']} balances" if pulled["counts"].get("balances") else "")
               + ("; `qbtui export` writes them for the inventory side" if received else ""))
    for why in pulled["skipped"][:20]:
        click.echo(safe_text(f"  not brought in: {why}"), err=True)


COMMANDS = [sync_command, runs_command, undo_command, pull_command]
