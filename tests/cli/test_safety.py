"""The command line against a real sandbox, where a mistake costs data: the realmId pasted back from the
browser, confirmations before deleting or voiding, JSON errors, Ctrl+C in the middle of a sync."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta

import httpx2
import pytest

from qbtui.cache import Cache, profile_dir
from qbtui.cli import main
from qbtui.qbo import QBOClient, resolve_environment
from qbtui.sandbox import serve_in_thread
from qbtui.sandbox.server import free_port
from qbtui.sync.connection import token_store
from tests.support.documents import small_set
from tests.support.profiles import CLIENT_ID, SECRET, SECRET_ENV, Qbtui, connect_cli, sandbox_config


def test_a_realm_id_that_is_not_digits_is_refused_before_it_is_stored_or_used(tmp_path, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, SECRET)
    q = Qbtui(tmp_path / "data")
    with serve_in_thread(sandbox_config()) as sb:
        r = q("connect", "--environment", sb.url, "--client-id", CLIENT_ID, "--client-secret-env", SECRET_ENV,
              "--print-auth-url")
        assert r.exit_code == 0, r.output
        landed = httpx2.get(r.stdout.strip(), follow_redirects=False).headers["location"]
        assert re.search(r"realmId=\d+", landed)
        for bad in ("9341%2F..%2F..%2Fv3%2Fcompany%2F1", "1%3Fminorversion%3D75", "abc"):
            r = q("connect", "--redirect-url", re.sub(r"realmId=\d+", f"realmId={bad}", landed))
            assert r.exit_code == 2, r.output
            assert "is not a QuickBooks company id (digits only)" in r.stderr and "Traceback" not in r.output
        profile = profile_dir(q.data_dir, "default")
        assert not (profile / "auth" / "tokens.json").exists()  # the code was never traded for tokens
        with Cache.open(profile, writer=False) as cache:
            assert cache.get_setting("realm_id") is None
        r = q("connect", "--redirect-url", landed)  # the real address still connects: nothing was spent
        assert r.exit_code == 0, r.output
        with Cache.open(profile, writer=False) as cache:
            assert cache.get_setting("realm_id") == sb.app.state.company.realm_id
    assert json.loads(q("status", "--json").stdout)["connection"]["connected"] is True


# ----------------------------------------------------------------------------- Ctrl+C in the middle of a sync

def _serve(*args: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "qbtui", "sandbox", "serve", "--port", str(port), "--throttle",
                               "off", "--time-scale", "60", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    root = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            httpx2.get(f"{root}/.well-known/openid_configuration", timeout=1)
            return server, root
        except httpx2.HTTPError:
            time.sleep(0.05)
    server.kill()
    raise AssertionError(f"the sandbox did not start: {server.stderr.read().decode()}")


async def _count_in_qbo(profile, root: str, entity: str, numbers: list[str]) -> dict[str, int]:
    with Cache.open(profile, writer=False) as cache:
        realm = cache.get_setting("realm_id")
    env = await resolve_environment(root)
    async with QBOClient(env, token_store(profile), realm_id=realm, client_id=CLIENT_ID, client_secret=SECRET,
                         time_scale=60) as client:
        found = await client.query_all(entity)
    return {n: sum(1 for o in found if o.get("DocNumber") == n) for n in numbers}


@pytest.mark.parametrize("kind", ["sync", "scheduled"])
def test_ctrl_c_stops_a_sync_with_exit_130_and_the_run_marked_interrupted(tmp_path, monkeypatch, kind):
    """SIGINT to a real `qbtui sync` (or `sync --scheduled`, as cron starts it) while requests are in flight to a
    `qbtui sandbox serve`: exit code 130, one line on stderr (no traceback), the run log says interrupted; the next
    sync finishes and nothing is twice."""
    monkeypatch.setenv(SECRET_ENV, SECRET)
    server, root = _serve("--latency-ms", "150")
    try:
        q = Qbtui(tmp_path / "data")
        connect_cli(q, root)
        path = tmp_path / "docs.json"
        docs = small_set(40)
        path.write_text(json.dumps({"documents": docs}))
        assert q("import", str(path)).exit_code == 0
        if kind == "scheduled":
            start = (datetime.now() - timedelta(minutes=5)).isoformat(timespec="minutes")
            assert q("settings", "set", "autosync.start", start).exit_code == 0
            assert q("settings", "set", "autosync.every", "1d").exit_code == 0
        env = {**os.environ, "QBTUI_DATA_DIR": str(q.data_dir)}
        argv = ["sync", "--scheduled", "--events"] if kind == "scheduled" else ["sync", "--yes", "--events"]
        child = subprocess.Popen([sys.executable, "-m", "qbtui", *argv], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for line in child.stdout:  # wait until the first answers are in: more requests are then in flight
            event = json.loads(line)
            if event.get("event") == "document" and event.get("type") == "sale_invoice":
                break
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)
        assert child.returncode == 130, (child.returncode, err)
        assert "Traceback" not in err and "interrupted" in err
        profile = profile_dir(q.data_dir, "default")
        with Cache.open(profile, writer=False) as cache:
            run = next(r for r in cache.runs() if r.get("kind") == kind)
            statuses = [cache.status_of("sale_invoice", d["ref"]) for d in docs if d["type"] == "sale_invoice"]
        assert run["interrupted"] is True and run["ended"]
        assert "synced" in statuses and set(statuses) != {"synced"}  # stopped part way
        assert "INTERRUPTED" in q("runs").stdout
        r = q("sync", "--yes", "--json")  # the next sync looks up what was in flight and sends the rest once
        assert r.exit_code == 0, r.output
        numbers = [d["ref"] for d in docs if d["type"] == "sale_invoice"]
        counts = asyncio.run(_count_in_qbo(profile, root, "Invoice", numbers))
        assert counts == {n: 1 for n in numbers}
    finally:
        server.terminate()
        server.wait(10)


# ----------------------------------------------------------------------------- demo never touches another profile

def _files(folder) -> dict[str, str]:
    """Every file's bytes, as a digest (a failing comparison then never prints the tokens it holds)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_demo_refuses_any_other_profile_and_leaves_it_byte_for_byte(profile, monkeypatch):
    profile.import_docs(small_set(2))
    code, _ = profile.sync_json()
    assert code == 0
    before = _files(profile.path)
    assert {"documents.sqlite", "state.json", "auth/tokens.json", "auth/client_secret"} <= set(before)
    with profile.cache() as cache:
        assert cache.runs() and cache.links()
    for args, env in ((("demo", "--reset"), None), (("demo",), None), (("demo", "--reset"), "default")):
        if env:
            monkeypatch.setenv("QBTUI_PROFILE", env)
            r = profile.q.runner.invoke(main, ["--data-dir", str(profile.q.data_dir), *args])
        else:
            r = profile.q(*args)  # --profile default
        assert _files(profile.path) == before  # documents, links, runs, tokens: byte for byte
        assert r.exit_code == 2, r.output
        assert "works only on its own profile 'demo'" in r.stderr and "nothing was changed" in r.stderr
        assert "Traceback" not in r.output
    assert not (profile.q.data_dir / "profiles" / "demo").exists()
    code, out = profile.sync_json()  # still connected to its company, nothing to send again
    assert code == 0 and out["documents"] == []


