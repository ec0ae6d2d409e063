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
@click.pass_obj
@user_errors
def demo_command(profile: Profile, reset: bool, company: str | None) -> None:
    """The built-in sandbox company with sample data (profile "demo"), in the dashboard."""
    from qbtui.cli.demo import DEMO_PROFILE, DemoError, prepare, stop_sandbox

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


COMMANDS = [demo_command]
