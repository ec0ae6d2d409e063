"""Undo of a run on a QuickBooks Desktop profile (docs/desktop.md#undo): each Web Connector session is a run in the
log; `qbtui undo RUN` queues the removal for the next session (TxnDelRq, ListDelRq, else the element made inactive),
newest first, with the QBO undo's safety (later documents that still use an object refuse it unless --cascade); the
documents become voided once the session has them removed; a removal whose answer was lost is read again, never sent
twice. QuickBooks' side is the simulated company file, the Web Connector's the simulated one."""

from __future__ import annotations

import json
import random
import xml.etree.ElementTree as ET

from qbtui.cache import Cache
from qbtui.desktop.send import session_work
from qbtui.desktop.simulator import Company, Faults, WebConnector
from tests.desktop.volume import Server, documents, mapped
from tests.desktop.webconnector import PASSWORD, cli, desktop_profile


def sessions(wc: WebConnector, clock: list[float], most: int = 200) -> list[str]:
    statuses = []
    for _ in range(most):
        report = wc.session()
        statuses.append(report.status)
        if report.status == "none":
            return statuses
        clock[0] += 120  # the next scheduled run (a killed Web Connector's session given up meanwhile)
    raise AssertionError(f"the Web Connector never ran out of work: {statuses[-10:]}")


class Counting(Company):
    """The simulated company file, counting the removals that reach it (by object id)."""

    def __init__(self, *a, **kw) -> None:
        super().__init__(*a, **kw)
        self.removals: dict[str, int] = {}

    def answer(self, request: str) -> str:
        body = request.split("?>", 2)[-1]
        for rq in ET.fromstring(body).find("QBXMLMsgsRq"):
            if rq.tag in ("TxnDelRq", "ListDelRq"):
                key = rq.findtext("TxnID") or rq.findtext("ListID") or ""
                self.removals[key] = self.removals.get(key, 0) + 1
        return super().answer(request)


def setup(tmp_path, docs, company: Company | None = None, faults: Faults | None = None):
    data = tmp_path / "data"
    profile = desktop_profile(data)
    company = company or Counting(Company.new("demo").state)
    mapped(profile, company, docs)
    clock = [0.0]
    server = Server(profile, clock, session_work)
    wc = WebConnector(server.post, company, username="qbtui", password=PASSWORD, faults=faults)
    return data, profile, company, clock, wc


def ours(company: Company) -> list[str]:
    """What qbtui made in the company file: customers, vendors, items, transactions (not the accounts, terms...)."""
    return [o["ListID"] for lst in ("names", "items") for o in company.lists(lst) if o.get("IsActive", True)] + \
        list(company.state["txns"])


def desktop_runs(profile) -> list[dict]:
    with Cache.open(profile, writer=False) as cache:
        return [dict(r) for r in cache.runs() if r.get("backend") == "desktop"]


