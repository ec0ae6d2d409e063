"""The command line's writers leave the gate results current as they close (qbtui/cli/common.py: Profile.open,
qbtui/sync/gatestore.py: refresh), so that `qbtui status` and `qbtui errors` read them without computing them, and
without importing the ledger or the document models; what they print is what a fresh evaluation gives."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from qbtui.cache import Cache, profile_dir
from qbtui.sync import gatestore
from qbtui.sync.plan import gate_statuses as full_gate_statuses
from tests.support.profiles import Qbtui
from tests.sync.test_chaos import chaos_documents

_PROBE = """
import json, sys
from qbtui.cli import main
try:
    main(sys.argv[1:], prog_name="qbtui", standalone_mode=False)
except SystemExit:
    pass
print()
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} | {m for m in sys.modules if m.startswith("qbtui.")})))
"""


def _imported(env: dict[str, str], *args: str) -> set[str]:
    r = subprocess.run([sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    return set(json.loads(r.stdout.strip().splitlines()[-1]))


def _errors_of(cache: Cache) -> list[tuple]:
    return [(t, r, "blocked", reason.code, reason.message) for (t, r), (st, reasons) in full_gate_statuses(cache).items()
            if st == "blocked" for reason in reasons]


def test_writers_leave_the_gate_results_current_and_readers_use_them(tmp_path) -> None:
    data = tmp_path / "data"
    q = Qbtui(data)
    path = tmp_path / "export.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in chaos_documents(300)))
    r = q("import", str(path))
    assert r.exit_code in (0, 1), r.output
    prof = profile_dir(data, "default")
    with Cache.open(prof, writer=False) as reader:
        assert gatestore.stale_count(reader) == 0  # computed and stored by the import as it closed
        want = _errors_of(reader)
        counts = {t: dict(c) for t, c in reader.status_counts().items()}
        for (t, _), (st, _) in full_gate_statuses(reader).items():
            if st in ("blocked", "skipped"):
                counts[t]["pending"] -= 1
                counts[t][st] += 1
    assert want
    got = [(e["type"], e["ref"], e["status"], e["code"], e["message"]) for e in q.json("errors")["errors"]
           if e["status"] == "blocked"]
    assert got == want
    status = q.json("status")["documents"]
    assert {t: {s: n for s, n in c.items() if n} for t, c in status.items()} == \
           {t: {s: n for s, n in c.items() if n} for t, c in counts.items()}

    # a setting changes every result: the command that sets it computes them again as it closes
    assert q("settings", "set", "export_quotes", "on").exit_code == 0
    with Cache.open(prof, writer=False) as reader:
        assert gatestore.stale_count(reader) == 0
        want = _errors_of(reader)
    got = [(e["type"], e["ref"], e["status"], e["code"], e["message"]) for e in q.json("errors")["errors"]
           if e["status"] == "blocked"]
    assert got == want

    # status and errors read the stored results without the ledger, the models or pydantic
    env = {**os.environ, "QBTUI_DATA_DIR": str(data), "PYTHONPATH": os.pathsep.join(sys.path)}
    for args in (("status", "--json"), ("errors", "--json")):
        gatestore._code = None  # the code as it is now (the tree may be edited while the tests run): current results
        with Cache.open(prof, writer=True) as cache:
            gatestore.refresh(cache)
        loaded = _imported(env, *args)
        assert not loaded & {"pydantic", "qbtui.ledger.gates", "qbtui.sync.plan", "qbtui.documents.models"}, args
