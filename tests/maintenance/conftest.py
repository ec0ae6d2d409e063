"""A profile connected to a qbtui sandbox on loopback (uvicorn in a thread), with documents synced.

Real HTTP end to end: the CLI commands under test open their own client from the profile, as they
would against QBO. Tests that edit QBO "directly" use a QBOClient of their own, or the sandbox's
live store (``sandbox.company``).
"""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from qbtui.cache import Cache
from qbtui.cli.demo import connect_demo
from qbtui.sandbox import SandboxConfig, serve_in_thread
from qbtui.sync.connection import open_client

DOCS = [
    {"type": "customer", "ref": "C-100", "name": "Harbour Cafe"},
    {"type": "customer", "ref": "C-200", "name": "Quay Bistro"},
    {"type": "product", "ref": "MUG-01", "name": "Stoneware mug", "sale_price": "12.50", "purchase_cost": "4.10"},
    {"type": "sale_invoice", "ref": "SO-1001", "customer": "C-100", "invoice_date": "2026-11-02",
     "lines": [{"sku": "MUG-01", "quantity": 6, "unit_price": "12.50", "unit_cost": "4.10"}]},
    {"type": "sale_invoice", "ref": "SO-1002", "customer": "C-200", "invoice_date": "2026-11-04",
     "lines": [{"sku": "MUG-01", "quantity": 2, "unit_price": "12.50", "unit_cost": "4.10"}]},
    {"type": "cogs", "ref": "COGS-SO-1001", "invoice": "SO-1001", "date": "2026-11-02", "amount": "24.60"},
    {"type": "cogs", "ref": "COGS-SO-1002", "invoice": "SO-1002", "date": "2026-11-04", "amount": "8.20"},
    {"type": "adjustment", "ref": "ADJ-2026-11-0001", "completed_date": "2026-11-03",
     "accounting_date": "2026-11-03", "reason": "found in back room",
     "lines": [{"sku": "MUG-01", "quantity_change": 3, "unit_cost": "4.10"}]},
]
FROM, TO = "2026-11-01", "2026-11-30"


class Env:
    def __init__(self, sandbox, data_dir: Path, profile: str = "default"):
        self.sandbox = sandbox
        self.data_dir = data_dir
        self.profile = profile
        self.path = data_dir / "profiles" / profile

    @property
    def company(self):
        return self.sandbox.company

    def cache(self, writer: bool = False) -> Cache:
        return Cache.open(self.path, writer=writer, command="test")

    def qbo(self, coro_fn):
        """Run ``coro_fn(client)`` with a client of the profile (as "someone editing QBO directly")."""
        async def go():
            with self.cache() as cache:
                async with await open_client(cache, self.path) as client:
                    return await coro_fn(client)
        with ThreadPoolExecutor(1) as pool:  # works inside a running event loop too (Pilot tests)
            return pool.submit(asyncio.run, go()).result()


def connect_profile(url: str, path: Path, docs: list[dict] | None = None) -> None:
    path.mkdir(parents=True, exist_ok=True)
    with Cache.open(path, writer=True, command="test") as cache:
        cache.set_setting("time_scale", 60)  # the client's own throttle at QBO's pace would slow the tests
        asyncio.run(connect_demo(cache, path, url))
        cache.upsert_documents(DOCS if docs is None else docs)


@pytest.fixture
def sandbox_url():
    with serve_in_thread(SandboxConfig(company="demo", throttle="off")) as sb:
        yield sb


@pytest.fixture
def env(sandbox_url, tmp_path: Path) -> Env:
    e = Env(sandbox_url, tmp_path / "data")
    connect_profile(sandbox_url.url, e.path)
    return e


@pytest.fixture
def synced(env, qbtui) -> Env:
    qbtui.data_dir = env.data_dir
    result = qbtui("sync", "--yes", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert all(d["status"] == "synced" for d in report["documents"]), report
    return env