def test_a_session_is_a_run_and_its_undo_is_queued_then_done_by_the_next_session(tmp_path):
    docs = documents(40)  # 20 customers, 10 products, 5 invoices, 5 payments
    data, profile, company, clock, wc = setup(tmp_path, docs)
    sessions(wc, clock)
    made = ours(company)
    assert len(made) == 40
    run = next(r for r in desktop_runs(profile) if r["kind"] == "sync")
    assert run["ended"] and run["counts"]["synced"] == 40 and run["who"] == "QuickBooks Web Connector"
    assert sorted(c["id"] for c in run["created"]) == sorted(made)  # what undo removes
    runs = cli(data, "--profile", "shop", "runs", "--json")
    assert runs.exit_code == 0 and run["id"] in runs.stdout

    dry = cli(data, "--profile", "shop", "undo", run["id"], "--dry-run", "--json")
    assert dry.exit_code == 0, dry.output
    plan = json.loads(dry.stdout)
    assert plan["backend"] == "desktop" and len(plan["objects"]) == 40
    actions = {o["entity"]: o["action"] for o in plan["objects"]}
    assert actions == {"Payment": "delete", "Invoice": "delete", "Customer": "delete_or_deactivate",
                       "Item": "delete_or_deactivate"}
    assert [o["entity"] for o in plan["objects"]][:5] == ["Payment"] * 5  # newest first
    assert len(ours(company)) == 40 and not [r for r in desktop_runs(profile) if r["kind"] == "undo"]

    # a customer that a transaction made in QuickBooks by its user still uses: Desktop refuses its delete
    kept = next(o for o in company.lists("names") if o["Name"] == "Customer 007")
    company.state["txns"]["USER-1"] = {"kind": "Invoice", "TxnID": "USER-1", "EditSequence": "1", "TxnDate":
                                       "2026-11-02", "RefNumber": "U-1", "Memo": "the user's own", "Lines": 1,
                                       "Uses": [kept["ListID"]]}
    queued = cli(data, "--profile", "shop", "undo", run["id"], "--yes", "--json")
    assert queued.exit_code == 0, queued.output
    answer = json.loads(queued.stdout)
    assert answer["run"]["queued"] == 40 and answer["run"]["backend"] == "desktop"
    assert len(ours(company)) == 41  # nothing removed until the Web Connector calls
    again = cli(data, "--profile", "shop", "undo", run["id"], "--yes")
    assert again.exit_code == 2 and "already queued" in again.output

    sessions(wc, clock)
    assert ours(company) == ["USER-1"]  # everything qbtui made is gone; the user's invoice stays
    assert kept["ListID"] in company.state["lists"]["names"] and kept["IsActive"] is False  # made inactive
    assert all(n == 1 for n in company.removals.values())
    with Cache.open(profile, writer=False) as cache:
        assert {cache.link(d["type"], d["ref"])["status"] for d in docs} == {"voided"}
        undo = next(r for r in cache.runs() if r.get("kind") == "undo")
        assert undo["ended"] and undo["counts"] == {"removed": 40, "deactivated": 1, "failed": 0, "kept": 0}
        assert next(r for r in cache.runs() if r["id"] == run["id"])["undone_by"] == undo["id"]
    status = cli(data, "--profile", "shop", "undo", run["id"], "--yes")
    assert status.exit_code == 2 and "already undone" in status.output


def test_a_removal_whose_answer_was_lost_is_read_again_never_sent_twice(tmp_path):
    docs = documents(60)
    data, profile, company, clock, wc = setup(tmp_path, docs)
    sessions(wc, clock)
    run = next(r for r in desktop_runs(profile) if r["kind"] == "sync")
    assert cli(data, "--profile", "shop", "undo", run["id"], "--yes").exit_code == 0
    # answers dropped a third of the time, the Web Connector killed now and then
    wc.faults = Faults(drop=0.3, kill=0.05, rng=random.Random(7))
    statuses = sessions(wc, clock)
    assert statuses.count("killed") >= 5
    assert ours(company) == []
    assert len(company.removals) == 60 and all(n == 1 for n in company.removals.values())  # each sent once
    with Cache.open(profile, writer=False) as cache:
        assert {cache.link(d["type"], d["ref"])["status"] for d in docs} == {"voided"}


def test_what_later_documents_use_is_refused_unless_cascade(tmp_path):
    docs = documents(40)
    contacts, sales = docs[:30], docs[30:]
    data, profile, company, clock, wc = setup(tmp_path, contacts)
    sessions(wc, clock)
    with Cache.open(profile, writer=True) as cache:
        cache.upsert_documents(sales)
    sessions(wc, clock)
    second, first = [r for r in desktop_runs(profile) if r["kind"] == "sync"]  # newest first
    assert len(first["created"]) == 30 and len(second["created"]) == 10

    refused = cli(data, "--profile", "shop", "undo", first["id"], "--yes", "--json")
    assert refused.exit_code == 1
    out = json.loads(refused.stdout)
    assert out["error"] == "undo_refused" and {u["run"] for o in out["refused"] for u in o["used_by"]} == \
        {second["id"]}
    assert not [r for r in desktop_runs(profile) if r["kind"] == "undo"]  # nothing queued

    cascade = cli(data, "--profile", "shop", "undo", first["id"], "--cascade", "--yes", "--json")
    assert cascade.exit_code == 0, cascade.output
    assert json.loads(cascade.stdout)["run"]["queued"] == 40
    sessions(wc, clock)
    assert ours(company) == []
    runs = {r["id"]: r for r in desktop_runs(profile)}
    undo = next(r for r in runs.values() if r["kind"] == "undo")
    assert runs[first["id"]]["undone_by"] == undo["id"] == runs[second["id"]]["undone_by"]
