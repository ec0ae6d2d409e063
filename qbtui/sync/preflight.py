"""Preflight of the connect wizard (step 4 of docs/domain.md#connect-wizard) and of ``qbtui preflight``: what must be
true of the QBO company and of our documents before anything is sent, each with a plain explanation and, where QBO
allows it, a fix that :func:`apply_fix` carries out.

Only three findings keep the first sync from running (``blocks_sync``, :data:`BLOCKS_SYNC`): QBO's inventory
tracking on, QBO's home currency other than ``base_currency``, and the book close date on or after the filter start
date (:func:`first_sync_blocker`). The rest is information, or a per-document gate (docs/domain.md#gates).

:func:`preflight` is pure (documents, reference data, settings in; checks out). :func:`apply_fix`
writes to QBO, so it refuses in "From QuickBooks only" mode (:func:`qbtui.sync.readonly.check_writes_allowed`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from qbtui.cache import Cache
from qbtui.ledger.context import Prefs
from qbtui.ledger.gates import describe_item, item_conflict
from qbtui.qbo import QBOClient
from qbtui.settings import Settings
from qbtui.sync.opening import OPENING_INVENTORY_KEY
from qbtui.sync.readonly import check_writes_allowed
from qbtui.sync.runs import now_iso, who
from qbtui.sync.wizard import Check

PRODUCT_NAME_MAX = 100
BACKUP_SETTING = "backup_confirmed"

CODES = ("currency", "inventory_tracking", "book_close", "inventory_items", "item_conflicts", "auto_apply",
         "duplicate_numbers", "contact_kinds", "product_name_chars", "product_name_collisions", "negative_quantities",
         "backup", "sales_tax")
FIXABLE = frozenset({"inventory_tracking", "inventory_items"})
#: the checks whose failure keeps the first sync from running (the rest is information or a per-document gate)
BLOCKS_SYNC = frozenset({"currency", "inventory_tracking", "book_close"})


def _dec(v: Any) -> Decimal | None:
    try:
        return Decimal(str(v))
    except (InvalidOperation, ValueError):
        return None


def _key(name: str, limit: int | None = None) -> str:
    return (name[:limit] if limit else name).strip().casefold()


def matching_inventory_items(products: Iterable[Mapping[str, Any]],
                             items: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Active QBO items of type Inventory whose Sku is one of our product refs or whose Name is one of
    our product names (case-insensitive, as QBO compares names)."""
    refs = {str(p["ref"]) for p in products if p.get("ref")}
    names = {_key(str(p["name"])) for p in products if p.get("name")}
    return [i for i in items if i.get("Type") == "Inventory" and i.get("Active", True)
            and ((i.get("Sku") and str(i["Sku"]) in refs) or _key(str(i.get("Name", ""))) in names)]


def item_conflicts(products: Iterable[Mapping[str, Any]], items: Iterable[Mapping[str, Any]],
                   mapping: Mapping[str, str]) -> list[str]:
    """One line per product whose QBO item of the same name would double-count (ledger.gates.item_conflict)."""
    by_name: dict[str, Mapping[str, Any]] = {}
    for i in items:
        if i.get("Name") and i.get("Active", True):
            by_name.setdefault(_key(str(i["Name"])), i)
    out = []
    for p in products:
        item = by_name.get(_key(str(p.get("name") or "")))
        if item is not None and item_conflict(p, item, mapping) is not None:
            out.append(f"{p['ref']} ({p.get('kind', 'stock')}): {describe_item(item)}")
    return out


