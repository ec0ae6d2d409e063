"""``qbtui pull``: QBO's reference data into the cache, and what changed in QBO after we synced.

Reference data: accounts, tax codes and rates, terms, classes, departments, preferences, company
info, and the contacts and items that already exist (for linking before creating); with a filter start
date and a mapped inventory asset, that account's balance on the day before (the balance sheet report: the
opening inventory journal's preview). Changes: CDC
since the last pull (at most 30 days, QBO's limit) for the entities our documents became; a synced
document whose QBO copy was changed or deleted is a discrepancy, shown on the Discrepancies tab.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from qbtui.cache import Cache
from qbtui.ledger.build import build
from qbtui.ledger.context import Ledger
from qbtui.ledger.payload import Payload, jsonable, resolve_parts
from qbtui.qbo import QBOClient
from qbtui.settings import Settings
from qbtui.sync.balances import pull_inventory_balance
from qbtui.sync.runs import now_iso
from qbtui.sync.summaries import posted_summaries, summary_discrepancy

REFERENCE = {
    "accounts": "Account", "tax_codes": "TaxCode", "tax_rates": "TaxRate", "terms": "Term", "classes": "Class",
    "departments": "Department", "customers": "Customer", "vendors": "Vendor", "items": "Item",
}
CDC_DAYS = 30


async def pull_reference(cache: Cache, client: QBOClient) -> dict[str, int]:
    """Every reference list, replaced whole; returns how many of each."""
    counts: dict[str, int] = {}
    for kind, entity in REFERENCE.items():
        rows = await client.query_all(entity)
        cache.put_reference(kind, rows)
        counts[kind] = len(rows)
    cache.put_reference("preferences", await client.preferences())
    cache.put_reference("company_info", await client.company_info())
    start = Settings.from_stored(cache.settings()).filter_start_date
    await pull_inventory_balance(cache, client, start - timedelta(days=1) if start else None)
    return counts


def _synced_objects(cache: Cache) -> dict[tuple[str, str], tuple[dict[str, Any], dict[str, Any]]]:
    """(entity, QBO Id) -> (link, part) for every object qbtui created and still holds as synced."""
    out = {}
    for link in cache.links():
        if link.get("status") != "synced":
            continue
        for part in link.get("qbo") or ():
            if part.get("id") and part.get("origin") != "quickbooks":  # brought in from QBO: qbtui/sync/inbound.py
                out[(part["entity"], str(part["id"]))] = (link, part)
    return out


# --- what qbtui owns of a QBO object ------------------------------------------------------------------------------

_NOT_OWNED_LINES = frozenset({"SubTotalLineDetail", "DescriptionOnly", "DiscountLineDetail"})


def _dec(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None


def _ref(value: Any) -> str | None:
    return str(value.get("value")) if isinstance(value, dict) and value.get("value") is not None else None


def owned_fields(body: dict[str, Any]) -> dict[str, Any]:
    """The fields of a transaction that qbtui sets and that QBO does not move on its own: its date, number,
    counterparty, and its lines (their total, and what each names: item or account, posting side, linked
    transaction). Not its SyncToken, Balance or LinkedTxn, which a payment applied to it changes (as QBO does)."""
    out: dict[str, Any] = {}
    if body.get("TxnDate"):
        out["TxnDate"] = str(body["TxnDate"])[:10]
    if body.get("DocNumber"):
        out["DocNumber"] = str(body["DocNumber"])
    for field in ("CustomerRef", "VendorRef"):
        if field in body:
            out[field] = _ref(body[field])
    if "TotalAmt" in body and not body.get("Line"):
        out["TotalAmt"] = _dec(body["TotalAmt"])
    total, names = Decimal(0), []
    for line in body.get("Line") or ():
        kind = line.get("DetailType")
        if kind in _NOT_OWNED_LINES:
            continue
        total += _dec(line.get("Amount")) or 0
        detail = line.get(kind) if isinstance(line.get(kind), dict) else {}
        named = [_ref(detail.get(f)) for f in ("ItemRef", "AccountRef") if detail.get(f)]
        named += [f"{t.get('TxnType')} {t.get('TxnId')}" for t in line.get("LinkedTxn") or ()]
        names.append(" ".join([str(detail.get("PostingType") or ""), *(n or "" for n in named)]).strip())
    if body.get("Line"):
        out["Line amounts"] = total
        out["Line items"] = sorted(names)
    return out


def owned_differences(ours: dict[str, Any], row: dict[str, Any]) -> list[dict[str, Any]]:
    """The owned fields (:func:`owned_fields`) in which QBO's ``row`` differs from what qbtui sent."""
    mine, theirs = owned_fields(ours), owned_fields(row)
    return [{"field": field, "ours": _shown(value), "qbo": _shown(theirs.get(field))}
            for field, value in mine.items() if theirs.get(field) != value]


