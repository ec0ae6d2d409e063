"""Undo of a run on a QuickBooks Desktop profile (docs/desktop.md#undo): the removal is queued by ``qbtui undo RUN``
and done by the Web Connector's next session, newest first.

Transactions are deleted (``TxnDelRq``: TxnDelType, TxnID); list elements (customers, vendors, items) are deleted
where Desktop allows it (``ListDelRq``: ListDelType, ListID) and made inactive (``XxxModRq`` with ``IsActive``
false) where it refuses (an element still used by a transaction). What to remove, what is refused (later documents
still use it) and ``--cascade`` are the QBO undo's plan (qbtui.sync.undo.undo_plan, which the CLI computes: this
room never imports qbtui.sync).

Exactly once: every object is read first (``XxxQueryRq`` by TxnID or ListID) before its removal is sent, so a
removal whose answer was lost (a Web Connector killed, an answer dropped, a server restarted) is found gone, or
inactive, and not sent again; not found (status 1, 500 or 3120) counts as removed. The documents all of whose objects
are gone become ``voided`` when the session has them removed; the undo run ends then."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Mapping
from typing import Any

from qbtui.cache import Cache
from qbtui.desktop.qbxml import ENTITY
from qbtui.desktop.responses import parse
from qbtui.timestamps import now_iso

#: ledger entities whose Desktop objects are list elements (ListDel, else inactive)
LIST_ENTITIES = frozenset({"Customer", "Vendor", "Item"})
#: statuses of a query by id that mean the object is not in the company file
GONE = frozenset({1, 500, 3120})
#: reads of one object (after 3200, the EditSequence out of date) before it is reported failed
MAX_READS = 3
HINT = "remove it in QuickBooks by hand, or run the undo again (qbtui undo RUN)"


def action(entity: str) -> str:
    """What the session does to an object of this ledger entity: ``delete`` (TxnDelRq) or ``delete_or_deactivate``
    (ListDelRq; ListMod IsActive false where Desktop refuses the delete)."""
    return "delete_or_deactivate" if entity in LIST_ENTITIES else "delete"


def desktop_plan(planned: Mapping[str, Any]) -> dict[str, Any]:
    """The QBO undo plan spelled for Desktop: each object's ``action`` as the session will do it, ``queued``."""
    objects = [{**o, "action": o["action"] if o["action"] == "refused" else action(o["entity"])}
               for o in planned["objects"]]
    return {**planned, "backend": "desktop", "objects": objects,
            "when": "the next Web Connector session"}


def queue(cache: Cache, planned: Mapping[str, Any], who: Any = None) -> str:
    """Queue the undo of ``planned`` (nothing refused) for the next session: an undo run not ended, ``queued``."""
    run_id = planned["run"]
    objects = [{"type": o["type"], "ref": o["ref"], "entity": o["entity"], "id": str(o["id"]), "run": o.get("run")}
               for o in planned["objects"]]
    cascaded = [o for o in objects if o["run"] != run_id]
    return cache.add_run({"kind": "undo", "backend": "desktop", "started": now_iso(), "ended": None, "counts": {},
                          "created": [], "undoes": run_id, "queued": objects, "removed": [], "deactivated": [],
                          **({"who": who} if who else {}), **({"cascaded": cascaded} if cascaded else {})})


def queued_undo(cache: Cache) -> dict[str, Any] | None:
    """The oldest undo waiting for a session (None: none)."""
    waiting = [r for r in cache.runs() if r.get("kind") == "undo" and r.get("backend") == "desktop"
               and not r.get("ended")]
    return dict(waiting[-1]) if waiting else None


def _desktop_entity(entity: str) -> str:
    return ENTITY.get(entity, entity)


def _query(entity: str, object_id: str) -> ET.Element:
    if entity == "Item":
        rq = ET.Element("ItemQueryRq")
    else:
        rq = ET.Element(f"{_desktop_entity(entity)}QueryRq")
    ET.SubElement(rq, "ListID" if entity in LIST_ENTITIES else "TxnID").text = object_id
    return rq


def _set(version: tuple[int, int], rq: ET.Element, request_id: str) -> str:
    rq.set("requestID", request_id)
    root = ET.Element("QBXML")
    ET.SubElement(root, "QBXMLMsgsRq", onError="stopOnError").append(rq)
    body = ET.tostring(root, encoding="us-ascii", xml_declaration=False).decode("ascii")
    return f'<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="{version[0]}.{version[1]}"?>\n{body}'


