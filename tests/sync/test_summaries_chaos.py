"""Summaries exactly once under chaos (docs/domain.md#summarized-posting): a month of 20,000 orders of one sales
channel in ``daily`` mode (an invoice, a COGS journal and a payment each), synced against a sandbox that fails 5% of
requests with HTTP 500, drops 5% of answers after committing and lets 2% time out, while `qbtui sync` runs as a
separate process SIGKILLed at seeded moments while a summary's create is in the sandbox, then run again until it
finishes. Then a few orders come late and one is voided: corrections, under the same faults. Afterwards QBO holds
exactly one summary per (kind, day) and one correction per (kind, day) touched, every order is summarized, and the
summaries and their corrections add up to the month's documents to the cent."""

from __future__ import annotations

import os
import random
import re
from collections import Counter
from decimal import Decimal

import pytest

from .conftest import run_sync

FAULTS = os.environ.get("QBTUI_CHAOS_FAULTS", "http500=0.05,drop_after_commit=0.05,timeout=0.02")
N_ORDERS = int(os.environ.get("QBTUI_SUMMARY_CHAOS_ORDERS", "20000"))
SEED = int(os.environ.get("QBTUI_CHAOS_SEED", "42"))
KILLS = 6
DAYS = 30
SUMMARY_CREATES = ("/invoice", "/creditmemo", "/payment", "/journalentry")
PRICES = {"MUG-01": Decimal("12.50"), "BOWL-02": Decimal("7.99"), "JUG-03": Decimal("23.45")}


def month_of_orders(n: int, seed: int = 19, prefix: str = "WEB") -> list[dict]:
    rng = random.Random(seed)
    docs: list[dict] = [{"type": "customer", "ref": "C-100", "name": "Web shop buyer"}]
    docs += [{"type": "product", "ref": sku, "name": f"Chaos {sku}", "kind": "stock", "sale_price": str(price),
              "purchase_cost": "4.10"} for sku, price in PRICES.items()]
    for i in range(n):
        day = f"2026-11-{1 + i * DAYS // n:02d}"
        lines = [{"sku": sku, "quantity": rng.randint(1, 4), "unit_price": str(PRICES[sku]), "unit_cost": "4.10"}
                 for sku in rng.sample(sorted(PRICES), rng.randint(1, 2))]
        ref = f"{prefix}-{i:06d}"
        total = sum((Decimal(x["quantity"]) * PRICES[x["sku"]] for x in lines), Decimal(0))
        docs += [{"type": "sale_invoice", "ref": ref, "customer": "C-100", "invoice_date": day, "lines": lines,
                  "channel": "web"},
                 {"type": "cogs", "ref": f"COGS-{ref}", "invoice": ref, "date": day,
                  "amount": str(sum(x["quantity"] for x in lines) * Decimal("4.10"))},
                 {"type": "sale_payment", "ref": f"PAY-{ref}", "invoice": ref, "date": day, "amount": str(total)}]
    return docs


def summaries_in_qbo(profile) -> Counter:
    """Every summary object in QBO by our reference (the start of its PrivateNote)."""
    out: Counter = Counter()
    for entity in ("Invoice", "CreditMemo", "Payment", "JournalEntry"):
        for obj in profile.company.objects[entity].values():
            note = str(obj.get("PrivateNote") or "")
            if re.match(r"S[ICRJP]-2026", note):
                out[(entity, note.split(":")[0])] += 1
    return out


def until_done(profile, env, rng, requests, kills: int, total: int, nth_max: int = 12) -> tuple[int, list]:
    """`qbtui sync` again and again, SIGKILLed ``kills`` times while a summary's create is in the sandbox (at its
    first to ``nth_max``-th create, never past the ``total`` summaries the phase ends with: a run that finishes
    before its moment is not killed)."""
    done, log, last = 0, [], ""
    for _ in range(kills * 2 + 12):
        kill_when = None
        left = total - len(summaries_in_qbo(profile))
        if done < kills and left > 0:
            nth = rng.randint(1, min(nth_max, left))
            kill_when = (lambda run, nth=nth: sum(1 for r in run.sent(requests) if r.method == "POST" and
                                                  r.path.lower().endswith(SUMMARY_CREATES)) >= nth
                         and any(r.method == "POST" and r.path.lower().endswith(SUMMARY_CREATES)
                                 for r in requests.active()))
        run = run_sync(env, rng, requests=requests, kill_when=kill_when)
        log.append((run.code, run.killed_at is not None))
        if run.killed_at is not None:
            done += 1
            continue
        assert run.code in (0, 1, 2), run.stderr  # 2: QuickBooks failed a request past its retries: run again
        last = run.stderr
        if run.code == 0:
            return done, log
    with profile.cache() as cache:
        ids = {}
        for link in cache.links(["summarized", "sending"]):
            for r in (link.get("summary") or {}).get("parts") or ():
                ids[r["summary"]] = (r["entity"], r.get("id"))
    qbo = {(e, o["Id"]) for e in ("Invoice", "CreditMemo", "Payment", "JournalEntry")
           for o in profile.company.objects[e].values()}
    missing = {k: v for k, v in ids.items() if v not in qbo}
    bad = [(r.path, r.body[:1500]) for r in requests.requests if r.status == 400][-2:]
    raise AssertionError(f"never finished: {log}\n{last}\nrecorded, not in QBO: {missing}\n{bad}")


