"""``qbtui desktop``: QuickBooks Desktop through the QuickBooks Web Connector (docs/desktop.md).

``qbtui desktop qwc --url URL`` prints the .qwc file to add to the Web Connector; ``qbtui desktop serve`` runs the
Web Connector's SOAP service at ``/qbwc``; ``qbtui desktop simulate --url URL`` plays the Web Connector against it
with a simulated company file. A profile becomes a Desktop profile with ``qbtui connect --desktop``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from qbtui.cli.common import Profile, fail, print_json, user_errors

DEFAULT_PORT = 8766


def _desktop_settings(profile: Profile) -> dict:
    from qbtui.desktop import profile as desktop_profile

    with profile.open(writer=False, command="qbtui desktop") as cache:
        if not desktop_profile.is_desktop(cache):
            fail("this profile is not a QuickBooks Desktop profile", error="not_connected",
                 hint="run `qbtui --profile P connect --desktop --password-env VAR` first")
        return desktop_profile.settings(cache)


@click.group("desktop")
def desktop() -> None:
    """QuickBooks Desktop through the QuickBooks Web Connector."""


@desktop.command("qwc")
@click.option("--url", required=True, help="The service's address as the Web Connector reaches it, e.g. "
                                           "https://qbtui.example.com/qbwc (http:// only on localhost or 127.0.0.1).")
@click.option("--every-min", type=click.IntRange(min=1), default=None,
              help="Let the Web Connector's scheduler run the profile every N minutes.")
@click.pass_obj
@user_errors
def qwc_command(profile: Profile, url: str, every_min: int | None) -> None:
    """Print the .qwc file to add to the QuickBooks Web Connector (on stdout)."""
    from qbtui.desktop import profile as desktop_profile

    _desktop_settings(profile)
    with profile.open(writer=False, command="qbtui desktop qwc") as cache:
        click.echo(desktop_profile.qwc(cache, profile.name, url, every_min), nl=False)


@desktop.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535))
@click.option("--certfile", type=click.Path(exists=True, dir_okay=False), default=None,
              help="TLS certificate (PEM): serve https, as the Web Connector needs for an address other than "
                   "localhost.")
@click.option("--keyfile", type=click.Path(exists=True, dir_okay=False), default=None, help="TLS private key (PEM).")
@click.option("--company-file", default="", help="The company file the Web Connector opens (default: the one open "
                                                  "in QuickBooks).")
@click.option("--idle-timeout", type=click.FloatRange(min=1), default=None, metavar="SECONDS",
              help="Give up a session the Web Connector stopped calling after this long (default: 900).")
@click.pass_obj
@user_errors
def serve_command(profile: Profile, host: str, port: int, certfile: str | None, keyfile: str | None,
                  company_file: str, idle_timeout: float | None) -> None:
    """Serve the QuickBooks Web Connector's SOAP service at /qbwc (its WSDL at /qbwc?wsdl) until stopped."""
    import uvicorn

    from qbtui.desktop.service import IDLE_TIMEOUT, DesktopService, create_app

    if bool(certfile) != bool(keyfile):
        fail("--certfile and --keyfile go together")
    settings = _desktop_settings(profile)
    service = DesktopService(profile.path, username=str(settings["desktop_username"]), company_file=company_file,
                             open_work=session_work, idle_timeout=idle_timeout or IDLE_TIMEOUT)
    scheme = "https" if certfile else "http"
    click.echo(f"serving the Web Connector's service at {scheme}://{host}:{port}/qbwc (Ctrl+C stops)", err=True)
    if not certfile and host not in ("127.0.0.1", "localhost"):
        click.echo("note: the Web Connector accepts http:// only on localhost; put a TLS-terminating proxy in front "
                   "or give --certfile and --keyfile", err=True)
    uvicorn.Server(uvicorn.Config(create_app(service), host=host, port=port, log_level="warning", access_log=False,
                                  lifespan="on", ssl_certfile=certfile, ssl_keyfile=keyfile)).run()


def ready(cache: Any) -> list[tuple[str, str]]:
    """The pending documents the gates let through (qbtui.sync's gates, as ``qbtui sync`` runs them), in order."""
    from qbtui.sync.plan import gate_statuses

    return [key for key, (status, _) in gate_statuses(cache).items() if status == "pending"]


def session_work(cache: Any) -> Any:
    """A session's work: the lists while the profile is not mapped, then the queued documents after the gates."""
    from qbtui.desktop.send import session_work as work

    return work(cache, ready)


