"""The documents of one kind as a list: its columns (each kind its own, from the document-kind registry), the
filter (``amount:>100``, ``date:2026-11-01..2026-11-15``, ``status:failed``, a "quoted phrase", free text), the
totals per currency, and the CSV and plain-table forms. One place for the dashboard (its tables and its CSV
export) and ``qbtui list`` (docs/cli.md, Commands): a column, a filter term or a CSV cell means the same in both.

A *listed row* is a dict: ``type, ref, status, qbo_id, date, party, total`` (Decimal or None), ``currency``,
``data`` (the document) and ``balance`` (QBO's balance of an invoice or bill as the last pull saw it, or None).
"""

from __future__ import annotations

import csv
import io
import re
import shlex
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from qbtui.ledger.kinds import KIND

Listed = Mapping[str, Any]

#: the store's reference kind of QBO's balances as the last pull saw them: ``{"type:ref": {"entity", "id", "total",
#: "balance", "paid", "at"}}`` (written by qbtui.sync.inbound, read here for the QBO balance column)
BALANCES = "qbo_balances"


def balance_of(cache: Any, doc_type: str, ref: str) -> dict[str, Any] | None:
    """QBO's balance and paid state of an invoice or bill as the last pull saw it, or None."""
    return (cache.reference(BALANCES, {}) or {}).get(f"{doc_type}:{ref}")

#: the document fields the kinds' own columns show, beyond reference, date, counterparty, total, status, QBO Id
#: (the dashboard keeps only these of a row's document)
DATA_FIELDS: dict[str, tuple[str, ...]] = {
    "customer": ("email",), "supplier": ("email",), "product": ("kind", "purchase_cost"),
    "sale_payment": ("invoice", "method"), "supplier_payment": ("supplier_invoice",),
    "gift_voucher": ("event",), "store_credit": ("event",),
}
BALANCE_KINDS = frozenset({"sale_invoice", "supplier_invoice"})


@dataclass(frozen=True)
class ListColumn:
    title: str
    key: str
    """What ``--sort``-like choices and the CSV header call it."""
    get: Callable[[Listed], Any]
    kind: str = "text"  # "text" | "money" | "date"
    width: int = 10  # the dashboard's minimum width
    flex: int = 0


def _field(name: str) -> Callable[[Listed], Any]:
    return lambda r: (r.get("data") or {}).get(name)


def _balance(r: Listed) -> Any:
    b = r.get("balance") or {}
    return b.get("balance")


REF = ListColumn("Reference", "ref", lambda r: r["ref"], width=12, flex=1)
DATE = ListColumn("Date", "date", lambda r: r.get("date") or "", "date", width=10)
PARTY = ListColumn("Counterparty", "party", lambda r: r.get("party") or "", width=10, flex=2)
TOTAL = ListColumn("Total", "total", lambda r: r.get("total"), "money", width=11)
STATUS = ListColumn("Status", "status", lambda r: str(r.get("status") or "").upper(), width=7)
QBO_ID = ListColumn("QBO Id", "qbo_id", lambda r: r.get("qbo_id") or "", width=6)

