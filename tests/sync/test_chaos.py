"""Exactly once under chaos, for every kind of document: 2,000 documents of all sixteen kinds (quotes and
purchase orders with their export settings on; more than 100 payments, refunds and bill payments on one
date) against a sandbox over loopback that fails 5% of requests with HTTP 500, drops 5% of answers after
committing and lets 2% time out; the access token lives 2 s, so it expires again and again mid-run;
`qbtui sync` runs as a separate process and is SIGKILLed at 10 seeded moments, each while requests are in
the sandbox (four of them while a batch of payments is, once QBO holds more than a page of that day's
payments), then re-run until it finishes. Afterwards QBO holds exactly the objects each document makes
(docs/domain.md#what-each-document-becomes), once each, counted per kind by our reference, and every
document is synced (or skipped by a setting)."""

from __future__ import annotations

import os
import random
from collections import Counter
from decimal import ROUND_DOWN, Decimal

import pytest

from qbtui.ledger.refs import doc_number
from qbtui.sync import gate_statuses
from tests.support.profiles import SECRET

from .conftest import run_sync

FAULTS = os.environ.get("QBTUI_CHAOS_FAULTS", "http500=0.05,drop_after_commit=0.05,timeout=0.02")
N_DOCS = int(os.environ.get("QBTUI_CHAOS_DOCS", "2000"))
KILLS = 10
SEED = int(os.environ.get("QBTUI_CHAOS_SEED", "42"))
ONE_DAY = "2026-11-10"  # every payment, refund and bill payment
PAYMENT_KILLS = 4  # of the kills, those that land while a batch of payments is in flight
PAYMENTS = (b'"create","Payment":', b'"create","BillPayment":')  # batch items creating payments


def pays(body: bytes) -> bool:
    return any(marker in body for marker in PAYMENTS)

# documents of each kind per 2,000 (contacts and products first; invoices fill up to n)
SHARE = {"customer": 40, "supplier": 20, "product": 30, "quote": 80, "purchase_order": 80, "cogs": 250,
         "sale_payment": 300, "credit_note": 130, "supplier_invoice": 200, "supplier_credit": 60,
         "supplier_payment": 180, "supplier_deposit": 60, "adjustment": 60, "gift_voucher": 40, "store_credit": 40}


def _lines(rng: random.Random, skus: list[str], cost: bool) -> list[dict]:
    out = []
    for _ in range(rng.randint(1, 2)):
        line = {"sku": rng.choice(skus), "quantity": rng.randint(1, 9)}
        line.update({"unit_cost": f"{rng.randint(200, 900) / 100:.2f}"} if cost else
                    {"unit_price": f"{rng.randint(1000, 4000) / 100:.2f}"})
        out.append(line)
    return out


def _total(lines: list[dict], price: str) -> Decimal:
    return sum((Decimal(line["quantity"]) * Decimal(line[price]) for line in lines), Decimal(0))


