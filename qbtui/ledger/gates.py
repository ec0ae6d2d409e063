"""Gates (docs/domain.md#gates) as data: what keeps a well-formed document from being sent, with a
reason an accountant can act on. Pure: the context is built once per plan, not per document."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, localcontext
from typing import Any

import orjson

from qbtui.documents.text import hostile_chars, nfc
from qbtui.ledger import dimensions
from qbtui.ledger.build import roles_used, txn_dates
from qbtui.ledger.common import Doc, purchase_amounts, sale_amounts
from qbtui.ledger.context import Ledger, Prefs
from qbtui.ledger.credit_notes import credit_note_parts
from qbtui.ledger.journals import adjustment_total
from qbtui.ledger.kinds import NOUN, SALE_LINES
from qbtui.ledger.money import dec, money
from qbtui.ledger.resolver import control_accounts
from qbtui.ledger.roles import ROLE_BY_NAME
from qbtui.ledger.tax import PURCHASE_TYPES, SALES_TYPES, TaxBook, book_for
from qbtui.settings import SUMMARY_TYPES, Settings

PRODUCT_NAME_MAX = 100
CONTACT_NAME_MAX = 500
LABEL = NOUN
REIMPORT = "fix it in the inventory system and import it again"


FAMILIES: tuple[str, ...] = ("dates", "names", "amounts", "mappings", "dependencies", "other")
"""What fixes a reason: a date, a name or reference, an amount, a mapping or setting, the documents it waits
for, or something else (the dashboard's Errors tab groups by these)."""
DATES, NAMES, AMOUNTS, MAPPINGS, DEPENDENCIES, OTHER = FAMILIES


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    hint: str
    #: the document field it concerns ("" when none: a setting, the company), e.g. ``invoice_date``, ``lines``
    field: str = ""
    #: one of FAMILIES
    family: str = OTHER

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "hint": self.hint, "field": self.field,
                "family": self.family}


def _reason(family: str, field_: str, code: str, message: str, hint: str) -> Reason:
    return Reason(code, message, hint, field_, family)


def _name_key(name: str, limit: int | None = None) -> str:
    """How QBO compares names: case-insensitively; names are compared in Unicode NFC."""
    return nfc(name[:limit] if limit else name).strip().casefold()


def name_key(type_: str, name: Any) -> tuple[str, str] | None:
    """The name space (``product``, or ``contact``: customers and suppliers share one) and the key by which QBO
    compares a contact's or product's ``name`` with the others of that space (:func:`_name_key`; a product's over
    its first 100 characters), or None (no name, or not a contact or product)."""
    if not name:
        return None
    if type_ == "product":
        return "product", _name_key(name, PRODUCT_NAME_MAX)
    if type_ in ("customer", "supplier"):
        return "contact", _name_key(name)
    return None


def counted_name(type_: str, doc: Mapping[str, Any]) -> tuple[str, str] | None:
    """:func:`name_key` of a document whose name counts against the others of its space, or None. A contact
    brought in with the opening balances stands for QBO's own of that name: the firm's contact of the same name
    is not a duplicate, it is linked to that one when sent."""
    if type_ != "product" and (doc.get("extra") or {}).get("opening_balance"):
        return None
    return name_key(type_, doc.get("name"))


def name_counts(docs: Iterable[tuple[tuple[str, str], Doc]]) -> tuple[Counter[str], Counter[str]]:
    """(products, contacts): how many of ``docs`` ((type, ref), document) count each name key."""
    products: Counter[str] = Counter()
    contacts: Counter[str] = Counter()
    for (t, _), d in docs:
        hit = counted_name(t, d)
        if hit is not None:
            (products if hit[0] == "product" else contacts)[hit[1]] += 1
    return products, contacts


@dataclass(frozen=True)
class GateContext:
    """What the gates compare a document with. ``docs``: every document in the cache by (type, ref);
    the name counters are over all of them (QBO names are unique case-insensitively; products
    over their first 100 characters; customers and suppliers share one name space)."""

    settings: Settings = field(default_factory=Settings)
    prefs: Prefs = field(default_factory=Prefs)
    docs: Mapping[tuple[str, str], Doc] = field(default_factory=dict)
    product_names: Mapping[str, int] = field(default_factory=dict)
    contact_names: Mapping[str, int] = field(default_factory=dict)
    qbo_contact_kinds: Mapping[str, str] = field(default_factory=dict)  # name key -> "Customer" | "Vendor"
    tax_codes: frozenset[str] | None = None  # our tax code names that resolve to a QBO tax code; None: not known yet
    terms: frozenset[str] | None = None  # the same for payment terms
    #: product ref -> (the QBO item it is linked to, True) or (the active one of its name it would be linked to, False)
    product_items: Mapping[str, tuple[Mapping[str, Any], bool]] = field(default_factory=dict)
    classes: frozenset[str] | None = None  # QBO's active class names as pulled; None: not pulled yet (no gate)
    departments: frozenset[str] | None = None  # the same for locations (QBO departments)
    #: QBO's tax codes and rates with our mapping and defaults (ledger.tax); empty before a pull
    tax_book: TaxBook = field(default_factory=TaxBook)
    #: the currencies QBO has an active A/P account in, as pulled; None: QBO's accounts not pulled (no gate)
    payables: frozenset[str] | None = None

    @classmethod
    def build(cls, docs: Mapping[tuple[str, str], Doc], settings: Settings | None = None,
              prefs: Prefs | None = None, qbo_customers: Iterable[Mapping[str, Any]] = (),
              qbo_vendors: Iterable[Mapping[str, Any]] = (), qbo_tax_codes: Iterable[Mapping[str, Any]] | None = None,
              qbo_terms: Iterable[Mapping[str, Any]] | None = None, qbo_items: Iterable[Mapping[str, Any]] = (),
              item_links: Mapping[str, str] | None = None, qbo_classes: Iterable[Mapping[str, Any]] | None = None,
              qbo_departments: Iterable[Mapping[str, Any]] | None = None,
              qbo_tax_rates: Iterable[Mapping[str, Any]] | None = None,
              counts: tuple[Mapping[str, int], Mapping[str, int]] | None = None,
              qbo_accounts: Iterable[Mapping[str, Any]] | None = None) -> GateContext:
        """``qbo_tax_codes`` / ``qbo_terms``: QBO's lists once pulled (None before: no tax/terms gate); the same
        for ``qbo_accounts`` (the A/P accounts per currency an applied supplier deposit needs).
        ``qbo_items``: QBO's items as pulled; ``item_links``: product ref -> the QBO Item Id it is linked to.
        ``counts``: the products' and the contacts' name counts (:func:`name_counts` of every contact and product)
        when ``docs`` does not hold them all."""
        products, contacts = name_counts(docs.items()) if counts is None else counts
        kinds = {_name_key(c["DisplayName"]): "Customer" for c in qbo_customers if c.get("DisplayName")}
        kinds.update({_name_key(v["DisplayName"]): "Vendor" for v in qbo_vendors if v.get("DisplayName")})
        settings = settings or Settings()

        def names(items: Iterable[Mapping[str, Any]] | None, mapped: Mapping[str, str]) -> frozenset[str] | None:
            if items is None:
                return None
            return frozenset(str(i["Name"]) for i in items if i.get("Name") and i.get("Active", True)) | set(mapped)

        return cls(settings, prefs or Prefs(), docs, products, contacts, kinds,
                   names(qbo_tax_codes, settings.tax_mapping), names(qbo_terms, settings.terms_mapping),
                   _product_items(docs, qbo_items, item_links or {}),
                   names(qbo_classes, {}), names(qbo_departments, {}),
                   book_for(qbo_tax_codes, qbo_tax_rates, settings),
                   None if qbo_accounts is None else
                   frozenset(cur for kind, cur in control_accounts(qbo_accounts) if kind == "Accounts Payable"))

    @classmethod
    def from_ledger(cls, ledger: Ledger, **kw: Any) -> GateContext:
        return cls.build(ledger.docs, ledger.settings, ledger.prefs, **kw)