#: the columns of each kind (the default: reference, date, counterparty, total, status, QBO Id)
KIND_COLUMNS: dict[str, tuple[ListColumn, ...]] = {
    "customer": (REF, ListColumn("Name", "party", lambda r: r.get("party") or "", width=12, flex=3),
                 ListColumn("Email", "email", _field("email"), width=10, flex=2), STATUS, QBO_ID),
    "supplier": (REF, ListColumn("Name", "party", lambda r: r.get("party") or "", width=12, flex=3),
                 ListColumn("Email", "email", _field("email"), width=10, flex=2), STATUS, QBO_ID),
    "product": (ListColumn("SKU", "ref", lambda r: r["ref"], width=10, flex=1),
                ListColumn("Name", "party", lambda r: r.get("party") or "", width=10, flex=3),
                ListColumn("Kind", "kind", _field("kind"), width=9),
                ListColumn("Price", "total", lambda r: r.get("total"), "money", width=9),
                ListColumn("Cost", "cost", _field("purchase_cost"), "money", width=9),
                STATUS, ListColumn("QBO item", "qbo_id", lambda r: r.get("qbo_id") or "", width=8)),
    "sale_payment": (REF, DATE, ListColumn("Invoice paid", "invoice", _field("invoice"), width=12, flex=1),
                     ListColumn("Amount", "total", lambda r: r.get("total"), "money", width=11),
                     ListColumn("Method", "method", _field("method"), width=8), STATUS, QBO_ID),
    "supplier_payment": (REF, DATE, ListColumn("Bill paid", "supplier_invoice", _field("supplier_invoice"), width=12,
                                               flex=1),
                         ListColumn("Amount", "total", lambda r: r.get("total"), "money", width=11), STATUS, QBO_ID),
    "gift_voucher": (REF, DATE, PARTY, ListColumn("Event", "event", _field("event"), width=8), TOTAL, STATUS, QBO_ID),
    "store_credit": (REF, DATE, PARTY, ListColumn("Event", "event", _field("event"), width=8), TOTAL, STATUS, QBO_ID),
    "sale_invoice": (REF, DATE, PARTY, TOTAL,
                     ListColumn("QBO balance", "balance", _balance, "money", width=11), STATUS, QBO_ID),
    "supplier_invoice": (REF, DATE, PARTY, TOTAL,
                         ListColumn("QBO balance", "balance", _balance, "money", width=11), STATUS, QBO_ID),
}
DEFAULT_COLUMNS = (REF, DATE, PARTY, TOTAL, STATUS, QBO_ID)


def columns_of(type_: str) -> tuple[ListColumn, ...]:
    if type_ not in KIND:
        raise ValueError(f"unknown document type {type_!r}")
    return KIND_COLUMNS.get(type_, DEFAULT_COLUMNS)


# ------------------------------------------------------------------ cells
def as_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def cell(column: ListColumn, row: Listed) -> str:
    """The column's value as text: money with two decimals (no grouping: a spreadsheet reads it as a number),
    dates as ISO."""
    value = column.get(row)
    if column.kind == "money":
        amount = as_decimal(value)
        return "" if amount is None else f"{amount:.2f}"
    return "" if value is None else str(value)


_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def inert(text: str) -> str:
    """A CSV cell a spreadsheet will not run: text starting with ``= + - @`` (or a tab or carriage return, which
    some spreadsheets skip before them) gets a leading single quote. Plain numbers (``-12.50``) and ISO dates
    stay as they are: they are values, not formulas."""
    if not text or _NUMBER.match(text) or _ISO_DATE.match(text):
        return text
    if text[0] in "=+-@\t\r":
        return "'" + text
    return text


def to_csv(rows: Iterable[Listed], columns: tuple[ListColumn, ...]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.title for c in columns])
    for row in rows:
        writer.writerow([inert(cell(c, row)) for c in columns])
    return out.getvalue()


def to_table(rows: list[Listed], columns: tuple[ListColumn, ...]) -> str:
    """A plain text table (for a terminal): the columns as wide as their widest cell, money right-aligned."""
    cells = [[cell(c, r).replace("\n", " ") for c in columns] for r in rows]
    widths = [max([len(c.title), *(len(line[i]) for line in cells)]) for i, c in enumerate(columns)]

    def line(values: list[str]) -> str:
        return "  ".join(v.rjust(w) if c.kind == "money" else v.ljust(w)
                         for v, w, c in zip(values, widths, columns)).rstrip()
    return "\n".join([line([c.title for c in columns]), *(line(v) for v in cells)]) + "\n"


def totals(rows: Iterable[Listed]) -> dict[str, tuple[int, Decimal]]:
    """Count and amount of the rows, per currency (a document without a currency: "")."""
    return totals_of((str(r.get("currency") or (r.get("data") or {}).get("currency") or ""), r.get("total"))
                     for r in rows)


def totals_of(pairs: Iterable[tuple[str, Any]]) -> dict[str, tuple[int, Decimal]]:
    """Count and amount per currency of (currency, total) pairs (a total that is not a number counts as 0)."""
    counts: dict[str, int] = {}
    sums: dict[str, Decimal] = {}
    for currency, total in pairs:
        counts[currency] = counts.get(currency, 0) + 1
        if isinstance(total, Decimal):
            sums[currency] = sums.get(currency, Decimal("0.00")) + total
    return {c: (n, sums.get(c, Decimal("0.00"))) for c, n in counts.items()}


