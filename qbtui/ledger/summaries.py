"""Summarized posting (docs/domain.md#summarized-posting): a sales channel whose sync type is ``daily`` or
``monthly`` posts the documents of a period as one QBO document per (channel, kind, period, currency, location when
tracked, class when tracked per transaction, tax calculation), instead of one per document.

Pure: the documents in, :class:`Summary` objects (what each holds, its lines, its totals) and their payloads out.

- ``sales``: the period's invoices as one Invoice to the channel's customer (``channel.<name>.summary_customer``,
  default "<channel> sales"), one line per (product, tax code[, class per line]) with quantity and amount summed;
- ``credits``: the part of the period's credit notes not refunded as one CreditMemo, same lines;
- ``refunds``: the period's refunds (of credit notes) as one RefundReceipt into payment clearing, same lines;
- ``cogs``: the period's COGS journals as one JournalEntry (a pair of lines per class);
- ``payments``: the period's payments as one Payment into payment clearing, one line per sales summary it pays.

Tax: QBO recomputes a document's tax per rate from its lines (docs/qbo.md#tax-by-region), so the summary's tax can
differ by cents from the sum of its orders' taxes. A rounding line (a zero-rate line, the last) takes the difference
so that the summary's total equals the sum of its documents' totals to the cent; it is shown (``Summary.rounding``).

A summary's ``ref`` (its key: channel, kind, period, currency..., correction number) is what its DocNumber (or
PaymentRefNum) and PrivateNote carry: the sync finds a summary whose answer was lost by it (qbtui.sync.lookup).
A document that comes after its period was posted goes into a correction (correction number 1, 2...): a second,
smaller summary, never an edit of the first. A change or void of a document already summarized makes a correction
too: what it brought (its :class:`Part`, as recorded when it was posted: :func:`part_json`) goes out, negated, and
what it brings now goes in (:func:`correction_entries`). A correction whose total is below zero is posted as the
kind's reverse (:data:`REVERSED`: a sales correction as a CreditMemo...), its lines negated.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any

from qbtui.ledger.common import (
    Doc,
    add_control_account,
    add_tax,
    doc_tax,
    home_currency,
    line_class_value,
    location_value,
    plain,
    sale_amounts,
    sale_line,
    txn_class_value,
)
from qbtui.ledger.context import Ledger
from qbtui.ledger.credit_notes import _part_tax, credit_note_parts
from qbtui.ledger.journals import cogs_classes, journal, journal_location, pair
from qbtui.ledger.money import ZERO, dec, money
from qbtui.ledger.payload import Payload
from qbtui.ledger.refs import doc_number, txn_memo
from qbtui.ledger.tax import DocTax, book_of, compute, expected
from qbtui.settings import SUMMARY_TYPES

KINDS = ("sales", "credits", "refunds", "cogs", "payments")
ENTITY = {"sales": "Invoice", "credits": "CreditMemo", "refunds": "RefundReceipt", "cogs": "JournalEntry",
          "payments": "Payment"}
REVERSED = {"sales": "CreditMemo", "credits": "Invoice", "refunds": "SalesReceipt", "cogs": "JournalEntry",
            "payments": "JournalEntry"}
"""The entity a summary below zero (a correction taking more out than it brings) is posted as: its lines negated (a
COGS journal's pairs reversed; a payment taken back: Dr accounts receivable for the channel's customer, Cr payment
clearing)."""
_LETTER = {"sales": "SI", "credits": "SC", "refunds": "SR", "cogs": "SJ", "payments": "SP"}
SUMMARIZED_TYPES = frozenset({"sale_invoice", "credit_note", "cogs", "sale_payment"})
ROUNDING_SKU = "qbtui-summary-rounding"
"""The item of a summary's rounding line (a service item the sync makes or finds by this name)."""
ROUNDING_DESCRIPTION = "Tax rounding: the sum of the orders' tax less QuickBooks' tax on the summary"


