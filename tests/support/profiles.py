"""The one way the tests get a profile connected to the real sandbox (qbtui's own, never a mock of our HTTP).

- :func:`make_profile` (a pytest fixture, registered in tests/conftest.py): a sandbox on loopback
  (``serve_in_thread``: uvicorn in a thread of this process, so that ``qbtui`` child processes reach it too)
  and a profile connected the way a user on SSH connects (:func:`connect_cli`), parameterised by the sandbox's
  company, faults, throttle, latency... (``SandboxConfig``'s fields) and the documents it starts with.
- :func:`connect`: the same two steps of `qbtui connect` as library calls, over an in-process transport
  (:func:`in_process`, ``httpx2.ASGITransport``: no network, no thread) for the tests that hold the profile's
  cache themselves (the wizard's) or run inside an event loop.

Both talk to a sandbox made by :func:`sandbox_config` (the demo company, no throttle, QBO's clock 60 times faster:
the client paces itself to what the sandbox's discovery document says)."""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx2
import pytest
from click.testing import CliRunner

from qbtui.cache import Cache, profile_dir
from qbtui.cli import main
from qbtui.sandbox import FaultSpec, SandboxConfig, create_app, serve_in_thread
from qbtui.sync.connection import begin_connect, finish_connect, open_client

CLIENT_ID = "client-id-sync-tests"
SECRET = "client-secret-sync-never-printed-5e1d"
SECRET_ENV = "QBTUI_TEST_CLIENT_SECRET"
ROOT = "http://127.0.0.1:8765"  # an in-process sandbox's address: never dialled, the ASGI transport answers


def unique(prefix: str = "T") -> str:
    """A name no other test uses (the sandbox's companies are shared by the tests of a module)."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def sandbox_config(**config: Any) -> SandboxConfig:
    """The sandbox's configuration with the tests' defaults (each overridable): the demo company, no throttle
    (a test of the limits turns it on), QBO's clock 60 times faster."""
    config.setdefault("company", "demo")
    config.setdefault("throttle", "off")
    config.setdefault("time_scale", 60)
    return SandboxConfig(**config)


def is_write(method: str, path: str) -> bool:
    """Whether an API request changes the company (a query is a POST that reads)."""
    return path.startswith("/v3/company/") and method not in ("GET", "HEAD") and not path.endswith("/query")


# ------------------------------------------------------------------------------------- in process (ASGI)

class RecordingTransport(httpx2.AsyncBaseTransport):
    """The sandbox over ASGI, recording (method, path) of every API request."""

    def __init__(self, app: Any) -> None:
        self.inner = httpx2.ASGITransport(app=app)
        self.requests: list[tuple[str, str]] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append((request.method, request.url.path))
        return await self.inner.handle_async_request(request)

    @property
    def writes(self) -> list[tuple[str, str]]:
        """API requests that change the company (a query is a POST that reads)."""
        return [(m, p) for m, p in self.requests if is_write(m, p)]


def in_process(**config: Any) -> RecordingTransport:
    """A sandbox (see :func:`sandbox_config`) in this process, reached through the returned transport."""
    return RecordingTransport(create_app(sandbox_config(**config)))


def seed_profile(profile: Path, *, filter_start: str | None = "2026-10-01", extra: list[dict] | None = None) -> Path:
    """A profile not yet connected, holding the demo data set (``qbtui.tui.sample``) and ``extra``, its filter start
    date ``filter_start``, its client paced 60 times faster (as for :func:`connect` to an in-process sandbox)."""
    from qbtui.tui.sample import sample_documents

    with Cache.open(profile, writer=True, command="test") as cache:
        cache.upsert_documents(sample_documents() + (extra or []))
        if filter_start:
            cache.set_setting("filter_start_date", filter_start)
        cache.set_setting("time_scale", 60)
    return profile


async def redirected_url(transport: httpx2.AsyncBaseTransport | None, authorize_url: str) -> str:
    """What the user's browser lands on after approving (the sandbox approves at once)."""
    async with httpx2.AsyncClient(transport=transport) as browser:
        return (await browser.get(authorize_url)).headers["location"]


async def connect(cache: Cache, path: Path, transport: httpx2.AsyncBaseTransport | None = None, root: str = ROOT,
                  *, client_id: str = CLIENT_ID, secret: str = SECRET) -> str:
    """`qbtui connect`'s two steps as library calls (authorize URL, the browser's redirect pasted back); returns
    the realmId. Pulls nothing and maps nothing (the wizard's own steps do)."""
    url = await begin_connect(cache, path, environment=root, client_id=client_id, client_secret=secret,
                              transport=transport)
    return await finish_connect(cache, path, await redirected_url(transport, url), transport=transport)


# ------------------------------------------------------------------------------------------------ loopback

