"""Reading import files (``.json``, ``.jsonl``, ``.csv``) into validated documents.

A file is all or nothing: :func:`read_file` either returns every document of the file, checked,
as JSON-ready dicts, or raises :class:`ImportFileError` listing what is wrong (file, line or
JSON pointer, field, reason). Nothing here touches the cache.

Hard caps (docs/import-format.md#limits): a field holds at most 64 KiB, a document nests at most 64
levels, a ``.json`` file (read whole) is at most 128 MiB; ``.jsonl`` and ``.csv`` are streamed,
each line or row at most 16 MiB, with no limit on the file. Reading a rejected file stops after
1,000 problems.
"""

from __future__ import annotations

import csv
import difflib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, get_args

import orjson
from pydantic import BaseModel, ValidationError

from qbtui.documents.models import DOCUMENT_TYPES, MODELS, TYPES_WITH_LINES, Refund
from qbtui.documents.types import REFUND_TYPE as REFUND_TYPE  # CSV-only: refunds of credit notes, by credit_note

MAX_PROBLEMS_SHOWN = 20
MAX_PROBLEMS = 1000
"""Reading a rejected file stops at this many problems (a huge file of junk is not read to its end)."""
MIB = 1024 * 1024
MAX_FIELD_BYTES = 64 * 1024
"""The most one field (a text, a number's digits, a CSV cell) may hold, in UTF-8 bytes."""
MAX_DEPTH = 64
"""The deepest a document may nest (the document itself is level 1; ``extra`` counts)."""
MAX_JSON_FILE_BYTES = 128 * MIB
"""A ``.json`` file is read whole: at most this size (.jsonl and .csv are streamed, with no limit)."""
MAX_RECORD_BYTES = 16 * MIB
"""The most one ``.jsonl`` line or one CSV line may take."""


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
    truncated: bool = False  # reading stopped at MAX_PROBLEMS

    def __str__(self) -> str:
        shown = self.problems[:MAX_PROBLEMS_SHOWN]
        count = f"{len(self.problems)}{' or more' if self.truncated else ''}"
        lines = [f"{self.path}: nothing imported from this file ({count} problem"
                 f"{'s' if len(self.problems) != 1 else ''}{'; reading stopped there' if self.truncated else ''})"]
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


_DECODER = json.JSONDecoder(parse_float=Decimal, parse_constant=_bad_constant)
_WS = re.compile(r"[ \t\n\r]*")


def _loads(text: str) -> Any:
    return _DECODER.decode(text)


def _pointer(parts: Iterable[Any]) -> str:
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _mib(n: int) -> str:
    return f"{n / MIB:,.0f} MiB" if n >= MIB else f"{n // 1024:,} KiB"


def _too_deep() -> str:
    return f"nested deeper than {MAX_DEPTH} levels (the import format allows {MAX_DEPTH})"


def _bounds(value: Any, size: int, brackets: int | None = None) -> tuple[tuple[Any, ...], str] | None:
    """Why one parsed record is over a hard cap (a text longer than MAX_FIELD_BYTES, nesting deeper than
    MAX_DEPTH), and where in it (the field's path: ``("name",)``, ``("lines", 0, "sku")``), or None. ``size``: its
    length in characters; ``brackets``: how many ``{`` and ``[`` its text holds
    (None: not counted). A record is within the caps without walking it when it is too short to hold a text over
    the cap (4 bytes a character at most) and too short, or has too few brackets, to nest deeper than the cap
    (each level opens with one; brackets inside strings only count more)."""
    if size <= MAX_FIELD_BYTES // 4 and (size <= MAX_DEPTH or (brackets is not None and brackets <= MAX_DEPTH)):
        return None
    stack: list[tuple[Any, int, tuple[Any, ...]]] = [(value, 1, ())]
    while stack:
        node, depth, loc = stack.pop()
        if isinstance(node, dict):
            if depth > MAX_DEPTH:
                return (), _too_deep()
            for k, v in node.items():
                if len(k) > MAX_FIELD_BYTES // 4 and len(k.encode()) > MAX_FIELD_BYTES:
                    return loc, f"a field name is longer than {_mib(MAX_FIELD_BYTES)}"
                stack.append((v, depth + 1, (*loc, k)))
        elif isinstance(node, list):
            if depth > MAX_DEPTH:
                return (), _too_deep()
            stack.extend((v, depth + 1, (*loc, i)) for i, v in enumerate(node))
        elif isinstance(node, str):
            if len(node) > MAX_FIELD_BYTES // 4 and len(node.encode()) > MAX_FIELD_BYTES:
                return loc, f"a value is {len(node.encode()):,} bytes long; a field may hold at most {_mib(MAX_FIELD_BYTES)}"
        elif isinstance(node, Decimal) and len(node.as_tuple().digits) > MAX_FIELD_BYTES:
            return loc, f"a number has more than {MAX_FIELD_BYTES:,} digits"
    return None