def today() -> date:
    """Today, or the day ``QBTUI_TODAY`` (YYYY-MM-DD) says (tests and demos)."""
    text = os.environ.get("QBTUI_TODAY", "").strip()
    return date.fromisoformat(text) if text else date.today()


# --- periods -----------------------------------------------------------------------------------------------------

def period_of(day: str | date, sync: str) -> str:
    """The period a date falls in: ``2026-11-02`` (daily) or ``2026-11`` (monthly)."""
    d = date.fromisoformat(day) if isinstance(day, str) else day
    if sync == "daily":
        return d.isoformat()
    if sync == "monthly":
        return f"{d.year:04d}-{d.month:02d}"
    raise ValueError(f"{sync!r} is not a summarized sync type ({', '.join(SUMMARY_TYPES)})")


def period_bounds(period: str) -> tuple[date, date]:
    """(first day, last day) of a period."""
    if len(period) == 10:
        d = date.fromisoformat(period)
        return d, d
    first = date.fromisoformat(f"{period}-01")
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def is_due(period: str, grace: timedelta, now: datetime | date | None = None) -> bool:
    """True when the period's grace has passed: its end (midnight after its last day) plus ``grace`` is at or before
    ``now`` (a date stands for its midnight; default :func:`today`)."""
    now = now if now is not None else today()
    if not isinstance(now, datetime):
        now = datetime(now.year, now.month, now.day)
    last = period_bounds(period)[1]
    end = datetime(last.year, last.month, last.day) + timedelta(days=1)
    return end + grace <= now.replace(tzinfo=None)


# --- keys --------------------------------------------------------------------------------------------------------

@dataclass(frozen=True, order=True)
class SummaryKey:
    """What tells one summary from another. ``tax``: the tax calculation (TaxExcluded / TaxInclusive) outside the
    US, the document's rate code in the US (one QBO document carries one). ``correction``: 0 for the period's first
    posting, 1, 2... for documents that came after it."""

    channel: str
    kind: str
    period: str
    currency: str
    location: str | None = None
    klass: str | None = None
    tax: str | None = None
    correction: int = 0

    # cached: a key is frozen, and a month of a marketplace's orders asks each of its 300,000 entries' keys for them

    @cached_property
    def base(self) -> SummaryKey:
        """The key without its correction number (every posting of the same period and group)."""
        return replace(self, correction=0) if self.correction else self

    @cached_property
    def ref(self) -> str:
        """The full reference: ``SI-20261102-web-USD[-location][-class][-tax][-C1]`` (PrivateNote; DocNumber is
        :attr:`doc_number`)."""
        parts = [_LETTER[self.kind], self.period.replace("-", ""), self.channel, self.currency,
                 *(p for p in (self.location, self.klass, self.tax) if p)]
        if self.correction:
            parts.append(f"C{self.correction}")
        return "-".join(parts)

    @property
    def doc_number(self) -> str:
        return doc_number(self.ref)

    def to_json(self) -> dict[str, Any]:
        return {"channel": self.channel, "kind": self.kind, "period": self.period, "currency": self.currency,
                "location": self.location, "class": self.klass, "tax": self.tax, "correction": self.correction,
                "ref": self.ref, "doc_number": self.doc_number}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SummaryKey:
        return cls(str(data["channel"]), str(data["kind"]), str(data["period"]), str(data["currency"]),
                   data.get("location"), data.get("class"), data.get("tax"), int(data.get("correction") or 0))


# --- summaries ---------------------------------------------------------------------------------------------------

@dataclass
class SummaryLine:
    """One line of a summary: a product and tax code (and a class, per line), quantity and amount summed (the
    amount as priced: nets, or tax-inclusive amounts in a TaxInclusive summary); ``refs``: the documents behind it."""

    sku: str
    code: str | None
    klass: str | None
    quantity: Decimal
    amount: Decimal
    refs: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Part:
    """What one document (or one refund of a credit note) brings to a summary."""

    ref: str
    doc: Doc
    date: str
    total: Decimal  # its total as QBO shows it when foreseeable (tax included), else the sum of its lines
    tax: Decimal | None  # its tax (None: not foreseeable)
    lines: tuple[tuple[str, str | None, str | None, Decimal, Decimal], ...] = ()  # (sku, code, class, qty, amount)
    pays: str | None = None  # a payment: the invoice it pays
    classes: tuple[tuple[str | None, Decimal], ...] = ()  # a COGS journal: (class, amount)