def _product_items(docs: Mapping[tuple[str, str], Doc], qbo_items: Iterable[Mapping[str, Any]],
                   item_links: Mapping[str, str]) -> dict[str, tuple[Mapping[str, Any], bool]]:
    """For each product, the QBO item a sync would use: the one it is linked to, else the active item of its
    name (QBO compares names case-insensitively; the sync links a product to it instead of creating one)."""
    by_id: dict[str, Mapping[str, Any]] = {}
    by_name: dict[str, Mapping[str, Any]] = {}
    for item in qbo_items:
        by_id[str(item.get("Id"))] = item
        if item.get("Name") and item.get("Active", True):
            by_name.setdefault(_name_key(str(item["Name"])), item)
    if not by_id:
        return {}
    out: dict[str, tuple[Mapping[str, Any], bool]] = {}
    for (t, ref), d in docs.items():
        if t != "product":
            continue
        linked = item_links.get(ref)
        if linked is not None:
            if linked in by_id:
                out[ref] = (by_id[linked], True)
        elif d.get("name") and (hit := by_name.get(_name_key(str(d["name"])))) is not None:
            out[ref] = (hit, False)
    return out


# --- QBO items that would double-count --------------------------------------------------------

ITEM_CONFLICT = "product.qbo_item_conflict"


def product_item_roles(doc: Mapping[str, Any]) -> dict[str, str]:
    """The roles of a product's QBO item accounts by its kind (docs/domain.md#what-each-document-becomes):
    ``{"IncomeAccountRef": "sales_income", "ExpenseAccountRef": role}``, the expense only when one is sent."""
    kind = doc.get("kind", "stock")
    roles = {"IncomeAccountRef": "sales_income"}
    if kind == "stock":
        roles["ExpenseAccountRef"] = "inventory_asset"
    elif kind == "non_stock" or doc.get("purchase_cost") is not None:
        roles["ExpenseAccountRef"] = "cogs"
    return roles


def describe_item(item: Mapping[str, Any]) -> str:
    """``'Stoneware mug' (Id 19, type Inventory, income Sales of Product Income, expense Cost of Goods Sold,
    asset Inventory Asset)``: a QBO item as a message names it."""
    parts = [f"Id {item.get('Id')}", f"type {item.get('Type') or '?'}"]
    for key, label in (("IncomeAccountRef", "income"), ("ExpenseAccountRef", "expense"), ("AssetAccountRef", "asset")):
        ref = item.get(key)
        if isinstance(ref, Mapping) and ref.get("value") is not None:
            parts.append(f"{label} {ref.get('name') or 'account'} [{ref['value']}]")
    return f"{str(item.get('Name'))!r} ({', '.join(parts)})"


def item_conflict(doc: Mapping[str, Any], item: Mapping[str, Any], mapping: Mapping[str, str], *,
                  linked: bool = False) -> Reason | None:
    """Why linking product ``doc`` to QBO ``item`` would post wrong books, or None. An Inventory item: QBO posts
    its own cost of goods sold on every sale of it (and qbtui's COGS journal a second one). Another item whose
    income or expense account is not the one the product's kind posts to (docs/domain.md#what-each-document-becomes):
    a stock product's bills would be expensed instead of adding to the inventory asset, or the COGS journal would
    count them again. An account of the item that is absent, or a role not mapped yet, is not compared. A product
    already linked is updated with our accounts on its next sync, so only an Inventory item counts then."""
    name = doc.get("name", "")
    what = describe_item(item)
    replace = "qbtui products replace"
    if item.get("Type") == "Inventory":
        return _reason(NAMES, "name", ITEM_CONFLICT,
                       f"Product {name!r} would be linked to the QBO item {what}: an Inventory item, whose every sale "
                       "QBO costs itself (its own cost of goods sold, on top of qbtui's COGS journal: counted twice).",
                       f"Run `{replace}`: it makes that item inactive (QBO renames it '{item.get('Name')} (deleted)' and "
                       "takes its stock value off the inventory asset: post the opening inventory journal) and creates "
                       "a NonInventory item of the same name with the product's accounts; or rename the product in the "
                       "inventory system and import it again")
    if linked:
        return None
    wrong = []
    for key, role in product_item_roles(doc).items():
        ref = item.get(key)
        want = mapping.get(role)
        have = ref.get("value") if isinstance(ref, Mapping) else None
        if want is not None and have is not None and str(have) != str(want):
            name_ = ref.get("name") if isinstance(ref, Mapping) else None
            wrong.append(f"its {'income' if key == 'IncomeAccountRef' else 'expense'} account is "
                         f"{name_ or have} [{have}], not the {role} account [{want}]")
    if not wrong:
        return None
    kind = doc.get("kind", "stock")
    return _reason(NAMES, "name", ITEM_CONFLICT,
                   f"Product {name!r} ({kind}) would be linked to the QBO item {what}: " + "; ".join(wrong) + " "
                   + ("(bills for it would be expensed instead of added to the inventory asset, and its cost "
                      "counted again by the COGS journal)." if kind == "stock" else "(its postings would land on "
                                                                                    "other accounts)."),
                   f"Run `{replace}`: it sets that item's accounts to the product's; or rename the product in the "
                   "inventory system and import it again")


