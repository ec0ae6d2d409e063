"""``qbtui settings``: show the settings, or change one."""

from __future__ import annotations

import json

import click

from qbtui.cli.common import Profile, answer, events_option, print_json, user_errors
from qbtui.private import private_dir


@click.group("settings", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@click.pass_context
@user_errors
def settings_group(ctx: click.Context, as_json: bool) -> None:
    """Show the settings, or change one: qbtui settings set KEY VALUE (each setting: docs/domain.md#settings)."""
    if ctx.invoked_subcommand is not None:
        return
    from qbtui.settings import settings_table

    profile: Profile = ctx.obj
    with profile.open(writer=False) as cache:
        rows = settings_table(cache.settings())
    if as_json:
        print_json({"settings": {r["key"]: r["value"] for r in rows}})
        return
    for row in rows:
        click.echo(f"{row['key']:28} {json.dumps(row['value'])}")


@settings_group.command("set")
@click.argument("key")
@click.argument("value")
@events_option
@click.pass_obj
@user_errors
def settings_set(profile: Profile, key: str, value: str, events: bool) -> None:
    """Set KEY to VALUE (validated)."""
    from qbtui.settings import set_setting

    private_dir(profile.path, tighten=True)
    with profile.open(writer=True, command="qbtui settings set") as cache:
        stored = set_setting(cache, key, value)
    if events:
        answer("setting", {"key": key, "value": stored})
    click.echo(f"{key} = {json.dumps(stored)}")


COMMANDS = [settings_group]
