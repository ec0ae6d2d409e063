"""A profile connected to a qbtui sandbox over loopback, the way a user on SSH connects:
`qbtui connect --print-auth-url`, open the URL (the sandbox approves at once and redirects), paste
where it landed into `qbtui connect --redirect-url`, then `qbtui map --auto`."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx2
import pytest

from qbtui.cache import Cache, profile_dir
from qbtui.sandbox import FaultSpec, SandboxConfig, serve_in_thread
from qbtui.sync.connection import open_client
from qbtui.sync.engine import SyncEngine
from tests.conftest import Qbtui

CLIENT_ID = "client-id-sync-tests"
SECRET = "client-secret-sync-never-printed-5e1d"
SECRET_ENV = "QBTUI_TEST_CLIENT_SECRET"


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: a test that takes more than a few seconds")


def connect_profile(q: Qbtui, url: str, *extra: str) -> None:
    r = q("connect", "--environment", url, "--client-id", CLIENT_ID, "--client-secret-env", SECRET_ENV,
          "--print-auth-url", *extra)
    assert r.exit_code == 0, r.output
    auth_url = r.stdout.strip().splitlines()[0]
    assert auth_url.startswith(url) and " " not in auth_url
    landed = httpx2.get(auth_url, follow_redirects=False).headers["location"]
    r = q("connect", "--redirect-url", landed)
    assert r.exit_code == 0, r.output
    r = q("map", "--auto")
    assert r.exit_code == 0, r.output


@dataclass
class Profile:
    sb: Any  # RunningSandbox
    q: Qbtui
    tmp: Path

    @property
    def path(self) -> Path:
        return profile_dir(self.q.data_dir, "default")

    @property
    def company(self):
        return self.sb.company

    @property
    def sandbox(self):
        return self.sb.app.state.sandbox

    def faults(self, spec: str | FaultSpec, seed: int = 1) -> None:
        from qbtui.sandbox.config import parse_faults
        self.sandbox.faults.spec = parse_faults(spec) if isinstance(spec, str) else spec
        self.sandbox.faults.rng = random.Random(seed)

    def import_docs(self, docs: list[dict[str, Any]], name: str = "docs.json") -> None:
        path = self.tmp / name
        path.write_text(json.dumps({"documents": docs}))
        r = self.q("import", str(path))
        assert r.exit_code == 0, r.output

    def sync_json(self, *args: str) -> tuple[int, dict[str, Any]]:
        r = self.q("sync", "--yes", "--json", *args)
        return r.exit_code, json.loads(r.stdout)

    def cache(self, writer: bool = False) -> Cache:
        return Cache.open(self.path, writer=writer, command="tests")

    def engine_sync(self, **engine_kw) -> Any:
        """The engine directly (same process), for tests that need its report or its client."""
        async def go():
            with self.cache(writer=True) as cache:
                async with await open_client(cache, self.path) as client:
                    return await SyncEngine(cache, client, **engine_kw).sync()
        return asyncio.run(go())

    def live(self, entity: str) -> list[dict]:
        return list(self.company.objects[entity].values())

    def count(self, entity: str, field: str) -> Counter:
        return Counter(o.get(field) for o in self.live(entity) if o.get(field))

    def log_requests(self) -> RequestLog:
        """From now on, record every request the sandbox's API takes."""
        log = RequestLog(self.sb.app.api)
        self.sb.app.api = log
        return log

    def env(self) -> dict[str, str]:
        """The environment for a `qbtui` child process on this profile."""
        return {**os.environ, "QBTUI_DATA_DIR": str(self.q.data_dir), SECRET_ENV: SECRET,
                "PYTHONPATH": os.pathsep.join(sys.path)}


@dataclass
class Request:
    path: str
    request_id: str | None
    start: float
    body: bytes = b""
    end: float = 0.0  # 0.0: still in the server


class _Tap:
    """The ASGI ``receive`` of one request, copying its body into ``req``; keeps ``__self__`` (the connection),
    which the sandbox's dropped-connection fault closes."""

    def __init__(self, receive: Any, req: Request):
        self._receive = receive
        self.__self__ = getattr(receive, "__self__", None)
        self._req = req

    async def __call__(self) -> dict[str, Any]:
        message = await self._receive()
        if message.get("type") == "http.request":
            self._req.body += message.get("body", b"")
        return message


