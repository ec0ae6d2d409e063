"""--state FILE keeps the company (and the connection) between runs; the CLI refuses remote binds."""

from __future__ import annotations

import httpx2
import orjson
from click.testing import CliRunner

from qbtui.sandbox import SandboxConfig, cli as sandbox_cli, serve_in_thread
from qbtui.sandbox.state import load, save

from .conftest import unique


def connect(root: str) -> dict:
    with httpx2.Client(base_url=root) as c:
        loc = c.get("/oauth2/authorize", params={"client_id": "a", "redirect_uri": "http://localhost/cb",
                                                  "response_type": "code", "state": "s"}).headers["location"]
        code = httpx2.URL(loc).params["code"]
        return c.post("/oauth2/v1/tokens/bearer", auth=("a", "b"),
                      data={"grant_type": "authorization_code", "code": code}).json()


def test_state_survives_a_restart(tmp_path):
    path = tmp_path / "sandbox" / "company.json"
    name = unique("Kept")
    with serve_in_thread(SandboxConfig(company="unprepared", throttle="off", state_file=path)) as sb:
        tokens = connect(sb.url)
        realm = sb.company.realm_id
        with httpx2.Client(base_url=sb.url, headers={"Authorization": f"Bearer {tokens['access_token']}"}) as c:
            made = c.post(f"/v3/company/{realm}/customer", params={"requestid": "r1"},
                          json={"DisplayName": name}).json()["Customer"]
    assert path.exists() and [p.name for p in path.parent.iterdir()] == ["company.json"]  # no temp file left
    # a second run, even when asked for another company, finds the same one
    with serve_in_thread(SandboxConfig(company="demo", throttle="off", state_file=path)) as sb:
        assert sb.company.realm_id == realm and sb.company.home_currency == "CAD"
        assert sb.company.find_by_name("Customer", name)["Id"] == made["Id"]
        with httpx2.Client(base_url=sb.url) as c:
            fresh = c.post("/oauth2/v1/tokens/bearer", auth=("a", "b"),
                           data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
            assert fresh.status_code == 200
            headers = {"Authorization": f"Bearer {tokens['access_token']}"}
            again = c.post(f"/v3/company/{realm}/customer", params={"requestid": "r1"}, headers=headers,
                           json={"DisplayName": name})
            assert again.json()["Customer"]["Id"] == made["Id"]  # replay survives too
            dup = c.post(f"/v3/company/{realm}/vendor", headers=headers, json={"DisplayName": name})
            assert dup.json()["Fault"]["Error"][0]["code"] == "6240"  # indexes rebuilt
            new = c.post(f"/v3/company/{realm}/vendor", headers=headers, json={"DisplayName": unique("V")})
            assert int(new.json()["Vendor"]["Id"]) > int(made["Id"])


def test_serve_in_thread_yields_the_root_url():
    with serve_in_thread(SandboxConfig(throttle="off")) as root:
        assert root.startswith("http://127.0.0.1:") and root == root.url and root.api_url == root + "/v3"
        doc = httpx2.get(root + "/.well-known/openid_configuration").json()
        assert doc["token_endpoint"] == root + "/oauth2/v1/tokens/bearer"


def test_save_and_load_round_trip(tmp_path):
    from qbtui.sandbox.fixtures import build

    company = build("demo", "42")
    save(company, tmp_path / "s.json")
    loaded = load(tmp_path / "s.json")
    assert orjson.loads(orjson.dumps(loaded.objects)) == orjson.loads(orjson.dumps(company.objects))
    assert loaded.next_id == company.next_id and loaded.applied == company.applied
    assert load(tmp_path / "missing.json") is None


def test_cli_refuses_remote_host_without_allow_remote(monkeypatch):
    seen = {}
    monkeypatch.setattr(sandbox_cli, "run", lambda config, host, port: seen.update(config=config, host=host))
    runner = CliRunner()
    refused = runner.invoke(sandbox_cli.sandbox, ["serve", "--host", "0.0.0.0"])
    assert refused.exit_code == 2 and "--allow-remote" in refused.output and seen == {}
    allowed = runner.invoke(sandbox_cli.sandbox, ["serve", "--host", "0.0.0.0", "--allow-remote", "--port", "0"])
    assert allowed.exit_code == 0 and seen["host"] == "0.0.0.0"


def test_cli_options_reach_the_config(monkeypatch, tmp_path):
    seen = {}
    monkeypatch.setattr(sandbox_cli, "run", lambda config, host, port: seen.update(config=config, port=port))
    result = CliRunner().invoke(sandbox_cli.sandbox, [
        "serve", "--port", "9001", "--company", "unprepared", "--throttle", "off", "--time-scale", "60",
        "--latency-ms", "5", "--faults", "http500=0.1,timeout=0.05", "--fault-hold-s", "2", "--token-ttl", "30",
        "--state", str(tmp_path / "s.json")])
    assert result.exit_code == 0, result.output
    cfg = seen["config"]
    assert (cfg.company, cfg.throttle, cfg.time_scale, cfg.latency_ms, cfg.fault_hold_s, cfg.token_ttl) == \
        ("unprepared", "off", 60, 5, 2, 30)
    assert cfg.faults.http500 == 0.1 and cfg.faults.timeout == 0.05 and seen["port"] == 9001
    bad = CliRunner().invoke(sandbox_cli.sandbox, ["serve", "--faults", "nope=1"])
    assert bad.exit_code == 2
