"""``qbtui list``: the documents of one type as the dashboard's tab shows them (its columns, its filter), as a
table on stdout or, with ``--csv``, as CSV that a spreadsheet opens safely (qbtui.ledger.listing)."""

from __future__ import annotations

import click

from qbtui.cli.common import Profile, fail, user_errors
from qbtui.documents.text import safe_text
from qbtui.documents.types import DOCUMENT_TYPES


@click.command("list")
@click.option("--type", "doc_type", type=click.Choice(DOCUMENT_TYPES), required=True, help="Document type.")
@click.option("--filter", "query", default="", metavar="F",
              help='As the dashboard\'s /: status:failed amount:>100 date:2026-11-01..2026-11-15 "a phrase" text.')
@click.option("--csv", "as_csv", is_flag=True, help="CSV on stdout (formula-like text cells made inert).")
@click.pass_obj
@user_errors
def list_command(profile: Profile, doc_type: str, query: str, as_csv: bool) -> None:
    """The documents of one type with the dashboard's columns for it, filtered; a totals line per currency
    (on stderr with --csv)."""
    from qbtui.ledger.listing import (
        BALANCES,
        FilterError,
        columns_of,
        parse_filter,
        read_listed,
        to_csv,
        to_table,
        totals_text,
    )
    from qbtui.ledger.totals import before_tax_note, tax_context
    from qbtui.sync.gatestore import gate_statuses

    try:
        wanted = parse_filter(query)
    except FilterError as exc:
        fail(str(exc), hint='terms: status:failed amount:>100 date:2026-11-01..2026-11-15 "a phrase" text')
    with profile.open(writer=False) as cache:
        tax = tax_context(cache)
        rows = read_listed(cache, doc_type, cache.reference(BALANCES, {}) or {}, tax=tax)
        gates = gate_statuses(cache, plain=True)
    for row in rows:  # the gates' overlay, as the dashboard shows it
        status, _ = gates.get((doc_type, row["ref"]), (None, None))
        if row["status"] == "pending" and status in ("blocked", "skipped"):
            row["status"] = status
    shown = [r for r in rows if wanted.matches(r)]
    columns = columns_of(doc_type)
    note = before_tax_note(doc_type, tax)  # the US with Automated Sales Tax: the totals are the lines' sums
    totals = f"{totals_text(shown)} {note}" if note else totals_text(shown)
    if as_csv:
        click.echo(to_csv(shown, columns), nl=False)
        click.echo(totals, err=True)
    else:
        click.echo(safe_text(to_table(shown, columns), multiline=True), nl=False)
        click.echo(totals)


COMMANDS = (list_command,)
