"""The maintenance commands of ``qbtui`` (docs/cli.md#maintenance-commands): reconcile, duplicates, cogs export|void,
audit, autosync, products replace, history export, integration disable|enable|change-organisation, repair.

Plain click commands collected in :data:`COMMANDS`, which :mod:`qbtui.cli` adds to its group; they use the
services of :mod:`qbtui.maintenance` and the helpers of :mod:`qbtui.cli.common`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import click

from qbtui.cli.common import (
    answer,
    confirm_or_refuse,
    connected_client,
    events_option,
    fail,
    is_tty_err,
    print_json,
    user_errors,
)
from qbtui.documents.text import safe_text


def with_client(profile: Any, cache: Any, fn: Callable[[Any], Awaitable[Any]]) -> Any:
    """Run ``fn(client)`` with the profile's QBO client; exit 2 with a clear line when not connected."""
    from qbtui.sync.runs import marks_interrupted

    async def go() -> Any:
        client = await connected_client(cache, profile)
        async with client:
            return await fn(client)

    with marks_interrupted(cache):  # Ctrl+C: the runs it started are marked interrupted, exit 130
        return asyncio.run(go())


def _range_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--to", "end", required=True, metavar="YYYY-MM-DD", help="Last day (inclusive).")(func)
    func = click.option("--from", "start", required=True, metavar="YYYY-MM-DD", help="First day (inclusive).")(func)
    return func


def _check_range(start: str, end: str) -> None:
    from qbtui.maintenance.common import check_range

    try:
        check_range(start, end)
    except ValueError as exc:
        fail(str(exc), 2)


# ----------------------------------------------------------------------------- reconcile

@click.command("reconcile")
@_range_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@events_option
@click.pass_obj
@user_errors
def reconcile_command(profile: Any, start: str, end: str, as_json: bool, events: bool) -> None:
    """Inventory side against QuickBooks for a date range, per mapped account, with the documents
    behind each difference (exit 1 when there is a difference)."""
    from qbtui.cli.desktop import is_desktop, queue_reconcile
    from qbtui.maintenance.reconcile import reconcile, render

    _check_range(start, end)
    if is_desktop(profile):  # queued for the Web Connector's next session (docs/desktop.md#reconcile-by-queries)
        queue_reconcile(profile, start, end, as_json=as_json, events=events)
    with profile.open(writer=False) as cache:
        report = with_client(profile, cache, lambda client: reconcile(cache, client, start, end))
    if events:
        answer("reconcile", report, 0 if report["clean"] else 1)
    if as_json:
        print_json(report)
    else:
        click.echo(safe_text(render(report)))
    raise SystemExit(0 if report["clean"] else 1)


# ----------------------------------------------------------------------------- duplicates

