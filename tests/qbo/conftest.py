"""A connected qbtui sandbox for the client tests: in-process over ASGITransport (no network)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest

from qbtui.qbo import (
    Environment,
    QBOClient,
    Tokens,
    TokenStore,
    authorization_url,
    exchange_code,
    parse_redirect,
    resolve_environment,
)
from qbtui.sandbox import create_app
from tests.support.profiles import ROOT, sandbox_config, unique

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "REDIRECT", "ROOT", "unique"]

REDIRECT = "http://localhost:8123/callback"
CLIENT_ID = "client-id-1"
CLIENT_SECRET = "client-secret-never-printed-7f3a9c"


async def connect(transport: httpx2.AsyncBaseTransport, root: str, store: TokenStore) -> tuple[Environment, Tokens]:
    """The whole SSH flow: discovery, authorize URL, the browser's redirect, pasted back, code exchange."""
    env = await resolve_environment(root, transport=transport)
    url, state = authorization_url(env, CLIENT_ID, REDIRECT)
    async with httpx2.AsyncClient(transport=transport) as browser:
        landed = (await browser.get(url)).headers["location"]
    code, realm_id = parse_redirect(landed, state)
    tokens = await exchange_code(env, store, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=code,
                                 redirect_uri=REDIRECT, realm_id=realm_id, transport=transport)
    return env, tokens


@dataclass
class Connected:
    app: object
    transport: httpx2.ASGITransport
    env: Environment
    store: TokenStore
    tokens: Tokens

    @property
    def company(self):
        return self.app.state.company

    def client(self, **kw) -> QBOClient:
        kw.setdefault("transport", self.transport)
        kw.setdefault("time_scale", 60)  # the client's own throttle at QBO's real pace would make tests slow
        return QBOClient(self.env, self.store, realm_id=self.tokens.realm_id, client_id=CLIENT_ID,
                         client_secret=CLIENT_SECRET, **kw)


@pytest.fixture
def make_sandbox(tmp_path: Path):
    async def make(**config) -> Connected:
        app = create_app(sandbox_config(**config))
        transport = httpx2.ASGITransport(app=app)
        store = TokenStore(tmp_path / unique("profile"))
        env, tokens = await connect(transport, ROOT, store)
        return Connected(app, transport, env, store, tokens)
    return make


@pytest.fixture
async def sandbox(make_sandbox) -> Connected:
    return await make_sandbox()


@pytest.fixture
async def client(sandbox):
    async with sandbox.client() as c:
        yield c
