"""Benchmark of the QBO sandbox: simple creates per second over loopback, throttle off.

Run:  python tests/bench/bench_sandbox.py [--n 3000] [--concurrency 8] [--entity customer|invoice]
  or  python -m tests.bench.bench_sandbox
The sandbox runs under uvicorn in its own process (as `qbtui sandbox serve` would), so that the
client's work does not share its CPU time slice; the client is an async httpx2 client holding a few
keep-alive connections. Prints creates/s and the ratio to the 300/s target (>= 1.0 passes);
exits non-zero if the target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import httpx2  # noqa: E402

TARGET = 300.0
REALM = "9341453050298736"


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux /proc), or None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    cmd = [sys.executable, "-c",
           "import sys; from qbtui.sandbox import SandboxConfig, run; "
           f"run(SandboxConfig(company='demo', throttle='off'), host='127.0.0.1', port={port}, log_level='warning')"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("the sandbox did not start")


async def connect(c: httpx2.AsyncClient) -> str:
    loc = (await c.get("/oauth2/authorize", params={"client_id": "bench", "redirect_uri": "http://localhost/cb",
                                                     "response_type": "code", "state": "b"})).headers["location"]
    code = httpx2.URL(loc).params["code"]
    tokens = (await c.post("/oauth2/v1/tokens/bearer", auth=("bench", "secret"),
                           data={"grant_type": "authorization_code", "code": code})).json()
    return tokens["access_token"]


async def bench(base: str, n: int, concurrency: int, entity: str) -> float:
    limits = httpx2.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx2.AsyncClient(base_url=base, limits=limits, timeout=30) as c:
        token = await connect(c)
        c.headers["Authorization"] = f"Bearer {token}"
        url = f"/v3/company/{REALM}/{entity}"
        customer_id = None
        if entity == "invoice":
            customer_id = (await c.post(f"/v3/company/{REALM}/customer",
                                        json={"DisplayName": f"Bench customer {os.urandom(4).hex()}"})).json()["Customer"]["Id"]
        run_id = os.urandom(4).hex()

        def body(i: int) -> dict:
            if entity == "customer":
                return {"DisplayName": f"Bench {run_id} {i}"}
            return {"CustomerRef": {"value": customer_id}, "DocNumber": f"B{run_id}{i}",
                    "Line": [{"DetailType": "SalesItemLineDetail", "Amount": 10.0,
                              "SalesItemLineDetail": {"Qty": 1, "UnitPrice": 10}}]}

        counter = iter(range(n))
        failures = 0

        async def worker() -> None:
            nonlocal failures
            for i in counter:
                answer = await c.post(url, json=body(i), params={"minorversion": "75", "requestid": f"{run_id}-{i}"})
                if answer.status_code != 200:
                    failures += 1

        # warm-up
        for i in range(20):
            await c.post(url, json=body(n + i))
        started = time.perf_counter()
        await asyncio.gather(*[worker() for _ in range(concurrency)])
        elapsed = time.perf_counter() - started
        if failures:
            raise SystemExit(f"{failures} creates failed")
        return n / elapsed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--entity", choices=["customer", "invoice"], default="customer")
    ap.add_argument("--repeat", type=int, default=3, help="runs on the same server; the median is judged")
    args = ap.parse_args(argv)
    port = free_port()
    proc = start_server(port)
    rates = []
    cpu_before = cpu_seconds(proc.pid)
    try:
        for _ in range(args.repeat):
            rates.append(asyncio.run(bench(f"http://127.0.0.1:{port}", args.n, args.concurrency, args.entity)))
        cpu_after = cpu_seconds(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    rate = statistics.median(rates)
    ratio = rate / TARGET
    runs = ", ".join(f"{r:,.0f}" for r in rates)
    print(f"sandbox {args.entity} creates: median {rate:,.0f}/s over loopback (runs: {runs}; {args.n} creates each, "
          f"{args.concurrency} connections, throttle off); target {TARGET:.0f}/s; ratio {ratio:.2f} "
          f"({'PASS' if ratio >= 1 else 'FAIL'})")
    if cpu_before is not None and cpu_after is not None:
        # each run also makes 2-3 OAuth calls and 20 warm-up creates
        per = (cpu_after - cpu_before) / (args.repeat * (args.n + 23))
        print(f"server CPU per create: {per * 1e6:,.0f} us, i.e. one core could serve about {1 / per:,.0f} creates/s "
              f"(the rest of the wall time is the client and the machine)")
    return 0 if ratio >= 1 else 1


if __name__ == "__main__":
    raise SystemExit(main())
