"""Reconciliation on a QuickBooks Desktop profile, by queries (docs/desktop.md#reconcile-by-queries).

Desktop is reached only during a Web Connector session, so ``qbtui reconcile --from D --to D`` queues the request
(:func:`request`) and shows the last answer; the next session (:class:`Reconcile`, a service Work) asks QuickBooks
for the transactions of the period, per transaction type (``XxxQueryRq`` with ``TxnDateRangeFilter``), then for
each of our transactions of the period it did not return, by its TxnID (deleted, or moved out of the period), and
compares each with ours: the amount Desktop shows for it (an invoice's or credit memo's ``Subtotal``, a bill's
``AmountDue``, a vendor credit's ``CreditAmount``, a payment's ``TotalAmount``, a bill payment's ``Amount``, a
journal's debit lines) against the same figure of the qbXML qbtui sent (the sum of its lines' ``Amount``, its
``TotalAmount``, its applied amounts), and the TxnDate. Account balances (``AccountQueryRq``'s ``Balance``) are
not compared: they hold every other activity of the company file, which is not ours to reconcile (as QBO's
reconcile keeps it apart, ``desktop_other`` here).

Kinds of difference, each naming the document: ``changed`` (another amount or date in Desktop, or moved out of the
period), ``deleted`` (its TxnID is gone), ``missing`` (synced but no TxnID recorded), ``posted_twice`` (another
Desktop transaction of the period carrying its RefNumber and our reference in the memo)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from qbtui.cache import Cache
from qbtui.desktop.qbxml import ENTITY, LISTS, Untranslatable, translate
from qbtui.desktop.responses import parse
from qbtui.ledger.build import build
from qbtui.ledger.context import Ledger
from qbtui.timestamps import now_iso

REQUEST_SETTING = "desktop_reconcile_request"
ANSWER_SETTING = "desktop_reconcile"
#: the Desktop transactions qbtui sends (qbxml.ENTITY's values that are not lists), in the order they are queried
TXNS = tuple(dict.fromkeys(e for e in ENTITY.values() if e not in LISTS))
#: the element of a Desktop transaction's Ret holding the amount compared (qbxml130.xsd's XxxRet); None: the journal's
#: debit lines
AMOUNT_TAG: dict[str, str | None] = {
    "Invoice": "Subtotal", "CreditMemo": "Subtotal", "Estimate": "Subtotal", "PurchaseOrder": "TotalAmount",
    "Bill": "AmountDue", "VendorCredit": "CreditAmount", "ReceivePayment": "TotalAmount",
    "BillPaymentCheck": "Amount", "JournalEntry": None,
}
ZERO = Decimal("0.00")


def _dec(text: str | None) -> Decimal:
    try:
        return Decimal(text or "0").quantize(ZERO)
    except InvalidOperation:
        return ZERO


def add_amount(add: ET.Element) -> Decimal:
    """The amount Desktop shows for the transaction an XxxAdd makes (see AMOUNT_TAG): its lines' Amount (a journal:
    its debit lines; a payment: TotalAmount; a bill payment: its applied PaymentAmounts)."""
    entity = add.tag[:-3]
    if entity == "ReceivePayment":
        return _dec(add.findtext("TotalAmount"))
    if entity == "BillPaymentCheck":
        return sum((_dec(a.findtext("PaymentAmount")) for a in add.findall("AppliedToTxnAdd")), ZERO)
    if entity == "JournalEntry":
        return sum((_dec(line.findtext("Amount")) for line in add.findall("JournalDebitLine")), ZERO)
    return sum((_dec(line.findtext("Amount")) for line in add if line.tag.endswith("LineAdd")), ZERO)


def ret_amount(ret: ET.Element) -> Decimal:
    """The amount of a Desktop transaction as its Ret says it (AMOUNT_TAG)."""
    entity = ret.tag[:-3]
    tag = AMOUNT_TAG.get(entity)
    if tag is None:
        return sum((_dec(line.findtext("Amount")) for line in ret.findall("JournalDebitLine")), ZERO)
    return _dec(ret.findtext(tag))


def request(cache: Cache, start: date, end: date) -> dict[str, Any]:
    """Queue a reconciliation of [start, end] for the next session (replacing one queued before)."""
    req = {"from": start.isoformat(), "to": end.isoformat(), "requested": now_iso()}
    cache.set_setting(REQUEST_SETTING, req)
    return req


def last_answer(cache: Cache, start: date | None = None, end: date | None = None) -> dict[str, Any] | None:
    """The last reconciliation a session answered (of [start, end] when given)."""
    report = cache.get_setting(ANSWER_SETTING)
    if not report or (start and report.get("from") != start.isoformat()) or (end and
                                                                              report.get("to") != end.isoformat()):
        return None
    return dict(report)


def _set(version: tuple[int, int], rqs: list[ET.Element]) -> str:
    root = ET.Element("QBXML")
    msgs = ET.SubElement(root, "QBXMLMsgsRq", onError="continueOnError")
    for rq in rqs:
        msgs.append(rq)
    body = ET.tostring(root, encoding="us-ascii", xml_declaration=False).decode("ascii")
    return f'<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="{version[0]}.{version[1]}"?>\n{body}'


class Reconcile:
    """A session's work (qbtui.desktop.service.Work): the queries of a queued reconciliation, then the report
    kept in the profile (setting ``desktop_reconcile``) and the request cleared."""

    def __init__(self, cache: Cache, req: Mapping[str, Any], ledger: Ledger) -> None:
        self.cache = cache
        self.ledger = ledger
        self.req = dict(req)
        self.start, self.end = str(req["from"]), str(req["to"])
        self.phase = "range"
        self.found: dict[str, ET.Element] = {}  # TxnID -> the Ret
        self.in_range: set[str] = set()
        self.ours = self._ours()
        self.wanted: list[str] = []
        self.done = False

    def _ours(self) -> list[dict[str, Any]]:
        """Our synced transactions (each part) with their figures as sent, dated in the range or linked."""
        ledger = self.ledger
        out: list[dict[str, Any]] = []
        self.unsent = 0
        for link in self.cache.links(["synced", "failed", "sending"]):
            key = (link["type"], link["ref"])
            rec = self.cache.get(*key)
            if rec is None:
                continue
            doc = {**rec["data"], "type": key[0], "ref": key[1]}
            try:
                payloads = build(doc, ledger)
            except (KeyError, ValueError):
                continue
            parts = {str(p.get("key") or "doc"): p for p in link.get("qbo") or () if p.get("id")}
            for payload in payloads:
                entity = ENTITY.get(payload.entity)
                if entity not in TXNS:
                    continue
                try:
                    add = translate(payload, doc).element
                except Untranslatable:
                    continue
                day = add.findtext("TxnDate") or ""
                if not self.start <= day <= self.end:
                    continue
                if link.get("status") != "synced":
                    self.unsent += 1
                    continue
                part = parts.get(payload.key)
                out.append({"type": key[0], "ref": key[1], "entity": entity, "id": str(part["id"]) if part else None,
                            "ref_number": add.findtext("RefNumber"), "memo": add.findtext("Memo") or "",
                            "date": day, "amount": add_amount(add)})
        return out

    # -- Work
    def next_request(self, version: tuple[int, int]) -> str | None:
        if self.phase == "range":
            rqs = []
            for i, entity in enumerate(TXNS):
                rq = ET.Element(f"{entity}QueryRq", requestID=f"range:{i}")
                span = ET.SubElement(rq, "TxnDateRangeFilter")
                ET.SubElement(span, "FromTxnDate").text = self.start
                ET.SubElement(span, "ToTxnDate").text = self.end
                if entity == "JournalEntry":
                    ET.SubElement(rq, "IncludeLineItems").text = "true"  # the debit lines: the amount compared
                rqs.append(rq)
            return _set(version, rqs)
        if self.phase == "ids" and self.wanted:
            rqs = []
            by_id = {o["id"]: o for o in self.ours}
            for i, txn_id in enumerate(self.wanted):
                entity = by_id[txn_id]["entity"]
                rq = ET.Element(f"{entity}QueryRq", requestID=f"id:{i}")
                ET.SubElement(rq, "TxnID").text = txn_id
                if entity == "JournalEntry":
                    ET.SubElement(rq, "IncludeLineItems").text = "true"
                rqs.append(rq)
            return _set(version, rqs)
        return None

    def take_response(self, response: str) -> None:
        for outcome in parse(response):
            for ret in outcome.rets:
                txn_id = ret.findtext("TxnID") or ""
                self.found[txn_id] = ret
                if self.phase == "range":
                    self.in_range.add(txn_id)
        if self.phase == "range":
            self.wanted = [o["id"] for o in self.ours if o["id"] and o["id"] not in self.in_range]
            if self.wanted:
                self.phase = "ids"
                return
        self._finish()

    def _finish(self) -> None:
        differences: list[dict[str, Any]] = []
        totals: dict[str, dict[str, Decimal]] = {}

        def total(entity: str, which: str, amount: Decimal) -> None:
            row = totals.setdefault(entity, {"ours": ZERO, "desktop": ZERO, "desktop_other": ZERO})
            row[which] += amount

        def diff(kind: str, o: Mapping[str, Any], desktop: Decimal | None, message: str, **extra: Any) -> None:
            differences.append({"kind": kind, "type": o["type"], "ref": o["ref"], "entity": o["entity"],
                                 "id": o.get("id"), "ref_number": o.get("ref_number"), "date": o["date"],
                                 "ours": str(o["amount"]), "desktop": None if desktop is None else str(desktop),
                                 "message": message, **extra})

        mine = set()
        for o in self.ours:
            total(o["entity"], "ours", o["amount"])
            if not o["id"]:
                diff("missing", o, None, "synced, but no Desktop TxnID is recorded for it: send it again")
                continue
            mine.add(o["id"])
            ret = self.found.get(o["id"])
            if ret is None:
                diff("deleted", o, None, f"{o['entity']} {o['id']} is not in the company file (deleted in QuickBooks)")
                continue
            theirs, day = ret_amount(ret), ret.findtext("TxnDate") or ""
            if o["id"] in self.in_range:
                total(o["entity"], "desktop", theirs)
            if theirs != o["amount"] or day != o["date"]:
                where = "" if o["id"] in self.in_range else f", outside {self.start}..{self.end}"
                diff("changed", o, theirs, f"{o['entity']} {o['id']} shows {theirs} dated {day} in QuickBooks"
                                           f"{where} (ours: {o['amount']} on {o['date']})")
        keys = {(o["entity"], o["ref_number"], o["memo"].split(" ", 1)[0]): o for o in self.ours}
        for txn_id in sorted(self.in_range - mine):
            ret = self.found[txn_id]
            entity, amount = ret.tag[:-3], ret_amount(ret)
            memo = (ret.findtext("Memo") or "").split(" ", 1)[0]
            o = keys.get((entity, ret.findtext("RefNumber"), memo)) if memo else None
            if o is not None:
                total(entity, "desktop", amount)
                diff("posted_twice", o, amount, f"a second {entity} ({txn_id}) carries its RefNumber "
                                                f"{o['ref_number']} and our reference: remove one in QuickBooks",
                     other_id=txn_id)
            else:
                total(entity, "desktop_other", amount)
        rows = [{"entity": e, "ours": str(t["ours"]), "desktop": str(t["desktop"]),
                 "difference": str(t["ours"] - t["desktop"]), "desktop_other": str(t["desktop_other"])}
                for e, t in totals.items()]
        report = {"backend": "desktop", "from": self.start, "to": self.end, "requested": self.req.get("requested"),
                  "answered": now_iso(), "clean": not differences and all(Decimal(r["difference"]) == 0
                                                                            for r in rows),
                  "compared": len(self.ours), "totals": rows, "differences": differences, "unsent": self.unsent}
        self.cache.set_setting(ANSWER_SETTING, report)
        if (self.cache.get_setting(REQUEST_SETTING) or {}).get("requested") == self.req.get("requested"):
            self.cache.set_setting(REQUEST_SETTING, None)
        self.done = True

    def percent(self) -> int:
        return 100 if self.done else (50 if self.phase == "ids" else 0)

    def close(self) -> str:
        report = self.cache.get_setting(ANSWER_SETTING) if self.done else None
        if not report:
            return "reconciliation not finished: it is asked again next session"
        return (f"reconciliation {report['from']}..{report['to']}: {report['compared']} compared, "
                f"{len(report['differences'])} differences")


def queued_reconcile(cache: Cache) -> dict[str, Any] | None:
    req = cache.get_setting(REQUEST_SETTING)
    return dict(req) if req else None


def render(report: Mapping[str, Any]) -> str:
    lines = [f"reconciliation {report['from']} .. {report['to']} (QuickBooks Desktop, answered {report['answered']})",
             f"{'transactions':20} {'ours':>12} {'QuickBooks':>12} {'difference':>11}  {'other in QB':>12}"]
    for r in report["totals"]:
        lines.append(f"{r['entity']:20} {r['ours']:>12} {r['desktop']:>12} {r['difference']:>11}  "
                     f"{r['desktop_other']:>12}")
    for d in report["differences"]:
        lines.append(f"{d['kind']:13} {d['type']} {d['ref']}: {d['message']}")
    if report.get("unsent"):
        lines.append(f"{report['unsent']} documents of the period not sent yet")
    lines.append("clean" if report["clean"] else f"{len(report['differences'])} differences")
    return "\n".join(lines)
