"""The duplicate finder: QBO journals, invoices and bills that look created twice (same entity,
reference, amount and date; bills also the same supplier), with the one qbtui's link points to
marked, and removal of another one (void where QBO's API allows it, else delete: docs/qbo.md#undoing), recorded
in the audit log as a maintenance run."""

from __future__ import annotations

from datetime import date
from typing import Any

from qbtui.cache import Cache
from qbtui.ledger.payload import json_number
from qbtui.maintenance.audit import end_maintenance, start_maintenance
from qbtui.maintenance.common import VOID_IN_API, check_range, is_voided, link_index, money, query_range
from qbtui.qbo import QBOClient, QBOFault
from qbtui.sync.readonly import check_writes_allowed

DUPLICATE_ENTITIES = ("JournalEntry", "Invoice", "Bill")


class DuplicateError(ValueError):
    """The removal asked for is refused; the message says why and what to do."""


def _key(entity: str, obj: dict[str, Any]) -> tuple[Any, ...] | None:
    number = str(obj.get("DocNumber") or "").strip()
    if not number or is_voided(obj):
        return None
    party = (obj.get("VendorRef") or {}).get("value") if entity == "Bill" else None
    return (entity, number.casefold(), str(money(obj.get("TotalAmt"))), str(obj.get("TxnDate")), party)


def _entry(entity: str, obj: dict[str, Any], owner: dict[str, Any] | None) -> dict[str, Any]:
    party = obj.get("CustomerRef") or obj.get("VendorRef") or {}
    return {"entity": entity, "id": str(obj["Id"]), "doc_number": obj.get("DocNumber"), "date": obj.get("TxnDate"),
            "amount": json_number(money(obj.get("TotalAmt"))), "party": party.get("name"),
            "created": (obj.get("MetaData") or {}).get("CreateTime"), "sync_token": obj.get("SyncToken"),
            "linked": owner is not None, "document": {"type": owner["type"], "ref": owner["ref"]} if owner else None}


async def find_duplicates(cache: Cache, client: QBOClient, start: str | date, end: str | date,
                          entities: tuple[str, ...] = DUPLICATE_ENTITIES) -> dict[str, Any]:
    """``{"from", "to", "groups": [{"entity", "doc_number", "date", "amount", "objects": [..]}]}``: each
    group holds two or more QBO objects; ``linked`` marks the one a qbtui link points to (keep it);
    the others are ``removable``."""
    d1, d2 = check_range(start, end)
    linked = link_index(cache.links())
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for entity in entities:
        for obj in await query_range(client, entity, d1, d2):
            key = _key(entity, obj)
            if key is not None:
                groups.setdefault(key, []).append(_entry(entity, obj, linked.get((entity, str(obj["Id"])))))
    out = []
    for key, objects in groups.items():
        if len(objects) < 2:
            continue
        objects.sort(key=lambda o: (not o["linked"], int(o["id"]) if o["id"].isdigit() else 0))
        keep = objects[0]["id"] if any(o["linked"] for o in objects) else None
        for o in objects:
            o["removable"] = o["id"] != keep if keep else o is not objects[0]
            o["keep"] = not o["removable"]
        out.append({"entity": key[0], "doc_number": objects[0]["doc_number"], "date": key[3],
                    "amount": objects[0]["amount"], "objects": objects})
    out.sort(key=lambda g: (g["date"], g["entity"], g["doc_number"] or ""))
    return {"from": d1.isoformat(), "to": d2.isoformat(), "groups": out}


def resolve_target(report: dict[str, Any], target: str) -> dict[str, Any]:
    """The object ``target`` ("ID" or "Entity:ID") names among the report's duplicates."""
    entity, _, qid = target.rpartition(":")
    hits = [o for g in report["groups"] for o in g["objects"]
            if o["id"] == qid and (not entity or o["entity"].casefold() == entity.casefold())]
    if not hits:
        raise DuplicateError(f"{target} is not one of the duplicates found in {report['from']}..{report['to']} "
                             "(run qbtui duplicates with the same range to see them)")
    if len(hits) > 1:
        raise DuplicateError(f"several duplicates have Id {qid}: write ENTITY:ID, e.g. "
                             + " or ".join(f"{o['entity']}:{o['id']}" for o in hits))
    hit = hits[0]
    if hit["linked"]:
        doc = hit["document"]
        raise DuplicateError(f"{hit['entity']} {hit['id']} is the one qbtui's {doc['type']} {doc['ref']} is linked "
                             "to: keep it and remove the other")
    return hit


async def remove_duplicate(cache: Cache, client: QBOClient, start: str | date, end: str | date, target: str) -> dict[str, Any]:
    """Remove the duplicate ``target`` after checking again that it still is one (void where QBO's API
    can, else delete); returns the maintenance run recording it. The cache must be the writer."""
    check_writes_allowed(cache)
    report = await find_duplicates(cache, client, start, end)
    hit = resolve_target(report, target)
    entity, qid = hit["entity"], hit["id"]
    current = await client.read(entity, qid)
    operation = "void" if entity in VOID_IN_API else "delete"
    run_id = start_maintenance(cache, "remove_duplicate", range={"from": report["from"], "to": report["to"]})
    record = {"entity": entity, "id": qid, "doc_number": current.get("DocNumber"), "date": current.get("TxnDate"),
              "amount": json_number(money(current.get("TotalAmt"))), "operation": operation,
              "sync_token": current.get("SyncToken")}
    try:
        if operation == "void":
            await client.void(entity, qid, current["SyncToken"])
        else:
            await client.delete(entity, qid, current["SyncToken"])
    except QBOFault as fault:
        end_maintenance(cache, run_id, counts={"failed": 1}, error=str(fault), removed=[])
        raise
    return end_maintenance(cache, run_id, counts={"removed": 1}, removed=[record])


def render(report: dict[str, Any]) -> str:
    if not report["groups"]:
        return f"no duplicates between {report['from']} and {report['to']}"
    lines = [f"{len(report['groups'])} sets of duplicates between {report['from']} and {report['to']}:"]
    for g in report["groups"]:
        lines.append(f"{g['entity']} {g['doc_number']} {g['date']} {money(g['amount']):,.2f}")
        for o in g["objects"]:
            mark = "KEEP (qbtui's link)" if o["linked"] else ("keep" if o["keep"] else "remove?")
            lines.append(f"  {o['entity']}:{o['id']:<8} {mark:20} created {o['created'] or '?'}"
                         + (f"  {o['document']['type']} {o['document']['ref']}" if o["document"] else ""))
    lines.append("remove one with: qbtui duplicates --from D --to D --remove ENTITY:ID")
    return "\n".join(lines)