@dataclass
class RequestLog:
    """Every request the sandbox's accounting API (`/v3/...`) took: path, requestid, body, and when it was
    in the server (monotonic), so that a test can tell which requests a SIGKILL caught in flight."""

    api: Any
    requests: list[Request] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def __call__(self, scope, receive, send) -> None:
        query = parse_qs(scope.get("query_string", b"").decode())
        req = Request(scope["path"], (query.get("requestid") or [None])[0], time.monotonic())
        with self._lock:
            self.requests.append(req)
        try:
            await self.api(scope, _Tap(receive, req), send)
        finally:
            req.end = time.monotonic()

    def active(self) -> list[Request]:
        return [r for r in list(self.requests) if r.end == 0.0]

    def in_flight_at(self, moment: float) -> int:
        """Requests that were in the server at ``moment`` and ended after it."""
        return sum(1 for r in list(self.requests) if r.start <= moment and (r.end == 0.0 or r.end > moment))


@dataclass
class SyncRun:
    code: int | None = None  # None: killed
    seen: int = 0  # document events seen
    stderr: str = ""  # its tail
    killed_at: float | None = None  # time.monotonic() of the SIGKILL
    first_request: int = 0  # its first request's index in the RequestLog

    def sent(self, requests: RequestLog, path: str = "") -> list[Request]:
        """The requests this run sent (to a path ending in ``path``)."""
        return [r for r in requests.requests[self.first_request:] if r.path.endswith(path)]


def run_sync(env: dict, rng: random.Random, *args: str, requests: RequestLog | None = None,
             kill_when: Callable[[SyncRun], bool] | None = None) -> SyncRun:
    """`qbtui sync --yes --events [args]` in its own process; with ``kill_when``, SIGKILLed once ``kill_when(run)``
    holds, a random few milliseconds later, at a moment when (with ``requests``) a request is in the sandbox."""
    run = SyncRun(first_request=len(requests.requests) if requests is not None else 0)
    proc = subprocess.Popen([sys.executable, "-m", "qbtui", "sync", "--yes", "--events", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    err: list[str] = []
    reader = threading.Thread(target=lambda: err.extend(proc.stderr), daemon=True)
    reader.start()

    def killer() -> None:
        while proc.poll() is None and not kill_when(run):
            time.sleep(0.0005)
        time.sleep(rng.uniform(0.0, 0.03))
        while proc.poll() is None:
            if requests is None or requests.active():
                run.killed_at = time.monotonic()
                os.kill(proc.pid, signal.SIGKILL)
                return
            time.sleep(0.0002)

    watcher = threading.Thread(target=killer, daemon=True) if kill_when is not None else None
    if watcher is not None:
        watcher.start()
    for line in proc.stdout:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if event.get("event") == "document":
            run.seen += 1
    proc.wait(timeout=300)
    reader.join(timeout=5)
    if watcher is not None:
        watcher.join(timeout=5)
    run.code = None if run.killed_at is not None else proc.returncode
    run.stderr = "".join(err)[-3000:]
    return run


@pytest.fixture
def make_profile(tmp_path: Path, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, SECRET)
    stack = []

    def make(**config) -> Profile:
        config.setdefault("company", "demo")
        config.setdefault("throttle", "off")
        config.setdefault("time_scale", 60)  # the client paces itself to it (discovery says so)
        cm = serve_in_thread(SandboxConfig(**config))
        sb = cm.__enter__()
        stack.append(cm)
        q = Qbtui(tmp_path / f"data{len(stack)}")
        connect_profile(q, sb.url)
        return Profile(sb, q, tmp_path)

    yield make
    for cm in reversed(stack):
        cm.__exit__(None, None, None)


@pytest.fixture
def profile(make_profile) -> Profile:
    return make_profile()


def small_set(n_invoices: int = 3, prefix: str = "") -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = [
        {"type": "customer", "ref": f"{prefix}C-100", "name": f"{prefix}Harbour Cafe"},
        {"type": "customer", "ref": f"{prefix}C-101", "name": f"{prefix}Lakeside Deli"},
        {"type": "product", "ref": f"{prefix}MUG-01", "name": f"{prefix}Stoneware mug", "sale_price": "12.50",
         "purchase_cost": "4.10"},
    ]
    for i in range(n_invoices):
        docs.append({"type": "sale_invoice", "ref": f"{prefix}SO-{1001 + i}", "customer": f"{prefix}C-10{i % 2}",
                     "invoice_date": "2026-11-02",
                     "lines": [{"sku": f"{prefix}MUG-01", "quantity": 2 + i, "unit_price": "12.50", "unit_cost": "4.10"}]})
        docs.append({"type": "cogs", "ref": f"{prefix}COGS-SO-{1001 + i}", "invoice": f"{prefix}SO-{1001 + i}",
                     "date": "2026-11-02", "amount": f"{(2 + i) * 4.10:.2f}"})
    return docs
