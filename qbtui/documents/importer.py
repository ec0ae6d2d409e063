"""Reading import files (``.json``, ``.jsonl``, ``.csv``) into validated documents.

A file is all or nothing: :func:`read_file` either returns every document of the file, checked,
as JSON-ready dicts, or raises :class:`ImportFileError` listing what is wrong (file, line or
JSON pointer, field, reason). Nothing here touches the cache.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from qbtui.documents.models import DOCUMENT_TYPES, MODELS, TYPES_WITH_LINES, Refund

REFUND_TYPE = "credit_note_refund"
"""CSV-only type: refunds of credit notes, one row each, keyed by ``credit_note``."""

MAX_PROBLEMS_SHOWN = 20


@dataclass(frozen=True)
class Problem:
    where: str  # "line 4", "/documents/2", "line 3, /lines/0"
    field: str  # dotted field name, or "" for the whole document / file
    reason: str

    def __str__(self) -> str:
        parts = [self.where] if self.where else []
        if self.field:
            parts.append(f"field {self.field}")
        return ": ".join(parts + [self.reason])


@dataclass
class ImportFileError(Exception):
    path: Path
    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        shown = self.problems[:MAX_PROBLEMS_SHOWN]
        lines = [f"{self.path}: nothing imported from this file ({len(self.problems)} problem"
                 f"{'s' if len(self.problems) != 1 else ''})"]
        lines += [f"  {self.path.name}: {p}" for p in shown]
        if len(self.problems) > len(shown):
            lines.append(f"  ... and {len(self.problems) - len(shown)} more")
        return "\n".join(lines)


def _fail(path: Path, where: str, fld: str, reason: str) -> ImportFileError:
    return ImportFileError(path, [Problem(where, fld, reason)])


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The field names allowed at ``loc`` (a pydantic error location) inside ``model``."""
    for part in loc:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part)
        inner = _model_in(info.annotation) if info else None
        if inner is None:
            break
        model = inner
    return list(model.model_fields)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next((m for m in map(_model_in, get_args(annotation)) if m is not None), None)


def _suggest(name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.5)
    return f' (did you mean "{close[0]}"?)' if close else ""


def _show(value: Any) -> str:
    return repr(str(value)) if isinstance(value, Decimal) else repr(value)


def describe_validation_error(exc: ValidationError, model: type[BaseModel]) -> list[tuple[tuple[Any, ...], str]]:
    """(location, reason) pairs in words a person can act on."""
    out = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        if kind == "extra_forbidden":
            reason = "unknown field" + _suggest(str(loc[-1]), _fields_at(model, loc[:-1])) + "; put custom data under \"extra\""
        elif kind == "missing":
            reason = "required field is missing"
        elif kind == "too_short" and loc and loc[-1] == "lines":
            reason = "needs at least one line"
        elif kind == "literal_error":
            reason = f"{err['input']!r} is not allowed: {err['msg'].removeprefix('Input should be ')}"
        elif kind in ("decimal_parsing", "decimal_type"):
            reason = f"{_show(err['input'])} is not a number (use a dot for decimals, no thousands separator)"
        elif kind == "finite_number":
            reason = f"{_show(err['input'])} is not a finite number"
        elif kind == "decimal_max_places":
            reason = f"{_show(err['input'])} has too many decimal places ({err['msg'].split('no more than ')[-1]})"
        elif kind in ("less_than", "greater_than"):
            reason = f"{_show(err['input'])} is out of range (absolute value must be below 10^12)"
        elif kind == "value_error":
            reason = str(err["ctx"]["error"]) if "ctx" in err else err["msg"]
        else:
            reason = err["msg"]
        out.append((loc, reason))
    return out


def check_document(data: dict[str, Any]) -> tuple[dict[str, Any] | None, list[tuple[tuple[Any, ...], str]]]:
    """One document dict as the cache stores it, or the (location, reason) pairs that reject it: the same
    model and messages as an import, for anything that edits a stored document (the fix form)."""
    model = MODELS.get(str(data.get("type")))
    if model is None:
        return None, [(("type",), f"unknown document type {data.get('type')!r}")]
    try:
        return model.model_validate(data).model_dump(mode="json", exclude_none=True), []
    except ValidationError as exc:
        return None, describe_validation_error(exc, model)