def preflight(documents: Iterable[Mapping[str, Any]], reference: Mapping[str, Any], settings: Settings, *,
              backup_confirmed: bool = False, opening_inventory_posted: bool = False) -> list[Check]:
    """Every preflight check, in the order of step 4 of docs/domain.md#connect-wizard (problems and passes alike).

    ``documents``: document dicts (``type``, ``ref``, ...); ``reference``: QBO lists by kind as the cache
    holds them (``preferences``, ``items``, ``customers``, ``vendors``); a missing list means "not pulled".
    ``opening_inventory_posted``: the opening inventory journal is in QBO already (its date no longer matters)."""
    docs = list(documents)
    products = [d for d in docs if d.get("type") == "product"]
    prefs_raw = reference.get("preferences")
    prefs = Prefs.from_qbo(prefs_raw)
    checks: list[Check] = []
    not_pulled = "QuickBooks' company settings are not loaded yet: connect, then reload (r)."

    # 1. home currency
    if not prefs.known:
        checks.append(Check("currency", False, "Home currency: not known yet", not_pulled))
    elif prefs.home_currency and prefs.home_currency != settings.base_currency:
        checks.append(Check(
            "currency", False, f"Home currency {prefs.home_currency} differs from the base currency "
                               f"{settings.base_currency}", blocks_sync=True, explanation=(
            f"QuickBooks keeps its books in {prefs.home_currency}, the inventory side values stock in "
            f"{settings.base_currency}. Nothing is sent until they agree. QuickBooks cannot change its home "
            "currency: if the inventory side really uses " + str(prefs.home_currency) + ", set "
            f"base_currency to it (Settings, or `qbtui settings set base_currency {prefs.home_currency}`); "
            "otherwise connect a company kept in " + settings.base_currency + "."),
            setting="base_currency", suggested=prefs.home_currency))
    else:
        checks.append(Check("currency", True, f"Home currency {prefs.home_currency or settings.base_currency} "
                                              "matches the base currency",
                            "QuickBooks and the inventory side use the same currency."))

    # 2. inventory (quantity on hand) tracking
    if not prefs.known:
        checks.append(Check("inventory_tracking", False, "Inventory tracking: not known yet", not_pulled))
    elif prefs.quantity_on_hand:
        checks.append(Check(
            "inventory_tracking", False, "QuickBooks tracks inventory quantity on hand",
            "The inventory system owns quantities and their valuation. If QuickBooks tracks them too, every "
            "sale is costed twice (duplicate cost of goods sold). Nothing is sent while tracking is on.",
            fix="Turn off 'Track inventory quantity on hand' in QuickBooks (a Preferences update)", blocks_sync=True))
    else:
        checks.append(Check("inventory_tracking", True, "Inventory tracking is off in QuickBooks",
                            "QuickBooks leaves quantities to the inventory system."))

    # 3. book close date before the filter start date
    start = settings.filter_start_date
    close = prefs.book_close_date
    if not prefs.known:
        checks.append(Check("book_close", False, "Book close date: not known yet", not_pulled))
    elif close is None:
        checks.append(Check("book_close", True, "QuickBooks has no book close date",
                            "No period is closed, so every date can be posted."))
    elif start is None:
        checks.append(Check(
            "book_close", False, f"Books are closed up to {close.isoformat()} and no filter start date is set",
            "Without a filter start date every transaction is sent, and QuickBooks refuses those dated on or "
            f"before {close.isoformat()} (error 6210, Account Period Closed). Set a filter start date after it "
            "(first step of this wizard, or Settings).", setting="filter_start_date",
            suggested=(close + timedelta(days=2)).isoformat()))
    elif close >= start:
        checks.append(Check(
            "book_close", False, f"Book close date {close.isoformat()} is not before the filter start date "
                                 f"{start.isoformat()}",
            f"QuickBooks refuses anything dated on or before {close.isoformat()} (error 6210), yet transactions "
            f"from {start.isoformat()} would be sent, and the opening inventory journal is dated the day before "
            f"it. Move the filter start date after {close.isoformat()}, or have the accountant move the close "
            "date in QuickBooks (Settings > Account and settings > Advanced).", blocks_sync=True,
            setting="filter_start_date", suggested=(close + timedelta(days=2)).isoformat()))
    elif close >= start - timedelta(days=1) and not opening_inventory_posted:
        day = (start - timedelta(days=1)).isoformat()
        checks.append(Check(
            "book_close", False, f"Book close date {close.isoformat()} is the opening inventory journal's date",
            f"The opening inventory journal is dated the day before the filter start date, {day}, and QuickBooks "
            f"refuses anything dated on or before the close date {close.isoformat()} (error 6210). Transactions "
            f"from {start.isoformat()} can be sent; for the journal, move the filter start date to "
            f"{(close + timedelta(days=2)).isoformat()} or later, or have the accountant move the close date back "
            "in QuickBooks (Settings > Account and settings > Advanced).", setting="filter_start_date",
            suggested=(close + timedelta(days=2)).isoformat()))
    else:
        checks.append(Check("book_close", True, f"Book close date {close.isoformat()} is before the filter start "
                                                f"date {start.isoformat()}",
                            "Every transaction sent falls in an open period."))

    # 4. QBO Inventory items matching ours
    items = reference.get("items")
    if items is None:
        checks.append(Check("inventory_items", False, "QuickBooks items: not known yet", not_pulled))
    else:
        hits = matching_inventory_items(products, items)
        if hits:
            checks.append(Check(
                "inventory_items", False, f"{len(hits)} QuickBooks Inventory item(s) match our products",
                "QuickBooks items of type Inventory that have one of our SKUs or product names must be made "
                "inactive, or QuickBooks keeps tracking their quantity and cost. Warning: when an Inventory item "
                "is made inactive, QuickBooks credits the inventory asset account (and debits an expense) by "
                "the value it held, which takes that value off the books. Put it back with the opening inventory "
                "journal (a later step) dated the day before the filter start date. Step 8 (stock on hand) "
                "can bring their quantities into the inventory system first.",
                fix="Make these items inactive in QuickBooks",
                details=tuple(f"{i.get('Name')} (SKU {i.get('Sku') or '-'}, Id {i.get('Id')}, qty "
                              f"{i.get('QtyOnHand', '?')})" for i in hits)))
        else:
            checks.append(Check("inventory_items", True, "No QuickBooks Inventory item matches our products",
                                "QuickBooks will not track quantities of what we send."))

    # 4b. QBO items of our products' names that would double-count (the gate product.qbo_item_conflict)
    if items is None:
        checks.append(Check("item_conflicts", False, "QuickBooks items: not known yet", not_pulled))
    else:
        conflicts = item_conflicts(products, items, settings.mapping)
        checks.append(Check(
            "item_conflicts", not conflicts,
            f"{len(conflicts)} product(s) share their name with a QuickBooks item that would double-count"
            if conflicts else "No QuickBooks item of our products' names would double-count",
            "Each of these products would be linked to the QuickBooks item of its name, which is of type Inventory "
            "(QuickBooks costs its sales itself) or posts to other accounts than the product's kind does. They stay "
            "blocked (on the Errors tab), and the documents that use them wait; everything else is sent. "
            "`qbtui products replace` replaces those items (an Inventory one is made inactive and recreated as "
            "NonInventory), or give the products other names." if conflicts
            else "Products are linked only to QuickBooks items with their own accounts.", details=tuple(conflicts)))

    # 4c. what QBO's preferences do with what qbtui sends (information: ok, never blocking)
    if prefs.known:
        checks += preference_checks(prefs, docs)

    # 5. contacts of the other kind with our names (6240)
    customers, vendors = reference.get("customers"), reference.get("vendors")
    if customers is None or vendors is None:
        checks.append(Check("contact_kinds", False, "QuickBooks contacts: not known yet", not_pulled))
    else:
        qbo_vendor = {_key(str(v.get("DisplayName", ""))) for v in vendors if v.get("Active", True)}
        qbo_customer = {_key(str(c.get("DisplayName", ""))) for c in customers if c.get("Active", True)}
        clashes = [f"our customer {d['name']!r} is a vendor in QuickBooks" for d in docs
                   if d.get("type") == "customer" and d.get("name") and _key(str(d["name"])) in qbo_vendor]
        clashes += [f"our supplier {d['name']!r} is a customer in QuickBooks" for d in docs
                    if d.get("type") == "supplier" and d.get("name") and _key(str(d["name"])) in qbo_customer]
        if clashes:
            checks.append(Check(
                "contact_kinds", False, f"{len(clashes)} contact name(s) taken by the other kind in QuickBooks",
                "Customers, vendors and employees share one name space in QuickBooks: creating one of ours would "
                "fail with error 6240 (Duplicate Name Exists). Rename ours on the inventory side, or rename the "
                "QuickBooks one.", details=tuple(clashes)))
        else:
            checks.append(Check("contact_kinds", True, "No contact name is taken by the other kind",
                                "Customers and suppliers can be created or linked by name."))

    # 6. product names with ':' or '\'
    bad = [p for p in products if p.get("name") and (":" in str(p["name"]) or "\\" in str(p["name"]))]
    checks.append(Check(
        "product_name_chars", not bad,
        f"{len(bad)} product name(s) contain ':' or '\\'" if bad else "No product name contains ':' or '\\'",
        "QuickBooks uses ':' to separate sub-items and refuses '\\' in item names. Rename these products on the "
        "inventory side and import again." if bad else "Every product name is valid in QuickBooks.",
        details=tuple(f"{p['ref']}: {p['name']}" for p in bad)))

    # 7. names colliding in their first 100 characters
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for p in products:
        if p.get("name"):
            groups.setdefault(_key(str(p["name"]), PRODUCT_NAME_MAX), []).append(p)
    dup = [g for g in groups.values() if len(g) > 1]
    checks.append(Check(
        "product_name_collisions", not dup,
        f"{len(dup)} group(s) of product names collide in their first {PRODUCT_NAME_MAX} characters" if dup
        else f"Product names are unique over their first {PRODUCT_NAME_MAX} characters",
        f"QuickBooks keeps {PRODUCT_NAME_MAX} characters of an item name and needs them unique: these products "
        "would become one item. Make the names differ early on the inventory side." if dup
        else "Each product becomes its own QuickBooks item.",
        details=tuple(", ".join(str(p["ref"]) for p in g) for g in dup)))

    # 8. negative quantities on hand
    neg = [p for p in products if (q := _dec(p.get("quantity_on_hand"))) is not None and q < 0]
    checks.append(Check(
        "negative_quantities", not neg,
        f"{len(neg)} product(s) have a negative quantity on hand" if neg else "No negative quantity on hand",
        "A negative quantity means stock was sold before it was received: its cost (and the inventory "
        "valuation behind the opening journal) is wrong. Receive or adjust the stock on the inventory side first."
        if neg else "Quantities and valuation can be trusted.",
        details=tuple(f"{p['ref']}: {p.get('quantity_on_hand')}" for p in neg)))

    # 9. backup reminder
    checks.append(Check(
        "backup", backup_confirmed,
        "QuickBooks backup confirmed" if backup_confirmed else "Back up the QuickBooks company first",
        "Make a complete backup of the QuickBooks company before the first sync (QuickBooks Online Advanced: "
        "Settings > Backup company; otherwise an export of lists and reports, or a backup app). qbtui can undo its "
        "own runs, but a backup covers everything else. Press b once the backup is made."))
    return checks


