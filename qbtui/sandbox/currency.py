"""Multicurrency (`--multicurrency`): what QBO does once ``Preferences.CurrencyPrefs.MultiCurrencyEnabled`` is on.
Each rule's source (or *unverified*) is here and in docs/qbo.md#multicurrency-in-the-sandbox.

- A transaction is in its contact's currency: ``CurrencyRef`` defaults to the customer's or vendor's currency,
  and another currency is 6000. [Intuit's "Manage multiple currencies": a customer or vendor has one currency and
  its transactions use it; the sandbox's wording of the refusal: *unverified*]
- ``ExchangeRate`` is "the number of home currency units it takes to equal one foreign currency unit" [Intuit's
  "Manage multiple currencies"]; 1 in the home currency; a foreign transaction sent without one takes the
  company's rate for its date (``GET exchangerate``; the sandbox's own table when none was set) [an integrator's
  report: without a rate "QBO falls back to an exchange rate of 1",
  https://github.com/intuit/quickbooks-online-mcp-server/issues/75; QBO's own daily rates: *unverified*].
  ``HomeTotalAmt`` (and ``HomeBalance``) is the amount times the rate, half up [Intuit's page: "a convenience
  field"; the rounding: *unverified*].
- One A/R and one A/P account per currency: the home currency's is "Accounts Receivable (A/R)" / "Accounts Payable
  (A/P)", another currency's "Accounts Receivable (A/R) - EUR" / "Accounts Payable (A/P) - EUR", created by QBO the
  first time a transaction uses the currency [integrators' charts of accounts and rules ("Accounts Receivable (A/R)
  - CAD", "Accounts Payable (A/P) - EUR"); a QBO tutorial: "QBO created that account on its own. We only needed to
  create the invoice for a Euro customer"; PortPro: QBO "only supports one default Accounts Receivable (AR)
  account per currency"]. Every stored invoice, credit memo and payment carries its ``ARAccountRef``, every bill,
  vendor credit, purchase order and bill payment its ``APAccountRef``; an A/R or A/P account in another currency
  is 6000 "The transaction needs to be in the same currency as the A/R and A/P accounts you use." [Connex and
  Expensify's QBO error articles quote it]. A journal entry's line on an A/R or A/P account is held to the same
  rule: QBO blocks a journal whose A/R or A/P accounts, contacts and currency do not all match [Dancing Numbers,
  "QuickBooks Multi-Currency: Journal Entry Error Message" (the screen's wording "Only home currency A/R and A/P
  accounts can be used with home currency balance sheet accounts"); Expensify: journal entries fail when "the
  account currency has to match"; the API's code and wording for a journal: *unverified*, the sandbox answers the
  6000 above with ``element`` "Line"].
- A currency used for the first time joins the company's currency list (``CompanyCurrency``) [python-quickbooks
  has the entity; when QBO adds it: *unverified*].
- A payment (or bill payment) carries its own rate; what it clears of an invoice at the invoice's rate and what it
  brings at its own differ by the realised exchange gain or loss, which QBO posts to its "Exchange Gain or Loss"
  account [QBO's multicurrency: "the proper accounting for exchange rate gains and losses" (E-Tech); the account's
  name and type (Other Expense, ``ExchangeGainOrLoss``): *unverified*]. The API's payment shows only its
  ``ExchangeRate``; the gain shows in the reports (reports.py posts it).
"""

from __future__ import annotations

from collections.abc import Container
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from . import errors as E
from .regions import currency_name

