"""`qbtui sync` as a child process that a test may SIGKILL (the profile: ``profile`` or ``make_profile``, see
tests/support/profiles.py)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from tests.support.profiles import Request, RequestLog

__all__ = ["SyncRun", "run_sync"]


@dataclass
class SyncRun:
    code: int | None = None  # None: killed
    seen: int = 0  # document events seen
    stderr: str = ""  # its tail
    killed_at: float | None = None  # time.monotonic() of the SIGKILL
    first_request: int = 0  # its first request's index in the RequestLog

    def sent(self, requests: RequestLog, path: str = "") -> list[Request]:
        """The requests this run sent (to a path ending in ``path``)."""
        return [r for r in requests.requests[self.first_request:] if r.path.endswith(path)]


def run_sync(env: dict, rng: random.Random, *args: str, requests: RequestLog | None = None,
             kill_when: Callable[[SyncRun], bool] | None = None) -> SyncRun:
    """`qbtui sync --yes --events [args]` in its own process; with ``kill_when``, SIGKILLed once ``kill_when(run)``
    holds, a random few milliseconds later, at a moment when (with ``requests``) a request is in the sandbox."""
    run = SyncRun(first_request=len(requests.requests) if requests is not None else 0)
    proc = subprocess.Popen([sys.executable, "-m", "qbtui", "sync", "--yes", "--events", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    err: list[str] = []
    reader = threading.Thread(target=lambda: err.extend(proc.stderr), daemon=True)
    reader.start()

    def killer() -> None:
        while proc.poll() is None and not kill_when(run):
            time.sleep(0.0005)
        time.sleep(rng.uniform(0.0, 0.03))
        while proc.poll() is None:
            if requests is None or requests.active():
                run.killed_at = time.monotonic()
                os.kill(proc.pid, signal.SIGKILL)
                return
            time.sleep(0.0002)

    watcher = threading.Thread(target=killer, daemon=True) if kill_when is not None else None
    if watcher is not None:
        watcher.start()
    for line in proc.stdout:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if event.get("event") == "document":
            run.seen += 1
    proc.wait(timeout=300)
    reader.join(timeout=5)
    if watcher is not None:
        watcher.join(timeout=5)
    run.code = None if run.killed_at is not None else proc.returncode
    run.stderr = "".join(err)[-3000:]
    return run
