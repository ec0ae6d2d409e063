"""Reconciliation: for a date range, per mapped account, what the inventory side posts against what
QBO holds, and the documents behind every difference.

Inventory side: the ledger's payloads for every document that is (or was) synced, restricted to the
transactions dated in the range (each payload's TxnDate), summed per account (debit +, credit -).
QBO side: the same sums computed from QBO's objects in the range (queries; the sandbox has no
reports API and QBO's reports cannot name documents). Only QBO objects that are qbtui's (linked, or
carrying one of our DocNumbers) are compared; other QBO activity on the same accounts is shown apart
(``qbo_other``) and is never a difference.

Kinds of difference, each naming the document:
``changed`` (its QBO copy posts other amounts or moved out of the range), ``changed_here`` (the
inventory side changed it after it was synced; re-sync), ``deleted`` (its QBO object is gone),
``missing`` (synced but no QBO object recorded), ``voided`` (voided in QBO),
``posted_twice`` (a second QBO object with its number), ``rate`` (the same amounts in QBO at another exchange
rate: only the home figures differ).

Currencies (multicurrency companies; docs/qbo.md#multicurrency-in-the-sandbox): both sides in the home currency.
A foreign transaction's postings on home-currency accounts (inventory asset, sales, COGS, tax, a home bank) are its
amounts times its ``ExchangeRate`` (ours: the rate our payload sends; QBO's: the object's own), per account and
transaction, rounded to the cent half up (:func:`posted`, the one place both sides convert). The A/R and A/P of a
foreign currency (QBO keeps one per currency) stay in their own currency, their rows labelled with it (``currency``),
never added into a home figure. A document whose QBO copy posts the same amounts at another rate is a ``rate``
difference ("rate: ours 1.08, QuickBooks 1.10"), not a changed document.

Open invoices and bills brought in from QBO at setup (``extra.opening_balance``, qbtui.sync.opening) are opening
balances, not activity of the period: neither side counts them, and the report lists those dated in the range apart
(``opening_balances``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from qbtui.cache import Cache
from qbtui.errors import FAULT_INACTIVE_REFERENCE
from qbtui.ledger.build import build
from qbtui.ledger.common import home_currency
from qbtui.ledger.context import Ledger
from qbtui.ledger.kinds import CONTACTS
from qbtui.ledger.money import money as cents
from qbtui.ledger.payload import json_number
from qbtui.ledger.postings import TAX, Postings, postings
from qbtui.ledger.resolver import control_accounts
from qbtui.ledger.roles import ROLES
from qbtui.maintenance.common import (
    POSTING_ENTITIES,
    ZERO,
    check_range,
    in_range,
    is_voided,
    link_index,
    money,
    query_range,
)
from qbtui.qbo import QBOClient, QBOFault
from qbtui.sync import summaries

PRIMARY_ROLES = ("inventory_asset", "cogs", "inventory_discrepancy", "sales_income", "accounts_receivable",
                 "accounts_payable")


def _total(p: Postings) -> Decimal:
    return sum((v for v in p.values() if v > 0), ZERO)


def _code(ref: Any) -> str | None:
    value = ref.get("value") if isinstance(ref, Mapping) else ref
    return str(value).upper() if value not in (None, "") else None


class Currencies:
    """The company's home currency and its accounts' currencies (QBO's accounts as they are now: an A/R or A/P QBO
    made for a currency at the last sync may not have been pulled yet)."""

    def __init__(self, home: str, accounts: list[Mapping[str, Any]]):
        self.home = home.upper()
        self.of: dict[str, str] = {}  # account Id -> its currency, foreign ones only
        for a in accounts:
            code = _code(a.get("CurrencyRef"))
            if "Id" in a and code and code != self.home:
                self.of[str(a["Id"])] = code
        self.control = control_accounts(accounts)

    def mapping(self, mapping: Mapping[str, str], code: str | None) -> Mapping[str, str]:
        """The mapping a transaction in ``code`` posts with: a foreign one's receivable and payable are the A/R and
        A/P of its currency (QBO's, which it takes when the payload leaves them out)."""
        if code is None:
            return mapping
        out = dict(mapping)
        for role, kind in (("accounts_receivable", "Accounts Receivable"), ("accounts_payable", "Accounts Payable")):
            found = self.control.get((kind, code))
            if found:
                out[role] = str(found["value"])
        return out


class Posted(NamedTuple):
    """One transaction's postings: ``raw`` in its own currency, ``home`` as the reconciliation sums them (see the
    module docstring); ``currency`` None at home; ``rate`` its ExchangeRate (1 at home)."""

    raw: Postings
    home: Postings
    currency: str | None
    rate: Decimal


NOTHING = Posted({}, {}, None, Decimal(1))
"""QuickBooks' side of a document whose QBO copy moved out of the range: it posts nothing there."""


def _rate(body: Mapping[str, Any]) -> Decimal | None:
    value = body.get("ExchangeRate")
    return None if value in (None, "") else Decimal(str(value))


def posted(entity: str, body: Mapping[str, Any], items: Mapping[str, Mapping[str, Any]], mapping: Mapping[str, str],
           cur: Currencies, rate: Decimal | None = None) -> Posted:
    """A transaction's postings in the home currency, ours (a payload's body) and QBO's (an object) alike: each amount
    on a home-currency account times the transaction's rate (``rate`` when given, else the body's ``ExchangeRate``),
    to the cent half up (as QBO's home amounts: docs/qbo.md#multicurrency-in-the-sandbox); an amount on an account
    of a foreign currency stays in that currency."""
    code = _code(body.get("CurrencyRef"))
    code = code if code and code != cur.home else None
    raw = postings(entity, body, items, cur.mapping(mapping, code))
    if code is None:
        return Posted(raw, raw, None, Decimal(1))
    rate = rate if rate is not None else _rate(body) or Decimal(1)
    home = {a: v if a in cur.of else cents(v * rate) for a, v in raw.items()}
    return Posted(raw, home, code, rate)


def _rate_text(rate: Decimal) -> str:
    """1.080000 -> 1.08; at least two places."""
    text = format(rate.normalize(), "f")
    whole, _, frac = text.partition(".")
    return f"{whole}.{frac.ljust(2, '0')}"


def _diff(ours: Postings, qbo: Postings) -> dict[str, Decimal]:
    out = {}
    for account in set(ours) | set(qbo):
        d = ours.get(account, ZERO) - qbo.get(account, ZERO)
        if d != 0:
            out[account] = d
    return out


def _merge(into: Postings, p: Postings) -> None:
    for k, v in p.items():
        into[k] = into.get(k, ZERO) + v


class _Ledgers:
    """The ledger over the cache (payloads resolved with the links, as they were sent)."""

    def __init__(self, cache: Cache):
        from qbtui.sync.plan import cache_resolver, snapshot

        self.snap = snapshot(cache)
        self.ledger = Ledger(self.snap.settings, cache_resolver(self.snap, True), self.snap.prefs, self.snap.docs)


async def reconcile(cache: Cache, client: QBOClient, start: str | date, end: str | date) -> dict[str, Any]:
    """The reconciliation of [start, end] (inclusive); see the module docstring. JSON-ready."""
    d1, d2 = check_range(start, end)
    led = _Ledgers(cache)
    snap = led.snap
    mapping = dict(snap.settings.mapping)
    items = {str(i["Id"]): i for i in await client.query_all("Item")}
    live_accounts = await client.query_all("Account")
    accounts = {str(a.get("Id")): a for a in [*(cache.reference("accounts") or []), *live_accounts]}
    cur = Currencies(home_currency(led.ledger), list(accounts.values()))
    qbo_objs: dict[tuple[str, str], dict[str, Any]] = {}
    for entity in POSTING_ENTITIES:
        for obj in await query_range(client, entity, d1, d2):
            qbo_objs[(entity, str(obj["Id"]))] = obj
    linked = link_index(cache.links())

    ours_total: Postings = {}
    qbo_total: Postings = {}
    other_total: Postings = {}
    differences: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    numbers: dict[tuple[str, str], tuple[str, str]] = {}  # (entity, DocNumber) -> our (type, ref)
    unsent = 0

    def row(kind: str, key: tuple[str, str], entity: str, qbo_id: str | None, number: str | None, day: Any,
            ours: Posted | None, qbo: Posted | None, message: str) -> dict[str, Any]:
        diff = _diff(ours.home if ours else {}, qbo.home if qbo else {})
        code = next((p.currency for p in (ours, qbo) if p is not None and p.currency), None)
        rates = {"ours": json_number(ours.rate) if ours is not None else None,
                 "qbo": json_number(qbo.rate) if qbo is not None and qbo.raw else None} if code else None
        return {"kind": kind, "type": key[0], "ref": key[1], "entity": entity, "id": qbo_id, "doc_number": number,
                "date": day, "ours": json_number(_total(ours.raw)) if ours is not None else None,
                "qbo": json_number(_total(qbo.raw)) if qbo is not None else None,
                "accounts": {a: json_number(v) for a, v in sorted(diff.items())}, "message": message,
                "currency": code, "rate": rates}

    opening: dict[tuple[str, str], tuple[str, str]] = {}  # QBO (entity, Id) -> the opening-balance document
    items_to_compare: list[tuple[tuple[str, str], Mapping[str, Any], list[Any], dict[str, Any]]] = []
    for key, doc in snap.docs.items():
        link = snap.links.get(key)
        status = snap.status.get(key, {})
        if (doc.get("extra") or {}).get("opening_balance") and key[0] not in CONTACTS:
            # brought in from QBO at setup (qbtui.sync.opening): QBO's own, an opening balance, never activity
            for q in (link or {}).get("qbo") or ():
                if q.get("id"):
                    opening[(str(q.get("entity")), str(q["id"]))] = key
            continue
        if link is None or link.get("status") != "synced":
            if status.get("status") in ("pending", "failed") and key[0] not in CONTACTS:
                unsent += any(in_range(doc.get(f), d1, d2) for f in ("invoice_date", "date", "accounting_date"))
            continue
        try:
            payloads = build(doc, led.ledger)
        except Exception:  # a document the ledger can no longer build: nothing to compare with
            continue
        items_to_compare.append((key, status, payloads,
                                 {(q.get("key") or "doc"): q for q in link.get("qbo") or () if q.get("id")}))
    # the summaries of summarized channels, as posted (qbtui/sync/summaries.py), each named by its reference
    items_to_compare += [(key, {}, payloads, parts)
                         for key, payloads, parts in summaries.reconcile_payloads(cache, led.ledger)]
    for key, status, payloads, parts in items_to_compare:
        for payload in payloads:
            body = payload.body
            if payload.entity not in POSTING_ENTITIES or not in_range(body.get("TxnDate"), d1, d2):
                continue
            part = parts.get(payload.key) or next((q for q in parts.values() if q["entity"] == payload.entity), None)
            obj = qbo_objs.get((payload.entity, str(part["id"]))) if part is not None else None
            # the rate we send; none sent: QuickBooks takes its own, which is then ours too
            ours = posted(payload.entity, body, items, mapping, cur,
                          None if _rate(body) is not None or obj is None else _rate(obj))
            _merge(ours_total, ours.home)
            if payload.doc_number:
                numbers[(payload.entity, payload.doc_number.casefold())] = key
            day = body.get("TxnDate")
            if part is None:
                differences.append(row("missing", key, payload.entity, None, payload.doc_number, day, ours, None,
                                       "synced, but no QuickBooks object is recorded for it: re-sync it"))
                continue
            qid = str(part["id"])
            seen.add((payload.entity, qid))
            if obj is None:
                try:
                    obj = await client.read(payload.entity, qid)
                except QBOFault as fault:
                    if fault.code == FAULT_INACTIVE_REFERENCE or fault.status == 404:
                        differences.append(row("deleted", key, payload.entity, qid, payload.doc_number, day, ours,
                                               None, f"{payload.entity} {qid} was deleted in QuickBooks"))
                        continue
                    raise
                differences.append(row("changed", key, payload.entity, qid, payload.doc_number, day, ours, NOTHING,
                                       f"{payload.entity} {qid} is dated {obj.get('TxnDate')} in QuickBooks, "
                                       f"outside {d1}..{d2}"))
                continue
            theirs = posted(payload.entity, obj, items, mapping, cur)
            _merge(qbo_total, theirs.home)
            if is_voided(obj):
                differences.append(row("voided", key, payload.entity, qid, obj.get("DocNumber"), day, ours, theirs,
                                       f"{payload.entity} {qid} was voided in QuickBooks"))
            elif _diff(ours.home, theirs.home) or str(obj.get("TxnDate")) != str(day):
                rates = (f"rate: ours {_rate_text(ours.rate)}, QuickBooks {_rate_text(theirs.rate)}"
                         if ours.currency and ours.rate != theirs.rate else "")
                if status.get("changed"):
                    msg = "changed on the inventory side since it was synced: re-sync it"
                    kind = "changed_here"
                elif rates and not _diff(ours.raw, theirs.raw) and str(obj.get("TxnDate")) == str(day):
                    msg = (f"{rates}: {payload.entity} {qid} posts the same {ours.currency} amounts at QuickBooks' "
                           f"rate, so only the home figures differ; put the rate back in QuickBooks, or correct "
                           f"the document's exchange_rate if QuickBooks has the right one")
                    kind = "rate"
                else:
                    msg = (f"{payload.entity} {qid} was changed in QuickBooks (SyncToken {part.get('sync_token')} -> "
                           f"{obj.get('SyncToken')})")
                    kind = "changed"
                    msg += f"; and its {rates}" if rates else ""
                differences.append(row(kind, key, payload.entity, qid, obj.get("DocNumber"), day, ours, theirs, msg))

    opening_rows: list[dict[str, Any]] = []
    for (entity, qid), obj in sorted(qbo_objs.items(), key=lambda kv: int(kv[0][1]) if kv[0][1].isdigit() else 0):
        if (entity, qid) in seen:
            continue
        theirs = posted(entity, obj, items, mapping, cur)
        if (entity, qid) in opening:
            t, r = opening[(entity, qid)]
            opening_rows.append({"type": t, "ref": r, "entity": entity, "id": qid, "date": obj.get("TxnDate"),
                                 "total": json_number(money(Decimal(str(obj.get("TotalAmt", 0))))),
                                 "currency": theirs.currency})
            continue
        owner = linked.get((entity, qid))
        number = str(obj.get("DocNumber") or "")
        if owner is not None and owner.get("status") == "synced":  # ours, but its date moved into the range
            _merge(qbo_total, theirs.home)
            differences.append(row("changed", (owner["type"], owner["ref"]), entity, qid, number, obj.get("TxnDate"),
                                   NOTHING, theirs, f"{entity} {qid} was moved into {d1}..{d2} in QuickBooks"))
        elif number and (entity, number.casefold()) in numbers:
            _merge(qbo_total, theirs.home)
            differences.append(row("posted_twice", numbers[(entity, number.casefold())], entity, qid, number,
                                   obj.get("TxnDate"), NOTHING, theirs,
                                   f"a second {entity} ({qid}) carries its number {number}: see qbtui duplicates"))
        else:
            _merge(other_total, theirs.home)

    role_of = {}
    for role in ROLES:
        if role.name in mapping:
            role_of.setdefault(mapping[role.name], role.name)
    rows = []
    shown = [mapping[r] for r in PRIMARY_ROLES if r in mapping]
    shown += [a for a in sorted(set(ours_total) | set(qbo_total)) if a not in shown]
    for account in shown:
        ours, theirs = ours_total.get(account, ZERO), qbo_total.get(account, ZERO)
        name = "sales tax" if account == TAX else (accounts.get(account) or {}).get("Name") or account
        rows.append({"role": role_of.get(account), "account_id": account, "account": name,
                     "inventory": json_number(ours), "qbo": json_number(theirs),
                     "difference": json_number(ours - theirs),
                     "qbo_other": json_number(other_total.get(account, ZERO)),
                     "currency": cur.of.get(account, cur.home)})
    clean = not differences and all(r["difference"] == 0 for r in rows)
    return {"from": d1.isoformat(), "to": d2.isoformat(), "home_currency": cur.home, "clean": clean, "accounts": rows,
            "differences": differences, "unsent": unsent, "opening_balances": opening_rows}


def foreign(report: Mapping[str, Any], row: Mapping[str, Any]) -> str | None:
    """The currency of an account row of :func:`reconcile` when it is not the home currency (its amounts are in it)."""
    code = row.get("currency")
    return code if code and code != report.get("home_currency") else None


def amount(value: Any, code: str | None = None) -> str:
    """An amount as the reconciliation shows it: ``1,234.50``, or ``EUR -70.00`` in a foreign currency."""
    return f"{code} {money(value):,.2f}" if code else f"{money(value):,.2f}"


def render(report: Mapping[str, Any]) -> str:
    """The human form of :func:`reconcile`'s report."""
    lines = [f"reconciliation {report['from']} .. {report['to']}"]
    lines.append(f"{'account':40} {'inventory':>12} {'QuickBooks':>12} {'difference':>11}  {'other in QBO':>12}")
    for r in report["accounts"]:
        label = f"{r['account']}" + (f" ({r['role']})" if r.get("role") else "")
        code = foreign(report, r)
        lines.append(f"{label[:40]:40} {amount(r['inventory'], code):>12} {amount(r['qbo'], code):>12} "
                     f"{amount(r['difference'], code):>11}  {amount(r['qbo_other'], code):>12}")
    if report["differences"]:
        lines.append("")
        lines.append(f"{len(report['differences'])} documents behind the differences:")
        for d in report["differences"]:
            lines.append(f"  {d['kind'].upper():13} {d['type']} {d['ref']} ({d['entity']} {d['id'] or '-'}, "
                         f"{d['date']}): {d['message']}")
    else:
        lines.append("no difference: QuickBooks holds exactly what the inventory side posted")
    if any(foreign(report, r) for r in report["accounts"]):
        lines.append(f"(amounts in {report['home_currency']}, the home currency, but where an account says another: "
                     f"a foreign document's amounts at its exchange rate)")
    if report.get("unsent"):
        lines.append(f"({report['unsent']} documents in the range are not sent yet: see qbtui status)")
    return "\n".join(lines)
