"""OAuth 2.0 as Intuit runs it: authorize, code exchange, refresh rotation with grace, revoke, expiry."""

from __future__ import annotations

import httpx2
import pytest

from qbtui.sandbox import SandboxConfig, create_app


class Clock:
    def __init__(self, t: float = 1_800_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


async def connect(c: httpx2.AsyncClient) -> dict:
    answer = await c.get("/oauth2/authorize", params={"client_id": "any", "redirect_uri": "http://localhost:9/cb?x=1",
                                                       "response_type": "code", "state": "st8",
                                                       "scope": "com.intuit.quickbooks.accounting"})
    assert answer.status_code == 302
    params = httpx2.URL(answer.headers["location"]).params
    assert params["state"] == "st8" and params["x"] == "1" and params["realmId"]
    token = await c.post("/oauth2/v1/tokens/bearer", auth=("any-id", "any-secret"),
                         data={"grant_type": "authorization_code", "code": params["code"],
                               "redirect_uri": "http://localhost:9/cb?x=1"})
    assert token.status_code == 200
    return {**token.json(), "realm": params["realmId"]}


async def api_status(c, tokens, access=None) -> int:
    answer = await c.get(f"/v3/company/{tokens['realm']}/companyinfo/{tokens['realm']}",
                         headers={"Authorization": f"Bearer {access or tokens['access_token']}"})
    return answer.status_code


async def refresh(c, token: str) -> httpx2.Response:
    return await c.post("/oauth2/v1/tokens/bearer", auth=("any-id", "any-secret"),
                        data={"grant_type": "refresh_token", "refresh_token": token})


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
async def oc(clock):
    app = create_app(SandboxConfig(throttle="off", token_ttl=60, refresh_grace_s=120, wall_clock=clock))
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://sb") as c:
        yield c


async def test_discovery_has_what_intuitlib_reads(oc):
    doc = (await oc.get("/.well-known/openid_configuration")).json()
    for key in ("issuer", "authorization_endpoint", "token_endpoint", "revocation_endpoint", "jwks_uri",
                "userinfo_endpoint"):
        assert doc[key].startswith("http://sb")


async def test_code_flow_and_expiry(oc, clock):
    tokens = await connect(oc)
    assert tokens["expires_in"] == 60 and tokens["token_type"] == "bearer"
    assert await api_status(oc, tokens) == 200
    clock.t += 61
    assert await api_status(oc, tokens) == 401  # expired
    fresh = (await refresh(oc, tokens["refresh_token"])).json()
    assert await api_status(oc, tokens, fresh["access_token"]) == 200


async def test_refresh_rotates_and_old_token_dies_after_grace(oc, clock):
    tokens = await connect(oc)
    first = await refresh(oc, tokens["refresh_token"])
    assert first.status_code == 200
    new_refresh = first.json()["refresh_token"]
    assert new_refresh != tokens["refresh_token"]
    clock.t += 100  # within the 120 s grace the old one still works
    assert (await refresh(oc, tokens["refresh_token"])).status_code == 200
    clock.t += 30  # past the grace
    dead = await refresh(oc, tokens["refresh_token"])
    assert dead.status_code == 400 and dead.json() == {"error": "invalid_grant"}
    assert (await refresh(oc, new_refresh)).status_code == 200


async def test_bad_grants_and_client_auth(oc):
    assert (await refresh(oc, "never-issued")).json() == {"error": "invalid_grant"}
    no_auth = await oc.post("/oauth2/v1/tokens/bearer", data={"grant_type": "refresh_token", "refresh_token": "x"})
    assert no_auth.status_code == 401 and no_auth.json()["error"] == "invalid_client"
    assert (await oc.get("/oauth2/authorize", params={"client_id": "a"})).status_code == 400


async def test_revoke_kills_the_whole_grant(oc):
    tokens = await connect(oc)
    answer = await oc.post("/oauth2/v1/tokens/revoke", auth=("any-id", "any-secret"),
                           json={"token": tokens["refresh_token"]})
    assert answer.status_code == 200
    assert await api_status(oc, tokens) == 401
    assert (await refresh(oc, tokens["refresh_token"])).json() == {"error": "invalid_grant"}


async def test_oauth_is_never_faulted_or_throttled():
    app = create_app(SandboxConfig(faults="http500=1.0", clock=lambda: 0.0))
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://sb") as c:
        for _ in range(25):
            assert (await c.get("/.well-known/openid_configuration")).status_code == 200
        tokens = await connect(c)
        assert await api_status(c, tokens) == 500  # the API is faulted
