"""``qbtui export``: from QuickBooks to the inventory side (the other way from ``qbtui sync`` and ``qbtui history
export``, which send to QuickBooks). Writes, in the import format, the documents ``qbtui pull`` brought in from
QuickBooks (origin ``quickbooks``) and the QuickBooks versions accepted for discrepancies."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from qbtui.cli.common import Profile, fail, user_errors
from qbtui.documents.types import DOCUMENT_TYPES


@click.command("export")
@click.option("--type", "types", multiple=True, type=click.Choice(DOCUMENT_TYPES), help="Only this type (repeatable).")
@click.option("--since", metavar="YYYY-MM-DD", help="Only documents brought in or changed on or after this day.")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True,
              help="json: {\"documents\": [...]}; csv: one file per type into the folder -o names.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="json: the file (default: stdout); "
              "csv: the folder (required).")
@click.pass_obj
@user_errors
def export_command(profile: Profile, types: tuple[str, ...], since: str | None, fmt: str, output: Path | None) -> None:
    """From QuickBooks to the inventory side: write what `qbtui pull` brought in from QuickBooks (payments,
    invoices, bills, customers, vendors, items made there) and the QuickBooks versions accepted for discrepancies,
    in the import format (docs/import-format.md). Reads the profile only; sends nothing. (`qbtui history export`
    goes the other way: to QuickBooks.)"""
    from qbtui.sync.inbound import exported

    day = None
    if since:
        try:
            day = date.fromisoformat(since)
        except ValueError:
            fail(f"--since {since!r} is not a day (YYYY-MM-DD)", 2)
    if fmt == "csv" and output is None:
        fail("--format csv writes one file per type into a folder: name it with -o", 2)
    with profile.open(writer=False, command="qbtui export") as cache:
        docs = list(exported(cache, types or None, day))
    if fmt == "json":
        text = json.dumps({"documents": docs}, indent=2, ensure_ascii=False) + "\n"
        if output is None:
            click.echo(text, nl=False)
        else:
            _write(output, text)
            click.echo(f"{len(docs)} documents written to {output}", err=True)
        return
    from qbtui.documents.export import csv_rows, csv_text

    assert output is not None
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"{output}: cannot create the folder: {exc.strerror or exc}", 2)
    files = csv_rows(docs)
    for doc_type, rows in files.items():
        _write(output / f"{doc_type}.csv", csv_text(rows))
    click.echo(f"{len(docs)} documents written to {output} ("
               + (", ".join(f"{doc_type}.csv" for doc_type in files) or "no files") + ")", err=True)


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"{path}: cannot write it: {exc.strerror or exc}", 2)


COMMANDS = [export_command]
