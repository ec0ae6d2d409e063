"""The :class:`Cache`: documents, sync links, runs, reference data and settings of one profile."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from tinydb import Query, TinyDB

from qbtui.private import TMP_MARK, private_dir, write_private
from qbtui.timestamps import now_iso, now_stamp

from .errors import CacheCorrupt, CacheError
from .journal import JOURNAL_NAME, MARK_NAME, JournalRead, JournalWriter, open_journal, read_journal, read_mark
from .lock import WriterLock
from .records import Link, Outcome, Run
from .status import document_status
from .storage import MemoryStorage, blob, dumps_lines, no_gc, normalize

SCHEMA_VERSION = 1
DOCUMENTS_NAME = "documents.json"
LINKS_NAME = "links.json"
STATE_NAME = "state.json"

STATUSES: tuple[str, ...] = ("pending", "blocked", "failed", "skipped", "synced", "voided")
LINK_STATUSES = frozenset({"synced", "failed", "voided", "sending"})
OUTCOME_FIELDS = frozenset({"status", "qbo", "synced_rev", "error", "run"})
ERROR_FIELDS = ("code", "message", "detail", "hint")
HISTORY_MAX = 20
RUNS_MAX = 1000
REFERENCE_KINDS = frozenset({
    "accounts", "tax_codes", "terms", "classes", "departments", "company_info",
    "preferences", "customers", "vendors", "items",
})

#: What to do about a corrupted documents.json or state.json: steps that keep every link to QuickBooks
#: (links live in links.json and outcomes.jsonl, which recover on their own: see Cache._load_links).
DOCUMENTS_ADVICE = ("move it aside and import the documents again: the links to QuickBooks are kept, so no "
                    "document already sent is created again (one that changed is sent as an update of its "
                    "QuickBooks object)")
STATE_ADVICE = ("move it aside, then connect and map again (`qbtui connect`, `qbtui map --auto`) and set the "
                "settings again: the documents and their links to QuickBooks are kept, so nothing already "
                "sent is created again (the run log in it is lost)")
#: The error a document is marked with when its outcome may have been lost with the journal.
RECOVERED_ERROR = {"code": "cache.outcome_unknown",
                   "message": "its sync outcome may have been lost with a damaged or removed cache file",
                   "detail": "", "hint": "it is looked up in QuickBooks before anything is sent again "
                                         "(`qbtui repair` does it now)"}


@dataclass
class Recovery:
    """What :meth:`Cache.open` found wrong with the record of sync outcomes and did about it."""

    problems: list[str]
    #: outcomes may have been lost: every document not known to be in QuickBooks was marked unknown
    lost: bool
    #: documents now unknown ("sending"): each is looked up in QuickBooks before anything is sent
    unknown: int
    #: copies of the damaged files, kept beside them (writer only)
    kept: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        text = f"the record of sync outcomes was damaged ({'; '.join(self.problems)}); "
        if self.lost:
            text += (f"it was recovered to its last good state and {self.unknown} documents whose outcome may "
                     "have been lost are unknown: the next `qbtui sync` looks each up in QuickBooks before "
                     "sending anything (`qbtui repair` does it now)")
        else:
            text += "it was recovered and nothing was lost"
        if self.kept:
            text += "; the damaged files were kept as " + ", ".join(self.kept)
        return text


def _version() -> str:
    try:
        from qbtui import __version__
    except Exception:  # pragma: no cover
        return "qbtui"
    return f"qbtui {__version__}"


@dataclass
class UpsertSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    #: (type, ref) of documents that were synced and whose data changed with this upsert;
    #: they are now ``pending`` with ``changed: true``.
    changed_after_sync: list[tuple[str, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def _find_data(raw: bytes) -> int:
    """Offset of the data value in a record line ``{"ref":..,"rev":..,"imported":..,"data":{..}}``.
    A '"' inside a JSON string is always escaped, so the first ``,"data":`` is the key."""
    pos = raw.find(b',"data":')
    return pos + 8 if pos >= 0 else -1


class Cache:
    """Local store of one profile. Open with :meth:`Cache.open`; see the package docstring."""

    #: Compact links.json once the journal grows past this many bytes.
    JOURNAL_COMPACT_BYTES = 8 * 1024 * 1024

    profile_dir: Path
    writer: bool
    _closed: bool
    _lock: WriterLock | None
    _journal: JournalWriter | None

    def __init__(self) -> None:  # use Cache.open
        raise TypeError("use Cache.open(profile_dir, writer=...)")

    # ------------------------------------------------------------------ open / close
    @classmethod
    def open(cls, profile_dir: Path, *, writer: bool, command: str = "qbtui") -> Cache:
        self = object.__new__(cls)
        self.profile_dir = Path(profile_dir)
        self.writer = bool(writer)
        self._closed = False
        self._lock = None
        self._journal = None
        if self.writer:
            try:
                private_dir(self.profile_dir, tighten=True)
            except OSError as exc:
                raise CacheError(
                    f"cannot create profile folder {self.profile_dir}: {exc.strerror or exc}"
                ) from None
            self._lock = WriterLock(self.profile_dir, command)
            self._lock.acquire()
        try:
            if self.writer:
                self._remove_stale_temp_files()
            self._load_all()
        except BaseException:
            self._release()
            raise
        return self

    def reload(self) -> None:
        """Re-read everything from disk (for readers that want fresh data)."""
        self._check_open()
        if self.writer:
            raise CacheError("reload() is for readers; a writer's view is always current")
        self._load_all()

    def close(self) -> None:
        """Compact (writer), release the writer lock. Idempotent."""
        if self._closed:
            return
        try:
            if self.writer and self._journal is not None:
                self._docs_storage.flush()
                self.compact()
        finally:
            self._closed = True
            self._release()

    def __enter__(self) -> Cache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _release(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _remove_stale_temp_files(self) -> None:
        for p in self.profile_dir.iterdir():
            if TMP_MARK in p.name:
                try:
                    p.unlink()
                except OSError:
                    pass

    def _path(self, name: str) -> Path:
        return self.profile_dir / name

    def _load_all(self) -> None:
        with no_gc():
            self._load_state()
            self._load_documents()
            self._load_links()

    # ------------------------------------------------------------------ state.json
    def _load_state(self) -> None:
        path = self._path(STATE_NAME)
        self._state = TinyDB(path, storage=MemoryStorage, read_only=not self.writer, advice=STATE_ADVICE)
        self._state_storage: MemoryStorage = self._state.storage  # type: ignore[assignment]
        meta = self._state.table("meta").all()
        if meta:
            version = meta[0].get("schema_version")
            if not isinstance(version, int):
                raise CacheCorrupt(path, "no schema version", STATE_ADVICE)
            if version > SCHEMA_VERSION:
                raise CacheError(
                    f"this cache was written by a newer qbtui (schema {version}, this qbtui "
                    f"reads up to {SCHEMA_VERSION}): upgrade qbtui"
                )
        elif self.writer:
            self._state.table("meta").insert(
                {"schema_version": SCHEMA_VERSION, "created_by": _version(), "created": now_iso()}
            )
            self._state_storage.flush()

    def _flush_state(self) -> None:
        self._state_storage.flush()

    # ------------------------------------------------------------------ documents.json
    def _load_documents(self) -> None:
        path = self._path(DOCUMENTS_NAME)
        index: dict[str, dict[str, int]] = {}
        voided: set[tuple[str, str]] = set()

        def convert(type_: str, doc_id: str | bytes, raw: bytes) -> dict:
            # In memory a record keeps its data as canonical JSON bytes (see storage.blob).
            rec = orjson.loads(raw)
            ref, data = rec["ref"], rec["data"]
            rec["rev"]  # noqa: B018 - shape check
            if not isinstance(ref, str) or not isinstance(data, dict):
                raise ValueError("bad record")
            index.setdefault(type_, {})[ref] = int(doc_id)
            if data.get("voided") is True:
                voided.add((type_, ref))
            if next(reversed(rec)) == "data":
                # written by us: data is last and already canonical; slice it, don't re-dump
                start = _find_data(raw)
                rec["data"] = raw[start:-1] if start > 0 else blob(data)
            else:
                rec["data"] = blob(data)
            return rec

        self._docs = TinyDB(path, storage=MemoryStorage, read_only=not self.writer,
                            convert=convert, advice=DOCUMENTS_ADVICE)
        self._docs_storage: MemoryStorage = self._docs.storage  # type: ignore[assignment]
        for type_ in self._docs_storage.read():
            index.setdefault(type_, {})
        self._index = index
        self._voided = voided

    def _raw(self, type_: str, ref: str) -> dict | None:
        doc_id = self._index.get(type_, {}).get(ref)
        if doc_id is None:
            return None
        return self._docs_storage.read()[type_][str(doc_id)]

    # ------------------------------------------------------------------ links.json + journal
    def _load_links(self) -> None:
        """The links: the snapshot links.json, then the journal's newer batches replayed.

        Damage never stops the open and never makes a document look unsent when it could be in
        QuickBooks. Whatever can be read is used (a corrupted snapshot counts as empty, a journal's
        unreadable lines are skipped and the batches after them still replayed); when the
        watermark (journal.py) shows batches missing, or the snapshot is lost, or the record
        cannot be checked at all (no watermark, though outcomes were recorded), every document
        that is not synced or voided is marked ``sending``: the sync engine looks each up in
        QuickBooks before it is ever sent. A writer makes the recovery durable at once (a copy of
        each damaged file is kept beside it, then a fresh snapshot and an empty journal are
        written); a reader sees the same recovered state in memory. See :attr:`recovery`.
        """
        snap_path, journal_path, mark_path = (self._path(n) for n in (LINKS_NAME, JOURNAL_NAME, MARK_NAME))
        for _ in range(2):
            # Watermark, then journal, then snapshot: a writer appends to the journal before it raises
            # the watermark, and swaps in a new journal only after writing the snapshot, so what is read
            # next always covers the watermark read first (and the journal held covers the snapshot).
            mark_exists, mark = read_mark(mark_path)
            jf = open_journal(journal_path)
            try:
                links, seq, snap_problem = self._read_snapshot(snap_path)
            except BaseException:
                if jf is not None:
                    jf.close()
                raise
            journal = read_journal(journal_path, jf) if jf is not None else JournalRead()
            self._links = links
            self._snapshot_seq = seq
            top, present, bad_batches = seq, 0, []
            for batch in journal.batches:
                if batch["seq"] <= seq:
                    continue  # already in the snapshot (the writer died before swapping the journal)
                try:
                    for outcome in batch["outcomes"]:
                        self._apply_outcome(outcome, batch.get("at"))
                except (KeyError, TypeError, AttributeError, ValueError):
                    bad_batches.append(batch["seq"])
                    continue
                present += 1
                top = batch["seq"]
            expected = max(top, mark or 0, journal.top)
            missing = expected - seq - present
            problems: list[str] = []
            lost = False
            if snap_problem:
                problems.append(f"{LINKS_NAME} is corrupted ({snap_problem})")
                lost = True
            if journal.damaged or bad_batches:
                lines = journal.damaged[:5]
                problems.append(f"{JOURNAL_NAME} has unreadable lines ({', '.join(map(str, lines))}"
                                + (", ..." if len(journal.damaged) > 5 else "") + ")" if lines
                                else f"{JOURNAL_NAME} has unreadable batches")
            if missing > 0:
                problems.append(f"{missing} batches of outcomes are missing" if jf is not None
                                else f"{JOURNAL_NAME} was removed")
                lost = True
            if mark_exists and mark is None:
                problems.append(f"{MARK_NAME} is unreadable, so no loss can be ruled out")
                lost = True
            elif not mark_exists and (seq or journal.batches or journal.damaged or snap_problem
                                      or snap_path.exists() or self._synced_before()):
                problems.append(f"{MARK_NAME} is missing (removed, or written by an older qbtui), so no loss "
                                "can be ruled out")
                lost = True
            if not problems or self.writer:
                break
            time.sleep(0.01)  # a reader may have raced the writer: look again
        unknown = self._mark_unknown() if lost else 0
        self._seq = max(top, mark or 0, journal.top)
        self.recovery: Recovery | None = Recovery(problems, lost, unknown) if problems else None
        if not self.writer:
            return
        if not problems:
            self._journal = JournalWriter(journal_path, journal.valid, mark_path)
            if mark != self._seq:
                self._journal.set_mark(self._seq)
            return
        # Make the recovery durable: keep copies of what is damaged, then a fresh snapshot holding
        # everything (the unknown marks included) with a seq above all seen, and an empty journal.
        kept = []
        if snap_problem and snap_path.exists():
            kept.append(self._keep_aside(snap_path))
        if (journal.damaged or bad_batches) and jf is not None:
            kept.append(self._keep_aside(journal_path))
        assert self.recovery is not None
        self.recovery.kept = kept
        self._journal = JournalWriter(journal_path, None, mark_path)  # replaced whole by the compaction
        self._seq += 1
        self._snapshot_seq = -1
        self.compact()

    def _read_snapshot(self, path: Path) -> tuple[dict[tuple[str, str], tuple], int, str | None]:
        """(links, seq, None), or ({}, 0, what is wrong) when links.json cannot be read."""
        try:
            snap = MemoryStorage(path, read_only=True, convert=self._convert_link).read()
            meta = snap.get("meta", {})
            seq = int(next(iter(meta.values()))["seq"]) if meta else 0
            if seq < 0:
                raise ValueError("negative seq")
            links: dict[tuple[str, str], tuple] = {}
            for packed in snap.get("links", {}).values():
                key = packed[4]
                if not (isinstance(key[0], str) and isinstance(key[1], str)):
                    raise ValueError("bad key")
                links[key] = packed[:4]
        except CacheCorrupt as exc:
            return {}, 0, exc.why
        except (KeyError, TypeError, ValueError, StopIteration, AttributeError, IndexError):
            return {}, 0, "bad link record"
        return links, seq, None

    def _synced_before(self) -> bool:
        """Does the run log show a sync (so outcomes were recorded, even if their files are gone)?"""
        return any(r.get("kind") in ("sync", "scheduled") for r in self._state.table("runs").all())

    def _mark_unknown(self) -> int:
        """Mark ``sending`` every document that is not synced or voided (nor already sending), so that it is
        looked up in QuickBooks before it is sent. Returns how many documents are now unknown."""
        at = now_iso()
        unknown = 0
        for type_, refs in self._index.items():
            for ref in refs:
                link = self._links.get((type_, ref))
                status = link[0] if link is not None else None
                if status in ("synced", "voided"):
                    continue
                if status != "sending":
                    self._apply_outcome({"type": type_, "ref": ref, "status": "sending",
                                         "error": RECOVERED_ERROR}, at)
                unknown += 1
        return unknown

    def _keep_aside(self, path: Path) -> str:
        """Copy a damaged file beside it (private); returns the copy's name."""
        stamp = now_stamp()
        aside = path.with_name(f"{path.name}.damaged-{stamp}-{secrets.token_hex(2)}")
        write_private(aside, path.read_bytes())
        return aside.name

    @staticmethod
    def _convert_link(table: str, doc_id: str | bytes, raw: bytes) -> tuple:
        if table != "links":
            return orjson.loads(raw)
        link = orjson.loads(raw)
        ever = bool(link.get("qbo")) or link.get("synced_rev") is not None
        return (link.get("status"), link.get("synced_rev"), ever, raw,
                (link["type"], link["ref"]))

    @staticmethod
    def _pack_link(link: dict) -> tuple[str | None, int | None, bool, bytes]:
        """In memory a link is (status, synced_rev, ever_synced, JSON bytes): compact, and
        enough for status computations without parsing."""
        ever = bool(link.get("qbo")) or link.get("synced_rev") is not None
        return (link.get("status"), link.get("synced_rev"), ever, blob(link))

    def _apply_outcome(self, o: Mapping[str, Any], at: str | None) -> None:
        key = (o["type"], o["ref"])
        packed = self._links.get(key)
        if packed is None:
            link = {"type": o["type"], "ref": o["ref"], "status": None, "qbo": [],
                    "synced_rev": None, "error": None, "run": None, "history": []}
        else:
            link = orjson.loads(packed[3])
        for name in OUTCOME_FIELDS:
            if name in o:
                link[name] = o[name]
        if link["status"] in ("synced", "voided") and "error" not in o:
            link["error"] = None  # success clears the last error
        event: dict[str, Any] = {"at": at, "status": link["status"]}
        if link.get("run") is not None:
            event["run"] = link["run"]
        if link.get("error"):
            event["error"] = link["error"].get("code")
        if "qbo" in o and o["qbo"]:
            event["qbo"] = [q.get("id") for q in o["qbo"]]
        link["history"] = (link.get("history") or [])[-(HISTORY_MAX - 1):] + [event]
        self._links[key] = self._pack_link(link)

    # ------------------------------------------------------------------ guards
    def _check_open(self) -> None:
        if self._closed:
            raise CacheError("the cache is closed")

    def _require_writer(self) -> None:
        self._check_open()
        if not self.writer:
            raise CacheError("opened read-only")

    # ------------------------------------------------------------------ documents API
    def get(self, type: str, ref: str) -> dict | None:
        """The stored record ``{"type", "ref", "rev", "data", "imported"}`` (a copy), or None."""
        self._check_open()
        rec = self._raw(type, ref)
        return None if rec is None else self._record(type, rec)

    @staticmethod
    def _record(type_: str, rec: dict) -> dict:
        return {"type": type_, "ref": rec["ref"], "rev": rec["rev"],
                "data": orjson.loads(rec["data"]), "imported": rec.get("imported")}

    def documents(self, type: str | None = None) -> Iterator[dict]:
        """Records (copies) of one type, or of all types, in insertion order."""
        self._check_open()
        raw = self._docs_storage.read()
        types = [type] if type is not None else list(raw)
        for t in types:
            for rec in list(raw.get(t, {}).values()):
                yield self._record(t, rec)

    def types(self) -> list[str]:
        """Document types present in the cache."""
        self._check_open()
        return [t for t, refs in self._index.items() if refs]

    def count(self, type: str | None = None) -> int:
        self._check_open()
        if type is not None:
            return len(self._index.get(type, ()))
        return sum(len(refs) for refs in self._index.values())

    def upsert_documents(self, docs: list[dict]) -> UpsertSummary:
        """Insert or update many documents with one atomic write (all or nothing).

        Each dict must carry string ``type`` and ``ref``; it is stored (as JSON) as the
        record's ``data``. Identical data keeps the revision; changed data bumps it. When a
        document appears twice, the last one wins.
        """
        self._require_writer()
        with no_gc():
            return self._upsert(docs)

    def _upsert(self, docs: list[dict]) -> UpsertSummary:
        latest: dict[tuple[str, str], bytes] = {}
        voided: dict[tuple[str, str], bool] = {}
        for i, doc in enumerate(docs):
            if not isinstance(doc, Mapping):
                raise ValueError(f"document #{i} is not a dict")
            t, r = doc.get("type"), doc.get("ref")
            if not isinstance(t, str) or not t or not isinstance(r, str) or not r:
                raise ValueError(f"document #{i} needs non-empty string 'type' and 'ref'")
            try:
                latest[(t, r)] = blob(doc)
            except TypeError as exc:
                raise ValueError(f"document {t} {r!r} cannot be stored: {exc}") from None
            voided[(t, r)] = doc.get("voided") is True
        summary = UpsertSummary()
        now = now_iso()
        new: dict[str, list[dict]] = {}
        changed: dict[str, dict[str, dict]] = {}
        for (t, r), data in latest.items():
            rec = self._raw(t, r)
            if rec is None:
                # A document imported again after documents.json was lost continues above the revision its
                # link says was synced: a change since is then sent as an update, never taken as synced.
                link = self._links.get((t, r))
                rev = link[1] + 1 if link is not None and type(link[1]) is int else 1
                new.setdefault(t, []).append({"ref": r, "rev": rev, "imported": now, "data": data})
                summary.created += 1
            elif rec["data"] == data:
                summary.unchanged += 1
            else:
                changed.setdefault(t, {})[r] = {"rev": rec["rev"] + 1, "imported": now,
                                                 "data": data}
                summary.updated += 1
                link = self._links.get((t, r))
                if link is not None and link[0] == "synced":
                    summary.changed_after_sync.append((t, r))
        if not new and not changed:
            return summary
        try:
            for t, recs in new.items():
                ids = self._docs.table(t).insert_multiple(recs)
                self._index.setdefault(t, {}).update(zip((rec["ref"] for rec in recs), ids))
            for t, updates in changed.items():
                index = self._index[t]
                self._docs.table(t).update(
                    lambda d, u=updates: d.update(u[d["ref"]]),  # type: ignore[misc]
                    doc_ids=[index[r] for r in updates],
                )
            self._docs_storage.flush()
        except BaseException:
            self._load_documents()  # back to what is on disk
            raise
        for key, is_voided in voided.items():
            if is_voided:
                self._voided.add(key)
            else:
                self._voided.discard(key)
        return summary

    def update_document(self, type: str, ref: str, data: dict) -> None:
        """Replace one document's data (e.g. from a fix form); bumps rev if it changed. Atomic."""
        self._require_writer()
        rec = self._raw(type, ref)
        if rec is None:
            raise KeyError(f"no {type} {ref!r} in the cache")
        if data.get("type", type) != type or data.get("ref", ref) != ref:
            raise ValueError("update_document cannot change a document's type or ref")
        try:
            new_data = blob({**data, "type": type, "ref": ref})
        except TypeError as exc:
            raise ValueError(f"document {type} {ref!r} cannot be stored: {exc}") from None
        if new_data == rec["data"]:
            return
        try:
            self._docs.table(type).update(
                {"rev": rec["rev"] + 1, "imported": now_iso(), "data": new_data},
                doc_ids=[self._index[type][ref]],
            )
            self._docs_storage.flush()
        except BaseException:
            self._load_documents()
            raise
        if data.get("voided") is True:
            self._voided.add((type, ref))
        else:
            self._voided.discard((type, ref))

    # ------------------------------------------------------------------ links API
    def link(self, type: str, ref: str) -> Link | None:
        self._check_open()
        link = self._links.get((type, ref))
        return None if link is None else orjson.loads(link[3])

    def links(self) -> Iterator[Link]:
        self._check_open()
        for link in list(self._links.values()):
            yield orjson.loads(link[3])

    def record_outcomes(self, outcomes: Sequence[Outcome]) -> None:
        """Record a batch of outcomes with one fsync'd journal append (all or nothing).

        Each outcome (:class:`~qbtui.cache.records.Outcome`): ``type``, ``ref`` and any of ``status``
        (synced|failed|voided|sending), ``qbo`` (list of {entity, id, sync_token}), ``synced_rev``, ``error``
        ({code, message, detail, hint} or None), ``run``. Fields not given keep their value,
        except that a synced outcome without ``synced_rev`` gets the document's current rev;
        a synced/voided outcome without ``error`` clears the error. An event is added to the
        link's ``history`` (last 20 kept).
        """
        self._require_writer()
        if not outcomes:
            return
        clean = [self._validate_outcome(i, o) for i, o in enumerate(outcomes)]
        for o in clean:
            if o.get("status") == "synced" and "synced_rev" not in o:
                rec = self._raw(o["type"], o["ref"])
                if rec is not None:
                    o["synced_rev"] = rec["rev"]  # synced = the current revision was sent
        assert self._journal is not None
        at = now_iso()
        entry = {"seq": self._seq + 1, "at": at, "outcomes": clean}
        self._journal.append(entry)
        self._seq += 1
        for o in clean:
            self._apply_outcome(o, at)
        if self._journal.size > self.JOURNAL_COMPACT_BYTES:
            self.compact()

    @staticmethod
    def _validate_outcome(i: int, o: Any) -> Outcome:
        if not isinstance(o, Mapping):
            raise ValueError(f"outcome #{i} is not a dict")
        t, r = o.get("type"), o.get("ref")
        if not isinstance(t, str) or not t or not isinstance(r, str) or not r:
            raise ValueError(f"outcome #{i} needs non-empty string 'type' and 'ref'")
        unknown = set(o) - OUTCOME_FIELDS - {"type", "ref"}
        if unknown:
            raise ValueError(f"outcome #{i} ({t} {r!r}) has unknown fields: {sorted(unknown)}")
        if "status" in o and o["status"] not in LINK_STATUSES:
            raise ValueError(f"outcome #{i} ({t} {r!r}) has bad status {o['status']!r}")
        if "qbo" in o:
            qbo = o["qbo"]
            if not isinstance(qbo, list) or not all(
                isinstance(q, Mapping) and "entity" in q and "id" in q for q in qbo
            ):
                raise ValueError(f"outcome #{i} ({t} {r!r}): qbo must be a list of "
                                 "{entity, id, sync_token}")
        if "synced_rev" in o and o["synced_rev"] is not None and not isinstance(
                o["synced_rev"], int):
            raise ValueError(f"outcome #{i} ({t} {r!r}): synced_rev must be an int or None")
        if "error" in o and o["error"] is not None:
            err = o["error"]
            if not isinstance(err, Mapping):
                raise ValueError(f"outcome #{i} ({t} {r!r}): error must be a dict or None")
            o = {**o, "error": {k: err.get(k) for k in ERROR_FIELDS}}
        if "run" in o and o["run"] is not None and not isinstance(o["run"], str):
            raise ValueError(f"outcome #{i} ({t} {r!r}): run must be a string or None")
        try:
            return normalize(o)
        except TypeError as exc:
            raise ValueError(f"outcome #{i} ({t} {r!r}) cannot be stored: {exc}") from None

    def compact(self) -> None:
        """Write links.json atomically with everything, then empty the journal."""
        self._require_writer()
        assert self._journal is not None
        if self._seq == self._snapshot_seq and self._journal.size == 0:
            return
        data = {
            "meta": {"1": {"seq": self._seq, "schema_version": SCHEMA_VERSION}},
            "links": {str(i): link[3] for i, link in enumerate(self._links.values(), 1)},
        }
        with no_gc():
            write_private(self._path(LINKS_NAME), dumps_lines(data))
        self._snapshot_seq = self._seq
        self._journal.rotate()
        self._journal.set_mark(self._seq)

    # ------------------------------------------------------------------ status
    def _status(self, key: tuple[str, str], rec: dict | None) -> tuple[str, bool]:
        """(status, changed): :func:`qbtui.cache.status.document_status`; changed = synced before,
        data changed since."""
        link = self._links.get(key)
        st, synced_rev, ever = (link[0], link[1], link[2]) if link is not None else (None, None, False)
        status = document_status(st, synced_rev, ever, rec["rev"] if rec is not None else None, key in self._voided)
        return status, st == "synced" and status == "pending"

    def status_info(self, type: str, ref: str) -> dict[str, Any]:
        """``{"status": ..., "changed": bool}``; changed = synced before, data changed since."""
        self._check_open()
        key = (type, ref)
        rec = self._raw(type, ref)
        if rec is None and key not in self._links:
            raise KeyError(f"no {type} {ref!r} in the cache")
        status, changed = self._status(key, rec)
        return {"status": status, "changed": changed}

    def status_of(self, type: str, ref: str) -> str:
        """pending | failed | skipped | synced | voided (blocked is the caller's overlay)."""
        return self.status_info(type, ref)["status"]

    def status_counts(self) -> dict[str, dict[str, int]]:
        """Per document type, the count of each of the six statuses (blocked is always 0)."""
        self._check_open()
        result: dict[str, dict[str, int]] = {}
        links = self._links
        voided = self._voided
        status = self._status
        for type_, table in self._docs_storage.read().items():
            if not table:
                continue
            counts = dict.fromkeys(STATUSES, 0)
            for rec in table.values():
                key = (type_, rec["ref"])
                link = links.get(key)
                if link is None and key not in voided:
                    counts["pending"] += 1
                elif link is not None and link[0] == "synced" and link[1] == rec["rev"]:
                    counts["synced"] += 1
                else:
                    counts[status(key, rec)[0]] += 1
            result[type_] = counts
        return result

    # ------------------------------------------------------------------ settings
    def get_setting(self, key: str, default: Any = None) -> Any:
        self._check_open()
        doc = self._state.table("settings").get(Query().key == key)
        return default if doc is None else normalize(doc["value"])

    def set_setting(self, key: str, value: Any) -> None:
        self._require_writer()
        try:
            value = normalize(value)
        except TypeError as exc:
            raise ValueError(f"setting {key!r} cannot be stored: {exc}") from None
        self._state.table("settings").upsert({"key": key, "value": value}, Query().key == key)
        self._flush_state()

    def settings(self) -> dict[str, Any]:
        self._check_open()
        return {d["key"]: normalize(d["value"]) for d in self._state.table("settings").all()}

    # ------------------------------------------------------------------ runs
    def add_run(self, run: Mapping[str, Any]) -> str:
        """Store a run (the fields of a :class:`~qbtui.cache.records.Run`; ``id``, ``kind``, ``started``, ``ended``,
        ``counts`` and ``created`` have defaults); returns its id (``run["id"]`` if given, else a new one)."""
        self._require_writer()
        table = self._state.table("runs")
        run_id = run.get("id") or (
            f"{now_stamp()}-{secrets.token_hex(3)}")
        if table.contains(Query().id == run_id):
            raise ValueError(f"run {run_id!r} already exists")
        record: dict[str, Any] = {"id": run_id, "kind": None, "started": now_iso(), "ended": None,
                  "counts": {}, "created": []}
        record.update(run)
        record["id"] = run_id
        try:
            record = normalize(record)
        except TypeError as exc:
            raise ValueError(f"run cannot be stored: {exc}") from None
        table.insert(record)
        if len(table) > RUNS_MAX:
            ids = sorted(d.doc_id for d in table.all())
            table.remove(doc_ids=ids[: len(ids) - RUNS_MAX])
        self._flush_state()
        return run_id

    def update_run(self, run_id: str, **fields: Any) -> None:
        self._require_writer()
        table = self._state.table("runs")
        if not table.contains(Query().id == run_id):
            raise KeyError(f"no run {run_id!r}")
        fields.pop("id", None)
        try:
            fields = normalize(fields)
        except TypeError as exc:
            raise ValueError(f"run fields cannot be stored: {exc}") from None
        table.update(fields, Query().id == run_id)
        self._flush_state()

    def runs(self) -> list[Run]:
        """All runs, newest first."""
        self._check_open()
        docs = sorted(self._state.table("runs").all(), key=lambda d: d.doc_id, reverse=True)
        return [normalize(d) for d in docs]

    # ------------------------------------------------------------------ reference data
    def put_reference(self, kind: str, items: list | dict) -> None:
        """Replace the QBO reference data of one kind (accounts, tax_codes, terms, ...)."""
        self._require_writer()
        if not isinstance(kind, str) or not kind:
            raise ValueError("reference kind must be a non-empty string")
        try:
            items = normalize(items)
        except TypeError as exc:
            raise ValueError(f"reference {kind!r} cannot be stored: {exc}") from None
        self._state.table("reference").upsert(
            {"kind": kind, "items": items, "updated": now_iso()}, Query().kind == kind)
        self._flush_state()

    def reference(self, kind: str, default: Any = None) -> Any:
        self._check_open()
        doc = self._state.table("reference").get(Query().kind == kind)
        return default if doc is None else normalize(doc["items"])

    def reference_updated(self, kind: str) -> str | None:
        """When the reference data of ``kind`` was last stored (ISO timestamp), or None."""
        self._check_open()
        doc = self._state.table("reference").get(Query().kind == kind)
        return None if doc is None else doc["updated"]

    # ------------------------------------------------------------------ misc
    @property
    def schema_version(self) -> int:
        meta = self._state.table("meta").all()
        return meta[0]["schema_version"] if meta else SCHEMA_VERSION

    def __repr__(self) -> str:
        mode = "writer" if self.writer else "reader"
        return f"<Cache {self.profile_dir} ({mode})>"


class StateReader:
    """A profile's settings, runs and reference data without its documents and links: cheap at any
    cache size, for checks that run often (the dashboard's autosync timer, alerts).

        with StateReader.open(profile_dir) as state:
            state.get_setting("autosync.every")
    """

    get_setting = Cache.get_setting
    settings = Cache.settings
    runs = Cache.runs
    reference = Cache.reference
    reference_updated = Cache.reference_updated
    _check_open = Cache._check_open
    _load_state = Cache._load_state
    _path = Cache._path

    profile_dir: Path
    writer: bool
    _closed: bool

    @classmethod
    def open(cls, profile_dir: Path) -> StateReader:
        self = object.__new__(cls)
        self.profile_dir = Path(profile_dir)
        self.writer = False
        self._closed = False
        self._load_state()  # type: ignore[misc]  # a Cache method borrowed: it uses only what a StateReader has
        return self

    def close(self) -> None:
        self._closed = True

    def __enter__(self) -> StateReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
