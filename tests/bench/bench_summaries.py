"""Summarized posting at a marketplace's volume: a month of orders on one channel in ``monthly`` mode.

    python tests/bench/bench_summaries.py [--orders 100000 --customers 200 --products 200]
                                          [--time-scale 5 --latency-ms 50]

A profile connected as a user would (``connect``, ``map --auto``, ``import``) to a ``qbtui sandbox serve --throttle
qbo --time-scale 5 --latency-ms 50`` of its own (bench_sync's settings: QBO's limits, five times faster), holding
``--orders`` invoices of channel ``web`` dated through November 2026, each with its COGS journal and its payment
(three documents an order), their customers and products. First ``qbtui sync --dry-run --json`` with the channel in
``individual`` mode (the default) counts the QBO documents a sync would create one by one; then the channel is set
to ``monthly`` (``channel.web.invoice_sync`` / ``cogs_sync``, payments following the invoices) and ``qbtui sync
--yes --json`` is timed as a whole, process start to exit, with ``QBTUI_TODAY=2026-12-05`` (the month's grace has
passed). The QBO objects created are counted in the sandbox (before and after, per entity). Target: under a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.bench_sync import connect_profile, qbtui, start_sandbox  # noqa: E402

TARGET_S = 60.0
TODAY = "2026-12-05"
ENTITIES = ("Customer", "Item", "Invoice", "JournalEntry", "Payment", "CreditMemo", "RefundReceipt")


def month_of_orders(orders: int, customers: int, products: int, seed: int = 19) -> list[dict]:
    """``orders`` web orders through November 2026 (1 to 3 lines), each with its COGS journal and its payment."""
    rng = random.Random(seed)
    docs: list[dict] = [{"type": "customer", "ref": f"MC-{i:05d}", "name": f"Market Customer {i:05d}"}
                        for i in range(customers)]
    prices = [Decimal(rng.randint(300, 9000)) / 100 for _ in range(products)]
    docs += [{"type": "product", "ref": f"MSKU-{i:05d}", "name": f"Market Product {i:05d}", "sale_price": str(p),
              "purchase_cost": str((p * Decimal("0.4")).quantize(Decimal("0.01")))} for i, p in enumerate(prices)]
    for i in range(orders):
        day = f"2026-11-{1 + i * 30 // orders:02d}"
        lines, total, cost = [], Decimal(0), Decimal(0)
        for _ in range(rng.randint(1, 3)):
            p = rng.randrange(products)
            qty = rng.randint(1, 4)
            lines.append({"sku": f"MSKU-{p:05d}", "quantity": str(qty), "unit_price": str(prices[p])})
            total += qty * prices[p]
            cost += qty * (prices[p] * Decimal("0.4")).quantize(Decimal("0.01"))
        ref = f"WEB-{i:06d}"
        docs.append({"type": "sale_invoice", "ref": ref, "customer": f"MC-{rng.randrange(customers):05d}",
                     "invoice_date": day, "channel": "web", "lines": lines})
        docs.append({"type": "cogs", "ref": f"WCOGS-{i:06d}", "invoice": ref, "date": day, "amount": str(cost)})
        docs.append({"type": "sale_payment", "ref": f"WPAY-{i:06d}", "invoice": ref, "date": day,
                     "amount": str(total)})
    return docs


def count_in_qbo(work: Path) -> dict[str, int]:
    from qbtui.cache import Cache, profile_dir
    from qbtui.sync.connection import open_client

    async def go() -> dict[str, int]:
        path = profile_dir(work / "data", "default")
        with Cache.open(path, writer=False) as cache:
            async with await open_client(cache, path) as c:
                return {e: await c.count(e) for e in ENTITIES}
    return asyncio.run(go())


def individual_count(env: dict) -> tuple[int, int, float]:
    """(QBO documents a sync would create, documents planned, seconds) of ``qbtui sync --dry-run --json``."""
    t0 = time.perf_counter()
    r = qbtui(env, "sync", "--dry-run", "--json", check=False)
    wall = time.perf_counter() - t0
    if r.returncode not in (0, 1):
        raise RuntimeError(f"qbtui sync --dry-run -> {r.returncode}: {r.stderr[-2000:]}")
    out = json.loads(r.stdout)
    sendable = [d for d in out["documents"] if d["status"] not in ("blocked", "skipped")]
    return sum(len(d["payloads"]) for d in sendable), len(sendable), wall


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, default=100_000)
    ap.add_argument("--customers", type=int, default=200)
    ap.add_argument("--products", type=int, default=200)
    ap.add_argument("--time-scale", type=float, default=5.0)
    ap.add_argument("--latency-ms", type=float, default=50.0)
    ap.add_argument("--no-individual", action="store_true", help="skip the individual mode's dry run (profiling)")
    ap.add_argument("--profile-to", type=Path, help="run the monthly sync under cProfile, its stats to this file")
    args = ap.parse_args(argv)
    docs = month_of_orders(args.orders, args.customers, args.products)
    print(f"documents: {len(docs):,} ({args.orders:,} web orders in 2026-11, each with its COGS journal and its "
          f"payment; {args.customers} customers, {args.products} products); sandbox --throttle qbo --time-scale "
          f"{args.time_scale:g} --latency-ms {args.latency_ms:g}; QBTUI_TODAY={TODAY}")
    with tempfile.TemporaryDirectory(prefix="qbtui-bench-summaries-") as tmp:
        work = Path(tmp)
        proc, url = start_sandbox(args.time_scale, args.latency_ms)
        try:
            env = {**connect_profile(url, work), "QBTUI_TODAY": TODAY}
            path = work / "orders.json"
            path.write_text(json.dumps({"documents": docs}))
            t0 = time.perf_counter()
            qbtui(env, "import", str(path))
            imported = time.perf_counter() - t0
            individual, planned, dry_wall = (0, 0, 0.0) if args.no_individual else individual_count(env)
            print(f"import: {imported:.1f} s; individual mode, qbtui sync --dry-run --json: {individual:,} QBO "
                  f"documents ({planned:,} documents planned, {dry_wall:.1f} s)")
            for kind in ("invoice_sync", "cogs_sync"):
                qbtui(env, "settings", "set", f"channel.web.{kind}", "monthly")
            before = count_in_qbo(work)
            t0 = time.perf_counter()
            if args.profile_to:
                r = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(args.profile_to), "-m", "qbtui", "sync",
                                    "--yes", "--json"], env=env, capture_output=True, text=True, cwd=ROOT)
            else:
                r = qbtui(env, "sync", "--yes", "--json", check=False)
            wall = time.perf_counter() - t0
            after = count_in_qbo(work)
        finally:
            proc.terminate()
            proc.wait(10)
    out = json.loads(r.stdout) if r.stdout.strip() else {}
    statuses: dict[str, int] = {}
    for d in out.get("documents") or ():
        statuses[d["status"]] = statuses.get(d["status"], 0) + 1
    created = {e: after[e] - before[e] for e in ENTITIES if after[e] != before[e]}
    n_created = sum(created.values())
    summaries = out.get("summaries") or (out.get("run") or {}).get("summaries") or []
    print(f"monthly mode, qbtui sync: {wall:.1f} s wall, exit {r.returncode}, {statuses}")
    if r.returncode != 0:
        print(f"  stdout: {r.stdout[-1500:]}\n  stderr: {r.stderr[-3000:]}")
    print(f"QBO documents created: {n_created:,} {created}; summaries {len(summaries)}: "
          + ", ".join(f"{s.get('ref')} ({s.get('count'):,} documents)" for s in summaries))
    print(f"documents in QBO, monthly / individual: {n_created:,} / {individual:,} = "
          f"{n_created / max(1, individual):.5f} (1 : {individual / max(1, n_created):,.0f})")
    print(f"target: <= {TARGET_S:.0f} s; ratio {wall / TARGET_S:.2f}" + ("" if wall <= TARGET_S else " MISSED"))
    return 0 if wall <= TARGET_S and r.returncode == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
