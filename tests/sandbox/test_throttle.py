"""QBO's limits: 10/s, 500/min, 40 batches/min, 10 in flight; 429 with the XML body."""

from __future__ import annotations

import asyncio

import httpx2
import pytest

from qbtui.sandbox import SandboxConfig, ThrottleLimits, create_app, serve_in_thread

from .conftest import bearer


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def make(clock, **kw):
    app = create_app(SandboxConfig(clock=clock, **kw))
    c = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://sb", headers=bearer(app))
    return app, c, f"/v3/company/{app.state.company.realm_id}"


async def test_per_second_then_per_minute_budget_with_time_scale():
    clock = Clock()
    app, c, realm = make(clock, time_scale=60)  # one-second "minute" window, 1/60 s "second" window
    async with c:
        async def burst(n):
            return [(await c.get(f"{realm}/preferences")).status_code for _ in range(n)]

        assert await burst(11) == [200] * 10 + [429]
        ok = 10
        for _ in range(49):  # 10 per 1/60 s until the 500 of the (scaled) minute are spent
            clock.t += 1 / 60 + 1e-6
            ok += (await burst(10)).count(200)
        assert ok == 500
        clock.t += 1 / 60 + 1e-6
        answer = await c.get(f"{realm}/preferences")
        assert answer.status_code == 429 and answer.headers["content-type"].startswith("application/xml")
        assert b"ThrottleExceeded" in answer.content
        clock.t += 1.0  # the scaled minute has passed
        assert (await c.get(f"{realm}/preferences")).status_code == 200


async def test_forty_batches_a_minute():
    clock = Clock()
    app, c, realm = make(clock)
    body = {"BatchItemRequest": [{"bId": "1", "Query": "select * from Term"}]}
    async with c:
        codes = []
        for _ in range(41):
            clock.t += 0.2  # stay under 10/s
            codes.append((await c.post(f"{realm}/batch", json=body)).status_code)
        assert codes == [200] * 40 + [429]
        assert (await c.get(f"{realm}/preferences")).status_code == 200  # single requests still go
        clock.t += 60
        assert (await c.post(f"{realm}/batch", json=body)).status_code == 200


async def test_more_than_ten_concurrent_get_429():
    clock = Clock()

    def ticking():
        clock.t += 1.0  # every request lands in a new second: only concurrency can refuse
        return clock.t

    app, c, realm = make(ticking, latency_ms=300)
    async with c:
        answers = await asyncio.gather(*[c.get(f"{realm}/preferences") for _ in range(15)])
    codes = sorted(a.status_code for a in answers)
    assert codes == [200] * 10 + [429] * 5
    assert app.state.sandbox.throttle.in_flight == 0


def test_flood_over_loopback_with_one_second_windows():
    """Real clock, real sockets: the 11th request inside one second gets the XML 429."""
    with serve_in_thread(SandboxConfig(time_scale=1.0)) as sb:
        headers = bearer(sb.app)
        url = f"{sb.url}/v3/company/{sb.company.realm_id}/preferences"
        with httpx2.Client(headers=headers) as c:
            answers = [c.get(url) for _ in range(15)]
        codes = [a.status_code for a in answers]
        assert codes[:10] == [200] * 10 and 429 in codes[10:]
        refused = answers[codes.index(429)]
        assert refused.headers["content-type"].startswith("application/xml")
        assert b'<Error code="3001">' in refused.content


async def test_concurrency_over_loopback():
    # a high per-second budget, so that only the 10-in-flight limit can refuse
    with serve_in_thread(SandboxConfig(latency_ms=800, limits=ThrottleLimits(per_second=100))) as sb:
        url = f"{sb.url}/v3/company/{sb.company.realm_id}/preferences"
        limits = httpx2.Limits(max_connections=20)
        async with httpx2.AsyncClient(headers=bearer(sb.app), limits=limits) as c:
            answers = await asyncio.gather(*[c.get(url) for _ in range(14)])
        codes = sorted(a.status_code for a in answers)
        assert codes == [200] * 10 + [429] * 4


async def test_throttle_off_lets_everything_through():
    app, c, realm = make(lambda: 0.0, throttle="off")
    async with c:
        codes = {(await c.get(f"{realm}/preferences")).status_code for _ in range(30)}
    assert codes == {200}


@pytest.mark.parametrize("n", [30, 31])
async def test_batch_item_limit(n, client):
    body = {"BatchItemRequest": [{"bId": str(i), "Query": "select * from Term"} for i in range(n)]}
    answer = await client.post(f"{client.realm}/batch", json=body)
    assert answer.status_code == (200 if n == 30 else 400)


async def test_latency_delays_each_answer():
    import time

    app, c, realm = make(lambda: 0.0, throttle="off", latency_ms=150)
    async with c:
        started = time.monotonic()
        assert (await c.get(f"{realm}/preferences")).status_code == 200
        assert time.monotonic() - started >= 0.14
        started = time.monotonic()
        assert (await c.get("/.well-known/openid_configuration")).status_code == 200
        assert time.monotonic() - started < 0.1  # OAuth and discovery are not delayed
