"""Realistic document sets for the benchmarks (deterministic: the same seed gives the same set)."""

from __future__ import annotations

import random
from collections.abc import Iterator
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
