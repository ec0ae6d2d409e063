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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from qbtui.cache import Cache
from qbtui.ledger import Ledger
from qbtui.ledger.gates import skip_reason
from qbtui.ledger.payload import Payload, jsonable
from qbtui.ledger.summaries import (
    ENTITY,
    KINDS,
    ROUNDING_SKU,
    SUMMARIZED_TYPES,
    Summary,
    build_summaries,
    build_summary,
    is_due,
    today,
)
from qbtui.qbo.client import QBOClient
from qbtui.settings import SUMMARY_TYPES, Settings
from qbtui.sync import taxcheck
from qbtui.sync.lookup import lookup_key, quote
from qbtui.sync.plan import Snapshot, _connected, cache_resolver, snapshot

SUMMARIZED_CODE = "channel.summarized"


@dataclass
class PlannedSummary:
    """A summary as the plan sees it: ``due`` once its period's grace has passed; ``resend``: its documents were
    marked for it by a run that did not hear QuickBooks' answer (looked up before it is sent again)."""

    summary: Summary
    due: bool
    resend: bool = False
    docs: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {**self.summary.to_json(), "due": self.due, "resend": self.resend}


def _ledger(cache: Cache, snap: Snapshot) -> Ledger:
    return Ledger(snap.settings, cache_resolver(snap, _connected(cache)), snap.prefs, snap.docs)


def _summarized(snap: Snapshot, key: tuple[str, str]) -> bool:
    """Is this document one its channel summarizes (its skip reason says so)?"""
    reason = skip_reason(snap.docs[key], snap.settings, snap.docs)
    return reason is not None and reason.code == SUMMARIZED_CODE


def _doc_keys(summary: Summary) -> list[tuple[str, str]]:
    return list(dict.fromkeys((p.doc["type"], p.doc["ref"]) for p in summary.parts))


def plan_summaries(cache: Cache, now: datetime | date | None = None) -> tuple[list[PlannedSummary], Ledger]:
    """The summaries to post: those whose documents a lost answer left marked (``resend``), then the pending
    documents of summarized channels not marked, in the next correction of their key. Documents summarized and
    changed since are left out: their correction is not built yet (docs/domain.md#summarized-posting). Without a
    summarized channel and without marks, nothing is read (a sync of a profile that does not summarize pays nothing)."""
    if not _any_summarized(cache):
        return [], Ledger()
    snap = snapshot(cache)
    ledger = _ledger(cache, snap)
    grace = snap.settings.summary_grace_delta
    now = now if now is not None else today()
    marked: dict[str, list[tuple[str, str]]] = {}
    postings: dict[str, set[str]] = {}  # base ref -> the refs posted or marked under it
    for key, link in snap.links.items():
        s = link.get("summary")
        if not s:
            continue
        postings.setdefault(s["base"], set()).add(s["ref"])
        if link.get("status") == "sending" and key in snap.docs:
            marked.setdefault(s["ref"], []).append(key)
    out: list[PlannedSummary] = []
    for ref, keys in marked.items():
        base, correction = _base_of(ref, snap, keys)
        for summary in build_summaries([snap.docs[k] for k in keys], ledger, {base: correction}):
            if summary.key.ref == ref:
                out.append(PlannedSummary(summary, True, True, _doc_keys(summary)))
    fresh = [k for k, d in snap.docs.items() if k[0] in SUMMARIZED_TYPES and k not in _marked_keys(marked)
             and snap.status.get(k, {}).get("status") == "pending" and (snap.links.get(k) or {}).get("status")
             not in ("summarized", "sending") and not d.get("voided") and _summarized(snap, k)]
    corrections = {base: len(refs) for base, refs in postings.items()}
    for summary in build_summaries([snap.docs[k] for k in sorted(fresh)], ledger, corrections):
        out.append(PlannedSummary(summary, is_due(summary.key.period, grace, now), False, _doc_keys(summary)))
    out.sort(key=lambda p: (p.summary.key.period, KINDS.index(p.summary.key.kind), p.summary.key.ref))
    return out, ledger


def _any_summarized(cache: Cache) -> bool:
    """Is a channel set to ``daily`` / ``monthly``, or a document marked for a summary whose answer was lost?"""
    settings = Settings.from_stored(cache.settings())
    if any(v in SUMMARY_TYPES for kinds in settings.channels.values() for k, v in kinds.items() if k.endswith("_sync")):
        return True
    return any(link.get("summary") for link in cache.links(["sending"]))