def _num(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def part_json(part: Part) -> dict[str, Any]:
    """What a part brought to a summary, as its document's link keeps it (amounts as strings): the figures a change
    or void of the document later takes out again."""
    return {"doc": [part.doc["type"], part.doc["ref"]], "ref": part.ref, "date": part.date, "total": str(part.total),
            "tax": _num(part.tax), "lines": [[sku, code, klass, str(qty), str(amount)]
                                             for sku, code, klass, qty, amount in part.lines],
            "pays": part.pays, "classes": [[klass, str(amount)] for klass, amount in part.classes]}


def part_from_json(data: Mapping[str, Any]) -> Part:
    t, ref = data["doc"]
    return Part(str(data["ref"]), {"type": t, "ref": ref}, str(data["date"]), Decimal(data["total"]),
                None if data.get("tax") is None else Decimal(data["tax"]),
                tuple((sku, code, klass, Decimal(qty), Decimal(amount))
                      for sku, code, klass, qty, amount in data.get("lines") or ()),
                data.get("pays"), tuple((klass, Decimal(amount)) for klass, amount in data.get("classes") or ()))


def negated(part: Part) -> Part:
    """The part taken out again: every figure negated (quantities too)."""
    return replace(part, total=-part.total, tax=None if part.tax is None else -part.tax,
                   lines=tuple((sku, code, klass, -qty, -amount) for sku, code, klass, qty, amount in part.lines),
                   classes=tuple((klass, -amount) for klass, amount in part.classes))


@dataclass
class Summary:
    key: SummaryKey
    parts: list[Part] = field(default_factory=list)
    lines: list[SummaryLine] = field(default_factory=list)
    total: Decimal = ZERO  # the sum of its documents' totals: what the summary's total must be, to the cent
    docs_tax: Decimal | None = ZERO  # the sum of its documents' taxes (None: one was not foreseeable)
    qbo: DocTax | None = None  # the tax QBO computes on the summary's lines (without the rounding line)
    rounding: Decimal = ZERO  # the rounding line's amount (the last line; zero: no rounding line)
    rounding_code: str | None = None  # the zero-rate tax code of the rounding line (None: none found, see problem)
    problem: str | None = None  # why it cannot be posted as built (e.g. no zero-rate code for a rounding line)
    sign: int = 1  # -1: a correction below zero, posted as the kind's reverse (REVERSED), its lines negated

    @property
    def entity(self) -> str:
        """The QBO entity it is posted as: the kind's, or its reverse for a correction below zero."""
        return REVERSED[self.key.kind] if self.reversed else ENTITY[self.key.kind]

    @property
    def reversed(self) -> bool:
        return self.sign < 0 or (self.key.kind in ("cogs", "payments") and self.total < 0)

    @property
    def refs(self) -> list[str]:
        return list(dict.fromkeys(p.ref for p in self.parts))

    @property
    def memo(self) -> str:
        """``<ref>: <n> documents, <first> .. <last>`` (first and last by date, then reference)."""
        refs = [p.ref for p in sorted(self.parts, key=lambda p: (p.date, p.ref))]
        n = len(dict.fromkeys(refs))
        span = refs[0] if n == 1 else f"{refs[0]} .. {refs[-1]}"
        return f"{self.key.ref}: {n} document{'s' if n != 1 else ''}, {span}"

    @property
    def lines_total(self) -> Decimal:
        """The summary's total as QBO will show it: its lines' nets, QBO's tax and the rounding line (the sum of its
        lines when QBO's tax is not foreseeable)."""
        if self.key.kind == "cogs":
            return sum((amount for p in self.parts for _, amount in p.classes), ZERO)
        if self.key.kind == "payments":
            return sum((p.total for p in self.parts), ZERO)
        if self.qbo is not None and self.qbo.total is not None:
            return self.sign * (self.qbo.total + self.rounding)
        return sum((line.amount for line in self.lines), ZERO) + self.sign * self.rounding

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key.to_json(), "entity": self.entity, "reversed": self.reversed, "documents": self.refs,
                "count": len(self.refs), "memo": self.memo, "total": self.total, "documents_tax": self.docs_tax,
                "qbo_tax": None if self.qbo is None else self.qbo.tax, "rounding": self.rounding,
                "lines": [{"sku": line.sku, "tax_code": line.code, "class": line.klass, "quantity": line.quantity,
                           "amount": line.amount, "documents": line.refs} for line in self.lines],
                "problem": self.problem}


