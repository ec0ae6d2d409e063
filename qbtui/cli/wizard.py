"""``qbtui wizard-step OP --events``: the connect wizard's steps for the TUI's Backend (hidden; docs/cli.md).

Every step of the wizard that reads the whole profile, writes to it or talks to QuickBooks runs here, in a
child process that holds the profile (as a writer) for that one step only; the wizard's screen holds nothing
between steps. The request is one JSON object on stdin (the client secret and a pasted address never go on
the command line); the answer is a ``result`` event of kind OP whose data holds what the step says plus the
profile's ``settings``, ``references`` (accounts, tax codes, terms) and ``company`` (QuickBooks' company name,
None before the first connect) as they are afterwards. A step that
QuickBooks or the rules refuse (writes refused in "From QuickBooks only" mode, opening balances already
imported, an account not allowed for a role) is an ``error`` event of code ``refused``, exit 1."""

from __future__ import annotations

import json
import sys
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import click

from qbtui.cache import Cache, CacheError
from qbtui.cli.common import Profile, answer, events_option, fail, run_async, user_errors
from qbtui.ledger.roles import auto_map, match_by_name
from qbtui.private import private_dir
from qbtui.qbo import InsecureURL, QBOFault, ReconnectRequired
from qbtui.settings import SettingError, set_setting
from qbtui.sync import opening
from qbtui.sync.connection import begin_connect, finish_connect, open_client
from qbtui.sync.preflight import BACKUP_SETTING, apply_fix, preflight_cache, refresh
from qbtui.sync.pull import pull_reference
from qbtui.sync.readonly import WritesRefused
from qbtui.sync.wizard import (
    NAME_MAPPINGS,
    STEPS,
    assign_account,
    clear_local_data,
    load_state,
    names_used,
    save_state,
)

#: the reference lists the wizard's steps draw
REFERENCES = ("accounts", "tax_codes", "terms")


class Step:
    """One request: the profile, its writer cache (replaced when local data is cleared) and the JSON asked."""

    def __init__(self, profile: Profile, cache: Cache, request: dict[str, Any]) -> None:
        self.profile, self.cache, self.request = profile, cache, request

    def client(self) -> Any:
        return open_client(self.cache, self.profile.path)

    def active_accounts(self) -> list[dict[str, Any]]:
        return [a for a in self.cache.reference("accounts", []) or [] if a.get("Active", True)]


def view(cache: Cache, step: str) -> dict[str, Any]:
    """What step ``step`` shows that needs more than the settings and the reference lists."""
    if step == "local_data":
        return {"documents": sum(sum(c.values()) for c in cache.status_counts().values())}
    if step == "preflight":
        return {"checks": [c.to_json() for c in preflight_cache(cache)]}
    if step == "tax_terms":  # names that match exactly are mapped by themselves
        taxes, terms = names_used(rec["data"] for rec in cache.documents())
        for kind, names in (("tax", taxes), ("terms", terms)):
            items_key, key = NAME_MAPPINGS[kind]
            items = cache.reference(items_key, []) or []
            if items:
                cache.set_setting(key, match_by_name(names, items, cache.get_setting(key) or {})[0])
        from qbtui.ledger.context import Prefs
        prefs = Prefs.from_qbo(cache.reference("preferences", None), cache.reference("company_info", None))
        return {"taxes": taxes, "terms": terms, "region": prefs.region, "home_currency": prefs.home_currency}
    if step == "opening_balances":
        return {"done": cache.get_setting(opening.OPENING_BALANCES_KEY)}
    if step == "stock":
        return {"warning": opening.BATCH_SERIAL_WARNING}
    if step == "opening_journal":
        done = cache.get_setting(opening.OPENING_INVENTORY_KEY)
        try:
            p = opening.opening_inventory_preview(cache)
        except opening.OpeningError as exc:
            return {"error": str(exc), "done": done}
        return {"done": done, "preview": {"day": p.day, "valuation": str(p.valuation),
                                          "qbo_balance": str(p.qbo_balance), "difference": str(p.difference),
                                          "nothing": p.body is None}}
    if step == "confirm":
        return {"problems": [c.title for c in preflight_cache(cache) if not c.ok]}
    return {}


