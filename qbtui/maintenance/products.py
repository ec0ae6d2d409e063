"""Replace products in QBO with the inventory side's: each product's QBO item (its link, else the
item of the same name) is updated with the ledger's payload, a missing one is created. An item of type
Inventory (QBO costs its sales itself: ledger.gates.item_conflict) cannot become a NonInventory item by
an update: it is made inactive (QBO renames it "NAME (deleted)", which frees the name: docs/qbo.md) and a
NonInventory item of the same name is created in its place. Afterwards QBO's item list is pulled again, so
the gate ``product.qbo_item_conflict`` sees the new items. Refused before anything is sent when two
product names collide in their first 100 characters (QBO's name limit: they would land on one item).
Progress through ``on_progress(n, total)``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qbtui.cache import Cache
from qbtui.ledger.build import build
from qbtui.ledger.context import Ledger
from qbtui.ledger.payload import wire
from qbtui.maintenance.audit import end_maintenance, start_maintenance
from qbtui.qbo import QBOClient, QBOFault
from qbtui.sync.readonly import check_writes_allowed

NAME_LIMIT = 100


class ProductsError(ValueError):
    pass


def name_collisions(cache: Cache) -> list[list[str]]:
    """Refs of products whose names are equal in their first 100 characters (case-blind), per clash."""
    seen: dict[str, list[str]] = {}
    for rec in cache.documents("product"):
        name = str(rec["data"].get("name") or "")
        seen.setdefault(name[:NAME_LIMIT].casefold().strip(), []).append(rec["ref"])
    return [refs for refs in seen.values() if len(refs) > 1]


async def replace_products(cache: Cache, client: QBOClient, *, on_progress: Callable[[int, int], None] | None = None
                           ) -> dict[str, Any]:
    from qbtui.sync.lookup import find_by_names
    from qbtui.sync.plan import cache_resolver, snapshot

    check_writes_allowed(cache)
    clashes = name_collisions(cache)
    if clashes:
        raise ProductsError("refused: product names collide in their first 100 characters: "
                            + "; ".join(" / ".join(c) for c in clashes[:10]))
    snap = snapshot(cache)
    ledger = Ledger(snap.settings, cache_resolver(snap, True), snap.prefs, snap.docs)
    products = [(key, doc) for key, doc in snap.docs.items() if key[0] == "product"]
    payloads = []
    for key, doc in products:
        try:
            payloads.append((key, next(p for p in build(doc, ledger) if p.entity == "Item")))
        except Exception as exc:  # noqa: BLE001 - a product the ledger cannot build is reported, not sent
            payloads.append((key, exc))
    names = [p.body["Name"] for _, p in payloads if not isinstance(p, Exception)]
    existing = await find_by_names(client, "Item", names) if names else {}
    run_id = start_maintenance(cache, "replace_products")
    changed: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    outcomes = []
    for n, (key, payload) in enumerate(payloads, 1):
        if isinstance(payload, Exception):
            failed.append({"type": key[0], "ref": key[1], "error": str(payload)})
            continue
        body = wire(payload.body)
        link = snap.links.get(key) or {}
        qid = next((q["id"] for q in link.get("qbo") or () if q.get("entity") == "Item" and q.get("id")), None)
        if qid is None and body["Name"] in existing:
            qid = str(existing[body["Name"]]["Id"])
        try:
            current = await client.read("Item", qid) if qid is not None else None
            if current is not None and current.get("Type") == "Inventory":
                gone = await client.update("Item", {"Id": qid, "SyncToken": current["SyncToken"], "Active": False},
                                           sparse=True)
                changed.append({"type": key[0], "ref": key[1], "entity": "Item", "id": str(qid),
                                "name": str(gone.get("Name")), "operation": "deactivate"})
                qid = current = None  # its name is free now ("NAME (deleted)"): created again below
            if qid is not None and current is not None:
                update = {k: v for k, v in body.items() if k != "Type" or v == current.get("Type")}
                obj = await client.update("Item", {**update, "Id": qid, "SyncToken": current["SyncToken"]}, sparse=True)
                operation = "update"
            else:
                obj = await client.create("Item", body)
                operation = "create"
            part = {"key": payload.key, "entity": "Item", "id": str(obj["Id"]), "sync_token": str(obj["SyncToken"])}
            outcomes.append({"type": key[0], "ref": key[1], "status": "synced", "qbo": [part], "run": run_id})
            changed.append({"type": key[0], "ref": key[1], "entity": "Item", "id": str(obj["Id"]),
                            "name": body["Name"], "operation": operation})
        except QBOFault as fault:
            failed.append({"type": key[0], "ref": key[1], "entity": "Item", "id": qid, "error": str(fault)})
        if on_progress:
            on_progress(n, len(payloads))
    cache.record_outcomes(outcomes)
    try:
        cache.put_reference("items", await client.query_all("Item"))
    except QBOFault:  # the next `qbtui pull` refreshes it
        pass
    counts = {"updated": sum(c["operation"] == "update" for c in changed),
              "created": sum(c["operation"] == "create" for c in changed), "failed": len(failed)}
    deactivated = sum(c["operation"] == "deactivate" for c in changed)
    if deactivated:  # Inventory items made inactive and replaced
        counts["deactivated"] = deactivated
    return end_maintenance(cache, run_id, counts=counts, changed=changed, failed=failed,
                           created=[{k: c[k] for k in ("type", "ref", "entity", "id")} for c in changed
                                    if c["operation"] == "create"])