def totals_text(rows: Iterable[Listed] | None = None, per: dict[str, tuple[int, Decimal]] | None = None) -> str:
    """``12 documents, 3,450.00`` or, with several currencies, ``10 CAD 3,000.00; 2 USD 450.00``."""
    if per is None:
        per = totals(rows or ())
    if not per:
        return "0 documents"
    if len(per) == 1:
        (currency, (n, amount)), = per.items()
        return f"{n:,} document{'s' if n != 1 else ''}, {(currency + ' ') if currency else ''}{amount:,.2f}"
    return "; ".join(f"{n:,} {currency or '(no currency)'} {amount:,.2f}" for currency, (n, amount) in sorted(
        per.items()))


# ------------------------------------------------------------------ the filter
@dataclass(frozen=True)
class Filter:
    """A parsed filter: every term must hold (``status:failed amount:>100 date:2026-11-01..2026-11-15 "two words"
    text``)."""

    statuses: tuple[str, ...] = ()
    amount: tuple[str, ...] = ()  # the values of amount: terms (``>100``, ``100..500``)
    dates: tuple[str, ...] = ()  # the values of date: terms (``2026-11``, ``2026-11-01..2026-11-15``)
    text: tuple[str, ...] = ()  # lower case: words and phrases

    def __bool__(self) -> bool:
        return bool(self.statuses or self.amount or self.dates or self.text)

    def matches(self, row: Listed) -> bool:
        if self.statuses and str(row.get("status") or "") not in self.statuses:
            return False
        if self.amount and not all(amount_matches(row.get("total"), v) for v in self.amount):
            return False
        if self.dates and not all(date_matches(str(row.get("date") or ""), v) for v in self.dates):
            return False
        if self.text:
            haystack = searchable(row)
            if not all(t in haystack for t in self.text):
                return False
        return True


def searchable(row: Listed) -> str:
    data = row.get("data") or {}
    values = [row.get("ref"), row.get("party"), row.get("qbo_id")]
    values += [v for k, v in data.items() if isinstance(v, str) and k not in ("type", "ref")]
    return "\t".join(str(v) for v in values if v).lower()


_OPS = {">": lambda a, b: a > b, ">=": lambda a, b: a >= b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
        "=": lambda a, b: a == b}


class FilterError(ValueError):
    pass


def split_terms(query: str) -> list[str]:
    """The terms of a filter: words, and "quoted phrases" as one term (an unclosed quote: to the end)."""
    try:
        return shlex.split(query.strip())
    except ValueError:
        head, _, phrase = query.rpartition('"')
        return [*split_terms(head.replace('"', " ")), *([phrase.strip()] if phrase.strip() else [])]


def date_matches(day: str, value: str) -> bool:
    """``date:2026-11`` (a prefix: that month) or ``date:2026-11-01..2026-11-15`` (inclusive; either end may be
    left out, and each end may be a month or a year)."""
    if not day:
        return False
    if ".." not in value:
        return day.startswith(value)
    first, _, last = value.partition("..")
    return (not first or day[:len(first)] >= first) and (not last or day[:len(last)] <= last)


def amount_matches(total: Any, value: str) -> bool:
    """``amount:>100`` (``>= < <= =``, or ``100..500`` inclusive) on the document's total. FilterError when
    ``value`` is not one."""
    amount = as_decimal(total)
    return amount is not None and all(_OPS[op](amount, limit) for op, limit in _amount_terms(value))


def parse_filter(query: str) -> Filter:
    """``status:failed``, ``amount:>100`` (``>= < <= =``, or a range ``amount:100..500``), ``date:2026-11`` or
    ``date:2026-11-01..2026-11-15`` (inclusive), ``"a quoted phrase"``, words. FilterError on a bad term."""
    statuses: list[str] = []
    amounts: list[str] = []
    dates: list[str] = []
    text: list[str] = []
    for term in split_terms(query):
        name, _, value = term.partition(":")
        if value and name.lower() == "status":
            statuses += [s.strip().lower() for s in value.split(",") if s.strip()]
        elif value and name.lower() == "amount":
            _amount_terms(value)  # a bad amount says so now
            amounts.append(value)
        elif value and name.lower() == "date":
            if value.strip(".") == "":
                raise FilterError(f"{term}: a date, or a range 2026-11-01..2026-11-15")
            dates.append(value)
        elif term:
            text.append(term.lower())
    return Filter(tuple(statuses), tuple(amounts), tuple(dates), tuple(text))


