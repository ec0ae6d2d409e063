"""The append-only outcome journal ``outcomes.jsonl`` and its watermark ``outcomes.seq``.

Each line is one batch: ``{"seq": n, "at": iso, "outcomes": [...]}`` followed by a newline,
written with a single ``write`` and fsync'd. A batch is therefore wholly present or (torn
last line, which is ignored) wholly absent.

The watermark is the seq of the last batch appended, overwritten in place (fixed width) right
after each append has been fsync'd, so it never runs ahead of the journal. It lives in its own
file so that what damages or removes the journal (a truncation at a line boundary, a lost tail,
the whole file removed) cannot hide the loss: on open, a watermark above the last batch found
means batches are missing, and the cache marks what they may have held as unknown. It is not
fsync'd itself: after a power cut it may lag (then it detects less), never lead.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from qbtui.private import open_private, write_private

from .errors import CacheError
from .storage import dumps

JOURNAL_NAME = "outcomes.jsonl"
MARK_NAME = "outcomes.seq"
_MARK_WIDTH = 20


def open_journal(path: Path) -> BinaryIO | None:
    try:
        return open(path, "rb")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CacheError(f"cannot read cache file {path}: {exc.strerror or exc}") from None


@dataclass
class JournalRead:
    """What :func:`read_journal` found."""

    #: well-formed batches, in file order, each with a seq above the one before it
    batches: list[dict[str, Any]] = field(default_factory=list)
    #: byte length of the longest prefix made of whole, well-formed lines
    valid: int = 0
    #: line numbers (1-based) of lines that are not batches (or repeat an earlier seq); an
    #: unterminated last line is a torn write, not damage
    damaged: list[int] = field(default_factory=list)

    @property
    def top(self) -> int:
        return self.batches[-1]["seq"] if self.batches else 0


def read_journal(path: Path, f: BinaryIO | None = None) -> JournalRead:
    """Read the journal ``f`` (already opened) or ``path``. Never raises for bad content: every
    readable batch is returned, damaged lines are listed, and the caller decides (the cache
    recovers: see ``Cache._load_links``)."""
    if f is None:
        f = open_journal(path)
        if f is None:
            return JournalRead()
    try:
        with f:
            raw = f.read()
    except OSError as exc:
        raise CacheError(f"cannot read cache file {path}: {exc.strerror or exc}") from None
    out = JournalRead()
    pos, n, lineno, top = 0, len(raw), 0, 0
    while pos < n:
        end = raw.find(b"\n", pos)
        if end < 0:
            break  # torn tail (no newline): an append that never completed
        lineno += 1
        try:
            entry = orjson.loads(raw[pos:end])
            ok = (isinstance(entry, dict) and type(entry.get("seq")) is int and entry["seq"] > top
                  and isinstance(entry.get("outcomes"), list)
                  and all(isinstance(o, dict) and isinstance(o.get("type"), str) and isinstance(o.get("ref"), str)
                          for o in entry["outcomes"]))
        except orjson.JSONDecodeError:
            ok = False
        if ok:
            out.batches.append(entry)
            top = entry["seq"]
            if not out.damaged:
                out.valid = end + 1
        else:
            out.damaged.append(lineno)
        pos = end + 1
    return out


def read_mark(path: Path) -> tuple[bool, int | None]:
    """(the watermark file exists, the seq it holds or None when it cannot be read)."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        return False, None
    except OSError:
        return True, None
    if not raw:
        return False, None  # created, never written (a writer killed while opening): as if missing
    try:
        value = int(raw.strip() or b"x")
    except ValueError:
        return True, None
    return True, value if 0 <= value < 2**53 else None


class JournalWriter:
    def __init__(self, path: Path, valid_length: int | None, mark_path: Path | None = None) -> None:
        """``valid_length``: drop what follows (a torn tail); None: keep the file as it is (a
        damaged journal about to be replaced by a compaction)."""
        self.path = Path(path)
        self._fd = open_private(self.path, os.O_RDWR)
        size = os.fstat(self._fd).st_size
        if valid_length is not None and size != valid_length:
            # Drop a torn tail left by a crash, so new lines start on a line boundary.
            os.ftruncate(self._fd, valid_length)
            os.fsync(self._fd)
        self.size = size if valid_length is None else valid_length
        self._mark_fd: int | None = None
        if mark_path is not None:
            try:
                self._mark_fd = open_private(mark_path, os.O_RDWR)
            except BaseException:
                os.close(self._fd)
                raise

    def set_mark(self, seq: int) -> None:
        """Record ``seq`` as the last batch written (call only once that batch is durable)."""
        if self._mark_fd is None:
            return
        try:
            os.pwrite(self._mark_fd, b"%0*d\n" % (_MARK_WIDTH, seq), 0)
        except OSError:
            pass  # a watermark that lags detects less; failing here would misreport a recorded batch

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
        self.set_mark(entry["seq"])

    def rotate(self) -> None:
        """Replace the journal by an empty file (atomically, new inode). A reader that
        opened the old journal before reading the snapshot keeps a consistent view."""
        write_private(self.path, b"")
        old, self._fd = self._fd, os.open(self.path, os.O_RDWR | os.O_CLOEXEC)
        os.close(old)
        self.size = 0

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None  # type: ignore[assignment]
        if self._mark_fd is not None:
            os.close(self._mark_fd)
            self._mark_fd = None
