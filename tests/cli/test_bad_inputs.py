"""What an accountant meets with bad inputs at the command line: a reader that closes the pipe early, a run
killed mid-way, QuickBooks' own words on a refused document."""

from __future__ import annotations

import os
import subprocess
import sys


def _into_closed_pipe(data_dir, *args: str) -> subprocess.CompletedProcess:
    """`qbtui ARGS | head -0`: stdout is a pipe whose reader has already gone, as when `head` or `less` quits."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([sys.executable, "-m", "qbtui", "--data-dir", str(data_dir), *args], stdout=write_end,
                              stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
                              timeout=120)
    finally:
        os.close(write_end)


def test_a_reader_that_closes_the_pipe_early_is_not_a_profile_error(qbtui, example_file):
    assert qbtui("import", str(example_file)).exit_code == 0
    for args in (("status",), ("runs",), ("list", "--type", "sale_invoice"), ("errors",)):
        r = _into_closed_pipe(qbtui.data_dir, *args)
        # quiet, as `git log | head` is: no "a file of the profile: Broken pipe", no traceback, not "could not run"
        assert r.stderr == "", (args, r.stderr)
        assert r.returncode in (0, 1), (args, r.returncode)