def preference_checks(prefs: Prefs, docs: list[Mapping[str, Any]]) -> list[Check]:
    """Information on the preferences that change what QBO posts (docs/qbo.md#applying-credit-notes and
    #duplicate-numbers): what its auto-apply does to credits and payments, and when it does not refuse a duplicate
    number. Each is ``ok``: qbtui acts on them; nothing waits."""
    notes = [d for d in docs if d.get("type") == "credit_note"]
    loose = [str(d["ref"]) for d in notes if not d.get("invoice")]
    if prefs.auto_apply_credit:
        title = "QuickBooks applies new credits to oldest open invoices"
        explanation = (
            "QuickBooks' 'Automatically apply credits' is on: it applies each new credit memo to the customer's "
            "oldest open invoices. qbtui applies each credit note that names its invoice to that invoice (a payment "
            "of 0 linking the two) and takes off what QuickBooks applied on its own, so that the customer's other "
            "invoices keep their "
            "balance for their payments. A credit note without an invoice stays unapplied (apply it in QuickBooks "
            "when the customer asks). To have QuickBooks leave credits alone, turn off Settings > Account and "
            "settings > Advanced > Automation > Automatically apply credits.")
    else:
        title = "QuickBooks leaves new credits unapplied"
        explanation = ("qbtui applies each credit note that names its invoice to that invoice (a payment of 0 "
                       "linking the two); a credit note without an invoice stays unapplied.")
    explanation += (" Payments always name the invoice they pay, so QuickBooks' automatic application of payments "
                    "(Automatically apply payments: " + ("on" if prefs.auto_apply_payments else "off") +
                    ") moves none of them.")
    details = (f"{len(loose)} credit note(s) without an invoice stay unapplied: " + ", ".join(loose[:10])
               + (" ..." if len(loose) > 10 else ""),) if loose else ()
    checks = [Check("auto_apply", True, title, explanation, details=details)]
    unrefused = []
    if not prefs.custom_txn_numbers:
        unrefused.append("sales forms (invoices, credit memos, refund receipts, estimates): custom transaction "
                         "numbers are off, so QuickBooks numbers a form sent without one itself and stores a sent "
                         "number even when another form has it")
    if not prefs.warn_duplicate_journal:
        unrefused.append("journal entries (COGS, adjustments, deposits, gift vouchers, store credits): 'warn if "
                         "duplicate journal number is used' is off")
    if unrefused:
        checks.append(Check(
            "duplicate_numbers", True,
            "Duplicate numbers not refused: " + ", ".join(u.split(" (")[0] for u in unrefused),
            "qbtui gives every document its own reference as its number and checks in its own records that no two "
            "documents of a run share one. QuickBooks will not answer a number used twice with an error (6140) for "
            "these, so qbtui never relies on that answer: after a lost answer it finds its own object by its "
            "reference in the memo, date, customer or supplier and total, and sends nothing twice.",
            details=tuple(unrefused)))
    else:
        checks.append(Check("duplicate_numbers", True, "QuickBooks refuses duplicate numbers (error 6140)",
                            "Custom transaction numbers and the duplicate journal number warning are on."))

    # information: QBO's Automated Sales Tax (US) decides the tax itself
    if prefs.known and prefs.automated_sales_tax:
        checks.append(Check(
            "sales_tax", True, "QuickBooks computes sales tax automatically (Automated Sales Tax)",
            "This company uses QuickBooks' Automated Sales Tax: qbtui sends each line's taxable flag (TAX or NON, "
            "from its tax code) and no rate; QuickBooks picks the rate from the addresses. Its totals can differ "
            "from the inventory side's, and each difference shows on the Discrepancies tab (tax_difference).",
            details=("qbtui sends only the taxable flag",)))
    return checks


