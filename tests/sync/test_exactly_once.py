"""Exactly once for every kind: each document is found again in QBO by its own key whatever the day's
volume (paged lookups; a payment by its PaymentRefNum), a found transaction is ours only when it carries
our full reference and the same counterparty, date and total, and a resent request keeps its requestid."""

from __future__ import annotations

import json
import random
from collections import Counter
from decimal import Decimal

import pytest

from qbtui.sandbox import errors as sandbox_errors
from tests.support.documents import customer, invoice, line, payment, payment_set, product

from .conftest import run_sync

PAY_DATE = "2026-11-10"


def ours_by_ref(profile) -> Counter:
    """The payments of :func:`payment_set` in QBO, by PaymentRefNum (the demo company has others)."""
    return Counter(r for r in (p.get("PaymentRefNum") or "" for p in profile.live("Payment")) if r.startswith("PP-"))


@pytest.mark.slow
def test_250_payments_on_one_date_sigkilled_20_times(make_profile):
    """250 payments on one date; `qbtui sync` SIGKILLed at 20 seeded moments, each while requests were in
    the sandbox, and run again until done: exactly 250 payments in QBO, each document synced."""
    n, kills_wanted = 250, 20
    profile = make_profile(latency_ms=40)
    docs = payment_set(n)
    profile.import_docs(docs)
    code, out = profile.sync_json("--type", "sale_invoice")
    assert code == 0, [d for d in out["documents"] if d["status"] != "synced"]
    requests = profile.log_requests()
    rng = random.Random(250)
    env = profile.env()
    payments = [d["ref"] for d in docs if d["type"] == "sale_payment"]
    landed, misses, runs, sent = [], 0, 0, 0
    finished = False
    while runs < kills_wanted * 2 + 10:
        runs += 1
        args: list[str] = []
        kill_at = ""
        if len(landed) < kills_wanted:  # a slice of the payments (as the dashboard hands them over), killed
            size = rng.randint(6, 18)
            args = [arg for ref in payments[sent:sent + size] for arg in ("--ref", ref)]
            sent += size
            kill_at = rng.choice(("/batch", "/batch", "/batch", "/query"))  # a send, or the lookup before it
        run = run_sync(env, rng, *args, requests=requests,
                       kill_when=(lambda run, path=kill_at: bool(run.sent(requests, path))) if kill_at else None)
        if run.killed_at is not None:
            in_flight = requests.in_flight_at(run.killed_at)
            if in_flight:
                landed.append((kill_at, run.seen, in_flight, sum(ours_by_ref(profile).values())))
            else:
                misses += 1  # the run ended before a request was caught in flight: kill again
            continue
        assert run.code in (0, 1), run.stderr
        with profile.cache() as cache:
            if not sum(c["pending"] + c["failed"] for c in cache.status_counts().values()):
                finished = True
                break
    assert finished and len(landed) == kills_wanted, (landed, misses, runs)
    # the kills came while QBO held more than a page (100) of that day's payments, again and again
    assert sum(1 for *_, held in landed if held > 100) >= 5, landed
    ours = ours_by_ref(profile)
    assert sum(ours.values()) == n
    assert all(ours[f"PP-{i:04d}"] == 1 for i in range(n))
    with profile.cache() as cache:
        statuses = Counter(cache.status_of(d["type"], d["ref"]) for d in docs)
    assert statuses == Counter({"synced": len(docs)})
    # each invoice was paid once: its balance is 100.00 less its one payment
    for inv in profile.live("Invoice"):
        if str(inv.get("DocNumber", "")).startswith("PI-"):
            i = int(inv["DocNumber"][3:])
            assert Decimal(str(inv["Balance"])) == (Decimal("60.00") if i % 2 == 0 else 0), inv["DocNumber"]
    print(f"\n250 payments: {len(landed)} kills in flight ({misses} missed), {runs} runs")


def _hand_typed_invoice(profile, number: str, customer_id: str, item_id: str, memo: str | None) -> dict:
    body = {"DocNumber": number, "TxnDate": "2026-11-02", "CustomerRef": {"value": customer_id},
            "Line": [{"DetailType": "SalesItemLineDetail", "Amount": 25.0,
                      "SalesItemLineDetail": {"ItemRef": {"value": item_id}, "Qty": 2, "UnitPrice": 12.5}}]}
    if memo is not None:
        body["CustomerMemo"] = {"value": memo}
    return profile.company.create("Invoice", body)


