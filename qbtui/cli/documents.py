"""Documents: ``qbtui schema``, ``import``, ``status``, ``errors``, and the dashboard's hidden ``gates``,
``update-document``, ``document``, ``link-candidates`` and ``link-document`` (each answers with ``--events``
in the vocabulary of ``qbtui.sync.events``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from qbtui.cache import Cache, CacheError
from qbtui.cli.common import Profile, answer, events_option, fail, is_tty_err, print_json, user_errors
from qbtui.documents.text import safe_text
from qbtui.documents.types import DOCUMENT_TYPES, REFUND_TYPE

STATUSES = ("pending", "blocked", "failed", "conflict", "skipped", "synced", "summarized", "voided")


@click.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the import format."""
    from qbtui.documents import import_schema

    print_json(import_schema())


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))  # a folder: rejected on its own
@click.option("--type", "doc_type", type=click.Choice([*DOCUMENT_TYPES, REFUND_TYPE]),
              help="Document type of the files (CSV files are otherwise typed by their name, e.g. sale_invoice.csv).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary on stdout.")
@click.option("--replace-fixes", is_flag=True,
              help="Take the file's values over fixes made in qbtui (by default the fixes are kept, and listed).")
@click.pass_obj
@user_errors
def import_command(profile: Profile, files: tuple[Path, ...], doc_type: str | None, as_json: bool,
                   replace_fixes: bool) -> None:
    """Load documents from FILE... (.json, .jsonl, .csv); each file is imported whole or not at all. A field fixed
    in qbtui keeps its fix unless --replace-fixes (the fixed documents the file would change are listed)."""
    from qbtui.documents import ImportFileError, read_file
    from qbtui.sync.fixes import WithFixes, fixes

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
            recorded = fixes(cache)
            kept = WithFixes(documents, recorded, replace_fixes) if recorded else None
            try:
                summary = cache.upsert_documents(kept if kept is not None else documents)
            except ValueError as exc:  # a document the cache cannot store: this file only
                rejected += 1
                click.echo(safe_text(f"{path}: nothing imported from this file ({exc})"), err=True)
                results.append({"file": str(path), "imported": False,
                                "problems": [{"where": "", "field": "", "reason": str(exc)}]})
                continue
            conflicts = list(kept.conflicts.values()) if kept is not None else []
            if kept is not None:
                kept.forget_replaced(cache)
            results.append({"file": str(path), "imported": True, "documents": len(documents),
                            "created": summary.created, "updated": summary.updated, "unchanged": summary.unchanged,
                            "changed_after_sync": [{"type": t, "ref": r} for t, r in summary.changed_after_sync],
                            "fixes": conflicts})
            message = (f"{path}: {len(documents)} documents ({summary.created} new, {summary.updated} updated, "
                       f"{summary.unchanged} unchanged)")
            if summary.changed_after_sync:
                message += (f"; {len(summary.changed_after_sync)} already synced changed: they wait for a re-sync "
                            "(see qbtui status)")
            if conflicts:
                message += (f"\n{len(conflicts)} documents fixed in qbtui that this file would change: "
                            + ("the file's values were taken (--replace-fixes)" if replace_fixes else
                               "the fixes were kept (qbtui import --replace-fixes takes the file's values)"))
                for c in conflicts:
                    message += f"\n  {c['type']} {c['ref']}: " + "; ".join(f["text"] for f in c["fields"])
            click.echo(safe_text(message), err=as_json)
    if as_json:
        print_json({"files": results})
    if rejected:
        raise SystemExit(1)


def connection_summary(cache: Cache) -> dict[str, Any]:
    company = cache.reference("company_info") or {}
    if cache.get_setting("backend") == "desktop":  # QuickBooks Desktop through the Web Connector (docs/desktop.md)
        last = cache.get_setting("desktop_last_session") or {}
        return {"connected": True, "system": "QuickBooks Desktop", "environment": "desktop", "realm_id": None,
                "company": last.get("company_file") or None, "country": "US", "region": "us", "home_currency": None,
                "web_connector_last_called": last.get("ended"), "last_session": last or None}
    return {
        "system": "QuickBooks Online",
        "connected": bool(cache.get_setting("realm_id")),
        "environment": cache.get_setting("environment"),
        "realm_id": cache.get_setting("realm_id"),
        "company": company.get("CompanyName"),
        **company_region(cache),
    }


