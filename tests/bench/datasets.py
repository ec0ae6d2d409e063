"""Realistic document sets for the benchmarks (deterministic: the same seed gives the same set)."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import Any


def document_mix(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """n documents: 2% customers, 1% products, then invoices (3 lines), COGS, payments, adjustments, credit notes."""
    return list(iter_document_mix(n, seed))


def iter_document_mix(n: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    """The documents of :func:`document_mix`, one at a time (a million of them never all in memory)."""
    rng = random.Random(seed)
    customers = max(1, n // 50)
    products = max(1, n // 100)
    made = 0
    for i in range(customers):
        if made == n:
            return
        made += 1
        yield {"type": "customer", "ref": f"C-{i:06d}", "name": f"Customer {i:06d}", "email": f"c{i}@example.com",
               "billing_address": {"line1": f"{i} High St", "city": "Springfield", "postal_code": "12345"}}
    for i in range(products):
        if made == n:
            return
        made += 1
        yield {"type": "product", "ref": f"SKU-{i:05d}", "name": f"Product {i:05d}", "sale_price": "12.50",
               "purchase_cost": "4.10", "quantity_on_hand": "100", "average_cost": "4.10"}
    start = date(2026, 10, 1)
    i = 0
    while made < n:
        docs: list[dict[str, Any]] = []
        day = (start + timedelta(days=rng.randrange(60))).isoformat()
        kind = rng.random()
        if kind < 0.55:
            docs.append({"type": "sale_invoice", "ref": f"SO-{i:07d}", "customer": f"C-{rng.randrange(customers):06d}",
                         "invoice_date": day, "channel": "direct", "memo": "web order",
                         "lines": [{"sku": f"SKU-{rng.randrange(products):05d}", "quantity": str(rng.randint(1, 9)),
                                    "unit_price": f"{rng.randint(100, 9999) / 100:.2f}", "unit_cost": "4.10"}
                                   for _ in range(3)]})
        elif kind < 0.75:
            docs.append({"type": "cogs", "ref": f"COGS-{i:07d}", "date": day, "amount": f"{rng.randint(100, 99999) / 100:.2f}"})
        elif kind < 0.9:
            docs.append({"type": "sale_payment", "ref": f"PAY-{i:07d}", "invoice": f"SO-{max(0, i - 1):07d}", "date": day,
                         "amount": f"{rng.randint(100, 99999) / 100:.2f}"})
        elif kind < 0.97:
            docs.append({"type": "adjustment", "ref": f"ADJ-{i:07d}", "completed_date": day, "accounting_date": day,
                         "lines": [{"sku": f"SKU-{rng.randrange(products):05d}", "quantity_change": str(rng.randint(-5, 5) or 1),
                                    "unit_cost": "4.10"}]})
        else:
            docs.append({"type": "credit_note", "ref": f"CN-{i:07d}", "customer": f"C-{rng.randrange(customers):06d}",
                         "date": day, "lines": [{"sku": f"SKU-{rng.randrange(products):05d}", "quantity": "1",
                                                  "unit_price": "12.50"}]})
        i += 1
        made += 1
        yield docs[0]


# --------------------------------------------------------------------------- the compared benchmark profiles

#: the work in hand of the profiles bench_cache.py and bench_tui.py compare across sizes: the last 10,000 documents
#: of the mix pending, the 1,000 before them and the first 10 customers failed (the stall figures open a
#: customer's fix form and its link picker); every other document synced
PENDING = 10_000
FAILED = 1_000
FAILED_CONTACTS = 10


def _named(doc: dict[str, Any]) -> set[tuple[str, str]]:
    """The documents ``doc`` names (its contact, invoice and products: what its plan and its gates read)."""
    out = {(kind, doc[field]) for field, kind in (("customer", "customer"), ("invoice", "sale_invoice"))
           if doc.get(field)}
    return out | {("product", line["sku"]) for line in doc.get("lines", ()) if line.get("sku")}


def iter_bench_profile(n: int, *, history: bool = True) -> Iterator[tuple[dict[str, Any], str]]:
    """The documents of a profile after years of syncing, each with the status it is given (``synced``,
    ``failed`` or ``pending``): the mix of ``n`` documents (:func:`iter_document_mix`) with the work in hand
    above (n <= 20,000: a tenth pending, a hundredth failed).

    ``history=False``: the same work in hand as the mix of ``n`` -- the same pending and failed documents -- and
    of the rest only the documents they name (synced), no other history: the smaller profile of the compared runs,
    which then differ in their synced history only (the cost follows the work, not the history)."""
    keep = PENDING if n > 2 * PENDING else n // 10
    fail = FAILED if n > 2 * PENDING else n // 100
    failed_from, pending_from = n - keep - fail, n - keep

    def status(i: int) -> str:
        return "pending" if i >= pending_from else "failed" if i >= failed_from or i < FAILED_CONTACTS else "synced"

    wanted: set[tuple[str, str]] | None = None
    if not history:  # what the work names, and what that names, until nothing new (two passes for the mix)
        wanted = set()
        for i, doc in enumerate(iter_document_mix(n)):
            if status(i) != "synced":
                wanted |= {(doc["type"], doc["ref"])} | _named(doc)
        while True:
            more = set().union(*(_named(doc) for doc in iter_document_mix(n)
                                 if (doc["type"], doc["ref"]) in wanted)) - wanted
            if not more:
                break
            wanted |= more
    for i, doc in enumerate(iter_document_mix(n)):
        if wanted is None or (doc["type"], doc["ref"]) in wanted:
            yield doc, status(i)


def record_statuses(cache: Any, items: Iterable[tuple[dict[str, Any], str]], error: dict[str, str],
                    batch: int = 5000) -> dict[str, int]:
    """Give each document of :func:`iter_bench_profile` its status in ``cache`` (a writer): synced with a QBO id,
    failed with ``error``, pending left alone. Returns how many of each."""
    from qbtui.ledger.kinds import KIND

    counts = {"synced": 0, "failed": 0, "pending": 0}
    outcomes: list[dict[str, Any]] = []
    for doc, status in items:
        counts[status] += 1
        if status == "synced":
            outcomes.append({"type": doc["type"], "ref": doc["ref"], "status": "synced", "run": "setup",
                             "qbo": [{"entity": KIND[doc["type"]].entities[0], "id": str(counts["synced"]),
                                      "sync_token": "0"}]})
        elif status == "failed":
            outcomes.append({"type": doc["type"], "ref": doc["ref"], "status": "failed", "run": "setup",
                             "error": error})
        if len(outcomes) == batch:
            cache.record_outcomes(outcomes)
            outcomes = []
    if outcomes:
        cache.record_outcomes(outcomes)
    return counts
