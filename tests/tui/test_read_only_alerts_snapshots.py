"""Snapshots at 80x24 and 120x40: the read-only status line (the sending keys greyed in the footer) and the
alerts screen, on the sample profile (frozen clock, fixed gates, fixed alerts and runs: no network).
Update with: pytest tests/tui/test_read_only_alerts_snapshots.py --snapshot-update"""

from __future__ import annotations

import pytest

from qbtui.cache import Cache
from qbtui.maintenance import integration
from qbtui.maintenance.alerts import INBOX

from .test_snapshots import SIZES, _keys

RUNS = [
    {"id": "20261126T060000-a1b2c3", "kind": "scheduled", "who": "cron@books-server", "trigger": "schedule",
     "started": "2026-11-26T06:00:02+00:00", "ended": "2026-11-26T06:00:40+00:00",
     "counts": {"synced": 54, "failed": 4, "blocked": 3}, "created": []},
    {"id": "20261127T060000-d4e5f6", "kind": "scheduled", "who": "cron@books-server", "trigger": "schedule",
     "started": "2026-11-27T06:00:01+00:00", "ended": "2026-11-27T06:00:03+00:00", "counts": {}, "created": [],
     "error": "could not reach QuickBooks (api.intuit.com): the connection timed out"},
]
ALERTS = [  # oldest first, as the inbox keeps them
    {"id": "al1", "at": "2026-11-26T06:00:40+00:00", "title": "scheduled sync: 4 documents failed",
     "message": "run 20261126T060000-a1b2c3: sent 58: 54 OK, 4 failed; 3 blocked\n"
                "sale_invoice SO-1013: 6000 A business validation error has occurred\n"
                "sale_invoice SO-1014: 610 Object Not Found: the customer C-104 is inactive",
     "run": "20261126T060000-a1b2c3", "severity": "error", "read": True,
     "email": {"sent": True, "to": ["books@example.com"]}},
    {"id": "al2", "at": "2026-11-26T18:00:01+00:00", "title": "scheduled sync refused by the preflight",
     "message": "the scheduled sync sent nothing: Back up the QuickBooks company first (qbtui preflight says what "
                "to do)", "run": None, "severity": "error", "read": False, "email": None},
    {"id": "al3", "at": "2026-11-27T06:00:03+00:00", "title": "scheduled sync failed",
     "message": "the scheduled sync could not run: could not reach QuickBooks (api.intuit.com): the connection "
                "timed out", "run": "20261127T060000-d4e5f6", "severity": "error", "read": False,
     "email": {"sent": False, "error": "no SMTP server: qbtui settings set alerts.smtp_host smtp.example.com"}},
]


@pytest.fixture
def with_alerts(data_dir):
    with Cache.open(data_dir / "profiles" / "demo", writer=True, command="tests") as cache:
        for run in RUNS:
            cache.add_run(run)
        cache.put_reference(INBOX, ALERTS)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_read_only_status_line(snap_compare, make_app, data_dir, size):
    with Cache.open(data_dir / "profiles" / "demo", writer=True, command="qbtui integration disable") as cache:
        integration.disable(cache)
    assert snap_compare(make_app(), terminal_size=size, run_before=_keys("j", "space"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_alerts_screen(snap_compare, make_app, with_alerts, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=_keys("A"))