# --- from documents to parts -------------------------------------------------------------------------------------

def channel_of(doc: Doc, ledger: Ledger) -> str:
    """The sales channel of a document: its own; a payment's, and a COGS or credit note's left on the default
    channel, its invoice's (the rule of qbtui.ledger.gates.skip_reason)."""
    channel = doc.get("channel")
    invoice = ledger.doc("sale_invoice", doc.get("invoice"))
    if invoice is not None and (doc["type"] == "sale_payment" or channel in (None, "direct")):
        channel = invoice.get("channel")
    return str(channel or "direct")


def sync_kind(doc: Doc, ledger: Ledger) -> str | None:
    """The sync type (``daily`` / ``monthly``) that summarizes this document, or None (sent on its own or skipped)."""
    t = doc["type"]
    if t not in SUMMARIZED_TYPES:
        return None
    kind = {"cogs": "cogs", "sale_payment": "payment"}.get(t, "invoice")
    sync = ledger.settings.channel_sync(channel_of(doc, ledger), kind)
    return sync if sync in SUMMARY_TYPES else None


def _currency(doc: Doc, ledger: Ledger) -> str:
    # a payment is in its invoice's currency; a COGS journal in its own (the inventory's cost: the home currency)
    invoice = ledger.doc("sale_invoice", doc.get("invoice")) if doc["type"] == "sale_payment" else None
    return str(doc.get("currency") or (invoice or {}).get("currency") or home_currency(ledger)).upper()


def _line_class(doc: Doc, ledger: Ledger, sku: str | None) -> str | None:
    return line_class_value(doc, ledger, sku, "customer") if ledger.prefs.class_per_line else None


def _txn_class(doc: Doc, ledger: Ledger) -> str | None:
    p = ledger.prefs
    return txn_class_value(doc, ledger, "customer") if p.class_per_txn and not p.class_per_line else None


def _location(doc: Doc, ledger: Ledger) -> str | None:
    return location_value(doc, ledger, "customer") if ledger.prefs.track_departments else None


def _tax_group(tax: DocTax) -> str | None:
    if tax.region == "us":
        return (tax.txn_code or {}).get("name") if tax.txn_code else None
    return tax.calculation


def _sale_part(ref: str, doc: Doc, day: str, amounts: Sequence[Decimal], tax: DocTax, ledger: Ledger) -> Part:
    lines = []
    for line, amount, t in zip(doc.get("lines") or (), amounts, tax.lines):
        priced = t.gross if t.gross is not None else t.net
        lines.append((str(line["sku"]), t.code, _line_class(doc, ledger, line.get("sku")), dec(line["quantity"]),
                      priced if priced is not None else amount))
    total = tax.total if tax.total is not None else sum((t.net for t in tax.lines), ZERO)
    return Part(ref, doc, day, total, tax.tax, tuple(lines))


