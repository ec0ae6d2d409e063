"""Steps 7 and 8 of the connect wizard (docs/domain.md#connect-wizard) and the opening inventory journal
(docs/domain.md#postings).

* :func:`import_opening_balances`: QBO's unpaid and partly paid invoices and bills become cache
  documents that are already synced and linked to their QBO Id, with QBO's own dates (``extra.opening_balance``:
  the reconciliation counts them as opening balances, not as activity of the period), so that payments recorded
  later on the inventory side apply to them; their customers and vendors link to the firm's own contacts of the
  same name when there are some. Reads only. Once: the state key
  ``opening_balances_imported`` refuses a second attempt with :class:`OpeningError`.
* :func:`import_stock_on_hand`: active QBO Inventory items with a SKU become product documents
  (quantity on hand, cost, one location) and an import-format file for the inventory system; then each
  of those items is made inactive in QBO and recreated as a NonInventory item, linked to the product.
  Progress is kept in the state key ``stock_on_hand`` so that a crash resumes without a double.
* :func:`opening_inventory_preview` / :func:`post_opening_inventory`: Dr inventory asset, Cr opening
  balance equity, for the inventory valuation less QBO's inventory asset balance, on the day before the
  filter start date (``OPENING-INV``), once (state key ``opening_inventory_posted``).

Everything that writes to QBO calls :func:`qbtui.sync.readonly.check_writes_allowed` first."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from qbtui.cache import Cache
from qbtui.ledger.context import Ledger
from qbtui.ledger.journals import OPENING_REF, build_opening_inventory, inventory_valuation
from qbtui.ledger.money import money
from qbtui.ledger.payload import Payload, jsonable, wire
from qbtui.ledger.roles import ROLE_BY_NAME
from qbtui.private import write_private
from qbtui.qbo import QBOClient, request_id
from qbtui.sync.balances import account_balance_on, stored_balance
from qbtui.sync.lookup import quote
from qbtui.sync.readonly import check_writes_allowed
from qbtui.sync.runs import who
from qbtui.timestamps import now_iso

OPENING_BALANCES_KEY = "opening_balances_imported"
STOCK_KEY = "stock_on_hand"
OPENING_INVENTORY_KEY = "opening_inventory_posted"
STOCK_FILE = "stock_on_hand.json"

BATCH_SERIAL_WARNING = ("QuickBooks has no batch (lot) numbers or serial numbers. Products imported this way "
                        "arrive without them, and they cannot be added to this stock afterwards: if you track "
                        "batches or serial numbers, skip this step and enter stock on hand in the inventory "
                        "system by hand.")


class OpeningError(Exception):
    """A step that cannot run (already done, nothing mapped...); the message says why and what to do."""


def _num(v: Any) -> str:
    d = Decimal(str(v if v is not None else 0))
    return format(d.normalize(), "f") if d == d.to_integral_value() else format(d, "f")


def _run(cache: Cache, note: str) -> str:
    return cache.add_run({"kind": "maintenance", "note": note, "started": now_iso(), "ended": None,
                          "counts": {}, "created": [], "who": who()})


@contextmanager
def _ends(cache: Cache, run_id: str, created: list[dict[str, Any]] | None = None) -> Iterator[None]:
    """A step that fails ends its run with the error (and what it created so far): no run stays "not ended"."""
    try:
        yield
    except BaseException as exc:
        cache.update_run(run_id, ended=now_iso(), failed=True, created=list(created or []),
                         error={"code": str(getattr(exc, "code", "") or type(exc).__name__),
                                "message": str(exc) or type(exc).__name__})
        raise


# --- opening balances -------------------------------------------------------------------------

@dataclass
class OpeningBalances:
    invoices: list[str] = field(default_factory=list)
    bills: list[str] = field(default_factory=list)
    contacts: list[str] = field(default_factory=list)
    effective: str = ""
    #: our own contacts (imported from the inventory side) linked to QBO's contact of the same name
    linked: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{len(self.invoices)} unpaid or partly paid invoice(s) and {len(self.bills)} bill(s) imported as "
                f"synced documents, effective {self.effective}")


def _free_ref(cache: Cache, type_: str, wanted: str | None, fallback: str, taken: set[tuple[str, str]]) -> str:
    for ref in (wanted, fallback):
        if ref and (type_, ref) not in taken and cache.get(type_, ref) is None:
            taken.add((type_, ref))
            return ref
    n = 2
    while (type_, f"{fallback}-{n}") in taken or cache.get(type_, f"{fallback}-{n}") is not None:
        n += 1
    taken.add((type_, f"{fallback}-{n}"))
    return f"{fallback}-{n}"


def _lines(txn: dict[str, Any], items: dict[str, dict[str, Any]], sale: bool) -> list[dict[str, Any]]:
    out = []
    for line in txn.get("Line") or []:
        detail_type = line.get("DetailType", "")
        if detail_type not in ("SalesItemLineDetail", "ItemBasedExpenseLineDetail", "AccountBasedExpenseLineDetail"):
            continue
        detail = line.get(detail_type) or {}
        item = items.get(str((detail.get("ItemRef") or {}).get("value")))
        sku = (item or {}).get("Sku") or (f"QBO-ITEM-{item['Id']}" if item else "OPENING-BALANCE")
        qty = detail.get("Qty") or 1
        price = detail.get("UnitPrice") if detail.get("UnitPrice") is not None else \
            Decimal(str(line.get("Amount", 0))) / Decimal(str(qty))
        row: dict[str, Any] = {"sku": str(sku), "quantity": _num(qty)}
        row["unit_price" if sale else "unit_cost"] = _num(money(price) if detail.get("UnitPrice") is None else price)
        desc = line.get("Description") or (item or {}).get("Name")
        if desc:
            row["description"] = str(desc)
        out.append(row)
    if not out:
        key = "unit_price" if sale else "unit_cost"
        out.append({"sku": "OPENING-BALANCE", "quantity": "1", key: _num(txn.get("TotalAmt", 0)),
                    "description": "opening balance"})
    return out


async def import_opening_balances(cache: Cache, client: QBOClient, *, effective: date | None = None) -> OpeningBalances:
    """QBO's open invoices and bills into the cache as synced, linked documents (once only)."""
    done = cache.get_setting(OPENING_BALANCES_KEY)
    if done:
        raise OpeningError(f"opening balances were already imported on {str(done.get('at', '?'))[:10]} "
                           f"({done.get('invoices', 0)} invoices, {done.get('bills', 0)} bills); they can be "
                           "imported only once")
    effective_day = (effective or date.today()).isoformat()
    invoices = [i for i in await client.query_all("Invoice") if Decimal(str(i.get("Balance", 0))) > 0]
    bills = [b for b in await client.query_all("Bill") if Decimal(str(b.get("Balance", 0))) > 0]
    items = {str(i["Id"]): i for i in await client.query_all("Item")}
    result = OpeningBalances(effective=effective_day)
    docs: list[dict[str, Any]] = []
    outcomes: list[dict[str, Any]] = []
    taken: set[tuple[str, str]] = set()
    contact_ref: dict[tuple[str, str], str] = {}
    run_id = _run(cache, "import opening balances")

    async def contact(kind: str, ref: dict[str, Any]) -> str:
        entity = "Customer" if kind == "customer" else "Vendor"
        qbo_id = str(ref.get("value"))
        if (kind, qbo_id) in contact_ref:
            return contact_ref[(kind, qbo_id)]
        for link in cache.links():  # already linked: reuse our document
            if link["type"] == kind and any(str(q.get("id")) == qbo_id and q.get("entity") == entity
                                            for q in link.get("qbo") or ()):
                contact_ref[(kind, qbo_id)] = link["ref"]
                return link["ref"]
        obj = await client.read(entity, qbo_id)
        name = str(obj.get("DisplayName") or ref.get("name") or qbo_id)
        ours = next((r for r in cache.documents(kind) if str(r["data"].get("name", "")).casefold() == name.casefold()),
                    None)
        if ours is not None and cache.status_of(kind, ours["ref"]) != "synced":
            ref_ = ours["ref"]  # the firm's own contact of that name: linked to QBO's, never a second one beside it
            result.linked.append(ref_)
        else:
            ref_ = _free_ref(cache, kind, None, f"QBO-{'C' if kind == 'customer' else 'V'}-{qbo_id}", taken)
            docs.append({"type": kind, "ref": ref_, "name": name,
                         "extra": {"opening_balance": True, "qbo_id": qbo_id}})
        outcomes.append({"type": kind, "ref": ref_, "status": "synced", "run": run_id,
                         "qbo": [{"entity": entity, "id": qbo_id, "sync_token": str(obj.get("SyncToken", "0"))}]})
        result.contacts.append(ref_)
        contact_ref[(kind, qbo_id)] = ref_
        return ref_

    with _ends(cache, run_id):
        await _opening_documents(cache, invoices, bills, items, contact, result, docs, outcomes, taken, run_id,
                                 effective_day)
    return result


