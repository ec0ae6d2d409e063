"""`--state FILE`: the company kept between runs (atomic write: temp file, fsync, os.replace)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import orjson

from .company import Company

VERSION = 1
#: the newest requestid answers kept in the file (retries come soon after the first try)
REPLAY_KEPT = 5000


def snapshot(company: Company) -> bytes:
    return orjson.dumps({
        "version": VERSION,
        "realm_id": company.realm_id,
        "next_id": company.next_id,
        "objects": company.objects,
        "deleted": company.deleted,
        "oauth": company.oauth,
        "replay": [[k, s, ct, body.decode()] for k, (s, ct, body) in list(company.replay.items())[-REPLAY_KEPT:]],
    })


def write_atomic(path: Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def save(company: Company, path: Path) -> None:
    write_atomic(path, snapshot(company))


def load(path: Path) -> Company | None:
    """The saved company, or None when there is no file yet."""
    path = Path(path)
    if not path.exists():
        return None
    data = orjson.loads(path.read_bytes())
    if data.get("version") != VERSION:
        raise ValueError(f"{path}: unknown sandbox state version {data.get('version')!r}")
    company = Company(data["realm_id"])
    for entity, objs in data["objects"].items():
        if entity in company.objects:
            company.objects[entity] = objs
    company.next_id = data["next_id"]
    company.deleted = data.get("deleted", [])
    company.oauth = data.get("oauth", {})
    for key, status, ctype, body in data.get("replay", []):
        company.replay[key] = (status, ctype, body.encode())
    company.rebuild_indexes()
    return company