def _marked_keys(marked: Mapping[str, list[tuple[str, str]]]) -> set[tuple[str, str]]:
    return {k for keys in marked.values() for k in keys}


def _base_of(ref: str, snap: Snapshot, keys: Iterable[tuple[str, str]]) -> tuple[str, int]:
    for k in keys:
        s = (snap.links.get(k) or {}).get("summary") or {}
        if s.get("ref") == ref:
            return str(s["base"]), int(s.get("correction", 0))
    return ref, 0


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
    def find(ref: str) -> str | None:
        link = cache.link("sale_invoice", ref) or {}
        if link.get("summary") and link.get("status") == "summarized":
            return str(link["summary"]["id"])
        return next((str(q["id"]) for q in link.get("qbo") or () if q.get("entity") == "Invoice"), None)
    return find


async def _fill(payload: Payload, summary: Summary, names: _Names, ledger: Ledger) -> dict[str, Any]:
    body = payload.wire_body()
    if "CustomerRef" in body:
        name = ledger.settings.summary_customer(summary.key.channel)
        body["CustomerRef"] = {"value": await names.customer(name), "name": name}
    for line in body.get("Line") or ():
        detail = line.get("SalesItemLineDetail") or {}
        if (detail.get("ItemRef") or {}).get("name") == ROUNDING_SKU:
            detail["ItemRef"] = {"value": await names.rounding_item(), "name": ROUNDING_SKU}
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


async def post_summaries(cache: Cache, client: QBOClient, *, now: datetime | date | None = None,
                         run: str | None = None) -> list[dict[str, Any]]:
    """Post every due summary (resends first): mark, look up when marked before, create, then mark its documents
    ``summarized``. Returns, per summary: its JSON, ``outcome`` (``created`` / ``found``), its QBO Id and the
    (type, ref) of its documents (``document_keys``)."""
    planned, ledger = plan_summaries(cache, now)
    names = _Names(client, ledger)
    results: list[dict[str, Any]] = []
    for p in planned:
        if not p.due or p.summary.problem is not None:
            continue
        s, key = p.summary, p.summary.key
        mark = {"ref": key.ref, "base": key.base.ref, "correction": key.correction, "entity": ENTITY[key.kind]}
        [payload] = build_summary(s, ledger, _invoice_ids(cache))
        body = await _fill(payload, s, names, ledger)
        found = await _find(client, payload.entity, body, key.ref) if p.resend else None
        if found is None:
            if not p.resend:
                cache.record_outcomes([{"type": t, "ref": r, "status": "sending", "summary": mark, "run": run}
                                       for t, r in p.docs])
            found, outcome = await client.create(payload.entity, body), "created"
            diffs = taxcheck.differences(payload, found)  # QBO's TotalAmt / TotalTax against the summary's
            if diffs:
                taxcheck.record(cache, [taxcheck.discrepancy("summary", key.ref, payload, found, diffs)])
        else:
            outcome = "found"
        summary_ref = {**mark, "id": str(found["Id"])}
        cache.record_outcomes([{"type": t, "ref": r, "status": "summarized", "summary": summary_ref, "error": None,
                                "run": run} for t, r in p.docs])
        results.append({**p.to_json(), "outcome": outcome, "qbo_id": summary_ref["id"],
                        "document_keys": [list(k) for k in p.docs]})
    return results


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
    """The dry run's human lines of the summaries: one per summary, then one per line (product, tax code, quantity,
    amount, how many documents)."""
    lines = []
    for s in summaries:
        when = "due" if s["due"] else "not yet due (summary.grace)"
        lines.append(f"SUMMARY {s['entity']} {s['key']['ref']}: {s['count']} documents, total {s['total']}, {when}"
                     + (f", tax rounding line {s['rounding']}" if s.get("rounding") else "")
                     + (f"; cannot be posted: {s['problem']}" if s.get("problem") else ""))
        for line in s["lines"]:
            lines.append(f"  {line['sku']} {line['tax_code'] or ''} x {line['quantity']} = {line['amount']} "
                         f"({len(line['documents'])} documents)")
    return lines