def _bad_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _decode(path: Path, raw: bytes) -> str:
    if not raw.strip():
        raise _fail(path, "", "", "the file is empty")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _fail(path, f"line {line}", "", f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8") from None


def _loads(text: str) -> Any:
    return json.loads(text, parse_float=Decimal, parse_constant=_bad_constant)


def _pointer(parts: Iterable[Any]) -> str:
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


class _Collector:
    """Validates raw document dicts one by one, collecting problems and duplicate refs."""

    def __init__(self, path: Path, default_type: str | None):
        self.path = path
        self.default_type = default_type
        self.problems: list[Problem] = []
        self.documents: list[dict[str, Any]] = []
        self._seen: dict[tuple[str, str], str] = {}

    def add(self, raw: Any, where: str, locate: Callable[[tuple[Any, ...]], tuple[str, str]]) -> None:
        if not isinstance(raw, dict):
            self.problems.append(Problem(where, "", f"a document must be a JSON object, not {type(raw).__name__}"))
            return
        doc_type = raw.get("type", self.default_type)
        if doc_type is None:
            self.problems.append(Problem(where, "type", "required field is missing (or pass --type)"))
            return
        model = MODELS.get(doc_type) if isinstance(doc_type, str) else None
        if model is None:
            close = difflib.get_close_matches(str(doc_type), DOCUMENT_TYPES, n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else f" (known: {', '.join(DOCUMENT_TYPES)})"
            self.problems.append(Problem(where, "type", f"unknown document type {doc_type!r}{hint}"))
            return
        if "type" not in raw:
            raw = {"type": doc_type, **raw}
        try:
            doc = model.model_validate(raw)
        except ValidationError as exc:
            for loc, reason in describe_validation_error(exc, model):
                at, fld = locate(loc)
                self.problems.append(Problem(at, fld, reason))
            return
        key = (doc.type, doc.ref)
        if key in self._seen:
            self.problems.append(Problem(where, "ref", f"duplicate {doc.type} {doc.ref!r} (first at {self._seen[key]})"))
            return
        self._seen[key] = where
        self.documents.append(doc.model_dump(mode="json", exclude_none=True))

    def result(self) -> list[dict[str, Any]]:
        if self.problems:
            raise ImportFileError(self.path, self.problems)
        return self.documents


def _read_json(path: Path, text: str, default_type: str | None) -> list[dict[str, Any]]:
    try:
        data = _loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(path, f"line {exc.lineno}, column {exc.colno}", "", f"invalid JSON: {exc.msg}") from None
    except ValueError as exc:
        raise _fail(path, "", "", f"invalid JSON: {exc}") from None
    prefix: tuple[Any, ...] = ()
    if isinstance(data, dict) and "documents" in data:
        extra = sorted(set(data) - {"documents"})
        if extra:
            raise _fail(path, "/", extra[0], 'unknown top-level key: the file holds a list or {"documents": [...]}')
        data, prefix = data["documents"], ("documents",)
    if not isinstance(data, list):
        raise _fail(path, "/", "", 'expected a list of documents or {"documents": [...]}, found '
                    + ("an object without \"documents\"" if isinstance(data, dict) else type(data).__name__))
    collector = _Collector(path, default_type)
    for i, raw in enumerate(data):
        base = (*prefix, i)
        collector.add(raw, _pointer(base), lambda loc, base=base: (_pointer((*base, *loc)), ""))
    return collector.result()


def _read_jsonl(path: Path, text: str, default_type: str | None) -> list[dict[str, Any]]:
    collector = _Collector(path, default_type)
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = _loads(line)
        except (json.JSONDecodeError, ValueError) as exc:
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            collector.problems.append(Problem(f"line {n}", "", f"invalid JSON: {reason}"))
            continue
        collector.add(raw, f"line {n}", lambda loc, n=n: (f"line {n}, {_pointer(loc)}", ""))
    return collector.result()


def _unflatten(row: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if value == "":
            continue
        node = out
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):  # "a" and "a.b" both given
                raise ValueError(f'column "{key}" conflicts with column "{part}"')
        node[leaf] = value
    return out


def _csv_rows(path: Path, text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise _fail(path, "", "", "the file is empty") from None
    except csv.Error as exc:
        raise _fail(path, "line 1", "", f"invalid CSV: {exc}") from None
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise _fail(path, "line 1", dupes[0], "column appears twice in the header")
    rows = []
    try:
        for cells in reader:
            n = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                raise _fail(path, f"line {n}", "", f"{len(cells)} cells but the header has {len(header)} columns")
            cells += [""] * (len(header) - len(cells))
            rows.append((n, {h: c.strip() for h, c in zip(header, cells) if h}))
    except csv.Error as exc:
        raise _fail(path, f"line {reader.line_num}", "", f"invalid CSV: {exc}") from None
    return header, rows


def csv_type_from_name(path: Path) -> str | None:
    """``sale_invoice.csv``, ``sale_invoices-2026-11.csv`` -> ``sale_invoice`` (longest type name that starts the stem)."""
    stem = path.stem.lower().replace("-", "_")
    names = sorted((*DOCUMENT_TYPES, REFUND_TYPE), key=len, reverse=True)
    return next((t for t in names if stem == t or stem.startswith(t + "_") or stem.startswith(t + "s")), None)


def _read_csv(path: Path, text: str, default_type: str | None,
              find_credit_note: Callable[[str], dict[str, Any] | None]) -> list[dict[str, Any]]:
    doc_type = default_type or csv_type_from_name(path)
    if doc_type is None:
        raise _fail(path, "", "", "cannot tell the document type from the file name: pass --type "
                    f"(one of {', '.join((*DOCUMENT_TYPES, REFUND_TYPE))})")
    _, rows = _csv_rows(path, text)
    if doc_type == REFUND_TYPE:
        return _read_refunds(path, rows, find_credit_note)
    if doc_type not in MODELS:
        raise _fail(path, "", "type", f"unknown document type {doc_type!r}")
    has_lines = doc_type in TYPES_WITH_LINES
    collector = _Collector(path, doc_type)
    groups: dict[str, tuple[dict[str, Any], list[int], list[dict[str, Any]]]] = {}
    order: list[str] = []
    last_ref = None
    for n, row in rows:
        try:
            nested = _unflatten(row)
        except ValueError as exc:
            collector.problems.append(Problem(f"line {n}", "", str(exc)))
            continue
        line = nested.pop("lines", None) if has_lines else None
        ref = nested.get("ref", "")
        if ref in groups:
            head, line_rows, lines = groups[ref]
            if not has_lines or ref != last_ref:
                collector.problems.append(Problem(f"line {n}", "ref", f"duplicate {doc_type} {ref!r} (first on line {line_rows[0]}); "
                                                  "rows of one document must be consecutive"))
                continue
            for key in set(head) | set(nested):
                if head.get(key) != nested.get(key) and nested.get(key) is not None:
                    collector.problems.append(Problem(f"line {n}", key, f"differs from line {line_rows[0]} of the same document "
                                                      f"({nested.get(key)!r} vs {head.get(key)!r})"))
        else:
            groups[ref] = (nested, [], [])
            order.append(ref)
        groups[ref][1].append(n)
        if line is not None:
            groups[ref][2].append(line)
        last_ref = ref
    for ref in order:
        head, line_rows, lines = groups[ref]
        raw = dict(head, type=doc_type)
        if has_lines:
            raw["lines"] = lines

        def locate(loc: tuple[Any, ...], line_rows: list[int] = line_rows) -> tuple[str, str]:
            if loc and loc[0] == "lines" and len(loc) > 1 and isinstance(loc[1], int) and loc[1] < len(line_rows):
                return f"line {line_rows[loc[1]]}", ".".join(map(str, (loc[0], *loc[2:])))
            return f"line {line_rows[0]}", ".".join(map(str, loc))

        collector.add(raw, f"line {line_rows[0]}", locate)
    return collector.result()


def _read_refunds(path: Path, rows: list[tuple[int, dict[str, str]]],
                  find_credit_note: Callable[[str], dict[str, Any] | None]) -> list[dict[str, Any]]:
    problems: list[Problem] = []
    notes: dict[str, dict[str, Any]] = {}
    seen: dict[str, int] = {}
    for n, row in rows:
        raw = _unflatten(row)
        note_ref = raw.pop("credit_note", None)
        if not note_ref:
            problems.append(Problem(f"line {n}", "credit_note", "required field is missing"))
            continue
        try:
            refund = Refund.model_validate(raw)
        except ValidationError as exc:
            problems += [Problem(f"line {n}", ".".join(map(str, loc)), reason) for loc, reason in describe_validation_error(exc, Refund)]
            continue
        if refund.ref in seen:
            problems.append(Problem(f"line {n}", "ref", f"duplicate refund {refund.ref!r} (first on line {seen[refund.ref]})"))
            continue
        seen[refund.ref] = n
        if note_ref not in notes:
            note = find_credit_note(note_ref)
            if note is None:
                problems.append(Problem(f"line {n}", "credit_note", f"credit note {note_ref!r} is neither in the cache nor "
                                        "imported earlier in this command: import the credit notes first"))
                continue
            notes[note_ref] = dict(note, refunds=[])
        notes[note_ref]["refunds"].append(refund.model_dump(mode="json", exclude_none=True))
    if problems:
        raise ImportFileError(path, problems)
    return list(notes.values())


def read_file(path: Path, *, doc_type: str | None = None,
              find_credit_note: Callable[[str], dict[str, Any] | None] = lambda ref: None) -> list[dict[str, Any]]:
    """Read and check one import file. Returns JSON-ready document dicts, or raises ImportFileError."""
    if doc_type is not None and doc_type not in MODELS and doc_type != REFUND_TYPE:
        raise _fail(path, "", "--type", f"unknown document type {doc_type!r} (known: {', '.join(DOCUMENT_TYPES)})")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _fail(path, "", "", f"cannot read the file: {exc.strerror}") from None
    text = _decode(path, raw)
    suffix = path.suffix.lower()
    if suffix == ".json":
        return _read_json(path, text, doc_type)
    if suffix == ".jsonl":
        return _read_jsonl(path, text, doc_type)
    if suffix == ".csv":
        return _read_csv(path, text, doc_type, find_credit_note)
    raise _fail(path, "", "", f"unknown file kind {suffix or '(no extension)'!r}: use .json, .jsonl or .csv")