def company_region(cache: Cache) -> dict[str, Any]:
    """The company's country, tax region (docs/domain.md#tax-and-regions) and home currency, as the last pull saw
    them (None before)."""
    from qbtui.ledger.context import Prefs

    prefs = Prefs.from_qbo(cache.reference("preferences", None), cache.reference("company_info", None))
    return {"country": prefs.country, "region": prefs.region, "home_currency": prefs.home_currency}


def status_data(profile: Profile) -> dict[str, Any]:
    """``qbtui status --json`` of one profile (a reader: no lock, a running sync is not waited for)."""
    with profile.open(writer=False) as cache:
        counts = with_gates(cache)
        runs = cache.runs()
        return {
            "profile": profile.name,
            "connection": connection_summary(cache),
            "last_run": runs[0] if runs else None,
            "documents": {t: {s: counts.get(t, {}).get(s, 0) for s in STATUSES} for t in DOCUMENT_TYPES if t in counts},
        }


def _all_profiles_status(profile: Profile, as_json: bool) -> None:
    """Every profile of the data folder (a firm's client companies): one line each, or
    ``{"profiles": [{"profile", "company", "status"}]}`` with ``status`` that profile's ``status --json``."""
    from qbtui.cache.paths import list_profiles

    rows = []
    for name in list_profiles(profile.data_dir):
        one = Profile(name, profile.data_dir, explicit=True)
        try:
            data = status_data(one)
        except CacheError as exc:  # a damaged or half-made profile: said on its row, the others still listed
            rows.append({"profile": name, "company": None, "status": None, "error": str(exc)})
            continue
        rows.append({"profile": name, "company": data["connection"].get("company"), "status": data})
    if as_json:
        print_json({"profiles": rows})
        return
    if not rows:
        click.echo(f"no profiles in {profile.data_dir}: qbtui --profile NAME connect")
        return
    width = max(len(r["profile"]) for r in rows)
    for r in rows:
        if r["status"] is None:
            click.echo(safe_text(f"{r['profile']:<{width}}  cannot be read: {r['error']}"))
            continue
        totals = {s: sum(row.get(s, 0) for row in r["status"]["documents"].values()) for s in STATUSES}
        conn = r["status"]["connection"]
        company = r["company"] or ("connected" if conn["connected"] else "not connected")
        click.echo(safe_text(f"{r['profile']:<{width}}  {company}: "
                             + ", ".join(f"{totals[s]} {s}" for s in ("pending", "blocked", "failed", "conflict"))))


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@click.option("--all-profiles", is_flag=True, help="Every profile of the data folder, one line each.")
@click.pass_obj
@user_errors
def status_command(profile: Profile, as_json: bool, all_profiles: bool) -> None:
    """Counts per document type and status; connection; last run."""
    if all_profiles:
        _all_profiles_status(profile, as_json)
        return
    profile.require_existing()
    data = status_data(profile)
    if as_json:
        print_json(data)
        return
    conn = data["connection"]
    if conn["system"] == "QuickBooks Desktop":
        last = conn["last_session"] or {}
        pending = sum(row.get("pending", 0) for row in data["documents"].values())
        click.echo(safe_text(f"profile {profile.name}: QuickBooks Desktop through the Web Connector; " + (
            f"it last called {conn['web_connector_last_called']} ({last.get('message') or 'no message'})"
            if conn["web_connector_last_called"] else "the Web Connector has not called yet")
            + f"; {pending} queued for its next session"))
    else:
        click.echo(safe_text(f"profile {profile.name}: " + (f"connected to {conn['company'] or conn['realm_id']} "
                                                            f"({conn['environment']})" if conn["connected"]
                                                            else "not connected")))
    if conn["region"] and conn["system"] != "QuickBooks Desktop":
        click.echo(f"region {conn['region']}, home currency {conn['home_currency'] or '?'}"
                   + (" (QuickBooks computes sales tax and VAT/GST itself: qbtui sync compares its totals with ours)"
                      if conn["region"] != "us" else ""))
    if not data["documents"]:
        click.echo("no documents yet: qbtui import FILE")
        return
    width = max(map(len, data["documents"]))
    click.echo(f"{'type':<{width}}  " + "  ".join(f"{s:>{max(7, len(s))}}" for s in STATUSES))
    for doc_type, row in data["documents"].items():
        click.echo(f"{doc_type:<{width}}  " + "  ".join(f"{row[s]:>{max(7, len(s))}}" for s in STATUSES))
    if data["last_run"]:
        run = data["last_run"]
        if run.get("ended"):
            click.echo(f"last run {run.get('id')} ({run.get('kind')}) ended {run['ended']}")
        else:
            click.echo(safe_text(f"last run {run.get('id')} ({run.get('kind')}) started {run.get('started')} and has not "
                                 f"ended: {_unended_text(profile)}"))


