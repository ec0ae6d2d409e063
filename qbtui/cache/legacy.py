"""The reader of a profile written before the SQLite store, kept only to migrate it (see ``Cache``'s
migration in store.py): ``documents.json`` (TinyDB, one record per line), the links snapshot
``links.json`` with the journal ``outcomes.jsonl`` of outcome batches since it, and the watermark
``outcomes.seq`` (the seq of the last batch appended).

The rules are the old release's: the journal's batches newer than the snapshot are replayed; a torn last
line is an append that never completed (no damage); unreadable lines are skipped and reported; when the
watermark shows batches missing, or the snapshot is unreadable, or nothing can be checked though outcomes
were recorded, the outcomes may have been lost (``lost``): the migration then marks every document not synced
or voided as unknown (``sending``), looked up in QuickBooks before anything is sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from .errors import CacheCorrupt, CacheError
from .storage import MemoryStorage, blob, no_gc

DOCUMENTS_NAME = "documents.json"
LINKS_NAME = "links.json"
JOURNAL_NAME = "outcomes.jsonl"
MARK_NAME = "outcomes.seq"
#: every file of the old layout (moved into the migration's backup folder)
LEGACY_NAMES = (DOCUMENTS_NAME, LINKS_NAME, JOURNAL_NAME, MARK_NAME)

DOCUMENTS_ADVICE = ("move it aside and import the documents again: the links to QuickBooks are kept, so no "
                    "document already sent is created again (one that changed is sent as an update of its "
                    "QuickBooks object)")


def has_legacy(profile_dir: Path) -> bool:
    return any((Path(profile_dir) / name).exists() for name in LEGACY_NAMES)


@dataclass
class LegacyDocument:
    type: str
    ref: str
    rev: int
    imported: str | None
    data: bytes  # canonical JSON (storage.blob)
    voided: bool


@dataclass
class LegacyProfile:
    documents: list[LegacyDocument] = field(default_factory=list)
    #: (type, ref) -> the link as the old release applied it (a dict, in insertion order)
    links: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    #: the seq of the last outcome batch read (the new store goes on above it)
    seq: int = 0
    problems: list[str] = field(default_factory=list)
    lost: bool = False


def _find_data(raw: bytes) -> int:
    """Offset of the data value in a record line ``{"ref":..,"rev":..,"imported":..,"data":{..}}``."""
    pos = raw.find(b',"data":')
    return pos + 8 if pos >= 0 else -1


def read_documents(profile_dir: Path) -> list[LegacyDocument]:
    path = Path(profile_dir) / DOCUMENTS_NAME
    out: list[LegacyDocument] = []

    def convert(type_: str, doc_id: str | bytes, raw: bytes) -> None:
        rec = orjson.loads(raw)
        ref, data, rev = rec["ref"], rec["data"], rec["rev"]
        if not isinstance(ref, str) or not isinstance(data, dict) or type(rev) is not int:
            raise ValueError("bad record")
        if next(reversed(rec)) == "data":
            start = _find_data(raw)
            packed = raw[start:-1] if start > 0 else blob(data)
        else:
            packed = blob(data)
        out.append(LegacyDocument(type_, ref, rev, rec.get("imported"), packed, data.get("voided") is True))

    # a file in TinyDB's own layout is parsed whole, then converted record by record as well
    MemoryStorage(path, read_only=True, convert=convert, advice=DOCUMENTS_ADVICE)
    return out


# --------------------------------------------------------------------------- links and journal

def _read_journal(path: Path) -> tuple[list[dict[str, Any]], list[int]]:
    """(well-formed batches in file order, each above the one before; line numbers of damaged lines). An
    unterminated last line is a torn append, not damage."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return [], []
    except OSError as exc:
        raise CacheError(f"cannot read cache file {path}: {exc.strerror or exc}") from None
    batches: list[dict[str, Any]] = []
    damaged: list[int] = []
    pos, n, lineno, top = 0, len(raw), 0, 0
    while pos < n:
        end = raw.find(b"\n", pos)
        if end < 0:
            break
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
            batches.append(entry)
            top = entry["seq"]
        else:
            damaged.append(lineno)
        pos = end + 1
    return batches, damaged


