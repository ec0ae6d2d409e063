"""Exceptions raised by the cache. Their messages are meant for the end user."""

from __future__ import annotations

from qbtui.errors import QbtuiError


class CacheError(QbtuiError):
    """The cache cannot be used as asked (corrupt file, newer schema, read-only, ...)."""

    title = "The profile's cache cannot be used"


class CacheLocked(CacheError):
    """Another process holds the profile's writer lock."""

    title = "The profile is busy"
    hint = "wait for the other qbtui to finish; readers such as `qbtui status` still work"

    def __init__(self, message: str, *, profile: str, pid: int | None = None,
                 command: str | None = None, started: str | None = None) -> None:
        super().__init__(message)
        self.profile = profile
        self.pid = pid
        self.command = command
        self.started = started


class CacheCorrupt(CacheError):
    """A cache file cannot be parsed. The message names the file, what is wrong and a way out that
    keeps every link to QuickBooks (never "remove it" where that would lose links)."""

    def __init__(self, path: object, why: str, advice: str = "") -> None:
        super().__init__(f"cache file {path} is corrupted ({why})" + (f"; {advice}" if advice else ""))
        self.path = path
        self.why = why