def _unended_text(profile: Profile) -> str:
    """What a run without an end means, for ``qbtui status``: running now, or stopped before its end (killed,
    the machine went down), and what the documents it was sending become."""
    with profile.open(writer=False) as cache:
        sending = sum(1 for _ in cache.links(["sending"]))
    return ("it is still running, or it was stopped before its end (killed, or the machine went down)"
            + (f"; {sending} document{'s' if sending != 1 else ''} it was sending {'are' if sending != 1 else 'is'} "
               "in doubt: the next `qbtui sync` looks each up in QuickBooks before sending it again (`qbtui repair` "
               "does it now)" if sending else
               "; the next `qbtui sync` sends the rest"))


def with_gates(cache: Cache) -> dict[str, dict[str, int]]:
    """Status counts with the gates' blocked/skipped overlaid on the cache's pending."""
    from qbtui.sync.gatestore import gate_counts

    counts = {t: dict(c) for t, c in cache.status_counts().items()}
    for (doc_type, status), n in gate_counts(cache).items():
        if doc_type in counts:
            counts[doc_type]["pending"] -= n
            counts[doc_type][status] += n
    return counts


@click.command("errors")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@click.pass_obj
@user_errors
def errors_command(profile: Profile, as_json: bool) -> None:
    """Blocked and failed documents: type, ref, status, code, message, hint (and QuickBooks' intuit_tid)."""
    profile.require_existing()
    from qbtui.errors import FAULT_FAMILY
    from qbtui.sync.gatestore import gate_statuses

    rows: list[dict[str, Any]] = []
    with profile.open(writer=False) as cache:
        for (doc_type, ref), (status, reasons) in gate_statuses(cache, plain=True).items():
            if status == "blocked":
                rows += [{"type": doc_type, "ref": ref, "status": "blocked", "code": r.code, "message": r.message,
                          "hint": r.hint, "field": r.field, "family": r.family, "detail": "", "intuit_tid": None,
                          "holder": None} for r in reasons]
        for link in cache.links(["failed"]):  # through the links' status index, not the whole history
            if cache.status_of(link["type"], link["ref"]) == "failed" and link.get("error"):
                err = link["error"]
                rows.append({"type": link["type"], "ref": link["ref"], "status": "failed", "code": err.get("code"),
                             "message": err.get("message"), "hint": err.get("hint"), "field": "",
                             "family": FAULT_FAMILY.get(str(err.get("code")), "other"),
                             "detail": err.get("detail") or "", "intuit_tid": err.get("intuit_tid") or None,
                             "holder": err.get("holder") or None})
    if as_json:
        print_json({"errors": rows})
    elif not rows:
        click.echo("no blocked or failed documents")
    else:
        for row in rows:
            click.echo(safe_text(f"{row['status'].upper():7} {row['type']} {row['ref']}: [{row['code']}] {row['message']}"
                                 + (f"\n        detail: {row['detail']}" if row.get("detail") else "")
                                 + (f"\n        hint: {row['hint']}" if row.get("hint") else "")
                                 + (f"\n        intuit_tid: {row['intuit_tid']}" if row.get("intuit_tid") else "")))
    raise SystemExit(1 if rows else 0)