def parts_of(doc: Doc, ledger: Ledger) -> list[tuple[str, Part, DocTax | None]]:
    """(summary kind, part, its tax) for each part of a document: an invoice's sale, a credit note's memo part and
    each of its refunds, a COGS journal, a payment."""
    t = doc["type"]
    if t == "sale_invoice":
        amounts = sale_amounts(doc)
        tax = doc_tax(doc, ledger, amounts, sales=True)
        return [("sales", _sale_part(doc["ref"], doc, str(doc.get("invoice_date")), amounts, tax, ledger), tax)]
    if t == "credit_note":
        total, memo_part, refund_amounts = credit_note_parts(doc, ledger)
        refunds = doc.get("refunds") or []
        out: list[tuple[str, Part, DocTax | None]] = []
        if not refunds or memo_part > 0:
            amounts, tax = _part_tax(doc, ledger, memo_part, total, scaled=bool(refunds))
            part = _sale_part(doc["ref"], doc, str(doc.get("date")), amounts, tax, ledger)
            if refunds:  # a part's total is the part itself, to the cent (qbtui.ledger.credit_notes)
                part = replace(part, total=memo_part)
            out.append(("credits", part, tax))
        for refund, amount in zip(refunds, refund_amounts):
            amounts, tax = _part_tax(doc, ledger, amount, total, scaled=True)
            part = _sale_part(str(refund["ref"]), doc, str(refund.get("date") or doc.get("date")), amounts, tax,
                              ledger)
            out.append(("refunds", replace(part, total=amount), tax))
        return out
    if t == "cogs":
        classes = tuple(cogs_classes(doc, ledger))
        return [("cogs", Part(doc["ref"], doc, str(doc.get("date")), money(doc["amount"]), None,
                              classes=classes), None)]
    if t == "sale_payment":
        return [("payments", Part(doc["ref"], doc, str(doc.get("date")), money(doc["amount"]), None,
                                  pays=str(doc["invoice"])), None)]
    return []


def key_of(kind: str, part: Part, tax: DocTax | None, sync: str, ledger: Ledger, correction: int = 0) -> SummaryKey:
    doc = part.doc
    if kind == "cogs":
        location, klass = journal_location(doc, ledger), None  # a journal's class is per line (cogs_classes)
    elif kind == "payments":
        location, klass = None, None
    else:
        location, klass = _location(doc, ledger), _txn_class(doc, ledger)
    return SummaryKey(channel_of(part.doc, ledger), kind, period_of(part.date, sync), _currency(part.doc, ledger),
                      location, klass, _tax_group(tax) if tax is not None else None, correction)


# --- building ----------------------------------------------------------------------------------------------------

def zero_code(ledger: Ledger, region: str | None) -> str | None:
    """The tax code of a rounding line: ``NON`` in the US; elsewhere the first sales code whose rates add up to
    zero (None: QBO's codes not known, or none at zero)."""
    if region in (None, "us"):
        return "NON"
    book = book_of(ledger)
    for code in book.codes.values():
        if code.sales and not sum((p for _, p in code.sales), ZERO) and not code.pseudo:
            return code.name
    return None


