"""The SQLite file of the store, ``documents.sqlite``: its schema, how it is opened (private modes, WAL,
``synchronous=FULL``) and checked, and how SQLite's failures become qbtui's errors."""

from __future__ import annotations

import errno
import os
import sqlite3
import time
from pathlib import Path

from qbtui.private import FILE_MODE, open_private

from .errors import CacheCorrupt

DB_NAME = "documents.sqlite"
SIDE_FILES = ("-wal", "-shm")
#: the layout of documents.sqlite (meta store_version): 2 added the gate results (GATES_SCHEMA), 3 the index of
#: (type, status, date) (LAYOUT_3: a view of a few statuses sorted by date in SQL)
STORE_VERSION = 3
HEADER = b"SQLite format 3\x00"
#: 16 KiB pages: a million-document import writes a third less and commits faster than with 4 KiB
PAGE_SIZE = 16384
#: page cache of the writer (KiB, negative as SQLite wants it) and of a reader
WRITER_CACHE = -131072
READER_CACHE = -32768

#: What to do about a damaged documents.sqlite: ways out that keep the links to QuickBooks where they can.
DB_ADVICE = ("restore it from a copy if you have one, or rebuild it with SQLite's own tool (`sqlite3 FILE "
             ".recover | sqlite3 NEW` keeps every readable document and link; move NEW in its place); failing that, "
             "move it aside and import the documents again: the run log shows outcomes were recorded, so every "
             "document is then looked up in QuickBooks before anything is sent (`qbtui repair` links them now) "
             "and nothing already sent is created again")

SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE documents(
    id INTEGER PRIMARY KEY,
    type TEXT NOT NULL,
    ref TEXT NOT NULL,
    rev INTEGER NOT NULL,
    imported TEXT,
    data BLOB NOT NULL,          -- canonical JSON (storage.blob): "unchanged?" is a bytes comparison
    voided INTEGER NOT NULL,     -- data says "voided": true
    status TEXT NOT NULL,        -- status.document_status, kept current by every write of it or its link
    date TEXT,                   -- index.date_of
    party TEXT                   -- index.party_of
);
CREATE UNIQUE INDEX documents_key ON documents(type, ref);
CREATE INDEX documents_type ON documents(type);
CREATE INDEX documents_status ON documents(type, status);
CREATE INDEX documents_date ON documents(type, date);
CREATE INDEX documents_party ON documents(type, party);
CREATE TABLE links(
    id INTEGER PRIMARY KEY,
    type TEXT NOT NULL,
    ref TEXT NOT NULL,
    status TEXT,
    synced_rev INTEGER,
    ever INTEGER NOT NULL,       -- ever synced: it has QuickBooks ids or a synced revision
    run TEXT,
    data BLOB NOT NULL           -- the whole link (records.Link) as canonical JSON: qbo, error, run, history
);
CREATE UNIQUE INDEX links_key ON links(type, ref);
CREATE INDEX links_status ON links(status);
CREATE INDEX links_run ON links(run);
-- documents per (type, status), changed by the same transaction as the rows it counts (store.py: _count)
CREATE TABLE counts(type TEXT NOT NULL, status TEXT NOT NULL, n INTEGER NOT NULL,
                    PRIMARY KEY(type, status)) WITHOUT ROWID;
"""
#: The gates' result of pending documents as last computed (qbtui.sync.gatestore), and what each read. A row is
#: current while ``valid`` and its ``rev`` and ``ctx`` (a digest of the settings, the QBO reference data and the
#: gates' code) are the document's and the profile's; the store clears a document's own row and marks not valid
#: the rows of the documents that read it, in the same transaction as it writes the document or its link.
GATES_SCHEMA = """
CREATE TABLE gates(
    type TEXT NOT NULL,
    ref TEXT NOT NULL,
    rev INTEGER NOT NULL,        -- the document's rev when computed
    ctx TEXT NOT NULL,           -- the context digest when computed
    valid INTEGER NOT NULL,      -- 0: what it read changed since (its status kept: compared when recomputed)
    status TEXT NOT NULL,        -- pending | blocked | skipped ("" for a type the gates do not know)
    reasons BLOB NOT NULL,       -- JSON list of reasons (ledger.gates.Reason.to_json)
    sort TEXT NOT NULL,          -- JSON [rank, date, ref]: the sending order
    PRIMARY KEY(type, ref)
) WITHOUT ROWID;
-- (dep_type, dep_ref): a document the gates of (type, ref) read (present or not)
CREATE TABLE gate_deps(dep_type TEXT NOT NULL, dep_ref TEXT NOT NULL, type TEXT NOT NULL, ref TEXT NOT NULL,
                       PRIMARY KEY(dep_type, dep_ref, type, ref)) WITHOUT ROWID;