def test_hand_typed_invoice_with_our_number_date_and_total_is_not_ours(profile):
    """After a 6140, an invoice typed by hand with our number, date and total is not taken as ours when it
    names another customer, or carries no reference: not linked, not in the run's created list, and
    `qbtui undo` of the run leaves it alone. Our own lost create (reference in CustomerMemo) is linked."""
    profile.import_docs([customer(), product(purchase_cost=None)]
                        + [invoice(r, lines=[line(quantity=2, unit_cost=None)]) for r in ("SO-2001", "SO-2002", "SO-2003")])
    code, out = profile.sync_json("--type", "customer", "--type", "product")
    assert code == 0, out
    ids = {d["ref"]: d["qbo_ids"][0] for d in out["documents"]}
    other = next(c for c in profile.live("Customer") if c["DisplayName"] == "Bluebell Bakery")["Id"]
    typed = {
        "SO-2001": _hand_typed_invoice(profile, "SO-2001", other, ids["MUG-01"], "SO-2001"),  # another customer
        "SO-2002": _hand_typed_invoice(profile, "SO-2002", ids["C-100"], ids["MUG-01"], None),  # no reference
        "SO-2003": _hand_typed_invoice(profile, "SO-2003", ids["C-100"], ids["MUG-01"], "SO-2003"),  # as ours
    }
    code, out = profile.sync_json()
    assert code == 1
    docs = {d["ref"]: d for d in out["documents"]}
    for ref in ("SO-2001", "SO-2002"):
        assert docs[ref]["status"] == "failed" and docs[ref]["error"]["code"] == "6140", docs[ref]
        assert docs[ref]["error"]["hint"] and not docs[ref]["qbo_ids"]
    assert docs["SO-2003"]["status"] == "synced" and docs["SO-2003"]["qbo_ids"] == [typed["SO-2003"]["Id"]]
    created = {(c["entity"], c["id"]) for c in out["run"]["created"]}
    assert ("Invoice", typed["SO-2001"]["Id"]) not in created and ("Invoice", typed["SO-2002"]["Id"]) not in created
    r = profile.q("undo", out["run"]["id"], "--yes")
    assert r.exit_code == 0, r.output
    live = {o["Id"] for o in profile.live("Invoice")}
    assert typed["SO-2001"]["Id"] in live and typed["SO-2002"]["Id"] in live
    assert profile.count("Invoice", "DocNumber")["SO-2001"] == 1


def test_payment_in_qbo_is_linked_not_refused_as_an_overpayment(profile):
    """A payment whose answer was lost (it is in QBO, the cache does not know it) is found by its reference
    and linked on the next sync, not refused ("exceeds its open balance 0.00") forever; a payment that is
    not ours (another reference) is never taken for it."""
    docs = [customer(), product(purchase_cost=None)]
    for i in (1, 2):
        docs += [invoice(f"SO-300{i}", lines=[line(quantity=2, unit_cost=None)]),
                 payment(f"PAY-300{i}", f"SO-300{i}", PAY_DATE, "25.00")]
    profile.import_docs(docs)
    code, out = profile.sync_json()
    assert code == 0, out
    paid = {d["ref"]: d["qbo_ids"] for d in out["documents"]}
    # PAY-3001's answer "was lost"; PAY-3002 was deleted in QBO and its invoice paid by someone else
    pay2 = profile.company.get("Payment", paid["PAY-3002"][0])
    profile.company.delete("Payment", {"Id": pay2["Id"], "SyncToken": pay2["SyncToken"]})
    profile.company.create("Payment", {"TxnDate": PAY_DATE, "CustomerRef": pay2["CustomerRef"], "TotalAmt": 25.0,
                                       "PaymentRefNum": "CHQ-881", "Line": pay2["Line"]})
    lost = {"status": "failed", "qbo": [], "error": {"code": "6000", "message": "exceeds its open balance 0.00"}}
    with profile.cache(writer=True) as cache:
        cache.record_outcomes([{"type": "sale_payment", "ref": r, **lost} for r in ("PAY-3001", "PAY-3002")])
    code, out = profile.sync_json()
    docs_out = {d["ref"]: d for d in out["documents"]}
    assert docs_out["PAY-3001"]["status"] == "synced" and docs_out["PAY-3001"]["qbo_ids"] == paid["PAY-3001"]
    assert docs_out["PAY-3002"]["status"] == "failed" and docs_out["PAY-3002"]["error"]["code"] == "6000"
    refs = profile.count("Payment", "PaymentRefNum")
    assert (refs["PAY-3001"], refs["PAY-3002"], refs["CHQ-881"]) == (1, 0, 1)


