"""The command line's guards that need no QuickBooks: JSON errors of --json commands, the dashboard's hand-over
of the chosen documents to `qbtui sync`, the demo that needs a terminal before it changes anything."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from qbtui.cache import Cache
from qbtui.tui.backend import write_refs_file
from tests.support.documents import customer, invoice, line, product

HOLD = """
import sys, time
from pathlib import Path
from qbtui.cache import Cache
cache = Cache.open(Path(sys.argv[1]), writer=True, command="qbtui sync")
print("held", flush=True)
time.sleep(60)
"""


def json_error(result) -> dict:
    """The one JSON document a failed --json command prints on stdout."""
    return json.loads(result.stdout)["error"]


@pytest.mark.parametrize("args, code, words", [
    (("sync", "--json"), "not_connected", "not connected"),
    (("map", "--auto", "--json"), "could_not_run", "no QuickBooks accounts"),
    (("reconcile", "--from", "2026-11-31", "--to", "2026-11-30", "--json"), "invalid", "is not a date"),
    (("duplicates", "--from", "2026-11-01", "--to", "2026-11-30", "--json"), "not_connected", "not connected"),
    (("cogs", "export", "--from", "2026-12-01", "--to", "2026-11-01", "--json"), "invalid", "is before --from"),
    (("reconcile", "--from", "2026-11-01", "--json"), "usage", "--to"),
])
def test_a_failed_json_command_prints_a_json_error_on_stdout_and_the_message_on_stderr(qbtui, example_file, args,
                                                                                      code, words):
    assert qbtui("import", str(example_file)).exit_code == 0
    result = qbtui(*args)
    assert result.exit_code == 2, result.output
    error = json_error(result)
    assert set(error) == {"code", "message", "hint"}
    assert error["code"] == code and words in error["message"]
    assert words in result.stderr and "Traceback" not in result.output


def test_json_errors_for_a_bad_profile_and_a_busy_one(qbtui, example_file):
    error = json_error(qbtui("status", "--json", profile="../etc"))
    assert error["code"] == "invalid" and "invalid profile name" in error["message"]
    assert qbtui("import", str(example_file)).exit_code == 0
    profile = qbtui.data_dir / "profiles" / "default"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(profile)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        result = qbtui("import", str(example_file), "--json")
        assert result.exit_code == 2
        error = json_error(result)
        assert error["code"] == "profile_busy" and f"process {holder.pid}" in error["message"]
        assert "qbtui status" in error["hint"]
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()


def test_without_json_stdout_stays_empty_on_failure(qbtui):
    result = qbtui("sync")
    assert result.exit_code == 2 and result.stdout == "" and "not connected" in result.stderr


# ----------------------------------------------------------------------------- the dashboard's hand-over

#: references holding every character str.splitlines() ends a line at, and other exotic ones
EXOTIC_REFS = ["SO-\u2028A", "SO-\x85B", "SO-\u2029C", "SO-\x1cD", "SO-\x1dE", "SO-\x1eF", "SO-\x0bG", "SO-\x0cH",
               "SO-\rI", "SO\tJ", "SO-\u200dK", "SO-\u00a0L", "SO-\ufeffM", "SO-\ud800N", "[SO-O]", "SO-\"P\\"]


def test_hand_over_keeps_every_reference_whole(qbtui, tmp_path):
    chosen = [ref for ref in EXOTIC_REFS if "\ud800" not in ref]  # a lone surrogate is not valid in a JSON file
    docs = [customer(), product(), *(invoice(ref, lines=[line(quantity=1)]) for ref in chosen)]
    with Cache.open(qbtui.data_dir / "profiles" / "default", writer=True) as cache:
        cache.upsert_documents(docs)
    refs_file = write_refs_file([("sale_invoice", ref) for ref in chosen])
    try:
        result = qbtui("sync", "--dry-run", "--json", "--refs-from", str(refs_file))
    finally:
        refs_file.unlink()
    assert result.exit_code in (0, 1), result.output
    listed = [(d["type"], d["ref"]) for d in json.loads(result.stdout)["documents"]]
    assert sorted(listed) == sorted([("customer", "C-100"), ("product", "MUG-01")]
                                    + [("sale_invoice", ref) for ref in chosen])


def test_refs_file_round_trip_of_any_string(tmp_path):
    from qbtui.cli.sync import _read_refs_file

    keys = {("sale_invoice", ref) for ref in EXOTIC_REFS} | {("customer", "C-1")}
    path = write_refs_file(keys)
    try:
        assert path.read_bytes().isascii()  # every other character escaped
        assert _read_refs_file(path) == keys
    finally:
        path.unlink()


# ----------------------------------------------------------------------------- the demo

def test_demo_without_a_terminal_changes_nothing(qbtui, example_file):
    """`qbtui demo --reset` from a script: refused before the demo profile is reset or a sandbox started."""
    assert qbtui("import", str(example_file), profile="demo").exit_code == 0
    demo = qbtui.data_dir / "profiles" / "demo"
    before = {p.name: p.read_bytes() for p in demo.iterdir() if p.is_file()}
    result = qbtui("demo", "--reset", profile="demo")
    assert result.exit_code == 2 and "needs a terminal" in result.stderr
    assert {p.name: p.read_bytes() for p in demo.iterdir() if p.is_file()} == before
    assert not (demo / "sandbox.log").exists()
