"""Sandbox fixtures: a uvicorn sandbox on loopback, a python-quickbooks client, an in-process client."""

from __future__ import annotations

import os
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
import requests

from qbtui.sandbox import SandboxConfig, create_app, serve_in_thread
from tests.support.profiles import unique

__all__ = ["bearer", "unique"]

os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")  # plain http on loopback


@pytest.fixture(scope="module")
def server():
    with serve_in_thread(SandboxConfig(company="demo", throttle="off")) as sb:
        yield sb


def connect_intuitlib(root: str):
    """The whole OAuth dance through intuitlib (Intuit's own client), as a user would do it."""
    from intuitlib.client import AuthClient
    from intuitlib.enums import Scopes

    auth = AuthClient("client-id", "client-secret", "http://localhost:8123/callback",
                      environment=f"{root}/.well-known/openid_configuration")
    url = auth.get_authorization_url([Scopes.ACCOUNTING])
    answer = requests.get(url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert query["state"] == [auth.state_token]
    auth.get_bearer_token(query["code"][0], realm_id=query["realmId"][0])
    return auth


@pytest.fixture(scope="module")
def qb(server):
    from quickbooks import QuickBooks

    auth = connect_intuitlib(server.url)
    saved = QuickBooks.api_url_v3
    QuickBooks.api_url_v3 = server.api_url
    client = QuickBooks(auth_client=auth, refresh_token=auth.refresh_token, company_id=auth.realm_id,
                        minorversion=75)
    yield client
    QuickBooks.api_url_v3 = saved


@pytest.fixture
def app():
    return create_app(SandboxConfig(company="demo", throttle="off"))


def bearer(app) -> dict[str, str]:
    token = app.state.sandbox.tokens._issue("test")["access_token"]
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def client(app):
    """An in-process client already holding a valid token; `client.realm` is the company path."""
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://sandbox.test",
                                  headers=bearer(app)) as c:
        c.realm = f"/v3/company/{app.state.company.realm_id}"
        yield c
