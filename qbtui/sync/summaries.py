"""Posting summaries (docs/domain.md#summarized-posting): the documents of summarized channels (``daily`` /
``monthly``), grouped by qbtui.ledger.summaries, posted once each period's grace has passed, exactly once.

Exactly once, as for single documents: before a summary is created its documents' links are marked ``sending`` with
the summary's reference (``summary``), so the set of documents a summary holds is fixed before QuickBooks sees it.
A run that finds such marks (the answer was lost, or the run was killed) looks the summary up by its DocNumber (a
Payment by its PaymentRefNum) and our reference in its PrivateNote: found, its documents become ``summarized``;
not found, the same summary (same key, same documents) is sent again. A document that comes after its period was
posted (or marked) goes into the next correction of that key, never into the summary already sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from qbtui.cache import Cache
from qbtui.ledger import Ledger
from qbtui.ledger.gates import skip_reason
from qbtui.ledger.payload import Payload, jsonable, wire
from qbtui.ledger.summaries import (
    KINDS,
    ROUNDING_SKU,
    SUMMARIZED_TYPES,
    Entry,
    Part,
    Summary,
    SummaryKey,
    build_summary,
    channel_of,
    correction_entries,
    doc_entries,
    is_due,
    negated,
    numbered,
    part_from_json,
    part_json,
    period_bounds,
    summarize,
    today,
)
from qbtui.qbo import UnknownOutcome
from qbtui.qbo.client import QBOClient, request_id
from qbtui.settings import SUMMARY_TYPES, Settings
from qbtui.sync import credits, taxcheck
from qbtui.sync.gatestore import gate_statuses
from qbtui.sync.lookup import lookup_key, quote
from qbtui.sync.plan import Snapshot, _bulk, _connected, cache_resolver, snapshot

SUMMARIZED_CODE = "channel.summarized"
#: lost answers to a summary's create that a run settles itself (look up, send again) before it leaves it to the next
LOST_ANSWERS = 3


@dataclass
class PlannedSummary:
    """A summary as the plan sees it: ``due`` once its period's grace has passed; ``resend``: its documents were
    marked for it by a run that did not hear QuickBooks' answer (looked up before it is sent again). ``entries``: per
    document, what it brings (its part's figures, ``out`` when it takes a part posted before out again)."""

    summary: Summary
    due: bool
    resend: bool = False
    docs: list[tuple[str, str]] = field(default_factory=list)
    entries: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {**self.summary.to_json(), "due": self.due, "resend": self.resend}


@dataclass
class Plan:
    """The summaries to post, and the documents changed since their summary whose figures did not change (a memo,
    say): ``settled``, summarized again without a correction."""

    summaries: list[PlannedSummary]
    ledger: Ledger
    settled: list[tuple[str, str]] = field(default_factory=list)
    #: per document, the summaries of this plan it goes into (it is summarized once all of them are posted)
    awaits: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    #: documents refused (a summarized payment of an invoice posted on its own): the error each gets
    refused: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    #: voided documents a correction already took out (its answer was looked up): voided, nothing to send
    voided: list[tuple[str, str]] = field(default_factory=list)
    #: the summary record on the link of each document of a summary, as the plan read it (posting keeps it current)
    records: dict[tuple[str, str], dict[str, Any] | None] = field(default_factory=dict)


def _ledger(cache: Cache, snap: Snapshot) -> Ledger:
    return Ledger(snap.settings, cache_resolver(snap, _connected(cache)), snap.prefs, snap.docs)


def _summarized(snap: Snapshot, key: tuple[str, str]) -> bool:
    """Is this document one its channel summarizes (its skip reason says so)?"""
    reason = skip_reason(snap.docs[key], snap.settings, snap.docs)
    return reason is not None and reason.code == SUMMARIZED_CODE


def key_json(key: SummaryKey) -> dict[str, Any]:
    """A key's fields (its references left out: what a document's record keeps of each summary it is in)."""
    return {"channel": key.channel, "kind": key.kind, "period": key.period, "currency": key.currency,
            "location": key.location, "class": key.klass, "tax": key.tax, "correction": key.correction}


def _record_entries(records: list[dict[str, Any]]) -> list[Entry]:
    return [(SummaryKey.from_json(r["key"]), part_from_json(r["part"])) for r in records]


def posted_entries(link: Mapping[str, Any] | None) -> list[Entry]:
    """What a document's link says it brought to the summaries posted so far (each part under its key)."""
    return _record_entries(((link or {}).get("summary") or {}).get("parts") or [])


def plan_summaries(cache: Cache, now: datetime | date | None = None) -> tuple[list[PlannedSummary], Ledger]:
    """The summaries to post and the ledger they were built with (:func:`plan`)."""
    p = plan(cache, now)
    return p.summaries, p.ledger


def plan(cache: Cache, now: datetime | date | None = None, blocked: Iterable[tuple[str, str]] | None = None,
         summarized: Iterable[tuple[str, str]] | None = None) -> Plan:
    """The summaries to post: those whose documents a lost answer left marked (``resend``, rebuilt from the marks,
    never from the documents as they are now), then what the pending documents of summarized channels bring: a new
    document its parts, in the next correction of their key; a document summarized and changed or voided since, the
    difference (:func:`qbtui.ledger.summaries.correction_entries`). Without a summarized channel and without marks,
    nothing is read (a sync of a profile that does not summarize pays nothing). ``blocked``: the documents the gates
    hold back, when the caller has them (a sync's own plan); else read from the stored gate results. ``summarized``:
    likewise, the documents the gates say their channel summarizes (else each one's skip reason is asked)."""
    if not _any_summarized(cache):
        return Plan([], Ledger())
    snap = snapshot(cache)
    ledger = _ledger(cache, snap)
    grace = snap.settings.summary_grace_delta
    now = now if now is not None else today()
    marked: dict[str, list[tuple[tuple[str, str], dict[str, Any]]]] = {}
    corrections: dict[str, int] = {}  # base ref -> the next correction number
    for key, link in snap.links.items():
        s = link.get("summary")
        if not s:
            continue
        for r in [*(s.get("parts") or ()), *(s.get("pending") or ())]:
            k = SummaryKey.from_json(r["key"])
            corrections[k.base.ref] = max(corrections.get(k.base.ref, 0), k.correction + 1)
        if link.get("status") == "sending" and key in snap.docs:
            for r in s.get("pending") or ():
                marked.setdefault(r["summary"], []).append((key, r))
    out: list[PlannedSummary] = []
    for ref, items in marked.items():
        entries = [(SummaryKey.from_json(r["key"]), part_from_json(r["part"])) for _, r in items]
        for summary in summarize(entries, ledger):
            if summary.key.ref == ref:
                by_doc: dict[tuple[str, str], list[dict[str, Any]]] = {}
                for k, r in items:
                    by_doc.setdefault(k, []).append(r)
                out.append(PlannedSummary(summary, True, True, list(by_doc), by_doc))
    in_flight = {k for items in marked.values() for k, _ in items}
    held = set(blocked) if blocked is not None else {
        k for k, (status, _) in gate_statuses(cache, plain=True).items() if status == "blocked"}
    entries_of: dict[int, tuple[tuple[str, str], bool]] = {}  # id(part) -> (document, out)
    fresh: list[Entry] = []
    settled: list[tuple[str, str]] = []
    voided: list[tuple[str, str]] = []
    refused: dict[tuple[str, str], dict[str, Any]] = {}
    for k in sorted(snap.docs):
        if k[0] not in SUMMARIZED_TYPES or k in in_flight or snap.status.get(k, {}).get("status") != "pending":
            continue
        link = snap.links.get(k)
        posted = posted_entries(link)
        if not posted and snap.docs[k].get("voided"):
            if (link or {}).get("summary"):  # taken out of its summary by a correction already: it is voided
                voided.append(k)
            continue
        if not posted and not (k in summarized if summarized is not None else _summarized(snap, k)) or k in held:
            continue  # a document that fails its own gates is blocked with their reasons, in no summary
        try:
            changes = correction_entries(posted, doc_entries(snap.docs[k], ledger))
        except (ValueError, ArithmeticError, KeyError, TypeError) as exc:  # what no gate caught: this one alone
            refused[k] = _unreadable(k, exc)
            continue
        alone = _paid_alone(snap, k, changes)
        if alone is not None:
            refused[k] = alone
            continue
        if not changes and posted:
            settled.append(k)
        for entry in changes:
            entries_of[id(entry[1])] = (k, _is_out(entry, posted))
            fresh.append(entry)
    for summary in summarize(numbered(fresh, corrections), ledger):
        due = is_due(summary.key.period, grace, now)
        by_doc = {}
        head = {"key": key_json(summary.key), "summary": summary.key.ref, "entity": summary.entity}
        for part in summary.parts:
            k, is_out = entries_of[id(part)]
            entries = by_doc.setdefault(k, [])
            if due:  # what the marks record: only for what is about to be sent
                entries.append(_entry_json(summary, part, is_out, head))
        out.append(PlannedSummary(summary, due, False, list(by_doc), by_doc))
    out.sort(key=lambda p: (p.summary.key.period, KINDS.index(p.summary.key.kind), p.summary.key.ref))
    awaits: dict[tuple[str, str], set[str]] = {}
    for p in out:
        if p.due and p.summary.problem is None:
            for k in p.docs:
                awaits.setdefault(k, set()).add(p.summary.key.ref)
    records = {k: (snap.links.get(k) or {}).get("summary") for p in out for k in p.docs}
    return Plan(out, ledger, settled, awaits, refused, voided, records)


def _unreadable(key: tuple[str, str], exc: Exception) -> dict[str, Any]:
    """The error of a summarized document its summary cannot be made of although its gates passed: it is left out
    (failed), the period's other documents are summarized."""
    return {"code": "summary.unreadable",
            "message": f"{key[0].replace('_', ' ').capitalize()} {key[1]!r} could not go into its channel's summary: "
                       f"{exc}.",
            "detail": None,
            "hint": "check its dates, amounts and lines, fix it in the inventory system and import it again; the "
                    "next sync puts it into its period's summary (or a correction of it)"}


def _paid_alone(snap: Snapshot, key: tuple[str, str], changes: Sequence[Entry]) -> dict[str, Any] | None:
    """The error of a payment that would go into a summary while its invoice is in QBO on its own (posted before
    its channel was summarized): a summary payment of the channel's customer cannot pay another customer's invoice
    (QBO refuses the link), so it is refused with a fix instead of failing in QuickBooks."""
    if key[0] != "sale_payment" or not any(k.kind == "payments" and p.total > 0 for k, p in changes):
        return None
    invoice = snap.docs[key].get("invoice")
    link = snap.links.get(("sale_invoice", str(invoice))) or {}
    alone = [q for q in link.get("qbo") or () if q.get("entity") == "Invoice" and q.get("id")]
    if not alone or any(r["key"]["kind"] == "sales" for r in (link.get("summary") or {}).get("parts") or ()):
        return None
    channel = channel_of(snap.docs[key], Ledger(snap.settings, docs=snap.docs))
    return {"code": "channel.summary_mixed",
            "message": f"Payment {key[1]!r} would go into the {channel!r} payments summary, but its invoice "
                       f"{invoice!r} is in QuickBooks on its own (Invoice {alone[0]['id']}, posted before the channel "
                       "was summarized): a summary payment cannot pay another customer's invoice.",
            "detail": None,
            "hint": f"record it in QuickBooks against Invoice {alone[0]['id']} by hand, then import it again with "
                    "voided: true so that qbtui leaves it"}


def _is_out(entry: Entry, posted: Sequence[Entry]) -> bool:
    """Is this correction entry a posted part taken out (negated), rather than a part coming in?"""
    return any(entry[0] == k.base and entry[1].ref == p.ref and part_json(entry[1]) == part_json(negated(p))
               for k, p in posted)


def _entry_json(summary: Summary, part: Part, out: bool, head: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What a document's mark records of one part it brings to ``summary`` (``head``: the summary's key, reference
    and entity, made once per summary)."""
    if head is None:
        head = {"key": key_json(summary.key), "summary": summary.key.ref, "entity": summary.entity}
    return {**head, "part": part_json(part), **({"out": True} if out else {})}


def _any_summarized(cache: Cache) -> bool:
    """Is a channel set to ``daily`` / ``monthly``, or a document marked for a summary whose answer was lost?"""
    settings = Settings.from_stored(cache.settings())
    if any(v in SUMMARY_TYPES for kinds in settings.channels.values() for k, v in kinds.items() if k.endswith("_sync")):
        return True
    return any(link.get("summary") for link in cache.links(["sending", "summarized"]))


# --- posting -----------------------------------------------------------------------------------------------------

class _Names:
    """QBO's Ids of the channel customers and the rounding item, found by name or made (once per run)."""

    def __init__(self, client: QBOClient, ledger: Ledger) -> None:
        self.client, self.ledger = client, ledger
        self.ids: dict[tuple[str, str], str] = {}

    async def customer(self, name: str) -> str:
        if ("Customer", name) not in self.ids:
            found = await self.client.query_all("Customer", f"DisplayName = {quote(name)}")
            obj = found[0] if found else await self.client.create("Customer", {"DisplayName": name})
            self.ids["Customer", name] = str(obj["Id"])
        return self.ids["Customer", name]

    async def rounding_item(self) -> str:
        if ("Item", ROUNDING_SKU) not in self.ids:
            found = await self.client.query_all("Item", f"Name = {quote(ROUNDING_SKU)}")
            obj = found[0] if found else await self.client.create("Item", {
                "Name": ROUNDING_SKU, "Type": "Service",
                "IncomeAccountRef": self.ledger.resolver.account("sales_income")})
            self.ids["Item", ROUNDING_SKU] = str(obj["Id"])
        return self.ids["Item", ROUNDING_SKU]


def _invoice_ids(cache: Cache) -> Any:
    """The QBO Id of the invoice that holds an invoice ref: the summary its sales part was posted in (a correction
    posted as a credit memo: the latest summary invoice of its period), else its own."""
    group: dict[str, dict[int, str]] = {}

    def find(ref: str) -> str | None:
        link = cache.link("sale_invoice", ref) or {}
        parts = [r for r in (link.get("summary") or {}).get("parts") or () if r.get("id") and r["key"]["kind"] == "sales"]
        if parts:
            if parts[-1]["entity"] == "Invoice":
                return str(parts[-1]["id"])
            if not group:
                group.update(_invoices(cache))
            postings = group.get(SummaryKey.from_json(parts[-1]["key"]).base.ref) or {}
            return postings[max(postings)] if postings else None
        return next((str(q["id"]) for q in link.get("qbo") or () if q.get("entity") == "Invoice"), None)
    return find


async def _fill(payload: Payload, summary: Summary, names: _Names, ledger: Ledger) -> dict[str, Any]:
    body = payload.wire_body()
    name = ledger.settings.summary_customer(summary.key.channel)
    if "CustomerRef" in body:
        body["CustomerRef"] = {"value": await names.customer(name), "name": name}
    for line in body.get("Line") or ():
        detail = line.get("SalesItemLineDetail") or {}
        if (detail.get("ItemRef") or {}).get("name") == ROUNDING_SKU:
            detail["ItemRef"] = {"value": await names.rounding_item(), "name": ROUNDING_SKU}
        entity = (line.get("JournalEntryLineDetail") or {}).get("Entity") or {}
        if entity.get("Type") == "Customer" and (entity.get("EntityRef") or {}).get("name") == name:
            entity["EntityRef"] = {"value": await names.customer(name), "name": name}
    return body


async def _find(client: QBOClient, entity: str, body: dict[str, Any], ref: str) -> dict[str, Any] | None:
    """The summary QBO already has: same DocNumber (PaymentRefNum) and our reference at the start of its
    PrivateNote."""
    key = lookup_key(entity, body)
    if key is None:
        return None
    for obj in await client.query_all(entity, f"{key[0]} = {quote(key[1])}"):
        if str(obj.get("PrivateNote") or "").startswith(f"{ref}:"):
            return obj
    return None


def _marked(record: Mapping[str, Any] | None, entries: list[dict[str, Any]]) -> dict[str, Any]:
    """A document's summary record (its link's ``summary``) with this summary's entries pending (the run is about
    to send it)."""
    s = dict(record or {})
    summary = entries[0]["summary"]
    s["pending"] = [*(r for r in s.get("pending") or () if r["summary"] != summary), *entries]
    s.setdefault("parts", [])
    return s


def _posted(record: Mapping[str, Any] | None, ref: str, entity: str, qbo_id: str, entries: list[dict[str, Any]],
            run: str | None = None, applied: str | None = None) -> dict[str, Any]:
    """A document's summary record (its link's ``summary``) once summary ``ref`` is in QBO as ``qbo_id`` (posted by
    ``run``; ``applied``: the Id of the payment that applied it, a credit memo): what it took out moves from its parts
    to ``gone`` (an undo of this summary puts it back), what it brought is in its parts; the summary it names is
    this one."""
    s = dict(record or {})
    parts, gone = list(s.get("parts") or ()), list(s.get("gone") or ())
    for e in entries:
        if e.get("out"):
            kind, part = e["key"]["kind"], e["part"]["ref"]
            gone += [{**r, "by": {"summary": ref, "key": e["key"], "entity": entity, "id": qbo_id, "run": run}}
                     for r in parts if r["key"]["kind"] == kind and r["part"]["ref"] == part]
            parts = [r for r in parts if not (r["key"]["kind"] == kind and r["part"]["ref"] == part)]
    parts += [{"key": e["key"], "summary": ref, "entity": entity, "id": qbo_id, "part": e["part"], "run": run,
               **({"applied": applied} if applied else {})} for e in entries if not e.get("out")]
    first = entries[0]["key"]
    return {**s, "ref": ref, "entity": entity, "id": qbo_id, "base": SummaryKey.from_json(first).base.ref,
            "correction": first["correction"], "parts": parts, "gone": gone, "run": run,
            "pending": [r for r in s.get("pending") or () if r["summary"] != ref]}


# --- what is in QBO: reconcile and discrepancies ------------------------------------------------------------------

@dataclass
class Posted:
    """A summary as posted, rebuilt from its documents' records (what each brought to it, what a correction took
    out): the same figures and payload the sync sent, whatever the documents say now."""

    summary: Summary
    entity: str
    id: str
    run: str | None


def posted_summaries(cache: Cache, ledger: Ledger | None = None) -> dict[str, Posted]:
    """Every summary in QBO by reference (corrections too), rebuilt from the records on its documents' links
    (``ledger``: the plan's, made when there is a summary and none is given)."""
    entries: dict[str, list[Entry]] = {}
    where: dict[str, tuple[str, str, str | None]] = {}
    for link in cache.links(["summarized", "sending", "voided"]):
        s = link.get("summary") or {}
        for r in [*(s.get("parts") or ()), *(s.get("gone") or ())]:
            if not r.get("id"):
                continue
            part = part_from_json(r["part"])
            entries.setdefault(r["summary"], []).append((SummaryKey.from_json(r["key"]), part))
            where[r["summary"]] = (r["entity"], str(r["id"]), r.get("run"))
            by = r.get("by")
            if by and by.get("id"):
                entries.setdefault(by["summary"], []).append((SummaryKey.from_json(by["key"]), negated(part)))
                where[by["summary"]] = (by["entity"], str(by["id"]), by.get("run"))
    out: dict[str, Posted] = {}
    if entries and ledger is None:
        ledger = _ledger(cache, snapshot(cache))
    for ref, items in entries.items():
        for summary in summarize(items, ledger or Ledger()):
            if summary.key.ref == ref:
                out[ref] = Posted(summary, *where[ref])
    return out


def reconcile_payloads(cache: Cache, ledger: Ledger) -> list[tuple[tuple[str, str], list[Payload],
                                                                    dict[str, dict[str, Any]]]]:
    """For qbtui reconcile: per summary in QBO, ``(("summary", ref), [its payload], {payload key: its QBO part})``,
    as a synced document gives its payloads and the parts of its link."""
    out = []
    ids = _invoice_ids(cache)
    for ref, p in sorted(posted_summaries(cache, ledger).items()):
        [payload] = build_summary(p.summary, ledger, ids)
        out.append((("summary", ref), [payload], {payload.key or "doc": {"entity": p.entity, "id": p.id}}))
    return out


def _expected_fields(p: Posted) -> dict[str, str]:
    s = p.summary
    number = "PaymentRefNum" if p.entity == "Payment" else "DocNumber"
    total = -s.total if s.reversed and p.entity != "JournalEntry" else s.total
    fields = {"TxnDate": period_bounds(s.key.period)[1].isoformat(), number: s.key.doc_number}
    if p.entity != "JournalEntry":
        fields["TotalAmt"] = format(total.normalize(), "f")
    return fields


def summary_discrepancy(p: Posted, row: Mapping[str, Any], seen: str) -> dict[str, Any] | None:
    """A summary changed or deleted in QuickBooks, as a discrepancy naming the summary (``type`` ``summary``, ``ref``
    its reference): its total, date or number differ from what was posted (a payment applied to it moves its
    balance, never these), or it is gone. None: nothing of ours changed."""
    base = {"type": "summary", "ref": p.summary.key.ref, "entity": p.entity, "id": p.id, "seen": seen}
    if row.get("status") == "Deleted":
        return {**base, "kind": "deleted", "differences": []}
    differences = []
    for name, ours in _expected_fields(p).items():
        theirs = row.get(name)
        if name == "TotalAmt" and theirs is not None:
            theirs = format(Decimal(str(theirs)).normalize(), "f")
        if theirs is not None and str(theirs) != ours:
            differences.append({"field": name, "ours": ours, "qbo": str(theirs)})
    return {**base, "kind": "changed", "differences": differences} if differences else None


# --- undo (qbtui/sync/undo.py) -----------------------------------------------------------------------------------

def _summaries_of(link: Mapping[str, Any]) -> Iterable[dict[str, Any]]:
    """Every summary a document's record names: those its parts are in (also parts a later correction took out) and
    the corrections that took them out."""
    s = link.get("summary") or {}
    for r in [*(s.get("parts") or ()), *(s.get("gone") or ())]:
        yield r
        if r.get("by"):
            yield r["by"]


def run_summaries(cache: Cache, run_id: str) -> list[dict[str, Any]]:
    """The summaries run ``run_id`` posted (or found after a lost answer), newest first: ``{"ref", "key", "entity",
    "id", "applied"}`` (``applied``: the Id of the payment that applied a credit memo, else None)."""
    found: dict[str, dict[str, Any]] = {}
    for link in cache.links(["summarized", "sending", "voided"]):
        for r in _summaries_of(link):
            if r.get("run") == run_id and r.get("id"):
                found.setdefault(r["summary"], {"ref": r["summary"], "key": SummaryKey.from_json(r["key"]),
                                                "entity": r["entity"], "id": str(r["id"]), "applied": None})
                if r.get("applied"):
                    found[r["summary"]]["applied"] = r["applied"]
    return sorted(found.values(), key=lambda x: (x["key"].correction, x["key"].period, KINDS.index(x["key"].kind)),
                  reverse=True)


def later_corrections(cache: Cache, summaries: Iterable[Mapping[str, Any]], run_id: str) -> dict[str, list[str]]:
    """By summary reference, the later corrections of its key that other runs posted and that are still in QBO: an
    undo of the summary alone would leave them correcting a summary that is gone."""
    bases = {s["key"].base.ref: s["key"].correction for s in summaries}
    out: dict[str, list[str]] = {}
    for link in cache.links(["summarized", "sending", "voided"]):
        for r in _summaries_of(link):
            k = SummaryKey.from_json(r["key"])
            if r.get("run") != run_id and k.base.ref in bases and k.correction > bases[k.base.ref]:
                own = replace(k, correction=bases[k.base.ref]).ref
                if r["summary"] not in out.setdefault(own, []):
                    out[own].append(r["summary"])
    return out


def forget(cache: Cache, refs: Iterable[str], run: str | None) -> list[tuple[str, str]]:
    """After an undo removed summaries ``refs`` from QBO: their documents are pending again (what they brought to
    them is no longer posted; what a removed correction took out is posted again). Returns the documents changed."""
    refs = set(refs)
    outcomes = []
    for link in cache.links(["summarized", "sending", "voided"]):
        s = link.get("summary") or {}
        parts, gone = list(s.get("parts") or ()), list(s.get("gone") or ())
        undone = [g for g in gone if (g.get("by") or {}).get("summary") in refs]
        if not any(r["summary"] in refs for r in parts) and not undone:
            continue
        parts = [r for r in parts if r["summary"] not in refs]
        parts += [{k: v for k, v in g.items() if k != "by"} for g in undone if g["summary"] not in refs]
        gone = [g for g in gone if g not in undone and g["summary"] not in refs]
        last = parts[-1] if parts else None
        record = None if not parts and not gone else {
            **s, "parts": parts, "gone": gone, "pending": [],
            **({"ref": last["summary"], "entity": last["entity"], "id": last["id"]} if last else
               {"ref": None, "entity": None, "id": None})}
        outcomes.append({"type": link["type"], "ref": link["ref"], "status": "summarized", "synced_rev": None,
                         "summary": record, "error": None, "run": run})
    cache.record_outcomes(outcomes)  # type: ignore[arg-type]
    return [(o["type"], o["ref"]) for o in outcomes]


def _invoices(cache: Cache) -> dict[str, dict[int, str]]:
    """The summary invoices in QBO: by the reference of their key's base, the QBO Id of each posting (by
    correction number)."""
    out: dict[str, dict[int, str]] = {}
    for link in cache.links(["summarized", "sending", "voided"]):
        for r in (link.get("summary") or {}).get("parts") or ():
            if r.get("entity") == "Invoice" and r.get("id") and r["key"]["kind"] == "sales":
                k = SummaryKey.from_json(r["key"])
                out.setdefault(k.base.ref, {})[k.correction] = str(r["id"])
    return out


async def _apply_credit(client: QBOClient, summary: Summary, memo: dict[str, Any], body: dict[str, Any],
                        invoices: Mapping[int, str]) -> dict[str, Any] | None:
    """Apply a summary credit memo to its period's summary invoices (the first posting first), as a credit note is
    applied to its invoice: a Payment of total 0 linking both (docs/qbo.md#applying-credit-notes), each invoice up to
    its open balance, the memo up to what is left of it. QBO's own application (AutoApplyCredit) is taken off first.
    Exactly once: the payment carries the summary's DocNumber as PaymentRefNum and its reference in PrivateNote, and is
    looked up before it is made (an apply made by a run that was killed is found). Returns the payment, or None when
    there is nothing to apply to."""
    key, number = summary.key, summary.key.doc_number
    await credits.release(client, str(memo["Id"]), number)
    for obj in await client.query_all("Payment", f"PaymentRefNum = {quote(number)}"):
        if str(obj.get("PrivateNote") or "").startswith(f"{key.ref}:"):
            return obj
    if not invoices:
        return None
    left = Decimal(str((await client.read("CreditMemo", str(memo["Id"]))).get("Balance", memo.get("TotalAmt", 0))))
    lines = await credits.cap_at_balances(client, [{"Amount": left, "LinkedTxn": [{"TxnId": invoice_id,
                                                                                   "TxnType": "Invoice"}]}
                                                   for _, invoice_id in sorted(invoices.items())], left)
    if not lines:
        return None
    applied = sum((line["Amount"] for line in lines), Decimal(0))
    pay: dict[str, Any] = {"TxnDate": body["TxnDate"], "PaymentRefNum": number, "CustomerRef": body["CustomerRef"],
                           "TotalAmt": Decimal(0),
                           "Line": [*lines, {"Amount": applied, "LinkedTxn": [{"TxnId": str(memo["Id"]),
                                                                                "TxnType": "CreditMemo"}]}],
                           "PrivateNote": f"{key.ref}: credit memo {memo['Id']} applied to the period's summary "
                                          f"invoice{'s' if len(lines) > 1 else ''}"}
    for extra in ("ARAccountRef", "CurrencyRef"):
        if extra in body:
            pay[extra] = body[extra]
    return await client.create("Payment", wire(pay))


async def _create(client: QBOClient, entity: str, body: dict[str, Any], ref: str, run: str | None) -> dict[str, Any]:
    """Create a summary; after a lost answer look it up and send it again (same requestid: QBO replays its first
    answer if it did act) up to :data:`LOST_ANSWERS` times, then let the next run look it up (its documents stay
    marked). The requestid is this run's: a later run looks the summary up instead (and a request a killed run left
    half-sent, answered with a fault, is not replayed to it)."""
    rid = request_id("summary", ref, entity, body, run)  # a body that changed (a balance moved) is another request
    for attempt in range(LOST_ANSWERS + 1):
        try:
            return await client.create(entity, body, request_id=rid)
        except UnknownOutcome:
            if attempt == LOST_ANSWERS:
                raise
            found = await _find(client, entity, body, ref)
            if found is not None:
                return found
    raise AssertionError("unreachable")


async def post_summaries(cache: Cache, client: QBOClient, *, now: datetime | date | None = None,
                         run: str | None = None, blocked: Iterable[tuple[str, str]] | None = None,
                         summarized: Iterable[tuple[str, str]] | None = None) -> list[dict[str, Any]]:
    """Post every due summary (resends first): mark, look up when marked before, create, then record what each
    document brought to it. Returns, per summary: its JSON, ``outcome`` (``created`` / ``found``), its QBO Id and the
    (type, ref) of its documents (``document_keys``). After a resend the plan is made again (what the documents held
    by the lost answer bring since is posted in the same run). ``blocked`` / ``summarized``: the sync's own gate
    results (:func:`plan`)."""
    results: list[dict[str, Any]] = []
    blocked = None if blocked is None else set(blocked)
    summarized = None if summarized is None else set(summarized)
    with _bulk():  # tens of thousands of marks and records that all stay alive: no cyclic GC over them each time
        for _ in range(2):
            p = plan(cache, now, blocked, summarized)
            resent = await _post(cache, client, p, run, results)
            if not resent:
                break
    return results


async def _post(cache: Cache, client: QBOClient, p: Plan, run: str | None, results: list[dict[str, Any]]) -> bool:
    ledger = p.ledger
    names = _Names(client, ledger)
    if p.refused:
        cache.record_outcomes([{"type": t, "ref": r, "status": "failed", "error": e, "run": run}
                               for (t, r), e in p.refused.items()])
    if p.voided:
        cache.record_outcomes([{"type": t, "ref": r, "status": "voided", "error": None, "run": run}
                               for t, r in p.voided])
    if p.settled:  # changed, but nothing a summary holds changed: summarized again, no correction
        cache.record_outcomes([{"type": t, "ref": r, "status": "summarized", "error": None, "run": run}
                               for t, r in p.settled])
    resent = False
    awaits = {k: set(v) for k, v in p.awaits.items()}
    records = dict(p.records)  # each document's summary record as last written (no link read again per document)
    invoices = _invoices(cache) if any(ps.due and ps.summary.entity == "CreditMemo" for ps in p.summaries) else {}
    for ps in p.summaries:
        if not ps.due or ps.summary.problem is not None:
            continue
        s, key = ps.summary, ps.summary.key
        [payload] = build_summary(s, ledger, _invoice_ids(cache))
        if payload.entity == "Payment":  # each invoice paid up to its open balance (a summary credit memo applied
            # to it first, a payment recorded in QuickBooks); the rest stays on the payment unapplied (a credit of
            # the channel's customer), its total the payments' to the cent
            payload.body["Line"] = await credits.cap_at_balances(client, payload.body.get("Line") or [])
        body = await _fill(payload, s, names, ledger)
        found = await _find(client, payload.entity, body, key.ref) if ps.resend else None
        resent = resent or ps.resend
        if found is None:
            if not ps.resend:
                marks = [{"type": t, "ref": r, "status": "sending", "run": run,
                          "summary": _marked(records.get((t, r)), ps.entries[(t, r)])} for t, r in ps.docs]
                cache.record_outcomes(marks, json_ready=True)  # type: ignore[arg-type]
                records.update(((o["type"], o["ref"]), o["summary"]) for o in marks)
            found, outcome = await _create(client, payload.entity, body, key.ref, run), "created"
            diffs = taxcheck.differences(payload, found)  # QBO's TotalAmt / TotalTax against the summary's
            if diffs:
                taxcheck.record(cache, [taxcheck.discrepancy("summary", key.ref, payload, found, diffs)])
        else:
            outcome = "found"
        qbo_id = str(found["Id"])
        if payload.entity == "Invoice" and key.kind == "sales":
            invoices.setdefault(key.base.ref, {})[key.correction] = qbo_id
        applied = None
        if payload.entity == "CreditMemo":  # applied to the period's summary invoices before it counts as posted
            group = replace(key, kind="sales", correction=0).ref
            applied = await _apply_credit(client, s, found, body, invoices.get(group, {}))
        outcomes = []
        for t, r in ps.docs:
            record = records[t, r] = _posted(records.get((t, r)), key.ref, payload.entity, qbo_id,
                                             ps.entries[(t, r)], run, None if applied is None else str(applied["Id"]))
            left = awaits.get((t, r), set())
            left.discard(key.ref)
            o: dict[str, Any] = {"type": t, "ref": r, "summary": record, "error": None, "run": run,
                                 "status": "summarized"}
            if record["pending"]:
                o["status"] = "sending"
            elif left or ps.resend:  # more of it to post (or a resend: the plan is made again for it)
                o["synced_rev"] = None
            elif not record["parts"]:  # a void taken out of its summary: nothing of it is left in QBO
                o["status"] = "voided"
            outcomes.append(o)
        cache.record_outcomes(outcomes, json_ready=True)  # type: ignore[arg-type]
        results.append({**ps.to_json(), "outcome": outcome, "qbo_id": qbo_id,
                        "document_keys": [list(k) for k in ps.docs],
                        **({"applied": str(applied["Id"])} if applied is not None else {})})
    return resent


def dry_run_summaries(cache: Cache, now: datetime | date | None = None) -> list[dict[str, Any]]:
    """What ``qbtui sync --dry-run`` shows of the summaries: each summary (due or not yet, with the documents behind
    each line) and, when due, the payload a sync would send (its channel customer and rounding item by name)."""
    planned, ledger = plan_summaries(cache, now)
    out = []
    for p in planned:
        [payload] = build_summary(p.summary, ledger, _invoice_ids(cache))
        out.append(jsonable({**p.to_json(), "payload": payload.to_json() if p.due else None}))
    return out


def render_summaries(summaries: Iterable[Mapping[str, Any]]) -> list[str]:
    """The dry run's human lines of the summaries: one per summary (its documents, first .. last), the payload a sync
    would send when it is due (as the dry run shows a document's), then one per line of the summary (product, tax
    code, quantity, amount, the documents behind it)."""
    from qbtui.sync.plan import _amt, _render_payload

    lines = []
    for s in summaries:
        when = "due" if s["due"] else "not yet due (summary.grace)"
        lines.append(f"SUMMARY {s['entity']} {s['key']['ref']}: {_documents_text(s['documents'])}, total "
                     f"{_amt(s['total'])}, {when}"
                     + (f", tax rounding line {_amt(s['rounding'])}" if s.get("rounding") else "")
                     + (f"; cannot be posted: {s['problem']}" if s.get("problem") else ""))
        payload = s.get("payload")
        if payload:
            lines += _render_payload(Payload(payload["entity"], payload["operation"], payload["body"],
                                             tax=payload.get("tax")))
        if s["lines"]:
            lines.append("  lines and the documents behind each:")
        for line in s["lines"]:
            lines.append(f"    {line['sku']} {line['tax_code'] or ''} x {line['quantity']} = {_amt(line['amount'])}: "
                         f"{_documents_text(line['documents'])}")
    return lines


def _documents_text(refs: Sequence[str]) -> str:
    """``3 documents: WEB-1, WEB-2, WEB-3`` (up to five named), else ``120 documents: WEB-1 .. WEB-120``."""
    n = len(refs)
    named = ", ".join(refs) if n <= 5 else f"{refs[0]} .. {refs[-1]}"
    return f"{n:,} document{'s' if n != 1 else ''}" + (f": {named}" if n else "")