async def _opening_documents(cache: Cache, invoices: list[dict[str, Any]], bills: list[dict[str, Any]],
                             items: dict[str, dict[str, Any]], contact: Any, result: OpeningBalances,
                             docs: list[dict[str, Any]], outcomes: list[dict[str, Any]], taken: set[tuple[str, str]],
                             run_id: str, effective_day: str) -> None:
    """The open invoices and bills as synced documents with QBO's own dates and Ids (opening balances: the
    reconciliation counts them apart, never as activity of the period)."""
    for inv in invoices:
        customer = await contact("customer", inv.get("CustomerRef") or {})
        ref = _free_ref(cache, "sale_invoice", inv.get("DocNumber"), f"QBO-INV-{inv['Id']}", taken)
        docs.append({"type": "sale_invoice", "ref": ref, "customer": customer,
                     "invoice_date": str(inv.get("TxnDate") or effective_day), "lines": _lines(inv, items, sale=True),
                     "extra": {"opening_balance": True, "qbo_txn_date": inv.get("TxnDate"),
                               "qbo_total": _num(inv.get("TotalAmt", 0)), "qbo_balance": _num(inv.get("Balance"))}})
        outcomes.append({"type": "sale_invoice", "ref": ref, "status": "synced", "run": run_id,
                         "qbo": [{"entity": "Invoice", "id": str(inv["Id"]), "sync_token": str(inv.get("SyncToken"))}]})
        result.invoices.append(ref)
    for bill in bills:
        supplier = await contact("supplier", bill.get("VendorRef") or {})
        ref = _free_ref(cache, "supplier_invoice", bill.get("DocNumber") and f"BILL-{bill['DocNumber']}",
                        f"QBO-BILL-{bill['Id']}", taken)
        doc = {"type": "supplier_invoice", "ref": ref, "supplier": supplier,
               "invoice_date": str(bill.get("TxnDate") or effective_day), "lines": _lines(bill, items, sale=False),
               "extra": {"opening_balance": True, "qbo_txn_date": bill.get("TxnDate"),
                         "qbo_total": _num(bill.get("TotalAmt", 0)), "qbo_balance": _num(bill.get("Balance"))}}
        if bill.get("DocNumber"):
            doc["supplier_invoice_number"] = str(bill["DocNumber"])
        docs.append(doc)
        outcomes.append({"type": "supplier_invoice", "ref": ref, "status": "synced", "run": run_id,
                         "qbo": [{"entity": "Bill", "id": str(bill["Id"]), "sync_token": str(bill.get("SyncToken"))}]})
        result.bills.append(ref)
    if docs:
        cache.upsert_documents(docs)
    cache.record_outcomes(outcomes)
    cache.set_setting(OPENING_BALANCES_KEY, {"at": now_iso(), "effective": effective_day,
                                             "invoices": len(result.invoices), "bills": len(result.bills)})
    cache.update_run(run_id, ended=now_iso(), counts={"synced": len(outcomes)})