CREATE INDEX gate_deps_doc ON gate_deps(type, ref);
"""
SCHEMA += GATES_SCHEMA
#: a view of one status of a type (the pending view, status:failed) sorted by date (ties by insertion: the rowid
#: every index ends with) read in order from this index, a page at a time, whatever the history's size
LAYOUT_3 = """
CREATE INDEX documents_status_date ON documents(type, status, date);
"""
SCHEMA += LAYOUT_3


def statements(script: str) -> list[str]:
    """The statements of ``script`` one by one (``executescript`` would commit the transaction they belong to)."""
    out, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            out.append(current.strip())
            current = ""
    return out


def disk_error(exc: sqlite3.Error, path: Path) -> OSError:
    """A write SQLite could not make, as the OSError the command line reports in one line, naming the file and
    the cause. SQLite does not pass the system's errno on, so the cause is told from its error code and the
    state of the folder: a full disk (SQLITE_FULL), a read-only file system, a folder qbtui may not write in,
    a file-size limit (``ulimit -f``) in force."""
    import resource

    code = getattr(exc, "sqlite_errorname", "") or ""
    folder = Path(path).parent
    err = errno.EIO
    try:
        if code == "SQLITE_FULL":
            err = errno.ENOSPC
        elif os.statvfs(folder).f_flag & os.ST_RDONLY:
            err = errno.EROFS
        elif not os.access(folder, os.W_OK) or not os.access(path, os.W_OK):
            err = errno.EACCES
        elif code.startswith("SQLITE_IOERR") and resource.getrlimit(resource.RLIMIT_FSIZE)[0] != \
                resource.RLIM_INFINITY:
            err = errno.EFBIG
    except OSError:
        pass
    what = os.strerror(err) if err != errno.EIO else f"it could not be written ({exc})"
    return OSError(err, what, str(path))


def is_disk_error(exc: sqlite3.Error) -> bool:
    """A write refused by the system (not damage: SQLITE_CORRUPT and SQLITE_NOTADB are CacheCorrupt's)."""
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    code = getattr(exc, "sqlite_errorname", "") or ""
    if code:
        return code.startswith(("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_READONLY", "SQLITE_PERM"))
    text = str(exc).lower()
    return "malformed" not in text and any(w in text for w in ("disk", "readonly", "read-only", "unable to open"))


def check_header(path: Path) -> bool:
    """False when the file is missing or empty (a profile being created); CacheCorrupt when it is not a
    SQLite file."""
    try:
        with open(path, "rb") as f:
            head = f.read(len(HEADER))
    except FileNotFoundError:
        return False
    if not head:
        return False
    if head != HEADER:
        raise CacheCorrupt(path, "not a SQLite database", DB_ADVICE)
    # A checkpoint writes page 1 (with the new page count) before the pages that grow the file, so a reader can
    # see a header ahead of the file for a moment, and a writer killed mid-checkpoint leaves it so until SQLite
    # replays the write-ahead log on the next open: with frames in the -wal the size says nothing; without, only
    # a file short on several reads is cut short.
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return True
    for attempt in range(CUT_SHORT_READS):
        if not _short(path):
            return True
        time.sleep(0.02 * (attempt + 1))
    raise CacheCorrupt(path, "it is shorter than SQLite says it is: cut short", DB_ADVICE)


#: How many times a file must look shorter than its header says before it is called cut short (about 1 s in all).
CUT_SHORT_READS = 10


def _short(path: Path) -> bool:
    with open(path, "rb") as f:
        header = f.read(100)
    if len(header) < 100:
        return True
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    valid = header[24:28] == header[92:96]  # the size in the header is valid (SQLite's file format, 1.3.7)
    return valid and os.path.getsize(path) < pages * page_size


def connect(path: Path | str, *, create: bool) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL, ``synchronous=FULL`` (a committed
    batch survives a power cut) and a busy timeout. ``create``: make the file first, 0600 (SQLite gives its
    -wal and -shm side files the mode of the database file)."""
    if create and path != ":memory:":
        os.close(open_private(path, os.O_RDWR))
    elif path != ":memory:" and os.stat(path).st_mode & 0o077:
        os.chmod(path, FILE_MODE)
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=10.0)
    try:
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute(f"PRAGMA cache_size = {READER_CACHE}")
        conn.execute("PRAGMA journal_size_limit = 67108864")
    except BaseException:
        conn.close()
        raise
    return conn


def tighten_side_files(path: Path) -> None:
    """Side files made by an older SQLite or another umask: 0600 like the database."""
    for suffix in SIDE_FILES:
        side = Path(f"{path}{suffix}")
        try:
            if side.stat().st_mode & 0o077:
                os.chmod(side, FILE_MODE)
        except OSError:
            pass