# --- skipped: not to be sent, by a setting ------------------------------------------------

def skip_reason(doc: Doc, settings: Settings, docs: Mapping[tuple[str, str], Doc] | None = None) -> Reason | None:
    """Why a document is ``skipped`` (by a setting), or None. ``docs`` lets a payment (and a COGS
    journal or credit note left on the default channel) take the sales channel of its invoice."""
    t = doc["type"]
    if not settings.sends:
        return _reason(MAPPINGS, "",
                       "integration.from_quickbooks", "The integration mode is 'from QuickBooks only': nothing is sent.",
                       "To send documents, qbtui settings set integration_mode both_ways")
    start = settings.filter_start_date
    dated = txn_dates(doc)
    if start is not None and dated and dated[0][1] is not None and date.fromisoformat(dated[0][1]) < start:
        what, text = dated[0]
        return _reason(DATES, what,
                       "date.before_filter_start",
                       f"This {LABEL[t]}'s {what.replace('_', ' ')} {text} is before the filter start date {start}: "
                       "it is not sent (the books before that day are not qbtui's).",
                       "Nothing to do; to send it, qbtui settings set filter_start_date to an earlier day")
    if t in ("sale_invoice", "credit_note", "sale_payment", "cogs"):
        channel = doc.get("channel")
        invoice_ref = doc.get("invoice")
        invoice = (docs or {}).get(("sale_invoice", invoice_ref)) if invoice_ref else None
        if invoice is not None and (t == "sale_payment" or channel in (None, "direct")):
            channel = invoice.get("channel")  # a payment, or a COGS / credit note on the default channel, follows its invoice
        channel = channel or "direct"
        kind = "cogs" if t == "cogs" else "invoice"
        if t == "sale_payment" and "payment_sync" in settings.channels.get(channel, {}):
            kind = "payment"  # payments follow the invoices unless their own sync type is set
        sync = settings.channel_sync(channel, kind)
        if sync == "no_sync":
            return _reason(MAPPINGS, "channel",
                           "channel.no_sync", f"The {kind.upper() if kind == 'cogs' else kind} sync type of sales "
                           f"channel {channel!r} is 'no sync': this {LABEL[t]} is not sent.",
                           f"To send it, qbtui settings set channel.{channel}.{kind}_sync individual")
        if sync in SUMMARY_TYPES and summary_mix(doc, settings, docs) is None:  # posted in its period's summary
            # (qbtui.ledger.summaries), never on its own; half summarized: refused by check (summary_mix)
            return _reason(MAPPINGS, "channel",
                           "channel.summarized", f"The {kind.upper() if kind == 'cogs' else kind} sync type of sales "
                           f"channel {channel!r} is '{sync}': this {LABEL[t]} is posted in the channel's {sync} "
                           "summary, not on its own.",
                           f"To send it on its own, qbtui settings set channel.{channel}.{kind}_sync individual")
    if t == "quote" and not settings.export_quotes:
        return _reason(MAPPINGS, "",
                       "quote.export_off", "Exporting sales quotes is off.",
                       "To send quotes as QBO estimates, qbtui settings set export_quotes on")
    if t == "purchase_order":
        if doc.get("blind_receipt"):
            return _reason(OTHER, "blind_receipt",
                           "purchase_order.blind_receipt", "A purchase order with blind receipt is never sent to QBO.",
                           "Nothing to do: its supplier invoice carries the purchase to the books")
        if not settings.export_purchase_orders:
            return _reason(MAPPINGS, "",
                           "purchase_order.export_off", "Exporting purchase orders is off.",
                           "To send them, qbtui settings set export_purchase_orders on")
    return None


# --- blocked: fails a gate ------------------------------------------------------------------

def summary_mix(doc: Doc, settings: Settings, docs: Mapping[tuple[str, str], Doc] | None = None) -> Reason | None:
    """A payment whose invoice is summarized while payments are not (or the reverse), or a refunded credit note whose
    refunds would not go the way the note does (refunds follow ``payment_sync``): QuickBooks cannot link a payment
    on its own to a summary invoice of the channel's customer, nor a summary payment to an invoice of another
    customer (docs/domain.md#summarized-posting)."""
    t = doc["type"]
    if t not in ("sale_payment", "credit_note") or (t == "credit_note" and not doc.get("refunds")):
        return None
    invoice = (docs or {}).get(("sale_invoice", str(doc["invoice"]))) if doc.get("invoice") else None
    channel = doc.get("channel")
    if invoice is not None and (t == "sale_payment" or channel in (None, "direct")):
        channel = invoice.get("channel")
    channel = channel or "direct"
    if t == "sale_payment" and invoice is None:
        return None
    invoices, payments = settings.channel_sync(channel, "invoice"), settings.channel_sync(channel, "payment")
    if (invoices in SUMMARY_TYPES) == (payments in SUMMARY_TYPES) or "no_sync" in (invoices, payments):
        return None
    what = (f"payment {doc['ref']!r} of invoice {doc.get('invoice')!r}" if t == "sale_payment"
            else f"the refunds of credit note {doc['ref']!r}")
    if invoices in SUMMARY_TYPES:
        message = (f"Sales channel {channel!r} posts its invoices and credit notes in {invoices} summaries but its "
                   f"payments and refunds one by one: {what} cannot be posted on its own against a summary.")
    else:
        message = (f"Sales channel {channel!r} posts its payments and refunds in {payments} summaries but its "
                   f"invoices and credit notes one by one: {what} cannot go into a summary of the channel's "
                   "customer against a document of its own customer.")
    return _reason(MAPPINGS, "channel", "channel.summary_mixed", message,
                   f"qbtui settings set channel.{channel}.payment_sync {invoices} (payments and refunds as the "
                   f"invoices), or qbtui settings unset channel.{channel}.payment_sync")