def is_desktop(profile: Profile) -> bool:
    with profile.open(writer=False) as cache:
        return cache.get_setting("backend") == "desktop"


def queue_undo(profile: Profile, run_id: str, *, yes: bool, dry_run: bool, cascade: bool, as_json: bool,
               events: bool) -> None:
    """``qbtui undo RUN`` on a Desktop profile: the QBO undo's plan and safety (later documents that still use an
    object refuse it unless ``--cascade``), the removal queued for the Web Connector's next session
    (docs/desktop.md#undo). Exits."""
    from collections import Counter

    from qbtui.cli.common import answer, confirm_or_refuse
    from qbtui.desktop.undo import desktop_plan, queue
    from qbtui.documents.text import safe_text
    from qbtui.sync.runs import who
    from qbtui.sync.undo import UndoError, undo_plan

    with profile.open(writer=not dry_run, command="qbtui undo") as cache:
        try:
            planned = desktop_plan(undo_plan(cache, run_id, cascade=cascade))
        except UndoError as exc:
            fail(str(exc), 2)
        waiting = next((r for r in cache.runs() if r.get("kind") == "undo" and r.get("undoes") == run_id
                        and not r.get("ended")), None)
        if waiting is not None:
            fail(f"the undo of run {run_id} is already queued (run {waiting['id']}) for the Web Connector's next "
                 "session", 2, error="undo_queued")
        refused = [o for o in planned["objects"] if o["action"] == "refused"]
        actions = Counter(o["action"] for o in planned["objects"])
        if dry_run or refused:
            if events and not refused:
                answer("undo_plan", planned)
            if as_json:
                print_json(planned if not refused else {"error": "undo_refused", "refused": refused})
            else:
                for o in planned["objects"]:
                    line = f"{o['action']:21} {o['type']} {o['ref']} ({o['entity']} {o['id']})"
                    if o["run"] != run_id:
                        line += f" of run {o['run']} (cascade)"
                    if o["used_by"]:
                        line += " used by " + ", ".join(f"{u['type']} {u['ref']}" + (f" of run {u['run']}" if
                                                                                     u["run"] else "")
                                                        for u in o["used_by"])
                    click.echo(safe_text(line), err=bool(refused))
            if refused:
                if events:
                    fail("nothing was undone: " + "; ".join(f"{o['type']} {o['ref']} is still used" for o in refused),
                         1, error="undo_refused", hint="undo the later runs first, or undo with cascade")
                click.echo("nothing was undone: undo the later runs first, or run qbtui undo again with --cascade",
                           err=True)
                raise SystemExit(1)
            if not as_json:
                click.echo(f"dry run of undo {run_id} (QuickBooks Desktop, at the Web Connector's next session): "
                           + (", ".join(f"{n} {a}" for a, n in sorted(actions.items())) or "nothing to remove")
                           + "; nothing was changed")
            raise SystemExit(0)
        confirm_or_refuse(yes, f"queue the removal of {sum(actions.values())} QuickBooks Desktop objects run "
                               f"{run_id} created, for the Web Connector's next session?")
        undo_id = queue(cache, planned, who())
        last = (cache.get_setting("desktop_last_session") or {}).get("ended")
    data = {"run": {"id": undo_id, "kind": "undo", "undoes": run_id, "backend": "desktop", "queued":
                    len(planned["objects"])}, "web_connector_last_called": last}
    if events:
        answer("undo", data["run"], 0)
    if as_json:
        print_json(data)
    else:
        click.echo(f"undo run {undo_id}: {len(planned['objects'])} objects queued for the Web Connector's next session"
                   + (f" (it last called {last})" if last else ""))
    raise SystemExit(0)


def queue_reconcile(profile: Profile, start: str, end: str, *, as_json: bool, events: bool) -> None:
    """``qbtui reconcile`` on a Desktop profile: the request queued for the Web Connector's next session, the last
    answer for the same range shown (docs/desktop.md#reconcile-by-queries). Exits: 0 clean, 1 differences, 2 no
    answer for this range yet."""
    from qbtui.cli.common import answer
    from qbtui.desktop.reconcile import last_answer, render, request
    from qbtui.documents.text import safe_text
    from qbtui.maintenance.common import check_range

    d1, d2 = check_range(start, end)
    with profile.open(writer=True, command="qbtui reconcile") as cache:
        queued = request(cache, d1, d2)
        report = last_answer(cache, d1, d2)
        last = (cache.get_setting("desktop_last_session") or {}).get("ended")
    code = 2 if report is None else (0 if report["clean"] else 1)
    data = {"backend": "desktop", "queued": queued, "web_connector_last_called": last, "report": report}
    if events:  # the dashboard's Reconcile screen reads "report": null as "no answer yet"
        answer("reconcile", data, min(code, 1))
    if as_json:
        print_json(data)
    else:
        if report is not None:
            click.echo(safe_text(render(report)))
        click.echo(f"reconciliation {d1}..{d2} queued for the Web Connector's next session"
                   + (f" (it last called {last})" if last else "") + ("" if report else
                                                                      "; no answer for this range yet"),
                   err=True)
    raise SystemExit(code)


