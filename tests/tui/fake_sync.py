"""A fake of our own `qbtui ... sync --yes --events --refs-from FILE` subprocess for the TUI's
tests: reads the refs file, records outcomes in the cache like the engine would, and prints the
event lines of the contract. Refs containing "FAIL" or listed in $FAKE_SYNC_FAIL fail. Any other
command (the fix form's `update-document`, `gates`) goes to the real `qbtui`."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    if "sync" not in argv:
        sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
        from qbtui.cli import main as qbtui

        return qbtui(argv, standalone_mode=True)
    profile = argv[argv.index("--profile") + 1]
    data_dir = Path(argv[argv.index("--data-dir") + 1])
    assert "sync" in argv and "--yes" in argv and "--events" in argv
    refs_file = Path(argv[argv.index("--refs-from") + 1])
    keys = [tuple(pair) for pair in json.loads(refs_file.read_text(encoding="ascii"))]  # the dashboard's format
    if os.environ.get("FAKE_SYNC_ERROR"):
        print(json.dumps({"event": "error", "message": os.environ["FAKE_SYNC_ERROR"]}), flush=True)
        print(json.dumps({"event": "done", "exit_code": 2}), flush=True)
        return 2
    fail = set(filter(None, os.environ.get("FAKE_SYNC_FAIL", "").split(",")))
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from qbtui.cache import Cache, profile_dir

    ok = failed = 0
    print("not json: a log line", flush=True)
    with Cache.open(profile_dir(data_dir, profile), writer=True) as cache:
        for n, (t, r) in enumerate(keys, 1):
            rec = cache.get(t, r)
            if r in fail or "FAIL" in r:
                failed += 1
                err = {"code": "6000", "message": "A business validation error has occurred", "hint": "fix it"}
                cache.record_outcomes([{"type": t, "ref": r, "status": "failed", "error": err}])
                print(json.dumps({"event": "document", "type": t, "ref": r, "status": "failed", "qbo_ids": [],
                                  "error": err}), flush=True)
            else:
                ok += 1
                qid = str(1000 + n)
                cache.record_outcomes([{"type": t, "ref": r, "status": "synced", "synced_rev": rec["rev"],
                                        "qbo": [{"entity": "Invoice", "id": qid, "sync_token": "0"}]}])
                print(json.dumps({"event": "document", "type": t, "ref": r, "status": "synced",
                                  "qbo_ids": [qid], "error": None}), flush=True)
            print(json.dumps({"event": "progress", "total": len(keys), "sent": n, "ok": ok, "failed": failed,
                              "remaining": len(keys) - n, "rate_per_min": 480}), flush=True)
    print(json.dumps({"event": "done", "exit_code": 1 if failed else 0}), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