async def show(s: Step) -> dict[str, Any]:
    """Store the settings a step chose (``settings``: {key: text}, validated as `qbtui settings set`; ``backup``:
    the backup is confirmed) and the wizard state (``state``; none: the stored one, from its first step when it
    was done), then what ``state``'s step shows."""
    for key, text in (s.request.get("settings") or {}).items():
        set_setting(s.cache, key, str(text))
    if s.request.get("backup"):
        s.cache.set_setting(BACKUP_SETTING, True)
    state = s.request.get("state")
    if not isinstance(state, dict) or state.get("step") not in STEPS:
        state = load_state(s.cache)
        if state["step"] not in STEPS:
            state["step"] = STEPS[0]
    save_state(s.cache, state)
    return {"state": state, "view": view(s.cache, state["step"]),
            "has_preferences": s.cache.reference("preferences") is not None}


async def clear(s: Step) -> dict[str, Any]:
    """Delete local data: ``what`` = transactions or everything."""
    s.cache = clear_local_data(s.profile.path, s.cache, str(s.request.get("what")))
    return {}


async def connect_link(s: Step) -> dict[str, Any]:
    """The authorize link for ``environment``, ``client_id``, ``client_secret``; kept in ``state`` too."""
    r = s.request
    url = await begin_connect(s.cache, s.profile.path, environment=str(r.get("environment")),
                              client_id=str(r.get("client_id")), client_secret=str(r.get("client_secret")))
    if isinstance(r.get("state"), dict):
        save_state(s.cache, {**r["state"], "auth_url": url})
    return {"url": url}


async def connect(s: Step) -> dict[str, Any]:
    """The address the browser landed on (``pasted``): tokens, then the reference lists pulled."""
    realm = await finish_connect(s.cache, s.profile.path, str(s.request.get("pasted")))
    async with await s.client() as client:
        await pull_reference(s.cache, client)
    return {"realm": realm}


async def reload(s: Step) -> dict[str, Any]:
    """Reload from QuickBooks: ``what`` = accounts, or everything the wizard uses."""
    async with await s.client() as client:
        if s.request.get("what") == "accounts":
            await refresh(s.cache, client, "accounts")
        else:
            await pull_reference(s.cache, client)
    return {"accounts": len(s.active_accounts())}


async def fix(s: Step) -> dict[str, Any]:
    """Carry out the fix of preflight check ``code``."""
    async with await s.client() as client:
        return {"message": await apply_fix(str(s.request.get("code")), client, s.cache)}


async def map_accounts(s: Step) -> dict[str, Any]:
    """``op`` = assign (``role``, ``account``: by the one mapping rule), unmap (``role``) or auto."""
    mapping = dict(s.cache.get_setting("mapping") or {})
    op, role = s.request.get("op"), str(s.request.get("role"))
    found = 0
    if op == "assign":
        mapping, refused = assign_account(mapping, s.active_accounts(), role, str(s.request.get("account")))
        if refused:
            fail(refused, 1, error="refused")
    elif op == "unmap":
        mapping.pop(role, None)
    elif op == "auto":
        new = auto_map(s.active_accounts(), mapping)
        found = len(new)
        mapping.update(new)
    else:
        raise ValueError(f"map how? {op!r} (assign, unmap or auto)")
    s.cache.set_setting("mapping", mapping)
    return {"mapping": mapping, "found": found}


