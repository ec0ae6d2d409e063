"""From QuickBooks, both ways (docs/domain.md section 1): what ``qbtui pull`` brings in for the inventory side.

* Payments recorded in QBO against our invoices and bills (and against the invoices and bills brought in here):
  ``sale_payment`` / ``supplier_payment`` documents that name their invoice by our ref.
* The balance and paid state QBO holds for each invoice and bill it changed (reference kind ``qbo_balances``,
  keyed ``type:ref``: :func:`balance_of`), shown by ``qbtui document`` and the document screen.
* With the settings on (``import_sales_invoices``, ``import_purchase_invoices``, ``import_customers``,
  ``import_vendors``, ``import_items``): invoices, bills, customers, vendors and items created in QBO. A customer,
  vendor or item that such a document names and that qbtui does not know comes with it.

Everything brought in is a document of origin ``quickbooks`` with the ref ``QBO-<Entity>-<Id>`` (a payment applied
to several invoices: one document per invoice, ``QBO-Payment-<Id>-<n>``), stored through the import format's models
(what ``qbtui export`` writes is what ``qbtui import`` reads), linked to its QBO object as ``synced`` with the part
marked ``"origin": "quickbooks"`` (so that ``pull_changes`` never takes a change in QBO for a discrepancy), and never
sent back: the plan leaves such documents out (qbtui/sync/plan.py). A document deleted in QBO is voided (a contact
or item made inactive). ``auto_receive`` (bills) and ``fulfilment_mode`` (invoices) travel under ``extra``.

The cost follows what changed: one CDC request (QBO's change data capture, at most 30 days back) since the latest
``MetaData.LastUpdatedTime`` seen by the pull before (setting ``inbound_since``); the first pull starts at the
filter start date or 30 days back, whichever is later. Invoices, bills and payments dated before the filter start
date are not brought in (the books before that day are not qbtui's).

Versions accepted from QuickBooks (a discrepancy resolved "accept QuickBooks'"): :func:`accept_version` stores
them with ``extra.quickbooks_accepted`` so that ``qbtui export`` writes them too (:func:`exported`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from qbtui.cache import Cache
from qbtui.documents.importer import check_document
from qbtui.documents.types import DOCUMENT_TYPES
from qbtui.ledger.listing import BALANCES, balance_of  # noqa: F401 - balance_of: read here by the tests
from qbtui.qbo import QBOClient
from qbtui.settings import Settings
from qbtui.sync.runs import now_iso, who

ORIGIN = "quickbooks"
#: reference kind BALANCES (``{"type:ref": {"entity", "id", "total", "balance", "paid", "at"}}``): declared with the
#: list that shows it (qbtui.ledger.listing)
#: setting: the latest MetaData.LastUpdatedTime a pull saw (ISO), where the next CDC starts
SINCE_KEY = "inbound_since"
#: the key under ``extra`` marking a version accepted from QuickBooks (its time, ISO)
ACCEPTED = "quickbooks_accepted"
CDC_DAYS = 30
#: the most objects one change data capture answer holds (docs/qbo.md)
CDC_MAX_OBJECTS = 1000

_CONTACT = {"Customer": "customer", "Vendor": "supplier", "Item": "product"}
_TXN = {"Invoice": "sale_invoice", "Bill": "supplier_invoice"}
_PAYMENT = {"Payment": ("sale_payment", "Invoice", "invoice"), "BillPayment": ("supplier_payment", "Bill",
                                                                               "supplier_invoice")}
_ITEM_KIND = {"Inventory": "stock", "Service": "service", "NonInventory": "non_stock"}


def qbo_ref(entity: str, qbo_id: str) -> str:
    return f"QBO-{entity}-{qbo_id}"


def is_from_quickbooks(doc: dict[str, Any] | None) -> bool:
    return bool(doc) and doc.get("origin") == ORIGIN  # type: ignore[union-attr]


def plain_number(value: Any) -> str | None:
    """A QuickBooks amount or quantity as the import format writes it (``12``, ``12.5``), None when not a number."""
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return format(d.normalize(), "f") if d == d.to_integral_value() else format(d, "f")


def _name(ref: Any) -> str | None:
    return str(ref["name"]) if isinstance(ref, dict) and ref.get("name") else None


def _id(ref: Any) -> str | None:
    return str(ref["value"]) if isinstance(ref, dict) and ref.get("value") is not None else None


def _stamp(row: dict[str, Any]) -> datetime | None:
    raw = (row.get("MetaData") or {}).get("LastUpdatedTime")
    try:
        return datetime.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None


class _Pull:
    """One pull's view: which QBO objects are ours (entity, Id) -> (type, ref), what it brings in."""

    def __init__(self, cache: Cache, client: QBOClient, settings: Settings, run_id: str | None) -> None:
        self.cache, self.client, self.settings, self.run_id = cache, client, settings, run_id
        self.known: dict[tuple[str, str], tuple[str, str]] = {}
        self.from_qbo: set[tuple[str, str]] = set()  # (entity, Id) brought in by a pull before
        for link in cache.links():
            for part in link.get("qbo") or ():
                if part.get("id") is not None:
                    key = (str(part.get("entity")), str(part["id"]))
                    self.known.setdefault(key, (link["type"], link["ref"]))
                    if part.get("origin") == ORIGIN:
                        self.from_qbo.add(key)
        self.docs: dict[tuple[str, str], dict[str, Any]] = {}
        self.outcomes: dict[tuple[str, str], dict[str, Any]] = {}
        self.balances: dict[str, dict[str, Any]] = {}
        self.stored_balances: dict[str, dict[str, Any]] = cache.reference(BALANCES, {}) or {}
        self.counts: dict[str, int] = {}
        self.skipped: list[str] = []
        self.received: list[dict[str, Any]] = []

    def count(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1

    def ours(self, entity: str, qbo_id: str) -> bool:
        """Made by qbtui (or linked to an inventory-side document): not brought in."""
        return (entity, qbo_id) in self.known and (entity, qbo_id) not in self.from_qbo

    def keep(self, doc: dict[str, Any], entity: str, row: dict[str, Any], what: str) -> str | None:
        """Store ``doc`` (of origin quickbooks) linked to ``row``; returns its ref, or None when it does not fit the
        import format (said in the run's ``skipped``)."""
        doc = {**doc, "origin": ORIGIN}
        clean, problems = check_document(doc)
        key = (doc["type"], doc["ref"])
        if clean is None:
            self.skipped.append(f"{entity} {row.get('Id')}: " + "; ".join(
                f"{'.'.join(map(str, loc))}: {reason}" for loc, reason in problems[:3]))
            self.count("skipped")
            return None
        existing = self.cache.get(*key)
        if existing is not None and not is_from_quickbooks(existing["data"]) and key not in self.docs:
            self.skipped.append(f"{entity} {row.get('Id')}: {key[0]} {key[1]!r} is an inventory-side document")
            self.count("skipped")
            return None
        if key not in self.docs and (existing is None or existing["data"] != clean):
            self.count(what)
            self.received.append({"type": key[0], "ref": key[1], "entity": entity, "id": str(row.get("Id"))})
        self.docs[key] = clean
        part = {"entity": entity, "id": str(row["Id"]), "sync_token": str(row.get("SyncToken", "0")),
                "origin": ORIGIN}
        previous = self.outcomes.get(key)
        parts = [*(previous["qbo"] if previous else ()), part]
        self.outcomes[key] = {"type": key[0], "ref": key[1], "status": "synced", "qbo": parts, "run": self.run_id}
        self.known[(entity, str(row["Id"]))] = key
        self.from_qbo.add((entity, str(row["Id"])))
        return key[1]

    # --- contacts and items -------------------------------------------------------------------------------
    async def named(self, entity: str, ref: Any) -> str | None:
        """Our ref of the customer, vendor or item QBO's ``ref`` names; one not known comes in with the document."""
        qbo_id = _id(ref)
        if qbo_id is None:
            return None
        if (entity, qbo_id) in self.known:
            return self.known[(entity, qbo_id)][1]
        row = await self.client.read(entity, qbo_id)
        return self.contact(entity, row)

    def contact(self, entity: str, row: dict[str, Any]) -> str | None:
        qbo_id = str(row["Id"])
        doc_type = _CONTACT[entity]
        doc: dict[str, Any] = {"type": doc_type, "ref": qbo_ref(entity, qbo_id), "active": bool(row.get("Active", True)),
                               "extra": {"qbo_id": qbo_id}}
        if entity == "Item":
            doc["name"] = str(row.get("Name") or qbo_id)
            doc["kind"] = _ITEM_KIND.get(str(row.get("Type")), "non_stock")
            for field, key in (("sale_price", "UnitPrice"), ("purchase_cost", "PurchaseCost")):
                if row.get(key) is not None:
                    doc[field] = plain_number(row[key])
            if row.get("Description"):
                doc["description"] = str(row["Description"])
            if row.get("Sku"):
                doc["extra"]["sku"] = str(row["Sku"])
        else:
            doc["name"] = str(row.get("DisplayName") or qbo_id)
            if (row.get("PrimaryEmailAddr") or {}).get("Address"):
                doc["email"] = str(row["PrimaryEmailAddr"]["Address"])
            if (row.get("PrimaryPhone") or {}).get("FreeFormNumber"):
                doc["phone"] = str(row["PrimaryPhone"]["FreeFormNumber"])
            if entity == "Customer" and row.get("CompanyName"):
                doc["company"] = str(row["CompanyName"])
        return self.keep(doc, entity, row, {"Customer": "customers", "Vendor": "suppliers", "Item": "products"}[entity])

    # --- invoices and bills -------------------------------------------------------------------------------
    def balance(self, key: tuple[str, str], entity: str, row: dict[str, Any]) -> None:
        if row.get("Balance") is None:
            return
        balance = Decimal(str(row["Balance"]))
        entry = {"entity": entity, "id": str(row["Id"]), "total": plain_number(row.get("TotalAmt", 0)), "balance": plain_number(balance),
                 "paid": balance == 0}
        name = f"{key[0]}:{key[1]}"
        if {k: v for k, v in (self.stored_balances.get(name) or {}).items() if k != "at"} != entry:
            self.balances[name] = {**entry, "at": now_iso()}  # only what moved: a pull reads again what it saw last

    async def lines(self, row: dict[str, Any], sale: bool) -> list[dict[str, Any]]:
        out = []
        for line in row.get("Line") or ():
            kind = line.get("DetailType")
            if kind not in ("SalesItemLineDetail", "ItemBasedExpenseLineDetail"):
                continue
            detail = line.get(kind) or {}
            sku = await self.named("Item", detail.get("ItemRef"))
            if sku is None:
                continue
            qty = Decimal(str(detail.get("Qty") or 1))
            price = detail.get("UnitPrice")
            if price is None:
                price = Decimal(str(line.get("Amount") or 0)) / qty if qty else Decimal(0)
            item = {"sku": sku, "quantity": plain_number(qty), ("unit_price" if sale else "unit_cost"): plain_number(price)}
            if line.get("Description"):
                item["description"] = str(line["Description"])
            out.append(item)
        return out

    async def transaction(self, entity: str, row: dict[str, Any]) -> None:
        qbo_id = str(row["Id"])
        doc_type = _TXN[entity]
        sale = entity == "Invoice"
        if row.get("status") == "Deleted":
            self.deleted(entity, qbo_id)
            return
        if self.ours(entity, qbo_id):
            self.balance(self.known[(entity, qbo_id)], entity, row)
            return
        wanted = self.settings.import_sales_invoices if sale else self.settings.import_purchase_invoices
        if (not wanted or self.before_start(row)) and (entity, qbo_id) not in self.from_qbo:
            return
        lines = await self.lines(row, sale)
        if not lines:
            self.skipped.append(f"{entity} {qbo_id}: no item lines (only item lines are brought in)")
            self.count("skipped")
            return
        doc: dict[str, Any] = {"type": doc_type, "ref": qbo_ref(entity, qbo_id), "lines": lines}
        if sale:
            doc["customer"] = await self.named("Customer", row.get("CustomerRef"))
            doc["invoice_date"] = row.get("TxnDate")
            if row.get("DocNumber") and len(str(row["DocNumber"])) <= 21:
                doc["doc_number"] = str(row["DocNumber"])
            doc["extra"] = {"qbo_id": qbo_id, "fulfilment_mode": self.settings.fulfilment_mode}
        else:
            doc["supplier"] = await self.named("Vendor", row.get("VendorRef"))
            doc["invoice_date"] = row.get("TxnDate")
            if row.get("DocNumber"):
                doc["supplier_invoice_number"] = str(row["DocNumber"])
            doc["extra"] = {"qbo_id": qbo_id, "auto_receive": self.settings.auto_receive}
        if row.get("DueDate"):
            doc["due_date"] = row["DueDate"]
        ref = self.keep(doc, entity, row, "invoices" if sale else "bills")
        if ref is not None:
            self.balance((doc_type, ref), entity, row)

    def before_start(self, row: dict[str, Any]) -> bool:
        """Dated before the filter start date: the books before that day are not qbtui's."""
        start = self.settings.filter_start_date
        return start is not None and str(row.get("TxnDate") or "9999")[:10] < start.isoformat()

    def deleted(self, entity: str, qbo_id: str) -> None:
        """A document brought in whose QBO object was deleted: voided (a contact or item: inactive)."""
        if (entity, qbo_id) not in self.from_qbo:
            return  # ours: pull_changes reports it as a discrepancy
        key = self.known[(entity, qbo_id)]
        record = self.cache.get(*key)
        if record is None:
            return
        data = dict(self.docs.get(key) or record["data"])
        if key[0] in ("customer", "supplier", "product"):
            data["active"] = False
        else:
            data["voided"] = True
        if data != record["data"]:
            self.docs[key] = data
            self.outcomes[key] = {"type": key[0], "ref": key[1], "status": "synced", "run": self.run_id}
            self.count("voided")
            self.received.append({"type": key[0], "ref": key[1], "entity": entity, "id": qbo_id, "deleted": True})

    # --- payments -----------------------------------------------------------------------------------------
    def payment(self, entity: str, row: dict[str, Any]) -> None:
        qbo_id = str(row["Id"])
        doc_type, target, field = _PAYMENT[entity]
        if row.get("status") == "Deleted":
            for key in [k for k, v in self.known.items() if k[0] == entity and k[1] == qbo_id]:
                self.deleted(*key)
            return
        if self.ours(entity, qbo_id) or (self.before_start(row) and (entity, qbo_id) not in self.from_qbo):
            return  # sent by qbtui, or dated before the filter start
        applied = [(str(t.get("TxnId")), line.get("Amount")) for line in row.get("Line") or ()
                   for t in line.get("LinkedTxn") or () if t.get("TxnType") == target]
        applied = [(txn, amount) for txn, amount in applied if (target, txn) in self.known]
        for n, (txn, amount) in enumerate(applied, 1):
            ref = qbo_ref(entity, qbo_id) + (f"-{n}" if len(applied) > 1 else "")
            doc: dict[str, Any] = {"type": doc_type, "ref": ref, field: self.known[(target, txn)][1],
                                   "date": row.get("TxnDate"), "amount": plain_number(amount),
                                   "extra": {"qbo_id": qbo_id}}
            if doc_type == "sale_payment" and _name(row.get("PaymentMethodRef")):
                doc["method"] = _name(row["PaymentMethodRef"])
            self.keep(doc, entity, row, "payments")

    def store(self) -> None:
        if self.docs:
            self.cache.upsert_documents(list(self.docs.values()))
        if self.outcomes:
            self.cache.record_outcomes(list(self.outcomes.values()))
        if self.balances:
            self.cache.put_reference(BALANCES, {**self.stored_balances, **self.balances})


def _since(cache: Cache, settings: Settings, now: datetime) -> datetime:
    floor = now - timedelta(days=CDC_DAYS) + timedelta(minutes=5)
    last = cache.get_setting(SINCE_KEY)
    if last:
        return max(datetime.fromisoformat(str(last)), floor)
    if settings.filter_start_date is not None:
        return max(datetime.combine(settings.filter_start_date, time(), UTC), floor)
    return floor


async def pull_inbound(cache: Cache, client: QBOClient, *, run_id: str | None = None) -> dict[str, Any]:
    """Bring in what changed in QBO since the pull before (see the module docstring); returns the counts
    (``payments``, ``invoices``, ``bills``, ``customers``, ``suppliers``, ``products``, ``voided``, ``skipped``,
    ``balances``), ``received`` (type, ref, entity, id of each document brought in or changed) and ``skipped``
    (why some QBO objects did not fit the import format)."""
    settings = Settings.from_stored(cache.settings())
    now = datetime.now(UTC)
    since = _since(cache, settings, now)
    entities = [*(e for e, on in (("Customer", settings.import_customers), ("Vendor", settings.import_vendors),
                                  ("Item", settings.import_items)) if on),
                "Invoice", "Bill", "Payment", "BillPayment"]
    changes = await client.cdc(entities, since)
    full: list[datetime] = []  # an entity whose answer was cut at QBO's limit: the next pull resumes from there
    if sum(len(rows) for rows in changes.values()) >= CDC_MAX_OBJECTS:
        # one answer holds at most 1,000 objects over all the entities asked (docs/qbo.md): ask each on its own
        changes = {}
        for entity in entities:
            changes[entity] = (await client.cdc([entity], since)).get(entity) or []
            if len(changes[entity]) >= CDC_MAX_OBJECTS:
                stamps = [st for row in changes[entity] if (st := _stamp(row)) is not None]
                full.append(max(stamps) if stamps else since)
    if not any(changes.values()):  # nothing changed in QuickBooks: not even the links are read
        cache.set_setting(SINCE_KEY, since.isoformat())
        return {"counts": {"balances": 0}, "received": [], "skipped": [], "since": since.isoformat()}
    pull = _Pull(cache, client, settings, run_id)
    latest = since
    for entity in entities:
        for row in changes.get(entity) or ():
            stamp = _stamp(row)
            if stamp is not None and stamp > latest:
                latest = stamp
            if entity in _CONTACT:
                if row.get("status") == "Deleted":
                    pull.deleted(entity, str(row["Id"]))
                elif not pull.ours(entity, str(row["Id"])):
                    pull.contact(entity, row)
            elif entity in _TXN:
                await pull.transaction(entity, row)
            else:
                pull.payment(entity, row)
    pull.store()
    cache.set_setting(SINCE_KEY, (min(full) if full else latest).isoformat())
    return {"counts": {**pull.counts, "balances": len(pull.balances)}, "received": pull.received,
            "skipped": pull.skipped, "since": since.isoformat()}


async def run_pull(cache: Cache, client: QBOClient) -> dict[str, Any]:
    """``qbtui pull`` as one run of kind ``pull`` in the audit log (who, when, what it brought in): reference data,
    discrepancies (:func:`qbtui.sync.pull.pull_changes`), then :func:`pull_inbound`. A pull that fails ends its run
    with the error."""
    from qbtui.sync.pull import pull_changes, pull_reference

    run_id = cache.add_run({"kind": "pull", "who": who(), "started": now_iso(), "ended": None, "counts": {},
                            "created": [], "received": []})
    try:
        reference = await pull_reference(cache, client)
        discrepancies = await pull_changes(cache, client)
        inbound = await pull_inbound(cache, client, run_id=run_id)
    except BaseException as exc:
        cache.update_run(run_id, ended=now_iso(), error=str(exc) or type(exc).__name__)
        raise
    counts = {**{k: v for k, v in inbound["counts"].items() if v}, "discrepancies": len(discrepancies)}
    cache.update_run(run_id, ended=now_iso(), counts=counts, reference=reference, received=inbound["received"],
                     skipped=inbound["skipped"])
    return {"run": run_id, "reference": reference, "discrepancies": discrepancies, **inbound}


# --- export -----------------------------------------------------------------------------------------------

def accept_version(cache: Cache, doc_type: str, ref: str, data: dict[str, Any]) -> dict[str, Any]:
    """Store QuickBooks' version of a document as the truth (a discrepancy resolved "accept"): validated as an
    import, marked ``extra.quickbooks_accepted`` (so :func:`exported` writes it for the inventory side), and kept
    synced (nothing is sent back). Returns the stored data; ValueError when it does not fit the import format."""
    extra = {**(data.get("extra") or {}), ACCEPTED: now_iso()}
    clean, problems = check_document({**data, "type": doc_type, "ref": ref, "extra": extra})
    if clean is None:
        raise ValueError("; ".join(f"{'.'.join(map(str, loc))}: {reason}" for loc, reason in problems))
    cache.update_document(doc_type, ref, clean)
    if cache.link(doc_type, ref) is not None:
        cache.record_outcomes([{"type": doc_type, "ref": ref, "status": "synced"}])
    return clean


def exported(cache: Any, types: Iterable[str] | None = None, since: date | None = None) -> Iterator[dict[str, Any]]:
    """The documents ``qbtui export`` writes: of origin quickbooks, or accepted from QuickBooks; in the import
    format's type order, by ref; ``since``: brought in or changed on or after that day."""
    wanted = set(types or DOCUMENT_TYPES)
    for doc_type in DOCUMENT_TYPES:
        if doc_type not in wanted:
            continue
        rows = []
        for record in cache.documents(doc_type):
            data = record["data"]
            if not (is_from_quickbooks(data) or (data.get("extra") or {}).get(ACCEPTED)):
                continue
            if since is not None and str(record.get("imported") or "")[:10] < since.isoformat():
                continue
            rows.append({"type": data["type"], "ref": data["ref"], **data})  # type and ref first, as people write
        yield from sorted(rows, key=lambda d: d["ref"])
