"""OAuth 2.0 (authorization code) for `qbtui connect` over SSH, and the refresh the client uses."""

from __future__ import annotations

import hmac
import logging
import re
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import httpx2

from .environment import SCOPE, Environment, require_secure
from .errors import QBOFault, ReconnectRequired, network_words, redact
from .tokens import Tokens, TokenStore

if TYPE_CHECKING:
    from authlib.integrations.httpx_client import AsyncOAuth2Client

# authlib (and the JOSE and crypto packages it brings, a tenth of a second) is imported where a token is asked
# for, not by every process that only sends with a token it has

log = logging.getLogger(__name__)

#: a QuickBooks company id (realmId) is a decimal number; it goes into every API path and is stored
REALM_ID = re.compile(r"[0-9]{1,32}")


def check_realm_id(value: object, where: str = "the realmId") -> str:
    """``value`` when it is a QuickBooks company id (ASCII digits only), else ValueError saying what to do:
    checked before it is stored or put in any URL."""
    if isinstance(value, str) and REALM_ID.fullmatch(value):
        return value
    shown = repr(value if not isinstance(value, str) or len(value) <= 40 else value[:40] + "...")
    raise ValueError(f"{where} {shown} is not a QuickBooks company id (digits only): paste the address the "
                     "browser landed on exactly as it is, or run `qbtui connect --print-auth-url` again")


def authorization_url(env: Environment, client_id: str, redirect_uri: str) -> tuple[str, str]:
    """The URL to open in a browser, and the `state` the caller keeps to check the redirect."""
    from authlib.common.security import generate_token
    from authlib.oauth2.rfc6749.parameters import prepare_grant_uri

    require_secure(env.authorize_url, "authorize URL")
    state = generate_token(30)
    url = prepare_grant_uri(env.authorize_url, client_id, "code", redirect_uri=redirect_uri, scope=SCOPE,
                            state=state)
    return url, state


def parse_redirect(pasted: str, expected_state: str) -> tuple[str, str]:
    """(code, realm_id) from the redirected URL the browser landed on, or just its query string."""
    text = re.sub(r"\s+", "", pasted or "")  # terminals wrap long lines
    if not text:
        raise ValueError("nothing pasted: paste the whole address the browser landed on after approving")
    if "://" in text:
        parts = urlsplit(text)
        query = parts.query or parts.fragment
    else:
        query = text.split("?", 1)[1] if "?" in text else text
        query = query.split("#", 1)[0]
    params = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
    if "error" in params:
        why = params.get("error_description") or ""
        error = params["error"]
        if error == "access_denied":
            raise ValueError("the connection was not approved in QuickBooks (access_denied): run `qbtui connect` "
                             "again and choose Connect")
        raise ValueError(f"QuickBooks refused the connection: {error}" + (f" ({why})" if why else ""))
    state = params.get("state")
    if not state:
        raise ValueError("the pasted address has no state: paste the whole address the browser landed on")
    if not expected_state or not hmac.compare_digest(state, expected_state):
        raise ValueError("the pasted address does not belong to this connection attempt (state mismatch): "
                         "start `qbtui connect` again and use the newest link")
    code = params.get("code")
    realm_id = params.get("realmId") or params.get("realmid")
    if not code:
        raise ValueError("the pasted address has no authorization code: paste the whole address")
    if not realm_id:
        raise ValueError("the pasted address has no realmId: choose a QuickBooks company when approving")
    return code, check_realm_id(realm_id, "the pasted address's realmId")


def _oauth_client(client_id: str, client_secret: str, transport: httpx2.AsyncBaseTransport | None,
                  **kw: Any) -> AsyncOAuth2Client:
    from authlib.integrations.httpx_client import AsyncOAuth2Client

    return AsyncOAuth2Client(client_id=client_id, client_secret=client_secret, scope=SCOPE, transport=transport,
                             timeout=60.0, headers={"Accept": "application/json"}, **kw)


