"""What an accountant meets with bad inputs at the command line: a reader that closes the pipe early, a run
killed mid-way, QuickBooks' own words on a refused document."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support import documents


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


def test_status_after_a_killed_sync_says_what_the_unended_run_means_and_the_next_sync_duplicates_nothing(make_profile):
    profile = make_profile()
    profile.import_docs([documents.customer(), documents.product(), documents.invoice()])
    assert profile.sync_json()[0] == 0
    with profile.cache(writer=True) as cache:  # as `kill -9` leaves it: the run never ended, its answer never kept
        cache.add_run({"id": "killed", "kind": "sync"})
        cache.record_outcomes([{"type": "sale_invoice", "ref": "SO-1001", "status": "sending", "run": "killed",
                                "qbo": []}])
    r = profile.q("status")
    assert r.exit_code == 0, r.output
    last = r.stdout.strip().splitlines()[-1]
    assert "not ended" not in last.split("has not ended")[0]  # was: "last run killed (sync) ended not ended"
    assert last.startswith("last run killed (sync) started ") and "has not ended: it is still running, or it " \
        "was stopped before its end" in last
    assert "1 document it was sending is in doubt: the next `qbtui sync` looks each up in QuickBooks" in last
    code, _ = profile.sync_json()
    assert code == 0
    assert profile.count("Invoice", "DocNumber")["SO-1001"] == 1  # found, not sent again
    assert "ended 20" in profile.q("status").stdout.strip().splitlines()[-1]


def test_quickbooks_own_words_on_a_refused_document_are_printed_with_its_message(make_profile):
    profile = make_profile()
    # a vendor made in QuickBooks after the last pull: the gates cannot know its name, QuickBooks refuses the
    # customer of the same name (6240) and says why in the error's detail
    profile.company.create("Vendor", {"DisplayName": "Late Vendor"})
    profile.import_docs([documents.customer("C-VEND", "Late Vendor")])
    code, out = profile.sync_json()
    error = out["documents"][0]["error"]
    assert code == 1 and error["code"] == "6240" and error["detail"], out
    r = profile.q("sync", "--yes")  # failed before: sent again, refused again, said in words on stderr
    assert r.exit_code == 1, r.output
    assert f"C-VEND: 6240 {error['message']}; detail: {error['detail']}" in r.stderr
    r = profile.q("errors")
    assert r.exit_code == 1
    assert (f"FAILED  customer C-VEND: [6240] {error['message']}\n        detail: {error['detail']}\n"
            "        hint: ") in r.stdout


def test_the_run_log_says_a_sync_was_stopped_by_a_revoked_connection_not_only_its_counts(make_profile):
    profile = make_profile()
    profile.import_docs(documents.small_set(2))
    tokens = profile.sandbox.tokens
    for refresh in list(tokens.data["refresh"]):  # as Intuit's revoke endpoint does: the whole token family dies
        tokens.revoke(refresh)
    r = profile.q("sync", "--yes")
    assert r.exit_code == 2 and "run `qbtui connect` again" in r.stderr, r.output
    r = profile.q("runs")
    last = r.stdout.splitlines()[0]
    # was "nothing to send" (or its counts) alone, as if the run had done its work
    assert "stopped: the QuickBooks connection has expired or was revoked: run `qbtui connect` again" in last, last