# --- stock on hand ----------------------------------------------------------------------------

@dataclass
class StockOnHand:
    products: list[str] = field(default_factory=list)
    recreated: list[str] = field(default_factory=list)
    file: str = ""
    warning: str = BATCH_SERIAL_WARNING

    def summary(self) -> str:
        return (f"{len(self.products)} product(s) with stock on hand written to {self.file}; "
                f"{len(self.recreated)} QuickBooks item(s) made inactive and recreated as NonInventory")


def _product_from_item(item: dict[str, Any], location: str, ours: dict[str, Any] | None) -> dict[str, Any]:
    cost = item.get("AvgCost", item.get("PurchaseCost"))
    doc: dict[str, Any] = dict(ours or {"type": "product", "ref": str(item["Sku"]), "name": str(item["Name"]),
                                        "kind": "stock"})
    if "sale_price" not in doc and item.get("UnitPrice") is not None:
        doc["sale_price"] = _num(item["UnitPrice"])
    if "purchase_cost" not in doc and item.get("PurchaseCost") is not None:
        doc["purchase_cost"] = _num(item["PurchaseCost"])
    doc["quantity_on_hand"] = _num(item.get("QtyOnHand", 0))
    if cost is not None:
        doc["average_cost"] = _num(cost)
    doc["location"] = location
    if item.get("Description") and "description" not in doc:
        doc["description"] = str(item["Description"])
    return doc


