"""qbtui's local store: one folder per profile, TinyDB files written crash-safely.

Layout of ``<data_dir>/profiles/<name>/`` (``data_dir`` defaults to :func:`default_data_dir`)::

    documents.json   TinyDB, one table per document type; record =
                     {"ref", "rev", "data", "imported"}
    links.json       TinyDB snapshot of sync links: tables "links" and "meta" ({"seq": n})
    outcomes.jsonl   append-only journal of outcome batches since that snapshot
    outcomes.seq     watermark: the seq of the last batch appended (detects a journal cut short or removed)
    state.json       TinyDB: meta (schema_version, created_by), settings, runs, reference
    writer.lock      flock'd by the one writer; holds its pid, command and start time

Why this shape. TinyDB rewrites its whole file on each write, so:

* All three TinyDB files go through :class:`~qbtui.cache.storage.MemoryStorage`: parsed
  once with orjson, kept in memory, written only on an explicit flush, atomically (temp
  file in the same folder, fsync, ``os.replace``, fsync of the folder). A bulk upsert of N
  documents is one ``insert_multiple``/``update`` per type and one flush, so a 100k import
  is one atomic file replace: after ``kill -9`` the file is wholly old or wholly new.
* Improvements over the first sketch, for 100k documents within the memory/time budget:
  documents.json and links.json are written one record per line (still plain JSON that
  TinyDB reads) and loaded record by record, never as one big tree; in memory each
  document's ``data`` (and each link) is kept as its canonical JSON bytes (sorted keys),
  which is ~5x smaller than dicts, makes "unchanged?" a bytes comparison, and is written
  back verbatim. Records handed out are parsed copies. Files in TinyDB's own layout are
  still read (slower path).
* Sync outcomes arrive in small batches while a sync runs; rewriting a 100k-link file per
  batch would be too slow. Each batch is one line of ``outcomes.jsonl`` (one ``write`` +
  fsync) carrying a monotonically increasing ``seq``. On open we load the snapshot and
  replay lines whose seq is newer; an incomplete/unparsable *last* line is a torn write and
  is ignored (a writer truncates it away before appending). Because a batch is one line,
  a batch is present whole or not at all, and the present batches are a prefix.
  The writer compacts (atomic rewrite of links.json with the last seq, then an atomic
  swap of the journal for an empty file) on close and whenever the journal passes
  ``Cache.JOURNAL_COMPACT_BYTES`` (8 MiB). A crash between the two steps is harmless:
  replay skips lines with seq <= snapshot seq.
* Damage from outside (a garbage line, a tail cut at a line boundary or zero-filled, a
  removed journal or snapshot, an unreadable watermark) never stops an open and never makes
  a document look unsent when it could be in QuickBooks: what can be read is kept, and when
  the watermark shows batches missing (or the snapshot is lost, or nothing can be checked)
  every document not synced or voided is marked ``sending``, so the sync engine looks it up
  in QuickBooks before sending it. A writer makes that durable (copies of damaged files kept
  as ``NAME.damaged-...``), a reader sees the same; ``Cache.recovery`` says what was found.
  documents.json and state.json, replaced whole on each change, refuse to open when
  damaged, with advice that keeps every link (``CacheCorrupt``).
* state.json is small and written atomically on each change.
* Readers take no lock. Every file is replaced atomically and the journal tolerates a
  torn tail. A reader opens the journal *before* reading links.json; since compaction
  swaps in a new journal file instead of truncating, the journal it holds always covers
  the snapshot it reads. A reader sees the state at open (:meth:`Cache.reload` refreshes).
* One writer per profile: ``flock(LOCK_EX | LOCK_NB)`` on ``writer.lock`` for the writer's
  lifetime; a second writer immediately gets :class:`CacheLocked` naming the holder. The
  lock dies with the process, so a killed writer leaves no stale lock.

Statuses (mutually exclusive): the cache computes ``pending`` (no link, or "sending": outcome
unknown, looked up in QuickBooks before any resend, or a synced document whose rev changed
since -> ``changed: true``), ``failed``, ``synced``,
``voided`` (link voided) and ``skipped`` (data has ``voided: true`` and it was never
synced). ``blocked`` is never produced here: the caller overlays gate results (and may turn
more documents into ``skipped``). ``status_counts`` always lists all six words.

Records returned by the API are copies; mutating them does not change the cache. Stored
values go through JSON: Decimal becomes a string, date/datetime ISO strings.
Costs to know: ``update_document`` rewrites documents.json (~0.3 s at 100k documents);
``record_outcomes`` is one small fsync'd append; state.json changes rewrite that small file.
"""

from .errors import CacheCorrupt, CacheError, CacheLocked
from .paths import default_data_dir, profile_dir, validate_profile_name
from .records import ChangedObject, ErrorRecord, Link, LinkEvent, LinkStatus, Outcome, QBOPart, Run, RunObject
from .store import SCHEMA_VERSION, STATUSES, Cache, Recovery, StateReader, UpsertSummary

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
