"""Sync throughput against QBO's limits, and python-quickbooks as the peer's figure.

    python tests/bench/bench_sync.py [--customers 300 --products 200 --invoices 3000 --cogs 3000]
                                     [--time-scale 5 --latency-ms 50] [--peer-sample N | --no-peer]

Both runs face a `qbtui sandbox serve --throttle qbo --time-scale 5 --latency-ms 50` of their own (a
separate process, like QBO). qbtui: a profile connected as a user would (`connect`, `map --auto`,
`import`), then `qbtui sync --yes` timed as a whole (process start to exit). The peer: python-quickbooks
(sync, requests) creating the same objects one request at a time, waiting out a 429 as Intuit says
(60 s, time-scaled), since it has no throttle of its own.

The minimum the limits allow: QBO takes at most 40 batches x 30 + (500 - 40) single requests = 1,660
objects per (time-scaled) minute and realm, so N objects need N / 1,660 minutes at best; the
dependency waves (contacts and products before invoices and COGS) cost nothing extra at that bound
because the second wave can use what the first leaves of each window. Ratios are wall time / that
minimum (1.0 = QBO's ceiling).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import httpx2  # noqa: E402

SECRET_ENV = "QBTUI_BENCH_SECRET"
OBJECTS_PER_WINDOW = 40 * 30 + (500 - 40)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_sandbox(time_scale: float, latency_ms: float, *extra: str) -> tuple[subprocess.Popen, str]:
    """A `qbtui sandbox serve` process of the demo company (``extra``: more of its options, e.g. --realm-id)."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "qbtui", "sandbox", "serve", "--port", str(port), "--company", "demo",
                             "--throttle", "qbo", "--time-scale", str(time_scale), "--latency-ms", str(latency_ms), *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx2.get(f"{url}/.well-known/openid_configuration", timeout=1).status_code == 200:
                return proc, url
        except httpx2.HTTPError:
            pass
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the sandbox did not start")


def documents(customers: int, products: int, invoices: int, cogs: int, seed: int = 5) -> list[dict]:
    rng = random.Random(seed)
    docs: list[dict] = [{"type": "customer", "ref": f"BC-{i:05d}", "name": f"Bench Customer {i:05d}"}
                        for i in range(customers)]
    docs += [{"type": "product", "ref": f"BSKU-{i:05d}", "name": f"Bench Product {i:05d}", "sale_price": "12.50",
              "purchase_cost": "4.10"} for i in range(products)]
    for i in range(invoices):
        docs.append({"type": "sale_invoice", "ref": f"BS-{i:06d}", "customer": f"BC-{rng.randrange(customers):05d}",
                     "invoice_date": "2026-11-02",
                     "lines": [{"sku": f"BSKU-{rng.randrange(products):05d}", "quantity": rng.randint(1, 9),
                                "unit_price": "12.50", "unit_cost": "4.10"}]})
    for i in range(cogs):
        docs.append({"type": "cogs", "ref": f"BCOGS-{i:06d}", "invoice": f"BS-{i % max(1, invoices):06d}",
                     "date": "2026-11-02", "amount": f"{rng.randint(1, 9) * 4.10:.2f}"})
    return docs


