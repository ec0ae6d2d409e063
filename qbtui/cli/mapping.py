"""``qbtui map``: map accounting roles to QuickBooks accounts."""

from __future__ import annotations

import click

from qbtui.cli.common import Profile, fail, print_json, user_errors
from qbtui.documents.text import safe_text


@click.command("map")
@click.argument("role", required=False)
@click.argument("account", required=False)
@click.option("--auto", "auto", is_flag=True, help="Match accounts, tax codes and terms by name and allowed type.")
@click.option("--json", "as_json", is_flag=True, help="Print the mapping as JSON.")
@click.pass_obj
@user_errors
def map_command(profile: Profile, role: str | None, account: str | None, auto: bool, as_json: bool) -> None:
    """Map accounting roles to QBO accounts (roles and allowed account types: docs/domain.md#mapping-roles)."""
    from qbtui.ledger.roles import REQUIRED_ROLES, ROLE_BY_NAME, assignment_refused, auto_map

    with profile.open(writer=bool(auto or role), command="qbtui map") as cache:
        accounts = cache.reference("accounts") or []
        if (auto or role) and not accounts:
            fail("no QuickBooks accounts in the cache: connect first (`qbtui connect`) or run `qbtui pull`")
        mapping = dict(cache.get_setting("mapping") or {})
        if role:
            if role not in ROLE_BY_NAME:
                import difflib
                close = difflib.get_close_matches(role, ROLE_BY_NAME, n=1)
                fail(f"unknown role {role!r}" + (f" (did you mean {close[0]!r}?)" if close else
                                                 f"; roles: {', '.join(ROLE_BY_NAME)}"))
            if not account:
                fail("give the account: qbtui map ROLE ACCOUNT (its QBO Id or exact name)")
            hit = next((a for a in accounts if str(a.get("Id")) == account), None) or next(
                (a for a in accounts if a.get("Name") == account), None)
            if hit is None:
                fail(f"no QuickBooks account {account!r} (give its Id or exact name; `qbtui pull` reloads accounts)")
            refused = assignment_refused(mapping, role, hit)
            if refused is not None:
                fail(refused)
            mapping = {**mapping, role: str(hit["Id"])}
            cache.set_setting("mapping", mapping)
        if auto:
            mapping.update(auto_map(accounts, mapping))
            cache.set_setting("mapping", mapping)
        names = {str(a.get("Id")): a.get("Name") for a in accounts}
        left = [r for r in REQUIRED_ROLES if r not in mapping]
    if as_json:
        print_json({"mapping": mapping, "unmapped_required": left})
        return
    for name in ROLE_BY_NAME:
        if name in mapping:
            click.echo(safe_text(f"{name:24} -> {names.get(mapping[name], '?')} (Id {mapping[name]})"))
    if left:
        click.echo("still to map (required): " + ", ".join(left) + "  ->  qbtui map ROLE ACCOUNT")
    elif auto or role:
        click.echo("every required role is mapped")


COMMANDS = [map_command]