CENT = Decimal("0.01")
AR_ENTITIES = frozenset({"Invoice", "CreditMemo", "Payment"})
AP_ENTITIES = frozenset({"Bill", "VendorCredit", "BillPayment", "PurchaseOrder"})
CUSTOMER_SIDE = frozenset({"Invoice", "CreditMemo", "Payment", "Estimate", "SalesReceipt", "RefundReceipt"})
VENDOR_SIDE = frozenset({"Bill", "VendorCredit", "BillPayment", "PurchaseOrder"})
#: the entities whose schema has HomeTotalAmt / HomeBalance (qbo_schema.json)
HOME_TOTAL = frozenset({"Invoice", "CreditMemo", "Estimate", "SalesReceipt", "RefundReceipt"})
HOME_BALANCE = frozenset({"Invoice", "CreditMemo", "Estimate", "SalesReceipt", "RefundReceipt", "Bill"})
GAIN_ACCOUNT = "Exchange Gain or Loss"
#: units of USD one unit of each currency buys: the sandbox's own figures (not QBO's feed), crossed for other homes
USD_PER = {"USD": "1", "EUR": "1.08", "GBP": "1.27", "CAD": "0.73", "AUD": "0.66", "NZD": "0.60", "JPY": "0.0067",
           "CHF": "1.13", "SGD": "0.74", "HKD": "0.128", "CNY": "0.138", "INR": "0.012", "MXN": "0.058",
           "ZAR": "0.054", "SEK": "0.095", "NOK": "0.093", "DKK": "0.145"}
SAME_CURRENCY = "The transaction needs to be in the same currency as the A/R and A/P accounts you use."


def enabled(company: Any) -> bool:
    value = (company.preferences.get("CurrencyPrefs") or {}).get("MultiCurrencyEnabled")
    return value is True or str(value).lower() == "true"


