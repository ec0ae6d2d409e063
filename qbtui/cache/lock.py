"""One writer per profile: ``fcntl.flock`` on ``<profile>/writer.lock``.

The lock lives as long as the open file description, so a killed writer never leaves a
stale lock. The holder writes its pid, command and start time into the file so that a
second writer can say who is in the way.
"""

from __future__ import annotations

import fcntl
import os
import time
from datetime import datetime
from pathlib import Path

import orjson

from qbtui.private import open_private

from .errors import CacheLocked

LOCK_NAME = "writer.lock"


class WriterLock:
    def __init__(self, profile_dir: Path, command: str) -> None:
        self.path = Path(profile_dir) / LOCK_NAME
        self.profile = Path(profile_dir).name
        self.command = (command or "qbtui")[:80]
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = open_private(self.path, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise self._locked_error() from None
        except BaseException:
            os.close(fd)
            raise
        info = {
            "pid": os.getpid(),
            "command": self.command,
            "started": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, orjson.dumps(info) + b"\n", 0)
        self._fd = fd

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            os.ftruncate(fd, 0)
        except OSError:
            pass
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def _holder(self) -> dict | None:
        # The holder writes its info right after locking; give it a moment.
        deadline = time.monotonic() + 0.3
        while True:
            try:
                info = orjson.loads(self.path.read_bytes())
                if isinstance(info, dict) and "pid" in info:
                    return info
            except (OSError, orjson.JSONDecodeError):
                pass
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.02)

    def _locked_error(self) -> CacheLocked:
        info = self._holder()
        if info is None:
            return CacheLocked(
                f"profile {self.profile!r} is in use by another process; "
                "wait for it to finish or stop it",
                profile=self.profile,
            )
        pid, command, started = info.get("pid"), info.get("command"), info.get("started")
        return CacheLocked(
            f"profile {self.profile!r} is in use by process {pid} ({command}), "
            f"started {started}; wait for it to finish or stop it",
            profile=self.profile, pid=pid, command=command, started=started,
        )
