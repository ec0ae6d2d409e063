"""The commands that open the dashboard besides plain ``qbtui``: ``qbtui demo``."""

from __future__ import annotations

import os
import sys

import click

from qbtui.cli.common import Profile, fail, open_dashboard, user_errors


@click.command("demo")
@click.option("--reset", is_flag=True, help="Start the demo company and its sample data over.")
@click.option("--company", type=click.Choice(("demo", "inventory")), default=None,  # qbtui.cli.demo.DEMO_COMPANIES
              help="The sandbox company: demo, or inventory (a firm that tracked inventory in QuickBooks before) "
                   "[default: the one the demo profile holds, else demo].")
@click.option("--desktop", is_flag=True, help="QuickBooks Desktop instead (profile \"demo-desktop\"): qbtui desktop "
                                              "serve and the simulated Web Connector with a simulated company file.")
@click.pass_obj
@user_errors
def demo_command(profile: Profile, reset: bool, company: str | None, desktop: bool) -> None:
    """The built-in sandbox company with sample data (profile "demo"), in the dashboard; with --desktop the same
    documents sent to a simulated QuickBooks Desktop company file through the Web Connector's service."""
    from qbtui.cli.demo import DEMO_PROFILE, DemoError, prepare, stop_sandbox

    if desktop:
        _demo_desktop(profile, reset, company)
        return

    if profile.explicit and profile.name != DEMO_PROFILE:
        # --reset would delete that profile's documents, links, runs and tokens, and even without it the profile
        # would be pointed at a throwaway sandbox: the demo only ever touches its own profile
        fail(f"`qbtui demo` works only on its own profile {DEMO_PROFILE!r}, never on {profile.name!r}: nothing was "
             "changed", error="demo_profile_only",
             hint="run `qbtui demo` without --profile" + (" and without QBTUI_PROFILE" if
                                                          os.environ.get("QBTUI_PROFILE") else ""))
    profile = Profile(DEMO_PROFILE, profile.data_dir, no_mouse=profile.no_mouse, explicit=True)
    if not sys.stdout.isatty():  # before anything is started or reset
        fail("the demo opens the dashboard, which needs a terminal; for scripts use the commands (qbtui --help)")
    click.echo(f"starting the demo company (profile {profile.name})...", err=True)
    try:
        proc, url = prepare(profile.path, reset=reset, company=company)
    except DemoError as exc:
        fail(str(exc))
    try:
        open_dashboard(profile)
    finally:
        stop_sandbox(proc)


def _demo_desktop(profile: Profile, reset: bool, company: str | None) -> None:
    from qbtui.cli.demo import DEMO_DESKTOP_PROFILE, DemoError, prepare_desktop

    if company is not None:
        fail("--company chooses a QuickBooks Online sandbox company; the Desktop demo has its own")
    if profile.explicit and profile.name != DEMO_DESKTOP_PROFILE:
        fail(f"`qbtui demo --desktop` works only on its own profile {DEMO_DESKTOP_PROFILE!r}, never on "
             f"{profile.name!r}: nothing was changed", error="demo_profile_only")
    profile = Profile(DEMO_DESKTOP_PROFILE, profile.data_dir, no_mouse=profile.no_mouse, explicit=True)
    click.echo(f"starting the QuickBooks Desktop demo (profile {profile.name}): qbtui desktop serve and the "
               "simulated Web Connector...", err=True)
    try:
        done = prepare_desktop(profile.data_dir, profile.path, reset=reset)
    except DemoError as exc:
        fail(str(exc))
    for s in done["sessions"]:
        click.echo(f"Web Connector run: {s['status']}, {s['request_sets']} request sets"
                   + (f": {s['message']}" if s["message"] else ""), err=True)
    objects = ", ".join(f"{n} {kind}" for kind, n in done["company"].items()) or "nothing"
    click.echo(f"the simulated company file ({done['file']}) holds: {objects}")
    if sys.stdout.isatty():
        open_dashboard(profile)
    else:
        click.echo(f"see `qbtui --profile {profile.name} status` and `qbtui --profile {profile.name} errors`")


COMMANDS = [demo_command]