async def _token_call(env: Environment, *, client_id: str, client_secret: str,
                      transport: httpx2.AsyncBaseTransport | None, what: str,
                      secrets: list[str | None], **params: Any) -> dict:
    """POST to the token endpoint; `invalid_grant` -> ReconnectRequired; other failures -> QBOFault."""
    from authlib.integrations.httpx_client import OAuthError

    require_secure(env.token_url, "token URL")
    secrets = [*secrets, client_secret]
    redirect_uri = params.pop("redirect_uri", None)
    try:
        async with _oauth_client(client_id, client_secret, transport, redirect_uri=redirect_uri) as oc:
            if params.get("grant_type") == "refresh_token":
                return dict(await oc.refresh_token(env.token_url, refresh_token=params["refresh_token"]))
            return dict(await oc.fetch_token(env.token_url, **params))
    except OAuthError as exc:
        if exc.error == "invalid_grant":
            log.info("%s refused: invalid_grant", what)  # said by the command: "run `qbtui connect` again"
            raise ReconnectRequired(status=400) from None
        desc = redact(str(exc.description or ""), secrets)
        log.info("%s refused: %s", what, exc.error)  # said by the command, with QuickBooks' description
        raise QBOFault(exc.error or "oauth_error", f"the QuickBooks {what} was refused", desc, status=400,
                       fault_type="OAUTH") from None
    except httpx2.HTTPStatusError as exc:
        raise QBOFault(str(exc.response.status_code), f"the QuickBooks {what} failed",
                       f"HTTP {exc.response.status_code} from the token endpoint",
                       status=exc.response.status_code, fault_type="OAUTH") from None
    except httpx2.HTTPError as exc:
        raise QBOFault("network", f"the QuickBooks {what} failed: could not reach the token endpoint",
                       network_words(exc), fault_type="OAUTH") from None
    except (ValueError, KeyError) as exc:  # not a token answer
        raise QBOFault("oauth_error", f"the QuickBooks {what} answered something that is not a token",
                       redact(str(exc), secrets), fault_type="OAUTH") from None


async def exchange_code(env: Environment, store: TokenStore, *, client_id: str, client_secret: str, code: str,
                        redirect_uri: str, realm_id: str,
                        transport: httpx2.AsyncBaseTransport | None = None) -> Tokens:
    """Trade the authorization code for tokens; saves them and the client secret (both 0600)."""
    check_realm_id(realm_id)
    data = await _token_call(env, client_id=client_id, client_secret=client_secret, transport=transport,
                             what="code exchange", secrets=[code], grant_type="authorization_code", code=code,
                             redirect_uri=redirect_uri)
    try:
        tokens = Tokens.from_token_response(data, realm_id=realm_id, client_id=client_id)
    except (KeyError, TypeError, ValueError):
        raise QBOFault("oauth_error", "the QuickBooks code exchange answered without tokens",
                       fault_type="OAUTH") from None
    async with store.refresh_lock():
        store.save_client_secret(client_secret)
        store.save(tokens)
    return tokens


async def refresh_tokens(env: Environment, store: TokenStore, *, client_id: str, client_secret: str,
                         stale_access_token: str | None, realm_id: str | None = None,
                         transport: httpx2.AsyncBaseTransport | None = None, leeway: float = 60.0) -> Tokens:
    """Refresh once for everyone: under the store's lock, re-read the file; if another task or process
    already refreshed (the access token on disk differs from the stale one and is fresh), use it.
    The rotated refresh token is saved before the new access token is returned."""
    async with store.refresh_lock():
        current = store.load()
        if current is None:
            raise ReconnectRequired(code="no_tokens")
        if current.access_token != stale_access_token and not current.access_expired(leeway):
            return current
        secrets = [current.access_token, current.refresh_token, stale_access_token]
        data = await _token_call(env, client_id=client_id, client_secret=client_secret, transport=transport,
                                 what="token refresh", secrets=secrets, grant_type="refresh_token",
                                 refresh_token=current.refresh_token)
        if "refresh_token" not in data:  # Intuit always rotates; keep the old one if it did not
            data["refresh_token"] = current.refresh_token
        try:
            tokens = Tokens.from_token_response(data, realm_id=realm_id or current.realm_id,
                                                client_id=client_id)
        except (KeyError, TypeError, ValueError):
            raise QBOFault("oauth_error", "the QuickBooks token refresh answered without tokens",
                           fault_type="OAUTH") from None
        store.save(tokens)  # persisted BEFORE the new access token is used
        log.info("QuickBooks tokens refreshed (access token valid %d s)", int(tokens.expires_at - time.time()))
        return tokens


async def revoke(env: Environment, store: TokenStore, *, client_id: str, client_secret: str,
                 transport: httpx2.AsyncBaseTransport | None = None) -> None:
    """Revoke the refresh token at Intuit (which ends the whole grant) and forget the tokens."""
    tokens = store.load()
    if tokens is None:
        return
    require_secure(env.revoke_url, "revoke URL")
    try:
        async with httpx2.AsyncClient(transport=transport, timeout=60.0) as http:
            resp = await http.post(env.revoke_url, json={"token": tokens.refresh_token},
                                   auth=httpx2.BasicAuth(client_id, client_secret),
                                   headers={"Accept": "application/json"})
    except httpx2.HTTPError as exc:
        raise QBOFault("network", "could not reach QuickBooks to revoke the connection", network_words(exc),
                       fault_type="OAUTH") from None
    if resp.status_code >= 500 or resp.status_code == 401:
        raise QBOFault(str(resp.status_code), "QuickBooks did not revoke the connection",
                       f"HTTP {resp.status_code} from the revoke endpoint", status=resp.status_code,
                       fault_type="OAUTH")
    # 200, or 400 for a token that is already dead: either way the grant is gone
    store.clear()