def _amount_terms(value: str) -> list[tuple[str, Decimal]]:
    if ".." in value:
        low, _, high = value.partition("..")
        return [*((">=", _number(low)),) * bool(low), *(("<=", _number(high)),) * bool(high)]
    for op in (">=", "<=", ">", "<", "="):
        if value.startswith(op):
            return [(op, _number(value[len(op):]))]
    return [("=", _number(value))]


def _number(text: str) -> Decimal:
    amount = as_decimal(text.replace(",", "").replace("$", ""))
    if amount is None:
        raise FilterError(f"amount: {text!r} is not a number")
    return amount


def sort_rows(rows: list, column: ListColumn, descending: bool = False,
              view: Callable[[Any], Listed] | None = None) -> list:
    """Rows by one column (money as numbers; empty cells last either way), ties by reference. ``view``: how an
    item reads as a listed row (the dashboard's rows)."""
    def key(item: Any) -> tuple:
        row = view(item) if view is not None else item
        value = column.get(row)
        if column.kind == "money":
            value = as_decimal(value)
        else:
            value = str(value or "").lower()
        return (value is None or value == "", value if value not in (None, "") else "", row["ref"])
    keyed = [(key(r), r) for r in rows]
    present = [kr for kr in keyed if not kr[0][0]]
    present.sort(key=lambda kr: kr[0], reverse=descending)
    return [r for _, r in present] + [r for k, r in keyed if k[0]]


# ------------------------------------------------------------------ reading
def listed(type_: str, ref: str, data: Mapping[str, Any], *, status: str = "pending", qbo_id: str = "",
           party: str | None = None, balance: Mapping[str, Any] | None = None, tax: Any = None) -> dict[str, Any]:
    """One listed row of a document; ``tax``: the company's tax context (qbtui.ledger.totals.tax_context), the
    total then as QuickBooks will show it, tax included."""
    from qbtui.ledger.totals import document_total

    kind = KIND[type_]
    date = next((str(data[f]) for f in kind.dates if data.get(f)), "")
    if party is None:
        party = next((str(data[f]) for f in kind.party if data.get(f)), "")
    return {"type": type_, "ref": ref, "status": status, "qbo_id": qbo_id, "date": date, "party": party,
            "total": document_total(type_, dict(data), tax), "currency": data.get("currency") or "", "data": data,
            "balance": balance}


def read_listed(cache: Any, type_: str, balances: Mapping[str, Any] | None = None,
                statuses: Iterable[str] | None = None, tax: Any = None) -> list[dict[str, Any]]:
    """Every document of ``type_`` in the store as listed rows, by date then reference (the store's order); their
    totals as QuickBooks will show them (tax included where the ledger can foresee it; ``tax``: the company's tax
    context when the caller has read it, else read here)."""
    from qbtui.ledger.totals import tax_context

    columns_of(type_)  # an unknown type says so
    tax = tax if tax is not None else tax_context(cache)
    wanted = list(statuses) if statuses else None
    n = cache.count_rows(type_, wanted)
    kind = KIND[type_]
    names: dict[tuple[str, str], str] = {}

    def party_of(data: Mapping[str, Any]) -> str:
        """The counterparty as the dashboard shows it: a contact's name, else the field's value."""
        for f in kind.party:
            value = data.get(f)
            if not value:
                continue
            named = kind.named_kind(f)
            if named in ("customer", "supplier"):
                key = (named, str(value))
                if key not in names:
                    record = cache.get(*key)
                    names[key] = str(((record or {}).get("data") or {}).get("name") or value)
                return names[key]
            return str(value)
        return ""
    out = []
    for r in cache.rows(type_, wanted, limit=n, data=True):
        ids = r.get("qbo_ids")
        if ids is None:
            link = cache.link(type_, r["ref"]) or {}
            ids = [str(q["id"]) for q in link.get("qbo") or () if q.get("id") is not None]
        out.append(listed(type_, r["ref"], r.get("data") or {}, status=r["status"], qbo_id=",".join(ids),
                          party=party_of(r.get("data") or {}), balance=(balances or {}).get(f"{type_}:{r['ref']}"),
                          tax=tax))
    return out
