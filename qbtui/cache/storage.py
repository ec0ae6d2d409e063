"""A TinyDB storage that keeps data in memory and writes on flush (through qbtui.private's one atomic,
private writer), and the cache's JSON encoding."""

from __future__ import annotations

import contextlib
import gc
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

from qbtui.private import write_private

from .errors import CacheCorrupt, CacheError


@contextlib.contextmanager
def no_gc() -> Any:
    """Pause the cyclic GC while building/serializing large trees of acyclic containers
    (it would otherwise rescan them over and over; parsing 50 MB goes from ~1 s to ~0.3 s)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _default(obj: Any) -> Any:
    if isinstance(obj, Decimal):
        return str(obj)
    if isinstance(obj, (set, frozenset, tuple)):
        return list(obj)
    raise TypeError(f"cannot store value of type {type(obj).__name__} in the cache")


def dumps(obj: Any) -> bytes:
    return orjson.dumps(obj, default=_default)


def blob(obj: Any) -> bytes:
    """Canonical JSON of a value (sorted keys): equal values give equal bytes."""
    out = orjson.dumps(obj, default=_default, option=orjson.OPT_SORT_KEYS)
    # orjson returns an over-allocated buffer (~4 KiB even for 300 bytes); keep a tight copy.
    return memoryview(out).tobytes()


def _blob_default(obj: Any) -> Any:
    if isinstance(obj, bytes):
        return orjson.Fragment(obj)  # pre-serialized JSON kept in memory as bytes
    return _default(obj)


def dumps_with_blobs(obj: Any) -> bytes:
    """Like dumps, but ``bytes`` values are JSON produced by :func:`blob`, embedded as is."""
    return orjson.dumps(obj, default=_blob_default)


def normalize(obj: Any) -> Any:
    """Deep copy through JSON, so what we keep equals what we will read back."""
    return orjson.loads(dumps(obj))


def dumps_lines(data: dict[str, dict[str, Any]]) -> bytes:
    """Serialize TinyDB data (``{table: {id: record}}``) as plain JSON laid out one record
    per line, so that it can be loaded record by record (see :func:`load_lines`)
    instead of materializing the whole tree at once."""
    parts = [b"{"]
    sep = b"\n"
    for name, table in data.items():
        parts.append(sep + orjson.dumps(name) + b":{")
        inner = b"\n"
        for doc_id, rec in table.items():
            parts.append(inner + orjson.dumps(str(doc_id)) + b":" + dumps_with_blobs(rec))
            inner = b",\n"
        parts.append(b"\n}")
        sep = b",\n"
    parts.append(b"\n}\n")
    return b"".join(parts)


class _NotLineFormat(Exception):
    pass


def load_lines(raw: bytes, convert: Any) -> dict[str, dict[str, Any]]:
    """Load a file written by :func:`dumps_lines` record by record, passing each record's
    JSON bytes through ``convert(table, doc_id, record_json)``. Raises _NotLineFormat on
    anything else (the caller then parses the whole file, which also reports corruption)."""
    lines = raw.split(b"\n")
    if len(lines) < 3 or lines[0] != b"{" or lines[-1] != b"" or lines[-2] != b"}":
        raise _NotLineFormat  # not ours, or truncated
    data: dict[str, dict[str, Any]] = {}
    table: dict[str, Any] | None = None
    name = ""
    for i in range(1, len(lines) - 2):
        line = lines[i]
        lines[i] = b""  # drop our copy as we go
        if table is None:
            if not line.endswith(b":{"):
                raise _NotLineFormat
            try:
                name = orjson.loads(line[:-2])
            except orjson.JSONDecodeError:
                raise _NotLineFormat from None
            if not isinstance(name, str) or name in data:
                raise _NotLineFormat
            table = data[name] = {}
            continue
        if line == b"}," or line == b"}":
            table = None
            continue
        key, sep, body = line.partition(b":")
        doc_id = key[1:-1]
        if not sep or key[:1] != b'"' or key[-1:] != b'"' or not doc_id.isdigit():
            raise _NotLineFormat
        if body.endswith(b","):
            body = body[:-1]
        table[doc_id.decode()] = convert(name, doc_id, body)
    if table is not None:
        raise _NotLineFormat
    return data


def read_json_file(path: Path) -> Any:
    """Parse a whole JSON file; None if it does not exist; CacheError naming the file if bad."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CacheError(f"cannot read cache file {path}: {exc.strerror or exc}") from None
    try:
        with no_gc():
            return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise CacheCorrupt(path, f"not valid JSON: {exc}") from None


class MemoryStorage(Storage):
    """TinyDB storage: parsed once from disk, kept in memory, written only by :meth:`flush`.

    Values may be ``bytes`` holding JSON made by :func:`blob` (the cache keeps each
    document's data that way: ~5x less memory than parsed dicts); they are embedded
    verbatim in the file, which stays a plain TinyDB JSON file.

    ``write`` (what TinyDB calls after every table change) only replaces the in-memory
    data and marks it dirty; ``flush`` serializes with orjson and replaces the file
    atomically. ``read`` returns the live in-memory dict (no copy): TinyDB only reads it or
    replaces whole tables in it.
    """

    def __init__(self, path: str | os.PathLike[str], read_only: bool = False,
                 convert: Any = None, advice: str = "") -> None:
        """``convert(table, doc_id, record_json: bytes) -> record`` turns each record
        into its in-memory form while loading (records are then never all parsed at once).
        ``advice``: what the user can safely do when the file is corrupted (ends the
        :class:`CacheCorrupt` message)."""
        self.path = Path(path)
        self.read_only = read_only
        self.advice = advice
        self.lines = convert is not None
        data = self._load(convert)
        self._data: dict[str, dict[str, Any]] = data
        self.dirty = False

    def _corrupt(self, why: str) -> CacheCorrupt:
        return CacheCorrupt(self.path, why, self.advice)

    def _load(self, convert: Any) -> dict[str, dict[str, Any]]:
        if convert is not None:
            try:
                raw = self.path.read_bytes()
            except FileNotFoundError:
                return {}
            except OSError as exc:
                raise CacheError(
                    f"cannot read cache file {self.path}: {exc.strerror or exc}") from None
            try:
                with no_gc():
                    return load_lines(raw, convert)
            except _NotLineFormat:
                pass  # written by something else (plain TinyDB): parse it whole
            except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
                raise self._corrupt("bad record") from None
            del raw
        try:
            data = read_json_file(self.path)
        except CacheCorrupt as exc:
            raise self._corrupt(exc.why) from None
        if data is None:
            return {}
        if not isinstance(data, dict) or not all(
            isinstance(t, dict) and all(isinstance(d, dict) for d in t.values())
            for t in data.values()
        ):
            raise self._corrupt("not a TinyDB document store")
        if convert is not None:
            try:
                with no_gc():
                    for name, table in data.items():
                        for key in list(table):
                            table[key] = convert(name, key, dumps(table[key]))
            except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
                raise self._corrupt("bad record") from None
        return data

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
            with no_gc():
                payload = dumps_lines(self._data) if self.lines else dumps_with_blobs(self._data)
                write_private(self.path, payload)
            self.dirty = False

    def close(self) -> None:
        pass