def _company(ctx: GateContext) -> list[Reason]:
    p = ctx.prefs
    out: list[Reason] = []
    if not p.known:
        return out
    if p.quantity_on_hand:
        out.append(_reason(MAPPINGS, "",
                           "company.inventory_tracking_on",
                           "QBO tracks inventory quantity on hand: nothing is sent while it does "
                           "(the inventory system owns quantities and valuation).",
                           "Turn off 'Track inventory quantity on hand' in QBO (Settings > Account and settings > "
                           "Sales > Products and services), then qbtui pull"))
    if p.home_currency and p.home_currency != ctx.settings.base_currency:
        out.append(_reason(MAPPINGS, "",
                           "company.currency_mismatch",
                           f"QBO's home currency is {p.home_currency} but the inventory side's base currency "
                           f"is {ctx.settings.base_currency}: nothing is sent.",
                           "Connect the QBO company whose home currency matches, or qbtui settings set "
                           f"base_currency {p.home_currency} if that is the inventory side's currency"))
    return out


def _dates(doc: Doc, ctx: GateContext) -> list[Reason]:
    out = []
    label = LABEL[doc["type"]]
    start, close = ctx.settings.filter_start_date, ctx.prefs.book_close_date
    for what, text in txn_dates(doc):
        if text is None:
            continue
        d = date.fromisoformat(text)
        field_ = "refunds" if what.startswith("refund ") else what
        if start is not None and d < start:
            out.append(_reason(DATES, field_,
                               "date.before_filter_start",
                               f"This {label}'s {what.replace('_', ' ')} {text} is before the filter start date {start}.",
                               "Only transactions on or after the filter start date are sent: change the date, or "
                               "qbtui settings set filter_start_date to an earlier day"))
        if close is not None and d <= close:
            out.append(_reason(DATES, field_,
                               "date.in_closed_period",
                               f"This {label}'s {what.replace('_', ' ')} {text} is in a closed period: QBO's books are "
                               f"closed up to {close} (QBO would answer 6210 'Account Period Closed').",
                               "Date it after the close date, or change the close date in QBO (Settings > Account and "
                               "settings > Advanced > Close the books), then qbtui pull"))
    return out


def _mapping(doc: Doc, ctx: GateContext) -> list[Reason]:
    out = []
    for role in roles_used(doc):
        if role not in ctx.settings.mapping:
            r = ROLE_BY_NAME[role]
            out.append(_reason(MAPPINGS, "",
                               "mapping.missing_role",
                               f"The account role {role} ({r.label}) is not mapped; this {LABEL[doc['type']]} posts to it.",
                               f"Map it to a QBO account of type {r.allowed_text()}: qbtui map {role} ACCOUNT "
                               "(or qbtui map --auto)"))
    return out


_PAID = {"sale_payment": ("invoice", "sale_invoice", "customer"),
         "supplier_payment": ("supplier_invoice", "supplier_invoice", "supplier")}
_CONTACT_OF = {**{t: "customer" for t in ("sale_invoice", "credit_note", "quote")},
               **{t: "supplier" for t in ("purchase_order", "supplier_invoice", "supplier_credit", "supplier_deposit")}}


def _currency(doc: Doc, ctx: GateContext) -> list[Reason]:
    """A foreign document needs QBO's multicurrency and an exchange rate (a payment its own: QBO books the realised
    gain or loss between its rate and its invoice's); a transaction is in its customer's or supplier's currency (QBO
    refuses another, 6000)."""
    t = doc["type"]
    home = ctx.prefs.home_currency or ctx.settings.base_currency
    cur = doc.get("currency")
    contact_ref, contact_kind = doc.get(_CONTACT_OF.get(t, "")), _CONTACT_OF.get(t)
    if t in _PAID:
        field_, kind, contact_kind = _PAID[t]
        paid = ctx.docs.get((kind, str(doc.get(field_) or ""))) or {}
        cur = cur or paid.get("currency")
        contact_ref = paid.get(contact_kind)
    out = []
    if contact_kind and contact_ref and t not in ("customer", "supplier"):
        contact = ctx.docs.get((contact_kind, contact_ref))
        theirs = (contact or {}).get("currency") or home
        if contact is not None and (cur or home) != theirs:
            out.append(_reason(MAPPINGS, "currency", "currency.contact_mismatch",
                               f"This {LABEL[t]} is in {cur or home}, but its {contact_kind} {contact_ref!r} deals in "
                               f"{theirs}: QuickBooks keeps each customer and supplier in one currency and refuses a "
                               "transaction in another.",
                               f"Give the document the {contact_kind}'s currency, or the {contact_kind} the document's "
                               f"(a new {contact_kind} in QuickBooks: its currency cannot change once used); "
                               f"{REIMPORT}"))
    out += _payables(doc, ctx, cur, home)
    if not cur or cur == home:
        return out
    if ctx.prefs.known and not ctx.prefs.multicurrency:
        out.append(_reason(MAPPINGS, "currency",
                           "currency.no_multicurrency",
                           f"This {LABEL[t]} is in {cur}, but multicurrency is off in QBO (home currency {home}).",
                           "Turn on multicurrency in QBO (Settings > Account and settings > Advanced > Currency; it "
                           "cannot be turned off again), then qbtui pull"))
    if t not in ("customer", "supplier") and doc.get("exchange_rate") is None:
        out.append(_reason(MAPPINGS, "exchange_rate",
                           "currency.missing_exchange_rate",
                           f"This {LABEL[t]} is in {cur} and has no exchange rate to {home}"
                           + (" of its own (a payment's rate is its day's, not its invoice's)." if t in _PAID else "."),
                           f"Add exchange_rate ({home} per 1 {cur}) to the document, then {REIMPORT}"))
    return out


