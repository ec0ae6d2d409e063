"""``qbtui preflight``: the connect wizard's preflight (qbtui.sync.preflight, the one source of truth) on the command
line, over what the profile holds (reference data as last pulled: `qbtui pull` refreshes it)."""

from __future__ import annotations

import click

from qbtui.cli.common import Profile, print_json, user_errors
from qbtui.documents.text import safe_text


@click.command("preflight")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@click.pass_obj
@user_errors
def preflight_command(profile: Profile, as_json: bool) -> None:
    """What must be true before the first sync: each check with its finding and what to do. Exit 1 when one
    blocks the sync (inventory tracking on in QuickBooks, another home currency, the books closed on or after
    the filter start date); everything else is information or a per-document gate."""
    from qbtui.sync.preflight import check_json, preflight_cache

    with profile.open(writer=False) as cache:
        checks = preflight_cache(cache)
    blocked = any(c.blocks_sync for c in checks)
    if as_json:
        print_json({"checks": [check_json(c) for c in checks]})
    else:
        for c in checks:
            row = check_json(c)
            mark = "BLOCKS" if c.blocks_sync else ("ok" if c.ok else "note")
            click.echo(safe_text(f"{mark:6} {c.code}: {row['message']}"))
            if not c.ok:
                click.echo(safe_text(f"       {row['hint']}"))
        click.echo("the first sync is refused until the BLOCKS lines are fixed" if blocked
                   else "nothing blocks the sync", err=True)
    raise SystemExit(1 if blocked else 0)


COMMANDS = [preflight_command]
