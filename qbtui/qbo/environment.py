"""Where QuickBooks is: Intuit's production and sandbox endpoints, or a qbtui sandbox found by discovery."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:  # imported where a request is made: a command that only names InsecureURL starts without it
    import httpx2

SCOPE = "com.intuit.quickbooks.accounting"
MINOR_VERSION = "75"

_AUTHORIZE = "https://appcenter.intuit.com/connect/oauth2"
_TOKEN = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"
_REVOKE = "https://developer.api.intuit.com/v2/oauth2/tokens/revoke"


class InsecureURL(ValueError):
    """A non-loopback API or token URL that is not HTTPS."""


@dataclass(frozen=True)
class Environment:
    name: str
    api_base: str  # ".../v3"
    authorize_url: str
    token_url: str
    revoke_url: str
    discovery_url: str
    #: a qbtui sandbox started with --time-scale X shortens QBO's rate windows X times (its discovery says so)
    time_scale: float = 1.0


PRODUCTION = Environment(
    name="production",
    api_base="https://quickbooks.api.intuit.com/v3",
    authorize_url=_AUTHORIZE,
    token_url=_TOKEN,
    revoke_url=_REVOKE,
    discovery_url="https://developer.intuit.com/.well-known/openid_configuration",
)

SANDBOX = Environment(
    name="sandbox",
    api_base="https://sandbox-quickbooks.api.intuit.com/v3",
    authorize_url=_AUTHORIZE,
    token_url=_TOKEN,
    revoke_url=_REVOKE,
    discovery_url="https://developer.intuit.com/.well-known/openid_sandbox_configuration",
)


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def require_secure(url: str, what: str = "URL") -> str:
    """Return `url` if it is HTTPS, or plain HTTP on loopback (127.0.0.0/8, ::1, localhost); else raise."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and is_loopback(parts.hostname):
        return url
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InsecureURL(f"the {what} {url!r} is not an http(s) URL")
    raise InsecureURL(f"refusing the {what} {url!r}: QuickBooks traffic needs HTTPS unless the server is on "
                      f"this machine (127.0.0.1, ::1, localhost)")


def _check(env: Environment) -> Environment:
    require_secure(env.api_base, "API URL")
    require_secure(env.token_url, "token URL")
    require_secure(env.revoke_url, "revoke URL")
    require_secure(env.authorize_url, "authorize URL")
    return env


async def resolve_environment(spec: str, *, transport: httpx2.AsyncBaseTransport | None = None) -> Environment:
    """`production`, `sandbox`, or the root URL of a qbtui sandbox (OAuth from its discovery document)."""
    key = spec.strip()
    if key.lower() == "production":
        return PRODUCTION
    if key.lower() == "sandbox":
        return SANDBOX
    if "://" not in key:
        raise ValueError(f"unknown environment {spec!r}: use production, sandbox or the URL of a qbtui sandbox")
    root = key.rstrip("/")
    require_secure(root, "environment URL")
    discovery_url = f"{root}/.well-known/openid_configuration"
    import httpx2

    try:
        async with httpx2.AsyncClient(transport=transport, timeout=30.0) as http:
            resp = await http.get(discovery_url, headers={"Accept": "application/json"})
    except httpx2.HTTPError as exc:
        from qbtui.qbo.errors import network_words

        raise ValueError(f"could not reach {discovery_url}: {network_words(exc)}") from None
    if resp.status_code != 200:
        raise ValueError(f"{discovery_url} answered HTTP {resp.status_code}: is {root} a qbtui sandbox?")
    try:
        doc = resp.json()
        env = Environment(
            name=root,
            api_base=f"{root}/v3",
            authorize_url=str(doc["authorization_endpoint"]),
            token_url=str(doc["token_endpoint"]),
            revoke_url=str(doc["revocation_endpoint"]),
            discovery_url=discovery_url,
            time_scale=float(doc.get("qbtui_time_scale") or 1.0),
        )
    except (ValueError, KeyError, TypeError):
        raise ValueError(f"{discovery_url} is not an OpenID discovery document with authorization, token and "
                         f"revocation endpoints") from None
    return _check(env)
