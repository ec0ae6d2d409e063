"""``qbtui discrepancies``: what differs between a synced document and its QuickBooks copy (seen by ``qbtui pull``,
or an update held back as a ``conflict`` by ``qbtui sync``), in words; ``qbtui discrepancies resolve`` acts on one
(push ours, accept QuickBooks', re-send one deleted there, dismiss with a note), each a run of kind ``resolve``."""

from __future__ import annotations

from typing import Any

import click

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


@click.group("discrepancies", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@events_option
@click.pass_context
@user_errors
def discrepancies_group(ctx: click.Context, as_json: bool, events: bool) -> None:
    """List the discrepancies: synced documents changed or deleted in QuickBooks, and updates held back as
    conflicts, each differing field in words. Exit 0 whenever it could list (with or without rows)."""
    if ctx.invoked_subcommand is not None:
        return
    from qbtui.sync.resolve import listing

    profile: Profile = ctx.obj
    with profile.open(writer=False) as cache:
        rows = listing(cache)
    if events:
        answer("discrepancies", rows)
    if as_json:
        print_json({"discrepancies": [{k: r[k] for k in ("kind", "type", "ref", "qbo_id", "entity", "fields", "text")}
                                      for r in rows]})
        return
    if not rows:
        click.echo("no discrepancies")
        return
    for r in rows:
        click.echo(safe_text(f"{r['kind'].upper():9} {r['type']} {r['ref']} ({r['entity']} {r['qbo_id']}): {r['text']}"))
    click.echo(f"{len(rows)} discrepanc{'ies' if len(rows) != 1 else 'y'}: resolve each with "
               "`qbtui discrepancies resolve TYPE REF --push | --accept | --resend | --dismiss NOTE`")


@discrepancies_group.command("resolve")
@click.argument("doc_type", metavar="TYPE", type=click.Choice((*DOCUMENT_TYPES, "summary")))
@click.argument("ref")
@click.option("--push", "action", flag_value="push", help="Send our version again, over QuickBooks' changes.")
@click.option("--accept", "action", flag_value="accept",
              help="Take QuickBooks' version as the truth (the document changes; `qbtui export` writes it).")
@click.option("--resend", "action", flag_value="resend",
              help="Send a document deleted in QuickBooks again, as a new QuickBooks object.")
@click.option("--dismiss", "note", metavar="NOTE", help="Leave both as they are, with a note saying why.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@events_option
@click.pass_obj
@user_errors
def resolve_command(profile: Profile, doc_type: str, ref: str, action: str | None, note: str | None, yes: bool,
                    as_json: bool, events: bool) -> None:
    """Resolve the discrepancy of document TYPE REF one way (a run of kind `resolve` in the audit log). Exit 0
    resolved; 1 declined, or sent and refused by QuickBooks; 2 nothing to resolve that way."""
    from qbtui.sync.resolve import ResolveError, check, listing, resolve
    from qbtui.sync.runs import marks_interrupted

    if note is not None:
        if action is not None:
            fail("give one of --push, --accept, --resend, --dismiss NOTE", 2, error="usage")
        if not note.strip():
            fail("--dismiss needs a note saying why", 2, error="usage")
        action = "dismiss"
    if action is None:
        fail("say how to resolve it: --push, --accept, --resend or --dismiss NOTE", 2, error="usage")
    with profile.open(writer=True, command="qbtui discrepancies resolve") as cache:
        try:
            check(cache, doc_type, ref, action)
        except ResolveError as exc:
            fail(str(exc), 2, error="not_resolvable")
        if action != "dismiss" and not events:
            rows = [r for r in listing(cache) if (r["type"], r["ref"]) == (doc_type, ref)]
            for r in rows:
                click.echo(safe_text(f"{doc_type} {ref} ({r['entity']} {r['qbo_id']}): {r['text']}"), err=True)
            question = {"push": f"send our version of {doc_type} {ref} to QuickBooks, over its changes?",
                        "accept": f"take QuickBooks' version of {doc_type} {ref} as the truth (the document changes)?",
                        "resend": f"send {doc_type} {ref} again to QuickBooks as a new object?"}[action]
            confirm_or_refuse(yes, question)

        async def go() -> dict[str, Any]:
            client = await connected_client(cache, profile)
            async with client:
                return await resolve(cache, client, doc_type, ref, action, note=note,
                                     on_event=EventPrinter(False))

        try:
            with marks_interrupted(cache):
                result = run_async(go())
        except ResolveError as exc:
            fail(str(exc), 2, error="not_resolvable")
    code = 0 if result["status"] in ("synced", "voided") or action == "dismiss" else 1
    if events:
        answer("resolve", result, code)
    if as_json:
        print_json(result)
    else:
        done = {"push": "pushed ours", "accept": "accepted QuickBooks' version", "resend": "sent again",
                "dismiss": "dismissed"}[action]
        click.echo(f"{doc_type} {ref}: {done} (run {result['run']}); now {result['status']}")
        for doc in result["documents"]:
            if doc["status"] not in ("synced", "voided") and doc.get("error"):
                click.echo(safe_text(f"  {doc['status'].upper()} {doc['type']} {doc['ref']}: "
                                     f"{doc['error'].get('code')} {doc['error'].get('message')}"), err=True)
    raise SystemExit(code)


COMMANDS = [discrepancies_group]
