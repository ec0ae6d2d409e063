"""QuickBooks Desktop end to end, as a user runs it: `qbtui connect --desktop`, `qbtui import` of the demo's
documents, `qbtui desktop qwc`, `qbtui desktop serve` (a real server, in its own process), then `qbtui desktop
simulate` plays the Web Connector against it with a simulated company file: the first run pulls the lists,
`qbtui map --auto` maps from Desktop's account types, the next run sends every pending document the gates let
through, each exactly once (queried back from the company file), the blocked ones left with their reasons."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import httpx2
import pytest

from qbtui.cache import Cache
from qbtui.desktop.qbxml import ENTITY
from qbtui.desktop.simulator import Company
from qbtui.sync.plan import gate_statuses
from qbtui.tui.sample import sample_documents
from tests.desktop.webconnector import PASSWORD_ENV, cli, desktop_profile


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path):
    """A Desktop profile with the demo's documents, and `qbtui desktop serve` running for it."""
    data = tmp_path / "data"
    path = desktop_profile(data)
    docs = tmp_path / "demo.json"
    docs.write_text(json.dumps(sample_documents()))
    r = cli(data, "--profile", "shop", "import", str(docs))
    assert r.exit_code == 0, r.output
    port = free_port()
    url = f"http://127.0.0.1:{port}/qbwc"
    proc = subprocess.Popen([sys.executable, "-m", "qbtui", "--data-dir", str(data), "--profile", "shop", "desktop",
                             "serve", "--port", str(port)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env={**os.environ, PASSWORD_ENV: ""})
    try:
        for _ in range(300):
            try:
                if httpx2.get(url, timeout=1).status_code == 200:
                    break
            except httpx2.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail("the service did not start: " + proc.stderr.read1().decode(errors="replace"))
        yield data, path, url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_demo_into_a_simulated_company_each_document_once(served):
    data, path, url = served
    qwc = cli(data, "--profile", "shop", "desktop", "qwc", "--url", url, "--every-min", "5")
    assert qwc.exit_code == 0 and ET.fromstring(qwc.stdout).findtext("AppURL") == url

    # the first run of the Web Connector: the lists, nothing sent
    first = cli(data, "--profile", "shop", "desktop", "simulate", "--url", url, "--company", "demo", "--json")
    assert first.exit_code == 0, first.output
    run = json.loads(first.stdout)
    assert run["sessions"][0]["message"].startswith("lists pulled") and run["sessions"][-1]["status"] == "none"
    assert run["company"] == {}  # nothing sent before the roles are mapped
    mapped = cli(data, "--profile", "shop", "map", "--auto", "--json")
    assert mapped.exit_code == 0, mapped.output
    assert json.loads(mapped.stdout)["unmapped_required"] == []  # from Desktop's account types

    status = cli(data, "--profile", "shop", "status", "--json")
    assert status.exit_code == 0, status.output
    conn = json.loads(status.stdout)["connection"]
    assert conn["system"] == "QuickBooks Desktop" and conn["web_connector_last_called"]

    queue = cli(data, "--profile", "shop", "sync", "--json")  # sends nothing itself: queues for the next session
    assert queue.exit_code == 0, queue.output
    assert json.loads(queue.stdout)["queued"] >= 40 and json.loads(queue.stdout)["backend"] == "desktop"
    human = cli(data, "--profile", "shop", "status")
    assert "QuickBooks Desktop" in human.output and "it last called" in human.output

    # the next runs: every document the gates let through
    second = cli(data, "--profile", "shop", "desktop", "simulate", "--url", url, "--json")
    assert second.exit_code == 0, second.output
    run = json.loads(second.stdout)
    assert run["sessions"][-1]["status"] == "none", run
    company = Company.open(json.loads(second.stdout)["file"])

    with Cache.open(path, writer=False) as cache:
        gates = gate_statuses(cache)
        every = [(d["type"], d["ref"]) for d in cache.documents()]
        synced = [(t, r) for t, r in every if cache.status_of(t, r) == "synced"]
        assert len(synced) >= 40, len(synced)
        for t, r in synced:
            link = cache.link(t, r)
            for part in link["qbo"]:
                entity = ENTITY.get(part["entity"], part["entity"])
                if t in ("customer", "supplier", "product"):
                    obj = next(o for lst in ("names", "items") for o in company.lists(lst)
                               if o["ListID"] == part["id"])
                    assert company.count(obj["kind"], cache.get(t, r)["data"]["name"]) == 1, (t, r)
                else:
                    txn = company.state["txns"][part["id"]]
                    assert txn["kind"] == entity and txn["Memo"].startswith(r), (t, r, txn)
                    same = [x for x in company.txns(entity) if x["Memo"] == txn["Memo"]]
                    assert len(same) == 1, (t, r)  # exactly once
        sent_ids = {p["id"] for t, r in every for p in (cache.link(t, r) or {}).get("qbo") or ()}
        made = {o["ListID"] for lst in ("names", "items") for o in company.lists(lst)} | set(company.state["txns"])
        assert made == sent_ids  # nothing in the company file that no document names
        left = [(t, r) for t, r in every if cache.status_of(t, r) != "synced"]
        for key in left:  # blocked ones left with their reasons (or failed with Desktop's)
            status, reasons = gates.get(key, (cache.status_of(*key), []))
            link = cache.link(*key) or {}
            assert reasons or (link.get("error") or {}).get("message"), key


def test_with_faults_against_the_served_service_each_document_once(tmp_path):
    """The same with `--faults` (answers dropped, QuickBooks failures, saves refused, the Web Connector dying) against
    `qbtui desktop serve --idle-timeout 1`: every document the gates let through once, nothing else."""
    data = tmp_path / "data"
    path = desktop_profile(data)
    docs = tmp_path / "demo.json"
    docs.write_text(json.dumps(sample_documents()))
    assert cli(data, "--profile", "shop", "import", str(docs)).exit_code == 0
    port = free_port()
    url = f"http://127.0.0.1:{port}/qbwc"
    proc = subprocess.Popen([sys.executable, "-m", "qbtui", "--data-dir", str(data), "--profile", "shop", "desktop",
                             "serve", "--port", str(port), "--idle-timeout", "1"], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                if httpx2.get(url, timeout=1).status_code == 200:
                    break
            except httpx2.HTTPError:
                time.sleep(0.1)
        args = ["--profile", "shop", "desktop", "simulate", "--url", url, "--company", "demo", "--json"]
        assert cli(data, *args).exit_code == 0
        assert cli(data, "--profile", "shop", "map", "--auto").exit_code == 0
        r = cli(data, *args, "--faults", "--seed", "7", "--kill-wait", "1.2", "--sessions", "200")
        assert r.exit_code == 0, r.output
        run = json.loads(r.stdout)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert run["sessions"][-1]["status"] == "none"
    assert any(s["status"] == "killed" for s in run["sessions"])  # the faults happened
    company = Company.open(run["file"])
    with Cache.open(path, writer=False) as cache:
        ids = [p["id"] for d in cache.documents() for p in (cache.link(d["type"], d["ref"]) or {}).get("qbo") or ()]
        assert sum(1 for d in cache.documents() if cache.status_of(d["type"], d["ref"]) == "synced") >= 40
    made = [o["ListID"] for lst in ("names", "items") for o in company.lists(lst)] + list(company.state["txns"])
    assert len(ids) == len(set(ids)) and sorted(made) == sorted(ids)  # each once, nothing else
