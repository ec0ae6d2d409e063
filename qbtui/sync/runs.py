"""What every run record carries: when (UTC, ISO) and who (``user@host``)."""

from __future__ import annotations

import getpass
import os
import socket
from datetime import datetime, timezone


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def who() -> str:
    """``user@host`` of this process (``QBTUI_USER`` overrides: e.g. the accountant's name in cron)."""
    user = os.environ.get("QBTUI_USER")
    if not user:
        try:
            user = getpass.getuser()
        except Exception:  # no passwd entry (containers)
            user = str(os.getuid()) if hasattr(os, "getuid") else "unknown"
    return f"{user}@{socket.gethostname()}"