def _finish(summary: Summary, ledger: Ledger) -> Summary:
    kind = summary.key.kind
    summary.total = sum((p.total for p in summary.parts), ZERO)
    if kind in ("cogs", "payments"):
        summary.docs_tax = None
        paid: dict[str | None, Decimal] = {}
        for part in summary.parts if kind == "payments" and summary.total >= 0 else ():
            paid[part.pays] = paid.get(part.pays, ZERO) + part.total
        if any(amount < 0 for amount in paid.values()):
            summary.problem = ("this payments correction takes more off some invoices than it pays on others "
                               f"({', '.join(str(r) for r, a in paid.items() if a < 0)}): QuickBooks has no payment "
                               "line below zero. Post the difference by hand in QuickBooks and mark them, or "
                               f"qbtui settings set channel.{summary.key.channel}.payment_sync individual")
        return summary
    taxes = [p.tax for p in summary.parts]
    summary.docs_tax = None if any(t is None for t in taxes) else sum((t for t in taxes if t is not None), ZERO)
    by_line: dict[tuple[str, str | None, str | None], SummaryLine] = {}
    for part in summary.parts:
        for sku, code, klass, qty, amount in part.lines:
            line = by_line.get((sku, code, klass))
            if line is None:
                line = by_line[(sku, code, klass)] = SummaryLine(sku, code, klass, Decimal(0), ZERO)
            line.quantity += qty
            line.amount += amount
            if not line.refs or line.refs[-1] != part.ref:
                line.refs.append(part.ref)
    # a correction's lines that cancel out (a document out and in again unchanged on that line) are left out
    summary.lines = [line for line in by_line.values() if line.quantity or line.amount]
    summary.sign = sign = -1 if summary.total < 0 else 1
    region = ledger.prefs.region
    inclusive = summary.key.tax == "TaxInclusive"
    synthetic = {"type": "sale_invoice", "tax_inclusive": inclusive,
                 "lines": [{"sku": line.sku, "quantity": sign * line.quantity, "tax_code": line.code}
                           for line in summary.lines]}
    summary.qbo = compute(synthetic, [sign * line.amount for line in summary.lines], region, book_of(ledger),
                          sales=True, inclusive=inclusive, ast=ledger.prefs.automated_sales_tax)
    if summary.qbo.total is not None:  # as posted: the reverse entity's figures when below zero
        summary.rounding = sign * summary.total - summary.qbo.total
    if summary.rounding:
        summary.rounding_code = zero_code(ledger, region)
        if summary.rounding_code is None:
            summary.problem = ("a rounding line is needed and QuickBooks has no sales tax code at zero: "
                               "add one (e.g. a 0% or exempt code) and pull")
    return summary


Entry = tuple[SummaryKey, Part]
"""A part and the key of the summary it goes into (a base key, correction 0, until :func:`numbered`)."""


def doc_entries(doc: Doc, ledger: Ledger) -> list[Entry]:
    """What a document brings to its channel's summaries now (nothing: not summarized, or voided)."""
    sync = sync_kind(doc, ledger)
    if sync is None or doc.get("voided"):
        return []
    out = []
    for kind, part, tax in parts_of(doc, ledger):
        # refunds follow the payments (payment_sync); one summarized and not the other: refused by the gate
        # channel.summary_mixed (qbtui.ledger.gates.summary_mix)
        each = ledger.settings.channel_sync(channel_of(doc, ledger), "payment") if kind == "refunds" else sync
        if each in SUMMARY_TYPES:
            out.append((key_of(kind, part, tax, each, ledger), part))
    return out


def _same(a: Entry, b: Entry) -> bool:
    return a[0].base == b[0].base and part_json(a[1]) == part_json(b[1])


def correction_entries(posted: Sequence[Entry], current: Sequence[Entry]) -> list[Entry]:
    """What a document summarized before (``posted``: its entries as recorded, each under its key) changes now that
    it is ``current`` (its :func:`doc_entries`, empty when voided): for each part (by kind and reference) whose key or
    figures changed, the posted one out (negated, into its own key's next correction) and the current one in; a part
    gone (a void) only out; a new part only in; an unchanged part nothing."""
    now = {(k.kind, p.ref): (k, p) for k, p in current}
    out: list[Entry] = []
    for key, part in posted:
        entry = now.pop((key.kind, part.ref), None)
        if entry is not None and _same((key, part), entry):
            continue
        out.append((key.base, negated(part)))
        if entry is not None:
            out.append((entry[0].base, entry[1]))
    out.extend((k.base, p) for k, p in now.values())
    return out


def numbered(entries: Iterable[Entry], corrections: Mapping[str, int] | None = None) -> list[Entry]:
    """Each entry under the correction its key takes: ``corrections`` by the reference of a key's base, the next
    correction number (the number of postings it has had); 0 for a key not posted yet."""
    corrections = corrections or {}
    keys: dict[SummaryKey, SummaryKey] = {}  # a few keys, each numbered once (not once per entry)

    def key(k: SummaryKey) -> SummaryKey:
        found = keys.get(k)
        if found is None:
            found = keys[k] = replace(k, correction=corrections.get(k.base.ref, 0))
        return found

    return [(key(k), p) for k, p in entries]


