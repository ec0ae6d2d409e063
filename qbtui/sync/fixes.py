"""Fixes made in qbtui (the dashboard's fix form, ``qbtui update-document``) survive a re-import.

A fix is recorded per document as the fields it changed (top-level fields of the import format: a date, the
customer, the lines as a whole...) with the value it gave them, beside the document (the cache's reference kind
``document_fixes``: ``{"TYPE\\tREF": {"fields": {field: value}, "removed": [field], "at": ISO}}``; fixes are few, the
whole map is small). An import of a file that would change a fixed field keeps the fix (the file's other fields
apply) and lists it; ``qbtui import --replace-fixes`` takes the file's values and forgets those fixes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from qbtui.cache import Cache
from qbtui.sync.runs import now_iso

KIND = "document_fixes"
_IDENTITY = ("type", "ref")


def _key(doc_type: str, ref: str) -> str:
    return f"{doc_type}\t{ref}"


def fixes(cache: Cache) -> dict[str, dict[str, Any]]:
    return dict(cache.reference(KIND, {}) or {})


def fix_of(cache: Cache, doc_type: str, ref: str) -> dict[str, Any] | None:
    """The fix recorded for one document ({"fields", "removed", "at"}), or None."""
    return fixes(cache).get(_key(doc_type, ref))


def record_fix(cache: Cache, old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any] | None:
    """Record the fields an edit of a document changed (``old`` -> ``new``: its data before and after), merged
    with what earlier fixes of it changed. Returns the document's fix (None: nothing changed)."""
    changed = {f: v for f, v in new.items() if f not in _IDENTITY and old.get(f) != v}
    removed = [f for f in old if f not in _IDENTITY and f not in new]
    if not changed and not removed:
        return None
    every = fixes(cache)
    key = _key(str(new["type"]), str(new["ref"]))
    fix = every.get(key) or {"fields": {}, "removed": []}
    fields = {**fix.get("fields", {}), **changed}
    gone = [f for f in dict.fromkeys([*fix.get("removed", []), *removed]) if f not in new]
    for f in removed:
        fields.pop(f, None)
    every[key] = {"fields": fields, "removed": gone, "at": now_iso()}
    cache.put_reference(KIND, every)
    return every[key]


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


class WithFixes(Sequence[dict[str, Any]]):
    """The documents of a file with the recorded fixes kept (or, ``replace``, the file's values taken), decoded one
    at a time as the cache stores them. ``conflicts`` collects the fixed documents whose fields the file would
    change: {"type", "ref", "kept", "fields": [{"field", "fixed", "file", "text"}]}."""

    def __init__(self, docs: Sequence[dict[str, Any]], recorded: Mapping[str, dict[str, Any]], replace: bool):
        self._docs = docs
        self._fixes = recorded
        self._replace = replace
        self.conflicts: dict[str, dict[str, Any]] = {}

    def __len__(self) -> int:
        return len(self._docs)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self._apply(d) for d in self._docs[i]]
        return self._apply(self._docs[i])

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (self._apply(d) for d in self._docs)

    def _apply(self, doc: dict[str, Any]) -> dict[str, Any]:
        key = _key(str(doc.get("type")), str(doc.get("ref")))
        fix = self._fixes.get(key)
        if fix is None:
            return doc
        differ = []
        out = dict(doc)
        for field, value in (fix.get("fields") or {}).items():
            if doc.get(field) != value:
                differ.append({"field": field, "fixed": value, "file": doc.get(field),
                               "text": f"{field}: fixed {_show(value)}, file {_show(doc.get(field))}"})
                if not self._replace:
                    out[field] = value
        for field in fix.get("removed") or ():
            if field in doc:
                differ.append({"field": field, "fixed": None, "file": doc[field],
                               "text": f"{field}: fixed (removed), file {_show(doc[field])}"})
                if not self._replace:
                    out.pop(field)
        if differ:
            self.conflicts[key] = {"type": doc["type"], "ref": doc["ref"], "kept": not self._replace, "fields": differ}
        return out

    def forget_replaced(self, cache: Cache) -> None:
        """After ``replace``: the fixed fields the file's values replaced are no longer fixes."""
        if not self._replace or not self.conflicts:
            return
        every = fixes(cache)
        for key, conflict in self.conflicts.items():
            fix = every.get(key)
            if fix is None:
                continue
            names = {f["field"] for f in conflict["fields"]}
            fields = {f: v for f, v in (fix.get("fields") or {}).items() if f not in names}
            removed = [f for f in fix.get("removed") or () if f not in names]
            if fields or removed:
                every[key] = {**fix, "fields": fields, "removed": removed}
            else:
                every.pop(key)
        cache.put_reference(KIND, every)