class _Stop(Exception):
    """Reading a file stops here: it cannot go on (broken syntax) or has shown enough problems."""


class _Collector:
    """Validates raw document dicts one by one, collecting problems and duplicate refs. The checked
    documents are kept as compact JSON bytes (a million documents fit), read back one by one by
    :meth:`result`. Past MAX_PROBLEMS problems the file is not read further."""

    def __init__(self, path: Path, default_type: str | None):
        self.path = path
        self.default_type = default_type
        self.problems: list[Problem] = []
        self.truncated = False
        self.documents: list[bytes] = []
        self._seen: dict[tuple[str, str], str] = {}

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Around the reading of a file: a _Stop ends it (the problems so far are the file's); an error that
        ends it early carries the problems found before it."""
        try:
            yield
        except _Stop:
            pass
        except ImportFileError as exc:
            exc.problems[:0] = self.problems
            raise

    def problem(self, where: str, fld: str, reason: str) -> None:
        self.problems.append(Problem(where, fld, reason))
        if len(self.problems) >= MAX_PROBLEMS:
            self.truncated = True
            raise _Stop

    def add(self, raw: Any, where: str, locate: Callable[[tuple[Any, ...]], tuple[str, str]], size: int = 0,
            brackets: int | None = None) -> None:
        if not isinstance(raw, dict):
            self.problem(where, "", f"a document must be a JSON object {{...}}, not {_json_kind(raw)}")
            return
        over = _bounds(raw, size, brackets)
        if over:
            loc, reason = over
            at, fld = locate(loc) if loc else (where, "")
            self.problem(at, fld, reason)
            return
        doc_type = raw.get("type", self.default_type)
        if doc_type is None:
            self.problem(where, "type", "required field is missing (or pass --type)")
            return
        model = MODELS.get(doc_type) if isinstance(doc_type, str) else None
        if model is None:
            close = difflib.get_close_matches(str(doc_type), DOCUMENT_TYPES, n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else f" (known: {', '.join(DOCUMENT_TYPES)})"
            self.problem(where, "type", f"unknown document type {doc_type!r}{hint}")
            return
        if "type" not in raw:
            raw = {"type": doc_type, **raw}
        try:
            doc = model.model_validate(raw)
        except ValidationError as exc:
            for loc, reason in describe_validation_error(exc, model):
                at, fld = locate(loc)
                self.problem(at, fld, reason)
            return
        key = (doc.type, doc.ref)
        if key in self._seen:
            self.problem(where, "ref", f"duplicate {doc.type} {doc.ref!r} (first at {self._seen[key]})")
            return
        try:
            # a tight copy: orjson's own buffer is over-allocated (~4 KiB for a few hundred bytes)
            packed = memoryview(orjson.dumps(doc.model_dump(mode="json", exclude_none=True))).tobytes()
        except orjson.JSONEncodeError as exc:  # a whole number in "extra" beyond 64 bits
            self.problem(where, "extra", f"cannot be stored ({exc}): write such numbers as strings")
            return
        self._seen[key] = where
        self.documents.append(packed)

    def result(self) -> CheckedDocuments:
        if self.problems:
            raise ImportFileError(self.path, self.problems, self.truncated)
        return CheckedDocuments(self.documents)


class CheckedDocuments(Sequence[dict[str, Any]]):
    """The checked documents of one file, decoded one at a time as they are used (the cache stores each
    as it goes), so a file of a million documents is held as compact JSON bytes, not as dicts."""

    def __init__(self, packed: list[bytes]):
        self._packed = packed

    def __len__(self) -> int:
        return len(self._packed)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [orjson.loads(b) for b in self._packed[i]]
        return orjson.loads(self._packed[i])

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (orjson.loads(b) for b in self._packed)


def _json_error(path: Path, exc: json.JSONDecodeError) -> ImportFileError:
    return _fail(path, f"line {exc.lineno}, column {exc.colno}", "", f"invalid JSON: {_json_reason(exc)}")


def _json_reason(exc: json.JSONDecodeError, unit: str = "file") -> str:
    """The parser's reason in words a person can act on: a ``unit`` (the file; a .jsonl line) that ends before its
    JSON does, as a failed copy or export leaves it, says so, instead of "Unterminated string starting at"."""
    if exc.msg.startswith("Unterminated string"):
        return f"a text (a quoted string) starts here and is never closed: the {unit} may be cut short; export it again"
    if exc.pos >= len(exc.doc.rstrip()):
        return f"the {unit} ends before its JSON is complete: it may be cut short; export it again"
    if exc.msg.startswith("Invalid control character"):
        ch = exc.doc[exc.pos:exc.pos + 1] or "\0"
        what = {"\t": "a tab", "\n": "a line break", "\r": "a carriage return"}.get(ch, f"the control character U+{ord(ch):04X}")
        return f"{what} inside a quoted text: JSON writes it escaped (\\t, \\n, \\u0001)"
    return exc.msg


def _json_kind(value: Any) -> str:
    """What a JSON value is, in JSON's words (never a Python type name)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float, Decimal)):
        return "a number"
    if isinstance(value, str):
        return "a text"
    return "a list" if isinstance(value, list) else "an object"


def _skip_ws(text: str, pos: int) -> int:
    return _WS.match(text, pos).end()  # type: ignore[union-attr]


def _value_at(path: Path, text: str, pos: int, where: str) -> tuple[Any, int]:
    """One JSON value of ``text`` starting at ``pos`` (C parser), and where it ends."""
    try:
        return _DECODER.raw_decode(text, pos)
    except json.JSONDecodeError as exc:
        raise _json_error(path, exc) from None
    except RecursionError:
        raise _fail(path, where, "", _too_deep()) from None
    except ValueError as exc:  # NaN/Infinity, a whole number of more than 4300 digits
        raise _fail(path, where, "", f"invalid JSON: {exc}") from None


def _expect(path: Path, text: str, pos: int, what: str) -> json.JSONDecodeError:
    return json.JSONDecodeError(f"Expecting {what}", text, pos)


def _read_json(path: Path, text: str, default_type: str | None) -> CheckedDocuments:
    """A list of documents, or ``{"documents": [...]}``, read document by document: the whole file is
    never turned into Python objects at once (a file of a million numbers is rejected, not built)."""
    collector = _Collector(path, default_type)
    pos = _skip_ws(text, 0)
    start = text[pos:pos + 1]
    with collector.reading():
        if start == "[":
            pos = _read_array(path, text, pos, (), collector)
        elif start == "{":
            pos = _read_wrapper(path, text, pos, collector)
        else:
            data, pos = _value_at(path, text, pos, "/")
            raise _fail(path, "/", "", f"expected a list of documents or {{\"documents\": [...]}}, found {_json_kind(data)}")
        pos = _skip_ws(text, pos)
        if pos != len(text):
            raise _json_error(path, json.JSONDecodeError("Extra data", text, pos))
    return collector.result()


def _within(base: tuple[Any, ...]) -> Callable[[tuple[Any, ...]], tuple[str, str]]:
    """Where a problem inside the item at ``base`` of a .json file is: its JSON pointer."""
    return lambda loc: (_pointer((*base, *loc)), "")


def _on_line(n: int) -> Callable[[tuple[Any, ...]], tuple[str, str]]:
    """Where a problem inside line ``n`` of a .jsonl file is."""
    return lambda loc: (f"line {n}, {_pointer(loc)}", "")


def _read_wrapper(path: Path, text: str, pos: int, collector: _Collector) -> int:
    """``{"documents": [...]}``: the documents are read as the list goes; any other key is an error."""
    pos = _skip_ws(text, pos + 1)
    found, extra = False, []
    if text[pos:pos + 1] == "}":
        pos += 1
    else:
        while True:
            if text[pos:pos + 1] != '"':
                raise _json_error(path, _expect(path, text, pos, "property name enclosed in double quotes"))
            key, pos = _value_at(path, text, pos, "/")
            pos = _skip_ws(text, pos)
            if text[pos:pos + 1] != ":":
                raise _json_error(path, _expect(path, text, pos, "':' delimiter"))
            pos = _skip_ws(text, pos + 1)
            if key == "documents" and text[pos:pos + 1] == "[":
                found = True
                pos = _read_array(path, text, pos, ("documents",), collector)
            else:
                value, pos = _value_at(path, text, pos, "/")
                if key == "documents":
                    raise _fail(path, "/documents", "", "expected a list of documents, found " + _json_kind(value))
                extra.append(key)
            pos = _skip_ws(text, pos)
            if text[pos:pos + 1] == ",":
                pos = _skip_ws(text, pos + 1)
                continue
            if text[pos:pos + 1] == "}":
                pos += 1
                break
            raise _json_error(path, _expect(path, text, pos, "',' delimiter"))
    if not found:
        raise _fail(path, "/", "", 'expected a list of documents or {"documents": [...]}, found an object without '
                    '"documents"')
    if extra:
        raise _fail(path, "/", sorted(extra)[0], 'unknown top-level key: the file holds a list or {"documents": [...]}')
    return pos


def _read_array(path: Path, text: str, pos: int, prefix: tuple[Any, ...], collector: _Collector) -> int:
    pos = _skip_ws(text, pos + 1)
    if text[pos:pos + 1] == "]":
        return pos + 1
    i = 0
    head = _pointer(prefix) if prefix else ""  # the array's own pointer, once: an index needs no escaping
    while True:
        base = (*prefix, i)
        where = f"{head}/{i}"
        raw, end = _value_at(path, text, pos, where)
        collector.add(raw, where, _within(base), end - pos, text.count("{", pos, end) + text.count("[", pos, end))
        pos = _skip_ws(text, end)
        sep = text[pos:pos + 1]
        if sep == ",":
            pos = _skip_ws(text, pos + 1)
            i += 1
        elif sep == "]":
            return pos + 1
        else:
            raise _json_error(path, _expect(path, text, pos, "',' delimiter"))


def _lines(path: Path, stream: BinaryIO, collector: _Collector) -> Iterator[tuple[int, str]]:
    """The lines of a streamed file, decoded (UTF-8, a byte-order mark allowed on the first), each at most
    MAX_RECORD_BYTES long: a longer one is a problem, skipped to its end without being held."""
    n = 0
    while True:
        raw = stream.readline(MAX_RECORD_BYTES + 1)
        if not raw:
            return
        n += 1
        if len(raw) > MAX_RECORD_BYTES:
            while raw and not raw.endswith(b"\n"):
                raw = stream.readline(MIB)
            collector.problem(f"line {n}", "", f"the line is longer than {_mib(MAX_RECORD_BYTES)} (the most one "
                              "record may take)")
            continue
        try:
            line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            collector.problem(f"line {n}", "", f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8")
            continue
        yield n, line


def _read_jsonl(path: Path, stream: BinaryIO, default_type: str | None) -> CheckedDocuments:
    collector = _Collector(path, default_type)
    blank = True
    try:
        for n, line in _lines(path, stream, collector):
            if not line.strip():
                continue
            blank = False
            try:
                raw = _loads(line)
            except (json.JSONDecodeError, ValueError) as exc:
                reason = _json_reason(exc, "line") if isinstance(exc, json.JSONDecodeError) else str(exc)
                collector.problem(f"line {n}", "", f"invalid JSON: {reason}")
                continue
            except RecursionError:
                collector.problem(f"line {n}", "", _too_deep())
                continue
            collector.add(raw, f"line {n}", _on_line(n), len(line), line.count("{") + line.count("["))
    except _Stop:
        pass
    if blank and not collector.problems:
        raise _fail(path, "", "", "the file is empty")
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


def _csv_rows(path: Path, stream: BinaryIO, collector: _Collector) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows of a streamed CSV file as (line, {column: cell}), after its header; a cell longer than
    MAX_FIELD_BYTES is a problem."""
    lines = _lines(path, stream, collector)
    reader = csv.reader((line for _, line in lines))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise _fail(path, "", "", "the file is empty") from None
    except csv.Error as exc:
        raise _fail(path, "line 1", "", f"invalid CSV: {_csv_reason(exc)}") from None
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise _fail(path, "line 1", dupes[0], "column appears twice in the header")
    try:
        for cells in reader:
            n = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                collector.problem(f"line {n}", "", f"{len(cells)} cells but the header has {len(header)} columns")
                continue
            long = next((h for h, c in zip(header, cells) if len(c) > MAX_FIELD_BYTES // 4
                         and len(c.encode()) > MAX_FIELD_BYTES), None)
            if long is not None:
                collector.problem(f"line {n}", long, f"the cell is longer than {_mib(MAX_FIELD_BYTES)} (the most a "
                                  "field may hold)")
                continue
            cells += [""] * (len(header) - len(cells))
            yield n, {h: c.strip() for h, c in zip(header, cells) if h}
    except csv.Error as exc:
        raise _fail(path, f"line {reader.line_num}", "", f"invalid CSV: {_csv_reason(exc)}") from None


def _csv_reason(exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return f"a cell is longer than {_mib(MAX_FIELD_BYTES)} (the most a field may hold)"
    return str(exc)


def csv_type_from_name(path: Path) -> str | None:
    """``sale_invoice.csv``, ``sale_invoices-2026-11.csv`` -> ``sale_invoice`` (longest type name that starts the stem)."""
    stem = path.stem.lower().replace("-", "_")
    names = sorted((*DOCUMENT_TYPES, REFUND_TYPE), key=len, reverse=True)
    return next((t for t in names if stem == t or stem.startswith(t + "_") or stem.startswith(t + "s")), None)


def _read_csv(path: Path, stream: BinaryIO, default_type: str | None,
              find_credit_note: Callable[[str], dict[str, Any] | None]) -> CheckedDocuments:
    doc_type = default_type or csv_type_from_name(path)
    if doc_type is None:
        raise _fail(path, "", "", "cannot tell the document type from the file name: pass --type "
                    f"(one of {', '.join((*DOCUMENT_TYPES, REFUND_TYPE))})")
    if doc_type != REFUND_TYPE and doc_type not in MODELS:
        raise _fail(path, "", "type", f"unknown document type {doc_type!r}")
    collector = _Collector(path, doc_type)
    with collector.reading():
        rows = _csv_rows(path, stream, collector)
        if doc_type == REFUND_TYPE:
            return _read_refunds(path, rows, collector, find_credit_note)
        _group_rows(doc_type, rows, collector)
    return collector.result()


def _group_rows(doc_type: str, rows: Iterable[tuple[int, dict[str, str]]], collector: _Collector) -> None:
    """Rows to documents as they stream: the consecutive rows of one ref are one document (its lines)."""
    has_lines = doc_type in TYPES_WITH_LINES
    first_row: dict[str, int] = {}
    group: tuple[str, dict[str, Any], list[int], list[dict[str, Any]]] | None = None

    def flush() -> None:
        if group is None:
            return
        _, head, line_rows, lines = group
        raw = dict(head, type=doc_type)
        if has_lines:
            raw["lines"] = lines

        def locate(loc: tuple[Any, ...]) -> tuple[str, str]:
            if loc and loc[0] == "lines" and len(loc) > 1 and isinstance(loc[1], int) and loc[1] < len(line_rows):
                return f"line {line_rows[loc[1]]}", ".".join(map(str, (loc[0], *loc[2:])))
            return f"line {line_rows[0]}", ".".join(map(str, loc))

        collector.add(raw, f"line {line_rows[0]}", locate)

    for n, row in rows:
        try:
            nested = _unflatten(row)
        except ValueError as exc:
            collector.problem(f"line {n}", "", str(exc))
            continue
        line = nested.pop("lines", None) if has_lines else None
        ref = nested.get("ref", "")
        if group is not None and group[0] == ref and has_lines:
            head, line_rows = group[1], group[2]
            for key in set(head) | set(nested):
                if head.get(key) != nested.get(key) and nested.get(key) is not None:
                    collector.problem(f"line {n}", key, f"differs from line {line_rows[0]} of the same document "
                                      f"({nested.get(key)!r} vs {head.get(key)!r})")
        elif ref in first_row:
            collector.problem(f"line {n}", "ref", f"duplicate {doc_type} {ref!r} (first on line {first_row[ref]}); "
                              "rows of one document must be consecutive")
            continue
        else:
            flush()
            first_row[ref] = n
            group = (ref, nested, [], [])
        group[2].append(n)
        if line is not None:
            group[3].append(line)
    flush()


def _read_refunds(path: Path, rows: Iterable[tuple[int, dict[str, str]]], collector: _Collector,
                  find_credit_note: Callable[[str], dict[str, Any] | None]) -> CheckedDocuments:
    notes: dict[str, dict[str, Any]] = {}
    seen: dict[str, int] = {}
    for n, row in rows:
        try:
            raw = _unflatten(row)
        except ValueError as exc:
            collector.problem(f"line {n}", "", str(exc))
            continue
        note_ref = raw.pop("credit_note", None)
        if not note_ref or not isinstance(note_ref, str):
            collector.problem(f"line {n}", "credit_note", "required field is missing")
            continue
        try:
            refund = Refund.model_validate(raw)
        except ValidationError as exc:
            for loc, reason in describe_validation_error(exc, Refund):
                collector.problem(f"line {n}", ".".join(map(str, loc)), reason)
            continue
        if refund.ref in seen:
            collector.problem(f"line {n}", "ref", f"duplicate refund {refund.ref!r} (first on line {seen[refund.ref]})")
            continue
        seen[refund.ref] = n
        if note_ref not in notes:
            note = find_credit_note(note_ref)
            if note is None:
                collector.problem(f"line {n}", "credit_note", f"credit note {note_ref!r} is neither in the cache nor "
                                  "imported earlier in this command: import the credit notes first")
                continue
            notes[note_ref] = dict(note, refunds=[])
        notes[note_ref]["refunds"].append(refund.model_dump(mode="json", exclude_none=True))
    if collector.problems:
        return collector.result()
    return CheckedDocuments([orjson.dumps(note) for note in notes.values()])


def read_file(path: Path, *, doc_type: str | None = None,
              find_credit_note: Callable[[str], dict[str, Any] | None] = lambda ref: None) -> CheckedDocuments:
    """Read and check one import file. Returns its documents (JSON-ready dicts, decoded as they are
    iterated), or raises ImportFileError. ``.json`` is read whole (at most MAX_JSON_FILE_BYTES);
    ``.jsonl`` and ``.csv`` are streamed record by record, with no limit on the file's size."""
    if doc_type is not None and doc_type not in MODELS and doc_type != REFUND_TYPE:
        raise _fail(path, "", "--type", f"unknown document type {doc_type!r} (known: {', '.join(DOCUMENT_TYPES)})")
    if path.is_dir():
        raise _fail(path, "", "", f"is a folder, not a file: name the files in it ({path / '*.json'})")
    suffix = path.suffix.lower()
    if suffix not in (".json", ".jsonl", ".csv"):
        raise _fail(path, "", "", f"unknown file kind {suffix or '(no extension)'!r}: use .json, .jsonl or .csv")
    try:
        with path.open("rb") as stream:
            if suffix == ".json":
                size = os.fstat(stream.fileno()).st_size
                if size > MAX_JSON_FILE_BYTES:
                    raise _fail(path, "", "", f"the file is {size / MIB:,.0f} MiB; a .json file is read whole and may "
                                f"be at most {_mib(MAX_JSON_FILE_BYTES)}: export .jsonl instead (streamed, no size "
                                "limit), or split the file")
                return _read_json(path, _decode(path, stream.read()), doc_type)
            if suffix == ".jsonl":
                return _read_jsonl(path, stream, doc_type)
            return _read_csv(path, stream, doc_type, find_credit_note)
    except OSError as exc:
        hint = ("; check its permissions (ls -l) or run qbtui as a user who may read it"
                if isinstance(exc, PermissionError) else "")
        raise _fail(path, "", "", f"cannot read the file: {exc.strerror or exc}{hint}") from None
