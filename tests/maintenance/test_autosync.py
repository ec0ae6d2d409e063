"""Autosync: the schedule, one sync per profile (two real processes against a loopback sandbox), and
the alert of a failing scheduled sync: in the app and by e-mail through a local SMTP server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from qbtui.cache import Cache
from qbtui.maintenance.alerts import inbox, unread
from qbtui.maintenance.autosync import due, run_scheduled
from qbtui.sandbox.server import free_port
from tests.maintenance.conftest import DOCS


def set_schedule(path: Path, start: datetime | None = None, every: str = "1h", **extra: object) -> None:
    with Cache.open(path, writer=True, command="test") as cache:
        cache.set_setting("autosync.start", (start or datetime.now() - timedelta(minutes=5)).isoformat(
            timespec="minutes"))
        cache.set_setting("autosync.every", every)
        for key, value in extra.items():
            cache.set_setting(key.replace("__", "."), value)


def test_schedule_slots(tmp_path):
    path = tmp_path / "p"
    with Cache.open(path, writer=True, command="test") as cache:
        now = datetime(2026, 11, 27, 10, 30).astimezone()
        assert due(cache, now)[0] is False and "off" in due(cache, now)[1]
        cache.set_setting("autosync.start", "2026-11-27T11:00")
        cache.set_setting("autosync.every", "15m")
        assert due(cache, now)[:2] == (False, "autosync starts at " + datetime(2026, 11, 27, 11, 0).astimezone()
                                       .isoformat(timespec="minutes"))
        later = datetime(2026, 11, 27, 11, 40).astimezone()
        is_due, _, slot = due(cache, later)
        assert is_due and slot == datetime(2026, 11, 27, 11, 30).astimezone()
        cache.add_run({"kind": "scheduled", "slot": slot.isoformat()})
        assert due(cache, later)[0] is False
        assert due(cache, later + timedelta(minutes=6))[0] is True
        cache.set_setting("integration_mode", "from_quickbooks")
        assert due(cache, later + timedelta(minutes=6))[0] is False


def test_not_due_runs_nothing(env, qbtui):
    qbtui.data_dir = env.data_dir
    set_schedule(env.path, start=datetime.now() + timedelta(hours=1))
    result = qbtui("sync", "--scheduled")
    assert result.exit_code == 0 and "autosync starts at" in result.output
    assert qbtui.json("runs")["runs"] == []


def test_waits_then_refuses_while_profile_held(env):
    set_schedule(env.path)
    with Cache.open(env.path, writer=True, command="qbtui sync"):
        result = run_scheduled(env.path, wait_s=0.5)
    assert result.exit_code == 2
    assert "in use by process" in result.message and "qbtui sync" in result.message
    assert not env.company.objects["Invoice"] or all(
        o.get("DocNumber") not in ("SO-1001", "SO-1002") for o in env.company.objects["Invoice"].values())
    ok = run_scheduled(env.path, wait_s=0.5)
    assert ok.exit_code == 0, ok.message
    assert ok.run["kind"] == "scheduled" and ok.run["who"] and len(ok.run["created"]) == 8
    again = run_scheduled(env.path, wait_s=0.5)
    assert again.exit_code == 0 and "already ran" in again.message


def test_two_processes_never_both_send(make_profile):
    env = make_profile(docs=DOCS, latency_ms=40)
    set_schedule(env.path)
    base = [sys.executable, "-m", "qbtui", "--data-dir", str(env.data_dir), "--profile", "default", "sync"]
    environ = {**os.environ, "QBTUI_SYNC_WAIT": "0"}
    procs = [subprocess.Popen(base + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environ, text=True)
             for args in (["--scheduled", "--json"], ["--yes", "--json"], ["--scheduled", "--json"])]
    outs = [p.communicate(timeout=60) for p in procs]
    codes = [p.returncode for p in procs]
    print("exit codes", codes)
    assert set(codes) <= {0, 2}, outs
    assert 0 in codes, outs
    for code, (_, err) in zip(codes, outs):
        if code == 2:
            assert "in use by process" in err, err
    numbers = [o.get("DocNumber") for e in ("Invoice", "JournalEntry") for o in env.company.objects[e].values()]
    for number in ("SO-1001", "SO-1002", "COGS-SO-1001", "COGS-SO-1002", "ADJ-2026-11-0001"):
        assert numbers.count(number) == 1, (number, outs)
    names = [o.get("DisplayName") for o in env.company.objects["Customer"].values()]
    assert names.count("Harbour Cafe") == 1
    with env.cache() as cache:
        created = [c for r in cache.runs() for c in r.get("created") or ()]
    assert len(created) == 8  # every object created by exactly one run


class Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp():
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    box.port = port
    try:
        yield box
    finally:
        controller.stop()


def test_failing_scheduled_sync_alerts_by_email_and_in_app(env, qbtui, smtp):
    qbtui.data_dir = env.data_dir
    assert qbtui("sync", "--type", "customer", "--type", "product", "--yes").exit_code == 0
    with env.cache() as cache:
        customer = cache.link("customer", "C-100")["qbo"][0]["id"]

    async def deactivate(client):  # someone makes the customer inactive in QBO: its invoice is refused (610)
        c = await client.read("Customer", customer)
        await client.update("Customer", {"Id": customer, "SyncToken": c["SyncToken"], "Active": False}, sparse=True)

    env.qbo(deactivate)
    set_schedule(env.path, alerts__email="books@example.com, owner@example.com", alerts__smtp_host="127.0.0.1",
                 alerts__smtp_port=smtp.port, alerts__smtp_security="plain", alerts__smtp_from="qbtui@example.com")
    result = qbtui("sync", "--scheduled", "--json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    failed = {d["ref"] for d in data["documents"] if d["status"] == "failed"}
    assert "SO-1001" in failed
    assert data["alert"]["email"] == {"sent": True, "to": ["books@example.com", "owner@example.com"]}
    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert sorted(mail.rcpt_tos) == ["books@example.com", "owner@example.com"]
    text = mail.content.decode()
    assert "Subject: qbtui: scheduled sync: " in text and "SO-1001" in text and data["run"]["id"] in text
    with env.cache() as cache:
        alerts = unread(cache)
    assert len(alerts) == 1 and alerts[0]["run"] == data["run"]["id"] and alerts[0]["severity"] == "error"
    status = qbtui.json("autosync")
    assert status["unread_alerts"][0]["id"] == alerts[0]["id"]


def test_scheduled_sync_that_cannot_connect_alerts(env, qbtui, smtp):
    qbtui.data_dir = env.data_dir
    set_schedule(env.path, alerts__email="books@example.com", alerts__smtp_host="127.0.0.1",
                 alerts__smtp_port=smtp.port, alerts__smtp_security="plain")
    with Cache.open(env.path, writer=True, command="test") as cache:
        cache.set_setting("environment", f"http://127.0.0.1:{free_port()}")  # QBO unreachable
    result = qbtui("sync", "--scheduled")
    assert result.exit_code == 2
    assert "could not run" in result.output and "alert e-mailed to books@example.com" in result.output
    assert len(smtp.messages) == 1
    with env.cache() as cache:
        run = cache.runs()[0]
        assert run["kind"] == "scheduled" and run["error"]
        assert inbox(cache)[-1]["run"] == run["id"]


def test_email_failure_keeps_the_in_app_alert(env, qbtui):
    qbtui.data_dir = env.data_dir
    set_schedule(env.path, alerts__email="books@example.com", alerts__smtp_host="127.0.0.1",
                 alerts__smtp_port=free_port(), alerts__smtp_security="plain", alerts__smtp_user="me",
                 alerts__smtp_password_env="QBTUI_TEST_NO_SUCH_VAR")
    with Cache.open(env.path, writer=True, command="test") as cache:
        cache.set_setting("environment", f"http://127.0.0.1:{free_port()}")
    result = qbtui("sync", "--scheduled")
    assert result.exit_code == 2 and "alert not e-mailed" in result.output
    with env.cache() as cache:
        alert = inbox(cache)[-1]
    assert alert["email"]["sent"] is False and "QBTUI_TEST_NO_SUCH_VAR" in alert["email"]["error"]