class RemoveObjects:
    """A session's work (qbtui.desktop.service.Work): remove the objects of a queued undo run, in its order
    (newest first), each read before its removal is sent."""

    def __init__(self, cache: Cache, run: Mapping[str, Any]) -> None:
        self.cache = cache
        self.run = dict(run)
        self.removed: list[dict[str, Any]] = list(run.get("removed") or [])
        self.deactivated: list[dict[str, Any]] = list(run.get("deactivated") or [])
        done = {(o["entity"], str(o["id"])) for o in self.removed}
        self.todo: deque[dict[str, Any]] = deque(o for o in run.get("queued") or ()
                                                 if (o["entity"], str(o["id"])) not in done)
        self.total = len(self.todo)
        self.failures: dict[tuple[str, str], dict[str, Any]] = {}
        self.failed: list[dict[str, Any]] = []
        self.current: dict[str, Any] | None = None
        self.phase = "read"
        self.kind = ""  # Desktop's type of the object in hand (its Ret: ItemNonInventory, Invoice...)
        self.edit_sequence = ""
        self.reads = 0
        self.finished = False
        self._id = 0
        self._start = len(self.removed)
        if not self.todo:  # everything was removed by a session that died before it ended the run
            self._finish()

    # -- bookkeeping
    def _next_id(self) -> str:
        self._id += 1
        return str(self._id)

    def _settle(self, removed: bool, error: dict[str, Any] | None = None, deactivated: bool = False) -> None:
        obj = self.current
        assert obj is not None
        entry = {k: obj[k] for k in ("type", "ref", "entity", "id")}
        if removed:
            self.removed.append(entry)
            if deactivated:
                self.deactivated.append(entry)
        else:
            self.failed.append(entry)
            self.failures.setdefault((obj["type"], obj["ref"]), error or {})
        self.current, self.phase, self.kind, self.edit_sequence, self.reads = None, "read", "", "", 0
        # durable per object: a session that dies here starts the next one after what is already removed
        self.cache.update_run(self.run["id"], removed=self.removed, deactivated=self.deactivated)
        if not self.todo:
            self._finish()

    def _finish(self) -> None:
        if self.finished:
            return
        self.finished = True
        failed_docs = set(self.failures)
        outcomes: list[Any] = [{"type": t, "ref": r, "status": "voided", "run": self.run["id"]}
                               for t, r in dict.fromkeys((o["type"], o["ref"]) for o in self.removed)
                               if (t, r) not in failed_docs]
        outcomes += [{"type": t, "ref": r, "status": "failed", "error": e, "run": self.run["id"]}
                     for (t, r), e in self.failures.items()]
        if outcomes:
            self.cache.record_outcomes(outcomes)
        counts = {"removed": len(self.removed), "deactivated": len(self.deactivated), "failed": len(self.failed),
                  "kept": 0}
        self.cache.update_run(self.run["id"], ended=now_iso(), counts=counts, removed=self.removed,
                              deactivated=self.deactivated, **({"failed": self.failed} if self.failed else {}))
        if self.failed:  # the run can be undone again (what is gone counts as removed)
            return
        undone = self.run.get("undoes")
        if undone:
            self.cache.update_run(undone, undone_by=self.run["id"])
        gone = {(o["entity"], str(o["id"])) for o in self.removed}
        for later in {o.get("run") for o in self.run.get("cascaded") or ()} - {None, undone}:
            other = next((r for r in self.cache.runs() if r["id"] == later), None)
            if other and all((c["entity"], str(c["id"])) in gone for c in other.get("created") or ()):
                self.cache.update_run(later, undone_by=self.run["id"])

    # -- Work
    def next_request(self, version: tuple[int, int]) -> str | None:
        if self.current is None:
            if not self.todo:
                self._finish()
                return None
            self.current = self.todo.popleft()
            self.phase = "read"
        obj = self.current
        entity, object_id = obj["entity"], str(obj["id"])
        if self.phase == "read":
            return _set(version, _query(entity, object_id), self._next_id())
        if self.phase == "delete":
            is_list = entity in LIST_ENTITIES
            rq = ET.Element("ListDelRq" if is_list else "TxnDelRq")
            ET.SubElement(rq, "ListDelType" if is_list else "TxnDelType").text = self.kind
            ET.SubElement(rq, "ListID" if is_list else "TxnID").text = object_id
            return _set(version, rq, self._next_id())
        # "deactivate": Desktop refused to delete the list element (in use): it is made inactive
        rq = ET.Element(f"{self.kind}ModRq")
        mod = ET.SubElement(rq, f"{self.kind}Mod")
        ET.SubElement(mod, "ListID").text = object_id
        ET.SubElement(mod, "EditSequence").text = self.edit_sequence
        ET.SubElement(mod, "IsActive").text = "false"
        return _set(version, rq, self._next_id())

    def take_response(self, response: str) -> None:
        obj = self.current
        if obj is None:
            raise ValueError("an answer without a request")
        outcomes = parse(response)
        if not outcomes:
            raise ValueError("an answer without a response for the request")
        answer = outcomes[0]
        error = {"code": f"desktop_{answer.code}", "message": answer.message, "detail": answer.kind,
                 "hint": HINT}
        if self.phase == "read":
            self.reads += 1
            if answer.code in GONE or (answer.ok and not answer.rets):
                self._settle(True)  # already gone: a removal whose answer was lost, or removed in QuickBooks
            elif not answer.ok:
                self._settle(False, error)
            else:
                ret = answer.rets[0]
                self.kind = ret.tag[:-len("Ret")]
                self.edit_sequence = ret.findtext("EditSequence") or ""
                if obj["entity"] in LIST_ENTITIES and ret.findtext("IsActive") == "false":
                    self._settle(True, deactivated=True)  # made inactive by an earlier session whose answer was lost
                else:
                    self.phase = "delete"
            return
        if self.phase == "delete":
            if answer.ok or answer.code == 3120:
                self._settle(True)
            elif obj["entity"] in LIST_ENTITIES:
                self.phase = "deactivate"  # in use: Desktop keeps it, inactive
            else:
                self._settle(False, error)
            return
        if answer.ok:
            self._settle(True, deactivated=True)
        elif answer.code == 3200 and self.reads < MAX_READS:
            self.phase = "read"  # changed meanwhile: read again (its EditSequence), delete or deactivate again
        else:
            self._settle(False, error)

    def percent(self) -> int:
        if self.current is None and not self.todo:
            return 100
        done = len(self.removed) - self._start + len(self.failed)
        return min(99, int(100 * done / max(1, self.total)))

    def close(self) -> str:
        left = len(self.todo) + (self.current is not None)
        return (f"undo of run {self.run.get('undoes')}: {len(self.removed)} removed ({len(self.deactivated)} made "
                f"inactive), {len(self.failed)} failed, {left} left")