def test_lost_payment_answers_are_found_among_more_than_a_page(make_profile):
    """Answers lost after QBO committed, with more than 100 payments on the same date already in QBO: each
    lost payment is found by its reference (paged, in bulk), never sent twice."""
    profile = make_profile()
    docs = payment_set(160)
    profile.import_docs(docs)
    code, out = profile.sync_json("--type", "sale_invoice")
    assert code == 0
    first = [d["ref"] for d in docs if d["type"] == "sale_payment"][:120]
    code, out = profile.sync_json(*[arg for ref in first for arg in ("--ref", ref)])
    assert code == 0 and sum(ours_by_ref(profile).values()) == 120
    profile.faults("drop_after_commit=0.5", seed=7)
    for _ in range(10):
        code, out = profile.sync_json()
        if code == 0:
            break
    assert code == 0, [d for d in out["documents"] if d["status"] != "synced"]
    assert profile.sandbox.faults.counts["drop_after_commit"] > 0
    ours = ours_by_ref(profile)
    assert sum(ours.values()) == 160 and set(ours.values()) == {1}


def test_resent_batch_keeps_its_requestid(make_profile):
    """A batch that got no answer is looked up, and what QBO does not have is resent as the same batch with
    the same requestid (so that QBO replays it, had it acted on it after all)."""
    profile = make_profile(fault_hold_s=0.05)
    docs = [customer(), product(purchase_cost=None)]
    docs += [invoice(f"SO-{4000 + i}", lines=[line(quantity=1 + i % 3, unit_cost=None)]) for i in range(60)]
    profile.import_docs(docs)
    code, _ = profile.sync_json("--type", "customer", "--type", "product")
    assert code == 0
    requests = profile.log_requests()
    profile.faults("timeout=0.4", seed=11)
    profile.engine_sync(singles=False, batch_size=5)  # one run: batches only
    batches: dict[bytes, set[str]] = {}
    for r in requests.requests:
        if r.path.endswith("/batch"):
            batches.setdefault(r.body, set()).add(r.request_id)
    resent = {body: rids for body, rids in batches.items()
              if sum(1 for r in requests.requests if r.body == body) > 1}
    assert resent, "no batch was resent: the faults did not bite"
    assert all(len(rids) == 1 for rids in resent.values()), list(resent.values())
    assert profile.sandbox.faults.counts["timeout"] > 0
    numbers = profile.count("Invoice", "DocNumber")
    assert all(numbers[f"SO-{4000 + i}"] <= 1 for i in range(60))