async def import_stock_on_hand(cache: Cache, client: QBOClient, *, location: str, path: Path) -> StockOnHand:
    """Stock on hand from QBO's active Inventory items with a SKU (see the module docstring)."""
    check_writes_allowed(cache, "import stock on hand (it makes QuickBooks items inactive and recreates them)")
    if not location.strip():
        raise OpeningError("stock on hand goes to one location: name it")
    mapping = cache.get_setting("mapping") or {}
    state = cache.get_setting(STOCK_KEY) or {}
    pending: list[dict[str, Any]] = list(state.get("pending") or [])
    result = StockOnHand(file=str(path))
    if not pending:
        items = [i for i in await client.query_all("Item")
                 if i.get("Type") == "Inventory" and i.get("Active", True) and i.get("Sku")]
        docs = []
        for item in items:
            ours = cache.get("product", str(item["Sku"]))
            docs.append(_product_from_item(item, location.strip(), ours["data"] if ours else None))
        write_private(path, (json.dumps({"documents": docs}, indent=2) + "\n").encode("utf-8"))
        if docs:
            cache.upsert_documents(docs)
        pending = [{"sku": str(i["Sku"]), "id": str(i["Id"]), "name": d["name"],
                    "income": (i.get("IncomeAccountRef") or {}).get("value"),
                    "asset": (i.get("AssetAccountRef") or {}).get("value"),
                    "price": i.get("UnitPrice"), "cost": i.get("PurchaseCost")} for i, d in zip(items, docs)]
        cache.set_setting(STOCK_KEY, {"pending": pending, "file": str(path), "location": location.strip(),
                                      "done": state.get("done", [])})
        result.products = [d["ref"] for d in docs]
    else:
        result.products = [p["sku"] for p in pending]
        result.file = state.get("file", str(path))
    if not pending:
        return result
    run_id = _run(cache, "stock on hand: Inventory items recreated as NonInventory")
    created: list[dict[str, Any]] = []
    with _ends(cache, run_id, created):
        await _recreate_items(cache, client, pending, list(state.get("done") or []), mapping, created, result, run_id)
    return result


async def _recreate_items(cache: Cache, client: QBOClient, pending: list[dict[str, Any]], done: list[dict[str, Any]],
                          mapping: dict[str, Any], created: list[dict[str, Any]], result: StockOnHand,
                          run_id: str) -> None:
    for entry in list(pending):
        current = await client.read("Item", entry["id"])
        if current.get("Active", True):
            await client.update("Item", {"Id": current["Id"], "SyncToken": current["SyncToken"], "Active": False},
                                sparse=True)
        existing = await client.query(f"SELECT * FROM Item WHERE Name = {quote(entry['name'])}")
        new = next((e for e in existing if e.get("Active", True) and e.get("Type") == "NonInventory"), None)
        if new is None:
            body: dict[str, Any] = {"Name": entry["name"], "Sku": entry["sku"], "Type": "NonInventory",
                                    "IncomeAccountRef": {"value": mapping.get("sales_income") or entry["income"]},
                                    "ExpenseAccountRef": {"value": mapping.get("inventory_asset") or entry["asset"]}}
            if entry.get("price") is not None:
                body["UnitPrice"] = entry["price"]
            if entry.get("cost") is not None:
                body["PurchaseCost"] = entry["cost"]
            new = await client.create("Item", body)
        cache.record_outcomes([{"type": "product", "ref": entry["sku"], "status": "synced", "run": run_id,
                                "qbo": [{"entity": "Item", "id": str(new["Id"]),
                                         "sync_token": str(new.get("SyncToken", "0"))}]}])
        created.append({"type": "product", "ref": entry["sku"], "entity": "Item", "id": str(new["Id"])})
        pending.remove(entry)
        done.append({"sku": entry["sku"], "old_id": entry["id"], "new_id": str(new["Id"])})
        cache.set_setting(STOCK_KEY, {**(cache.get_setting(STOCK_KEY) or {}), "pending": pending, "done": done})
        result.recreated.append(entry["sku"])
    cache.update_run(run_id, ended=now_iso(), counts={"synced": len(created)}, created=created)


# --- the opening inventory journal ------------------------------------------------------------

@dataclass
class OpeningInventory:
    valuation: Decimal
    qbo_balance: Decimal
    day: str
    body: dict[str, Any] | None  # None: they already agree; for display (see ledger.payload.jsonable)
    payload: Payload | None = None  # what is sent (exact decimals through ledger.payload.wire)

    @property
    def difference(self) -> Decimal:
        return money(self.valuation) - money(self.qbo_balance)


def _ledger(cache: Cache) -> Ledger:
    from qbtui.sync.plan import cache_resolver, snapshot
    snap = snapshot(cache)
    return Ledger(settings=snap.settings, resolver=cache_resolver(snap, True), prefs=snap.prefs, docs=snap.docs)


