"""The append-only outcome journal ``outcomes.jsonl``.

Each line is one batch: ``{"seq": n, "at": iso, "outcomes": [...]}`` followed by a newline,
written with a single ``write`` and fsync'd. A batch is therefore wholly present or (torn
last line, which is ignored) wholly absent.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from qbtui.private import open_private

from .errors import CacheError
from .storage import atomic_write_bytes, dumps

JOURNAL_NAME = "outcomes.jsonl"


def open_journal(path: Path) -> BinaryIO | None:
    try:
        return open(path, "rb")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CacheError(f"cannot read cache file {path}: {exc.strerror or exc}") from None


def read_journal(path: Path, f: BinaryIO | None = None) -> tuple[list[dict[str, Any]], int]:
    """Return (complete batches in order, byte length of the valid prefix), reading ``f``
    (an already opened journal) or ``path``.

    An incomplete or unparsable *last* line is a torn write and is ignored; a bad line
    followed by good ones means real corruption and raises CacheError.
    """
    if f is None:
        f = open_journal(path)
        if f is None:
            return [], 0
    try:
        with f:
            raw = f.read()
    except OSError as exc:
        raise CacheError(f"cannot read cache file {path}: {exc.strerror or exc}") from None
    batches: list[dict[str, Any]] = []
    pos = 0
    n = len(raw)
    lineno = 0
    while pos < n:
        end = raw.find(b"\n", pos)
        if end < 0:
            break  # torn tail (no newline)
        lineno += 1
        try:
            entry = orjson.loads(raw[pos:end])
            if not (isinstance(entry, dict) and isinstance(entry.get("seq"), int)
                    and isinstance(entry.get("outcomes"), list)):
                raise ValueError("bad entry")
        except (orjson.JSONDecodeError, ValueError):
            if raw.find(b"\n", end + 1) < 0 and not raw[end + 1:].strip():
                break  # torn last line
            raise CacheError(
                f"cache file {path} is corrupted at line {lineno}; "
                "restore it from a backup or remove it (sync outcomes since the last "
                "compaction will be lost)"
            ) from None
        batches.append(entry)
        pos = end + 1
    return batches, pos


class JournalWriter:
    def __init__(self, path: Path, valid_length: int) -> None:
        self.path = Path(path)
        self._fd = open_private(self.path, os.O_RDWR)
        size = os.fstat(self._fd).st_size
        if size != valid_length:
            # Drop a torn tail left by a crash, so new lines start on a line boundary.
            os.ftruncate(self._fd, valid_length)
            os.fsync(self._fd)
        self.size = valid_length

    def append(self, entry: dict[str, Any]) -> None:
        line = dumps(entry) + b"\n"
        view = memoryview(line)
        offset = self.size
        try:
            while view:
                k = os.pwrite(self._fd, view, offset)
                view = view[k:]
                offset += k
            os.fsync(self._fd)
        except BaseException:
            try:
                os.ftruncate(self._fd, self.size)
            except OSError:
                pass
            raise
        self.size = offset

    def rotate(self) -> None:
        """Replace the journal by an empty file (atomically, new inode). A reader that
        opened the old journal before reading the snapshot keeps a consistent view."""
        atomic_write_bytes(self.path, b"")
        old, self._fd = self._fd, os.open(self.path, os.O_RDWR | os.O_CLOEXEC)
        os.close(old)
        self.size = 0

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None  # type: ignore[assignment]
