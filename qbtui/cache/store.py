"""The :class:`Cache`: documents, sync links, runs, reference data and settings of one profile."""

from __future__ import annotations

import os
import secrets
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from tinydb import Query, TinyDB

from qbtui.private import FILE_MODE, TMP_MARK, fsync_dir, open_private, private_dir, write_private
from qbtui.timestamps import now_iso, now_stamp

from . import db as sq
from .errors import CacheCorrupt, CacheError
from .index import date_of, party_of
from .legacy import LEGACY_NAMES, has_legacy, read_legacy
from .lock import WriterLock
from .records import Link, Outcome, Run
from .status import document_status
from .storage import MemoryStorage, blob, no_gc, normalize

#: state.json's schema: 2 = documents and links in documents.sqlite (1: the TinyDB files of the release before)
SCHEMA_VERSION = 2
STATE_NAME = "state.json"
DB_NAME = sq.DB_NAME
#: the watermark: the seq of the last outcome batch committed (see the package docstring)
MARK_NAME = "outcomes.mark"
#: the database's files as the last writer left them on close (see Cache._as_left)
CHECKED_NAME = "documents.checked"
_MARK_WIDTH = 20

STATUSES: tuple[str, ...] = ("pending", "blocked", "failed", "conflict", "skipped", "synced", "summarized", "voided")
#: ``conflict``: an update held back because QuickBooks' copy changed since qbtui last wrote or accepted it
LINK_STATUSES = frozenset({"synced", "failed", "voided", "sending", "conflict", "summarized"})
#: ``replaced``: the QBO objects a document had before it was re-sent (deleted in QuickBooks), kept
OUTCOME_FIELDS = frozenset({"status", "qbo", "synced_rev", "error", "run", "replaced", "summary", "note"})
ERROR_FIELDS = ("code", "message", "detail", "hint")
OPTIONAL_ERROR_FIELDS = ("intuit_tid", "holder")  # kept when given (records.ErrorRecord)
HISTORY_MAX = 20
RUNS_MAX = 1000
REFERENCE_KINDS = frozenset({
    "accounts", "tax_codes", "terms", "classes", "departments", "company_info",
    "preferences", "customers", "vendors", "items",
})
#: rows per statement group while writing or reading in bulk (bounded memory at any size)
CHUNK = 2000
#: ordering keys of :meth:`Cache.rows`
ROW_ORDERS = {"date": "d.date", "ref": "d.ref", "party": "d.party", "status": "d.status", "imported": "d.imported",
              "rev": "d.rev", "inserted": "d.id"}

#: What to do about a corrupted state.json: steps that keep every link to QuickBooks (links live in the db).
STATE_ADVICE = ("move it aside, then connect and map again (`qbtui connect`, `qbtui map --auto`) and set the "
                "settings again: the documents and their links to QuickBooks are kept, so nothing already "
                "sent is created again (the run log in it is lost)")