def preflight_cache(cache: Cache) -> list[Check]:
    """:func:`preflight` over what the cache holds."""
    documents = [rec["data"] for rec in cache.documents()]
    reference = {k: cache.reference(k, None) for k in ("preferences", "items", "customers", "vendors")}
    settings = Settings.from_stored(cache.settings())
    return preflight(documents, reference, settings, backup_confirmed=bool(cache.get_setting(BACKUP_SETTING)),
                     opening_inventory_posted=bool(cache.get_setting(OPENING_INVENTORY_KEY)))


def check_json(check: Check) -> dict[str, Any]:
    """A check as ``qbtui preflight --json`` prints it: ``{"code", "ok", "message", "hint", "blocks_sync"}``
    (docs/cli.md); the message carries the details, the hint the explanation and the fix qbtui offers."""
    message = check.title + (": " + "; ".join(check.details) if check.details else "")
    hint = check.explanation + (f" qbtui can do it: {check.fix} (the connect wizard's preflight step)."
                                if check.fix and not check.ok else "")
    return {"code": check.code, "ok": check.ok, "message": message, "hint": hint, "blocks_sync": check.blocks_sync}


def has_synced(cache: Cache) -> bool:
    """Whether the run log holds a sync run (a first sync is one without)."""
    return any(r.get("kind") in ("sync", "scheduled") for r in cache.runs())


