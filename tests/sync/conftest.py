"""A profile connected to a qbtui sandbox over loopback, the way a user on SSH connects:
`qbtui connect --print-auth-url`, open the URL (the sandbox approves at once and redirects), paste
where it landed into `qbtui connect --redirect-url`, then `qbtui map --auto`."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
        import random
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
