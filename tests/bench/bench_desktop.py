"""QuickBooks Desktop throughput: documents a minute through one Web Connector session against the simulator.

    python tests/bench/bench_desktop.py [--documents 1000]

A Desktop profile made as a user makes it (`qbtui connect --desktop`), its roles mapped from the simulated demo
company's accounts (as `qbtui map --auto` does after the first session) and 1,000 documents imported (customers,
products, invoices and their payments: tests/desktop/volume.py); `qbtui desktop serve` runs in its own process (as
it does for a real Web Connector, the gates included); the simulated Web Connector (qbtui.desktop.simulator) then
runs one session over HTTP against it, each request set run by the simulated company file (parsed, checked against
the schema's order, ids given). The figure is the documents sent in that session per minute of wall time, from
`authenticate` to `closeConnection`; the target is 1,000 a minute (the figure is in the README)."""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import httpx2  # noqa: E402

from qbtui.cache import Cache  # noqa: E402
from qbtui.desktop.simulator import Company, WebConnector, http_post  # noqa: E402
from tests.desktop.volume import documents, mapped  # noqa: E402
from tests.desktop.webconnector import PASSWORD, desktop_profile  # noqa: E402

TARGET = 1000  # documents a minute


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--documents", type=int, default=1000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        profile = desktop_profile(data)
        company = Company.new("demo")
        docs = documents(args.documents)
        mapped(profile, company, docs)
        port = free_port()
        url = f"http://127.0.0.1:{port}/qbwc"
        proc = subprocess.Popen([sys.executable, "-m", "qbtui", "--data-dir", str(data), "--profile", "shop",
                                 "desktop", "serve", "--port", str(port)], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ))
        try:
            for _ in range(300):
                try:
                    if httpx2.get(url, timeout=1).status_code == 200:
                        break
                except httpx2.HTTPError:
                    time.sleep(0.1)
            post, close = http_post(url)
            wc = WebConnector(post, company, username="qbtui", password=PASSWORD)
            start = time.perf_counter()
            report = wc.session()
            elapsed = time.perf_counter() - start
            close()
        finally:
            proc.terminate()
            proc.wait(timeout=10)
        with Cache.open(profile, writer=False) as cache:
            synced = sum(1 for d in docs if (cache.link(d["type"], d["ref"]) or {}).get("status") == "synced")
    per_minute = synced / elapsed * 60
    print(f"desktop: {synced} of {len(docs)} documents in one Web Connector session ({report.request_sets} request "
          f"sets, {report.status}: {report.message}) in {elapsed:.1f} s: {per_minute:,.0f} documents a minute "
          f"(target {TARGET:,})")
    return 0 if synced == len(docs) and per_minute >= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
