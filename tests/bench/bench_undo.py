"""Undo throughput against QBO's limits, and python-quickbooks one object at a time as the peer's figure.

    python tests/bench/bench_undo.py [--customers 300 --products 200 --invoices 3000]
                                     [--time-scale 5 --latency-ms 50] [--peer-sample 300 | --no-peer]

A profile connected as a user would (`connect`, `map --auto`, `import`) against a `qbtui sandbox serve
--throttle qbo --time-scale 5 --latency-ms 50` of its own (a separate process, like QBO) syncs its customers and
products in one run, then 3,000 invoices in another; `qbtui undo` of that invoice run is timed as a whole
(process start to exit), one QBO window (a time-scaled minute) after that sync.

The minimum the limits allow: each invoice needs one delete at least; QBO takes at most 40 batches x 30 + (500 -
40) single requests = 1,660 objects per (time-scaled) minute and realm, so 3,000 deletes need 3,000 / 1,660
minutes at best (the reads of the current SyncTokens, one query per 100, come on top, inside the ratio). Ratio =
wall time / that minimum (1.0 = QBO's ceiling); the target is 1.15. That minimum is the steady rate, as
bench_sync.py's: windows that start empty let a run of under two minutes' budget front-load its first window, so
a ratio a little under 1.0 is possible here and breaks no limit (the sandbox answers 429 to any request over one).

The peer, the old way: python-quickbooks reading each invoice and deleting it, one request at a time (what
qbtui's undo did before it batched), on a sample of the invoices of a sync to a sandbox of its own, scaled to
the whole count, waiting out a 429 as Intuit says (60 s, time-scaled).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.bench_sync import OBJECTS_PER_WINDOW, SECRET_ENV, documents, qbtui, start_sandbox  # noqa: E402

TARGET = 1.15


def _profile(url: str, work: Path) -> dict:
    import httpx2

    env = {**os.environ, "QBTUI_DATA_DIR": str(work / "data"), SECRET_ENV: "bench-secret"}
    auth_url = qbtui(env, "connect", "--environment", url, "--client-id", "bench", "--client-secret-env", SECRET_ENV,
                     "--print-auth-url").stdout.strip().splitlines()[0]
    landed = httpx2.get(auth_url, follow_redirects=False).headers["location"]
    qbtui(env, "connect", "--redirect-url", landed)
    qbtui(env, "map", "--auto")
    return env


def _sync(env: dict, docs: list[dict], work: Path, name: str) -> dict:
    path = work / f"{name}.json"
    path.write_text(json.dumps({"documents": docs}))
    qbtui(env, "import", str(path))
    r = qbtui(env, "sync", "--yes", "--json", check=False)
    out = json.loads(r.stdout)
    if r.returncode != 0:
        raise RuntimeError(f"the {name} sync did not finish: exit {r.returncode}, {r.stderr[-2000:]}")
    return out["run"]


def _synced_invoice_run(url: str, docs: list[dict], work: Path) -> tuple[dict, dict]:
    """(the environment of a profile, its run that created the invoices), contacts and products in a run before."""
    env = _profile(url, work)
    _sync(env, [d for d in docs if d["type"] != "sale_invoice"], work, "contacts")
    run = _sync(env, [d for d in docs if d["type"] == "sale_invoice"], work, "invoices")
    return env, run


def _quiet(window: float) -> None:
    """Let QBO's windows forget the sync's requests: the undo starts with the whole budget, as it would a minute
    or more after the sync (a new process's client cannot know what the sync sent within the last minute)."""
    time.sleep(window + 0.5)


def run_qbtui(url: str, docs: list[dict], work: Path, window: float) -> dict:
    env, run = _synced_invoice_run(url, docs, work)
    objects = len(run["created"])
    _quiet(window)
    t0 = time.perf_counter()
    r = qbtui(env, "undo", run["id"], "--yes", check=False)
    wall = time.perf_counter() - t0
    runs = json.loads(qbtui(env, "runs", "--json").stdout)["runs"]
    undo = next(x for x in runs if x.get("undoes") == run["id"])
    return {"wall_s": wall, "exit_code": r.returncode, "objects": objects, "counts": undo.get("counts"),
            "output": r.stdout.strip()}


def run_peer(url: str, docs: list[dict], work: Path, time_scale: float, window: float) -> dict:
    """python-quickbooks: read each invoice, then delete it, one request at a time (the old undo)."""
    os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
    from urllib.parse import parse_qs, urlsplit

    import requests
    from intuitlib.client import AuthClient
    from intuitlib.enums import Scopes
    from quickbooks import QuickBooks
    from quickbooks.objects.invoice import Invoice

    _, run = _synced_invoice_run(url, docs, work)
    ids = [c["id"] for c in run["created"] if c["entity"] == "Invoice"]
    auth = AuthClient("peer", "peer-secret", "http://localhost/callback",
                      environment=f"{url}/.well-known/openid_configuration")
    answer = requests.get(auth.get_authorization_url([Scopes.ACCOUNTING]), allow_redirects=False, timeout=10)
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    auth.get_bearer_token(query["code"][0], realm_id=query["realmId"][0])
    QuickBooks.api_url_v3 = f"{url}/v3"
    qb = QuickBooks(auth_client=auth, refresh_token=auth.refresh_token, company_id=auth.realm_id, minorversion=75)
    throttled = 0
    _quiet(window)

    def patient(call, *args):
        nonlocal throttled
        while True:
            try:
                return call(*args)
            except Exception as exc:  # python-quickbooks has no 429 handling: wait as Intuit says
                if "429" in str(exc) or "ThrottleExceeded" in str(exc) or "3001" in str(exc):
                    throttled += 1
                    time.sleep(60 / time_scale)
                    continue
                raise

    t0 = time.perf_counter()
    for qbo_id in ids:
        invoice = patient(Invoice.get, qbo_id, qb)
        patient(invoice.delete, qb)
    return {"wall_s": time.perf_counter() - t0, "objects": len(ids), "throttled_429": throttled}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=300)
    ap.add_argument("--products", type=int, default=200)
    ap.add_argument("--invoices", type=int, default=3000)
    ap.add_argument("--time-scale", type=float, default=5.0)
    ap.add_argument("--latency-ms", type=float, default=50.0)
    ap.add_argument("--peer-sample", type=int, default=300,
                    help="time the peer on the invoices of a sync of N only and scale up (0: all of them)")
    ap.add_argument("--no-peer", action="store_true")
    args = ap.parse_args(argv)
    docs = documents(args.customers, args.products, args.invoices, 0)
    n = args.invoices
    window = 60.0 / args.time_scale
    minimum = n / OBJECTS_PER_WINDOW * window
    print(f"undo of a run of {n} invoices (its {args.customers} customers and {args.products} products synced in "
          f"a run before); sandbox --throttle qbo --time-scale {args.time_scale:g} --latency-ms {args.latency_ms:g}")
    print(f"minimum the limits allow: {n} deletes / {OBJECTS_PER_WINDOW} objects per {window:g} s window = "
          f"{minimum:.1f} s")
    worst = 0
    with tempfile.TemporaryDirectory(prefix="qbtui-bench-undo-") as tmp:
        proc, url = start_sandbox(args.time_scale, args.latency_ms)
        try:
            ours = run_qbtui(url, docs, Path(tmp) / "qbtui", window)
        finally:
            proc.terminate()
            proc.wait(10)
        ratio = ours["wall_s"] / minimum
        print(f"qbtui undo: {ours['wall_s']:.1f} s wall, exit {ours['exit_code']}, {ours['counts']} "
              f"({ours['objects']} objects in the run)")
        print(f"qbtui ratio to the limit: {ratio:.3f} (target <= {TARGET})")
        if ours["exit_code"] != 0 or ratio > TARGET or ours["counts"].get("removed") != ours["objects"]:
            worst = 1
        if not args.no_peer:
            sample = args.peer_sample or n
            peer_docs = documents(min(args.customers, max(1, sample // 10)), min(args.products, max(1, sample // 15)),
                                  min(n, sample), 0)
            proc, url = start_sandbox(args.time_scale, args.latency_ms)
            try:
                peer = run_peer(url, peer_docs, Path(tmp) / "peer", args.time_scale, window)
            finally:
                proc.terminate()
                proc.wait(10)
            wall = peer["wall_s"] * (n / peer["objects"])
            note = "" if peer["objects"] == n else f" (timed on {peer['objects']} invoices, scaled to {n})"
            print(f"python-quickbooks, read and delete one request at a time: {wall:.1f} s wall{note}, "
                  f"{peer['throttled_429']} x 429")
            print(f"peer ratio to the limit: {wall / minimum:.3f}")
    return worst


if __name__ == "__main__":
    raise SystemExit(main())