def _payables(doc: Doc, ctx: GateContext, cur: str | None, home: str) -> list[Reason]:
    """A supplier deposit applied to a supplier invoice in a foreign currency posts its applied journal's A/P line
    to QBO's A/P account of that currency (the invoice's, else the deposit's: ledger.journals.deposit_payables): a
    journal line must name its account and QBO refuses another currency's (docs/qbo.md#supplier-deposits), so until
    a pull has brought that account in the deposit waits. No gate before QBO's accounts and preferences are pulled,
    nor with multicurrency off (``currency.no_multicurrency`` says so)."""
    if doc["type"] != "supplier_deposit" or not doc.get("supplier_invoice") or ctx.payables is None \
            or not ctx.prefs.multicurrency:
        return []
    ref = str(doc["supplier_invoice"])
    wanted = (ctx.docs.get(("supplier_invoice", ref)) or {}).get("currency") or cur
    if not wanted or wanted == home or wanted in ctx.payables:
        return []
    return [_reason(MAPPINGS, "currency", "currency.no_payables_account",
                    f"This supplier deposit is applied to supplier invoice {ref!r} in {wanted}, but QuickBooks has no "
                    f"Accounts Payable account in {wanted} (as last pulled): the applied journal's A/P line must name "
                    f"it, and QuickBooks refuses the {home} A/P on a {wanted} journal.",
                    f"QuickBooks makes the account with the first bill in {wanted} (supplier invoice {ref!r}, once "
                    f"synced), or create an Accounts Payable account in {wanted} in QuickBooks; then qbtui pull, and "
                    "the deposit follows at the next sync")]


def _known(ctx: GateContext, t: str, ref: str | None) -> bool:
    return ref is not None and (t, ref) in ctx.docs


def _unknown(doc: Doc, field_: str, target: str, code: str) -> Reason:
    what = LABEL[target]
    return _reason(NAMES, field_,
                   code, f"{LABEL[doc['type']].capitalize()} refers to {what} {doc.get(field_)!r}, which is not in the cache.",
                   f"Import the {what} first (or correct the reference and {REIMPORT})")


def _products(doc: Doc, ctx: GateContext, prefix: str) -> list[Reason]:
    missing = [l["sku"] for l in doc.get("lines", ()) if not _known(ctx, "product", l["sku"])]
    if not missing:
        return []
    shown = ", ".join(dict.fromkeys(missing))
    return [_reason(NAMES, "lines",
                    f"{prefix}.unknown_product", f"Lines use SKUs that are not in the cache: {shown}.",
                    f"Import those products first (or correct the SKUs and {REIMPORT})")]


def _missing_date(code: str, what: str, label: str, field_: str) -> Reason:
    return _reason(DATES, field_,
                   code, f"This {label} has no {what}.",
                   f"Set the {what} on the {label} in the inventory system and import it again")


def _not_positive(doc: Doc) -> list[Reason]:
    if money(doc["amount"]) > 0:
        return []
    label = LABEL[doc["type"]]
    return [_reason(AMOUNTS, "amount",
                    f"{doc['type']}.amount_not_positive", f"This {label}'s amount is {doc['amount']}; QBO needs more than 0.",
                    f"Correct the amount, or void the {label} in the inventory system, and import it again")]