DOCUMENTS_ADVICE = sq.DB_ADVICE
#: The error a document is marked with when its outcome may have been lost.
RECOVERED_ERROR = {"code": "cache.outcome_unknown",
                   "message": "its sync outcome may have been lost with a damaged, removed or older cache file",
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


@dataclass
class Migration:
    """What the first open of a profile written by the release before the SQLite store did (once)."""

    documents: int
    links: int
    #: the folder (in the profile) holding the old files, moved there after the migration committed
    backup: str
    #: what the old record of outcomes had wrong (the migrated links are then recovered: see ``recovery``)
    problems: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        return (f"the profile's cache was migrated to this version's store (documents.sqlite): {self.documents} "
                f"documents and {self.links} links; the old files were moved to {self.backup}/ (remove that "
                "folder once you are happy with this version)")


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


def _new_link(type_: str, ref: str) -> dict[str, Any]:
    return {"type": type_, "ref": ref, "status": None, "qbo": [], "synced_rev": None, "error": None, "run": None,
            "history": []}


def apply_outcome(link: dict[str, Any], o: Mapping[str, Any], at: str | None) -> dict[str, Any]:
    """The one rule for an outcome: fields given replace the link's, success clears the error, an event is
    added to the history (the last 20 kept). Returns the link (changed in place)."""
    for name in OUTCOME_FIELDS:
        if name in o:
            link[name] = o[name]
    if link["status"] in ("synced", "voided", "summarized") and "error" not in o:
        link["error"] = None  # success clears the last error
    event: dict[str, Any] = {"at": at, "status": link["status"]}
    if link.get("run") is not None:
        event["run"] = link["run"]
    if link.get("error"):
        event["error"] = link["error"].get("code")
    if "qbo" in o and o["qbo"]:
        event["qbo"] = [q.get("id") for q in o["qbo"]]
    if o.get("note"):
        event["note"] = o["note"]
    link["history"] = (link.get("history") or [])[-(HISTORY_MAX - 1):] + [event]
    return link


def _ever(link: Mapping[str, Any]) -> bool:
    return bool(link.get("qbo")) or link.get("synced_rev") is not None


def _link_row(link: Mapping[str, Any]) -> tuple:
    """(status, synced_rev, ever, run, data, type, ref): the columns of a links row."""
    return (link.get("status"), link.get("synced_rev"), int(_ever(link)), link.get("run"), blob(link),
            link["type"], link["ref"])


def _chunks(seq: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(seq), size):
        yield seq[i:i + size]


def _marks(n: int) -> str:
    return ",".join("?" * n)


def _count(conn: sqlite3.Connection, deltas: Mapping[tuple[str, str], int]) -> None:
    """Apply changes of the counts table (in the caller's transaction: counts and rows change together)."""
    rows = [(t, st, n) for (t, st), n in deltas.items() if n]
    if rows:
        conn.executemany("INSERT INTO counts VALUES(?, ?, ?) ON CONFLICT(type, status) DO UPDATE SET n = n + "
                         "excluded.n", rows)


#: the types whose names the gates compare (QBO's name spaces: customers and suppliers share one)
NAME_SPACES = {"customer": ("customer", "supplier"), "supplier": ("customer", "supplier"), "product": ("product",)}


def _gated(conn: sqlite3.Connection) -> bool:
    """Does the store hold gate results (a store of layout 1 opened by a reader has no such table)?"""
    try:
        return conn.execute("SELECT 1 FROM gates LIMIT 1").fetchone() is not None
    except sqlite3.OperationalError:
        return False


def _stale_gates(conn: sqlite3.Connection, written: Iterable[tuple[str, str]]) -> None:
    """Documents (or their links) ``written`` in this transaction: their own gate results go, the results of the
    documents that read them are marked not valid, and so are the results of every document whose name shares a
    name space with a contact or product written (the gates count names across all of them)."""
    keys = list(written)
    if not keys:
        return
    # what the document itself read stays in gate_deps until its result is stored again or the writer prunes it
    # (Cache.prune_gate_deps): deleting it here, row by row across that table, tripled a batch's commit
    conn.executemany("DELETE FROM gates WHERE type = ? AND ref = ?", keys)
    readers = set()
    for part in _chunks(keys, 400):
        for t in {k[0] for k in part}:
            refs = [r for kt, r in part if kt == t]
            readers.update(conn.execute(f"SELECT type, ref FROM gate_deps WHERE dep_type = ? AND dep_ref IN "
                                        f"({_marks(len(refs))})", (t, *refs)).fetchall())
    if readers:
        conn.executemany("UPDATE gates SET valid = 0 WHERE type = ? AND ref = ? AND valid", list(readers))
    spaces = {t for k in keys for t in NAME_SPACES.get(k[0], ())}
    if spaces:
        conn.execute(f"UPDATE gates SET valid = 0 WHERE type IN ({_marks(len(spaces))}) AND valid", tuple(spaces))


class _Repeated(Exception):
    """A document appears twice in one upsert (the call starts again, knowing which occurrence wins)."""


class Cache:
    """Local store of one profile. Open with :meth:`Cache.open`; see the package docstring."""

    #: kept for callers of the release before (the store has no journal to compact; see :meth:`compact`)
    JOURNAL_COMPACT_BYTES = 8 * 1024 * 1024
    #: run ``PRAGMA quick_check`` when a writer opens (a damaged file refuses to open: CacheCorrupt)
    QUICK_CHECK = True

    profile_dir: Path
    writer: bool
    recovery: Recovery | None
    migration: Migration | None
    _closed: bool
    _lock: WriterLock | None
    _db: sqlite3.Connection | None
    _mark_fd: int | None
    #: called with the cache as a writer closes, before the checkpoint (their errors are ignored)
    before_close: list[Any]

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
        self._db = None
        self._mark_fd = None
        self.recovery = None
        self.migration = None
        self._seq = 0
        self._gated = False
        self.before_close = []
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
            elif self._needs_migration():
                self._migrate_as_reader(command)
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
        self._close_db()
        self._load_all()

    def close(self) -> None:
        """Checkpoint the write-ahead log into the database (writer), release the writer lock. Idempotent."""
        if self._closed:
            return
        hooks, self.before_close = self.before_close, []
        try:
            for hook in hooks:  # e.g. the gate results the writes left out of date, computed again (cli.common)
                if self.writer and self._db is not None:
                    try:
                        hook(self)
                    except Exception:  # an optimisation: what is not stored is computed by the next reader
                        pass
            if self.writer and self._db is not None:
                try:
                    self._checkpoint("TRUNCATE")
                    self._leave()
                except (sqlite3.Error, OSError):
                    pass  # a checkpoint is an optimisation: the log is read on the next open
        finally:
            self._closed = True
            self._release()

    def __enter__(self) -> Cache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _close_db(self) -> None:
        conn, self._db = self._db, None
        if conn is not None:
            try:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            conn.close()

    def _release(self) -> None:
        self._close_db()
        if self._mark_fd is not None:
            os.close(self._mark_fd)
            self._mark_fd = None
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
        self._load_state()
        self._open_db()

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

    def _synced_before(self) -> bool:
        """Does the run log show a sync (so outcomes were recorded, even if their file is gone)?"""
        return any(r.get("kind") in ("sync", "scheduled") for r in self._state.table("runs").all())

    # ------------------------------------------------------------------ documents.sqlite
    @property
    def _db_path(self) -> Path:
        return self._path(DB_NAME)

    def _open_db(self) -> None:
        path = self._db_path
        exists = sq.check_header(path)
        mark_exists, mark = self._read_mark()
        if not exists and not self.writer:
            # nothing stored yet (or the file is gone): an empty store in memory, creating nothing
            conn = sq.connect(":memory:", create=False)
            for statement in sq.statements(sq.SCHEMA):
                conn.execute(statement)
            self._db = conn
            self._seq = 0
            self._check_outcomes(mark_exists, mark, db_existed=False)
            return
        try:
            conn = sq.connect(path, create=not exists)
        except sqlite3.Error as exc:
            if sq.is_disk_error(exc):
                raise sq.disk_error(exc, path) from None
            raise CacheCorrupt(path, f"cannot be opened: {exc}", sq.DB_ADVICE) from None
        self._db = conn
        try:
            if self.writer:
                sq.tighten_side_files(path)
                if not exists:
                    conn.execute(f"PRAGMA page_size = {sq.PAGE_SIZE}")  # before the first write makes the file
                conn.execute(f"PRAGMA cache_size = {sq.WRITER_CACHE}")
                conn.execute("PRAGMA journal_mode = WAL")
                if self.QUICK_CHECK and exists and not self._as_left():
                    result = conn.execute("PRAGMA quick_check").fetchone()
                    if not result or result[0] != "ok":
                        raise CacheCorrupt(path, f"it failed SQLite's check: {result[0] if result else '?'}",
                                           sq.DB_ADVICE)
                if not self._has_schema():
                    self._create(mark_exists, mark)
                elif has_legacy(self.profile_dir):
                    self._backup_legacy()  # migrated, killed before the old files were moved away
                if self._meta("store_version", 1) < sq.STORE_VERSION:
                    self._upgrade()
                self._open_mark()
            else:
                conn.execute("BEGIN")
                if not self._has_schema():  # a writer creating it right now: as empty
                    conn.execute("ROLLBACK")
                    self._close_db()
                    conn = self._db = sq.connect(":memory:", create=False)
                    for statement in sq.statements(sq.SCHEMA):
                        conn.execute(statement)
                    conn.execute("BEGIN")
            version = self._meta("store_version", sq.STORE_VERSION)
            if version > sq.STORE_VERSION:
                raise CacheError(f"this cache was written by a newer qbtui (store {version}, this qbtui reads up "
                                 f"to {sq.STORE_VERSION}): upgrade qbtui")
            self._seq = self._meta("seq", 0)
            self._check_outcomes(mark_exists, mark, db_existed=True)
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                raise CacheError(f"cache file {path} is busy: {exc}") from None
            if sq.is_disk_error(exc):
                raise sq.disk_error(exc, path) from None
            raise CacheCorrupt(path, str(exc), sq.DB_ADVICE) from None

    def _upgrade(self) -> None:
        """A store of a layout before: add the gate results' tables (layout 2; empty: computed when next asked) and
        the index of (type, status, date) (layout 3), in one transaction."""
        with self._transaction() as conn:
            for statement in sq.statements(sq.GATES_SCHEMA + sq.LAYOUT_3):
                conn.execute(statement.replace("CREATE TABLE ", "CREATE TABLE IF NOT EXISTS ")
                             .replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS "))
            self._set_meta("store_version", sq.STORE_VERSION)

    def _files_state(self) -> bytes:
        """The database's and its log's size, modification time and inode, as one line."""
        parts = []
        for name in (DB_NAME, f"{DB_NAME}-wal"):
            try:
                st = os.stat(self._path(name))
            except FileNotFoundError:
                parts.append(b"-")  # an empty log, removed by the last connection's close: the same as empty
                continue
            parts.append(b"%d %d %d" % (st.st_size, st.st_mtime_ns, st.st_ino) if st.st_size else b"-")
        return b" ".join(parts) + b"\n"

    def _as_left(self) -> bool:
        """Are the database and its log exactly as the last writer left them on close (``documents.checked``)?
        Then nothing touched them since and the writer's ``quick_check`` (which reads the whole file: about 1 s
        at a million documents) is skipped; after a kill, a reader's checkpoint or anything from outside it runs."""
        try:
            return self._path(CHECKED_NAME).read_bytes() == self._files_state()
        except OSError:
            return False

    def _leave(self) -> None:
        write_private(self._path(CHECKED_NAME), self._files_state())

    def _has_schema(self) -> bool:
        assert self._db is not None
        return self._db.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone() is not None

    def _meta(self, key: str, default: Any = None) -> Any:
        assert self._db is not None
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else row[0]

    def _set_meta(self, key: str, value: Any) -> None:
        assert self._db is not None
        self._db.execute("INSERT INTO meta VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                         (key, value))

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed whole (fsync'd: synchronous=FULL) or rolled back whole."""
        conn = self._db
        assert conn is not None
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            if sq.is_disk_error(exc):
                raise sq.disk_error(exc, self._db_path) from None
            raise

    def _create(self, mark_exists: bool, mark: int | None) -> None:
        """A new store: the schema, and (in the same transaction) the documents and links of a profile written
        by the release before, if any; then the old files are moved into a private backup folder."""
        legacy = has_legacy(self.profile_dir)
        with self._transaction() as conn:
            for statement in sq.statements(sq.SCHEMA):
                conn.execute(statement)
            self._set_meta("store_version", sq.STORE_VERSION)
            self._set_meta("created_by", _version())
            self._set_meta("seq", 0)
            if legacy:
                self.migration = self._migrate(conn)
            else:
                lost = self._lost_reasons(mark_exists, mark, 0, db_existed=False)
                if lost:  # the store is gone but outcomes were recorded: what is imported again is looked up
                    self._set_meta("lookup_new", 1)
                    self._set_meta("seq", (mark or 0) + 1)
                    self.recovery = Recovery(lost, True, 0)
        if legacy:
            self._backup_legacy()
        self._state.table("meta").update({"schema_version": SCHEMA_VERSION})
        self._flush_state()

    # ------------------------------------------------------------------ migration
    def _needs_migration(self) -> bool:
        return not sq.check_header(self._db_path) and has_legacy(self.profile_dir)

    def _migrate_as_reader(self, command: str) -> None:
        """A reader on a profile of the release before: migrate it when the writer lock is free, else say so."""
        from .errors import CacheLocked

        try:
            writer = Cache.open(self.profile_dir, writer=True, command=command)
        except CacheLocked as exc:
            raise CacheError(
                f"profile {self.profile_dir.name!r} was written by an older qbtui and is not migrated to this "
                f"version's store yet; it cannot be migrated now because {exc}. Run the command again once "
                "that process has ended: the first command to open the profile migrates it, once"
            ) from None
        except OSError as exc:
            raise CacheError(
                f"profile {self.profile_dir.name!r} was written by an older qbtui and is not migrated to this "
                f"version's store yet; migrating it needs to write in {self.profile_dir} "
                f"({exc.strerror or exc}): run qbtui once as a user who may write there"
            ) from None
        self.migration = writer.migration
        recovery = writer.recovery
        writer.close()
        self._migrated_recovery = recovery

    def _migrate(self, conn: sqlite3.Connection) -> Migration:
        def apply(links: dict, o: Mapping[str, Any], at: str | None) -> None:
            key = (o["type"], o["ref"])
            link = links.get(key)
            if link is None:
                link = links[key] = _new_link(*key)
            apply_outcome(link, o, at)

        old = read_legacy(self.profile_dir, self._synced_before(), apply)
        links = old.links
        now = now_iso()
        rows = []
        for d in old.documents:
            link = links.get((d.type, d.ref))
            status = document_status(link.get("status") if link else None, link.get("synced_rev") if link else None,
                                     _ever(link) if link else False, d.rev, d.voided)
            data = orjson.loads(d.data)
            rows.append((d.type, d.ref, d.rev, d.imported or now, d.data, int(d.voided), status,
                         date_of(d.type, data), party_of(d.type, data)))
            if len(rows) >= CHUNK:
                self._insert_documents(conn, rows)
                rows = []
        self._insert_documents(conn, rows)
        conn.executemany("INSERT INTO links(status, synced_rev, ever, run, data, type, ref) VALUES(?,?,?,?,?,?,?)",
                         (_link_row(link) for link in links.values()))
        seq = old.seq
        unknown = 0
        if old.lost:
            unknown = self._mark_unknown(conn)
            seq += 1
        self._set_meta("seq", seq)
        self._set_meta("migrated_from", "documents.json")
        if old.problems:
            self.recovery = Recovery(old.problems, old.lost, unknown)
        return Migration(len(old.documents), len(links), "", old.problems)

    @staticmethod
    def _insert_documents(conn: sqlite3.Connection, rows: list[tuple]) -> None:
        """Insert document rows (type, ref, rev, imported, data, voided, status, date, party) and count them."""
        conn.executemany("INSERT INTO documents(type, ref, rev, imported, data, voided, status, date, party) "
                         "VALUES(?,?,?,?,?,?,?,?,?)", rows)
        _count(conn, Counter((row[0], row[6]) for row in rows))

    def _backup_legacy(self) -> None:
        """Move the old files into ``backup-<stamp>/`` (private) in the profile folder."""
        folder = self._path(f"backup-{now_stamp()}-{secrets.token_hex(2)}")
        private_dir(folder)
        for name in LEGACY_NAMES:
            src = self._path(name)
            if src.exists():
                os.replace(src, folder / name)
                os.chmod(folder / name, FILE_MODE)  # a file of an older qbtui may be readable by others
        fsync_dir(folder)
        fsync_dir(self.profile_dir)
        if self.migration is not None:
            self.migration.backup = folder.name

    # ------------------------------------------------------------------ the watermark and recovery
    def _read_mark(self) -> tuple[bool, int | None]:
        """(the watermark file exists, the seq it holds or None when it cannot be read)."""
        try:
            raw = self._path(MARK_NAME).read_bytes()
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

    def _open_mark(self) -> None:
        self._mark_fd = open_private(self._path(MARK_NAME), os.O_RDWR)
        exists, mark = self._read_mark()
        if not exists or mark != self._meta("seq", 0):
            self._set_mark(self._meta("seq", 0))

    def _set_mark(self, seq: int) -> None:
        """Record ``seq`` as the last batch committed (only once it is durable in the database)."""
        if self._mark_fd is None:
            return
        try:
            os.pwrite(self._mark_fd, b"%0*d\n" % (_MARK_WIDTH, seq), 0)
        except OSError:
            pass  # a watermark that lags detects less; failing here would misreport a recorded batch

    def _lost_reasons(self, mark_exists: bool, mark: int | None, seq: int, *, db_existed: bool) -> list[str]:
        problems = []
        if mark_exists and mark is None:
            problems.append(f"{MARK_NAME} is unreadable, so no loss can be ruled out")
        elif mark is not None and mark > seq:
            problems.append(f"{mark - seq} batches of outcomes are missing ({DB_NAME} is older than the last "
                            "outcome recorded: its -wal file removed, or an older copy put back)" if db_existed
                            else f"{DB_NAME} was removed")
        elif not mark_exists and (seq > 0 or self._synced_before()):
            problems.append(f"{MARK_NAME} is missing, so no loss can be ruled out" if db_existed
                            else f"{DB_NAME} and {MARK_NAME} were removed")
        return problems

    def _check_outcomes(self, mark_exists: bool, mark: int | None, *, db_existed: bool) -> None:
        """Compare the database's last batch with the watermark: when batches may be missing, every document
        not synced or voided is marked unknown (``sending``), looked up in QuickBooks before it is sent. A
        writer makes that durable; a reader sees the same in a copy held in memory."""
        recovered = getattr(self, "_migrated_recovery", None)
        if recovered is not None:
            self.recovery = recovered
            return
        if self.recovery is not None or self.migration is not None:
            return  # found while creating the store
        problems = self._lost_reasons(mark_exists, mark, self._seq, db_existed=db_existed)
        if not problems:
            return
        assert self._db is not None
        if self.writer:
            with self._transaction() as conn:
                unknown = self._mark_unknown(conn)
                self._seq = max(self._seq, mark or 0) + 1
                self._set_meta("seq", self._seq)
            self._set_mark(self._seq)
        else:
            memory = sq.connect(":memory:", create=False)
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            self._db.backup(memory)
            self._close_db()
            self._db = memory
            memory.execute("BEGIN")
            unknown = self._mark_unknown(memory)
        self.recovery = Recovery(problems, True, unknown)

    def _mark_unknown(self, conn: sqlite3.Connection) -> int:
        """Mark ``sending`` every document that is not synced or voided (nor already sending). Returns how many
        documents are now unknown."""
        rows = conn.execute(
            "SELECT d.type, d.ref, l.status FROM documents d LEFT JOIN links l ON l.type = d.type AND l.ref = d.ref "
            "WHERE l.status IS NULL OR l.status NOT IN ('synced', 'voided')").fetchall()
        at = now_iso()
        batch = [{"type": t, "ref": r, "status": "sending", "error": RECOVERED_ERROR} for t, r, s in rows
                 if s != "sending"]
        for part in _chunks(batch):
            self._apply_outcomes(conn, part, at)
        return len(rows)

    # ------------------------------------------------------------------ guards
    def _check_open(self) -> None:
        if self._closed:
            raise CacheError("the cache is closed")

    def _require_writer(self) -> None:
        self._check_open()
        if not self.writer:
            raise CacheError("opened read-only")

    @property
    def _conn(self) -> sqlite3.Connection:
        self._check_open()
        assert self._db is not None
        return self._db

    # ------------------------------------------------------------------ documents API
    @staticmethod
    def _record(type_: str, ref: str, rev: int, data: bytes, imported: str | None) -> dict:
        return {"type": type_, "ref": ref, "rev": rev, "data": orjson.loads(data), "imported": imported}

    def get(self, type: str, ref: str) -> dict | None:
        """The stored record ``{"type", "ref", "rev", "data", "imported"}`` (a copy), or None."""
        row = self._conn.execute("SELECT rev, data, imported FROM documents WHERE type = ? AND ref = ?",
                                 (type, ref)).fetchone()
        return None if row is None else self._record(type, ref, row[0], row[1], row[2])

    def party(self, type: str, ref: str) -> str | None:
        """The counterparty the index holds for one document (a contact's name, an invoice's customer:
        :func:`qbtui.cache.index.party_of`), "" when it has none, None when there is no such document: one
        column, no record read."""
        row = self._conn.execute("SELECT party FROM documents WHERE type = ? AND ref = ?", (type, ref)).fetchone()
        return None if row is None else row[0] or ""

    def _paged(self, sql: str, args: tuple, size: int = CHUNK) -> Iterator[tuple]:
        """Rows of ``sql`` (which selects the row id first and has ``AND d.id > ?`` ... ``ORDER BY d.id LIMIT
        ?`` placeholders last), a page at a time: no statement stays open while the caller works."""
        last = -1
        while True:
            rows = self._conn.execute(sql, (*args, last, size)).fetchall()
            yield from rows
            if len(rows) < size:
                return
            last = rows[-1][0]

    def documents(self, type: str | None = None) -> Iterator[dict]:
        """Records (copies) of one type, or of all types, in insertion order, read a page at a time."""
        self._check_open()
        if type is None:
            sql = "SELECT d.id, d.type, d.ref, d.rev, d.data, d.imported FROM documents d WHERE d.id > ? " \
                  "ORDER BY d.id LIMIT ?"
            pages = self._paged(sql, ())
        else:
            sql = "SELECT d.id, d.type, d.ref, d.rev, d.data, d.imported FROM documents d WHERE d.type = ? " \
                  "AND d.id > ? ORDER BY d.id LIMIT ?"
            pages = self._paged(sql, (type,))
        for _, t, r, rev, data, imported in pages:
            yield self._record(t, r, rev, data, imported)

    def documents_and_links(self, type: str | None = None) -> Iterator[tuple[dict, dict[str, Any], Link | None]]:
        """Every record with its status info and link, in insertion order, in one pass (for what must see the
        whole cache, such as the gates that compare documents with each other)."""
        self._check_open()
        where = "d.type = ? AND " if type is not None else ""
        sql = ("SELECT d.id, d.type, d.ref, d.rev, d.data, d.imported, d.status, l.status, l.data FROM documents d "
               f"LEFT JOIN links l ON l.type = d.type AND l.ref = d.ref WHERE {where}d.id > ? ORDER BY d.id LIMIT ?")
        for _, t, r, rev, data, imported, status, link_status, link in self._paged(sql, (type,) if type else ()):
            info = {"status": status, "changed": link_status in ("synced", "summarized") and status == "pending"}
            yield (self._record(t, r, rev, data, imported), info, None if link is None else orjson.loads(link))

    def documents_with_status(self, statuses: Iterable[str], type: str | None = None, *,
                              with_links: bool = False) -> Iterator[dict]:
        """Records of the documents whose status (the cache's: never ``blocked``) is one of ``statuses``, each
        with its ``status`` and ``changed`` (and its ``link``, or None, with ``with_links``); read through the
        (type, status) index: the cost follows the documents returned, not the cache's size."""
        wanted = [s for s in dict.fromkeys(statuses) if s in STATUSES]
        for t in ([type] if type is not None else self.types()):
            for status in wanted:
                sql = ("SELECT d.id, d.ref, d.rev, d.data, d.imported, l.status, l.data FROM documents d LEFT JOIN "
                       "links l ON l.type = d.type AND l.ref = d.ref WHERE d.type = ? AND d.status = ? AND d.id > ? "
                       "ORDER BY d.id LIMIT ?")
                for _, r, rev, data, imported, link_status, link in self._paged(sql, (t, status)):
                    rec = self._record(t, r, rev, data, imported)
                    rec["status"] = status
                    rec["changed"] = link_status in ("synced", "summarized") and status == "pending"
                    if with_links:
                        rec["link"] = None if link is None else orjson.loads(link)
                    yield rec

    def names(self, types: Iterable[str]) -> list[tuple[str, str, str]]:
        """(type, ref, name) of every document of ``types`` that has a counterparty (a contact's or product's
        name: :func:`qbtui.cache.index.party_of`), read from the indexes alone, not a record: what the gates'
        name comparisons need of the contacts and products they do not check."""
        self._check_open()
        out: list[tuple[str, str, str]] = []
        for t in dict.fromkeys(types):
            refs = dict(self._conn.execute("SELECT id, ref FROM documents INDEXED BY documents_key WHERE type = ?",
                                           (t,)))
            out += [(t, refs[i], party) for i, party in self._conn.execute(
                "SELECT id, party FROM documents INDEXED BY documents_party WHERE type = ? AND party IS NOT NULL",
                (t,)) if i in refs]  # (a document a writer added in between is left out)
        return out

    def keys_by_status(self, statuses: Iterable[str], type: str | None = None) -> list[tuple[str, str]]:
        """(type, ref) of the documents whose status is one of ``statuses`` (through the index)."""
        self._check_open()
        wanted = [s for s in dict.fromkeys(statuses) if s in STATUSES]
        out: list[tuple[str, str]] = []
        for t in ([type] if type is not None else self.types()):
            for status in wanted:
                out += [(t, r) for (r,) in self._conn.execute(
                    "SELECT ref FROM documents WHERE type = ? AND status = ? ORDER BY id", (t, status))]
        return out

    def _row_filter(self, type: str, status: str | Iterable[str] | None, text: str | None,
                    date: str | None = None) -> tuple[str, list]:
        where, args = ["d.type = ?"], [type]
        if date:  # a prefix of the ISO date (2026, 2026-11, 2026-11-03): a range of the date index
            where.append("d.date >= ? AND d.date < ?")
            args += [date, date + "\uffff"]
        if status is not None:
            wanted = [status] if isinstance(status, str) else list(status)
            where.append(f"d.status IN ({_marks(len(wanted))})")
            args += wanted
        if text:
            like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            where.append("(d.ref LIKE ? ESCAPE '\\' OR d.party LIKE ? ESCAPE '\\')")
            args += [like, like]
        return " AND ".join(where), args

    def _rows_sql(self, type: str, status: str | Iterable[str] | None, order: str, descending: bool, offset: int,
                  limit: int, filter: str | None, data: bool, date: str | None) -> tuple[str, list]:
        if order not in ROW_ORDERS:
            raise ValueError(f"order must be one of {sorted(ROW_ORDERS)}")
        where, args = self._row_filter(type, status, filter, date)
        direction = "DESC" if descending else "ASC"
        cols = ", d.data" if data else ""
        order_by = f"ORDER BY {ROW_ORDERS[order]} {direction}, d.id {direction}"
        # the page's ids first, from the index alone (the rows an offset skips are index entries, not documents
        # and links read and dropped: 2.4 ms instead of 71 at an offset of 20,000 of a million), then its rows
        sql = (f"SELECT d.ref, d.rev, d.status, d.date, d.party, d.imported, l.status, l.data{cols} FROM "
               f"(SELECT d.id FROM documents d WHERE {where} {order_by} LIMIT ? OFFSET ?) AS page "
               f"JOIN documents d ON d.id = page.id LEFT JOIN links l ON l.type = d.type AND l.ref = d.ref "
               f"{order_by}")
        return sql, [*args, max(0, limit), max(0, offset)]

    def rows(self, type: str, status: str | Iterable[str] | None = None, *, order: str = "date",
             descending: bool = False, offset: int = 0, limit: int = 100, filter: str | None = None,
             data: bool = False, date: str | None = None) -> list[dict[str, Any]]:
        """One page of a sorted, filtered view of one type (the dashboard's visible rows): each row has
        ``type, ref, rev, status, changed, date, party, imported``, the link's ``error`` (or None) and ``qbo_ids``
        (the QBO Ids it is linked to, in the link's order), the ``link`` itself (or None), and ``data`` when asked. ``order``: one of
        :data:`ROW_ORDERS` (ties by insertion); ``filter``: text found in the ref or the counterparty; ``date``: a
        prefix of the document's ISO date (``2026-11``). Sorted by an indexed column (date, party, status,
        inserted), the cost follows the page, not the cache's size."""
        sql, args = self._rows_sql(type, status, order, descending, offset, limit, filter, data, date)
        out = []
        for row in self._conn.execute(sql, args):
            ref, rev, status, date, party, imported, link_status, link = row[:8]
            parsed = orjson.loads(link) if link is not None else {}
            error = parsed.get("error") if status == "failed" else None
            ids = [str(q["id"]) for q in parsed.get("qbo") or () if q.get("id") is not None]
            item = {"type": type, "ref": ref, "rev": rev, "status": status,
                    "changed": link_status in ("synced", "summarized") and status == "pending", "date": date,
                    "party": party, "imported": imported, "error": error, "qbo_ids": ids,
                    "link": parsed if link is not None else None}
            if data:
                item["data"] = orjson.loads(row[8])
            out.append(item)
        return out

    def warm_rows(self, type: str, status: str | Iterable[str] | None = None, *, order: str = "date",
                  descending: bool = False, offset: int = 0, limit: int = 100, filter: str | None = None) -> None:
        """Read what :meth:`rows` would read, with the documents, and keep nothing: the pages come from the disk
        into the system's cache (for another reader's :meth:`rows` soon after), with no row built."""
        sql, args = self._rows_sql(type, status, order, descending, offset, limit, filter, True, None)
        for _ in self._conn.execute(sql, args):
            pass

    def count_rows(self, type: str, status: str | Iterable[str] | None = None, *, filter: str | None = None,
                   date: str | None = None) -> int:
        """How many rows :meth:`rows` has in all (without ``filter`` or ``date``, read from the counts table)."""
        if not filter and not date:
            counts = self.status_counts().get(type, {})
            if status is None:
                return sum(counts.values())
            return sum(counts.get(s, 0) for s in ([status] if isinstance(status, str) else status))
        where, args = self._row_filter(type, status, filter, date)
        return self._conn.execute(f"SELECT count(*) FROM documents d WHERE {where}", args).fetchone()[0]

    def types(self) -> list[str]:
        """Document types present in the cache (in the order they first came)."""
        rows = self._conn.execute("SELECT type, sum(n) FROM counts GROUP BY type HAVING sum(n) > 0").fetchall()
        first = {t: self._conn.execute("SELECT min(id) FROM documents WHERE type = ?", (t,)).fetchone()[0]
                 for t, _ in rows}
        return sorted(first, key=lambda t: first[t])

    def count(self, type: str | None = None) -> int:
        if type is not None:
            row = self._conn.execute("SELECT sum(n) FROM counts WHERE type = ?", (type,)).fetchone()
        else:
            row = self._conn.execute("SELECT sum(n) FROM counts").fetchone()
        return int(row[0] or 0)

    def upsert_documents(self, docs: Sequence[dict]) -> UpsertSummary:
        """Insert or update many documents in one transaction (all or nothing).

        Each dict must carry string ``type`` and ``ref``; it is stored (as JSON) as the
        record's ``data``. Identical data keeps the revision; changed data bumps it. When a
        document appears twice, the last one wins. ``docs`` is read a chunk at a time (a
        :class:`~qbtui.documents.importer.CheckedDocuments` is decoded as it goes).
        """
        self._require_writer()
        with no_gc():
            try:
                return self._upsert(docs, None)
            except _Repeated:  # a document appears twice (rare: the importer refuses that): again, knowing which
                return self._upsert(docs, self._last_occurrences(docs))

    def _upsert(self, docs: Sequence[Any], last: dict[tuple[str, str], int] | None) -> UpsertSummary:
        summary = UpsertSummary()
        seen: set[int] | None = set() if last is None else None
        with self._transaction() as conn:
            self._gated = _gated(conn)
            lookup_new = bool(self._meta("lookup_new", 0))
            # types with no document and no link yet: nothing to look up (what this call adds is never repeated)
            fresh: dict[str, bool] = {}
            now = now_iso()
            chunk: list[tuple[int, Mapping[str, Any]]] = []
            for i, doc in enumerate(docs):
                if not isinstance(doc, Mapping):
                    raise ValueError(f"document #{i} is not a dict")
                t, r = doc.get("type"), doc.get("ref")
                if not isinstance(t, str) or not t or not isinstance(r, str) or not r:
                    raise ValueError(f"document #{i} needs non-empty string 'type' and 'ref'")
                if seen is not None:
                    h = hash((t, r))
                    if h in seen:
                        raise _Repeated
                    seen.add(h)
                elif last.get((t, r), i) != i:  # type: ignore[union-attr]
                    continue  # a later occurrence wins
                chunk.append((i, doc))
                if len(chunk) >= CHUNK:
                    self._upsert_chunk(conn, chunk, now, summary, lookup_new, fresh)
                    chunk = []
            if chunk:
                self._upsert_chunk(conn, chunk, now, summary, lookup_new, fresh)
        return summary

    @staticmethod
    def _last_occurrences(docs: Sequence[Any]) -> dict[tuple[str, str], int]:
        """For the keys that appear more than once, the index of their last occurrence (the one that wins)."""
        hashes: set[int] = set()
        repeated: set[int] = set()
        for doc in docs:
            h = hash((doc["type"], doc["ref"]))
            (repeated if h in hashes else hashes).add(h)
        del hashes
        last: dict[tuple[str, str], int] = {}
        for i, doc in enumerate(docs):
            key = (doc["type"], doc["ref"])
            if hash(key) in repeated:
                last[key] = i
        return last

    def _upsert_chunk(self, conn: sqlite3.Connection, chunk: list[tuple[int, Mapping[str, Any]]], now: str,
                      summary: UpsertSummary, lookup_new: bool, fresh: dict[str, bool]) -> None:
        by_type: dict[str, dict[str, tuple[bytes, Mapping[str, Any]]]] = {}
        for _, doc in chunk:
            t, r = doc["type"], doc["ref"]
            try:
                data = blob(doc)
            except TypeError as exc:
                raise ValueError(f"document {t} {r!r} cannot be stored: {exc}") from None
            by_type.setdefault(t, {})[r] = (data, doc)
        inserts: list[tuple] = []
        updates: list[tuple] = []
        moved: Counter[tuple[str, str]] = Counter()
        new_links: list[dict[str, Any]] = []
        existing_by_type: dict[str, dict[str, tuple]] = {}
        for t, items in by_type.items():
            if t not in fresh:
                fresh[t] = (conn.execute("SELECT 1 FROM documents WHERE type = ? LIMIT 1", (t,)).fetchone() is None
                            and conn.execute("SELECT 1 FROM links WHERE type = ? LIMIT 1", (t,)).fetchone() is None)
            refs = list(items)
            existing: dict[str, tuple] = {}
            existing_by_type[t] = existing
            links: dict[str, tuple] = {}
            if not fresh[t]:
                existing.update({r: (rid, rev, data, status) for rid, r, rev, data, status in conn.execute(
                    f"SELECT id, ref, rev, data, status FROM documents WHERE type = ? AND ref IN ({_marks(len(refs))})",
                    (t, *refs))})
                links = {r: (st, srev, ever) for r, st, srev, ever in conn.execute(
                    f"SELECT ref, status, synced_rev, ever FROM links WHERE type = ? AND ref IN ({_marks(len(refs))})",
                    (t, *refs))}
            for r, (data, doc) in items.items():
                voided = doc.get("voided") is True
                link = links.get(r)
                st, srev, ever = link if link is not None else (None, None, 0)
                old = existing.get(r)
                if old is None:
                    # A document imported again after it was lost continues above the revision its link says
                    # was synced: a change since is then sent as an update, never taken as synced.
                    rev = srev + 1 if type(srev) is int else 1
                    if link is None and lookup_new:
                        st, srev, ever = "sending", None, 0
                        new_links.append({"type": t, "ref": r, "status": "sending", "error": RECOVERED_ERROR})
                    status = document_status(st, srev, bool(ever), rev, voided)
                    inserts.append((t, r, rev, now, data, int(voided), status, date_of(t, doc), party_of(t, doc)))
                    summary.created += 1
                elif old[2] == data:
                    summary.unchanged += 1
                else:
                    rev = old[1] + 1
                    status = document_status(st, srev, bool(ever), rev, voided)
                    updates.append((rev, now, data, int(voided), status, date_of(t, doc), party_of(t, doc), old[0]))
                    if status != old[3]:
                        moved[(t, old[3])] -= 1
                        moved[(t, status)] += 1
                    summary.updated += 1
                    if st in ("synced", "summarized"):
                        summary.changed_after_sync.append((t, r))
        if inserts:
            self._insert_documents(conn, inserts)
        if updates:
            conn.executemany("UPDATE documents SET rev = ?, imported = ?, data = ?, voided = ?, status = ?, date = ?, "
                             "party = ? WHERE id = ?", updates)
            _count(conn, moved)
        if new_links:
            self._apply_outcomes(conn, new_links, now)
        if self._gated and (inserts or updates):
            written = {(row[0], row[1]) for row in inserts}
            by_id = {row[-1] for row in updates}
            written |= {(t, r) for t, items in by_type.items() for r in items
                        if (old := existing_by_type.get(t, {}).get(r)) is not None and old[0] in by_id}
            _stale_gates(conn, written)

    def update_document(self, type: str, ref: str, data: dict) -> None:
        """Replace one document's data (e.g. from a fix form); bumps rev if it changed. Atomic."""
        self._require_writer()
        if data.get("type", type) != type or data.get("ref", ref) != ref:
            raise ValueError("update_document cannot change a document's type or ref")
        full = {**data, "type": type, "ref": ref}
        try:
            new_data = blob(full)
        except TypeError as exc:
            raise ValueError(f"document {type} {ref!r} cannot be stored: {exc}") from None
        with self._transaction() as conn:
            row = conn.execute("SELECT id, rev, data, status FROM documents WHERE type = ? AND ref = ?",
                               (type, ref)).fetchone()
            if row is None:
                raise KeyError(f"no {type} {ref!r} in the cache")
            if row[2] == new_data:
                return
            rev = row[1] + 1
            voided = data.get("voided") is True
            link = conn.execute("SELECT status, synced_rev, ever FROM links WHERE type = ? AND ref = ?",
                                (type, ref)).fetchone()
            st, srev, ever = link if link is not None else (None, None, 0)
            status = document_status(st, srev, bool(ever), rev, voided)
            conn.execute("UPDATE documents SET rev = ?, imported = ?, data = ?, voided = ?, status = ?, date = ?, "
                         "party = ? WHERE id = ?",
                         (rev, now_iso(), new_data, int(voided), status, date_of(type, full), party_of(type, full),
                          row[0]))
            if status != row[3]:
                _count(conn, {(type, row[3]): -1, (type, status): 1})
            if _gated(conn):
                _stale_gates(conn, [(type, ref)])

    def delete_documents(self, types: Iterable[str] | None = None) -> int:
        """Remove the documents of ``types`` (None: every document) and their links, in one transaction.
        Returns how many documents were removed."""
        self._require_writer()
        with self._transaction() as conn:
            gated = _gated(conn)
            if types is None:
                n = conn.execute("DELETE FROM documents").rowcount
                conn.execute("DELETE FROM links")
                conn.execute("DELETE FROM counts")
                if gated:
                    conn.execute("DELETE FROM gates")
                    conn.execute("DELETE FROM gate_deps")
            else:
                n = 0
                for t in dict.fromkeys(types):
                    n += conn.execute("DELETE FROM documents WHERE type = ?", (t,)).rowcount
                    conn.execute("DELETE FROM links WHERE type = ?", (t,))
                    conn.execute("DELETE FROM counts WHERE type = ?", (t,))
                    if gated:
                        conn.execute("DELETE FROM gates WHERE type = ?", (t,))
                        conn.execute("DELETE FROM gate_deps WHERE type = ?", (t,))
                if gated:  # what read them (their names counted, their presence) is computed again
                    conn.execute("UPDATE gates SET valid = 0")
        return n

    # ------------------------------------------------------------------ links API
    def link(self, type: str, ref: str) -> Link | None:
        row = self._conn.execute("SELECT data FROM links WHERE type = ? AND ref = ?", (type, ref)).fetchone()
        return None if row is None else orjson.loads(row[0])

    def links(self, statuses: Iterable[str | None] | None = None, *, runs: Iterable[str] | None = None
              ) -> Iterator[Link]:
        """Every link, in insertion order, read a page at a time; ``statuses``: only links whose own status
        (synced, failed, voided, sending, or None) is one of these; ``runs``: only links last written by one
        of these runs. Both go through an index: the cost follows the links returned."""
        self._check_open()
        where, args = [], []
        if statuses is not None:
            wanted = list(dict.fromkeys(statuses))
            named = [s for s in wanted if s is not None]
            parts = [f"d.status IN ({_marks(len(named))})"] if named else []
            if None in wanted:
                parts.append("d.status IS NULL")
            where.append("(" + (" OR ".join(parts) or "0") + ")")
            args += named
        if runs is not None:
            run_ids = list(dict.fromkeys(runs))
            where.append(f"d.run IN ({_marks(len(run_ids))})")
            args += run_ids
        sql = "SELECT d.id, d.data FROM links d WHERE " + "".join(w + " AND " for w in where) + \
              "d.id > ? ORDER BY d.id LIMIT ?"
        for _, data in self._paged(sql, tuple(args)):
            yield orjson.loads(data)

    def record_outcomes(self, outcomes: Sequence[Outcome], *, json_ready: bool = False) -> None:
        """Record a batch of outcomes in one transaction (all or nothing, durable when this returns).

        Each outcome (:class:`~qbtui.cache.records.Outcome`): ``type``, ``ref`` and any of ``status``
        (synced|failed|voided|sending|conflict), ``qbo`` (list of {entity, id, sync_token}), ``synced_rev``, ``error``
        ({code, message, detail, hint} or None), ``run``. Fields not given keep their value,
        except that a synced outcome without ``synced_rev`` gets the document's current rev;
        a synced/voided outcome without ``error`` clears the error. An event is added to the
        link's ``history`` (last 20 kept). The documents' statuses and the counts change in the same
        transaction. ``json_ready``: the outcomes hold JSON values only (str, int, bool, None, lists and dicts of
        them, as a summary's marks are made): checked, but kept as given rather than copied through JSON first.
        """
        self._require_writer()
        if not outcomes:
            return
        clean = [self._validate_outcome(i, o, json_ready) for i, o in enumerate(outcomes)]
        with self._transaction() as conn:
            self._apply_outcomes(conn, clean, now_iso())
            self._set_meta("seq", self._seq + 1)
        self._seq += 1
        self._set_mark(self._seq)

    def _apply_outcomes(self, conn: sqlite3.Connection, outcomes: Sequence[Mapping[str, Any]], at: str) -> None:
        """The outcomes in order, as if one at a time (a document given twice: the second applies to the first's
        link), with the documents and links read a chunk of keys at a time and written with executemany (a
        summary marks thousands of documents in one batch)."""
        keys = list(dict.fromkeys((o["type"], o["ref"]) for o in outcomes))
        docs: dict[tuple[str, str], list[Any]] = {}
        links: dict[tuple[str, str], dict[str, Any]] = {}
        by_type: dict[str, list[str]] = {}
        for t, r in keys:
            by_type.setdefault(t, []).append(r)
        for t, refs in by_type.items():
            for part in _chunks(refs, 400):
                marks = _marks(len(part))
                for ref, *row in conn.execute(f"SELECT ref, id, rev, voided, status FROM documents WHERE type = ? "
                                              f"AND ref IN ({marks})", (t, *part)):
                    docs[t, ref] = row
                for ref, data in conn.execute(f"SELECT ref, data FROM links WHERE type = ? AND ref IN ({marks})",
                                              (t, *part)):
                    links[t, ref] = orjson.loads(data)
        written: dict[tuple[str, str], dict[str, Any]] = {}
        deltas: dict[tuple[str, str], int] = {}
        for o in outcomes:
            t, r = key = o["type"], o["ref"]
            doc = docs.get(key)
            if o.get("status") in ("synced", "summarized") and "synced_rev" not in o and doc is not None:
                o = {**o, "synced_rev": doc[1]}  # synced (or summarized) = the current revision was sent
            link = links.get(key)
            link = links[key] = written[key] = apply_outcome(_new_link(t, r) if link is None else link, o, at)
            if doc is not None:
                status = document_status(link["status"], link["synced_rev"], _ever(link), doc[1], bool(doc[2]))
                if status != doc[3]:
                    deltas[(t, doc[3])] = deltas.get((t, doc[3]), 0) - 1
                    deltas[(t, status)] = deltas.get((t, status), 0) + 1
                    doc[3] = status
                    doc.append(True)  # its row is written below
        conn.executemany("INSERT INTO links(status, synced_rev, ever, run, data, type, ref) VALUES(?,?,?,?,?,?,?) "
                         "ON CONFLICT(type, ref) DO UPDATE SET status = excluded.status, synced_rev = "
                         "excluded.synced_rev, ever = excluded.ever, run = excluded.run, data = excluded.data",
                         [_link_row(link) for link in written.values()])
        conn.executemany("UPDATE documents SET status = ? WHERE id = ?",
                         [(doc[3], doc[0]) for doc in docs.values() if len(doc) > 4])
        _count(conn, deltas)
        if outcomes and _gated(conn):
            _stale_gates(conn, {(o["type"], o["ref"]) for o in outcomes})

    @staticmethod
    def _validate_outcome(i: int, o: Any, json_ready: bool = False) -> Outcome:
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
            o = {**o, "error": {**{k: err.get(k) for k in ERROR_FIELDS},
                                **{k: err[k] for k in OPTIONAL_ERROR_FIELDS if err.get(k)}}}
        if "run" in o and o["run"] is not None and not isinstance(o["run"], str):
            raise ValueError(f"outcome #{i} ({t} {r!r}): run must be a string or None")
        if json_ready:
            return o
        try:
            return normalize(o)
        except TypeError as exc:
            raise ValueError(f"outcome #{i} ({t} {r!r}) cannot be stored: {exc}") from None

    def compact(self) -> None:
        """Copy the write-ahead log into the database and empty it (``wal_checkpoint(TRUNCATE)``); it also
        happens on its own as the log grows, and on close."""
        self._require_writer()
        self._checkpoint("TRUNCATE")

    def _checkpoint(self, mode: str) -> None:
        """A checkpoint that never waits for readers (a reader's snapshot keeps the part of the log it needs;
        the rest is copied now and the log is reset later)."""
        assert self._db is not None
        self._db.execute("PRAGMA busy_timeout = 0")
        try:
            self._db.execute(f"PRAGMA wal_checkpoint({mode})").fetchall()
        finally:
            self._db.execute("PRAGMA busy_timeout = 10000")

    # ------------------------------------------------------------------ status
    def _status_row(self, type_: str, ref: str) -> tuple[str, bool] | None:
        row = self._conn.execute(
            "SELECT d.status, l.status FROM documents d LEFT JOIN links l ON l.type = d.type AND l.ref = d.ref "
            "WHERE d.type = ? AND d.ref = ?", (type_, ref)).fetchone()
        if row is not None:
            return row[0], row[1] == "synced" and row[0] == "pending"
        link = self._conn.execute("SELECT status, synced_rev, ever FROM links WHERE type = ? AND ref = ?",
                                  (type_, ref)).fetchone()
        if link is None:
            return None
        status = document_status(link[0], link[1], bool(link[2]), None, False)
        return status, link[0] == "synced" and status == "pending"

    def status_info(self, type: str, ref: str) -> dict[str, Any]:
        """``{"status": ..., "changed": bool}``; changed = synced before, data changed since."""
        found = self._status_row(type, ref)
        if found is None:
            raise KeyError(f"no {type} {ref!r} in the cache")
        return {"status": found[0], "changed": found[1]}

    def status_of(self, type: str, ref: str) -> str:
        """pending | failed | conflict | skipped | synced | summarized | voided (blocked is the caller's overlay)."""
        return self.status_info(type, ref)["status"]

    def status_counts(self) -> dict[str, dict[str, int]]:
        """Per document type, the count of each of the eight statuses (blocked is always 0): one small query of
        the counts table, which every write keeps current in its own transaction."""
        result: dict[str, dict[str, int]] = {}
        for type_, status, n in self._conn.execute("SELECT type, status, n FROM counts WHERE n > 0 ORDER BY type"):
            result.setdefault(type_, dict.fromkeys(STATUSES, 0))[status] = n
        return result

    # ------------------------------------------------------------------ gate results (qbtui.sync.gatestore)
    def has_gate_store(self) -> bool:
        """Does this store keep gate results (not a store of the layout before, read before a writer upgraded it)?"""
        return self._conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'gates'").fetchone() is not None

    def gate_rows(self) -> list[tuple]:
        """Every pending document with its stored gate result, if any, through the (type, status) index:
        (type, ref, rev, result rev, ctx, valid, status, reasons, sort); the last six None without a result."""
        out: list[tuple] = []
        types = [t for (t,) in self._conn.execute("SELECT type FROM counts WHERE status = 'pending' AND n > 0 ORDER BY type")]
        for t in types:
            out += self._conn.execute(
                "SELECT d.type, d.ref, d.rev, g.rev, g.ctx, g.valid, g.status, g.reasons, g.sort FROM documents d "
                "LEFT JOIN gates g ON g.type = d.type AND g.ref = d.ref WHERE d.type = ? AND d.status = 'pending'",
                (t,)).fetchall()
        return out

    def gate_counts(self, ctx: str) -> tuple[dict[tuple[str, str], int], int]:
        """The stored gate results of the pending documents counted by (type, status), when they are current
        (computed at the document's rev, still valid, with context ``ctx``), and how many are not."""
        counts: dict[tuple[str, str], int] = {}
        stale = 0
        types = [t for (t,) in self._conn.execute("SELECT type FROM counts WHERE status = 'pending' AND n > 0")]
        for t in types:  # a type at a time: through the (type, status) index
            for status, n in self._conn.execute(
                    "SELECT CASE WHEN g.rev = d.rev AND g.ctx = ? AND g.valid THEN g.status END, count(*) FROM "
                    "documents d LEFT JOIN gates g ON g.type = d.type AND g.ref = d.ref WHERE d.type = ? AND "
                    "d.status = 'pending' GROUP BY 1", (ctx, t)):
                if status is None:
                    stale += n
                else:
                    counts[(t, status)] = n
        return counts, stale

    def gate_readers(self, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """The documents whose stored gate result read one of ``keys``."""
        out: set[tuple[str, str]] = set()
        for t, r in keys:
            out.update(self._conn.execute("SELECT type, ref FROM gate_deps WHERE dep_type = ? AND dep_ref = ?",
                                          (t, r)).fetchall())
        return out

    def prune_gate_deps(self) -> int:
        """Forget what documents without a stored result read (their result was dropped when they or their
        link were written); returns how many rows went."""
        self._require_writer()
        with self._transaction() as conn:
            return conn.execute("DELETE FROM gate_deps WHERE NOT EXISTS (SELECT 1 FROM gates g WHERE g.type = "
                                "gate_deps.type AND g.ref = gate_deps.ref)").rowcount

    def store_gates(self, rows: Sequence[tuple], deps: Mapping[tuple[str, str], Iterable[tuple[str, str]]]) -> None:
        """Store gate results, (type, ref, rev, ctx, status, reasons, sort) each (valid), and what each read
        (replacing what it read before), in one transaction. Only for a document still at that rev: a result
        computed from an older view is dropped."""
        self._require_writer()
        with self._transaction() as conn:
            for part in _chunks(list(rows)):
                keys = [(row[0], row[1]) for row in part]
                revs = {}
                for t in {k[0] for k in keys}:
                    refs = [r for kt, r in keys if kt == t]
                    revs.update({(t, r): rev for r, rev in conn.execute(
                        f"SELECT ref, rev FROM documents WHERE type = ? AND ref IN ({_marks(len(refs))})", (t, *refs))})
                part = [row for row in part if revs.get((row[0], row[1])) == row[2]]
                keys = [(row[0], row[1]) for row in part]
                conn.executemany("DELETE FROM gate_deps WHERE type = ? AND ref = ?", keys)
                conn.executemany("INSERT INTO gates(type, ref, rev, ctx, valid, status, reasons, sort) "
                                 "VALUES(?, ?, ?, ?, 1, ?, ?, ?) ON CONFLICT(type, ref) DO UPDATE SET rev = excluded.rev, "
                                 "ctx = excluded.ctx, valid = 1, status = excluded.status, reasons = excluded.reasons, "
                                 "sort = excluded.sort", part)
                conn.executemany("INSERT OR IGNORE INTO gate_deps(dep_type, dep_ref, type, ref) VALUES(?, ?, ?, ?)",
                                 [(dt, dr, t, r) for t, r in keys for dt, dr in deps.get((t, r), ())])

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

    def delete_setting(self, key: str) -> bool:
        """Forget a stored setting (its default applies again); False when it was not stored."""
        self._require_writer()
        removed = self._state.table("settings").remove(Query().key == key)
        self._flush_state()
        return bool(removed)

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