@click.command("gates", hidden=True)
@events_option
@click.pass_obj
@user_errors
def gates_command(profile: Profile, events: bool) -> None:
    """For the dashboard: every pending document's gate status and reasons (a ``gates`` result: a list of
    {"type", "ref", "status", "reasons"}, sent in parts)."""
    from qbtui.sync.gatestore import gate_statuses

    with profile.open(writer=False) as cache:
        gates = gate_statuses(cache, plain=True)
    rows = [{"type": t, "ref": r, "status": status, "reasons": [x.to_json() for x in reasons]}
            for (t, r), (status, reasons) in gates.items()]
    answer("gates", rows)


@click.command("update-document", hidden=True)
@events_option
@click.pass_obj
@user_errors
def update_document_command(profile: Profile, events: bool) -> None:
    """For the dashboard's fix form: one edited document (JSON on stdin) checked as an import checks it, then
    stored, with the fields it changed recorded as a fix (kept over a re-import: qbtui.sync.fixes); exit 1 with the
    reasons when it is refused (error ``refused``), 2 when the profile is busy (``profile_busy``)."""
    from qbtui.documents import check_document

    try:
        data = json.loads(sys.stdin.read())
    except json.JSONDecodeError as exc:
        fail(f"not a JSON document: {exc}")
    checked, problems = check_document(data if isinstance(data, dict) else {})
    if checked is None:
        fail("; ".join(f"{'.'.join(map(str, loc))}: {reason}" for loc, reason in problems), 1)
    from qbtui.sync.fixes import record_fix

    with profile.open(writer=True, command="qbtui (fix form)") as cache:
        before = cache.get(checked["type"], checked["ref"])
        try:
            cache.update_document(checked["type"], checked["ref"], checked)
        except KeyError:
            fail(f"no {checked['type']} {checked['ref']!r} in the cache")
        if before is not None:  # what the fix changed is kept over a re-import of the same file
            record_fix(cache, before["data"], checked)
    answer("stored", {"type": checked["type"], "ref": checked["ref"]})


@click.command("document", hidden=True)
@click.argument("doc_type", type=click.Choice(DOCUMENT_TYPES))
@click.argument("ref")
@events_option
@click.pass_obj
@user_errors
def document_command(profile: Profile, doc_type: str, ref: str, events: bool) -> None:
    """For the dashboard's document screen and fix form: one document (a ``document`` result:
    {"record": {data, rev, imported} | null, "link": the link with its history | null, "plan": {status,
    reasons, payloads} | null, "journal": what those payloads post, Dr / Cr (qbtui.ledger.postings.journal) |
    null, "fixed": the fields fixed in qbtui {"fields", "removed", "at"} | null, "quickbooks": an invoice's or
    bill's balance in QBO as the last pull saw it {"entity", "id", "total", "balance", "paid", "at"} | null})."""
    from qbtui.ledger.listing import balance_of  # not qbtui.sync.inbound: it loads the QBO client (0.5 s)
    from qbtui.sync.fixes import fix_of

    with profile.open(writer=False) as cache:
        record = cache.get(doc_type, ref)
        link = cache.link(doc_type, ref)
        planned = plan_document(cache, doc_type, ref) if record else None
        journal = journal_of(cache, planned)
        fixed = fix_of(cache, doc_type, ref)
        quickbooks = balance_of(cache, doc_type, ref)
    answer("document", {"record": record, "link": link, "plan": planned, "journal": journal, "fixed": fixed,
                        "quickbooks": quickbooks})


def journal_of(cache: Cache, planned: dict[str, Any] | None) -> dict[str, Any] | None:
    """The journal a planned document's payloads post, its accounts named as QBO names them (last pull)."""
    if not planned or not planned["payloads"]:
        return None
    from qbtui.ledger.postings import journal

    items = {str(i["Id"]): i for i in cache.reference("items") or () if isinstance(i, dict) and i.get("Id")}
    names = {str(a["Id"]): str(a.get("Name") or a["Id"]) for a in cache.reference("accounts") or ()
             if isinstance(a, dict) and a.get("Id")}
    return journal(planned["payloads"], items, cache.get_setting("mapping") or {}, names)


