"""Faults about the whole company (QBO's 3100, 120 and 6190, and a 401 after one token refresh) stop a sync at once
with one clear message and exit code 2, marking no document failed; the intuit_tid of every failed answer is kept
with the error (the link, the run log, `qbtui errors --json`). Against the sandbox's own fault injection."""

from __future__ import annotations

import re

import pytest

from tests.support import documents
from tests.support.documents import small_set

TID = re.compile(r"^1-[0-9a-f]{8}-[0-9a-f]{24}$")  # as recorded: qbo_api_vcr/error/401.yml


def _no_document_failed(profile) -> None:
    with profile.cache() as cache:
        assert sum(c["failed"] for c in cache.status_counts().values()) == 0
        assert not [link for link in cache.links() if link.get("status") == "failed"]


@pytest.mark.parametrize(("code", "says"), [
    ("3100", "not authorized"),
    ("120", "no access"),
    ("6190", "subscription"),
])
def test_a_company_wide_fault_stops_the_run_at_once_with_exit_2_and_fails_no_document(profile, code, says):
    profile.import_docs(small_set(6) + [documents.payment("PAY-1", "SO-1001", amount="5.00"),
                                        documents.payment("PAY-2", "SO-1002", amount="5.00")])
    requests = profile.log_requests()
    profile.refuse(code, after_writes=3)  # the customers and the product go through; the invoices meet the refusal
    r = profile.q("sync", "--yes", "--json")
    assert r.exit_code == 2, r.output
    assert says in r.stderr and code in r.stderr
    assert "intuit_tid 1-" in r.stderr  # what Intuit support asks for
    _no_document_failed(profile)
    # stopped at once: no later wave (the payments) was ever tried
    assert not [q for q in requests.requests if b'"Payment"' in q.body or q.path.endswith("/payment")]
    assert not [i for i in profile.live("Invoice") if str(i.get("DocNumber", "")).startswith("SO-")]
    run = profile.q.json("runs")["runs"][0]
    assert run["stopped"]["code"] == code and TID.match(run["stopped"]["intuit_tid"])
    assert run["stopped"]["hint"]
    assert run["counts"].get("failed", 0) == 0
    # the next sync, once the company is fine again, sends everything exactly once
    profile.refuse(None)
    code2, out = profile.sync_json()
    assert code2 == 0, out
    assert len([i for i in profile.live("Invoice") if str(i.get("DocNumber", "")).startswith("SO-")]) == 6
    assert profile.count("Payment", "PaymentRefNum")["PAY-1"] == 1 == profile.count("Payment", "PaymentRefNum")["PAY-2"]


def test_the_json_error_of_a_stopped_run_says_what_happened_and_what_to_do(profile):
    profile.import_docs(small_set(2))
    profile.refuse("6190")
    r = profile.q("sync", "--yes", "--json")
    assert r.exit_code == 2
    error = __import__("json").loads(r.stdout)["error"]
    assert error["code"] == "company_unavailable"
    assert "6190" in error["message"] and "subscription" in error["hint"]
    _no_document_failed(profile)


def test_a_401_after_one_refresh_stops_the_run_with_reconnect_and_fails_nothing(profile):
    profile.import_docs(small_set(3))
    tokens = profile.sandbox.tokens
    tokens.check_access = lambda token: "Token revoked"  # every access token refused, even a fresh one
    r = profile.q("sync", "--yes", "--json")
    assert r.exit_code == 2, r.output
    assert "qbtui connect" in r.stderr
    _no_document_failed(profile)
    run = profile.q.json("runs")["runs"][0]
    assert run["stopped"]["code"] == "3200" and TID.match(run["stopped"]["intuit_tid"])


def test_the_intuit_tid_of_a_failed_answer_is_kept_on_the_link_in_the_run_log_and_in_errors(profile):
    profile.company.create("Vendor", {"DisplayName": "Tid Vendor"})
    profile.import_docs(small_set(1) + [documents.customer("C-TID", "Tid Vendor")])
    code, out = profile.sync_json()
    assert code == 1, out
    doc = next(d for d in out["documents"] if d["ref"] == "C-TID")
    assert doc["status"] == "failed" and TID.match(doc["error"]["intuit_tid"])
    with profile.cache() as cache:
        assert cache.link("customer", "C-TID")["error"]["intuit_tid"] == doc["error"]["intuit_tid"]
    run = profile.q.json("runs")["runs"][0]
    assert {"type": "customer", "ref": "C-TID", "entity": "Customer", "code": "6240",
            "intuit_tid": doc["error"]["intuit_tid"]} in run["failures"]
    rows = [e for e in profile.q.json("errors")["errors"] if e["ref"] == "C-TID"]
    assert rows and rows[0]["intuit_tid"] == doc["error"]["intuit_tid"]
    text = profile.q("errors").output
    assert f"intuit_tid: {doc['error']['intuit_tid']}" in text
