"""Reconcile by queries on a QuickBooks Desktop profile (docs/desktop.md#reconcile-by-queries): `qbtui reconcile`
queues the request and shows the last answer; the next Web Connector session queries the transactions of the
period (and ours it did not return, by TxnID) from the simulated company file and compares each with what qbtui
sent: clean when nothing changed; a changed amount, a deleted transaction and a second copy named, the company's
other activity kept apart."""

from __future__ import annotations

import json

from qbtui.cache import Cache
from qbtui.desktop.reconcile import ANSWER_SETTING, REQUEST_SETTING
from tests.desktop.test_undo import sessions, setup
from tests.desktop.volume import documents
from tests.desktop.webconnector import cli

RANGE = ("--from", "2026-11-01", "--to", "2026-11-30")


def reconcile(data):
    r = cli(data, "--profile", "shop", "reconcile", *RANGE, "--json")
    return r.exit_code, json.loads(r.stdout)


def test_reconcile_is_queued_answered_by_the_next_session_and_names_each_difference(tmp_path):
    docs = documents(40)  # 5 invoices of 20.00 on 2026-11-02, 5 payments of 20.00 on 2026-11-10
    data, profile, company, clock, wc = setup(tmp_path, docs)
    sessions(wc, clock)

    code, out = reconcile(data)
    assert code == 2 and out["report"] is None and out["queued"]["from"] == "2026-11-01"
    assert out["backend"] == "desktop"
    sessions(wc, clock)  # the session that answers it
    with Cache.open(profile, writer=False) as cache:
        assert cache.get_setting(REQUEST_SETTING) is None and cache.get_setting(ANSWER_SETTING)
    code, out = reconcile(data)
    report = out["report"]
    assert code == 0 and report["clean"] and report["compared"] == 10 and report["differences"] == []
    assert {r["entity"]: (r["ours"], r["desktop"]) for r in report["totals"]} == \
        {"Invoice": ("100.00", "100.00"), "ReceivePayment": ("100.00", "100.00")}

    # in QuickBooks: an invoice changed, a payment deleted, an invoice entered twice, the company's own sale
    with Cache.open(profile, writer=False) as cache:
        ids = {(d["type"], d["ref"]): cache.link(d["type"], d["ref"])["qbo"][0]["id"] for d in docs[30:]}
    txns = company.state["txns"]
    txns[ids[("sale_invoice", "SO-00001")]]["Subtotal"] = "25.00"
    del txns[ids[("sale_payment", "PAY-00002")]]
    copy = dict(txns[ids[("sale_invoice", "SO-00003")]], TxnID="COPY-1")
    txns["COPY-1"] = copy
    txns["OWN-1"] = {"kind": "Invoice", "TxnID": "OWN-1", "EditSequence": "1", "TxnDate": "2026-11-20",
                     "RefNumber": "7001", "Memo": "cash sale", "Subtotal": "300.00", "Lines": 1, "Uses": []}
    code, out = reconcile(data)
    assert code == 0 and out["report"]["clean"]  # the last answer, until the next session
    sessions(wc, clock)
    code, out = reconcile(data)
    report = out["report"]
    assert code == 1 and not report["clean"]
    kinds = {(d["kind"], d["ref"]) for d in report["differences"]}
    assert kinds == {("changed", "SO-00001"), ("deleted", "PAY-00002"), ("posted_twice", "SO-00003")}
    changed = next(d for d in report["differences"] if d["kind"] == "changed")
    assert (changed["ours"], changed["desktop"]) == ("20.00", "25.00")
    assert next(d for d in report["differences"] if d["kind"] == "posted_twice")["other_id"] == "COPY-1"
    invoices = next(r for r in report["totals"] if r["entity"] == "Invoice")
    assert invoices["desktop_other"] == "300.00"  # not ours: never a difference

    human = cli(data, "--profile", "shop", "reconcile", *RANGE)
    assert human.exit_code == 1 and "posted_twice" in human.stdout and "queued" in human.stderr
