"""QBO's query language: SELECT * | count(*) FROM E [WHERE a op v AND ...] [ORDERBY f [ASC|DESC]]
[STARTPOSITION n] [MAXRESULTS n]. No OR, no joins; 100 rows a page unless MAXRESULTS (at most 1000) says
otherwise.

Any field can be filtered here, a superset of QBO's filterable fields, which include the keys qbtui finds
its objects by again (qbtui/sync/lookup.py): DisplayName / Name, DocNumber (not on a Payment: Intuit's
Finance.xsd, Transaction.DocNumber, "Filter support not provided for Payment"), TxnDate, and a Payment's
PaymentRefNum with = and IN, as public integrations query the real QBO (``SELECT * FROM Payment WHERE
PaymentRefNum IN (...)``); docs/qbo.md#finding-qbtuis-objects-again has the sources."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from . import errors as E
from .clock import parse_datetime
from .entities import SPECS

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<str>'(?:[^'\\]|\\.|'')*')
    | (?P<num>-?\d+(?:\.\d+)?)
    | (?P<op><=|>=|!=|<>|=|<|>)
    | (?P<punct>[(),*])
    | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
    )""", re.VERBOSE)

_KEYWORDS = {"SELECT", "FROM", "WHERE", "AND", "OR", "IN", "LIKE", "ORDERBY", "ORDER", "BY", "ASC", "DESC",
             "STARTPOSITION", "MAXRESULTS", "COUNT", "NOT", "TRUE", "FALSE", "NULL", "IS"}


@dataclass
class Condition:
    field: str
    op: str
    value: Any  # str | float | bool | list


@dataclass
class Query:
    entity: str
    count: bool = False
    where: list[Condition] = field(default_factory=list)
    order: list[tuple[str, bool]] = field(default_factory=list)  # (field, descending)
    start: int = 1
    max_results: int = 100


