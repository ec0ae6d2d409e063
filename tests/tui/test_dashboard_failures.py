"""The dashboard's upload against a real sandbox through the real `qbtui sync` child process, on a bad
day: the connection lost, the login expired, QuickBooks throttling, a batch refused. Each ends in a
clear message (never a traceback) and nothing is lost: what was not sent is still pending."""

from __future__ import annotations

import asyncio
import time

import httpx2

from qbtui.sandbox.config import ThrottleLimits
from qbtui.tui.app import QbtuiApp
from tests.support.documents import small_set


async def start_uploading_all_invoices(app: QbtuiApp, pilot) -> None:
    """As a person does it: once the dashboard is up, Sales > Invoices, U (upload all shown), y."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.press("1", "U")
    await pilot.pause()
    await pilot.press("y")


async def upload_all_invoices(profile, look=None) -> tuple[QbtuiApp, list[str]]:
    """Upload every invoice as a person does; ``look(app)`` is called once it is all in, while the app still runs
    (its rows are read from the store, which closes with the app), and its answer kept as ``app.seen``."""
    app = QbtuiApp(profile.path, profile="default", data_dir=profile.q.data_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await start_uploading_all_invoices(app, pilot)
        await pilot.pause()
        while app.dashboard.uploading:
            await pilot.pause(0.1)
        await app.workers.wait_for_complete()
        deadline = time.monotonic() + 60  # a guard against hanging, not a timing assertion
        while app.dashboard.gates_checked != app.dashboard.model_generation() and time.monotonic() < deadline:
            await pilot.pause(0.05)  # the reload after the upload, then its gates overlay, come in their own workers
        await app.workers.wait_for_complete()
        await pilot.pause()
        messages = [f"{n.title}: {n.message}" for n in app._notifications]
        app.seen = look(app) if look is not None else None
    return app, messages


def statuses(profile) -> dict[str, str]:
    with profile.cache() as cache:
        return {r["ref"]: cache.status_of(r["data"]["type"], r["ref"]) for r in cache.documents("sale_invoice")}


def test_lost_connection(make_profile):
    profile = make_profile()
    profile.import_docs(small_set(3))
    profile.sb.server.should_exit = True  # QuickBooks is gone
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            httpx2.get(profile.sb.discovery_url, timeout=0.5)
        except httpx2.HTTPError:
            break
        time.sleep(0.05)
    app, messages = asyncio.run(upload_all_invoices(profile))
    assert any("Upload did not run" in m and "could not reach" in m for m in messages), messages
    assert not any("Traceback" in m for m in messages)
    assert set(statuses(profile).values()) == {"pending"}


def test_expired_login(make_profile):
    profile = make_profile()
    profile.import_docs(small_set(3))
    for token in list(profile.sandbox.tokens.data["refresh"]):
        profile.sandbox.tokens.revoke(token)
    app, messages = asyncio.run(upload_all_invoices(profile))
    assert any("qbtui connect" in m for m in messages), messages
    assert not any("Traceback" in m for m in messages)
    assert "failed" not in statuses(profile).values()


def test_throttled_quickbooks_still_sends_everything_once(make_profile):
    profile = make_profile(throttle="qbo", limits=ThrottleLimits(per_second=1, per_minute=20, batches_per_minute=2))
    profile.import_docs(small_set(6))
    app, messages = asyncio.run(upload_all_invoices(profile))
    assert any("Upload finished" in m for m in messages), messages
    assert set(statuses(profile).values()) == {"synced"}
    ours = {n: c for n, c in profile.count("Invoice", "DocNumber").items() if n.startswith("SO-")}
    assert ours == {f"SO-{1001 + i}": 1 for i in range(6)}  # throttled, retried, never twice


def test_refused_batch_lands_on_errors(make_profile):
    profile = make_profile()
    profile.import_docs(small_set(3))
    profile.faults("http500=1.0")
    app, messages = asyncio.run(upload_all_invoices(profile))
    assert not any("Traceback" in m for m in messages)
    assert any("5 for Errors" in m or "did not run" in m for m in messages), messages
    assert "synced" not in statuses(profile).values()