def chaos_documents(n: int, seed: int = 11) -> list[dict]:
    """``n`` documents of all sixteen kinds; the counts scale with ``n`` (see SHARE)."""
    rng = random.Random(seed)
    count = {k: max(2, v * n // 2000) for k, v in SHARE.items()}
    count["sale_invoice"] = n - sum(count.values())
    assert count["sale_invoice"] >= max(count["sale_payment"], count["cogs"])
    customers = [f"C-{i:05d}" for i in range(count["customer"])]
    suppliers = [f"V-{i:05d}" for i in range(count["supplier"])]
    skus = [f"SKU-{i:05d}" for i in range(count["product"])]
    docs: list[dict] = [{"type": "customer", "ref": c, "name": f"Chaos Customer {c[2:]}"} for c in customers]
    docs += [{"type": "supplier", "ref": v, "name": f"Chaos Supplier {v[2:]}"} for v in suppliers]
    kinds = ("stock", "non_stock", "service")
    docs += [{"type": "product", "ref": s, "name": f"Chaos Product {s[4:]}", "kind": kinds[i % 3],
              "sale_price": "12.50", "purchase_cost": "4.10"} for i, s in enumerate(skus)]
    for k in range(count["sale_invoice"]):
        lines = [{**line, "unit_cost": "4.10"} for line in _lines(rng, skus, cost=False)]
        docs.append({"type": "sale_invoice", "ref": f"SO-{k:06d}", "customer": rng.choice(customers),
                     "invoice_date": "2026-11-02", "lines": lines})
        if k < count["cogs"]:
            docs.append({"type": "cogs", "ref": f"COGS-{k:06d}", "invoice": f"SO-{k:06d}", "date": "2026-11-02",
                         "amount": f"{sum(line['quantity'] for line in lines) * Decimal('4.10'):.2f}"})
        if k < count["sale_payment"]:  # half of them in part: a second payment would be taken, unseen
            total = _total(lines, "unit_price")
            docs.append({"type": "sale_payment", "ref": f"PAY-{k:06d}", "invoice": f"SO-{k:06d}", "date": ONE_DAY,
                         "amount": f"{total if k % 2 else (total / 3).quantize(Decimal('0.01'))}"})
    for k in range(count["credit_note"]):
        lines = _lines(rng, skus, cost=False)
        total = _total(lines, "unit_price")
        refunds = []
        if k % 4 == 0:  # fully refunded: no credit memo, one refund receipt
            refunds = [{"ref": f"RF-{k:05d}-1", "date": ONE_DAY, "amount": f"{total:.2f}"}]
        elif k % 4 in (1, 2):
            refunds = [{"ref": f"RF-{k:05d}-1", "date": ONE_DAY, "amount": f"{(total / 4).quantize(Decimal('0.01'))}"}]
            if k % 4 == 2:
                refunds.append({"ref": f"RF-{k:05d}-2", "date": ONE_DAY, "amount": "1.00"})
        docs.append({"type": "credit_note", "ref": f"CN-{k:05d}", "customer": rng.choice(customers),
                     "date": "2026-11-05", "lines": lines, "refunds": refunds})
    for k in range(count["quote"]):
        docs.append({"type": "quote", "ref": f"QT-{k:05d}", "customer": rng.choice(customers), "date": "2026-11-03",
                     "lines": _lines(rng, skus, cost=False)})
    for k in range(count["purchase_order"]):
        docs.append({"type": "purchase_order", "ref": f"PO-{k:05d}", "supplier": rng.choice(suppliers),
                     "date": "2026-11-01", "blind_receipt": k % 16 == 0, "lines": _lines(rng, skus, cost=True)})
    bill_totals: dict[int, Decimal] = {}
    for k in range(count["supplier_invoice"]):
        lines = _lines(rng, skus, cost=True)
        docs.append({"type": "supplier_invoice", "ref": f"BILL-{k:05d}", "supplier": suppliers[k % len(suppliers)],
                     "supplier_invoice_number": f"INV-{k:05d}", "invoice_date": "2026-11-03", "lines": lines})
        bill_totals[k] = _total(lines, "unit_cost")
        if k < count["supplier_payment"]:
            total = bill_totals[k]
            # a bill a deposit is applied to (odd k below the deposits' count) is paid in part: the deposit settles
            # up to the other half, and a payment of the whole would pay it twice
            full = k % 2 and k >= count["supplier_deposit"]
            docs.append({"type": "supplier_payment", "ref": f"BP-{k:05d}", "supplier_invoice": f"BILL-{k:05d}",
                         "date": ONE_DAY, "amount": f"{total if full else (total / 2).quantize(Decimal('0.01'))}"})
    for k in range(count["supplier_credit"]):
        docs.append({"type": "supplier_credit", "ref": f"VC-{k:05d}", "supplier": rng.choice(suppliers),
                     "date": "2026-11-04", "lines": _lines(rng, skus, cost=True)})
    for k in range(count["supplier_deposit"]):
        amount = Decimal(rng.randint(1000, 9000)) / 100
        deposit = {"type": "supplier_deposit", "ref": f"DEP-{k:05d}", "supplier": suppliers[k % len(suppliers)],
                   "date": "2026-11-05", "amount": f"{amount:.2f}"}
        if k % 2:  # applied to a bill of its supplier: a second journal, and a bill payment of 0 settling the bill
            cap = (bill_totals[k] / 2).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
            deposit.update(supplier_invoice=f"BILL-{k:05d}", applied_date="2026-11-06", amount=f"{min(amount, cap):.2f}")
        docs.append(deposit)
    for k in range(count["adjustment"]):
        docs.append({"type": "adjustment", "ref": f"ADJ-{k:05d}", "completed_date": "2026-11-06",
                     "accounting_date": "2026-11-06", "reason": "stock count",
                     "lines": [{"sku": rng.choice(skus), "quantity_change": rng.choice((-3, -1, 2, 5)),
                                "unit_cost": "4.10"}]})
    for k in range(count["gift_voucher"]):
        docs.append({"type": "gift_voucher", "ref": f"GV-{k:05d}", "date": "2026-11-07",
                     "event": ("sold", "redeemed")[k % 2], "amount": "25.00"})
    for k in range(count["store_credit"]):
        docs.append({"type": "store_credit", "ref": f"SC-{k:05d}", "customer": rng.choice(customers),
                     "date": "2026-11-08", "event": ("issued", "redeemed")[k % 2], "amount": "15.00"})
    assert len(docs) == n
    return docs


NUMBERED = {"sale_invoice": "Invoice", "cogs": "JournalEntry", "quote": "Estimate", "purchase_order": "PurchaseOrder",
            "supplier_credit": "VendorCredit", "supplier_payment": "BillPayment", "adjustment": "JournalEntry",
            "gift_voucher": "JournalEntry", "store_credit": "JournalEntry"}


def makes(doc: dict) -> list[tuple[str, str]]:
    """The QBO objects a document makes (docs/domain.md#what-each-document-becomes), as (entity, our reference
    in QBO): the name, the PaymentRefNum of a payment, else the DocNumber."""
    t = doc["type"]
    if t in ("customer", "supplier", "product"):
        return [({"customer": "Customer", "supplier": "Vendor", "product": "Item"}[t], doc["name"])]
    if t == "sale_payment":
        return [("Payment", doc_number(doc["ref"]))]
    if t == "purchase_order" and doc.get("blind_receipt"):
        return []
    if t == "credit_note":
        refunds = doc.get("refunds") or []
        total = _total(doc["lines"], "unit_price")
        memo = [("CreditMemo", doc_number(doc["ref"]))] if sum(Decimal(r["amount"]) for r in refunds) < total else []
        return memo + [("RefundReceipt", doc_number(r["ref"])) for r in refunds]
    if t == "supplier_invoice":
        return [("Bill", doc_number(doc.get("supplier_invoice_number") or doc["ref"]))]
    if t == "supplier_deposit":
        return [("JournalEntry", doc_number(doc["ref"]))] + (
            [("JournalEntry", doc_number(f"{doc['ref']}-APPLIED")), ("BillPayment", doc_number(f"{doc['ref']}-APPLY"))]
            if doc.get("supplier_invoice") else [])
    return [(NUMBERED[t], doc_number(doc["ref"]))]


KEY_FIELD = {"Customer": "DisplayName", "Vendor": "DisplayName", "Item": "Name", "Payment": "PaymentRefNum"}


def made_since(profile, before: dict[str, set[str]]) -> Counter:
    """Every QBO object made since ``before`` (Ids per entity), by (entity, our reference in QBO)."""
    made: Counter = Counter()
    for entity, objects in profile.company.objects.items():
        for obj in objects.values():
            if obj["Id"] not in before.get(entity, ()):
                made[(entity, obj.get(KEY_FIELD.get(entity, "DocNumber")))] += 1
    return made


@pytest.mark.slow
def test_exactly_once_for_every_kind_with_faults_token_expiry_and_sigkill(make_profile):
    profile = make_profile(token_ttl=2, fault_hold_s=0.3, fault_seed=2026, latency_ms=2)
    for setting in ("export_quotes", "export_purchase_orders"):
        assert profile.q("settings", "set", setting, "true").exit_code == 0
    docs = chaos_documents(N_DOCS)
    kinds = Counter(d["type"] for d in docs)
    assert len(kinds) == 16
    one_day = Counter(d["type"] for d in docs if d.get("date") == ONE_DAY)
    refunds_one_day = sum(1 for d in docs for r in d.get("refunds") or () if r["date"] == ONE_DAY)
    assert min(one_day["sale_payment"], refunds_one_day, one_day["supplier_payment"]) > 100 or N_DOCS < 2000
    profile.import_docs(docs)
    errors = profile.q.json("errors")["errors"]
    assert not errors, errors[:5]  # every document can go: what happens next is the sync's doing
    before = {entity: set(objects) for entity, objects in profile.company.objects.items()}
    expected = Counter(key for d in docs for key in makes(d))
    requests = profile.log_requests()
    profile.faults(FAULTS, seed=SEED)
    env = profile.env()
    rng = random.Random(SEED)
    kills, misses, runs, finished = 0, 0, 0, False
    remaining = N_DOCS
    log, stderr_all = [], []
    while runs < KILLS * 2 + 15:
        runs += 1
        if kills < KILLS - PAYMENT_KILLS:  # anywhere, early on
            after = rng.randint(1, max(1, remaining // (2 * (KILLS - kills) + 1)))
            kill_when = (lambda run, after=after: run.seen >= after and run.sent(requests))
        elif kills < KILLS:  # while a batch of payments is in flight: the first once QBO holds over 100 of them
            nth = 4 if kills == KILLS - PAYMENT_KILLS else 1
            kill_when = (lambda run, nth=nth: sum(1 for r in run.sent(requests, "/batch") if pays(r.body)) >= nth
                         and any(pays(r.body) for r in requests.active()))
        else:
            kill_when = None
        run = run_sync(env, rng, requests=requests, kill_when=kill_when)
        log.append((kills, run.code, run.seen))
        stderr_all.append(run.stderr)
        if run.killed_at is not None:
            if requests.in_flight_at(run.killed_at):
                kills += 1
            else:
                misses += 1  # no request of it was in the sandbox at that moment: another kill follows
            remaining = max(1, remaining - run.seen)
            continue
        assert run.code in (0, 1), run.stderr
        if run.code == 0:  # every document synced, or skipped by a setting
            finished = True
            break
    assert finished, log
    assert kills == KILLS, (log, misses)
    # QBO: exactly the objects the documents make, once each, by kind and reference
    made = made_since(profile, before)
    assert made == expected, (sorted((made - expected).items())[:10], sorted((expected - made).items())[:10])
    with profile.cache() as cache:
        skipped = {key for key, (status, _) in gate_statuses(cache).items() if status == "skipped"}
        statuses = Counter("skipped" if (d["type"], d["ref"]) in skipped else cache.status_of(d["type"], d["ref"])
                           for d in docs)
        assert statuses == Counter({"synced": len(docs) - sum(1 for d in docs if not makes(d)),
                                    "skipped": sum(1 for d in docs if not makes(d))}), statuses
        # every object made is in some run's "created" list (killed runs included), so undo can find it;
        # no run is left open
        created = {(c["entity"], c["id"]) for r in cache.runs() for c in r.get("created") or ()}
        linked = {(q["entity"], q["id"]) for d in docs for q in (cache.link(d["type"], d["ref"]) or {}).get("qbo") or ()}
        assert linked <= created, sorted(linked - created)[:10]
        assert all(r.get("ended") for r in cache.runs())
        assert KILLS <= sum(1 for r in cache.runs() if r.get("interrupted")) <= KILLS + misses
    # no secret in anything the runs printed
    from qbtui.sync.connection import token_store
    tokens = token_store(profile.path).load()
    secrets = [SECRET, tokens.access_token, tokens.refresh_token, *profile.sandbox.tokens.data["access"],
               *profile.sandbox.tokens.data["refresh"]]
    printed = "".join(stderr_all)
    assert not [s for s in secrets if s in printed]
    assert "Bearer" not in printed
    rotated = sum(1 for v in profile.sandbox.tokens.data["refresh"].values() if v["dead_after"] is not None)
    assert rotated >= 3  # the access token expired mid-run, again and again
    faults = profile.sandbox.faults.counts
    assert faults["drop_after_commit"] > 0 and faults["timeout"] > 0 and faults["http500"] > 0
    print(f"\nchaos: {N_DOCS} documents of {len(kinds)} kinds, {kills} kills in flight ({misses} missed), {runs} runs, "
          f"{rotated} token refreshes, statuses {dict(statuses)}, faults {faults}")
