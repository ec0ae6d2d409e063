"""``qbtui settings``: show the settings, or change one."""

from __future__ import annotations

import json

import click

from qbtui.cli.common import Profile, answer, events_option, fail, print_json, user_errors
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
    from qbtui.settings import parse_setting, set_setting

    private_dir(profile.path, tighten=True)
    with profile.open(writer=True, command="qbtui settings set") as cache:
        if key.startswith("keymap."):
            _check_keymap(cache.settings(), key, parse_setting(key, value))
        stored = set_setting(cache, key, value)
    if events:
        answer("setting", {"key": key, "value": stored})
    click.echo(f"{key} = {json.dumps(stored)}")


def _check_keymap(stored: dict, key: str, keys: str) -> None:
    """A remapped key must name a dashboard binding (keys.py's ids) and must not take a key another binding
    already has (as remapped so far): either would leave a key that silently does something else."""
    from qbtui.settings import keymap
    from qbtui.tui.keys import keymap_refusal

    binding_id = key.split(".", 1)[1]
    refused = keymap_refusal({k: v for k, v in keymap(stored).items() if k != binding_id}, binding_id, keys)
    if refused is not None:
        code, message, hint = refused
        fail(message + (": nothing was changed" if code == "setting.key_taken" else ""), error=code, hint=hint)


@settings_group.command("unset")
@click.argument("key")
@events_option
@click.pass_obj
@user_errors
def settings_unset(profile: Profile, key: str, events: bool) -> None:
    """Forget KEY: its default applies again (a remapped key: the default key)."""
    from qbtui.settings import setting_for

    setting = setting_for(key)  # an unknown key: exit 2 with a did-you-mean
    with profile.open(writer=True, command="qbtui settings unset") as cache:
        removed = cache.delete_setting(key)
    if events:
        answer("setting", {"key": key, "value": setting.default, "removed": removed})
    click.echo(f"{key} unset: the default applies ({json.dumps(setting.default)})" if removed else
               f"{key} was not set: the default applies ({json.dumps(setting.default)})")


COMMANDS = [settings_group]