def _specific(doc: Doc, ctx: GateContext) -> list[Reason]:
    t, out = doc["type"], []
    if t == "product":
        name = doc.get("name", "")
        if ":" in name or "\\" in name:
            out.append(_reason(NAMES, "name",
                               "product.name_has_colon", f"Product name {name!r} contains ':' or '\\', which QBO refuses "
                               "(':' separates a sub-item from its parent).", f"Rename the product without ':' or '\\'; {REIMPORT}"))
        if len(name) > PRODUCT_NAME_MAX:
            out.append(_reason(NAMES, "name",
                               "product.name_too_long", f"Product name is {len(name)} characters; QBO allows 100.",
                               f"Shorten the name to 100 characters or fewer; {REIMPORT}"))
        if ctx.product_names.get(_name_key(name, PRODUCT_NAME_MAX), 0) > 1:
            out.append(_reason(NAMES, "name",
                               "product.duplicate_name", f"Another product has the same name {name[:100]!r} in its first "
                               "100 characters (QBO compares names case-insensitively).",
                               f"Give each product a distinct name; {REIMPORT}"))
        hit = ctx.product_items.get(doc["ref"])
        if hit is not None and (conflict := item_conflict(doc, hit[0], ctx.settings.mapping, linked=hit[1])):
            out.append(conflict)
    elif t in ("customer", "supplier"):
        name = doc.get("name", "")
        if any(c in name for c in ":\t\n\r") or len(name) > CONTACT_NAME_MAX:
            out.append(_reason(NAMES, "name",
                               "contact.bad_name", f"{LABEL[t].capitalize()} name {name[:60]!r} has ':', a tab or a line "
                               "break, or is over 500 characters: QBO refuses it.",
                               f"Rename the {LABEL[t]} (no ':', tab or line break; at most 500 characters); {REIMPORT}"))
        key = _name_key(name)
        if ctx.contact_names.get(key, 0) > 1:
            out.append(_reason(NAMES, "name",
                               "contact.duplicate_name", f"Another customer or supplier is also named {name!r}; in QBO "
                               "customers and vendors share one name space (error 6240).",
                               f"Give them distinct names (e.g. add ' (supplier)'); {REIMPORT}"))
        other = ctx.qbo_contact_kinds.get(key)
        if other and other != ("Customer" if t == "customer" else "Vendor"):
            out.append(_reason(NAMES, "name",
                               "contact.name_taken_in_qbo", f"A QBO {other.lower()} is already named {name!r} "
                               "(QBO would answer 6240).", f"Rename the {LABEL[t]} or the QBO {other.lower()}"))
    elif t == "sale_invoice":
        if not doc.get("invoice_date"):
            out.append(_missing_date("invoice.missing_date", "invoice date", "sales invoice", "invoice_date"))
        if not _known(ctx, "customer", doc.get("customer")):
            out.append(_unknown(doc, "customer", "customer", "invoice.unknown_customer"))
        out += _products(doc, ctx, "invoice")
        total = sum(sale_amounts(doc), Decimal(0)) if doc.get("lines") else Decimal(0)
        if total < 0:  # QBO answers 6000 "Transaction amount must be zero or greater" (docs/qbo.md#what-the-sandbox-enforces)
            out.append(_reason(AMOUNTS, "lines",
                               "invoice.negative_total", f"This invoice's total is {total}; QBO allows no invoice "
                               "below zero (it would answer 6000: Transaction amount must be zero or greater).",
                               f"Send what it takes back as a credit note, or correct its lines; {REIMPORT}"))
    elif t == "credit_note":
        if not doc.get("date"):
            out.append(_missing_date("credit_note.missing_date", "date", "credit note", "date"))
        if not _known(ctx, "customer", doc.get("customer")):
            out.append(_unknown(doc, "customer", "customer", "credit_note.unknown_customer"))
        out += _products(doc, ctx, "credit_note")
        total, left, refunds = credit_note_parts(doc)
        if total == 0:
            out.append(_reason(AMOUNTS, "lines",
                               "credit_note.zero_total", "This credit note's total is 0.",
                               f"Correct its lines, or void it in the inventory system; {REIMPORT}"))
        elif total < 0:
            out.append(_reason(AMOUNTS, "lines",
                               "credit_note.negative_total", f"This credit note's total is {total}; QBO allows no "
                               "negative credit memo.", f"Correct its lines; {REIMPORT}"))
        elif left < 0:
            out.append(_reason(AMOUNTS, "refunds",
                               "credit_note.refund_exceeds_total", f"Refunds total {sum(refunds)} but the credit note "
                               f"is {total}; QBO allows no negative credit memo.",
                               f"Check the note's lines and its refunds so that refunds do not exceed the total; {REIMPORT}"))
        if any(r <= 0 for r in refunds):
            out.append(_reason(AMOUNTS, "refunds",
                               "credit_note.refund_not_positive", "A refund of this credit note is 0 or negative.",
                               f"Correct or remove that refund; {REIMPORT}"))
    elif t == "quote":
        if not _known(ctx, "customer", doc.get("customer")):
            out.append(_unknown(doc, "customer", "customer", "quote.unknown_customer"))
        out += _products(doc, ctx, "quote")
    elif t == "sale_payment":
        if not _known(ctx, "sale_invoice", doc.get("invoice")):
            out.append(_unknown(doc, "invoice", "sale_invoice", "sale_payment.unknown_invoice"))
        out += _not_positive(doc)
    elif t == "cogs":
        if money(doc["amount"]) == 0:
            out.append(_reason(AMOUNTS, "amount",
                               "cogs.zero_amount", "This COGS journal's amount is 0: there is nothing to post.",
                               "Check the invoice's unit costs in the inventory system, or void the COGS"))
        if doc.get("invoice") and not _known(ctx, "sale_invoice", doc["invoice"]):
            out.append(_unknown(doc, "invoice", "sale_invoice", "cogs.unknown_invoice"))
    elif t in ("purchase_order", "supplier_invoice", "supplier_credit"):
        if not _known(ctx, "supplier", doc.get("supplier")):
            out.append(_unknown(doc, "supplier", "supplier", f"{t}.unknown_supplier"))
        out += _products(doc, ctx, t)
        if t == "supplier_invoice":
            if not doc.get("invoice_date"):
                out.append(_missing_date("supplier_invoice.missing_date", "invoice date", "supplier invoice",
                                              "invoice_date"))
            if not doc.get("supplier_invoice_number"):
                out.append(_reason(NAMES, "supplier_invoice_number",
                                   "supplier_invoice.missing_number", "This supplier invoice has no supplier invoice "
                                   "number (it becomes the bill's number in QBO).",
                                   f"Enter the supplier's invoice number; {REIMPORT}"))
    elif t == "supplier_payment":
        if not _known(ctx, "supplier_invoice", doc.get("supplier_invoice")):
            out.append(_unknown(doc, "supplier_invoice", "supplier_invoice", "supplier_payment.unknown_supplier_invoice"))
        out += _not_positive(doc)
    elif t == "supplier_deposit":
        if not _known(ctx, "supplier", doc.get("supplier")):
            out.append(_unknown(doc, "supplier", "supplier", "supplier_deposit.unknown_supplier"))
        if doc.get("supplier_invoice") and not _known(ctx, "supplier_invoice", doc["supplier_invoice"]):
            out.append(_unknown(doc, "supplier_invoice", "supplier_invoice", "supplier_deposit.unknown_supplier_invoice"))
        out += _not_positive(doc)
    elif t == "adjustment":
        if not doc.get("completed_date"):
            out.append(_missing_date("adjustment.missing_completed_date", "completed date", "stock adjustment",
                                      "completed_date"))
        if not doc.get("accounting_date"):
            out.append(_reason(DATES, "accounting_date",
                               "adjustment.missing_accounting_date", "This stock adjustment has no accounting "
                               "adjustment date, so it has no date in the books.",
                               "Set the accounting adjustment date on the adjustment and import it again"))
        if adjustment_total(doc) == 0:
            out.append(_reason(AMOUNTS, "lines",
                               "adjustment.zero_total", "This stock adjustment's total value is 0: there is nothing to post.",
                               "Check its quantities and unit costs; an adjustment needs a positive or negative total"))
    elif t == "gift_voucher":
        out += _not_positive(doc)
    elif t == "store_credit":
        if not _known(ctx, "customer", doc.get("customer")):
            out.append(_unknown(doc, "customer", "customer", "store_credit.unknown_customer"))
        out += _not_positive(doc)
    return out


# --- numbers QuickBooks can hold, text it should never see -----------------------------------

QBO_INTEGER_DIGITS = 10
"""Intuit documents amounts as "Max 15 digits in 10.5 format": at most 10 digits before the point."""
QBO_LIMIT = Decimal(10) ** QBO_INTEGER_DIGITS
_NUMBER_FIELDS = ("amount", "exchange_rate", "sale_price", "purchase_cost", "average_cost", "quantity_on_hand")


def out_of_range(value: Decimal) -> bool:
    """Beyond what QuickBooks can hold: 10 digits or more before the decimal point."""
    return abs(value) >= QBO_LIMIT


def range_reason(label: str, found: list[str], field_: str = "") -> Reason:
    shown = "; ".join(found[:3]) + (f"; and {len(found) - 3} more" if len(found) > 3 else "")
    return _reason(AMOUNTS, field_,
                   "amount.out_of_range", f"This {label} has numbers QuickBooks cannot hold: {shown}. QuickBooks takes "
                   f"at most {QBO_INTEGER_DIGITS} digits before the decimal point (up to 9,999,999,999.99).",
                   "Correct the quantities, prices or amounts (or split the document) in the inventory system and import "
                   "it again")


