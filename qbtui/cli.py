"""The ``qbtui`` command (spec/CLI.md): every screen action has a headless twin here.

Exit codes: 0 done; 1 some documents (or files) blocked, failed or rejected; 2 could not run.
With ``--json`` one JSON document goes to stdout and human messages to stderr.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import click

from qbtui import __version__
from qbtui.cache import Cache, CacheError, default_data_dir, profile_dir
from qbtui.documents import DOCUMENT_TYPES, REFUND_TYPE, ImportFileError, import_schema, read_file

STATUSES = ("pending", "blocked", "failed", "skipped", "synced", "voided")


@dataclass
class Profile:
    """Where the current profile lives; opens its cache for reading or writing."""

    name: str
    data_dir: Path

    @property
    def path(self) -> Path:
        return profile_dir(self.data_dir, self.name)

    def open(self, *, writer: bool, command: str = "qbtui") -> Cache:
        return Cache.open(self.path, writer=writer, command=command)


def fail(message: str, code: int = 2) -> NoReturn:
    click.echo(f"qbtui: {message}", err=True)
    raise SystemExit(code)


def user_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the errors a person can act on into one clear line and exit code 2, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CacheError as exc:
            fail(str(exc))
        except ValueError as exc:  # bad profile name and the like
            fail(str(exc))

    return wrapper


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


def is_tty_err() -> bool:
    return sys.stderr.isatty()


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--profile", default="default", show_default=True, envvar="QBTUI_PROFILE", help="Profile (one company).")
@click.option("--data-dir", type=click.Path(path_type=Path, file_okay=False), envvar="QBTUI_DATA_DIR",
              help="Where profiles live [env QBTUI_DATA_DIR; default: the platform's user data folder].")
@click.version_option(__version__, prog_name="qbtui")
@click.pass_context
def main(ctx: click.Context, profile: str, data_dir: Path | None) -> None:
    """qbtui: send an inventory system's documents to QuickBooks Online, exactly once."""
    ctx.obj = Profile(profile, data_dir or default_data_dir())
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


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
                click.echo(f"reading {path} ...", err=True)

            def find_credit_note(ref: str) -> dict[str, Any] | None:
                record = cache.get("credit_note", ref)
                return record["data"] if record else None

            try:
                documents = read_file(path, doc_type=doc_type, find_credit_note=find_credit_note)
            except ImportFileError as exc:
                rejected += 1
                click.echo(str(exc), err=True)
                results.append({"file": str(path), "imported": False,
                                "problems": [{"where": p.where, "field": p.field, "reason": p.reason} for p in exc.problems]})
                continue
            summary = cache.upsert_documents(documents)
            results.append({"file": str(path), "imported": True, "documents": len(documents),
                            "created": summary.created, "updated": summary.updated, "unchanged": summary.unchanged,
                            "changed_after_sync": [{"type": t, "ref": r} for t, r in summary.changed_after_sync]})
            message = (f"{path}: {len(documents)} documents ({summary.created} new, {summary.updated} updated, "
                       f"{summary.unchanged} unchanged)")
            if summary.changed_after_sync:
                message += (f"; {len(summary.changed_after_sync)} already synced changed: they wait for a re-sync "
                            "(see qbtui status)")
            click.echo(message, err=as_json)
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
        counts = cache.status_counts()
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
    click.echo(f"profile {profile.name}: " + (f"connected to {conn['company'] or conn['realm_id']} ({conn['environment']})"
                                              if conn["connected"] else "not connected"))
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


def _attach_optional_commands() -> None:
    try:
        from qbtui.sandbox.cli import sandbox
    except ImportError:  # the sandbox package is optional while it is being built
        return
    main.add_command(sandbox)


_attach_optional_commands()