def company_path(profile: Profile) -> Path:
    return profile.path / "simulated-company.json"


@desktop.command("simulate")
@click.option("--url", required=True, help="The service's address, as in the .qwc file (qbtui desktop serve's /qbwc).")
@click.option("--company", type=click.Choice(["empty", "demo"]), default="empty", show_default=True,
              help="The simulated company file to start with when none exists yet (demo: a chart of accounts "
                   "`qbtui map --auto` maps, terms).")
@click.option("--file", "file_", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where the simulated company file is kept between runs (default: the profile's "
                   "simulated-company.json).")
@click.option("--faults", is_flag=True, help="Drop answers, report QuickBooks failures, refuse saves (3170) and die "
                                             "mid-session at random.")
@click.option("--seed", type=int, default=None, help="With --faults: the random seed (the same faults again).")
@click.option("--sessions", type=click.IntRange(min=1), default=50, show_default=True,
              help="At most this many scheduled runs (it stops earlier when the service has nothing to do).")
@click.option("--kill-wait", type=click.FloatRange(min=0), default=0.0, metavar="SECONDS",
              help="With --faults: after a run that died, wait this long before the next (longer than serve's "
                   "--idle-timeout, so that the dead run's session is given up); 0: stop at the first run told "
                   "there is nothing to do.")
@click.option("--password-env", metavar="VAR", default=None,
              help="Read the Web Connector's password from this variable (default: the profile's own).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@click.pass_obj
@user_errors
def simulate_command(profile: Profile, url: str, company: str, file_: Path | None, faults: bool, seed: int | None,
                     sessions: int, kill_wait: float, password_env: str | None, as_json: bool) -> None:
    """Play the QuickBooks Web Connector against the service at URL with a simulated QuickBooks Desktop company file
    (docs/desktop.md#the-simulator): scheduled runs until the service has nothing left to do."""
    from qbtui.desktop import profile as desktop_profile
    from qbtui.desktop.simulator import Company, Faults, WebConnector, http_post

    settings = _desktop_settings(profile)
    if password_env is not None:
        password = os.environ.get(password_env)
        if not password:
            fail(f"the variable {password_env} is not set")
    else:
        try:
            password = desktop_profile.password_path(profile.path).read_text()
        except FileNotFoundError:
            fail("the profile has no Web Connector password: run `qbtui connect --desktop --password-env VAR`")
    path = file_ or company_path(profile)
    book = Company.open(path, company)
    post, close = http_post(url)

    def said(report: Any) -> None:
        if not as_json:
            click.echo(f"session: {report.status}, {report.request_sets} request sets"
                       + (f": {report.message}" if report.message else "")
                       + "".join(f"\n  error: {e}" for e in report.errors), err=True)

    wc = WebConnector(post, book, username=str(settings["desktop_username"]), password=password,
                      faults=Faults.standard(seed) if faults else None)
    try:
        reports = wc.run(sessions, on_session=said, kill_wait=kill_wait)
    except OSError as exc:
        fail(f"could not reach the service at {url}: {exc}")
    finally:
        close()
        book.save()
    if reports and reports[-1].status == "nvu":
        fail("the service refused the Web Connector's user name or password", 1)
    data = {"sessions": [{"status": r.status, "request_sets": r.request_sets, "message": r.message,
                          "errors": r.errors} for r in reports],
            "company": book.summary(), "file": str(path)}
    if as_json:
        print_json(data)
        return
    objects = ", ".join(f"{n} {kind}" for kind, n in data["company"].items()) or "nothing"
    click.echo(f"{len(reports)} sessions, {sum(r.request_sets for r in reports)} request sets; the company file "
               f"({path}) holds: {objects}")


COMMANDS = [desktop]
