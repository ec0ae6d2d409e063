"""The gates' results kept in the store, computed again only where something they read changed.

``qbtui status``, ``qbtui errors`` and the dashboard's ``qbtui gates`` ask for the gate result of every pending
document. Each result is stored (documents.sqlite, tables ``gates`` and ``gate_deps``: qbtui.cache.db) with the
document's rev, a digest of its context (:func:`context_stamp`: the settings, the QBO reference data a pull
stores, the gates' own code) and the documents it read (its references, present or not, and their statuses and
links). The store itself, in the same transaction as it writes a document or its link, drops that document's
result and marks not valid the results that read it, and those of every contact or product of the same name
space (the gates compare names). A reader then uses every current result and computes only the others
(with what depended on a result that changed: a dependency blocked, skipped or no longer); a writer stores what
it computed (the command line's writers do so as they close: :func:`refresh`). Without anything pending nothing
is read at all. This module imports neither the ledger nor the plan unless something must be computed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from qbtui.cache import Cache
from qbtui.settings import Settings

#: the QBO reference data the gates read (qbtui.sync.plan._state reads these; tests/sync/test_gate_store.py checks)
GATE_REFERENCE = ("accounts", "tax_codes", "tax_rates", "terms", "classes", "departments", "preferences",
                  "company_info", "customers", "vendors", "items")
#: a writer closing computes and stores the results it left out of date when there are at most this many (the
#: first import of a long history leaves them to the first sync's readers)
REFRESH_MAX = 20_000

Key = tuple[str, str]
_code: bytes | None = None


def _code_stamp() -> bytes:
    """The gates' code as installed (size and mtime of the ledger's and the plan's modules, and the version): a
    result computed by other code is not current."""
    global _code
    if _code is None:
        from qbtui import __version__

        root = Path(__file__).resolve().parents[1]
        parts = [__version__.encode()]
        for path in sorted([*root.joinpath("ledger").glob("*.py"), root / "sync" / "plan.py",
                            root / "sync" / "gatestore.py", root / "settings.py",
                            *root.joinpath("documents").glob("*.py")]):
            try:
                st = path.stat()
            except OSError:
                continue
            parts.append(b"%s %d %d" % (path.name.encode(), st.st_size, st.st_mtime_ns))
        _code = b"\n".join(parts)
    return _code


def context_stamp(cache: Cache) -> str:
    """A digest of what every gate result shares: the settings in force, the QBO reference data, the code."""
    h = hashlib.blake2b(digest_size=16)
    h.update(_code_stamp())
    h.update(repr(Settings.from_stored(cache.settings())).encode())
    h.update(orjson.dumps({k: cache.reference(k, None) for k in GATE_REFERENCE}, option=orjson.OPT_SORT_KEYS))
    return h.hexdigest()


class _Plain:
    """A stored reason as the gates' Reason answers it (code, message, hint, field, family, to_json), for the
    callers that only count statuses or print the reasons: no ledger to import."""

    __slots__ = ("code", "message", "hint", "field", "family")

    def __init__(self, code: str, message: str, hint: str, field: str = "", family: str = "other") -> None:
        self.code, self.message, self.hint, self.field, self.family = code, message, hint, field, family

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "hint": self.hint, "field": self.field,
                "family": self.family}


def _reasons(blob: bytes, plain: bool) -> list[Any]:
    items = orjson.loads(blob)
    if not items:
        return []
    if plain:
        return [_Plain(r["code"], r["message"], r["hint"], r.get("field", ""), r.get("family", "other")) for r in items]
    from qbtui.ledger.gates import Reason

    return [Reason(**r) for r in items]


def gate_statuses(cache: Cache, *, plain: bool = False) -> dict[Key, tuple[str, list[Any]]]:
    """For every pending document: ("pending" | "blocked" | "skipped", reasons), in sending order, equal to what
    :func:`qbtui.sync.plan.gate_statuses` computes afresh: the stored results that are current, the others
    computed (and stored when ``cache`` is the writer). ``plain``: the reasons as light objects with
    the same fields and ``to_json`` (no ledger imported when every result is current)."""
    if not any(c.get("pending") for c in cache.status_counts().values()):
        return {}
    if not cache.has_gate_store():  # a store of the layout before, read before a writer upgraded it
        from qbtui.sync.plan import gate_statuses as afresh

        return afresh(cache)
    rows = cache.gate_rows()
    stamp = context_stamp(cache)
    current: dict[Key, tuple[str, bytes, bytes]] = {}
    before: dict[Key, str] = {}
    revs: dict[Key, int] = {}
    stale: list[Key] = []
    for t, r, rev, grev, ctx, valid, status, reasons, sort in rows:
        key = (t, r)
        revs[key] = rev
        if grev is not None:
            before[key] = status
        if grev == rev and ctx == stamp and valid:
            current[key] = (status, reasons, sort)
        else:
            stale.append(key)
    if len(stale) > REFRESH_MAX and not cache.writer:
        # a long history imported and not refreshed yet (a writer refreshes at most REFRESH_MAX as it closes):
        # a reader computes afresh, which reads in bulk, rather than tracking what each result read
        from qbtui.sync.plan import gate_statuses as afresh

        return afresh(cache)
    computed: dict[Key, tuple[str, list[Any], list[Any]]] = {}
    if stale:
        from qbtui.sync.plan import evaluate_gates

        computed, deps = evaluate_gates(cache, stale, {k: v[0] for k, v in current.items()}, before)
        for key in computed:
            current.pop(key, None)
        if cache.writer:
            cache.store_gates([(t, r, revs[(t, r)], stamp, status, orjson.dumps([x.to_json() for x in reasons]),
                                orjson.dumps(sort)) for (t, r), (status, reasons, sort) in computed.items()
                               if (t, r) in revs], deps)
    merged: list[tuple[list[Any], Key, str, Any]] = []
    for key, (status, blob, sort) in current.items():
        merged.append((orjson.loads(sort), key, status, blob))
    for key, (status, reasons, sort) in computed.items():
        merged.append((list(sort), key, status, reasons))
    merged.sort(key=lambda m: m[0])
    out: dict[Key, tuple[str, list[Any]]] = {}
    for _, key, status, reasons in merged:
        if not status:
            continue  # a type the gates do not know
        out[key] = (status, _reasons(reasons, plain) if isinstance(reasons, bytes) else reasons)
    return out


def gate_counts(cache: Cache) -> dict[tuple[str, str], int]:
    """How many pending documents the gates hold back, by (type, "blocked" | "skipped"): one query when every
    stored result is current, else from :func:`gate_statuses` (``qbtui status``)."""
    if not any(c.get("pending") for c in cache.status_counts().values()):
        return {}
    if cache.has_gate_store():
        counts, stale = cache.gate_counts(context_stamp(cache))
        if not stale:
            return {k: n for k, n in counts.items() if k[1] in ("blocked", "skipped")}
    out: dict[tuple[str, str], int] = {}
    for (t, _), (status, _) in gate_statuses(cache, plain=True).items():
        if status in ("blocked", "skipped"):
            out[(t, status)] = out.get((t, status), 0) + 1
    return out


def stale_count(cache: Cache) -> int:
    """How many pending documents have no current stored result."""
    if not cache.has_gate_store():
        return 0
    stamp = context_stamp(cache)
    return sum(1 for _, _, rev, grev, ctx, valid, *_ in cache.gate_rows() if not (grev == rev and ctx == stamp and valid))


def refresh(cache: Cache) -> None:
    """What a writer does as it closes: compute and store the results its writes left out of date (when there
    are not more than :data:`REFRESH_MAX` of them)."""
    if not cache.writer or not cache.has_gate_store():
        return
    if any(c.get("pending") for c in cache.status_counts().values()):
        n = stale_count(cache)
        if 0 < n <= REFRESH_MAX:
            gate_statuses(cache, plain=True)
    cache.prune_gate_deps()


def readers_of(cache: Cache, keys: Iterable[Key]) -> set[Key]:
    return cache.gate_readers(keys)
