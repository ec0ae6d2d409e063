"""``qbtui opening balances|stock|journal [--yes]``: the connect wizard's opening steps, run again after setup
(the settings screen runs the same commands through the Backend). Each step is once-only, as in the wizard: a second
run is refused (exit 1, error ``refused``) with what was done and when. A step that fails (QuickBooks refuses, the
connection drops) ends its run with the error: no run stays "not ended"."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click

from qbtui.cli.common import (
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
from qbtui.sync.wizard import OPENING_QUESTIONS

QUESTIONS = OPENING_QUESTIONS


@click.command("opening")
@click.argument("step", type=click.Choice(list(QUESTIONS)))
@click.option("--location", help="stock: the location the stock on hand goes to.")
@click.option("-o", "--output", "path", type=click.Path(path_type=Path, dir_okay=False),
              help="stock: the import-format file written for the inventory system (default: stock_on_hand.json "
                   "in the profile's folder).")
@click.option("--effective", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="balances: the integration day recorded with them (default: today).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@events_option
@click.pass_obj
@user_errors
def opening_command(profile: Profile, step: str, location: str | None, path: Path | None, effective: Any,
                    yes: bool, as_json: bool, events: bool) -> None:
    """Run an opening step after setup: balances (QuickBooks' open invoices and bills), stock (stock on hand from
    QuickBooks' Inventory items) or journal (the opening inventory journal). Each runs once."""
    from qbtui.qbo.errors import WritesRefused
    from qbtui.sync import opening

    if step == "stock" and not (location or "").strip():
        fail("stock on hand goes to one location: give --location NAME", 2, error="usage")
    with profile.open(writer=True, command=f"qbtui opening {step}") as cache:
        confirm_or_refuse(yes, QUESTIONS[step])

        async def go() -> dict[str, Any]:
            client = await connected_client(cache, profile)
            async with client:
                if step == "balances":
                    day: date | None = effective.date() if effective else None
                    done = await opening.import_opening_balances(cache, client, effective=day)
                    return {"message": done.summary(), "invoices": done.invoices, "bills": done.bills,
                            "contacts": done.contacts, "linked": done.linked}
                if step == "stock":
                    done_s = await opening.import_stock_on_hand(cache, client, location=str(location),
                                                                path=path or profile.path / opening.STOCK_FILE)
                    return {"message": done_s.summary(), "products": done_s.products, "recreated": done_s.recreated,
                            "file": done_s.file}
                info = await opening.post_opening_inventory(cache, client)
                return {"message": (f"posted JournalEntry {info['id']} on {info['date']} ({info['amount']})"
                                    if info["id"] else "nothing to post: QuickBooks' inventory asset already agrees"),
                        **info}

        try:
            data = run_async(go())
        except (opening.OpeningError, WritesRefused) as exc:
            fail(str(exc), 1, error="refused")
        run = cache.runs()[0] if cache.runs() else None
    data["run"] = run["id"] if run and run.get("kind") == "maintenance" else None
    if events:  # the settings screen (through the Backend)
        answer("opening", data)
    if as_json:
        print_json(data)
    else:
        click.echo(data["message"])


COMMANDS = [opening_command]