def plan_document(cache: Cache, doc_type: str, ref: str) -> dict[str, Any]:
    """What one document would send: {"status", "reasons", "payloads": [{"entity", "operation", "body"}]}."""
    from qbtui.sync.plan import plan

    status = cache.status_of(doc_type, ref)
    statuses = tuple(dict.fromkeys(("pending", "failed", status)))
    for p in plan(cache, types=[doc_type], refs=[ref], statuses=statuses):
        if p.type == doc_type and p.ref == ref:
            return {"status": p.status, "reasons": [r.to_json() for r in p.reasons or []],
                    "payloads": [pl.to_json() for pl in p.payloads or []]}
    return {"status": "not planned", "reasons": [], "payloads": []}


#: what a contact or product may be linked to: the reference list pulled from QBO, and its entity
LINKABLE = {"customer": ("customers", "Customer"), "supplier": ("vendors", "Vendor"), "product": ("items", "Item")}


@click.command("link-candidates", hidden=True)
@click.argument("doc_type", type=click.Choice(sorted(LINKABLE)))
@events_option
@click.pass_obj
@user_errors
def link_candidates_command(profile: Profile, doc_type: str, events: bool) -> None:
    """For the dashboard's link picker: the QBO objects (as last pulled) a document of DOC_TYPE may be linked
    to (a ``link_candidates`` result: a list of QBO objects)."""
    from qbtui.cache import StateReader

    with StateReader.open(profile.path) as state:
        items = state.reference(LINKABLE[doc_type][0], []) or []
    answer("link_candidates", [i for i in items if isinstance(i, dict) and i.get("Id") is not None])


@click.command("link-document", hidden=True)
@click.argument("doc_type", type=click.Choice(DOCUMENT_TYPES))
@click.argument("ref")
@click.option("--entity", required=True, help="The QBO entity (Customer, Vendor, Item, or a transaction's: Invoice...).")
@click.option("--id", "qbo_id", required=True, help="The QBO Id of the object it is linked to.")
@click.option("--rev", type=int, help="The document's revision the link is for (default: the current one).")
@click.option("--sync-token", help="The object's SyncToken.")
@click.option("--key", help="A transaction's part it stands for (default: doc), as the error's holder names it.")
@events_option
@click.pass_obj
@user_errors
def link_document_command(profile: Profile, doc_type: str, ref: str, entity: str, qbo_id: str, rev: int | None,
                          sync_token: str | None, key: str | None, events: bool) -> None:
    """For the dashboard's link picker and fix form: record that a document is synced as an object that already
    exists in QBO (exit 2 with ``profile_busy`` when another process holds the profile). A transaction (after a
    6140: the QBO transaction that holds its number is this document) is linked as pre-existing: never undone."""
    with profile.open(writer=True, command="qbtui (link picker)") as cache:
        record = cache.get(doc_type, ref)
        if record is None:
            fail(f"no {doc_type} {ref!r} in the cache", 1, error="refused")
        part: dict[str, Any] = {"entity": entity, "id": qbo_id, "sync_token": sync_token}
        parts = [part]
        if doc_type not in LINKABLE:
            part.update({"key": key or "doc", "linked": True})
            link = cache.link(doc_type, ref) or {}
            parts = [q for q in link.get("qbo") or () if q.get("id") and q.get("key") != part["key"]] + parts
        cache.record_outcomes([{"type": doc_type, "ref": ref, "status": "synced",
                                "synced_rev": record["rev"] if rev is None else rev,
                                "qbo": parts, "error": None}])
    answer("linked", {"type": doc_type, "ref": ref, "qbo_ids": [qbo_id]})


COMMANDS = [schema_command, import_command, status_command, errors_command, gates_command, update_document_command,
            document_command, link_candidates_command, link_document_command]
