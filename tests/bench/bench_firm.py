"""Firm mode: `qbtui sync --all-profiles` of three companies against each one's `qbtui sync` alone.

    python tests/bench/bench_firm.py [--n 2000] [--profiles 3] [--time-scale 10] [--latency-ms 50]

Each profile has --n documents of the realistic mix (tests/bench/datasets.py; its own seed, so each company's
documents differ) and its own company: a `qbtui sandbox serve --throttle qbo --time-scale 10` process of its
own, with its own realm id (QBO counts its limits per realm). Each profile is connected as a user would
(`connect`, `map --auto`, `import`; not timed).

First each profile is synced alone (`qbtui --profile P sync --yes --json`, process start to exit), one after
the other. Then, on fresh data (new sandboxes, a new data folder, the same documents), the three at once:
`qbtui sync --all-profiles --yes --json`, timed the same way. Target: the three together take less than 1.3
times the slowest alone (they share nothing but the machine: each realm has its own limits, and the minimum
those limits allow is the same for one company as for three).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import httpx2  # noqa: E402

from tests.bench.bench_sync import OBJECTS_PER_WINDOW, SECRET_ENV, qbtui, start_sandbox  # noqa: E402
from tests.bench.datasets import document_mix  # noqa: E402

TARGET = 1.3
NAMES = ("north", "south", "west", "east", "central")


def setup_profile(env: dict, name: str, url: str, docs: list[dict], work: Path) -> None:
    """``name`` connected to the sandbox at ``url`` and mapped, with ``docs`` imported, as a user would."""
    p = ("--profile", name)
    auth_url = qbtui(env, *p, "connect", "--environment", url, "--client-id", "bench", "--client-secret-env",
                     SECRET_ENV, "--print-auth-url").stdout.strip().splitlines()[0]
    landed = httpx2.get(auth_url, follow_redirects=False).headers["location"]
    qbtui(env, *p, "connect", "--redirect-url", landed)
    qbtui(env, *p, "map", "--auto")
    path = work / f"{name}.json"
    path.write_text(json.dumps({"documents": docs}))
    qbtui(env, *p, "import", str(path))


def statuses(result: dict) -> dict[str, int]:
    out: dict[str, int] = {}
    for d in result.get("documents") or []:
        out[d["status"]] = out.get(d["status"], 0) + 1
    return out


class Firm:
    """A data folder of profiles, each against a sandbox process of its own (a realm id of its own)."""

    def __init__(self, work: Path, names: tuple[str, ...], docs: dict[str, list[dict]], time_scale: float,
                 latency_ms: float) -> None:
        self.work, self.names = work, names
        self.env = {**os.environ, "QBTUI_DATA_DIR": str(work / "data"), SECRET_ENV: "bench-secret"}
        self.sandboxes = []
        try:
            for i, name in enumerate(names):
                proc, url = start_sandbox(time_scale, latency_ms, "--realm-id", f"93414530{i + 1:08d}")
                self.sandboxes.append(proc)
                setup_profile(self.env, name, url, docs[name], work)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        for proc in self.sandboxes:
            proc.terminate()
        for proc in self.sandboxes:
            proc.wait(10)

    def sandbox_cpu(self) -> float:
        return sum(cpu_seconds(proc.pid) for proc in self.sandboxes)

    def timed(self, *args: str) -> tuple[float, int, dict, str]:
        """``qbtui ARGS`` timed from process start to exit, with the machine's load before it and the CPU
        seconds it (and its children) and the sandboxes used."""
        load = os.getloadavg()[0]
        cpu0, served0, waited0 = children_cpu(), self.sandbox_cpu(), cpu_waited()
        t0 = time.perf_counter()
        r = qbtui(self.env, *args, check=False)
        wall = time.perf_counter() - t0
        used, served = children_cpu() - cpu0, self.sandbox_cpu() - served0
        waited = cpu_waited() - waited0 if waited0 >= 0 else -1.0
        try:
            out = json.loads(r.stdout)
        except ValueError:
            raise RuntimeError(f"qbtui {' '.join(args)} -> {r.returncode}: {r.stderr[-2000:]}") from None
        pressure = f"; a task waited for a CPU {waited / wall:.0%} of the time" if waited >= 0 else ""
        return wall, r.returncode, out, (f"load {load:.1f} before; CPU {used:.1f} s qbtui, {served:.1f} s sandboxes"
                                         + pressure)


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def cpu_waited() -> float:
    """Seconds during which some task of the machine waited for a CPU (Linux PSI, /proc/pressure/cpu; -1 when
    not known): the other work on a shared machine shows here."""
    try:
        some = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except (OSError, IndexError):
        return -1.0
    return int(some.rsplit("total=", 1)[1]) / 1e6


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a running process (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000, help="documents per profile")
    ap.add_argument("--profiles", type=int, default=3, choices=range(2, len(NAMES) + 1))
    ap.add_argument("--time-scale", type=float, default=10.0)
    ap.add_argument("--latency-ms", type=float, default=50.0)
    args = ap.parse_args(argv)
    names = NAMES[:args.profiles]
    docs = {name: document_mix(args.n, seed=7 + i) for i, name in enumerate(names)}
    window = 60.0 / args.time_scale
    minimum = args.n / OBJECTS_PER_WINDOW * window
    print(f"{len(names)} profiles x {args.n} documents (tests/bench/datasets.py mix), each against its own "
          f"`sandbox serve --throttle qbo --time-scale {args.time_scale:g} --latency-ms {args.latency_ms:g}`")
    print(f"minimum one realm's limits allow for {args.n} objects: {minimum:.1f} s (the same for each realm at once)")

    alone: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="qbtui-bench-firm-") as tmp:
        (Path(tmp) / "alone").mkdir()
        firm = Firm(Path(tmp) / "alone", names, docs, args.time_scale, args.latency_ms)
        try:
            for name in names:
                wall, code, out, machine = firm.timed("--profile", name, "sync", "--yes", "--json")
                alone[name] = wall
                print(f"  {name} alone: {wall:.1f} s, exit {code}, {statuses(out)}; {machine}")
        finally:
            firm.close()

        (Path(tmp) / "all").mkdir()
        firm = Firm(Path(tmp) / "all", names, docs, args.time_scale, args.latency_ms)
        try:
            together, code, out, machine = firm.timed("sync", "--all-profiles", "--yes", "--json")
        finally:
            firm.close()
        for row in out.get("profiles", []):
            print(f"  {row['profile']} in --all-profiles: exit {row['exit_code']}, {row['counts']}")

    slowest = max(alone.values())
    ratio = together / slowest / TARGET
    print(f"slowest alone: {slowest:.1f} s; sum alone: {sum(alone.values()):.1f} s")
    print(f"sync --all-profiles of {len(names)}: {together:.1f} s, exit {code}; "
          f"{together / slowest:.2f} x the slowest alone; {machine} (on {os.cpu_count()} cores)")
    print(f"target: < {TARGET} x the slowest alone ({TARGET * slowest:.1f} s); ratio {ratio:.2f}  "
          f"{'OK' if ratio < 1 else 'MISSED'}")
    return 0 if ratio < 1 else 1


if __name__ == "__main__":
    raise SystemExit(main())