@pytest.mark.slow
def test_a_month_of_daily_summaries_exactly_once_with_faults_and_kills(make_profile):
    profile = make_profile(fault_hold_s=0.3, fault_seed=2026, latency_ms=1)
    for key in ("channel.web.invoice_sync", "channel.web.cogs_sync"):
        assert profile.q("settings", "set", key, "daily").exit_code == 0
    docs = month_of_orders(N_ORDERS)
    profile.import_docs(docs)
    env = {**profile.env(), "QBTUI_TODAY": "2026-12-05"}
    requests = profile.log_requests()
    profile.faults(FAULTS, seed=SEED)
    rng = random.Random(SEED)
    kinds = {"SI": "Invoice", "SJ": "JournalEntry", "SP": "Payment"}
    want = Counter({(kinds[k], f"{k}-202611{d:02d}-web-USD"): 1 for k in kinds for d in range(1, DAYS + 1)})
    kills, log = until_done(profile, env, rng, requests, KILLS, len(want))
    assert kills == KILLS, log
    assert summaries_in_qbo(profile) == want
    with profile.cache() as cache:
        counts = cache.status_counts()
        for t in ("sale_invoice", "cogs", "sale_payment"):
            assert counts[t]["summarized"] == N_ORDERS, (t, counts[t])

    # late orders of three days and a void: a correction per (kind, day) touched, under the same chaos
    late = month_of_orders(3, seed=7, prefix="LATE")[4:]
    void = [dict(next(d for d in docs if d["type"] == "sale_invoice" and d["ref"] == "WEB-000010"), voided=True)]
    profile.import_docs([*late, *void], name="late.json")
    kills, log = until_done(profile, env, rng, requests, 2, len(want) + 9, nth_max=4)  # nine corrections to post
    assert kills == 2, log
    got = summaries_in_qbo(profile)
    assert all(n == 1 for n in got.values()), [k for k, n in got.items() if n > 1]
    corrections = {k for k in got if k[1].endswith("-C1")}
    assert corrections == {(kinds[k], f"{k}-202611{d}-web-USD-C1") for k in kinds for d in ("01", "11", "21")} - {
        ("Invoice", "SI-20261101-web-USD-C1")} | {("CreditMemo", "SI-20261101-web-USD-C1")}  # the void: taken back
    assert set(got) - corrections == set(want)  # the originals untouched, nothing else
    # every day's sales: original + corrections = the day's current invoices, to the cent
    current = [d for d in [*docs, *late] if d["type"] == "sale_invoice" and d["ref"] != "WEB-000010"]
    by_day: Counter = Counter()
    for d in current:
        by_day[d["invoice_date"]] += sum(Decimal(x["quantity"]) * Decimal(x["unit_price"]) for x in d["lines"])
    posted: Counter = Counter()
    for entity, sign in (("Invoice", 1), ("CreditMemo", -1)):
        for obj in profile.company.objects[entity].values():
            note = str(obj.get("PrivateNote") or "")
            if note.startswith("SI-2026"):
                day = note[3:11]
                posted[f"{day[:4]}-{day[4:6]}-{day[6:]}"] += sign * Decimal(str(obj["TotalAmt"]))
    assert {k: v for k, v in posted.items()} == {k: v for k, v in by_day.items()}
    with profile.cache() as cache:
        counts = cache.status_counts()
        assert counts["sale_invoice"]["summarized"] == N_ORDERS + 3 - 1 and counts["sale_invoice"]["voided"] == 1