class Qbtui:
    """Runs ``qbtui --data-dir DIR ...`` in-process and returns the click Result."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.runner = CliRunner()

    def __call__(self, *args: str, profile: str = "default"):
        return self.runner.invoke(main, ["--data-dir", str(self.data_dir), "--profile", profile, *args],
                                  catch_exceptions=False)

    def json(self, *args: str, profile: str = "default"):
        result = self(*args, "--json", profile=profile)
        assert result.exit_code in (0, 1), result.output
        return json.loads(result.stdout)


def connect_cli(q: Qbtui, url: str, *extra: str) -> None:
    """Connect as a user on SSH does: `qbtui connect --print-auth-url`, open the URL (the sandbox approves at once
    and redirects), paste where it landed into `qbtui connect --redirect-url`, then `qbtui map --auto`. The client
    secret comes from the environment variable ``SECRET_ENV`` (set by :func:`make_profile`)."""
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
    """A profile (``default`` in its own data folder) connected to a sandbox on loopback."""

    sb: Any  # RunningSandbox: a str (its root URL) with .app and .company
    q: Qbtui
    tmp: Path

    @property
    def data_dir(self) -> Path:
        return self.q.data_dir

    @property
    def path(self) -> Path:
        return profile_dir(self.q.data_dir, "default")

    @property
    def url(self) -> str:
        return self.sb.url

    @property
    def company(self) -> Any:
        return self.sb.company

    @property
    def sandbox(self) -> Any:
        return self.sb.app.state.sandbox

    def connect(self, url: str | None = None) -> None:
        """(Re)connect the profile, to its sandbox or the one at ``url``."""
        connect_cli(self.q, url or self.url)

    def faults(self, spec: str | FaultSpec, seed: int = 1) -> None:
        from qbtui.sandbox.config import parse_faults
        self.sandbox.faults.spec = parse_faults(spec) if isinstance(spec, str) else spec
        self.sandbox.faults.rng = random.Random(seed)

    def refuse(self, code: str | None, after_writes: int = 0) -> None:
        """From now on (once ``after_writes`` more writes were taken) the sandbox answers as QBO does for a company
        that refuses the app (3100), the user (120) or any write (6190: the subscription ended); None: no more."""
        self.sandbox.faults.refuse_company(code, after_writes)

    def import_docs(self, docs: list[dict[str, Any]], name: str = "docs.json") -> None:
        """Through `qbtui import`."""
        path = self.tmp / name
        path.write_text(json.dumps({"documents": docs}))
        r = self.q("import", str(path))
        assert r.exit_code == 0, r.output

    def sync_json(self, *args: str) -> tuple[int, dict[str, Any]]:
        r = self.q("sync", "--yes", "--json", *args)
        return r.exit_code, json.loads(r.stdout)

    def cache(self, writer: bool = False) -> Cache:
        return Cache.open(self.path, writer=writer, command="tests")

    def qbo(self, coro_fn: Callable[[Any], Awaitable[Any]]) -> Any:
        """Run ``coro_fn(client)`` with a client of the profile (as "someone editing QBO directly")."""
        async def go() -> Any:
            with self.cache() as cache:
                async with await open_client(cache, self.path) as client:
                    return await coro_fn(client)
        with ThreadPoolExecutor(1) as pool:  # works inside a running event loop too (Pilot tests)
            return pool.submit(asyncio.run, go()).result()

    def engine_sync(self, **engine_kw: Any) -> Any:
        """The engine directly (same process), for tests that need its report or its client."""
        from qbtui.sync.engine import SyncEngine

        async def go() -> Any:
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
    method: str = "GET"
    status: int = 0  # the HTTP status answered (0: none yet)
    answer: bytes = b""  # the body answered

    @property
    def faulted(self) -> bool:
        """QBO answered a fault: an HTTP error, or a Fault inside a 200 (a batch item's)."""
        return self.status >= 400 or b'"Fault"' in self.answer


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
        req = Request(scope["path"], (query.get("requestid") or [None])[0], time.monotonic(),
                      method=scope.get("method", "GET"))
        with self._lock:
            self.requests.append(req)
        async def tap_send(message: dict[str, Any]) -> None:
            if message.get("type") == "http.response.start":
                req.status = message.get("status", 0)
            elif message.get("type") == "http.response.body":
                req.answer += message.get("body", b"")
            await send(message)
        try:
            await self.api(scope, _Tap(receive, req), tap_send)
        finally:
            req.end = time.monotonic()

    @property
    def writes(self) -> list[tuple[str, str]]:
        """(method, path) of the API requests that changed the company (as RecordingTransport.writes)."""
        return [(r.method, r.path) for r in list(self.requests) if is_write(r.method, r.path)]

    def active(self) -> list[Request]:
        return [r for r in list(self.requests) if r.end == 0.0]

    def in_flight_at(self, moment: float) -> int:
        """Requests that were in the server at ``moment`` and ended after it."""
        return sum(1 for r in list(self.requests) if r.start <= moment and (r.end == 0.0 or r.end > moment))


@pytest.fixture
def make_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Profile]]:
    """``make_profile(docs=None, **config)``: a new sandbox (``sandbox_config(**config)``: company, faults,
    throttle, latency_ms, token_ttl...) on loopback and a new profile connected to it, holding ``docs`` (written to
    its cache as they are, as an import would). Each call is another sandbox and another data folder."""
    monkeypatch.setenv(SECRET_ENV, SECRET)
    made: list[Profile] = []
    with ExitStack() as stack:
        def make(docs: list[dict[str, Any]] | None = None, **config: Any) -> Profile:
            sb = stack.enter_context(serve_in_thread(sandbox_config(**config)))
            profile = Profile(sb, Qbtui(tmp_path / f"data{len(made) + 1}"), tmp_path)
            made.append(profile)
            profile.connect()
            if docs:
                with profile.cache(writer=True) as cache:
                    cache.upsert_documents(docs)
            return profile
        yield make