def half_up(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _value(ref: Any) -> str | None:
    if isinstance(ref, dict):
        ref = ref.get("value")
    return None if ref in (None, "") else str(ref)


def ref(code: str) -> dict:
    return {"value": code, "name": currency_name(code)}


def contact(company: Any, entity: str, obj: dict) -> dict | None:
    field, kind = (("CustomerRef", "Customer") if entity in CUSTOMER_SIDE else
                   ("VendorRef", "Vendor") if entity in VENDOR_SIDE else (None, None))
    if field is None:
        return None
    value = _value(obj.get(field))
    return company.objects[kind].get(value) if value else None


def contact_currency(who: dict | None, home: str) -> str:
    return _value((who or {}).get("CurrencyRef")) or home


def default_currency(company: Any, entity: str, obj: dict) -> dict:
    """A new transaction's CurrencyRef: its contact's currency (the home currency without one)."""
    return ref(contact_currency(contact(company, entity, obj), company.home_currency))


def rate(company: Any, source: str, as_of: str | None) -> Decimal:
    """Home-currency units per unit of ``source`` on ``as_of``: a rate set through the API (the newest on or before
    the date), else the sandbox's table."""
    home = company.home_currency
    if source == home:
        return Decimal(1)
    set_rates = sorted((d, r) for (s, d), r in company.exchange_rates.items()
                       if s == source and (as_of is None or d <= as_of))
    if set_rates:
        return Decimal(str(set_rates[-1][1]))
    if source in USD_PER and home in USD_PER:
        return (Decimal(USD_PER[source]) / Decimal(USD_PER[home])).quantize(Decimal("0.000001"))
    return Decimal(1)


def exchange_rate_object(company: Any, source: str, as_of: str) -> dict:
    return {"SourceCurrencyCode": source, "TargetCurrencyCode": company.home_currency,
            "Rate": float(rate(company, source, as_of)), "AsOfDate": as_of, "SyncToken": "0", "domain": "QBO",
            "sparse": False}


def note_currency(company: Any, code: str | None) -> None:
    """The company's currency list gains ``code`` the first time it is used."""
    if not code or code == company.home_currency:
        return
    for cur in company.objects["CompanyCurrency"].values():
        if cur.get("Code") == code:
            return
    company.add_object("CompanyCurrency", {"Code": code, "Name": currency_name(code), "Active": True})


def check(company: Any, entity: str, obj: dict) -> None:
    """The refusals (on a write with multicurrency on); the refs exist by now."""
    code = _value(obj.get("CurrencyRef")) or company.home_currency
    who = contact(company, entity, obj)
    if who is not None:
        theirs = contact_currency(who, company.home_currency)
        if theirs != code:
            name = who.get("DisplayName")
            raise E.business(f"The currency of the transaction ({code}) must be the currency of {name!r} "
                             f"({theirs}).")
    for field in ("ARAccountRef", "APAccountRef"):
        _same_currency(company, obj.get(field), code, field)
    # a journal's line on an A/R or A/P account: the same rule [Dancing Numbers, "QuickBooks Multi-Currency: Journal
    # Entry Error Message"; the API's code and wording for a journal: unverified] (module docstring)
    if entity == "JournalEntry":
        for line in obj.get("Line") or []:
            detail = (line.get("JournalEntryLineDetail") if isinstance(line, dict) else None) or {}
            _same_currency(company, detail.get("AccountRef"), code, "Line", CONTROL_NAMES)


def _same_currency(company: Any, account_ref: Any, code: str, element: str,
                   types: Container[str] | None = None) -> None:
    """6000 SAME_CURRENCY when ``account_ref`` names an account (of one of ``types``: any when None) in another
    currency than ``code``."""
    value = _value(account_ref)
    account = company.objects["Account"].get(value) if value is not None else None
    if account is None or (types is not None and account.get("AccountType") not in types):
        return
    if (_value(account.get("CurrencyRef")) or company.home_currency) != code:
        raise E.QBOError(6000, "A business validation error has occurred while processing your request",
                         f"Business Validation Error: {SAME_CURRENCY}", element=element)


def settle(company: Any, entity: str, obj: dict) -> None:
    """After the checks: the currency, the rate, the A/R or A/P account of the currency (made when first used)."""
    code = _value(obj.get("CurrencyRef")) or company.home_currency
    obj["CurrencyRef"] = ref(code)
    if code == company.home_currency:
        obj["ExchangeRate"] = 1
    elif obj.get("ExchangeRate") in (None, ""):
        obj["ExchangeRate"] = float(rate(company, code, obj.get("TxnDate")))
    note_currency(company, code)
    if entity in AR_ENTITIES and not _value(obj.get("ARAccountRef")):
        obj["ARAccountRef"] = control_account(company, "Accounts Receivable", code)
    if entity in AP_ENTITIES and not _value(obj.get("APAccountRef")):
        obj["APAccountRef"] = control_account(company, "Accounts Payable", code)
    if GAIN_ACCOUNT not in {a.get("Name") for a in company.objects["Account"].values()}:
        company.add_account(GAIN_ACCOUNT, "Other Expense", "ExchangeGainOrLoss", company.home_currency)


def home_amounts(entity: str, obj: dict) -> None:
    rate_ = Decimal(str(obj.get("ExchangeRate") or 1))
    if entity in HOME_TOTAL and obj.get("TotalAmt") is not None:
        obj["HomeTotalAmt"] = float(half_up(Decimal(str(obj["TotalAmt"])) * rate_))
    if entity in HOME_BALANCE and obj.get("Balance") is not None:
        obj["HomeBalance"] = float(half_up(Decimal(str(obj["Balance"])) * rate_))


CONTROL_NAMES = {"Accounts Receivable": ("Accounts Receivable (A/R)", "AccountsReceivable"),
                 "Accounts Payable": ("Accounts Payable (A/P)", "AccountsPayable")}


def control_account(company: Any, acc_type: str, code: str) -> dict:
    """The A/R or A/P account of ``code``: the active one of that type and currency, else a new one named as QBO
    names it."""
    for acc in company.objects["Account"].values():
        if acc.get("AccountType") == acc_type and acc.get("Active", True) \
                and (_value(acc.get("CurrencyRef")) or company.home_currency) == code:
            return {"value": acc["Id"], "name": acc["Name"]}
    base, sub = CONTROL_NAMES[acc_type]
    name = base if code == company.home_currency else f"{base} - {code}"
    acc = company.add_account(name, acc_type, sub, code)
    return {"value": acc["Id"], "name": acc["Name"]}