def qbo_inventory_balance(cache: Cache, day: date | None = None) -> Decimal:
    """QBO's inventory asset balance on ``day`` as last pulled (the balance sheet report, qbtui.sync.balances);
    before a pull that read it, the mapped account's CurrentBalance (today's: a preview only, the journal is posted
    with the report's balance)."""
    account_id = (cache.get_setting("mapping") or {}).get("inventory_asset")
    stored = stored_balance(cache, str(account_id), day) if day is not None and account_id else None
    if stored is not None:
        return stored
    for a in cache.reference("accounts", []) or []:
        if str(a.get("Id")) == str(account_id):
            return money(Decimal(str(a.get("CurrentBalance", 0) or 0)))
    return Decimal("0.00")


def opening_inventory_preview(cache: Cache, *, qbo_balance: Decimal | None = None) -> OpeningInventory:
    """The journal that would be posted (OpeningError without a filter start date or a mapping)."""
    ledger = _ledger(cache)
    start = ledger.settings.filter_start_date
    if start is None:
        raise OpeningError("the opening inventory journal is dated the day before the filter start date: set "
                           "filter_start_date first")
    missing = [r for r in ("inventory_asset", "opening_balance_equity") if r not in ledger.settings.mapping]
    if missing:
        labels = " and ".join(ROLE_BY_NAME[r].label for r in missing)
        raise OpeningError(f"map the {labels} account{'s' if len(missing) > 1 else ''} first (the wizard's account "
                           "mapping step, or qbtui map)")
    products = [rec["data"] for rec in cache.documents("product")]
    valuation = inventory_valuation(products)
    balance = qbo_inventory_balance(cache, start - timedelta(days=1)) if qbo_balance is None else money(qbo_balance)
    payload = build_opening_inventory(valuation, balance, start, ledger)
    day = start - timedelta(days=1)
    close = ledger.prefs.book_close_date
    if payload is not None and close is not None and day <= close:  # as the date gate and the preflight say
        raise OpeningError(f"the opening inventory journal is dated {day.isoformat()}, the day before the filter start "
                           f"date, and QuickBooks' books are closed up to {close.isoformat()} (it would answer 6210): "
                           f"set filter_start_date to {(close + timedelta(days=2)).isoformat()} or later, or have the "
                           "accountant move the close date back")
    return OpeningInventory(valuation, balance, day.isoformat(),
                            jsonable(payload.body) if payload else None, payload)


async def post_opening_inventory(cache: Cache, client: QBOClient, *, qbo_balance: Decimal | None = None) -> dict[str, Any]:
    """Create the OPENING-INV journal in QBO, once (a found one is linked, never doubled)."""
    done = cache.get_setting(OPENING_INVENTORY_KEY)
    if done:
        raise OpeningError(f"the opening inventory journal was already posted (QuickBooks JournalEntry "
                           f"{done.get('id')}, {done.get('date')})")
    check_writes_allowed(cache, "post the opening inventory journal")
    preview = opening_inventory_preview(cache, qbo_balance=qbo_balance)
    account_id = (cache.get_setting("mapping") or {}).get("inventory_asset")
    if qbo_balance is None and account_id:  # the balance on the journal's day, read now (not today's balance)
        qbo_balance = await account_balance_on(client, str(account_id), date.fromisoformat(preview.day))
        preview = opening_inventory_preview(cache, qbo_balance=qbo_balance)
    if preview.payload is None:
        cache.set_setting(OPENING_INVENTORY_KEY, {"id": None, "date": preview.day, "amount": "0.00",
                                                  "at": now_iso()})
        return {"id": None, "date": preview.day, "amount": "0.00"}
    found = await client.query(f"SELECT * FROM JournalEntry WHERE DocNumber = {quote(OPENING_REF)}")
    run_id = _run(cache, "opening inventory journal")
    created = []
    if found:
        je = found[0]
    else:
        with _ends(cache, run_id):
            je = await client.create("JournalEntry", wire(preview.payload.body),
                                     request_id=request_id("opening-inventory", run_id))
        created.append({"type": "opening_inventory", "ref": OPENING_REF, "entity": "JournalEntry", "id": str(je["Id"])})
    info = {"id": str(je["Id"]), "date": preview.day, "amount": str(preview.difference), "at": now_iso()}
    cache.set_setting(OPENING_INVENTORY_KEY, info)
    cache.update_run(run_id, ended=now_iso(), counts={"synced": 1}, created=created)
    return info