def _read_mark(path: Path) -> tuple[bool, int | None]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return False, None
    except OSError:
        return True, None
    if not raw:
        return False, None
    try:
        value = int(raw.strip() or b"x")
    except ValueError:
        return True, None
    return True, value if 0 <= value < 2**53 else None


def _read_snapshot(path: Path) -> tuple[dict[tuple[str, str], dict[str, Any]], int, str | None]:
    def convert(table: str, doc_id: str | bytes, raw: bytes) -> Any:
        return orjson.loads(raw)

    try:
        snap = MemoryStorage(path, read_only=True, convert=convert).read()
        meta = snap.get("meta", {})
        seq = int(next(iter(meta.values()))["seq"]) if meta else 0
        if seq < 0:
            raise ValueError("negative seq")
        links: dict[tuple[str, str], dict[str, Any]] = {}
        for link in snap.get("links", {}).values():
            key = (link["type"], link["ref"])
            if not (isinstance(key[0], str) and isinstance(key[1], str)):
                raise ValueError("bad key")
            links[key] = link
    except CacheCorrupt as exc:
        return {}, 0, exc.why
    except (KeyError, TypeError, ValueError, StopIteration, AttributeError, IndexError):
        return {}, 0, "bad link record"
    return links, seq, None


def read_links(profile_dir: Path, synced_before: bool, apply: Any) -> LegacyProfile:
    """The links of an old profile: the snapshot, then the journal's newer batches replayed with
    ``apply(links, outcome, at)`` (the store's own rule for an outcome), and what was found wrong."""
    profile_dir = Path(profile_dir)
    snap_path, journal_path, mark_path = (profile_dir / n for n in (LINKS_NAME, JOURNAL_NAME, MARK_NAME))
    mark_exists, mark = _read_mark(mark_path)
    links, seq, snap_problem = _read_snapshot(snap_path)
    batches, damaged = _read_journal(journal_path)
    top, present, bad_batches = seq, 0, []
    for batch in batches:
        if batch["seq"] <= seq:
            continue
        try:
            for outcome in batch["outcomes"]:
                apply(links, outcome, batch.get("at"))
        except (KeyError, TypeError, AttributeError, ValueError):
            bad_batches.append(batch["seq"])
            continue
        present += 1
        top = batch["seq"]
    journal_top = batches[-1]["seq"] if batches else 0
    expected = max(top, mark or 0, journal_top)
    missing = expected - seq - present
    out = LegacyProfile(links=links, seq=expected)
    if snap_problem:
        out.problems.append(f"{LINKS_NAME} is corrupted ({snap_problem})")
        out.lost = True
    if damaged or bad_batches:
        out.problems.append(f"{JOURNAL_NAME} has unreadable lines ({', '.join(map(str, damaged[:5]))})" if damaged
                            else f"{JOURNAL_NAME} has unreadable batches")
    if missing > 0:
        out.problems.append(f"{missing} batches of outcomes are missing" if journal_path.exists()
                            else f"{JOURNAL_NAME} was removed")
        out.lost = True
    if mark_exists and mark is None:
        out.problems.append(f"{MARK_NAME} is unreadable, so no loss can be ruled out")
        out.lost = True
    elif not mark_exists and (seq or batches or damaged or snap_problem or snap_path.exists() or synced_before):
        out.problems.append(f"{MARK_NAME} is missing, so no loss can be ruled out")
        out.lost = True
    return out


def read_legacy(profile_dir: Path, synced_before: bool, apply: Any) -> LegacyProfile:
    """Everything an old profile holds (documents.json refuses when damaged: CacheCorrupt with advice)."""
    with no_gc():
        docs = read_documents(profile_dir)
        out = read_links(profile_dir, synced_before, apply)
    out.documents = docs
    return out


def iter_legacy_names(profile_dir: Path) -> Iterator[Path]:
    for name in LEGACY_NAMES:
        path = Path(profile_dir) / name
        if path.exists():
            yield path