def summarize(entries: Iterable[Entry], ledger: Ledger) -> list[Summary]:
    """The summaries of the entries, grouped by key (correction number included), in key order."""
    groups: dict[SummaryKey, Summary] = {}
    for key, part in entries:
        groups.setdefault(key, Summary(key)).parts.append(part)
    return [_finish(groups[k], ledger) for k in sorted(groups, key=_sort_key)]


def build_summaries(docs: Iterable[Doc], ledger: Ledger,
                    corrections: Mapping[str, int] | None = None) -> list[Summary]:
    """The summaries of ``docs`` (documents of summarized channels; others are left out), grouped by key, in key
    order. ``corrections``: by the reference of a key's base (:attr:`SummaryKey.base`), the correction number its
    documents take (the number of postings it has had: they go into the next correction)."""
    return summarize(numbered((e for doc in docs for e in doc_entries(doc, ledger)), corrections), ledger)


def _sort_key(key: SummaryKey) -> tuple[Any, ...]:
    return (key.channel, key.period, KINDS.index(key.kind), key.currency, key.location or "", key.klass or "",
            key.tax or "", key.correction)


# --- payloads ----------------------------------------------------------------------------------------------------

def _customer(summary: Summary, ledger: Ledger) -> dict[str, Any]:
    return ledger.resolver.contact("summary_customer", ledger.settings.summary_customer(summary.key.channel))


def _head(summary: Summary, ledger: Ledger) -> dict[str, Any]:
    key = summary.key
    body: dict[str, Any] = {"DocNumber": key.doc_number, "TxnDate": period_bounds(key.period)[1].isoformat()}
    if key.currency != home_currency(ledger).upper():
        body["CurrencyRef"] = {"value": key.currency}
    if key.location is not None:
        body["DepartmentRef"] = ledger.resolver.department(key.location)
    if key.klass is not None:
        body["ClassRef"] = ledger.resolver.klass(key.klass)
    return body


def _sales_lines(summary: Summary, ledger: Ledger) -> list[dict[str, Any]]:
    assert summary.qbo is not None
    out = []
    sign = summary.sign
    for line, t in zip(summary.lines, summary.qbo.lines):
        product = {"sku": line.sku, "quantity": sign * line.quantity, "unit_price": "0"}
        row = sale_line(product, sign * line.amount, {"type": "sale_invoice"}, ledger, scaled=True, tax=t)
        if line.klass is not None:
            row["SalesItemLineDetail"]["ClassRef"] = ledger.resolver.klass(line.klass)
        out.append(row)
    if summary.rounding:
        detail: dict[str, Any] = {"ItemRef": ledger.resolver.item(ROUNDING_SKU)}
        if summary.rounding_code is not None:
            detail["TaxCodeRef"] = ledger.resolver.tax_code(summary.rounding_code)
        if summary.key.tax == "TaxInclusive":
            detail["TaxInclusiveAmt"] = summary.rounding
        out.append({"DetailType": "SalesItemLineDetail", "Amount": summary.rounding,
                    "Description": ROUNDING_DESCRIPTION, "SalesItemLineDetail": detail})
    return out


def _expected(summary: Summary) -> dict[str, Decimal] | None:
    if summary.qbo is None or summary.qbo.total is None:
        return None
    out = expected(replace(summary.qbo, total=summary.sign * summary.lines_total, stated=None)) or {}
    return out or None