@click.command("duplicates")
@_range_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@click.option("--remove", "target", metavar="[ENTITY:]ID", help="Remove this duplicate (void, else delete).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@events_option
@click.pass_obj
@user_errors
def duplicates_command(profile: Any, start: str, end: str, as_json: bool, target: str | None, yes: bool,
                       events: bool) -> None:
    """QuickBooks journals, invoices and bills that look created twice (same reference, amount and
    date); the one qbtui's link points to is marked KEEP. --remove removes another one."""
    from qbtui.maintenance.duplicates import DuplicateError, find_duplicates, remove_duplicate, render, resolve_target

    _check_range(start, end)
    if target is None:
        with profile.open(writer=False) as cache:
            report = with_client(profile, cache, lambda client: find_duplicates(cache, client, start, end))
        if events:
            answer("duplicates", report)
        if as_json:
            print_json(report)
        else:
            click.echo(safe_text(render(report)))
        return
    with profile.open(writer=True, command="qbtui duplicates --remove") as cache:
        async def go(client: Any) -> dict[str, Any]:
            report = await find_duplicates(cache, client, start, end)
            hit = resolve_target(report, target)
            verb = "void" if hit["entity"] in ("Invoice",) else "delete"
            confirm_or_refuse(yes, f"{verb} {hit['entity']} {hit['id']} ({hit['doc_number']}, {hit['date']}, "
                                       f"{hit['amount']}) in QuickBooks?")
            return await remove_duplicate(cache, client, start, end, f"{hit['entity']}:{hit['id']}")

        try:
            run = with_client(profile, cache, go)
        except DuplicateError as exc:
            fail(str(exc), 2)
    removed = run["removed"][0]
    if events:
        answer("removed", {"run": run})
    if as_json:
        print_json({"run": run})
    else:
        click.echo(f"{removed['operation']}d {removed['entity']} {removed['id']} ({removed['doc_number']}, "
                   f"{removed['amount']}); recorded in the audit log as run {run['id']}")


# ----------------------------------------------------------------------------- cogs

@click.group("cogs")
def cogs_group() -> None:
    """COGS maintenance for an inclusive date range: export or void (= delete in QuickBooks)."""


@cogs_group.command("export")
@_range_options
@click.option("--json", "as_json", is_flag=True, help="JSON instead of CSV.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write to FILE (default stdout).")
@click.pass_obj
@user_errors
def cogs_export(profile: Any, start: str, end: str, as_json: bool, output: Path | None) -> None:
    """The COGS documents of the range with their QuickBooks journal Ids (CSV, or JSON)."""
    import json

    from qbtui.maintenance.cogs import cogs_in_range, export_csv, record_export
    from qbtui.private import write_private

    _check_range(start, end)
    with profile.open(writer=False) as cache:
        rows = cogs_in_range(cache, start, end)
    text = json.dumps({"from": start, "to": end, "cogs": rows}, indent=2) + "\n" if as_json else export_csv(rows)
    if output:
        write_private(output, text.encode("utf-8"))  # private, whole or not at all, like a profile's files
        click.echo(f"{len(rows)} COGS written to {output}", err=True)
    else:
        click.echo(safe_text(text), nl=False)  # a terminal or a pipe: no control sequence from a reference
    try:  # the export is in the audit log when the profile is free; an export never fails for that
        with profile.open(writer=True, command="qbtui cogs export") as cache:
            record_export(cache, start, end, rows)
    except Exception as exc:  # noqa: BLE001
        click.echo(f"(not recorded in the audit log: {exc})", err=True)


@cogs_group.command("void")
@_range_options
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--json", "as_json", is_flag=True, help="Print the run as JSON.")
@click.pass_obj
@user_errors
def cogs_void(profile: Any, start: str, end: str, yes: bool, as_json: bool) -> None:
    """Delete in QuickBooks the COGS journals of the range (QBO's API cannot void a journal); they
    become "voided" here and stay in the audit log with Id, number and amount."""
    from qbtui.maintenance.cogs import cogs_in_range, void_cogs
    from qbtui.maintenance.common import amount_text, money

    _check_range(start, end)
    with profile.open(writer=True, command="qbtui cogs void") as cache:
        rows = [r for r in cogs_in_range(cache, start, end) if r["status"] == "synced" and r["qbo_id"]]
        if not rows:
            click.echo(f"no synced COGS between {start} and {end}", err=True)
            raise SystemExit(0)
        total = amount_text(sum(money(r["amount"]) for r in rows))
        confirm_or_refuse(yes, f"delete {len(rows)} COGS journals ({total}) dated {start}..{end} in QuickBooks?")
        tty = is_tty_err()

        def progress(n: int, total: int) -> None:
            if tty:
                click.echo(f"\rdeleted {n}/{total}", err=True, nl=n == total)

        run = with_client(profile, cache, lambda client: void_cogs(cache, client, start, end, on_progress=progress))
    counts = run.get("counts") or {}
    if as_json:
        print_json({"run": run})
    else:
        click.echo(f"run {run['id']}: {counts.get('removed', 0)} COGS journals deleted, {counts.get('failed', 0)} failed")
    raise SystemExit(1 if counts.get("failed") else 0)


# ----------------------------------------------------------------------------- repair

@click.command("repair")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@click.pass_obj
@user_errors
def repair_command(profile: Any, as_json: bool) -> None:
    """Rebuild the links to QuickBooks: look every document that is not linked up in QuickBooks (by its
    number or name, in bulk) and link what is found; nothing is sent. Exit 0 when every document is
    accounted for, 1 when some are not in QuickBooks (the next sync sends them) or could not be looked up."""
    from qbtui.maintenance.repair import render, repair

    with profile.open(writer=True, command="qbtui repair") as cache:
        report = with_client(profile, cache, lambda client: repair(cache, client))
    summary, lines = render(report)
    if as_json:
        print_json(report)
        click.echo(summary, err=True)
    else:
        click.echo(summary)
        for line in lines:
            click.echo(line, err=True)
    c = report["counts"]
    raise SystemExit(1 if c["partly_linked"] or c["not_found"] or c["not_looked_up"] else 0)


# ----------------------------------------------------------------------------- audit log

@click.command("audit")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@click.option("--kind", type=click.Choice(["sync", "scheduled", "undo", "pull", "maintenance"]), help="Only this kind.")
@events_option
@click.pass_obj
@user_errors
def audit_command(profile: Any, as_json: bool, kind: str | None, events: bool) -> None:
    """The audit log: every run with who, when, what and the QuickBooks Ids."""
    from qbtui.maintenance.audit import audit_rows

    if events:  # the dashboard's audit screen: every run whole, and the unread alerts (no documents read)
        from qbtui.cache import StateReader
        from qbtui.maintenance.alerts import unread

        with StateReader.open(profile.path) as state:
            answer("audit", {"rows": [r for r in audit_rows(state) if kind is None or r["kind"] == kind],
                             "alerts": unread(state)})
    with profile.open(writer=False) as cache:
        rows = [r for r in audit_rows(cache) if kind is None or r["kind"] == kind]
    if as_json:
        print_json({"audit": [{k: v for k, v in r.items() if k != "run"} for r in rows]})
        return
    if not rows:
        click.echo("no runs yet")
    for r in rows:
        ids = " ".join(r["qbo_ids"][:8]) + (f" (+{len(r['qbo_ids']) - 8})" if len(r["qbo_ids"]) > 8 else "")
        click.echo(f"{r['started'] or '':25} {r['kind'] or '':11} {r['who'] or '-':24} {r['what']}"
                   + (f"  [{ids}]" if ids else ""))


@click.command("alerts-read", hidden=True)
@events_option
@click.pass_obj
@user_errors
def alerts_read_command(profile: Any, events: bool) -> None:
    """For the dashboard's audit screen: mark every in-app alert read."""
    from qbtui.maintenance.alerts import mark_read

    with profile.open(writer=True, command="qbtui tui: alerts read") as cache:
        mark_read(cache)
    if events:
        answer("alerts_read", None)


# ----------------------------------------------------------------------------- autosync

@click.command("autosync")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@click.pass_obj
@user_errors
def autosync_command(profile: Any, as_json: bool) -> None:
    """The autosync schedule: whether a scheduled sync is due, the last one, unread alerts.
    Cron line: */5 * * * * qbtui --profile NAME sync --scheduled"""
    from datetime import datetime

    from qbtui.maintenance.alerts import unread
    from qbtui.maintenance.autosync import due, last_scheduled, schedule_of

    with profile.open(writer=False) as cache:
        now = datetime.now().astimezone()
        sched = schedule_of(cache.settings())
        is_due, why, _ = due(cache, now)
        last = last_scheduled(cache)
        alerts = unread(cache)
    data = {"enabled": sched is not None, "start": sched.start.isoformat() if sched else None,
            "every": str(sched.every) if sched else None, "due": is_due, "why": why,
            "next": sched.next_after(now).isoformat(timespec="minutes") if sched else None,
            "last": last, "unread_alerts": alerts}
    if as_json:
        print_json(data)
        return
    click.echo(why)
    if last:
        click.echo(f"last scheduled run {last['id']} at {last.get('started')}"
                   + (f": error {last['error']}" if last.get("error") else ""))
    for a in alerts:
        click.echo(f"ALERT {a['at']} {a['title']}: {a['message'].splitlines()[0] if a['message'] else ''}")


# ----------------------------------------------------------------------------- products, history, integration

@click.group("products")
def products_group() -> None:
    """Products in QuickBooks."""


@products_group.command("replace")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--json", "as_json", is_flag=True, help="Print the run as JSON.")
@click.pass_obj
@user_errors
def products_replace(profile: Any, yes: bool, as_json: bool) -> None:
    """Replace the products in QuickBooks with the inventory side's (update each QBO item, create the
    missing); refused when two names collide in their first 100 characters."""
    from qbtui.maintenance.products import ProductsError, name_collisions, replace_products

    with profile.open(writer=True, command="qbtui products replace") as cache:
        clashes = name_collisions(cache)
        if clashes:
            fail("refused: product names collide in their first 100 characters (QuickBooks would merge them): "
                     + "; ".join(" / ".join(refs) for refs in clashes[:10]), 2)
        confirm_or_refuse(yes, f"replace {cache.count('product')} products in QuickBooks?")
        tty = is_tty_err()

        def progress(n: int, total: int) -> None:
            if tty:
                click.echo(f"\rproducts {n}/{total}", err=True, nl=n == total)

        try:
            run = with_client(profile, cache, lambda client: replace_products(cache, client, on_progress=progress))
        except ProductsError as exc:
            fail(str(exc), 2)
    counts = run.get("counts") or {}
    if as_json:
        print_json({"run": run})
    else:
        click.echo(f"run {run['id']}: {counts.get('updated', 0)} updated, {counts.get('created', 0)} created, "
                   + (f"{counts['deactivated']} Inventory item(s) made inactive and replaced, "
                      if counts.get("deactivated") else "") + f"{counts.get('failed', 0)} failed")
    raise SystemExit(1 if counts.get("failed") else 0)


@click.group("history")
def history_group() -> None:
    """Historical documents, sent to QuickBooks (`qbtui export` goes the other way)."""


@history_group.command("export")
@click.option("--from", "start", required=True, metavar="YYYY-MM-DD", help="Send transactions dated from this day.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--json", "as_json", is_flag=True, help="Print the runs as JSON.")
@click.pass_obj
@user_errors
def history_export(profile: Any, start: str, yes: bool, as_json: bool) -> None:
    """Export historical documents to QuickBooks (the other way from `qbtui export`, which writes what came from
    QuickBooks for the inventory side): move the filter start date back to --from and send
    every pending transaction dated from then (after QBO's book close date)."""
    from qbtui.maintenance.common import parse_day
    from qbtui.maintenance.history import export_history

    try:
        day = parse_day(start, "--from")
    except ValueError as exc:
        fail(str(exc))
    with profile.open(writer=True, command="qbtui history export") as cache:
        confirm_or_refuse(yes, f"send every pending transaction dated from {day} to QuickBooks?")
        result = with_client(profile, cache, lambda client: export_history(cache, client, day))
    if as_json:
        print_json(result)
    else:
        counts = (result["sync_run"] or {}).get("counts") or {}
        click.echo(f"history from {day}: " + (", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "nothing to send")
                   + f" (run {result['sync_run']['id'] if result['sync_run'] else '-'})")
    raise SystemExit(result["exit_code"])


@click.group("integration")
def integration_group() -> None:
    """Disable or enable the integration, or change the QuickBooks organisation."""


@integration_group.command("disable")
@click.pass_obj
@user_errors
def integration_disable(profile: Any) -> None:
    """Stop every write to QuickBooks (syncs, autosync, maintenance); reading stays possible."""
    from qbtui.maintenance.integration import disable

    with profile.open(writer=True, command="qbtui integration disable") as cache:
        run = disable(cache)
    click.echo(f"integration disabled (was {run.get('previous_mode') or 'both_ways'}); "
               "`qbtui integration enable` turns it back on")


@integration_group.command("enable")
@click.pass_obj
@user_errors
def integration_enable(profile: Any) -> None:
    """Turn writing to QuickBooks back on (both ways)."""
    from qbtui.maintenance.integration import enable

    with profile.open(writer=True, command="qbtui integration enable") as cache:
        enable(cache)
    click.echo("integration enabled: both ways")


@integration_group.command("change-organisation")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
@user_errors
def integration_change_org(profile: Any, yes: bool) -> None:
    """Disconnect from the current QuickBooks company and forget the links to it (kept in the audit
    log), so that every document is sent again to the company you connect next (`qbtui connect`)."""
    from qbtui.maintenance.integration import change_organisation

    with profile.open(writer=True, command="qbtui integration change-organisation") as cache:
        confirm_or_refuse(yes, "disconnect this profile from its QuickBooks company and forget every link to it?")
        run = change_organisation(cache, profile.path)
    click.echo(f"disconnected; {run['counts'].get('links_reset', 0)} links reset (run {run['id']}); "
               "next: qbtui connect, qbtui map --auto, qbtui sync")


COMMANDS = [reconcile_command, duplicates_command, cogs_group, audit_command, alerts_read_command, autosync_command,
            products_group, history_group, integration_group, repair_command]
