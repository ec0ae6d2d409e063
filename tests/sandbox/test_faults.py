"""--faults: http500 answers 500 without acting; drop_after_commit acts then drops the connection with no
answer; timeout neither acts nor answers. Only on /v3/company/..."""

from __future__ import annotations

import time

import httpx2
import pytest

from qbtui.sandbox import FaultSpec, SandboxConfig, create_app, parse_faults, serve_in_thread

from .conftest import bearer, unique


def names(company) -> set[str]:
    return {c["DisplayName"] for c in company.objects["Customer"].values()}


def test_parse_faults():
    assert parse_faults("http500=0.05, drop_after_commit=0.05,timeout=0.02") == \
        FaultSpec(http500=0.05, drop_after_commit=0.05, timeout=0.02)
    assert parse_faults("") == FaultSpec()
    for bad in ("http500", "bogus=0.1", "http500=2", "http500=x", "http500=0.6,timeout=0.6"):
        with pytest.raises(ValueError):
            parse_faults(bad)


def test_drop_after_commit_over_loopback_then_requestid_replays():
    with serve_in_thread(SandboxConfig(throttle="off", faults="drop_after_commit=1.0")) as sb:
        url = f"{sb.url}/v3/company/{sb.company.realm_id}/customer"
        name, rid = unique("Drop"), unique("rid")
        with httpx2.Client(headers=bearer(sb.app)) as c:
            with pytest.raises(httpx2.RemoteProtocolError) as err:  # no status line at all
                c.post(url, params={"requestid": rid}, json={"DisplayName": name})
            assert "without sending" in str(err.value)
        assert name in names(sb.company)  # it acted
        sb.app.state.sandbox.faults.spec = FaultSpec()
        with httpx2.Client(headers=bearer(sb.app)) as c:
            again = c.post(url, params={"requestid": rid}, json={"DisplayName": name})
        assert again.status_code == 200  # the first answer, not 6240
        created = [c for c in sb.company.objects["Customer"].values() if c["DisplayName"] == name]
        assert [again.json()["Customer"]["Id"]] == [c["Id"] for c in created]


def test_timeout_holds_then_drops_without_acting():
    with serve_in_thread(SandboxConfig(throttle="off", faults="timeout=1.0", fault_hold_s=0.3)) as sb:
        url = f"{sb.url}/v3/company/{sb.company.realm_id}/customer"
        name = unique("Timeout")
        started = time.monotonic()
        with httpx2.Client(headers=bearer(sb.app)) as c:
            with pytest.raises(httpx2.RemoteProtocolError):
                c.post(url, json={"DisplayName": name})
        assert time.monotonic() - started >= 0.29
        assert name not in names(sb.company)


async def test_http500_does_not_act():
    app = create_app(SandboxConfig(throttle="off", faults="http500=1.0"))
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://sb",
                                  headers=bearer(app)) as c:
        name = unique("F500")
        answer = await c.post(f"/v3/company/{app.state.company.realm_id}/customer", json={"DisplayName": name})
    assert answer.status_code == 500
    assert answer.json()["Fault"]["Error"][0]["code"] == "10000"
    assert name not in names(app.state.company)


async def test_seeded_faults_are_reproducible():
    def run(seed):
        app = create_app(SandboxConfig(faults="http500=0.3,timeout=0.2", fault_seed=seed))
        return [app.state.sandbox.faults.decide() for _ in range(200)]

    assert run(7) == run(7)
    outcomes = run(7)
    assert 40 < outcomes.count("http500") < 80 and 20 < outcomes.count("timeout") < 60


async def test_in_process_drop_raises():
    from qbtui.sandbox.faults import ConnectionDropped

    app = create_app(SandboxConfig(throttle="off", faults="drop_after_commit=1.0"))
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://sb",
                                  headers=bearer(app)) as c:
        name = unique("InProc")
        with pytest.raises(ConnectionDropped):
            await c.post(f"/v3/company/{app.state.company.realm_id}/customer", json={"DisplayName": name})
    assert name in names(app.state.company)