def first_sync_blocker(cache: Cache) -> Check | None:
    """The preflight finding that keeps the first sync (no sync run in the log yet) from running, or None.
    After the first run the same conditions block each document through the gates (docs/domain.md#gates)."""
    if has_synced(cache):
        return None
    return next((c for c in preflight_cache(cache) if c.blocks_sync), None)


async def refresh(cache: Cache, client: QBOClient, *kinds: str) -> None:
    """Reload some reference lists from QBO (``preferences``, ``items``, ``accounts``...)."""
    from qbtui.sync.pull import REFERENCE
    for kind in kinds:
        if kind == "preferences":
            cache.put_reference("preferences", await client.preferences())
        elif kind == "company_info":
            cache.put_reference("company_info", await client.company_info())
        else:
            cache.put_reference(kind, await client.query_all(REFERENCE[kind]))


async def deactivate_items(client: QBOClient, items: Iterable[Mapping[str, Any]]) -> list[str]:
    """Make QBO items inactive (sparse update, the current SyncToken read first); returns their Ids."""
    done = []
    for item in items:
        current = await client.read("Item", str(item["Id"]))
        if current.get("Active", True):
            await client.update("Item", {"Id": current["Id"], "SyncToken": current["SyncToken"], "Active": False},
                                sparse=True)
        done.append(str(item["Id"]))
    return done


