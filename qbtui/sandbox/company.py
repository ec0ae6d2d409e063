"""The company store: one realm's objects, indexes and the write operations QBO allows."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from . import currency as C, errors as E, rules, tax as T
from .clock import meta_time, today
from .entities import ACCOUNT_CLASSIFICATION, PSEUDO_TAX_CODES, REF_FIELDS, SPECS, TXN, Spec
from .regions import Region, currency_name, region as region_of

CENT = Decimal("0.01")
HALF_CENT = Decimal("0.005")
ZERO = Decimal(0)
REPLAY_MAX = 20000
#: made inactive, these get " (deleted)" appended to their name, as in QBO
DELETED_SUFFIX_ENTITIES = frozenset({"Customer", "Vendor", "Employee", "Item"})
#: contacts' DisplayName and items' Name refuse these (E.invalid_name_chars has the source)
NAME_CHECKED_ENTITIES = DELETED_SUFFIX_ENTITIES
BAD_NAME_CHARS = (":", "\t", "\n", "\r")
#: what a BillPayment's lines link: bills it pays, vendor credits and journal entries (their A/P debits for the
#: vendor) it applies as credits [Intuit's reference, BillPayment page: "Individual line items representing zero or
#: more Bill, VendorCredit, and JournalEntry objects linked to this BillPayment object"]
BILL_PAYMENT_TARGETS = ("Bill", "VendorCredit", "JournalEntry")
#: linked transactions a payment's line takes credit from (their amounts count against the charges paid)
CREDITS = frozenset({"CreditMemo", "VendorCredit", "JournalEntry"})


def money(value: Any, field: str = "Amount") -> Decimal:
    if value is None:
        raise E.required_missing(field)
    try:
        return Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, ValueError):
        raise E.QBOError(2090, "Invalid Number", f"Invalid number for {field}: {value!r}", element=field) from None


def num(d: Decimal) -> float | int:
    """A JSON number for a money Decimal."""
    return float(d)


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


class Company:
    """Objects by entity and Id (all numeric strings), plus the indexes QBO's checks need."""

    def __init__(self, realm_id: str) -> None:
        self.realm_id = realm_id
        self.objects: dict[str, dict[str, dict]] = {name: {} for name in SPECS}
        self.next_id = 1
        self.deleted: list[dict] = []  # tombstones for CDC: {"entity", "Id", "time"}
        self.replay: OrderedDict[str, tuple[int, str, bytes]] = OrderedDict()
        self.oauth: dict[str, Any] = {}
        self.names: dict[tuple[str, str], tuple[str, str]] = {}
        self.docs: dict[tuple[str, str, str], str] = {}
        self.applied: dict[tuple[str, str], Decimal] = {}
        self.changes = 0  # bumped on every write (the state saver watches it)
        #: `--region` (regions.py): which tax rules apply (tax.py)
        self.region = "us"
        #: rates set through `POST exchangerate`: (source currency, as-of date) -> rate (currency.py)
        self.exchange_rates: dict[tuple[str, str], float] = {}
        self._fresh: set[tuple[str, str]] = set()  # objects of the request under way whose SyncToken stays

    # --- reading ---------------------------------------------------------------------

    @property
    def preferences(self) -> dict:
        return self.objects["Preferences"]["1"]

    @property
    def company_info(self) -> dict:
        return next(iter(self.objects["CompanyInfo"].values()))

    @property
    def region_info(self) -> Region:
        return region_of(self.region)

    @property
    def multicurrency(self) -> bool:
        return C.enabled(self)

    @property
    def home_currency(self) -> str:
        return self.preferences.get("CurrencyPrefs", {}).get("HomeCurrency", {}).get("value", "USD")

    @property
    def book_close_date(self) -> str | None:
        return self.preferences.get("AccountingInfoPrefs", {}).get("BookCloseDate") or None

    def get(self, entity: str, obj_id: str) -> dict:
        obj = self.objects[entity].get(str(obj_id))
        if obj is None:
            raise E.object_not_found(f"{entity} Id={obj_id}")
        return obj

    def find_by_name(self, entity: str, name: str) -> dict | None:
        spec = SPECS[entity]
        hit = self.names.get((spec.name_space or entity, _name_key(name)))
        if hit and hit[0] == entity:
            return self.objects[entity].get(hit[1])
        return None

    def new_id(self) -> str:
        i = self.next_id
        self.next_id += 1
        return str(i)

    def add_object(self, entity: str, obj: dict, at: datetime | None = None) -> dict:
        """An object QBO makes itself (a currency's A/R account, a currency of the list): no checks."""
        stamp = meta_time(at)
        obj.update({"Id": self.new_id(), "SyncToken": "0", "domain": "QBO", "sparse": False,
                    "MetaData": {"CreateTime": stamp, "LastUpdatedTime": stamp}})
        self.objects[entity][obj["Id"]] = obj
        self._index(SPECS[entity], obj)
        self.changes += 1
        return obj

    def add_account(self, name: str, acc_type: str, subtype: str, currency: str, at: datetime | None = None) -> dict:
        return self.add_object("Account", {
            "Name": name, "FullyQualifiedName": name, "SubAccount": False, "Active": True, "AccountType": acc_type,
            "AccountSubType": subtype, "Classification": ACCOUNT_CLASSIFICATION[acc_type], "CurrentBalance": 0,
            "CurrentBalanceWithSubAccounts": 0, "CurrencyRef": {"value": currency, "name": currency_name(currency)}},
            at)

    # --- indexes ---------------------------------------------------------------------

    def rebuild_indexes(self) -> None:
        self.names.clear()
        self.docs.clear()
        self.applied.clear()
        for entity, objs in self.objects.items():
            spec = SPECS[entity]
            for obj in objs.values():
                self._index(spec, obj)
        for entity, target in (("Payment", "Invoice"), ("Payment", "CreditMemo"),
                               *(("BillPayment", t) for t in BILL_PAYMENT_TARGETS)):
            for obj in self.objects[entity].values():
                self._apply_links(obj, target, +1)

    def _index(self, spec: Spec, obj: dict) -> None:
        if spec.name_field and obj.get(spec.name_field):
            self.names[(spec.name_space, _name_key(obj[spec.name_field]))] = (spec.name, obj["Id"])
        if spec.doc_scope is not None and obj.get("DocNumber"):
            self.docs[self._doc_key(spec, obj)] = obj["Id"]

    def _unindex(self, spec: Spec, obj: dict) -> None:
        if spec.name_field and obj.get(spec.name_field):
            self.names.pop((spec.name_space, _name_key(obj[spec.name_field])), None)
        if spec.doc_scope is not None and obj.get("DocNumber"):
            key = self._doc_key(spec, obj)
            if self.docs.get(key) == obj["Id"]:
                del self.docs[key]

    @staticmethod
    def _doc_key(spec: Spec, obj: dict) -> tuple[str, str, str]:
        scope = ""
        if spec.doc_scope:
            scope = str((obj.get(spec.doc_scope) or {}).get("value", ""))
        return (spec.name, scope, str(obj["DocNumber"]).casefold())

    # --- replay (requestid) ---------------------------------------------------------

    def replay_get(self, request_id: str) -> tuple[int, str, bytes] | None:
        return self.replay.get(request_id)

    def replay_put(self, request_id: str, status: int, content_type: str, body: bytes) -> None:
        self.replay[request_id] = (status, content_type, body)
        while len(self.replay) > REPLAY_MAX:
            self.replay.popitem(last=False)
        self.changes += 1

    # --- writes --------------------------------------------------------------------

    def create(self, entity: str, body: dict, *, include: frozenset[str] = frozenset(),
               at: datetime | None = None, check_close: bool = True) -> dict:
        spec = _spec(entity, "create")
        if not spec.create:
            raise E.unsupported_operation(f"Create on {entity}")
        obj = {k: v for k, v in body.items() if k not in spec.read_only and k not in ("Id", "SyncToken", "sparse")}
        self._defaults(spec, obj)
        rules.assign_doc_number(self, entity, obj)
        self._validate(spec, obj, None, include, check_close)
        obj_id = self.new_id()
        stamp = meta_time(at)
        obj["Id"] = obj_id
        obj["SyncToken"] = "0"
        obj["MetaData"] = {"CreateTime": stamp, "LastUpdatedTime": stamp}
        obj["domain"] = "QBO"
        obj["sparse"] = False
        self._compute(spec, obj, None)
        self.objects[entity][obj_id] = obj
        self._index(spec, obj)
        self.changes += 1
        if entity == "CreditMemo":
            self._auto_apply_credit(obj, at)
        return obj

    def update(self, entity: str, body: dict, *, include: frozenset[str] = frozenset()) -> dict:
        spec = _spec(entity, "update")
        if not spec.update:
            raise E.unsupported_operation(f"Update on {entity}")
        old = self._current(entity, body)
        if entity == "Preferences":
            return self._update_preferences(old, body)
        sparse = bool(body.get("sparse"))
        incoming = {k: v for k, v in body.items()
                    if k not in spec.read_only and k not in ("Id", "SyncToken", "sparse")}
        if sparse:
            obj = {k: v for k, v in old.items() if k not in ("Id", "SyncToken", "MetaData", "domain", "sparse")}
            obj.update(incoming)
        else:
            obj = incoming
            for keep in spec.read_only & old.keys():
                if keep not in ("MetaData", "domain", "status", "time"):
                    obj[keep] = old[keep]
        self._defaults(spec, obj, old)
        if spec.name in DELETED_SUFFIX_ENTITIES and obj.get("Active") is False and old.get("Active", True):
            self._mark_deleted_name(spec, obj)
        if spec.kind == TXN:
            self._check_close(old.get("TxnDate"))
        self._validate(spec, obj, old, include, True)
        obj["Id"] = old["Id"]
        obj["SyncToken"] = str(int(old["SyncToken"]) + 1)
        obj["MetaData"] = {"CreateTime": old["MetaData"]["CreateTime"], "LastUpdatedTime": meta_time()}
        obj["domain"] = "QBO"
        obj["sparse"] = False
        self._compute(spec, obj, old)
        self._unindex(spec, old)
        self.objects[entity][obj["Id"]] = obj
        self._index(spec, obj)
        self.changes += 1
        return obj

    def delete(self, entity: str, body: dict) -> dict:
        spec = _spec(entity, "delete")
        if not spec.delete:
            raise E.unsupported_operation(f"Delete on {entity}")
        old = self._current(entity, body)
        self._check_close(old.get("TxnDate"))
        self._unapply(spec, old)
        self._unindex(spec, old)
        del self.objects[entity][old["Id"]]
        stamp = meta_time()
        self.deleted.append({"entity": entity, "Id": old["Id"], "time": stamp})
        self.changes += 1
        return {"domain": "QBO", "status": "Deleted", "Id": old["Id"]}

    def void(self, entity: str, body: dict) -> dict:
        spec = _spec(entity, "void")
        if not (spec.void or spec.void_by_update):
            raise E.unsupported_operation(f"Void on {entity}")
        old = self._current(entity, body)
        self._check_close(old.get("TxnDate"))
        self._unapply(spec, old)
        obj = dict(old)
        lines = []
        for line in old.get("Line") or []:
            line = dict(line)
            if "Amount" in line:
                line["Amount"] = 0
            lines.append(line)
        obj["Line"] = lines
        obj["TotalAmt"] = 0
        if "Balance" in obj:
            obj["Balance"] = 0
        if "UnappliedAmt" in obj:
            obj["UnappliedAmt"] = 0
        if isinstance(obj.get("TxnTaxDetail"), dict):
            obj["TxnTaxDetail"] = {**obj["TxnTaxDetail"], "TotalTax": 0}
        note = old.get("PrivateNote")
        obj["PrivateNote"] = "Voided" if not note else f"Voided - {note}"
        obj["SyncToken"] = str(int(old["SyncToken"]) + 1)
        obj["MetaData"] = {"CreateTime": old["MetaData"]["CreateTime"], "LastUpdatedTime": meta_time()}
        self.objects[entity][obj["Id"]] = obj
        self.changes += 1
        return obj

    # --- helpers for the operations ------------------------------------------------

    def _current(self, entity: str, body: dict) -> dict:
        if not isinstance(body, dict):
            raise E.unsupported("The request body is not a JSON object")
        if body.get("Id") in (None, ""):
            raise E.required_missing("Id")
        if body.get("SyncToken") in (None, ""):
            raise E.required_missing("SyncToken")
        old = self.objects[entity].get(str(body["Id"]))
        if old is None:
            raise E.object_not_found(f"{entity} Id={body['Id']}")
        if str(body["SyncToken"]) != old["SyncToken"]:
            raise E.stale_object()
        return old

    def _mark_deleted_name(self, spec: Spec, obj: dict) -> None:
        """QBO frees the name of a contact or item made inactive: it becomes "Name (deleted)"."""
        name = obj.get(spec.name_field)
        if not isinstance(name, str) or name.endswith("(deleted)"):
            return
        candidate, n = f"{name} (deleted)", 1
        while (spec.name_space, _name_key(candidate)) in self.names:
            n += 1
            candidate = f"{name} (deleted-{n})"
        obj[spec.name_field] = candidate

    def _update_preferences(self, old: dict, body: dict) -> dict:
        obj = _deep_merge(old, {k: v for k, v in body.items()
                                if k not in ("Id", "SyncToken", "sparse", "MetaData", "domain")})
        obj["SyncToken"] = str(int(old["SyncToken"]) + 1)
        obj["MetaData"] = {**old.get("MetaData", {}), "LastUpdatedTime": meta_time()}
        self.objects["Preferences"]["1"] = obj
        self.changes += 1
        return obj

    def _defaults(self, spec: Spec, obj: dict, old: dict | None = None) -> None:
        if spec.has_active and "Active" not in obj:
            obj["Active"] = True
        if spec.name in ("Customer", "Vendor", "Employee") and not obj.get("DisplayName"):
            parts = [obj.get(k) for k in ("Title", "GivenName", "MiddleName", "FamilyName", "Suffix")]
            derived = " ".join(p for p in parts if p) or obj.get("CompanyName")
            if derived:
                obj["DisplayName"] = derived
        if spec.name in ("Customer", "Vendor") and "CurrencyRef" not in obj:
            obj["CurrencyRef"] = self._currency_ref()
        if spec.name == "Vendor" and obj.get("DisplayName") and not obj.get("PrintOnCheckName"):
            obj["PrintOnCheckName"] = obj["DisplayName"]
        if spec.name == "Item" and not obj.get("Type"):
            obj["Type"] = "Service"
        if spec.kind == TXN:
            if not obj.get("TxnDate"):
                obj["TxnDate"] = old.get("TxnDate") if old and old.get("TxnDate") else today()
            if "CurrencyRef" not in obj:
                obj["CurrencyRef"] = C.default_currency(self, spec.name, obj) if self.multicurrency \
                    else self._currency_ref()

    def _currency_ref(self) -> dict:
        code = self.home_currency
        return {"value": code, "name": currency_name(code)}

    def _check_close(self, txn_date: str | None) -> None:
        close = self.book_close_date
        if close and txn_date and str(txn_date)[:10] <= close:
            raise E.period_closed(str(txn_date), close)

    def _validate(self, spec: Spec, obj: dict, old: dict | None, include: frozenset[str],
                  check_close: bool) -> None:
        for req in spec.required:
            value = obj.get(req)
            if value is None or value == "" or value == [] or value == {}:
                raise E.required_missing(req)
        if spec.name_field:
            name = obj.get(spec.name_field)
            if not isinstance(name, str):
                raise E.required_missing(spec.name_field)
            if len(name) > spec.name_max:
                raise E.too_long(spec.name_field, spec.name_max, len(name))
            if spec.name in NAME_CHECKED_ENTITIES and any(c in name for c in BAD_NAME_CHARS):
                raise E.invalid_name_chars(spec.name_field, name)
            other = self.names.get((spec.name_space, _name_key(name)))
            if other and not (old is not None and other == (spec.name, old["Id"])):
                raise E.duplicate_name(name, other[0], other[1])
        for fld, maximum in spec.lengths.items():
            value = obj.get(fld)
            if isinstance(value, dict):
                value = value.get("value")
            if isinstance(value, str) and len(value) > maximum:
                raise E.too_long(fld, maximum, len(value))
        if spec.name == "Account":
            if obj["AccountType"] not in ACCOUNT_CLASSIFICATION:
                raise E.business(f"Invalid AccountType {obj['AccountType']!r}")
        if spec.name == "Item":
            self._validate_item(obj)
        self._check_refs(obj)
        rules.check_account_types(self, spec.name, obj)
        if spec.kind == TXN and self.multicurrency:
            C.check(self, spec.name, obj)
        if spec.kind == TXN:
            if check_close:
                self._check_close(obj.get("TxnDate"))
            if spec.doc_scope is not None and obj.get("DocNumber") and "allowduplicatedocnum" not in include \
                    and rules.refuses_duplicate(self, spec.name):
                key = self._doc_key(spec, obj)
                other = self.docs.get(key)
                if other and not (old is not None and other == old["Id"]):
                    raise E.duplicate_docnumber(str(obj["DocNumber"]), spec.name, other)

    def _validate_item(self, obj: dict) -> None:
        kind = obj.get("Type")
        if kind not in ("Service", "NonInventory", "Inventory", "Category", "Group"):
            raise E.business(f"Invalid Item Type {kind!r}")
        if kind in ("Service", "NonInventory", "Inventory") and not obj.get("IncomeAccountRef"):
            raise E.required_missing("IncomeAccountRef")
        if kind == "Inventory":
            for req in ("ExpenseAccountRef", "AssetAccountRef", "QtyOnHand", "InvStartDate"):
                if obj.get(req) is None:
                    raise E.required_missing(req)
            obj.setdefault("TrackQtyOnHand", True)

    def _check_refs(self, node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(value, dict):
                    target = REF_FIELDS.get(key)
                    if target is not None and "value" in value:
                        self._check_ref(target, value)
                    elif key == "Entity" and isinstance(value.get("EntityRef"), dict):
                        kind = value.get("Type") or value["EntityRef"].get("type") or "Customer"
                        if kind in ("Customer", "Vendor", "Employee"):
                            self._check_ref(kind, value["EntityRef"])
                    else:
                        self._check_refs(value)
                elif isinstance(value, list):
                    for item in value:
                        if isinstance(item, (dict, list)):
                            self._check_refs(item)
        elif isinstance(node, list):
            for item in node:
                self._check_refs(item)

    def _check_ref(self, entity: str, ref: dict) -> None:
        value = str(ref.get("value", ""))
        if entity == "TaxCode" and value in PSEUDO_TAX_CODES:
            return
        target = self.objects[entity].get(value)
        if target is None:
            raise E.invalid_reference(entity, value)
        if target.get("Active") is False:
            raise E.object_not_found(f"{entity} Id={value} is inactive")
        name = target.get("DisplayName") or target.get("FullyQualifiedName") or target.get("Name")
        if name:
            ref["name"] = name

    # --- computed fields -----------------------------------------------------------

    def _compute(self, spec: Spec, obj: dict, old: dict | None) -> None:
        if spec.name_field in ("Name",) and spec.name != "Term":
            obj["FullyQualifiedName"] = obj.get("Name")
        if spec.name in ("Customer", "Vendor", "Employee"):
            obj["FullyQualifiedName"] = obj.get("DisplayName")
            if spec.name != "Employee":
                obj.setdefault("Balance", old.get("Balance", 0) if old else 0)
            if spec.name == "Customer":
                obj.setdefault("BalanceWithJobs", obj["Balance"])
        if spec.name == "Account":
            obj["Classification"] = ACCOUNT_CLASSIFICATION[obj["AccountType"]]
            obj.setdefault("CurrentBalance", old.get("CurrentBalance", 0) if old else 0)
            obj.setdefault("SubAccount", False)
            obj.setdefault("CurrencyRef", self._currency_ref())
        multicurrency = self.multicurrency
        if multicurrency and spec.name in ("Customer", "Vendor"):
            C.note_currency(self, str((obj.get("CurrencyRef") or {}).get("value") or ""))
        if multicurrency and spec.kind == TXN:
            C.settle(self, spec.name, obj)
        kind = spec.totals
        if kind == "sales":
            self._sales_totals(spec, obj)
        elif kind == "expense":
            self._expense_totals(spec, obj)
        elif kind == "journal":
            self._journal_totals(obj)
        elif kind in ("payment", "billpayment"):
            self._payment_totals(spec, obj, old)
        if spec.name == "Invoice" and old is not None:
            self._refresh_balance("Invoice", obj)
        if spec.name == "Bill" and old is not None:
            self._refresh_balance("Bill", obj)
        if spec.name == "CreditMemo" and old is not None:
            self._refresh_balance("CreditMemo", obj)
        if multicurrency and spec.kind == TXN:
            C.home_amounts(spec.name, obj)

    def _payment_targets(self, spec: Spec) -> tuple[str, ...]:
        """What a payment's lines apply: a Payment pays invoices and uses credit memos (Intuit's Payment page:
        a line's LinkedTxn is an Invoice, or a CreditMemo applied to them); a BillPayment pays bills."""
        return ("Invoice", "CreditMemo") if spec.totals == "payment" else BILL_PAYMENT_TARGETS

    def _payment_totals(self, spec: Spec, obj: dict, old: dict | None) -> None:
        targets = self._payment_targets(spec)
        total = money(obj.get("TotalAmt"), "TotalAmt")
        if spec.totals == "payment" and old is None:
            self._auto_apply_payment(obj, total)
        applied = ZERO
        lines = []
        for line in obj.get("Line") or []:
            line = dict(line)
            amount = money(line.get("Amount"), "Amount")
            line["Amount"] = num(amount)
            sign = 1
            for link in line.get("LinkedTxn") or []:
                target = link.get("TxnType")
                if target not in targets:
                    continue
                linked = self.objects[target].get(str(link.get("TxnId")))
                if linked is None:
                    raise E.invalid_reference(target, str(link.get("TxnId")))
                if spec.totals == "payment":
                    rules.check_link_customer(obj, linked, target)
                if target == "JournalEntry":  # what its A/P debits for this vendor hold (docs/qbo.md, supplier deposits)
                    open_balance = self._journal_credit(linked, obj) - self.applied.get((target, linked["Id"]), ZERO)
                else:
                    open_balance = money(linked.get("Balance", 0), "Balance")
                if old is not None:
                    open_balance += self._linked_amount(old, target, linked["Id"])
                if amount > open_balance:  # a line above its invoice's (credit's) open Balance: Intuit's Payment page
                    # states no such rule (unverified); an integrator's QBO notes (developer.getautofy.com/docs/payment)
                    # say credits applied "must not exceed" an invoice's open amount (docs/qbo.md, sandbox enforces)
                    raise E.business(f"The amount {amount} applied to {target} {linked['Id']} "
                                     f"exceeds its open balance {open_balance}.")
                if target in CREDITS:
                    sign = -1
            applied += sign * amount
            lines.append(line)
        if applied > total:
            raise E.business(f"The applied amount {applied} exceeds the payment total {total}.")
        if applied < 0:
            raise E.business(f"The credits applied ({-applied} more than the invoices paid) exceed the charges.")
        obj["Line"] = lines
        obj["TotalAmt"] = num(total)
        if spec.totals == "payment":
            obj["UnappliedAmt"] = num(total - applied)
            obj.setdefault("DepositToAccountRef", self._account_ref_by_subtype("UndepositedFunds"))
        touched: set[tuple[str, str]] = set()
        for target in targets:
            if old is not None:
                touched |= self._apply_links(old, target, -1)
            touched |= self._apply_links(obj, target, +1)
        self._bump(touched)

    def _auto_apply_payment(self, obj: dict, total: Decimal) -> None:
        """AutoApplyPayments on: what a new payment does not apply itself, QBO applies to the customer's open
        invoices (an integrator's incident report: a payment whose TotalAmt exceeds what its lines apply is
        "auto-distributed" to the customer's other open invoices; with none open it stays unapplied, as
        https://github.com/ruckus/quickbooks-ruby/issues/388 reports). Oldest first is unverified."""
        if not rules.sales_pref(self, "AutoApplyPayments"):
            return
        lines = [dict(line) for line in obj.get("Line") or [] if isinstance(line, dict)]
        applied = ZERO
        used: dict[str, Decimal] = {}
        for line in lines:
            amount = money(line.get("Amount", 0), "Amount")
            kinds = {link.get("TxnType") for link in line.get("LinkedTxn") or []}
            applied += -amount if "CreditMemo" in kinds else amount
            for link in line.get("LinkedTxn") or []:
                if link.get("TxnType") == "Invoice":
                    used[str(link.get("TxnId"))] = used.get(str(link.get("TxnId")), ZERO) + amount
        remainder = total - applied
        customer = str((obj.get("CustomerRef") or {}).get("value", ""))
        for inv in rules.open_invoices(self, customer):
            if remainder <= 0:
                break
            take = min(money(inv["Balance"]) - used.get(inv["Id"], ZERO), remainder)
            if take <= 0:
                continue
            lines.append({"Amount": num(take), "LinkedTxn": [{"TxnId": inv["Id"], "TxnType": "Invoice"}]})
            remainder -= take
        obj["Line"] = lines

    def _auto_apply_credit(self, credit: dict, at: datetime | None) -> None:
        """AutoApplyCredit on: a new credit memo is applied to its customer's open invoices, oldest first, through
        a Payment of total 0 linking each invoice and the credit memo (the way QBO records an applied credit).
        Intuit's community answers and a QBO tutorial (oldest open invoice first: docs/qbo.md has them); that it
        acts so on credit memos created through the API, and the zero payment, are unverified."""
        if not rules.sales_pref(self, "AutoApplyCredit"):
            return
        remaining = money(credit.get("Balance", 0), "Balance")
        customer = str((credit.get("CustomerRef") or {}).get("value", ""))
        lines = []
        for inv in rules.open_invoices(self, customer):
            if remaining <= 0:
                break
            take = min(money(inv["Balance"]), remaining)
            lines.append({"Amount": num(take), "LinkedTxn": [{"TxnId": inv["Id"], "TxnType": "Invoice"}]})
            lines.append({"Amount": num(take), "LinkedTxn": [{"TxnId": credit["Id"], "TxnType": "CreditMemo"}]})
            remaining -= take
        if lines:
            self._fresh.add(("CreditMemo", credit["Id"]))
            try:
                self.create("Payment", {"CustomerRef": {"value": customer}, "TotalAmt": 0,
                                        "TxnDate": credit.get("TxnDate"), "Line": lines}, at=at, check_close=False)
            finally:
                self._fresh.discard(("CreditMemo", credit["Id"]))

    def _bump(self, touched: set[tuple[str, str]]) -> None:
        """A payment applied to (or taken off) a transaction changes it: its SyncToken and LastUpdatedTime move on,
        as its Balance does (unverified on QBO's side; integrators meet a stale SyncToken after a payment). Not the
        credit memo being created in the same request."""
        for target, target_id in touched - self._fresh:
            linked = self.objects[target].get(target_id)
            if linked is None:
                continue
            linked["SyncToken"] = str(int(linked["SyncToken"]) + 1)
            linked["MetaData"] = {**linked.get("MetaData", {}), "LastUpdatedTime": meta_time()}

    def _journal_credit(self, journal: dict, pay: dict) -> Decimal:
        """A journal entry as a bill payment's credit: its debits to Accounts Payable naming the payment's vendor
        (what QBO's Pay Bills screen lists as that vendor's credit)."""
        vendor = str((pay.get("VendorRef") or {}).get("value", ""))
        total = ZERO
        for line in journal.get("Line") or []:
            detail = line.get("JournalEntryLineDetail") or {}
            account = self.objects["Account"].get(str((detail.get("AccountRef") or {}).get("value")))
            entity = detail.get("Entity") or {}
            if detail.get("PostingType") == "Debit" and account is not None \
                    and account.get("AccountType") == "Accounts Payable" and entity.get("Type") == "Vendor" \
                    and str((entity.get("EntityRef") or {}).get("value", "")) == vendor:
                total += money(line.get("Amount", 0))
        return total

    def _linked_amount(self, pay: dict, target: str, target_id: str) -> Decimal:
        total = ZERO
        for line in pay.get("Line") or []:
            for link in line.get("LinkedTxn") or []:
                if link.get("TxnType") == target and str(link.get("TxnId")) == target_id:
                    total += money(line.get("Amount", 0))
        return total

    def _apply_links(self, pay: dict, target: str, sign: int) -> set[tuple[str, str]]:
        """Add (+1) or take off (-1) what ``pay`` applies to ``target`` transactions; the (target, Id) touched."""
        touched = set()
        for line in pay.get("Line") or []:
            for link in line.get("LinkedTxn") or []:
                if link.get("TxnType") == target:
                    key = (target, str(link.get("TxnId")))
                    self.applied[key] = self.applied.get(key, ZERO) + sign * money(line.get("Amount", 0))
                    touched.add(key[1])
        pay_type = "Payment" if target in ("Invoice", "CreditMemo") else "BillPayment"
        for target_id in touched:
            linked = self.objects[target].get(target_id)
            if linked is None:
                continue
            links = [lk for lk in linked.get("LinkedTxn") or []
                     if not (lk.get("TxnType") == pay_type and lk.get("TxnId") == pay["Id"])]
            if sign > 0:
                links.append({"TxnId": pay["Id"], "TxnType": pay_type})
            linked["LinkedTxn"] = links
            self._refresh_balance(target, linked)
        return {(target, target_id) for target_id in touched}

    def _unapply(self, spec: Spec, old: dict) -> None:
        if spec.totals in ("payment", "billpayment"):
            touched: set[tuple[str, str]] = set()
            for target in self._payment_targets(spec):
                touched |= self._apply_links(old, target, -1)
            self._bump(touched)

    def _refresh_balance(self, target: str, obj: dict) -> None:
        if target == "JournalEntry":  # no Balance on a journal entry: what is applied is kept in self.applied
            obj.setdefault("LinkedTxn", [])
            return
        total = money(obj.get("TotalAmt", 0))
        paid = self.applied.get((target, obj["Id"]), ZERO)
        obj["Balance"] = num(max(total - paid, ZERO))
        if target == "CreditMemo":
            obj["RemainingCredit"] = obj["Balance"]
        obj.setdefault("LinkedTxn", [])

    def _account_ref_by_subtype(self, subtype: str) -> dict | None:
        for acc in self.objects["Account"].values():
            if acc.get("AccountSubType") == subtype and acc.get("Active", True):
                return {"value": acc["Id"], "name": acc["Name"]}
        return None

    def _account_ref_by_type(self, acc_type: str) -> dict | None:
        for acc in self.objects["Account"].values():
            if acc.get("AccountType") == acc_type and acc.get("Active", True):
                return {"value": acc["Id"], "name": acc["Name"]}
        return None

    def _number_lines(self, lines: list[dict]) -> None:
        used = {str(line["Id"]) for line in lines if line.get("Id")}
        n = 1
        for i, line in enumerate(lines, 1):
            if not line.get("Id"):
                while str(n) in used:
                    n += 1
                line["Id"] = str(n)
                used.add(str(n))
            line["LineNum"] = i

    def _sales_totals(self, spec: Spec, obj: dict) -> None:
        lines = []
        subtotal = ZERO
        discounts = []
        for raw in obj.get("Line") or []:
            if not isinstance(raw, dict):
                raise E.unsupported("Line items must be objects")
            dt = raw.get("DetailType")
            if dt == "SubTotalLineDetail":
                continue
            line = dict(raw)
            if dt == "SalesItemLineDetail":
                detail = line.get("SalesItemLineDetail") or {}
                if line.get("Amount") is None:
                    if detail.get("Qty") is None or detail.get("UnitPrice") is None:
                        raise E.required_missing("Amount")
                    amount = (Decimal(str(detail["Qty"])) * Decimal(str(detail["UnitPrice"]))).quantize(CENT)
                else:
                    amount = money(line["Amount"])
                    _check_line_amount(amount, detail)
                line["Amount"] = num(amount)
                subtotal += amount
            elif dt == "DiscountLineDetail":
                discounts.append(line)
            elif dt == "DescriptionOnly":
                line.setdefault("Amount", 0)
            elif dt is None:
                raise E.required_missing("DetailType")
            else:
                amount = money(line.get("Amount"))
                line["Amount"] = num(amount)
                subtotal += amount
            lines.append(line)
        discount_total = ZERO
        for line in discounts:
            detail = line.get("DiscountLineDetail") or {}
            if detail.get("PercentBased") and detail.get("DiscountPercent") is not None:
                amount = (subtotal * Decimal(str(detail["DiscountPercent"])) / 100).quantize(CENT)
            else:
                amount = money(line.get("Amount"))
            line["Amount"] = num(amount)
            discount_total += amount
        self._number_lines(lines)
        taxed = T.compute(self, spec.name, obj, lines, subtotal)  # tax.py: the region's tax, QBO's rounding
        lines.append({"Amount": num(subtotal), "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}})
        obj["Line"] = lines
        total = taxed.total - discount_total
        if total < 0:  # an invoice (or sales receipt, credit memo) below zero: OnTime360's support article "QuickBooks:
            # Transaction Amount Must be Positive" (QBO's wording there "...must be positive"; this one unverified)
            raise E.business("Transaction amount must be zero or greater.")
        obj["TotalAmt"] = num(total)
        if spec.name == "Invoice":
            obj.setdefault("LinkedTxn", [])
            self._refresh_balance("Invoice", obj)
            if not obj.get("DueDate"):
                obj["DueDate"] = obj["TxnDate"]
        elif spec.name == "CreditMemo":
            obj["Balance"] = num(total)
            obj["RemainingCredit"] = num(total)
        elif spec.name in ("SalesReceipt", "RefundReceipt"):
            obj["Balance"] = 0
        if spec.name == "SalesReceipt":
            obj.setdefault("DepositToAccountRef", self._account_ref_by_subtype("UndepositedFunds"))

    def _expense_totals(self, spec: Spec, obj: dict) -> None:
        lines = []
        total = ZERO
        for raw in obj.get("Line") or []:
            line = dict(raw)
            dt = line.get("DetailType")
            if dt not in ("ItemBasedExpenseLineDetail", "AccountBasedExpenseLineDetail"):
                if dt is None:
                    raise E.required_missing("DetailType")
                raise E.unsupported(f"Unsupported DetailType {dt!r} on {spec.name}")
            detail = line.get(dt) or {}
            if dt == "ItemBasedExpenseLineDetail" and not detail.get("ItemRef"):
                raise E.required_missing("ItemRef")
            if dt == "AccountBasedExpenseLineDetail" and not detail.get("AccountRef"):
                raise E.required_missing("AccountRef")
            if line.get("Amount") is None and dt == "ItemBasedExpenseLineDetail" \
                    and detail.get("Qty") is not None and detail.get("UnitPrice") is not None:
                amount = (Decimal(str(detail["Qty"])) * Decimal(str(detail["UnitPrice"]))).quantize(CENT)
            else:
                amount = money(line.get("Amount"))
                if dt == "ItemBasedExpenseLineDetail":
                    _check_line_amount(amount, detail)
            line["Amount"] = num(amount)
            total += amount
            lines.append(line)
        self._number_lines(lines)
        obj["Line"] = lines
        total = T.compute(self, spec.name, obj, lines, total).total  # tax.py: the region's tax
        obj["TotalAmt"] = num(total)
        if spec.name in ("Bill", "PurchaseOrder") and "APAccountRef" not in obj:
            ref = self._account_ref_by_type("Accounts Payable")
            if ref:
                obj["APAccountRef"] = ref
        if spec.name == "Bill":
            obj.setdefault("LinkedTxn", [])
            self._refresh_balance("Bill", obj)
            if not obj.get("DueDate"):
                obj["DueDate"] = obj["TxnDate"]
        elif spec.name == "VendorCredit":
            obj["Balance"] = num(total)
        elif spec.name == "PurchaseOrder":
            obj.setdefault("POStatus", "Open")

    def _journal_totals(self, obj: dict) -> None:
        debit = credit = ZERO
        lines = []
        for raw in obj.get("Line") or []:
            line = dict(raw)
            dt = line.get("DetailType")
            if dt == "DescriptionOnly":
                lines.append(line)
                continue
            if dt != "JournalEntryLineDetail":
                raise E.required_missing("JournalEntryLineDetail")
            detail = line.get("JournalEntryLineDetail") or {}
            posting = detail.get("PostingType")
            if posting not in ("Debit", "Credit"):
                raise E.required_missing("PostingType")
            if not detail.get("AccountRef"):
                raise E.required_missing("AccountRef")
            amount = money(line.get("Amount"))
            line["Amount"] = num(amount)
            account = self.objects["Account"].get(str(detail["AccountRef"].get("value")))
            entity = detail.get("Entity") or {}
            etype = entity.get("Type") if entity.get("EntityRef") else None
            if account is not None and account.get("AccountType") == "Accounts Receivable" and etype != "Customer":
                raise E.business("When you use Accounts Receivable, you must choose a customer in the Name field.")
            if account is not None and account.get("AccountType") == "Accounts Payable" and etype != "Vendor":
                raise E.business("When you use Accounts Payable, you must select a vendor in the Name field.")
            if posting == "Debit":
                debit += amount
            else:
                credit += amount
            lines.append(line)
        if debit != credit:
            raise E.business(f"You must balance debits and credits. Debits {debit} do not equal credits {credit}.")
        self._number_lines(lines)
        obj["Line"] = lines
        obj["TotalAmt"] = num(debit)
        obj.setdefault("Adjustment", False)


def _check_line_amount(amount: Decimal, detail: dict) -> None:
    """6070 when an item line carries Qty and UnitPrice and its Amount is not their product to the cent (half a
    cent either way: QBO's rounding mode is not documented). A line without Qty or UnitPrice is not checked
    (qbtui's scaled credit-note lines send the Amount alone)."""
    qty, price = detail.get("Qty"), detail.get("UnitPrice")
    if qty is None or price is None:
        return
    try:
        product = Decimal(str(qty)) * Decimal(str(price))
    except (InvalidOperation, ValueError):
        raise E.QBOError(2090, "Invalid Number", f"Invalid number for Qty or UnitPrice: {qty!r}, {price!r}") from None
    if abs(product - amount) > HALF_CENT:
        raise E.amount_calculation(amount, qty, price)


def _spec(entity: str, op: str) -> Spec:
    spec = SPECS.get(entity)
    if spec is None:
        raise E.unsupported_operation(f"{op} on {entity}")
    return spec


def _deep_merge(base: dict, patch: dict) -> dict:
    out = dict(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out