def _tokens(text: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    pos = 0
    text = text.strip().rstrip(";")
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            if text[pos:].strip() == "":
                break
            raise E.query_parse(f"Encountered \"{text[pos:pos + 10]}\" at line 1, column {pos + 1}.")
        pos = m.end()
        kind = m.lastgroup
        raw = m.group(kind)
        if kind == "str":
            out.append(("str", raw[1:-1].replace("\\'", "'").replace("''", "'")))
        elif kind == "num":
            out.append(("num", raw))
        elif kind == "word" and raw.upper() in _KEYWORDS:
            out.append(("kw", raw.upper()))
        else:
            out.append((kind, raw))
    return out


def parse(text: str) -> Query:
    toks = _tokens(text)
    i = 0

    def peek(k: int = 0) -> tuple[str, Any]:
        return toks[i + k] if i + k < len(toks) else ("eof", None)

    def take(kind: str | None = None, value: Any = None) -> tuple[str, Any]:
        nonlocal i
        tok = peek()
        if (kind and tok[0] != kind) or (value is not None and tok[1] != value):
            found = tok[1] if tok[0] != "eof" else "<EOF>"
            raise E.query_parse(f"Encountered \"{found}\" at token {i + 1}; expected {value or kind}.")
        i += 1
        return tok

    take("kw", "SELECT")
    count = False
    if peek() == ("kw", "COUNT"):
        take()
        take("punct", "(")
        take("punct", "*")
        take("punct", ")")
        count = True
    else:
        # `*`, `*, Sku` or a field list: everything is returned anyway
        while peek()[0] != "eof" and peek() != ("kw", "FROM"):
            take()
    take("kw", "FROM")
    name = take("word")[1]
    entity = _entity(name)
    q = Query(entity=entity, count=count)
    if peek() == ("kw", "WHERE"):
        take()
        while True:
            q.where.append(_condition(peek, take))
            if peek() == ("kw", "AND"):
                take()
                continue
            if peek() == ("kw", "OR"):
                raise E.query_parse("OR is not supported; only AND joins conditions.")
            break
    if peek() in (("kw", "ORDERBY"), ("kw", "ORDER")):
        if take()[1] == "ORDER":
            take("kw", "BY")
        while True:
            fld = take("word")[1]
            desc = False
            if peek() in (("kw", "ASC"), ("kw", "DESC")):
                desc = take()[1] == "DESC"
            q.order.append((fld, desc))
            if peek() == ("punct", ","):
                take()
                continue
            break
    while peek() in (("kw", "STARTPOSITION"), ("kw", "MAXRESULTS")):
        kw = take()[1]
        n = int(float(take("num")[1]))
        # MAXRESULTS 0 is refused like STARTPOSITION 0 (400, code 4001, QueryValidationError), as QBO answers
        # it in the recorded traffic: quickbooks_ruby_fixtures/query_validation_error.xml; docs/qbo.md has more
        if n < 1:
            raise E.query_invalid(f"value {n} is too small. Min allowed value is 1")
        if kw == "STARTPOSITION":
            q.start = n
        else:
            if n > 1000:
                raise E.query_invalid(f"value {n} is too large. Max allowed value is 1000")
            q.max_results = n
    if peek()[0] != "eof":
        raise E.query_parse(f"Encountered \"{peek()[1]}\" after the end of the query.")
    return q


def _entity(name: str) -> str:
    for spec in SPECS:
        if spec.lower() == name.lower():
            return spec
    raise E.query_invalid(f"Invalid context declaration : {name}")


def _value(peek, take) -> Any:
    kind, raw = peek()
    if kind == "str":
        take()
        return raw
    if kind == "num":
        take()
        return raw
    if kind == "kw" and raw in ("TRUE", "FALSE"):
        take()
        return raw == "TRUE"
    raise E.query_parse(f"Encountered \"{raw}\"; expected a value.")


def _condition(peek, take) -> Condition:
    fld = take("word")[1]
    kind, raw = peek()
    if kind == "op":
        take()
        op = "!=" if raw == "<>" else raw
        return Condition(fld, op, _value(peek, take))
    if kind == "kw" and raw == "IN":
        take()
        take("punct", "(")
        values = [_value(peek, take)]
        while peek() == ("punct", ","):
            take()
            values.append(_value(peek, take))
        take("punct", ")")
        return Condition(fld, "IN", values)
    if kind == "kw" and raw == "LIKE":
        take()
        pattern = _value(peek, take)
        if not isinstance(pattern, str):
            raise E.query_parse("LIKE needs a quoted pattern")
        rx = re.compile("^" + ".*".join(re.escape(p) for p in pattern.split("%")) + "$", re.IGNORECASE | re.DOTALL)
        return Condition(fld, "LIKE", rx)
    raise E.query_parse(f"Encountered \"{raw}\"; expected an operator.")


# --- evaluation -------------------------------------------------------------------------

def field_value(obj: dict, path: str) -> Any:
    cur: Any = obj
    parts = path.split(".")
    for part in parts:
        if not isinstance(cur, dict):
            return None
        nxt = cur.get(part)
        if nxt is None:
            # field names are case-insensitive in QBO queries
            low = part.lower()
            nxt = next((v for k, v in cur.items() if k.lower() == low), None)
        cur = nxt
    if isinstance(cur, dict) and "value" in cur:
        cur = cur["value"]  # CustomerRef = '12'
    return cur


def _comparable(a: Any, b: Any) -> tuple[Any, Any] | None:
    if a is None:
        return None
    if isinstance(b, bool) or isinstance(a, bool):
        if isinstance(a, str):
            a = a.lower() == "true"
        if isinstance(b, str):
            b = b.lower() == "true"
        return a, b
    sa, sb = str(a), str(b)
    try:
        return float(sa), float(sb)
    except ValueError:
        pass
    if len(sa) >= 10 and len(sb) >= 10 and sa[4:5] == "-" and sb[4:5] == "-":
        try:
            da, db = parse_datetime(sa), parse_datetime(sb)
            if len(sb) == 10 and len(sa) > 10:  # date against a date-time: compare dates
                return da.date(), db.date()
            return da, db
        except ValueError:
            pass
    return sa.casefold(), sb.casefold()


def matches(obj: dict, cond: Condition) -> bool:
    actual = field_value(obj, cond.field)
    op = cond.op
    if op == "LIKE":
        return actual is not None and bool(cond.value.match(str(actual)))
    if op == "IN":
        return any(matches(obj, Condition(cond.field, "=", v)) for v in cond.value)
    pair = _comparable(actual, cond.value)
    if pair is None:
        return op == "!="
    a, b = pair
    try:
        if op == "=":
            return a == b
        if op == "!=":
            return a != b
        if op == "<":
            return a < b
        if op == ">":
            return a > b
        if op == "<=":
            return a <= b
        if op == ">=":
            return a >= b
    except TypeError:
        return False
    return False


def _sort_key(value: Any) -> tuple:
    if value is None:
        return (0, "")
    if isinstance(value, bool):
        return (1, int(value))
    if isinstance(value, (int, float)):
        return (1, value)
    s = str(value)
    try:
        return (1, float(s))
    except ValueError:
        return (2, s.casefold())


def _numbers(values: list[Any]) -> set[float] | None:
    try:
        return {float(str(v)) for v in values if not isinstance(v, bool)} if not any(
            isinstance(v, bool) for v in values) else None
    except ValueError:
        return None


def _by_id(objects: list[dict], conds: list[Condition]) -> tuple[list[dict], list[Condition]]:
    """(the objects an ``Id =`` / ``Id IN (...)`` condition matches, the other conditions), found without comparing
    each object with each value (a read of 100 Ids over thousands of objects took half a second). Ids are numbers:
    ``=`` compares two numbers as numbers, so a set of floats selects exactly what ``matches`` would."""
    for c in conds:
        if c.field.lower() != "id" or c.op not in ("=", "IN"):
            continue
        wanted = _numbers(c.value if c.op == "IN" else [c.value])
        if wanted is None:
            continue
        out = []
        for o in objects:
            try:
                if float(str(o.get("Id"))) in wanted:
                    out.append(o)
            except ValueError:
                pass  # not a number: equal to none of these numbers
        return out, [other for other in conds if other is not c]
    return objects, conds


def run(q: Query, objects: list[dict]) -> dict:
    """The QueryResponse for `q` over `objects` (the entity's live objects)."""
    conds = q.where
    spec = SPECS[q.entity]
    if spec.has_active and not any(c.field.lower() == "active" for c in conds):
        conds = conds + [Condition("Active", "=", True)]
    objects, conds = _by_id(objects, conds)
    hits = [o for o in objects if all(matches(o, c) for c in conds)]
    if q.count:
        return {"totalCount": len(hits)}
    if q.order:
        for fld, desc in reversed(q.order):
            hits.sort(key=lambda o: _sort_key(field_value(o, fld)), reverse=desc)
    else:
        hits.sort(key=lambda o: _sort_key(o.get("Id")))
    page = hits[q.start - 1:q.start - 1 + q.max_results]
    if not page:
        return {}
    return {q.entity: page, "startPosition": q.start, "maxResults": len(page)}
