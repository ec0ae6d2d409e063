"""OAuth against the sandbox: discovery, code exchange, refresh rotation, 401 handling, invalid_grant."""

import asyncio
import dataclasses
import logging
import os
import stat
import time

import pytest

from qbtui.qbo import QBOFault, ReconnectRequired, TokenStore, revoke
from qbtui.qbo.oauth import refresh_tokens

from .conftest import CLIENT_ID, CLIENT_SECRET, ROOT


async def test_discovery_and_code_exchange(sandbox):
    env = sandbox.env
    assert env.api_base == f"{ROOT}/v3"
    assert env.discovery_url == f"{ROOT}/.well-known/openid_configuration"
    assert env.token_url.startswith(ROOT) and env.revoke_url.startswith(ROOT)
    assert sandbox.tokens.realm_id == sandbox.company.realm_id
    assert sandbox.tokens.expires_at > time.time() + 3000
    store = sandbox.store
    assert store.load() == sandbox.tokens
    assert store.client_secret() == CLIENT_SECRET
    for path in (store.tokens_path, store.secret_path):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    async with sandbox.client() as c:
        info = await c.company_info()
        assert info["CompanyName"].startswith("Harbourside")
        prefs = await c.preferences()
        assert "AccountingInfoPrefs" in prefs


async def test_used_code_is_invalid_grant(sandbox):
    from qbtui.qbo import exchange_code
    with pytest.raises(ReconnectRequired) as err:
        await exchange_code(sandbox.env, sandbox.store, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                            code="AB1-not-a-code", redirect_uri="http://localhost:8123/callback",
                            realm_id="1", transport=sandbox.transport)
    assert "run `qbtui connect` again" in str(err.value)


async def test_refresh_rotates_and_old_refresh_token_dies_after_grace(make_sandbox):
    sb = await make_sandbox(refresh_grace_s=0.2)
    old = sb.store.load()
    sb.store.save(dataclasses.replace(old, expires_at=time.time() - 1))  # expired: the client refreshes first
    async with sb.client() as c:
        await c.company_info()
        assert c.stats.refreshes == 1
    new = sb.store.load()
    assert new.refresh_token != old.refresh_token and new.access_token != old.access_token
    # within the grace period the old refresh token still works; after it, invalid_grant -> reconnect
    await asyncio.sleep(0.3)
    stale_store = TokenStore(sb.store.directory.parent / "stale")
    stale_store.save(old)
    with pytest.raises(ReconnectRequired):
        await refresh_tokens(sb.env, stale_store, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                             stale_access_token=old.access_token, transport=sb.transport)
    assert stale_store.load() == old  # nothing lost on a failed refresh


async def test_401_refreshes_once_and_retries(sandbox):
    good = sandbox.store.load()
    sandbox.store.save(dataclasses.replace(good, access_token="eyJ-not-a-valid-access-token-000"))
    async with sandbox.client() as c:
        assert (await c.company_info())["Id"]
        assert c.stats.refreshes == 1
    assert sandbox.store.load().access_token not in (good.access_token, "eyJ-not-a-valid-access-token-000")


async def test_concurrent_401s_refresh_once(sandbox):
    good = sandbox.store.load()
    sandbox.store.save(dataclasses.replace(good, access_token="eyJ-not-a-valid-access-token-000"))
    before = len(sandbox.app.state.sandbox.tokens.data["refresh"])
    async with sandbox.client() as c:
        await asyncio.gather(*(c.preferences() for _ in range(8)))
    # one rotation: exactly one new refresh token was issued
    assert len(sandbox.app.state.sandbox.tokens.data["refresh"]) == before + 1


async def test_revoked_grant_raises_reconnect_and_leaks_no_secret(sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    tokens = sandbox.store.load()
    sandbox.app.state.sandbox.tokens.revoke(tokens.refresh_token)  # the user disconnected the app at Intuit
    async with sandbox.client() as c:
        with pytest.raises(ReconnectRequired) as err:
            await c.read("Customer", "1")
        texts = [str(err.value), repr(err.value), repr(c), repr(c.stats), repr(sandbox.store.load()),
                 caplog.text, *(str(a) for r in caplog.records for a in (r.args or ()))]
    assert str(err.value) == ("the QuickBooks connection has expired or was revoked: run `qbtui connect` again")
    for secret in (tokens.access_token, tokens.refresh_token, CLIENT_SECRET, tokens.access_token[:12]):
        for text in texts:
            assert secret not in text
    assert sandbox.store.load() == tokens  # the dead tokens stay until `connect` replaces them


async def test_refresh_failure_other_than_invalid_grant_is_a_fault(sandbox):
    from qbtui.qbo import Environment
    env = dataclasses.replace(sandbox.env, token_url=f"{ROOT}/no/such/token/endpoint")
    with pytest.raises(QBOFault) as err:
        await refresh_tokens(env, sandbox.store, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                             stale_access_token=sandbox.tokens.access_token, transport=sandbox.transport)
    assert not isinstance(err.value, ReconnectRequired)
    assert CLIENT_SECRET not in str(err.value) and sandbox.tokens.refresh_token not in str(err.value)
    assert isinstance(env, Environment)


async def test_revoke_clears_tokens_and_kills_the_grant(sandbox):
    tokens = sandbox.store.load()
    await revoke(sandbox.env, sandbox.store, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                 transport=sandbox.transport)
    assert sandbox.store.load() is None
    assert sandbox.app.state.sandbox.tokens.check_access(tokens.access_token) is not None
    await revoke(sandbox.env, sandbox.store, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                 transport=sandbox.transport)  # nothing left: a no-op


def _refresh_in_child(directory, env, stale, barrier, out):
    import asyncio as aio
    barrier.wait(10)
    tokens = aio.run(refresh_tokens(env, TokenStore(directory), client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                                    stale_access_token=stale))
    out.put(tokens.access_token)


def test_two_processes_refresh_once(tmp_path):
    """Both processes hold the same stale token; the second to take the lock uses the first one's refresh."""
    import multiprocessing

    import httpx2

    from qbtui.sandbox import SandboxConfig, serve_in_thread

    from .conftest import connect

    with serve_in_thread(SandboxConfig(company="empty", throttle="off")) as server:
        store = TokenStore(tmp_path / "profile")
        env, tokens = asyncio.run(connect(httpx2.AsyncHTTPTransport(), server.url, store))
        ctx = multiprocessing.get_context("fork")
        barrier, out = ctx.Barrier(2), ctx.Queue()
        procs = [ctx.Process(target=_refresh_in_child,
                             args=(str(store.directory), env, tokens.access_token, barrier, out)) for _ in range(2)]
        for p in procs:
            p.start()
        got = [out.get(timeout=20) for _ in procs]
        for p in procs:
            p.join(10)
        assert all(p.exitcode == 0 for p in procs)
        assert got[0] == got[1] != tokens.access_token
        assert store.load().access_token == got[0]
        rotated = [t for t, v in server.app.state.sandbox.tokens.data["refresh"].items() if v["dead_after"]]
        assert rotated == [tokens.refresh_token]  # one refresh at the server, not two
