"""OAuth 2.0 as Intuit runs it: discovery, authorize (approves at once), token, revoke, userinfo."""

from __future__ import annotations

import base64
import secrets
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from .config import SandboxConfig
from .errors import invalid_grant_body

SCOPE = "com.intuit.quickbooks.accounting"
CODE_TTL_S = 600.0


class TokenStore:
    """Access and refresh tokens, kept in the company's `oauth` dict (so `--state` keeps them).

    `access`: token -> {"exp", "family"}; `refresh`: token -> {"exp", "family", "dead_after"};
    `codes`: code -> {"exp", "client_id"}; `revoked`: families revoked.
    """

    def __init__(self, data: dict[str, Any], config: SandboxConfig) -> None:
        self.data = data
        for key in ("access", "refresh", "codes"):
            data.setdefault(key, {})
        data.setdefault("revoked", [])
        self.config = config

    def now(self) -> float:
        return self.config.wall_clock()

    def _family_alive(self, family: str) -> bool:
        return family not in self.data["revoked"]

    def issue_code(self, client_id: str) -> str:
        code = "AB1" + secrets.token_urlsafe(24)
        self.data["codes"][code] = {"exp": self.now() + CODE_TTL_S, "client_id": client_id}
        return code

    def _issue(self, family: str) -> dict[str, Any]:
        now = self.now()
        access = "eyJ" + secrets.token_urlsafe(48)
        refresh = "AB1" + secrets.token_urlsafe(36)
        self.data["access"][access] = {"exp": now + self.config.token_ttl, "family": family}
        self.data["refresh"][refresh] = {"exp": now + self.config.refresh_ttl, "family": family,
                                         "dead_after": None}
        self._prune(now)
        return {"token_type": "bearer", "expires_in": int(self.config.token_ttl), "refresh_token": refresh,
                "x_refresh_token_expires_in": int(self.config.refresh_ttl), "access_token": access}

    def _prune(self, now: float) -> None:
        for table in ("access", "codes"):
            stale = [t for t, v in self.data[table].items() if v["exp"] < now]
            for t in stale:
                del self.data[table][t]
        stale = [t for t, v in self.data["refresh"].items()
                 if v["exp"] < now or (v["dead_after"] is not None and v["dead_after"] < now)]
        for t in stale:
            del self.data["refresh"][t]

    def exchange_code(self, code: str) -> dict[str, Any] | None:
        entry = self.data["codes"].pop(code, None)
        if entry is None or entry["exp"] < self.now():
            return None
        return self._issue(secrets.token_hex(8))

    def refresh(self, token: str) -> dict[str, Any] | None:
        entry = self.data["refresh"].get(token)
        now = self.now()
        if entry is None or not self._family_alive(entry["family"]) or entry["exp"] < now:
            return None
        if entry["dead_after"] is not None and entry["dead_after"] < now:
            return None
        if entry["dead_after"] is None:
            entry["dead_after"] = now + self.config.refresh_grace_s
        return self._issue(entry["family"])

    def revoke(self, token: str) -> bool:
        entry = self.data["refresh"].get(token) or self.data["access"].get(token)
        if entry is None:
            return False
        self.data["revoked"].append(entry["family"])
        fam = entry["family"]
        for table in ("access", "refresh"):
            for t in [t for t, v in self.data[table].items() if v["family"] == fam]:
                del self.data[table][t]
        return True

    def check_access(self, token: str) -> str | None:
        """None when the token is good, else the reason (the 401 detail)."""
        entry = self.data["access"].get(token)
        if entry is None:
            return f"Token revoked or unknown: {token[:12]}..."
        if not self._family_alive(entry["family"]):
            return f"Token revoked: {token[:12]}..."
        if entry["exp"] < self.now():
            return f"Token expired: {token[:12]}..."
        return None