def _shown(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


class _Sent:
    """What qbtui sent for a synced document's part, rebuilt from the document (the ledger as a sync builds it)."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache
        self._ledger: Ledger | None = None

    def _ledger_now(self) -> Ledger:
        if self._ledger is None:
            from qbtui.sync.plan import cache_resolver, snapshot  # the plan's view of the cache, built only if needed
            snap = snapshot(self.cache)
            self._ledger = Ledger(snap.settings, cache_resolver(snap, True), snap.prefs, snap.docs)
        return self._ledger

    def ours(self, link: dict[str, Any], part: dict[str, Any]) -> dict[str, Any] | None:
        """The body of ``part`` as qbtui sent it, or None when it cannot be told (the document changed since it was
        synced, or it no longer builds)."""
        record = self.cache.get(link["type"], link["ref"])
        if record is None or (link.get("synced_rev") is not None and record.get("rev") != link.get("synced_rev")):
            return None
        try:
            payloads = build(record["data"], self._ledger_now())
        except Exception:  # noqa: BLE001 - a document that no longer builds is compared by its SyncToken
            return None
        ids = {str(q["key"]): str(q["id"]) for q in link.get("qbo") or () if q.get("key") and q.get("id")}
        mine: Payload | None = next((pl for pl in payloads if pl.key == part.get("key")), None)
        if mine is None:
            mine = next((pl for pl in payloads if pl.entity == part.get("entity")), None)
        return jsonable(resolve_parts(mine, ids).body) if mine is not None else None


async def pull_changes(cache: Cache, client: QBOClient) -> list[dict[str, Any]]:
    """Discrepancies from CDC since the last pull: our synced objects changed or deleted in QBO. A SyncToken that
    moved is a change only when the fields qbtui sent moved too (:func:`owned_fields`): applying a payment moves an
    invoice's SyncToken, Balance and LinkedTxn, and qbtui's own payments and credit notes do so."""
    objects = _synced_objects(cache)
    now = datetime.now(UTC)
    last = cache.get_setting("last_pull")
    since = max(datetime.fromisoformat(last), now - timedelta(days=CDC_DAYS)) if last else now - timedelta(days=CDC_DAYS)
    found: dict[tuple[str, str, str], dict[str, Any]] = {(d["type"], d["ref"], d.get("id", "")): d
                                                    for d in cache.reference("discrepancies", []) or []}
    summaries = {(p.entity, p.id): p for p in posted_summaries(cache).values()}
    entities = sorted({entity for entity, _ in objects} | {entity for entity, _ in summaries})
    sent = _Sent(cache)
    if entities:
        changes = await client.cdc(entities, since)
        for entity, rows in changes.items():
            for row in rows:
                hit = objects.get((entity, str(row.get("Id"))))
                if hit is None:
                    posted = summaries.get((entity, str(row.get("Id"))))
                    found_one = summary_discrepancy(posted, row, now_iso()) if posted is not None else None
                    if found_one is not None:  # a summary changed or deleted in QuickBooks, named by its reference
                        found[("summary", found_one["ref"], found_one["id"])] = found_one
                    continue
                link, part = hit
                if row.get("status") == "Deleted":
                    kind, differences = "deleted", []
                elif str(row.get("SyncToken")) != str(part.get("sync_token")):
                    ours = sent.ours(link, part)
                    if ours is not None:  # what qbtui sent, rebuilt: a change of its own fields only is one
                        differences = owned_differences(ours, row)
                        if not differences:
                            continue  # only what QBO derives moved (a payment applied: Balance, LinkedTxn)
                    else:
                        differences = [{"field": "SyncToken", "ours": part.get("sync_token"),
                                        "qbo": row.get("SyncToken")}]
                        if "TotalAmt" in row:
                            differences.append({"field": "TotalAmt", "ours": None, "qbo": row["TotalAmt"]})
                    kind = "changed"
                else:
                    continue
                found[(link["type"], link["ref"], str(row.get("Id")))] = {
                    "type": link["type"], "ref": link["ref"], "entity": entity, "id": str(row.get("Id")),
                    "kind": kind, "differences": differences, "seen": now_iso()}
    discrepancies = list(found.values())
    cache.put_reference("discrepancies", discrepancies)
    cache.set_setting("last_pull", now_iso(now))
    return discrepancies