def qbtui(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    r = subprocess.run([sys.executable, "-m", "qbtui", *args], env=env, capture_output=True, text=True, cwd=ROOT)
    if check and r.returncode != 0:
        raise RuntimeError(f"qbtui {' '.join(args)} -> {r.returncode}: {r.stderr[-2000:]}")
    return r


def connect_profile(url: str, work: Path) -> dict:
    """A profile under ``work`` connected to the sandbox at ``url`` as a user would (``connect``, ``map --auto``):
    the environment that runs qbtui on it."""
    env = {**os.environ, "QBTUI_DATA_DIR": str(work / "data"), SECRET_ENV: "bench-secret"}
    auth_url = qbtui(env, "connect", "--environment", url, "--client-id", "bench", "--client-secret-env", SECRET_ENV,
                     "--print-auth-url").stdout.strip().splitlines()[0]
    landed = httpx2.get(auth_url, follow_redirects=False).headers["location"]
    qbtui(env, "connect", "--redirect-url", landed)
    qbtui(env, "map", "--auto")
    return env


def run_qbtui(url: str, docs: list[dict], work: Path) -> dict:
    env = connect_profile(url, work)
    path = work / "bench.json"
    path.write_text(json.dumps({"documents": docs}))
    qbtui(env, "import", str(path))
    t0 = time.perf_counter()
    r = qbtui(env, "sync", "--yes", "--json", check=False)
    wall = time.perf_counter() - t0
    out = json.loads(r.stdout)
    statuses: dict[str, int] = {}
    for d in out["documents"]:
        statuses[d["status"]] = statuses.get(d["status"], 0) + 1
    throttled = len(re.findall(r"throttled the request", r.stderr))
    return {"wall_s": wall, "exit_code": r.returncode, "statuses": statuses, "throttled_429": throttled}


def run_peer(url: str, docs: list[dict], time_scale: float) -> dict:
    """python-quickbooks, one object per request, in the same order (contacts, items, invoices, COGS)."""
    os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
    from urllib.parse import parse_qs, urlsplit

    import requests
    from intuitlib.client import AuthClient
    from intuitlib.enums import Scopes
    from quickbooks import QuickBooks
    from quickbooks.objects.account import Account
    from quickbooks.objects.base import Ref
    from quickbooks.objects.customer import Customer
    from quickbooks.objects.detailline import SalesItemLine, SalesItemLineDetail
    from quickbooks.objects.invoice import Invoice
    from quickbooks.objects.item import Item
    from quickbooks.objects.journalentry import JournalEntry, JournalEntryLine, JournalEntryLineDetail

    auth = AuthClient("peer", "peer-secret", "http://localhost/callback",
                      environment=f"{url}/.well-known/openid_configuration")
    answer = requests.get(auth.get_authorization_url([Scopes.ACCOUNTING]), allow_redirects=False, timeout=10)
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    auth.get_bearer_token(query["code"][0], realm_id=query["realmId"][0])
    QuickBooks.api_url_v3 = f"{url}/v3"
    qb = QuickBooks(auth_client=auth, refresh_token=auth.refresh_token, company_id=auth.realm_id, minorversion=75)

    accounts = {a.Name: a for a in Account.all(qb=qb, max_results=1000)}

    def ref(obj, kind: str) -> Ref:
        r = Ref()
        r.value, r.type = obj.Id, kind
        return r

    income, asset, cogs_acc = (accounts["Sales of Product Income"], accounts["Inventory Asset"],
                               accounts["Cost of Goods Sold"])
    waited = 0.0
    throttled = 0

    def save(obj) -> None:
        nonlocal waited, throttled
        while True:
            try:
                obj.save(qb=qb)
                return
            except Exception as exc:  # python-quickbooks has no 429 handling: wait as Intuit says
                if "429" in str(exc) or "ThrottleExceeded" in str(exc) or "3001" in str(exc):
                    throttled += 1
                    waited += 60 / time_scale
                    time.sleep(60 / time_scale)
                    continue
                raise

    ids: dict[str, object] = {}
    t0 = time.perf_counter()
    for d in docs:
        if d["type"] == "customer":
            c = Customer()
            c.DisplayName = d["name"]
            save(c)
            ids[d["ref"]] = c
        elif d["type"] == "product":
            it = Item()
            it.Name, it.Type = d["name"], "NonInventory"
            it.IncomeAccountRef, it.ExpenseAccountRef = ref(income, "Account"), ref(asset, "Account")
            save(it)
            ids[d["ref"]] = it
        elif d["type"] == "sale_invoice":
            inv = Invoice()
            inv.DocNumber, inv.TxnDate = d["ref"], d["invoice_date"]
            inv.CustomerRef = ref(ids[d["customer"]], "Customer")
            for line in d["lines"]:
                sl = SalesItemLine()
                sl.Amount = round(float(line["quantity"]) * float(line["unit_price"]), 2)
                sl.SalesItemLineDetail = SalesItemLineDetail()
                sl.SalesItemLineDetail.ItemRef = ref(ids[line["sku"]], "Item")
                sl.SalesItemLineDetail.Qty = line["quantity"]
                sl.SalesItemLineDetail.UnitPrice = float(line["unit_price"])
                inv.Line.append(sl)
            save(inv)
        elif d["type"] == "cogs":
            je = JournalEntry()
            je.DocNumber, je.TxnDate = d["ref"], d["date"]
            for posting, account in (("Debit", cogs_acc), ("Credit", asset)):
                jl = JournalEntryLine()
                jl.Amount = float(d["amount"])
                jl.JournalEntryLineDetail = JournalEntryLineDetail()
                jl.JournalEntryLineDetail.PostingType = posting
                jl.JournalEntryLineDetail.AccountRef = ref(account, "Account")
                je.Line.append(jl)
            save(je)
    return {"wall_s": time.perf_counter() - t0, "throttled_429": throttled, "waited_s": waited}


def count_created(url: str, work: Path) -> dict[str, int]:
    """Counts in QBO, by query through qbtui's client (the bench's own objects only)."""
    import asyncio

    from qbtui.cache import Cache, profile_dir
    from qbtui.sync.connection import open_client

    async def go() -> dict[str, int]:
        path = profile_dir(work / "data", "default")
        with Cache.open(path, writer=False) as cache:
            async with await open_client(cache, path) as c:
                return {"Customer": await c.count("Customer", "DisplayName LIKE 'Bench Customer%'"),
                        "Item": await c.count("Item", "Name LIKE 'Bench Product%'"),
                        "Invoice": await c.count("Invoice", "DocNumber LIKE 'BS-%'"),
                        "JournalEntry": await c.count("JournalEntry", "DocNumber LIKE 'BCOGS-%'")}
    return asyncio.run(go())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=300)
    ap.add_argument("--products", type=int, default=200)
    ap.add_argument("--invoices", type=int, default=3000)
    ap.add_argument("--cogs", type=int, default=3000)
    ap.add_argument("--time-scale", type=float, default=5.0)
    ap.add_argument("--latency-ms", type=float, default=50.0)
    ap.add_argument("--peer-sample", type=int, default=0,
                    help="time the peer on the first N objects only and scale up (0: all of them)")
    ap.add_argument("--no-peer", action="store_true")
    args = ap.parse_args(argv)
    docs = documents(args.customers, args.products, args.invoices, args.cogs)
    n = len(docs)
    window = 60.0 / args.time_scale
    minimum = n / OBJECTS_PER_WINDOW * window
    print(f"objects: {n} ({args.customers} customers, {args.products} products, {args.invoices} invoices, "
          f"{args.cogs} COGS journals); sandbox --throttle qbo --time-scale {args.time_scale:g} "
          f"--latency-ms {args.latency_ms:g}")
    print(f"minimum the limits allow: {n} / {OBJECTS_PER_WINDOW} objects per {window:g} s window = {minimum:.1f} s")
    with tempfile.TemporaryDirectory(prefix="qbtui-bench-sync-") as tmp:
        work = Path(tmp)
        proc, url = start_sandbox(args.time_scale, args.latency_ms)
        try:
            ours = run_qbtui(url, docs, work)
            counts = count_created(url, work)
        finally:
            proc.terminate()
            proc.wait(10)
        print(f"qbtui sync: {ours['wall_s']:.1f} s wall, exit {ours['exit_code']}, {ours['statuses']}, "
              f"{ours['throttled_429']} x 429; in QBO: {counts}")
        print(f"qbtui ratio to the limit: {ours['wall_s'] / minimum:.3f}")
        if not args.no_peer:
            sample = docs if not args.peer_sample else docs[:args.peer_sample]
            proc, url = start_sandbox(args.time_scale, args.latency_ms)
            try:
                peer = run_peer(url, sample, args.time_scale)
            finally:
                proc.terminate()
                proc.wait(10)
            wall = peer["wall_s"] * (n / len(sample))
            note = "" if len(sample) == n else f" (timed on {len(sample)} objects, scaled to {n})"
            print(f"python-quickbooks, one request at a time: {wall:.1f} s wall{note}, {peer['throttled_429']} x 429")
            print(f"peer ratio to the limit: {wall / minimum:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
