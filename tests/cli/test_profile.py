"""The `qbtui` command around a profile: one writer at a time, readers unaffected, bad profile names."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from qbtui.cache import Cache

HOLD = """
import sys, time
from pathlib import Path
from qbtui.cache import Cache
cache = Cache.open(Path(sys.argv[1]), writer=True, command="qbtui sync")
print("held", flush=True)
time.sleep(60)
"""


def test_second_writer_is_told_who_holds_the_profile(qbtui, example_file):
    assert qbtui("import", str(example_file)).exit_code == 0
    profile = qbtui.data_dir / "profiles" / "default"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(profile)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        result = qbtui("import", str(example_file))
        assert time.monotonic() - started < 1.0
        assert result.exit_code == 2
        assert f"process {holder.pid}" in result.stderr and "qbtui sync" in result.stderr
        assert "Traceback" not in result.output
        status = qbtui.json("status")  # readers still work while the writer holds the profile
        assert sum(sum(c.values()) for c in status["documents"].values()) == 6
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    # the killed writer left no stale lock
    assert qbtui("import", str(example_file)).exit_code == 0
    with Cache.open(profile, writer=False) as cache:
        assert cache.count() == 6


def test_bad_profile_name_is_a_clear_error(qbtui):
    result = qbtui("status", profile="../etc")
    assert result.exit_code == 2
    assert "invalid profile name" in result.stderr and "Traceback" not in result.output
