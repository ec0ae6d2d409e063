"""QBO's rules that read other objects or the company's preferences: account types per field, a payment's links,
custom transaction numbers, duplicate journal numbers and auto-apply. Each rule's source (or "unverified") is in
its docstring and in docs/qbo.md#what-the-sandbox-enforces; :class:`qbtui.sandbox.company.Company` calls them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Protocol

from . import errors as E


class Company(Protocol):
    """What the rules read of :class:`qbtui.sandbox.company.Company` (which imports this module)."""

    objects: dict[str, dict[str, dict]]

    @property
    def preferences(self) -> dict: ...

# --- account types per field -----------------------------------------------------------------------------------

#: top-level ref field -> the account types QBO takes there (any entity that has the field)
ACCOUNT_FIELDS: dict[str, frozenset[str]] = {
    # Intuit's reference (Invoice, Payment pages: the AR account); the schema's own words (Finance.xsd) for A/P:
    # "the account must be a Liability account, and further, the sub-type must be of type Payables"
    "ARAccountRef": frozenset({"Accounts Receivable"}),
    "APAccountRef": frozenset({"Accounts Payable"}),
    # Intuit's Payment and SalesReceipt pages ("Account.AccountType=Other Current Asset or Bank"); Bill.com's QBO
    # sync-error article says the same of a payment's deposit account
    "DepositToAccountRef": frozenset({"Bank", "Other Current Asset"}),
}
#: receipts may also be paid into or refunded from a credit card account (unverified: accepted, to stay
#: conservative)
RECEIPT_DEPOSIT = ACCOUNT_FIELDS["DepositToAccountRef"] | {"Credit Card"}
#: an item's accounts: Intuit's Item page (income: Income; asset: Other Current Asset; expense: Cost of Goods Sold).
#: Other Income, Expense and Other Expense are the same families (unverified); Other Current Asset for the expense
#: is how qbtui's stock products (and its peers) expense purchases to the inventory asset: unverified on a real
#: company, accepted here. Intuit's schema adds that a service item's expense "may also be an equity account".
ITEM_ACCOUNTS: dict[str, frozenset[str]] = {
    "IncomeAccountRef": frozenset({"Income", "Other Income"}),
    "AssetAccountRef": frozenset({"Other Current Asset"}),
    "ExpenseAccountRef": frozenset({"Cost of Goods Sold", "Expense", "Other Expense", "Other Current Asset"}),
}
SERVICE_EXPENSE = ITEM_ACCOUNTS["ExpenseAccountRef"] | {"Equity"}
#: a bill payment's account: "Must be a Bank account" / "Must be a Credit Card account" (Finance.xsd)
BILL_PAYMENT_ACCOUNTS = {("CheckPayment", "BankAccountRef"): frozenset({"Bank"}),
                         ("CreditCardPayment", "CCAccountRef"): frozenset({"Credit Card"})}


def invalid_account_type(field: str, account: dict, allowed: frozenset[str]) -> E.QBOError:
    """QBO's words for an account of the wrong type, as integrators report them (https://github.com/ruckus/quickbooks-ruby/issues/229 and
    https://github.com/ruckus/quickbooks-ruby/issues/532: "Invalid account type: You need to select a different type of account for this transaction."). The code
    is not in those threads: 6000, QBO's business validation code, is the closest established one (unverified);
    so is `element` naming the field."""
    return E.QBOError(6000, "A business validation error has occurred while processing your request",
                      "Business Validation Error: Invalid account type: You need to select a different type of "
                      f"account for this transaction. ({field}: account {account.get('Id')} "
                      f"{account.get('Name')!r} is {account.get('AccountType')}; expected "
                      f"{' or '.join(sorted(allowed))})", element=field)


def check_account_types(company: Company, entity: str, obj: dict) -> None:
    """6000 when a ref field names an account of a type QBO does not take there (the refs exist by now)."""
    checks: list[tuple[str, Any, frozenset[str]]] = []
    for field, allowed in ACCOUNT_FIELDS.items():
        if field == "DepositToAccountRef" and entity in ("SalesReceipt", "RefundReceipt"):
            allowed = RECEIPT_DEPOSIT
        checks.append((field, obj.get(field), allowed))
    if entity == "Item":
        for field, allowed in ITEM_ACCOUNTS.items():
            if field == "ExpenseAccountRef" and obj.get("Type") == "Service":
                allowed = SERVICE_EXPENSE
            checks.append((field, obj.get(field), allowed))
    if entity == "BillPayment":
        for (outer, field), allowed in BILL_PAYMENT_ACCOUNTS.items():
            inner = obj.get(outer)
            checks.append((f"{outer}.{field}", inner.get(field) if isinstance(inner, dict) else None, allowed))
    for field, ref, allowed in checks:
        if not isinstance(ref, dict) or ref.get("value") in (None, ""):
            continue
        account = company.objects["Account"].get(str(ref["value"]))
        if account is not None and account.get("AccountType") not in allowed:
            raise invalid_account_type(field, account, allowed)


# --- a payment's links ---------------------------------------------------------------------------------------

def check_link_customer(pay: dict, linked: dict, target: str) -> None:
    """A payment may only apply a transaction of its own customer. QBO's answer is not established; integrators
    report 610 "Object Not Found" for a payment line linking a transaction QBO cannot apply
    (https://github.com/ruckus/quickbooks-ruby/issues/277), the closest established answer (unverified for another customer's invoice)."""
    ours = str((pay.get("CustomerRef") or {}).get("value", ""))
    theirs = str((linked.get("CustomerRef") or {}).get("value", ""))
    if ours != theirs:
        raise E.QBOError(610, "Object Not Found",
                         "Object Not Found : Something you're trying to use has been made inactive. Check the "
                         f"fields with accounts, customers, items, vendors or employees. ({target} "
                         f"{linked['Id']} belongs to customer {theirs}, not to this payment's customer {ours})",
                         element="LinkedTxn")


# --- preferences -----------------------------------------------------------------------------------------------

SALES_FORMS = ("Invoice", "CreditMemo", "SalesReceipt", "RefundReceipt", "Estimate")
#: the first number QBO gives a sales form when none was given before (as QBO's sample companies start, 1001)
FIRST_DOC_NUMBER = 1001


def sales_pref(company: Company, name: str, default: bool = True) -> bool:
    value = (company.preferences.get("SalesFormsPrefs") or {}).get(name, default)
    return value is True or str(value).lower() == "true"


def other_pref(company: Company, name: str, default: bool = False) -> bool:
    """An OtherPrefs name-value read as a boolean (recorded as strings: "true"/"false")."""
    for pair in (company.preferences.get("OtherPrefs") or {}).get("NameValue") or []:
        if isinstance(pair, dict) and pair.get("Name") == name:
            return str(pair.get("Value")).lower() == "true"
    return default


def assign_doc_number(company: Company, entity: str, obj: dict) -> None:
    """A sales form created without a DocNumber: with CustomTxnNumbers off (or AutoDocNumber true) QBO numbers it
    "by incrementing the last number by 1"; with CustomTxnNumbers on it stays without one ("the resulting DocNumber
    is null"). Intuit's reference (Invoice page, DocNumber and AutoDocNumber). One sequence for all sales forms
    is unverified."""
    if entity not in SALES_FORMS or obj.get("DocNumber"):
        return
    if sales_pref(company, "CustomTxnNumbers") and obj.get("AutoDocNumber") is not True:
        return
    last = FIRST_DOC_NUMBER - 1
    for name in SALES_FORMS:
        for other in company.objects[name].values():
            doc = str(other.get("DocNumber") or "")
            if doc.isdigit():
                last = max(last, int(doc))
    obj["DocNumber"] = str(last + 1)


def refuses_duplicate(company: Company, entity: str) -> bool:
    """Whether a duplicate DocNumber is refused (6140). Sales forms: only with CustomTxnNumbers on; with it off
    "that value is stored even if it is a duplicate" (Intuit's Invoice page, DocNumber, as quoted by integrators'
    SDKs). Journal entries: only when OtherPrefs WarnDuplicateJournalNumber is true ("Throws an error when
    duplicate DocNumber is sent ... check the setting of Preferences:OtherPrefs", Intuit's reference; the
    recorded preferences hold WarnDuplicateJournalNumber false, and a company without the pair is taken as
    false). Other entities: as before (refused)."""
    if entity in SALES_FORMS:
        return sales_pref(company, "CustomTxnNumbers")
    if entity == "JournalEntry":
        return other_pref(company, "WarnDuplicateJournalNumber")
    return True


def open_invoices(company: Company, customer_id: str) -> list[dict]:
    """The customer's invoices with a balance, oldest first (TxnDate, then Id)."""
    hits = [inv for inv in company.objects["Invoice"].values()
            if str((inv.get("CustomerRef") or {}).get("value", "")) == customer_id
            and Decimal(str(inv.get("Balance") or 0)) > 0]
    return sorted(hits, key=lambda inv: (str(inv.get("TxnDate") or ""), int(inv["Id"])))