def _range(doc: Doc) -> list[Reason]:
    """Every number the document sends, lines as well as totals and the line amounts computed from quantity x
    price, within QBO's range (computed with room to spare: a product of two large numbers never overflows here)."""
    t, found = doc["type"], []
    with localcontext(prec=80):
        for f in _NUMBER_FIELDS:
            if doc.get(f) is not None and out_of_range(dec(doc[f])):
                found.append(f"{f.replace('_', ' ')} {doc[f]}")
        lines = doc.get("lines") or ()
        if t == "adjustment" and lines:  # posted as one journal of its total
            total = adjustment_total(doc)
            if out_of_range(total):
                found.append(f"the total value {total:,}")
        elif lines:
            sale = t in SALE_LINES
            price_key = "unit_price" if sale else "unit_cost"
            amounts = sale_amounts(doc) if sale else purchase_amounts(doc)
            for n, (line, amount) in enumerate(zip(lines, amounts), 1):
                for key in ("quantity", price_key):
                    if out_of_range(dec(line[key])):
                        found.append(f"line {n}'s {key.replace('_', ' ')} {line[key]}")
                if out_of_range(amount):
                    found.append(f"line {n}'s amount {amount:,} ({line['quantity']} x {line[price_key]})")
            total = sum(amounts, Decimal(0))
            if out_of_range(total):
                found.append(f"the total {total:,}")
        for refund in doc.get("refunds") or ():
            if out_of_range(dec(refund["amount"])):
                found.append(f"refund {refund['ref']!r}'s amount {refund['amount']}")
    return [range_reason(LABEL[t], found, "lines" if lines else "amount")] if found else []


def numbers_out_of_range(node: Any, path: str = "") -> list[str]:
    """Every number of a QBO request body beyond QBO's range, as ``Line[2].Amount 12345678901.00``: the
    backstop behind :func:`_range`, over what is really sent (journal lines, converted amounts)."""
    if not _any_out_of_range(node):  # the usual answer, found without a path string per number
        return []
    if isinstance(node, Decimal):
        return [f"{path} {node}"] if out_of_range(node) else []
    if isinstance(node, Mapping):
        return [hit for k, v in node.items() for hit in numbers_out_of_range(v, f"{path}.{k}" if path else k)]
    if isinstance(node, list):
        return [hit for n, v in enumerate(node, 1) for hit in numbers_out_of_range(v, f"{path}[{n}]")]
    return []


def _any_out_of_range(node: Any) -> bool:
    """Whether :func:`numbers_out_of_range` finds anything (plain dicts and lists looked at first: a body is made
    of them)."""
    todo = [node]
    while todo:
        n = todo.pop()
        kind = type(n)
        if kind is dict:
            todo.extend(n.values())
        elif kind is list:
            todo.extend(n)
        elif kind in _LEAVES:
            continue
        elif isinstance(n, Decimal):
            if out_of_range(n):
                return True
        elif isinstance(n, Mapping):
            todo.extend(n.values())
        elif isinstance(n, list):
            todo.extend(n)
    return False


#: what a body holds that is never a number to check
_LEAVES = frozenset({str, bool, int, float, type(None)})


#: names and references: no control character, separator or bidi control at all
_STRICT_FIELDS = ("ref", "name", "customer", "supplier", "invoice", "supplier_invoice", "purchase_order")
# A quick look at the document as JSON: an escaped C0 control, DEL, a C1 control, U+2028/9 or a bidi
# control in UTF-8. A hit (or a false one, e.g. an escaped backslash before "n") gets the exact check.
_MAYBE_HOSTILE = re.compile(rb"\\u00[01]|\\[nrtbf]|\x7f|\xc2[\x80-\x9f]|\xe2\x80[\xa8-\xae]|\xe2\x81[\xa6-\xa9]")


def _texts(node: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, Mapping):
        for k, v in node.items():
            if k != "extra":  # never sent
                yield from _texts(v, f"{path}.{k}" if path else k)
    elif isinstance(node, list):
        for n, v in enumerate(node, 1):
            yield from _texts(v, f"{path}[{n}]")


def _text(doc: Doc) -> list[Reason]:
    """Names and references hold no control character (C0, C1, DEL), no line or paragraph separator (U+2028,
    U+2029) and no bidi override or isolate (U+202A-U+202E, U+2066-U+2069); other text (memo, description,
    address) may also hold tabs and line breaks. ZWJ, ZWNJ, LRM and RLM are allowed."""
    if not _MAYBE_HOSTILE.search(orjson.dumps(doc)):
        return []
    found, paths = [], []
    for path, text in _texts(doc, ""):
        leaf = path.rsplit(".", 1)[-1]
        bad = hostile_chars(text, multiline=leaf not in _STRICT_FIELDS and leaf not in ("sku",))
        if bad:
            found.append(f"{path} has {', '.join(bad)}")
            paths.append(path)
    if not found:
        return []
    label = LABEL[doc["type"]]
    field_ = paths[0].split(".", 1)[0].split("[", 1)[0]  # the top-level field: "name", "lines", "refunds"
    family = NAMES if any(p.rsplit(".", 1)[-1] in _STRICT_FIELDS for p in paths) else OTHER
    return [_reason(family, field_,
                    "text.control_character", f"This {label}'s text holds characters that are never sent to QuickBooks "
                    f"(they can hide or reorder text, or drive a terminal): {'; '.join(found[:3])}"
                    + (f"; and {len(found) - 3} more" if len(found) > 3 else "") + ".",
                    "Remove them in the inventory system and import it again, or fix it with e on the Errors tab")]


def _terms_of(doc: Doc, ctx: GateContext) -> str | None:
    t = doc["type"]
    if t in ("customer", "supplier"):
        return doc.get("terms")
    if t in ("sale_invoice", "supplier_invoice"):
        contact = "customer" if t == "sale_invoice" else "supplier"
        contact_ref = doc.get(contact)
        return doc.get("terms") or ((ctx.docs.get((contact, contact_ref)) if contact_ref else None) or {}).get("terms")
    return None