# ----------------------------------------------------------------------------- ask before deleting or voiding

def test_undo_without_a_terminal_is_refused_unless_yes(profile):
    profile.import_docs(small_set(2))
    code, out = profile.sync_json()
    assert code == 0
    run_id = out["run"]["id"]
    live = len(profile.live("Invoice"))
    r = profile.q("undo", run_id)  # no terminal to ask on (CliRunner's stdin is not a tty)
    assert r.exit_code == 2, r.output
    assert "--yes" in r.stderr and "Traceback" not in r.output
    assert len(profile.live("Invoice")) == live
    with profile.cache() as cache:
        assert cache.status_of("sale_invoice", "SO-1001") == "synced"
    r = profile.q("undo", run_id, "--yes")
    assert r.exit_code == 0, r.output
    assert len(profile.live("Invoice")) == live - 2


def test_a_sync_that_voids_asks_first_but_a_scheduled_one_does_not(profile):
    docs = small_set(2)
    profile.import_docs(docs)
    code, _ = profile.sync_json()
    assert code == 0
    voided = [{**d, "voided": True} if d["ref"] == "SO-1001" else d for d in docs]
    profile.import_docs(voided, name="voided.json")
    r = profile.q("sync", "--json")
    assert r.exit_code == 2, r.output
    assert "void or delete 1 QuickBooks object" in r.stderr and "--yes" in r.stderr
    assert json.loads(r.stdout)["error"]["code"] == "confirmation_required"
    invoice = next(o for o in profile.live("Invoice") if o.get("DocNumber") == "SO-1001")
    assert "Voided" not in str(invoice.get("PrivateNote") or "")
    with profile.cache() as cache:
        assert cache.status_of("sale_invoice", "SO-1001") != "voided"
    start = (datetime.now() - timedelta(minutes=5)).isoformat(timespec="minutes")
    assert profile.q("settings", "set", "autosync.start", start).exit_code == 0
    assert profile.q("settings", "set", "autosync.every", "5m").exit_code == 0
    r = profile.q("sync", "--scheduled", "--json")  # cron: not asked, not refused
    assert r.exit_code == 0, r.output
    with profile.cache() as cache:
        assert cache.status_of("sale_invoice", "SO-1001") == "voided"
