"""A profile's QBO connection: connecting (OAuth over SSH), and making a client from what was stored.

Settings written by ``qbtui connect``: ``environment`` (production, sandbox or a sandbox URL),
``realm_id``, ``client_id``, ``redirect_uri``, and while a connection is half done ``oauth_state``.
Tokens and the client secret live in the profile's ``auth/`` folder (mode 0600, written
atomically) through :class:`TokenStore`.
"""

from __future__ import annotations

from pathlib import Path

import httpx2

from qbtui.cache import Cache
from qbtui.qbo import (
    QBOClient,
    ReconnectRequired,
    TokenStore,
    authorization_url,
    exchange_code,
    parse_redirect,
    resolve_environment,
)
from qbtui.sync.readonly import is_read_only

PLAYGROUND_REDIRECT = "https://developer.intuit.com/v2/OAuth2Playground/RedirectUrl"


class NotConnected(Exception):
    pass


def token_store(profile_path: Path) -> TokenStore:
    return TokenStore(profile_path / "auth")


def default_redirect_uri(environment: str) -> str:
    """Intuit's playground page for Intuit's environments (nothing to host); a loopback address for a qbtui
    sandbox (never fetched: the address bar is what gets pasted back)."""
    if environment in ("production", "sandbox"):
        return PLAYGROUND_REDIRECT
    return "http://localhost/qbtui-callback"


async def begin_connect(cache: Cache, profile_path: Path, *, environment: str, client_id: str, client_secret: str,
                        redirect_uri: str | None = None, transport: httpx2.AsyncBaseTransport | None = None) -> str:
    """Step one: the authorize URL (state saved in the profile, secret stored 0600)."""
    env = await resolve_environment(environment, transport=transport)
    redirect_uri = redirect_uri or default_redirect_uri(environment)
    url, state = authorization_url(env, client_id, redirect_uri)
    token_store(profile_path).save_client_secret(client_secret)
    cache.set_setting("oauth_pending", {"state": state, "environment": environment, "client_id": client_id,
                                        "redirect_uri": redirect_uri})
    return url


async def finish_connect(cache: Cache, profile_path: Path, pasted: str,
                         transport: httpx2.AsyncBaseTransport | None = None) -> str:
    """Step two: check the pasted redirect against the saved state, trade the code for tokens. Returns realmId."""
    pending = cache.get_setting("oauth_pending")
    if not pending:
        raise ValueError("no connection is being made: run `qbtui connect --print-auth-url` first")
    code, realm_id = parse_redirect(pasted, pending["state"])
    env = await resolve_environment(pending["environment"], transport=transport)
    store = token_store(profile_path)
    secret = store.client_secret()
    if not secret:
        raise ValueError("the client secret is missing: run `qbtui connect --print-auth-url` again")
    await exchange_code(env, store, client_id=pending["client_id"], client_secret=secret, code=code,
                        redirect_uri=pending["redirect_uri"], realm_id=realm_id, transport=transport)
    for key in ("environment", "client_id", "redirect_uri"):
        cache.set_setting(key, pending[key])
    cache.set_setting("realm_id", realm_id)
    cache.set_setting("oauth_pending", None)
    return realm_id


async def open_client(cache: Cache, profile_path: Path, *, transport: httpx2.AsyncBaseTransport | None = None) -> QBOClient:
    """A client for the profile's company; NotConnected or ReconnectRequired with a clear message otherwise."""
    environment, realm_id = cache.get_setting("environment"), cache.get_setting("realm_id")
    if not realm_id or not environment:
        raise NotConnected("this profile is not connected to QuickBooks: run `qbtui connect` (or try `qbtui demo`)")
    store = token_store(profile_path)
    secret = store.client_secret()
    if store.load() is None or not secret:
        raise ReconnectRequired()
    env = await resolve_environment(environment, transport=transport)
    return QBOClient(env, store, realm_id=realm_id, client_id=cache.get_setting("client_id"), client_secret=secret,
                     transport=transport, time_scale=float(cache.get_setting("time_scale") or env.time_scale or 1.0),
                     read_only=is_read_only(cache))