async def map_names(s: Step) -> dict[str, Any]:
    """Tax codes and terms: ``op`` = auto (the ``names`` {"tax", "terms"} matched by exact name) or pick (our
    ``name`` of ``kind`` to QuickBooks' ``id``; kind ``tax_default``, name ``sales`` or ``purchase``: the default
    tax code of lines without one)."""
    r = s.request
    left: list[str] = []
    if r.get("op") == "pick" and r.get("kind") == "tax_default":  # the default sales or purchase tax code
        if r.get("name") not in ("sales", "purchase"):
            raise ValueError(f"a default tax code is for sales or purchase, not {r.get('name')!r}")
        s.cache.set_setting("tax_defaults", {**(s.cache.get_setting("tax_defaults") or {}),
                                             str(r.get("name")): str(r.get("id"))})
        return {"left": left}
    if r.get("op") == "pick":
        key = NAME_MAPPINGS[str(r.get("kind"))][1]
        s.cache.set_setting(key, {**(s.cache.get_setting(key) or {}), str(r.get("name")): str(r.get("id"))})
        return {"left": left}
    for kind, (items_key, key) in NAME_MAPPINGS.items():
        names = (r.get("names") or {}).get(kind) or []
        matched, unmatched = match_by_name(names, s.cache.reference(items_key, []) or [], s.cache.get_setting(key) or {})
        s.cache.set_setting(key, matched)
        left += unmatched
    return {"left": left}


async def opening_balances(s: Step) -> dict[str, Any]:
    effective = date.fromisoformat(s.request["effective"]) if s.request.get("effective") else None
    async with await s.client() as client:
        return {"message": (await opening.import_opening_balances(s.cache, client, effective=effective)).summary()}


async def stock(s: Step) -> dict[str, Any]:
    async with await s.client() as client:
        done = await opening.import_stock_on_hand(s.cache, client, location=str(s.request.get("location")),
                                                  path=Path(str(s.request.get("path"))))
        await refresh(s.cache, client, "items")  # the items made inactive and recreated: the preflight reads them
    return {"message": done.summary()}


async def opening_journal(s: Step) -> dict[str, Any]:
    async with await s.client() as client:
        info = await opening.post_opening_inventory(s.cache, client)
    return {"message": f"Posted: JournalEntry {info['id']} on {info['date']}." if info["id"] else "Nothing to post."}


async def finish(s: Step) -> dict[str, Any]:
    """The wizard confirmed: the mode chosen (``state``'s, both ways if none) unless one is set, state done."""
    state = s.request.get("state") if isinstance(s.request.get("state"), dict) else {}
    if not s.cache.get_setting("integration_mode"):
        s.cache.set_setting("integration_mode", state.get("mode") or "both_ways")
    save_state(s.cache, {**state, "step": "done"})
    return {}


OPS: dict[str, Callable[[Step], Awaitable[dict[str, Any]]]] = {
    "show": show, "clear": clear, "connect-link": connect_link, "connect": connect, "reload": reload, "fix": fix,
    "map": map_accounts, "names": map_names, "opening-balances": opening_balances, "stock": stock,
    "opening-journal": opening_journal, "finish": finish,
}


@click.command("wizard-step", hidden=True)
@click.argument("op", type=click.Choice(list(OPS)))
@events_option
@click.pass_obj
@user_errors
def wizard_step_command(profile: Profile, op: str, events: bool) -> None:
    """One step of the connect wizard for the TUI (the request as JSON on stdin; see the module docstring)."""
    try:
        request = json.loads(sys.stdin.read() or "{}")
    except json.JSONDecodeError as exc:
        fail(f"not a JSON request: {exc}")
    private_dir(profile.path, tighten=True)
    step = Step(profile, profile.open(writer=True, command="qbtui wizard"), request if isinstance(request, dict) else {})
    try:
        data = run_async(OPS[op](step))
        data.update(settings=step.cache.settings(),
                    references={k: step.cache.reference(k, []) or [] for k in REFERENCES},
                    company=(step.cache.reference("company_info") or {}).get("CompanyName"))
    except (opening.OpeningError, WritesRefused) as exc:
        fail(str(exc), 1, error="refused")
    except (CacheError, SettingError, InsecureURL, ReconnectRequired, QBOFault, OSError, ValueError):
        raise  # said by user_errors
    except Exception as exc:  # noqa: BLE001 - a network failure and the like: said, never a traceback
        fail(str(exc) or type(exc).__name__)
    finally:
        step.cache.close()
    answer(op, data)


COMMANDS = [wizard_step_command]