def build_summary(summary: Summary, ledger: Ledger,
                  invoice_ids: Callable[[str], str | None] | None = None) -> list[Payload]:
    """The payload of one summary. ``invoice_ids``: for a payments summary, the QBO Id of the (summary or single)
    invoice that holds an invoice ref (None: not posted yet)."""
    key, kind, entity = summary.key, summary.key.kind, summary.entity
    body = _head(summary, ledger)
    memo = txn_memo(summary.memo)
    if kind in ("sales", "credits", "refunds"):
        body["CustomerRef"] = _customer(summary, ledger)
        if entity in ("RefundReceipt", "SalesReceipt"):
            body["DepositToAccountRef"] = ledger.resolver.account("payment_clearing")
        else:
            add_control_account(body, "ARAccountRef", "accounts_receivable", {"currency": key.currency}, ledger)
        assert summary.qbo is not None
        add_tax(body, summary.qbo)
        body["Line"] = _sales_lines(summary, ledger)
        body["PrivateNote"] = memo
        return [Payload(entity, "create", body, key=f"summary:{key.ref}", doc_number=key.doc_number,
                        expected=_expected(summary))]
    if kind == "cogs":
        classes: dict[str | None, Decimal] = {}
        for part in summary.parts:
            for name, amount in part.classes:
                classes[name] = classes.get(name, ZERO) + amount
        lines = [line for name, amount in classes.items() if amount
                 for line in pair(ledger, "cogs", "inventory_asset", amount, "COGS summary", klass=name)]
        if not lines:
            lines = pair(ledger, "cogs", "inventory_asset", ZERO, "COGS summary")
        jbody = journal(key.ref, body["TxnDate"], lines, f"{summary.memo.split(': ', 1)[1]}",
                        number_ref=key.ref)
        for extra in ("CurrencyRef", "DepartmentRef"):
            if extra in body:
                jbody[extra] = body[extra]
        return [Payload("JournalEntry", "create", jbody, key=f"summary:{key.ref}", doc_number=jbody["DocNumber"])]
    if summary.total < 0:  # payments taken back (a payment changed or voided after its summary): A/R owed again
        lines = pair(ledger, "accounts_receivable", "payment_clearing", -summary.total, "payments taken back",
                     debit_entity=("Customer", _customer(summary, ledger)))
        jbody = journal(key.ref, body["TxnDate"], lines, f"{summary.memo.split(': ', 1)[1]}", number_ref=key.ref)
        if "CurrencyRef" in body:
            jbody["CurrencyRef"] = body["CurrencyRef"]
        return [Payload("JournalEntry", "create", jbody, key=f"summary:{key.ref}", doc_number=jbody["DocNumber"])]
    # payments: one line per invoice QBO holds (a summary invoice pays many orders: their amounts summed)
    per_id = payment_lines(summary, invoice_ids)
    pbody: dict[str, Any] = {"TxnDate": body["TxnDate"], "PaymentRefNum": key.doc_number,
                             "CustomerRef": _customer(summary, ledger),
                             "DepositToAccountRef": ledger.resolver.account("payment_clearing")}
    add_control_account(pbody, "ARAccountRef", "accounts_receivable", {"currency": key.currency}, ledger)
    if "CurrencyRef" in body:
        pbody["CurrencyRef"] = body["CurrencyRef"]
    pbody["TotalAmt"] = summary.total
    # a payment of an invoice not in QBO (voided, or not posted) pays nothing: its amount stays unapplied on the
    # payment, a credit of the channel's customer (the money came in all the same)
    pbody["Line"] = [{"Amount": amount, "LinkedTxn": [{"TxnId": txn, "TxnType": "Invoice"}]}
                     for txn, amount in per_id.items() if txn is not None or invoice_ids is None]
    pbody["PrivateNote"] = memo
    return [Payload("Payment", "create", pbody, key=f"summary:{key.ref}")]


def payment_lines(summary: Summary, invoice_ids: Callable[[str], str | None] | None) -> dict[str | None, Decimal]:
    """A payments summary's amount per QBO invoice Id it pays (None: an invoice not in QBO yet)."""
    per_id: dict[str | None, Decimal] = {}
    for part in summary.parts:
        txn = invoice_ids(part.pays) if invoice_ids is not None and part.pays else None
        per_id[txn] = per_id.get(txn, ZERO) + part.total
    return per_id


def unit_price(line: SummaryLine) -> Decimal | None:
    """The unit price shown for a summary line (its amount over its quantity), None at zero quantity."""
    return plain((line.amount / line.quantity).quantize(Decimal("0.000001"))) if line.quantity else None

