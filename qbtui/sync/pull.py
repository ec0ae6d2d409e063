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
from typing import Any

from qbtui.cache import Cache
from qbtui.qbo import QBOClient
from qbtui.settings import Settings
from qbtui.sync.balances import pull_inventory_balance
from qbtui.sync.runs import now_iso

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
            if part.get("id"):
                out[(part["entity"], str(part["id"]))] = (link, part)
    return out


async def pull_changes(cache: Cache, client: QBOClient) -> list[dict[str, Any]]:
    """Discrepancies from CDC since the last pull: our synced objects changed or deleted in QBO."""
    objects = _synced_objects(cache)
    now = datetime.now(UTC)
    last = cache.get_setting("last_pull")
    since = max(datetime.fromisoformat(last), now - timedelta(days=CDC_DAYS)) if last else now - timedelta(days=CDC_DAYS)
    found: dict[tuple[str, str, str], dict[str, Any]] = {(d["type"], d["ref"], d.get("id", "")): d
                                                    for d in cache.reference("discrepancies", []) or []}
    entities = sorted({entity for entity, _ in objects})
    if entities:
        changes = await client.cdc(entities, since)
        for entity, rows in changes.items():
            for row in rows:
                hit = objects.get((entity, str(row.get("Id"))))
                if hit is None:
                    continue
                link, part = hit
                if row.get("status") == "Deleted":
                    kind, differences = "deleted", []
                elif str(row.get("SyncToken")) != str(part.get("sync_token")):
                    kind = "changed"
                    differences = [{"field": "SyncToken", "ours": part.get("sync_token"), "qbo": row.get("SyncToken")}]
                    if "TotalAmt" in row:
                        differences.append({"field": "TotalAmt", "ours": None, "qbo": row["TotalAmt"]})
                else:
                    continue
                found[(link["type"], link["ref"], str(row.get("Id")))] = {
                    "type": link["type"], "ref": link["ref"], "entity": entity, "id": str(row.get("Id")),
                    "kind": kind, "differences": differences, "seen": now_iso()}
    discrepancies = list(found.values())
    cache.put_reference("discrepancies", discrepancies)
    cache.set_setting("last_pull", now_iso(now))
    return discrepancies
