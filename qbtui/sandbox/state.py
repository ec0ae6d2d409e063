"""`--state FILE`: the company kept between runs (atomic write: temp file, fsync, os.replace)."""

from __future__ import annotations

from pathlib import Path

import orjson

from qbtui.private import write_private

from .company import Company

VERSION = 1
#: the newest requestid answers kept in the file (retries come soon after the first try)
REPLAY_KEPT = 5000


def snapshot(company: Company) -> bytes:
    from .api import dumps  # exact numbers (Decimal) as the API writes them

    return dumps({
        "version": VERSION,
        "realm_id": company.realm_id,
        "next_id": company.next_id,
        "objects": company.objects,
        "deleted": company.deleted,
        "oauth": company.oauth,
        "region": company.region,
        "exchange_rates": [[src, day, rate] for (src, day), rate in company.exchange_rates.items()],
        "replay": [[k, s, ct, body.decode()] for k, (s, ct, body) in list(company.replay.items())[-REPLAY_KEPT:]],
    })


def write_atomic(path: Path, data: bytes) -> None:
    """The company file, written as every file of a profile is (the demo keeps it there): 0600, atomically."""
    write_private(path, data)


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
    company.region = data.get("region", "us")
    company.exchange_rates = {(src, day): rate for src, day, rate in data.get("exchange_rates", [])}
    for key, status, ctype, body in data.get("replay", []):
        company.replay[key] = (status, ctype, body.encode())
    company.rebuild_indexes()
    return company
