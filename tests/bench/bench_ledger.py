"""Benchmark of the dry run: plan + dry_run_json over 10,000 pending documents.

Run:  python tests/bench/bench_ledger.py [--n 10000]
Prints the figure, the 3 s target and the ratio (figure / target; <= 1.0 passes); also the
time of gate_statuses (the qbtui status overlay) and of the human form. Exits non-zero if the
target is missed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from qbtui.cache import Cache  # noqa: E402
from qbtui.ledger.roles import ROLES  # noqa: E402
from qbtui.sync import dry_run_json, gate_statuses, plan, render_dry_run  # noqa: E402

TARGET_S = 3.0
MIX = {  # share of the documents per type: a shop's month
    "customer": 0.05, "supplier": 0.005, "product": 0.10, "sale_invoice": 0.40, "sale_payment": 0.15,
    "cogs": 0.15, "credit_note": 0.03, "supplier_invoice": 0.05, "supplier_payment": 0.03, "adjustment": 0.025,
    "supplier_deposit": 0.005, "gift_voucher": 0.0025, "store_credit": 0.0025,
}


def make_documents(n: int, seed: int = 7) -> list[dict]:
    rnd = random.Random(seed)
    counts = {t: max(1, int(n * share)) for t, share in MIX.items()}
    counts["sale_invoice"] += n - sum(counts.values())
    day = lambda: f"2026-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"  # noqa: E731
    money = lambda lo, hi: f"{rnd.uniform(lo, hi):.2f}"  # noqa: E731
    customers = [f"C-{i:05d}" for i in range(counts["customer"])]
    suppliers = [f"S-{i:04d}" for i in range(counts["supplier"])]
    skus = [f"SKU-{i:05d}" for i in range(counts["product"])]
    invoices = [f"SHOPIFY-ORDER-2026-{i:08d}" for i in range(counts["sale_invoice"])]  # long refs: hashed
    bills = [f"PI-{i:05d}" for i in range(counts["supplier_invoice"])]
    sale_lines = lambda: [{"sku": rnd.choice(skus), "quantity": str(rnd.randint(1, 12)),  # noqa: E731
                           "unit_price": money(1, 200), "tax_code": "TAX"} for _ in range(rnd.randint(1, 4))]
    docs: list[dict] = []
    docs += [{"type": "customer", "ref": r, "name": f"Customer {r}", "email": f"{r}@example.com", "terms": "Net 30"}
             for r in customers]
    docs += [{"type": "supplier", "ref": r, "name": f"Supplier {r}"} for r in suppliers]
    docs += [{"type": "product", "ref": s, "name": f"Product {s}", "kind": rnd.choice(["stock"] * 8 + ["non_stock", "service"]),
              "sale_price": money(1, 200), "purchase_cost": money(1, 80)} for s in skus]
    docs += [{"type": "sale_invoice", "ref": r, "customer": rnd.choice(customers), "invoice_date": day(),
              "channel": rnd.choice(["direct", "shopify", "pos"]), "lines": sale_lines()} for r in invoices]
    docs += [{"type": "sale_payment", "ref": f"PAY-{i:06d}", "invoice": rnd.choice(invoices), "date": day(),
              "amount": money(5, 500)} for i in range(counts["sale_payment"])]
    docs += [{"type": "cogs", "ref": f"COGS-{i:06d}", "invoice": rnd.choice(invoices), "date": day(),
              "amount": money(-20, 300)} for i in range(counts["cogs"])]
    docs += [{"type": "credit_note", "ref": f"CN-{i:05d}", "customer": rnd.choice(customers), "date": day(),
              "lines": sale_lines(), "refunds": [{"ref": f"RF-{i:05d}", "date": day(), "amount": money(1, 5)}]}
             for i in range(counts["credit_note"])]
    docs += [{"type": "supplier_invoice", "ref": b, "supplier": rnd.choice(suppliers), "supplier_invoice_number": f"INV-{b}",
              "invoice_date": day(), "lines": [{"sku": rnd.choice(skus), "quantity": str(rnd.randint(1, 100)),
                                                "unit_cost": money(1, 80)} for _ in range(3)]} for b in bills]
    docs += [{"type": "supplier_payment", "ref": f"SP-{i:05d}", "supplier_invoice": rnd.choice(bills), "date": day(),
              "amount": money(10, 900)} for i in range(counts["supplier_payment"])]
    docs += [{"type": "adjustment", "ref": f"ADJ-{i:05d}", "completed_date": (d := day()), "accounting_date": d,
              "lines": [{"sku": rnd.choice(skus), "quantity_change": str(rnd.randint(-5, 5) or 1), "unit_cost": money(1, 50)}
                        for _ in range(2)]} for i in range(counts["adjustment"])]
    docs += [{"type": "supplier_deposit", "ref": f"DEP-{i:04d}", "supplier": rnd.choice(suppliers), "date": day(),
              "amount": money(50, 500), "supplier_invoice": rnd.choice(bills)} for i in range(counts["supplier_deposit"])]
    docs += [{"type": "gift_voucher", "ref": f"GV-{i:04d}", "date": day(), "event": rnd.choice(["sold", "redeemed"]),
              "amount": money(10, 100)} for i in range(counts["gift_voucher"])]
    docs += [{"type": "store_credit", "ref": f"SC-{i:04d}", "customer": rnd.choice(customers), "date": day(),
              "event": rnd.choice(["issued", "redeemed"]), "amount": money(5, 50)} for i in range(counts["store_credit"])]
    rnd.shuffle(docs)
    return docs


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    n = ap.parse_args().n
    with tempfile.TemporaryDirectory() as tmp:
        with Cache.open(Path(tmp) / "p", writer=True) as c:
            c.upsert_documents(make_documents(n))
            c.set_setting("mapping", {r.name: str(i) for i, r in enumerate(ROLES, 1)})
            c.set_setting("channel.pos.cogs_sync", "no_sync")
        t0 = time.perf_counter()
        with Cache.open(Path(tmp) / "p", writer=False) as c:
            t1 = time.perf_counter()
            planned = plan(c)
            t2 = time.perf_counter()
            text = json.dumps(dry_run_json(planned))
            t3 = time.perf_counter()
            statuses = gate_statuses(c)
            t4 = time.perf_counter()
            human = render_dry_run(planned)
            t5 = time.perf_counter()
    figure = t3 - t0
    counts: dict[str, int] = {}
    for p in planned:
        counts[p.status] = counts.get(p.status, 0) + 1
    print(f"documents: {len(planned)} planned ({counts}); JSON {len(text) / 1e6:.1f} MB; human form {len(human) / 1e6:.1f} MB")
    print(f"  open cache {t1 - t0:.2f} s, plan {t2 - t1:.2f} s, dry_run_json + json.dumps {t3 - t2:.2f} s")
    print(f"dry run (open + plan + JSON) of {n} documents: {figure:.2f} s  target {TARGET_S:.1f} s  ratio {figure / TARGET_S:.2f}")
    print(f"gate_statuses ({len(statuses)} pending): {t4 - t3:.2f} s; render_dry_run: {t5 - t4:.2f} s")
    return 0 if figure <= TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
