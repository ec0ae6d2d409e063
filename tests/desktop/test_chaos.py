"""Chaos: 1,000 documents through the simulated Web Connector with 5% of the answers dropped (QuickBooks saved the
object, the Web Connector died before passing the answer on), the Web Connector killed at 5 random moments (a
request set handed out, never run) and the server restarted twice mid-session: in the end every document is in the
simulated company file exactly once, and nothing else is."""

from __future__ import annotations

import random

from qbtui.cache import Cache
from qbtui.desktop.send import session_work
from qbtui.desktop.simulator import Company, Faults, WebConnector
from tests.desktop.volume import Server, documents, mapped
from tests.desktop.webconnector import PASSWORD, desktop_profile

N = 1000


def test_every_document_exactly_once_through_drops_kills_and_restarts(tmp_path):
    rng = random.Random(20261130)
    profile = desktop_profile(tmp_path / "data")
    company = Company.new("demo")
    docs = documents(N)
    mapped(profile, company, docs)
    clock = [0.0]
    server = Server(profile, clock, session_work)
    total_sets = int(N * 1.1)
    kills = set(rng.sample(range(10, total_sets), 5))
    restarts = sorted(rng.sample(range(10, total_sets), 2))
    calls = [0]

    def post(method: str, body: bytes) -> bytes:
        if method == "sendRequestXML" and restarts and wc.sets >= restarts[0]:
            restarts.pop(0)
            server.restart()  # mid-session: the Web Connector's ticket names nothing any more
        calls[0] += 1
        return server.post(method, body)

    wc = WebConnector(post, company, username="qbtui", password=PASSWORD,
                      faults=Faults(drop=0.05, rng=random.Random(rng.random())),
                      kill_at=lambda sets: sets in kills and not kills.discard(sets))
    statuses: list[str] = []
    for _ in range(500):
        report = wc.session()
        statuses.append(report.status)
        if report.status == "none":
            break
        clock[0] += 120  # the next scheduled run, after a killed Web Connector's session was given up
    assert statuses[-1] == "none", statuses[-20:]
    assert not kills and server.restarts == 2
    assert statuses.count("killed") >= 5 + 20  # the 5 kills, and answers dropped (5% of about 1,000 sets)

    with Cache.open(profile, writer=False) as cache:
        links = {(d["type"], d["ref"]): cache.link(d["type"], d["ref"]) for d in docs}
    assert all(link and link["status"] == "synced" for link in links.values()), \
        [k for k, v in links.items() if not v or v["status"] != "synced"][:10]
    ids = [part["id"] for link in links.values() for part in link["qbo"]]
    assert len(ids) == len(set(ids)) == N  # one Desktop object per document, each its own
    made = [o["ListID"] for lst in ("names", "items") for o in company.lists(lst)] + list(company.state["txns"])
    assert sorted(made) == sorted(ids)  # and nothing else in the company file
    for d in docs:  # queried back: each document's name or memo once
        if d["type"] in ("customer", "product"):
            assert company.count("Customer" if d["type"] == "customer" else "ItemNonInventory", d["name"]) == 1
        else:
            assert company.count("Invoice" if d["type"] == "sale_invoice" else "ReceivePayment", d["ref"]) == 1