def test_duplicate_name_links_same_kind_and_fails_other_kind_without_stopping(profile):
    """6240: a customer of the same name typed into QBO meanwhile is linked as pre-existing (not in the run's
    created list, not undone); a customer whose name a vendor holds fails with a hint; the rest of the sync
    goes on, even when the name lookup before creating gets no answer (QBO's 6240 still guards the names)."""
    profile.company.create("Vendor", {"DisplayName": "Held By Vendor"})
    docs = [{"type": "customer", "ref": "C-VEND", "name": "Held By Vendor"},
            {"type": "customer", "ref": "C-RACE", "name": "Raced Customer"},
            {"type": "customer", "ref": "C-100", "name": "Harbour Cafe"},
            {"type": "product", "ref": "MUG-01", "name": "Stoneware mug", "sale_price": "12.50"},
            {"type": "sale_invoice", "ref": "SO-5001", "customer": "C-100", "invoice_date": "2026-11-02",
             "lines": [{"sku": "MUG-01", "quantity": 2, "unit_price": "12.50"}]},
            {"type": "sale_invoice", "ref": "SO-5002", "customer": "C-RACE", "invoice_date": "2026-11-02",
             "lines": [{"sku": "MUG-01", "quantity": 1, "unit_price": "12.50"}]}]
    profile.import_docs(docs)
    # the first queries of the run (the customers' name lookup and its retries) get HTTP 500; meanwhile a person
    # types "Raced Customer" into QBO
    api, queries, raced = profile.sb.app.api, [], {}

    async def outage_then_typed_in(scope, receive, send):
        if scope["path"].endswith("/query") and len(queries) < 5:
            queries.append(scope["path"])
            if not raced:
                raced.update(profile.company.create("Customer", {"DisplayName": "Raced Customer"}))
            body = json.dumps(sandbox_errors.application_error("outage").body()).encode()
            await send({"type": "http.response.start", "status": 500,
                        "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": body})
            return
        await api(scope, receive, send)
    profile.sb.app.api = outage_then_typed_in
    code, out = profile.sync_json()
    assert code == 1, out
    assert len(queries) == 5
    docs_out = {d["ref"]: d for d in out["documents"]}
    assert docs_out["C-VEND"]["status"] == "failed" and docs_out["C-VEND"]["error"]["code"] == "6240"
    assert docs_out["C-VEND"]["error"]["hint"]
    assert docs_out["C-RACE"]["status"] == "synced" and docs_out["C-RACE"]["qbo_ids"] == [raced["Id"]]
    assert docs_out["SO-5001"]["status"] == "synced" and docs_out["SO-5002"]["status"] == "synced"
    assert profile.count("Customer", "DisplayName")["Raced Customer"] == 1
    created = {(c["entity"], c["id"]) for c in out["run"]["created"]}
    assert ("Customer", raced["Id"]) not in created
    r = profile.q("undo", out["run"]["id"], "--yes")
    assert r.exit_code == 0, r.output
    assert profile.company.get("Customer", raced["Id"]).get("Active", True)


def test_payments_are_found_by_date_when_qbo_refuses_the_paymentrefnum_filter(profile):
    """Whether real QBO filters Payment on PaymentRefNum is not established (docs/qbo.md): should it answer
    4001 ("not queryable"), the lookup falls back to the payments of the same dates, paged to the end, and
    still finds each payment by its reference, customer, amount and invoice, and nothing that is not ours."""
    import asyncio

    from qbtui.qbo import QBOFault
    from qbtui.sync.connection import open_client
    from qbtui.sync.lookup import find_many

    profile.import_docs(payment_set(130))  # 130 payments on one date: more than one default page
    code, out = profile.sync_json()
    assert code == 0
    ours = [p for p in profile.live("Payment") if str(p.get("PaymentRefNum", "")).startswith("PP-")]
    bodies = [{k: p[k] for k in ("PaymentRefNum", "TxnDate", "CustomerRef", "TotalAmt", "Line")} for p in ours]
    stranger = {**bodies[0], "PaymentRefNum": "PP-9999"}

    class RefusesPaymentRefNum:
        """The real client, but QBO answers the PaymentRefNum filter with its QueryValidationError."""

        def __init__(self, client):
            self.client, self.refused = client, 0

        async def query_all(self, entity, where="", **kw):
            if "PaymentRefNum" in where:
                self.refused += 1
                raise QBOFault(code="4001", message="Invalid query", detail="QueryValidationError: property "
                               "'PaymentRefNum' is not queryable", element="", status=400, fault_type="ValidationFault")
            return await self.client.query_all(entity, where, **kw)

    async def go():
        with profile.cache() as cache:
            async with await open_client(cache, profile.path) as client:
                refusing = RefusesPaymentRefNum(client)
                return await find_many(refusing, "Payment", [*bodies, stranger]), refusing.refused

    found, refused = asyncio.run(go())
    assert refused == 1
    assert [f["Id"] if f else None for f in found] == [p["Id"] for p in ours] + [None]