def _root(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def discovery(request: Request) -> Response:
    root = _root(request)
    return JSONResponse({
        "issuer": root,
        "authorization_endpoint": f"{root}/oauth2/authorize",
        "token_endpoint": f"{root}/oauth2/v1/tokens/bearer",
        "userinfo_endpoint": f"{root}/oauth2/v1/openid_connect/userinfo",
        "revocation_endpoint": f"{root}/oauth2/v1/tokens/revoke",
        "jwks_uri": f"{root}/oauth2/v1/keys",
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "profile", "address", "phone", SCOPE, "com.intuit.quickbooks.payment"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "claims_supported": ["aud", "exp", "iat", "iss", "realmid", "sub"],
        # not in Intuit's document: a qbtui client paces itself to this sandbox's --time-scale
        "qbtui_time_scale": getattr(getattr(request.app.state, "config", None), "time_scale", 1.0),
    })


def _oauth_error(error: str, status: int = 400, description: str | None = None) -> Response:
    body: dict[str, Any] = {"error": error}
    if description:
        body["error_description"] = description
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            raw = base64.b64decode(header[6:].strip()).decode()
        except Exception:
            return None
        cid, sep, secret = raw.partition(":")
        return (cid, secret) if sep and cid else None
    if form.get("client_id") and form.get("client_secret"):
        return form["client_id"], form["client_secret"]
    return None


def make_routes(app_state) -> list[Route]:
    """OAuth routes; `app_state` gives `.tokens` (TokenStore), `.company`, `.mark_dirty()`."""

    async def authorize(request: Request) -> Response:
        q = request.query_params
        redirect = q.get("redirect_uri")
        if not redirect:
            return _oauth_error("invalid_request", description="redirect_uri is required")
        if q.get("response_type", "code") != "code":
            return _oauth_error("unsupported_response_type")
        if not q.get("client_id"):
            return _oauth_error("invalid_client", description="client_id is required")
        code = app_state.tokens.issue_code(q["client_id"])
        app_state.mark_dirty()
        parts = urlsplit(redirect)
        params = parse_qsl(parts.query, keep_blank_values=True)
        params += [("code", code), ("state", q.get("state", "")), ("realmId", app_state.company.realm_id)]
        return RedirectResponse(urlunsplit(parts._replace(query=urlencode(params))), status_code=302)

    async def token(request: Request) -> Response:
        raw = (await request.body()).decode()
        form = dict(parse_qsl(raw, keep_blank_values=True))
        if _client_credentials(request, form) is None:
            return _oauth_error("invalid_client", status=401)
        grant = form.get("grant_type")
        if grant == "authorization_code":
            result = app_state.tokens.exchange_code(form.get("code", ""))
        elif grant == "refresh_token":
            result = app_state.tokens.refresh(form.get("refresh_token", ""))
        else:
            return _oauth_error("unsupported_grant_type")
        if result is None:
            return Response(orjson.dumps(invalid_grant_body()), status_code=400, media_type="application/json")
        app_state.mark_dirty()
        return Response(orjson.dumps(result), media_type="application/json",
                        headers={"Cache-Control": "no-cache, no-store", "Pragma": "no-cache"})

    async def revoke(request: Request) -> Response:
        raw = await request.body()
        token_value = ""
        if raw.strip().startswith(b"{"):
            try:
                token_value = str(orjson.loads(raw).get("token", ""))
            except orjson.JSONDecodeError:
                return _oauth_error("invalid_request")
        else:
            token_value = dict(parse_qsl(raw.decode())).get("token", "")
        form = {}
        if _client_credentials(request, form) is None:
            return _oauth_error("invalid_client", status=401)
        if not token_value:
            return _oauth_error("invalid_request", description="token is required")
        app_state.tokens.revoke(token_value)  # unknown tokens: 200 all the same (RFC 7009)
        app_state.mark_dirty()
        return Response(b"", status_code=200)

    async def userinfo(request: Request) -> Response:
        header = request.headers.get("authorization", "")
        tok = header[7:].strip() if header.lower().startswith("bearer ") else ""
        if not tok or app_state.tokens.check_access(tok) is not None:
            return _oauth_error("invalid_token", status=401)
        return JSONResponse({"sub": "sandbox-user", "email": "owner@example.test", "emailVerified": True,
                             "givenName": "Sandbox", "familyName": "Owner", "realmid": app_state.company.realm_id})

    async def keys(request: Request) -> Response:
        return JSONResponse({"keys": []})

    return [
        Route("/.well-known/openid_configuration", discovery),
        Route("/.well-known/openid_sandbox_configuration", discovery),
        Route("/oauth2/authorize", authorize),
        Route("/connect/oauth2", authorize),
        Route("/oauth2/v1/tokens/bearer", token, methods=["POST"]),
        Route("/oauth2/v1/tokens/revoke", revoke, methods=["POST"]),
        Route("/v2/oauth2/tokens/revoke", revoke, methods=["POST"]),
        Route("/oauth2/v1/openid_connect/userinfo", userinfo),
        Route("/oauth2/v1/keys", keys),
    ]
