"""qbtui's local store: one folder per profile; documents and links in SQLite, small state in TinyDB.

Layout of ``<data_dir>/profiles/<name>/`` (``data_dir`` defaults to :func:`default_data_dir`)::

    documents.sqlite  SQLite (stdlib sqlite3), WAL journal: tables documents, links, counts, meta, and the
                      gates' results (gates, gate_deps: below)
                      (+ documents.sqlite-wal / -shm while in use; all three 0600)
    outcomes.mark     watermark: the seq of the last outcome batch committed (detects a database that went back)
    documents.checked the database's size, mtime and inode as the last writer left them on close
    state.json        TinyDB: meta (schema_version, created_by), settings, runs, reference
    writer.lock       flock'd by the one writer; holds its pid, command and start time
    backup-<stamp>/   (private) the files of the release before, moved there by the migration (below)

Why this shape. The cost of a command follows the work in hand, not the years of history: nothing is loaded
whole. Each document is a row (type, ref, rev, imported, data, voided, status, date, party) and each link a row
(type, ref, status, synced_rev, ever synced, run, data); indexes on (type, ref), (type, status), (type, date),
(type, party) and the links' (type, ref) and status serve ``get``, ``status_of``, the documents of some
statuses (:meth:`Cache.documents_with_status`, :meth:`Cache.keys_by_status`), one sorted, filtered page of a
type (:meth:`Cache.rows`), and ``status_counts``, which reads the small ``counts`` table (type, status, n) that
every write changes in the same transaction as the rows it counts (by deltas the store computes as it writes:
an SQLite trigger per row cost 26 us, three times the insert itself). The status column is the one
rule, :func:`qbtui.cache.status.document_status`, recomputed whenever a document or its link is written.
``data`` is the canonical JSON of :func:`qbtui.cache.storage.blob`, so "unchanged?" is a bytes comparison and
a record read is one ``orjson.loads``. SQLite was chosen because its atomic commit is the very promise this
cache makes, it is in Python's standard library on every machine, and it answers the questions above through
indexes; the date and counterparty fields are named per kind in :mod:`qbtui.cache.index`.

* All or nothing: ``upsert_documents`` (a whole import, read a chunk at a time), ``update_document``,
  ``record_outcomes`` (one batch) and ``delete_documents`` are each one transaction, ``synchronous=FULL``: once
  one returns it survives a kill or a power cut; a kill before that leaves the state before it (SQLite's
  write-ahead log: an uncommitted tail is ignored on the next open). Nothing is ever half written.
* One writer per profile: ``flock(LOCK_EX | LOCK_NB)`` on ``writer.lock`` for the writer's lifetime; a second
  writer immediately gets :class:`CacheLocked` naming the holder. The lock dies with the process. Readers take
  no lock: each holds one read transaction from open (or :meth:`Cache.reload`) to close, so it sees one
  consistent state (whole batches forming a prefix) while the writer goes on.
* A record of outcomes that went back in time (documents.sqlite's -wal removed after a killed writer, an older
  copy put back, the file removed or moved aside) is found by the watermark ``outcomes.mark``, written after
  each batch commits (it may lag after a power cut, never lead; a missing or unreadable one, with outcomes
  recorded, cannot rule a loss out): every document not synced or voided is then marked ``sending`` (unknown:
  the sync engine looks it up in QuickBooks before sending it), and when the database itself is gone the
  documents imported again are marked so too. A writer makes that durable, a reader sees the same (in a copy
  held in memory); ``Cache.recovery`` says what was found.
* A damaged database (not a SQLite file, shorter than its header says, or failing ``PRAGMA quick_check`` when a
  writer opens it; the check reads the whole file, about 1 s at a million documents, so it is skipped when
  the files are exactly as the last writer left them on close: ``documents.checked``) refuses to open with
  :class:`CacheCorrupt`, whose advice keeps the links where it can (a
  copy; SQLite's ``.recover``; else move it aside and import again: everything is then looked up before a
  send). A damaged state.json refuses too, with advice that keeps every link.
* state.json is small and written atomically on each change (:class:`~qbtui.cache.storage.MemoryStorage`).
* Migration: a profile of the release before (documents.json, links.json + outcomes.jsonl + outcomes.seq, read
  by :mod:`qbtui.cache.legacy` with that release's rules, recovery included) is migrated the first time a
  writer opens it, once, in the same transaction that creates the database; then the old files are moved into
  ``backup-<stamp>/`` and ``Cache.migration`` says so (the command line prints it). A reader on such a profile
  takes the writer lock to migrate it; when another process holds the lock, or the folder is not writable, it
  refuses with a message saying what is wrong and what to do.

The gates' result of each pending document is kept too (tables ``gates`` and ``gate_deps``, computed and
read by :mod:`qbtui.sync.gatestore`: the cache cannot run the gates, which sit above it): each with the
document's rev, a digest of the settings and QBO reference data it was computed with, and the documents it read.
Every write of a document or its link, in the same transaction, drops that document's own result and marks not
valid the results that read it, and those of the contacts or products sharing its name space (the gates compare
names); a store of layout 1 gets the two tables (empty) when a writer opens it.

Statuses (mutually exclusive): the cache computes ``pending`` (no link, or "sending": outcome
unknown, looked up in QuickBooks before any resend, or a synced document whose rev changed
since -> ``changed: true``), ``failed``, ``synced``,
``voided`` (link voided) and ``skipped`` (data has ``voided: true`` and it was never
synced). ``blocked`` is never produced here: the caller overlays gate results (and may turn
more documents into ``skipped``). ``status_counts`` always lists all six words.

Records returned by the API are copies; mutating them does not change the cache. Stored
values go through JSON: Decimal becomes a string, date/datetime ISO strings.
Costs to know (tests/bench/bench_cache.py --compare): ``get``, ``status_of``, ``status_counts``,
``update_document`` and a batch of outcomes cost about the same at 10,000 as at 1,000,000 documents; ``documents()`` and ``links()`` stream the whole history a page at a time (what must see
everything, such as the gates that compare documents, uses :meth:`Cache.documents_and_links`: one pass).
"""

from .errors import CacheCorrupt, CacheError, CacheLocked
from .paths import default_data_dir, profile_dir, validate_profile_name
from .records import ChangedObject, ErrorRecord, Link, LinkEvent, LinkStatus, Outcome, QBOPart, Run, RunObject
from .store import SCHEMA_VERSION, STATUSES, Cache, Migration, Recovery, StateReader, UpsertSummary

__all__ = [
    "Cache",
    "CacheCorrupt",
    "CacheError",
    "CacheLocked",
    "ChangedObject",
    "ErrorRecord",
    "Link",
    "LinkEvent",
    "LinkStatus",
    "Migration",
    "Outcome",
    "QBOPart",
    "Recovery",
    "Run",
    "RunObject",
    "SCHEMA_VERSION",
    "StateReader",
    "STATUSES",
    "UpsertSummary",
    "default_data_dir",
    "profile_dir",
    "validate_profile_name",
]