async def apply_fix(code: str, client: QBOClient, cache: Cache) -> str:
    """Carry out the fix of a check; returns what was done. ValueError for a check without a fix;
    WritesRefused in "From QuickBooks only" mode (nothing is sent)."""
    if code not in FIXABLE:
        raise ValueError(f"no fix from qbtui for {code!r}: see its explanation")
    check_writes_allowed(cache, "fix this in QuickBooks")
    # the audit log (qbtui audit): a fix changes QuickBooks' settings or items, recorded with who and before/after
    run_id = cache.add_run({"kind": "maintenance", "action": "preflight_fix", "code": code, "who": who(),
                            "started": now_iso(), "ended": None, "counts": {}, "created": [], "changed": []})
    try:
        if code == "inventory_tracking":
            before = (await client.preferences()).get("ProductAndServicesPrefs", {}).get("QuantityOnHand")
            after_prefs = await client.update_preferences({"ProductAndServicesPrefs": {"QuantityOnHand": False}})
            await refresh(cache, client, "preferences")
            after = (after_prefs.get("ProductAndServicesPrefs") or {}).get("QuantityOnHand")
            cache.update_run(run_id, ended=now_iso(), counts={"changed": 1}, changed=[{
                "entity": "Preferences", "id": str(after_prefs.get("Id", "1")),
                "field": "ProductAndServicesPrefs.QuantityOnHand", "before": before, "after": after}])
            return "Inventory quantity-on-hand tracking is now off in QuickBooks."
        products = [rec["data"] for rec in cache.documents("product")]
        await refresh(cache, client, "items")
        hits = matching_inventory_items(products, cache.reference("items", []) or [])
        ids = await deactivate_items(client, hits)
        await refresh(cache, client, "items")
        names = {str(i["Id"]): i.get("Name") for i in hits}
        cache.update_run(run_id, ended=now_iso(), counts={"changed": len(ids)}, changed=[
            {"entity": "Item", "id": i, "name": names.get(i), "field": "Active", "before": True, "after": False}
            for i in ids])
    except BaseException as exc:
        cache.update_run(run_id, ended=now_iso(), error=str(exc) or type(exc).__name__)
        raise
    return (f"{len(ids)} QuickBooks Inventory item(s) made inactive; QuickBooks has credited the inventory asset "
            "for their value: post the opening inventory journal to put it back.")


def blocking(checks: Iterable[Check]) -> list[Check]:
    return [c for c in checks if not c.ok]


