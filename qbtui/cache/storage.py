"""Atomic file writes and a TinyDB storage that keeps data in memory and writes on flush."""

from __future__ import annotations

import os
import secrets
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

from .errors import CacheError

TMP_MARK = ".tmp-"


def _default(obj: Any) -> Any:
    if isinstance(obj, Decimal):
        return str(obj)
    if isinstance(obj, (set, frozenset, tuple)):
        return list(obj)
    raise TypeError(f"cannot store value of type {type(obj).__name__} in the cache")


def dumps(obj: Any) -> bytes:
    return orjson.dumps(obj, default=_default)


def normalize(obj: Any) -> Any:
    """Deep copy through JSON, so what we keep equals what we will read back."""
    return orjson.loads(dumps(obj))


def fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, payload: bytes) -> None:
    """Write ``payload`` to ``path`` so that it is wholly there or not at all after a crash:
    temp file in the same directory, fsync, os.replace, fsync of the directory."""
    path = Path(path)
    tmp = path.with_name(f"{path.name}{TMP_MARK}{os.getpid()}-{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        view = memoryview(payload)
        while view:
            n = os.write(fd, view)
            view = view[n:]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    os.close(fd)
    try:
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    fsync_dir(path.parent)


def read_json_file(path: Path) -> Any:
    """Parse a whole JSON file; None if it does not exist; CacheError naming the file if bad."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CacheError(f"cannot read cache file {path}: {exc.strerror or exc}") from None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise CacheError(
            f"cache file {path} is corrupted (not valid JSON: {exc}); "
            "restore it from a backup or remove the profile and re-import"
        ) from None


class MemoryStorage(Storage):
    """TinyDB storage: parsed once from disk, kept in memory, written only by :meth:`flush`.

    ``write`` (what TinyDB calls after every table change) only replaces the in-memory
    data and marks it dirty; ``flush`` serializes with orjson and replaces the file
    atomically. ``read`` returns the live in-memory dict (no copy): TinyDB only reads it or
    replaces whole tables in it.
    """

    def __init__(self, path: str | os.PathLike[str], read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        data = read_json_file(self.path)
        if data is None:
            data = {}
        if not isinstance(data, dict) or not all(
            isinstance(t, dict) and all(isinstance(d, dict) for d in t.values())
            for t in data.values()
        ):
            raise CacheError(
                f"cache file {self.path} is corrupted (not a TinyDB document store); "
                "restore it from a backup or remove the profile and re-import"
            )
        self._data: dict[str, dict[str, dict]] = data
        self.dirty = False

    def read(self) -> dict[str, dict[str, dict]]:
        return self._data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        if self.read_only:
            raise CacheError("opened read-only")
        self._data = data
        self.dirty = True

    def flush(self, force: bool = False) -> None:
        if self.read_only:
            raise CacheError("opened read-only")
        if self.dirty or force:
            atomic_write_bytes(self.path, dumps(self._data))
            self.dirty = False

    def close(self) -> None:
        pass
