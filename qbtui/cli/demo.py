"""``qbtui demo``: the built-in sandbox company with sample data, no Intuit account needed.

Starts ``qbtui sandbox serve --company demo`` (or ``inventory``: ``qbtui demo --company inventory``) as a child process on a free loopback port (its
company kept in the profile's folder, so the next start finds the same company), connects the
``demo`` profile to it through the same OAuth flow a real company uses, maps accounts, loads the
sample documents once (with deliberate errors to fix), and opens the dashboard. The sandbox runs
in its own process so that it never competes with the dashboard for the interpreter.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2

from qbtui.cache import Cache
from qbtui.ledger.roles import auto_map
from qbtui.private import open_private, private_dir
from qbtui.sync.connection import begin_connect, finish_connect, open_client
from qbtui.sync.pull import pull_reference

DEMO_PROFILE = "demo"  #: the one profile `qbtui demo` works on (and resets)
DEMO_CLIENT_ID = "qbtui-demo"
DEMO_CLIENT_SECRET = "qbtui-demo"  # the sandbox accepts any pair; not a credential
DEMO_COMPANIES = ("demo", "inventory")  #: the sandbox companies `qbtui demo --company` offers
DEMO_COMPANY_KEY = "demo_company"  #: the setting that says which one the demo profile holds


class DemoError(Exception):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_sandbox(profile_path: Path, company: str = "demo") -> tuple[subprocess.Popen[bytes], str]:
    """The demo company's sandbox as a child process; returns it and its root URL once it answers."""
    port = free_port()
    # 0600 like every file of a profile; kept open for the child's lifetime
    log = os.fdopen(open_private(profile_path / "sandbox.log", os.O_WRONLY | os.O_APPEND), "ab")
    proc = subprocess.Popen([sys.executable, "-m", "qbtui", "sandbox", "serve", "--port", str(port), "--company", company,
                             "--state", str(profile_path / "sandbox-company.json")],
                            stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise DemoError(f"the demo sandbox stopped at start (see {profile_path / 'sandbox.log'})")
        try:
            if httpx2.get(f"{url}/.well-known/openid_configuration", timeout=1).status_code == 200:
                return proc, url
        except httpx2.HTTPError:
            time.sleep(0.1)
    proc.terminate()
    raise DemoError(f"the demo sandbox did not answer within 15 s (see {profile_path / 'sandbox.log'})")


async def connect_demo(cache: Cache, profile_path: Path, url: str) -> None:
    """Connect as a user would (authorize URL, the redirect it lands on), then pull and map."""
    auth_url = await begin_connect(cache, profile_path, environment=url, client_id=DEMO_CLIENT_ID,
                                   client_secret=DEMO_CLIENT_SECRET)
    async with httpx2.AsyncClient() as browser:
        landed = (await browser.get(auth_url)).headers["location"]
    await finish_connect(cache, profile_path, landed)
    cache.set_setting("integration_mode", cache.get_setting("integration_mode") or "both_ways")
    async with await open_client(cache, profile_path) as client:
        await pull_reference(cache, client)
    mapping = dict(cache.get_setting("mapping") or {})
    mapping.update(auto_map(cache.reference("accounts") or [], mapping))
    cache.set_setting("mapping", mapping)


def demo_documents() -> list[dict]:
    from qbtui.tui.sample import sample_documents

    return sample_documents()


def prepare(profile_path: Path, *, reset: bool, company: str | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """Everything before the dashboard opens; returns the running sandbox. ``company``: the sandbox company to
    start with (None: the one the profile holds, else ``demo``); a profile holding another one is refused unless
    ``reset``."""
    if reset and profile_path.exists():
        Cache.open(profile_path, writer=True, command="qbtui demo --reset").close()  # refuses while another holds it
        shutil.rmtree(profile_path)
    private_dir(profile_path, tighten=True)
    with Cache.open(profile_path, writer=True, command="qbtui demo") as cache:
        held = cache.get_setting(DEMO_COMPANY_KEY) or ("demo" if (profile_path / "sandbox-company.json").exists()
                                                       else None)
        if company is not None and held is not None and company != held:
            raise DemoError(f"the demo profile holds the {held!r} company: `qbtui demo --reset --company {company}` "
                            "starts over with the other one (nothing was changed)")
        company = company or held or "demo"
        proc, url = start_sandbox(profile_path, company)
        try:
            asyncio.run(connect_demo(cache, profile_path, url))
            cache.set_setting(DEMO_COMPANY_KEY, company)
            if cache.count() == 0:
                cache.upsert_documents(demo_documents())
        except BaseException:
            stop_sandbox(proc)
            raise
    return proc, url


def stop_sandbox(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()


DEMO_DESKTOP_PROFILE = "demo-desktop"  #: the profile `qbtui demo --desktop` works on (and resets)


def start_desktop_service(data_dir: Path, profile_path: Path, profile_name: str) -> tuple[subprocess.Popen[bytes], str]:
    """``qbtui desktop serve`` for the profile as a child process; returns it and its /qbwc URL once it answers."""
    port = free_port()
    log = os.fdopen(open_private(profile_path / "desktop-serve.log", os.O_WRONLY | os.O_APPEND), "ab")
    proc = subprocess.Popen([sys.executable, "-m", "qbtui", "--data-dir", str(data_dir), "--profile", profile_name,
                             "desktop", "serve", "--port", str(port), "--idle-timeout", "5"],
                            stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}/qbwc"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise DemoError(f"the Web Connector service stopped at start (see {profile_path / 'desktop-serve.log'})")
        try:
            if httpx2.get(url, timeout=1).status_code == 200:
                return proc, url
        except httpx2.HTTPError:
            time.sleep(0.1)
    stop_sandbox(proc)
    raise DemoError("the Web Connector service did not answer within 15 s")


def prepare_desktop(data_dir: Path, profile_path: Path, *, reset: bool) -> dict:
    """The Desktop demo: a Desktop profile, ``qbtui desktop serve`` for it, and the simulated Web Connector with the
    simulated demo company file: its first run pulls the lists, the roles are mapped from them (as `qbtui map
    --auto`), the sample documents are loaded once, the next runs send them. Returns what was done."""
    import secrets

    from qbtui.desktop import profile as desktop_profile
    from qbtui.desktop.simulator import Company, WebConnector, http_post

    if reset and profile_path.exists():
        Cache.open(profile_path, writer=True, command="qbtui demo --desktop --reset").close()
        shutil.rmtree(profile_path)
    private_dir(profile_path, tighten=True)
    with Cache.open(profile_path, writer=True, command="qbtui demo --desktop") as cache:
        if not desktop_profile.is_desktop(cache):
            desktop_profile.connect(cache, profile_path, secrets.token_urlsafe(24))
        username = str(cache.get_setting("desktop_username"))
    password = desktop_profile.password_path(profile_path).read_text()
    company = Company.open(profile_path / "simulated-company.json", "demo")
    proc, url = start_desktop_service(data_dir, profile_path, profile_path.name)
    post, close = http_post(url)
    try:
        wc = WebConnector(post, company, username=username, password=password)
        reports = wc.run(5)  # the lists (a profile not mapped yet), or what is still queued
        with Cache.open(profile_path, writer=True, command="qbtui demo --desktop") as cache:
            if not cache.get_setting("mapping"):
                cache.set_setting("mapping", auto_map(cache.reference("accounts") or []))
            if cache.count() == 0:
                cache.upsert_documents(demo_documents())
        reports += wc.run(20)
    finally:
        close()
        company.save()
        stop_sandbox(proc)
    return {"sessions": [{"status": r.status, "request_sets": r.request_sets, "message": r.message}
                         for r in reports], "company": company.summary(), "file": str(company.path)}
