"""End to end as a user on SSH would do it: `qbtui sandbox serve` in one terminal; in another
`qbtui connect --print-auth-url`, open that URL (the sandbox approves at once), paste where the browser
landed into `qbtui connect --redirect-url`, `qbtui map --auto`, `qbtui import`, `qbtui sync`; then the
QBO side checked by query. Every command is its own process, as typed."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time

import httpx2

from qbtui.qbo import QBOClient, resolve_environment
from qbtui.sandbox.server import free_port
from qbtui.sync.connection import token_store
from tests.support.documents import small_set
from tests.support.profiles import SECRET, SECRET_ENV


def test_user_flow_against_qbtui_sandbox_serve(tmp_path):
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "qbtui", "sandbox", "serve", "--port", str(port),
                               "--faults", "http500=0.05", "--fault-seed", "1", "--token-ttl", "60"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    root = f"http://127.0.0.1:{port}"
    env = {**os.environ, "QBTUI_DATA_DIR": str(tmp_path / "data"), SECRET_ENV: SECRET}

    def qbtui(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "qbtui", *args], env=env, capture_output=True, text=True,
                              timeout=120)

    try:
        for _ in range(200):
            try:
                httpx2.get(f"{root}/.well-known/openid_configuration", timeout=1)
                break
            except httpx2.HTTPError:
                time.sleep(0.05)
        r = qbtui("connect", "--environment", root, "--client-id", "my-app", "--client-secret-env", SECRET_ENV,
                  "--print-auth-url")
        assert r.returncode == 0, r.stderr
        url = r.stdout.strip()
        assert "\n" not in url and url.startswith(root)  # one unwrapped line
        landed = httpx2.get(url, follow_redirects=False).headers["location"]  # "open it"
        r = qbtui("connect", "--redirect-url", landed)  # "paste where it landed"
        assert r.returncode == 0, r.stderr
        assert qbtui("map", "--auto").returncode == 0
        path = tmp_path / "docs.json"
        path.write_text(json.dumps({"documents": small_set(10)}))
        assert qbtui("import", str(path)).returncode == 0
        r = qbtui("sync", "--yes", "--json")
        assert r.returncode == 0, r.stderr
        out = json.loads(r.stdout)
        assert {d["status"] for d in out["documents"]} == {"synced"} and len(out["documents"]) == 23
        settings = json.loads(qbtui("settings", "--json").stdout)
        assert "both_ways" in json.dumps(settings)

        async def check() -> None:  # the QBO side, by query, with the profile's own tokens
            from qbtui.cache import Cache, profile_dir
            profile = profile_dir(tmp_path / "data", "default")
            with Cache.open(profile, writer=False) as cache:
                realm = cache.get_setting("realm_id")
            env_ = await resolve_environment(root)
            async with QBOClient(env_, token_store(profile), realm_id=realm, client_id="my-app",
                                 client_secret=SECRET, time_scale=60) as c:
                for i in range(10):
                    assert len(await c.query(f"SELECT * FROM Invoice WHERE DocNumber = 'SO-{1001 + i}'")) == 1
                    assert len(await c.query(f"SELECT * FROM JournalEntry WHERE DocNumber = 'COGS-SO-{1001 + i}'")) == 1
                assert len(await c.query("SELECT * FROM Customer WHERE DisplayName = 'Harbour Cafe'")) == 1
                assert len(await c.query("SELECT * FROM Item WHERE Name = 'Stoneware mug'")) == 1

        asyncio.run(check())
        assert SECRET not in r.stdout + r.stderr
    finally:
        server.terminate()
        server.wait(10)
