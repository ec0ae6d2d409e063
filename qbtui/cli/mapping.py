"""``qbtui map``: map accounting roles to QuickBooks accounts."""

from __future__ import annotations

from typing import Any

import click

from qbtui.cli.common import Profile, fail, print_json, user_errors
from qbtui.documents.text import safe_text


@click.command("map")
@click.argument("role", required=False)
@click.argument("account", required=False)
@click.option("--auto", "auto", is_flag=True, help="Match accounts, tax codes and terms by name and allowed type.")
@click.option("--tax", "tax", nargs=2, metavar="NAME QBO_CODE",
              help="Map the inventory side's tax rule NAME to the QBO tax code QBO_CODE (its exact name or Id).")
@click.option("--tax-default", "tax_default", nargs=2, metavar="sales|purchase QBO_CODE",
              help="The QBO tax code of sales or purchase lines without a tax code (outside the US every line needs one).")
@click.option("--json", "as_json", is_flag=True, help="Print the mapping as JSON.")
@click.pass_obj
@user_errors
def map_command(profile: Profile, role: str | None, account: str | None, auto: bool, tax: tuple[str, str] | None,
                tax_default: tuple[str, str] | None, as_json: bool) -> None:
    """Map accounting roles to QBO accounts (roles and allowed account types: docs/domain.md#mapping-roles), and
    tax rules to QBO tax codes (docs/domain.md#tax-and-regions)."""
    from qbtui.ledger.roles import REQUIRED_ROLES, ROLE_BY_NAME, assignment_refused, auto_map

    with profile.open(writer=bool(auto or role or tax or tax_default), command="qbtui map") as cache:
        accounts = cache.reference("accounts") or []
        if (auto or role) and not accounts:
            fail("no QuickBooks accounts in the cache: connect first (`qbtui connect`) or run `qbtui pull`")
        tax_mapping, tax_defaults = _tax_mapping(cache, tax, tax_default, auto)
        tax_codes = list(cache.reference("tax_codes") or [])
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
        print_json({"mapping": mapping, "unmapped_required": left, "tax_mapping": tax_mapping,
                    "tax_defaults": tax_defaults})
        return
    codes = {str(c.get("Id")): c.get("Name") for c in tax_codes}
    for name, id_ in tax_mapping.items():
        click.echo(safe_text(f"tax {name:20} -> {codes.get(id_, '?')} (Id {id_})"))
    for side, id_ in tax_defaults.items():
        click.echo(safe_text(f"default {side} tax code -> {codes.get(id_, '?')} (Id {id_})"))
    for name in ROLE_BY_NAME:
        if name in mapping:
            click.echo(safe_text(f"{name:24} -> {names.get(mapping[name], '?')} (Id {mapping[name]})"))
    if left:
        click.echo("still to map (required): " + ", ".join(left) + "  ->  qbtui map ROLE ACCOUNT")
    elif auto or role:
        click.echo("every required role is mapped")


def _code(codes: list[dict], wanted: str) -> dict:
    hit = next((c for c in codes if str(c.get("Id")) == wanted), None) or next(
        (c for c in codes if c.get("Name") == wanted), None)
    if hit is None:
        names = ", ".join(repr(c.get("Name")) for c in codes if c.get("Active", True))
        fail(f"no QuickBooks tax code {wanted!r} (give its exact name or Id; QuickBooks has: {names or 'none'}; "
             "`qbtui pull` reloads them)")
    return hit


def _tax_mapping(cache: Any, tax: tuple[str, str] | None, tax_default: tuple[str, str] | None,
                 auto: bool) -> tuple[dict[str, str], dict[str, str]]:
    """``--tax NAME CODE``, ``--tax-default SIDE CODE`` and, with ``--auto``, the tax rules our documents use that
    have a QBO code of exactly their name: stored as ``tax_mapping`` / ``tax_defaults`` ({name or side: QBO Id})."""
    tax_mapping = dict(cache.get_setting("tax_mapping") or {})
    tax_defaults = dict(cache.get_setting("tax_defaults") or {})
    if not (tax or tax_default or auto):
        return tax_mapping, tax_defaults
    codes = list(cache.reference("tax_codes") or [])
    if (tax or tax_default) and not codes:
        fail("no QuickBooks tax codes in the cache: connect first (`qbtui connect`) or run `qbtui pull`")
    if tax:
        name, wanted = tax
        tax_mapping[name] = str(_code(codes, wanted)["Id"])
        cache.set_setting("tax_mapping", tax_mapping)
    if tax_default:
        side, wanted = tax_default
        if side not in ("sales", "purchase"):
            fail(f"--tax-default takes sales or purchase, not {side!r}")
        tax_defaults[side] = str(_code(codes, wanted)["Id"])
        cache.set_setting("tax_defaults", tax_defaults)
    if auto and codes:
        from qbtui.ledger.roles import match_by_name
        from qbtui.sync.wizard import names_used
        taxes, _ = names_used(rec["data"] for rec in cache.documents())
        matched, _ = match_by_name(taxes, codes, tax_mapping)
        if matched != tax_mapping:
            tax_mapping = matched
            cache.set_setting("tax_mapping", tax_mapping)
    return tax_mapping, tax_defaults


COMMANDS = [map_command]