def _tax_and_terms(doc: Doc, ctx: GateContext) -> list[Reason]:
    out = []
    if ctx.tax_codes is not None:
        unknown = [c for c in dict.fromkeys(l.get("tax_code") for l in doc.get("lines", ())) if c and c not in ctx.tax_codes]
        if unknown:
            out.append(_reason(MAPPINGS, "lines",
                               "tax.unmapped_code", f"Tax code(s) {', '.join(map(repr, unknown))} match no QBO tax code "
                               "(names must match exactly, case included).",
                               "Map each to a QBO tax code (qbtui map), or use the QBO tax code's exact name, and sync again"))
    out += _tax_region(doc, ctx)
    terms = _terms_of(doc, ctx)
    if ctx.terms is not None and terms and terms not in ctx.terms:
        out.append(_reason(MAPPINGS, "terms",
                           "terms.unmapped", f"Payment terms {terms!r} match no QBO term (names must match exactly, "
                           "case included).", "Create the term in QBO and qbtui pull, or map it (qbtui map), then sync again"))
    return out


def _line_label(i: int, line: Mapping[str, Any]) -> str:
    return f"line {i + 1} ({line.get('sku')})"


def _tax_region(doc: Doc, ctx: GateContext) -> list[Reason]:
    """The region's tax rules (docs/domain.md#tax-and-regions): outside the US every sales and purchase line needs
    a tax code (QBO refuses one without, 6000); in the US one rate code per document, and no tax-inclusive prices
    on taxable lines (QBO's US sales tax is added on top)."""
    t = doc["type"]
    if t not in SALES_TYPES and t not in PURCHASE_TYPES:
        return []
    region = ctx.prefs.region
    if region is None:
        return []
    lines = [line for line in doc.get("lines") or () if isinstance(line, Mapping)]
    sales = t in SALES_TYPES
    book = ctx.tax_book
    label = LABEL[t]
    if region != "us":
        missing = [_line_label(i, line) for i, line in enumerate(lines)
                   if not line.get("tax_code") and not book.default(sales)]
        if not missing:
            return []
        side = "sales" if sales else "purchase"
        return [_reason(MAPPINGS, "lines", "tax.missing_code",
                        f"This {label}'s {', '.join(missing[:5])}{' and more' if len(missing) > 5 else ''} "
                        f"{'has' if len(missing) == 1 else 'have'} no tax code, and no default {side} tax code is set: "
                        "QuickBooks outside the US refuses a line without one (6000).",
                        f"Give the line a tax code in the inventory system ({REIMPORT}), or set a default: "
                        f"qbtui map --tax-default {side} QBO_CODE_NAME, and sync again")]
    if not sales:
        return []
    rate_codes: dict[str, list[str]] = {}
    taxable = []
    for i, line in enumerate(lines):
        code = book.code(book.code_id(line.get("tax_code")))
        if code is None:
            continue
        if not code.pseudo:
            rate_codes.setdefault(code.name, []).append(_line_label(i, line))
        if not code.pseudo or code.name == "TAX":
            taxable.append(_line_label(i, line))
    out = []
    if len(rate_codes) > 1:
        which = "; ".join(f"{name}: {', '.join(where)}" for name, where in rate_codes.items())
        out.append(_reason(MAPPINGS, "lines", "tax.mixed_rates",
                           f"This {label}'s taxable lines map to different sales tax rates "
                           f"({which}); a US "
                           "QuickBooks document has one rate (TxnTaxDetail.TxnTaxCodeRef) for all its taxable lines.",
                           "Give the lines one tax rule in the inventory system, or split the document, and sync "
                           "again (a combined rate can be made in QuickBooks as a tax group)"))
    if doc.get("tax_inclusive") and taxable:
        out.append(_reason(MAPPINGS, "tax_inclusive", "tax.inclusive_us",
                           f"This {label} has tax-inclusive prices on taxable lines ({', '.join(taxable[:5])}), but "
                           "QuickBooks in the US adds sales tax on top of the prices (it refuses tax-inclusive "
                           "documents).", "Export the document with prices before tax, and sync again"))
    return out


def _dimensions(doc: Doc, ctx: GateContext) -> list[Reason]:
    """A class or location QBO does not have (docs/domain.md#gates): QBO would refuse the reference (2500)."""
    if not ctx.prefs.known or (ctx.classes is None and ctx.departments is None) or \
            not (ctx.settings.class_source or ctx.settings.location_source):
        return []
    found = dimensions.used(doc, Ledger(settings=ctx.settings, prefs=ctx.prefs, docs=ctx.docs))
    out = []
    label = LABEL[doc["type"]]
    for what, names, known, setting, where in (
            ("class", found.classes, ctx.classes, "class_source", "Classes"),
            ("location", found.locations, ctx.departments, "location_source", "Locations")):
        missing = [n for n in names if known is not None and n not in known]
        if missing:
            source = getattr(ctx.settings, setting)
            out.append(_reason(MAPPINGS, source if source in ("sales_rep", "location", "job") and doc.get(source) else "",
                               f"{what}.unknown",
                               f"This {label}'s {what} {', '.join(map(repr, missing))} (its {source.replace('_', ' ')}, "
                               f"setting {setting}) is not a {what} in QuickBooks (names must match exactly).",
                               f"Create the {what} in QuickBooks (Settings > All lists > {where}) and qbtui pull, or "
                               f"correct the {source.replace('_', ' ')} ({REIMPORT}), or qbtui settings set {setting} "
                               "to another field"))
    if found.conflicting:
        out.append(_reason(MAPPINGS, "lines",
                           "class.several_per_transaction",
                           f"This {label}'s lines have different classes ({', '.join(map(repr, found.conflicting))}) "
                           "but QuickBooks tracks one class per transaction.",
                           "Turn on class tracking per line in QuickBooks (Settings > Account and settings > Advanced > "
                           "Categories) and qbtui pull, or qbtui settings set class_source to a field of the document"))
    return out


def check(doc: Doc, ctx: GateContext) -> list[Reason]:
    """Every gate the document fails (empty: it may be sent). Skips are not checked here: see
    :func:`skip_reason`."""
    out_of = _range(doc)
    try:
        specific = _specific(doc, ctx)
    except ArithmeticError:  # amounts beyond any sane range (a sum too long to round): _range says so
        specific = []
    mix = summary_mix(doc, ctx.settings, ctx.docs)
    return [*_company(ctx), *_text(doc), *out_of, *specific, *_dates(doc, ctx), *_currency(doc, ctx),
            *_tax_and_terms(doc, ctx), *_dimensions(doc, ctx), *_mapping(doc, ctx), *([mix] if mix else [])]

