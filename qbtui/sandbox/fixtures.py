"""The companies `--company` offers: empty, demo, unprepared and inventory (docs/cli.md#the-sandbox-server);
demo has an account for every role of docs/domain.md#mapping-roles."""

from __future__ import annotations

from datetime import datetime

from .clock import ZONE
from .company import Company
from .regions import Region, currency_name, region as region_of

#: when the fixture objects were "created" (outside any 30-day CDC window of today)
FIXTURE_TIME = datetime(2026, 8, 1, 9, 0, 0, tzinfo=ZONE)

EMPTY_ACCOUNTS = [
    # (Name, AccountType, AccountSubType)
    ("Accounts Receivable (A/R)", "Accounts Receivable", "AccountsReceivable"),
    ("Accounts Payable (A/P)", "Accounts Payable", "AccountsPayable"),
    ("Sales of Product Income", "Income", "SalesOfProductIncome"),
    ("Services", "Income", "ServiceFeeIncome"),
    ("Inventory Asset", "Other Current Asset", "Inventory"),
    ("Cost of Goods Sold", "Cost of Goods Sold", "SuppliesMaterialsCogs"),
    ("Undeposited Funds", "Other Current Asset", "UndepositedFunds"),
    ("Checking", "Bank", "Checking"),
    ("Opening Balance Equity", "Equity", "OpeningBalanceEquity"),
    ("Retained Earnings", "Equity", "RetainedEarnings"),
    ("Sales Tax Payable", "Other Current Liability", "SalesTaxPayable"),
    ("Uncategorized Income", "Income", "OtherPrimaryIncome"),
    ("Uncategorized Expense", "Expense", "OtherMiscellaneousServiceCost"),
]

DEMO_EXTRA_ACCOUNTS = [
    ("Inventory Discrepancy", "Expense", "SuppliesMaterials"),
    ("Payment Clearing", "Other Current Asset", "UndepositedFunds"),
    ("Supplier Deposits", "Other Current Asset", "OtherCurrentAssets"),
    ("Customer Credits", "Other Current Liability", "OtherCurrentLiabilities"),
    ("Gift Card Liability", "Other Current Liability", "OtherCurrentLiabilities"),
    ("Work in Progress", "Other Current Asset", "OtherCurrentAssets"),
    ("In-transit", "Other Current Asset", "OtherCurrentAssets"),
    ("Inventory Accrual", "Other Current Asset", "OtherCurrentAssets"),
    ("Stock in Transit", "Other Current Asset", "OtherCurrentAssets"),
    ("Realized Currency Gains", "Other Expense", "ExchangeGainOrLoss"),
    ("Unrealized Currency Gains", "Other Expense", "ExchangeGainOrLoss"),
    ("Shipping and Delivery", "Expense", "ShippingFreightDelivery"),
]

DEMO_CUSTOMERS = ["Bluebell Bakery", "Northwind Outfitters", "Kestrel & Co"]
DEMO_VENDORS = ["Clayworks Supply", "Pacific Packaging"]
DEMO_CLASSES = ["Retail", "Wholesale"]
DEMO_DEPARTMENTS = ["Main Warehouse", "Downtown Store"]
TERMS = [("Due on receipt", 0), ("Net 15", 15), ("Net 30", 30), ("Net 60", 60)]
COMPANIES = ("empty", "demo", "unprepared", "inventory")


def build(kind: str, realm_id: str, region: str = "us", multicurrency: bool = False) -> Company:
    """The company ``kind`` in ``region`` (regions.py: its country, home currency and tax codes), multicurrency
    on or off. The default (us, off) is the company as it always was, but for its tax codes: TAX and NON are
    pseudo codes with those Ids, as QBO lists them, beside a rate code (regions.py has the source)."""
    if kind not in COMPANIES:
        raise ValueError(f"unknown company {kind!r}")
    c = Company(realm_id)
    c.region = region_of(region).code
    _base(c, kind, multicurrency)
    if kind in ("demo", "unprepared", "inventory"):
        _demo(c)
    if kind == "unprepared":
        _unprepared(c)
    if kind == "inventory":
        _inventory(c)
    c.rebuild_indexes()
    return c


def _raw(c: Company, entity: str, obj: dict, obj_id: str | None = None) -> dict:
    stamp = FIXTURE_TIME.isoformat(timespec="seconds")
    obj_id = obj_id or c.new_id()
    obj.update({"Id": obj_id, "SyncToken": "0", "domain": "QBO", "sparse": False,
                "MetaData": {"CreateTime": stamp, "LastUpdatedTime": stamp}})
    c.objects[entity][obj_id] = obj
    return obj


def _base(c: Company, kind: str, multicurrency: bool = False) -> None:
    reg = c.region_info
    us = reg.code == "us"
    usd = kind != "unprepared"  # (us) the unprepared firm's home currency is CAD, as ever
    currency = reg.currency if not us else "USD" if usd else "CAD"
    _raw(c, "Preferences", {
        "AccountingInfoPrefs": {"TrackDepartments": kind != "empty", "DepartmentTerminology": "Location",
                                "ClassTrackingPerTxn": False, "ClassTrackingPerTxnLine": kind != "empty",
                                "CustomerTerminology": "Customers", "UseAccountNumbers": False},
        "ProductAndServicesPrefs": {"ForSales": True, "ForPurchase": True, "QuantityWithPriceAndRate": True,
                                    "QuantityOnHand": False},
        "SalesFormsPrefs": {"CustomTxnNumbers": True, "AllowDeposit": True, "AllowDiscount": True,
                            "AllowShipping": False, "AutoApplyCredit": True, "AutoApplyPayments": True,
                            "ETransactionEnabledStatus": "NotApplicable"},
        "VendorAndPurchasesPrefs": {"TrackingByCustomer": False, "BillableExpenseTracking": False},
        "TaxPrefs": {"UsingSalesTax": True},
        "CurrencyPrefs": {"MultiCurrencyEnabled": multicurrency, "HomeCurrency": {"value": currency}},
        # the duplicate-number warnings as a QBO company holds them (recorded: quickbooks_ruby_fixtures/
        # preferences.xml); WarnDuplicateJournalNumber decides whether a journal's duplicate DocNumber is refused
        "OtherPrefs": {"NameValue": [{"Name": "WarnDuplicateCheckNumber", "Value": "true"},
                                     {"Name": "WarnDuplicateBillNumber", "Value": "false"},
                                     {"Name": "WarnDuplicateJournalNumber", "Value": "false"}]},
    }, obj_id="1")
    _raw(c, "CompanyInfo", {
        "CompanyName": {"empty": "Sandbox Company", "demo": "Harbourside Goods (demo)",
                        "unprepared": "Harbourside Goods (unprepared)",
                        "inventory": "Harbourside Goods (tracked inventory in QuickBooks)"}[kind],
        "LegalName": "Harbourside Goods Ltd", "Country": reg.country if not us else "US" if usd else "CA",
        "CompanyAddr": dict(reg.address) if not us else
                       {"Line1": "1 Harbour Way", "City": "Portland", "CountrySubDivisionCode": "OR",
                        "PostalCode": "97201"} if usd else
                       {"Line1": "1 Harbour Way", "City": "Vancouver", "CountrySubDivisionCode": "BC",
                        "PostalCode": "V6B 1A1"},
        "FiscalYearStartMonth": "January", "SupportedLanguages": "en", "CompanyStartDate": "2026-01-01",
        "NameValue": [{"Name": "OfferingSku", "Value": "QuickBooks Online Plus"}],
    }, obj_id=c.realm_id)
    c.next_id = 2
    _taxes(c, reg)
    for name, days in TERMS:
        _raw(c, "Term", {"Name": name, "Active": True, "Type": "STANDARD", "DueDays": days})
    for name, acc_type, sub in EMPTY_ACCOUNTS:
        _account(c, name, acc_type, sub, currency)


def _taxes(c: Company, reg: Region) -> None:
    """The region's tax rates and codes (regions.py). The US: the rate (Id 2), the pseudo codes TAX and NON (Ids
    "TAX" and "NON", as QBO lists them) and the rate code (Id 3); Id 4 is left unused so that every later Id is what
    it always was."""
    agencies = {name: str(i) for i, name in enumerate(dict.fromkeys(r.agency for r in reg.rates), 1)}
    rates = {}
    for r in reg.rates:
        rates[r.name] = _raw(c, "TaxRate", {"Name": r.name, "Description": r.name, "RateValue": float(r.value),
                                            "Active": True, "AgencyRef": {"value": agencies[r.agency],
                                                                          "name": r.agency},
                                            "SpecialTaxType": "NONE", "DisplayType": "ReadOnly"})

    def listing(names: tuple[str, ...]) -> dict:
        return {"TaxRateDetail": [{"TaxRateRef": {"value": rates[n]["Id"], "name": n},
                                   "TaxTypeApplicable": "TaxOnAmount", "TaxOrder": 0} for n in names]}

    if reg.code == "us":
        for name, taxable in (("TAX", True), ("NON", False)):
            _raw(c, "TaxCode", {"Name": name, "Description": name, "Active": True, "Taxable": taxable,
                                "TaxGroup": False}, obj_id=name)
    for code in reg.codes:
        _raw(c, "TaxCode", {"Name": code.name, "Description": code.description, "Active": True,
                            "Taxable": bool(code.sales or code.purchase), "TaxGroup": bool(code.sales or code.purchase),
                            "SalesTaxRateList": listing(code.sales), "PurchaseTaxRateList": listing(code.purchase)})
    if reg.code == "us":
        c.new_id()


def _tax_ref(c: Company) -> dict:
    """What the sample documents' lines carry: nothing in the US (as ever), the region's sample code elsewhere."""
    name = c.region_info.sample_code
    if name is None:
        return {}
    code = next(o for o in c.objects["TaxCode"].values() if o["Name"] == name)
    return {"TaxCodeRef": {"value": code["Id"], "name": name}}


def _account(c: Company, name: str, acc_type: str, sub: str, currency: str) -> dict:
    from .entities import ACCOUNT_CLASSIFICATION
    return _raw(c, "Account", {"Name": name, "FullyQualifiedName": name, "SubAccount": False, "Active": True,
                               "AccountType": acc_type, "AccountSubType": sub,
                               "Classification": ACCOUNT_CLASSIFICATION[acc_type], "CurrentBalance": 0,
                               "CurrentBalanceWithSubAccounts": 0,
                               "CurrencyRef": {"value": currency, "name": currency_name(currency)}})


def _acc(c: Company, name: str) -> dict:
    for acc in c.objects["Account"].values():
        if acc["Name"] == name:
            return {"value": acc["Id"], "name": name}
    raise KeyError(name)


def _demo(c: Company) -> None:
    prefs = c.objects["Preferences"]["1"]
    prefs["AccountingInfoPrefs"]["BookCloseDate"] = "2026-09-30"
    # "Automatically apply credits" stays on, as in a new company and the recorded preferences: QBO applies every new
    # credit memo to the customer's oldest open invoice, and qbtui takes that off (docs/qbo.md#applying-credit-notes)
    for name, acc_type, sub in DEMO_EXTRA_ACCOUNTS:
        _account(c, name, acc_type, sub, c.home_currency)
    for name in DEMO_CLASSES:
        _raw(c, "Class", {"Name": name, "FullyQualifiedName": name, "SubClass": False, "Active": True})
    for name in DEMO_DEPARTMENTS:
        _raw(c, "Department", {"Name": name, "FullyQualifiedName": name, "SubDepartment": False, "Active": True})
    c.rebuild_indexes()
    at = FIXTURE_TIME
    customers = [c.create("Customer", {"DisplayName": n, "CompanyName": n}, at=at) for n in DEMO_CUSTOMERS]
    vendors = [c.create("Vendor", {"DisplayName": n, "CompanyName": n}, at=at) for n in DEMO_VENDORS]
    income, cogs = _acc(c, "Sales of Product Income"), _acc(c, "Cost of Goods Sold")
    services = _acc(c, "Services")
    items = [
        c.create("Item", {"Name": "Design Consultation", "Type": "Service", "UnitPrice": 75,
                          "IncomeAccountRef": services, "ExpenseAccountRef": cogs}, at=at),
        c.create("Item", {"Name": "Gift Wrapping", "Type": "NonInventory", "UnitPrice": 4.5,
                          "IncomeAccountRef": income, "ExpenseAccountRef": cogs}, at=at),
        c.create("Item", {"Name": "Shipping", "Type": "Service", "UnitPrice": 12,
                          "IncomeAccountRef": income}, at=at),
    ]
    ref = lambda o: {"value": o["Id"]}  # noqa: E731
    tax = _tax_ref(c)
    inv = c.create("Invoice", {"DocNumber": "1001", "TxnDate": "2026-09-10", "CustomerRef": ref(customers[0]),
                               "Line": [{"DetailType": "SalesItemLineDetail", "Amount": 150.0,
                                         "SalesItemLineDetail": {"ItemRef": ref(items[0]), "Qty": 2,
                                                                 "UnitPrice": 75, **tax}}]},
                   at=at, check_close=False)
    c.create("Invoice", {"DocNumber": "1002", "TxnDate": "2026-09-20", "CustomerRef": ref(customers[1]),
                         "Line": [{"DetailType": "SalesItemLineDetail", "Amount": 45.0,
                                   "SalesItemLineDetail": {"ItemRef": ref(items[1]), "Qty": 10,
                                                           "UnitPrice": 4.5, **tax}}]},
             at=at, check_close=False)
    paid = inv["TotalAmt"]  # 150.0, tax included outside the US
    c.create("Payment", {"TxnDate": "2026-09-25", "CustomerRef": ref(customers[0]), "TotalAmt": paid,
                         "PaymentRefNum": "CHK-2001",
                         "Line": [{"Amount": paid, "LinkedTxn": [{"TxnId": inv["Id"], "TxnType": "Invoice"}]}]},
             at=at, check_close=False)
    c.create("Bill", {"DocNumber": "CS-881", "TxnDate": "2026-09-05", "VendorRef": ref(vendors[0]),
                      "Line": [{"DetailType": "AccountBasedExpenseLineDetail", "Amount": 320.0,
                                "AccountBasedExpenseLineDetail": {"AccountRef": _acc(c, "Inventory Asset"),
                                                                  **tax}}]},
             at=at, check_close=False)
    c.create("JournalEntry", {"DocNumber": "OPEN-1", "TxnDate": "2026-09-01", "PrivateNote": "Opening cash",
                              "Line": [
                                  {"DetailType": "JournalEntryLineDetail", "Amount": 5000.0,
                                   "JournalEntryLineDetail": {"PostingType": "Debit",
                                                              "AccountRef": _acc(c, "Checking")}},
                                  {"DetailType": "JournalEntryLineDetail", "Amount": 5000.0,
                                   "JournalEntryLineDetail": {"PostingType": "Credit",
                                                              "AccountRef": _acc(c, "Opening Balance Equity")}}]},
             at=at, check_close=False)


def _unprepared(c: Company) -> None:
    prefs = c.objects["Preferences"]["1"]
    prefs["ProductAndServicesPrefs"]["QuantityOnHand"] = True
    prefs["AccountingInfoPrefs"]["BookCloseDate"] = "2026-10-31"
    if c.region == "us":
        prefs["CurrencyPrefs"]["HomeCurrency"] = {"value": "CAD"}  # (as _base: the unprepared firm's, in the US)
    c.create("Item", {"Name": "Ceramic Mug", "Sku": "MUG-01", "Type": "Inventory", "UnitPrice": 18,
                      "PurchaseCost": 6.5, "QtyOnHand": 24, "InvStartDate": "2026-01-01",
                      "IncomeAccountRef": _acc(c, "Sales of Product Income"),
                      "ExpenseAccountRef": _acc(c, "Cost of Goods Sold"),
                      "AssetAccountRef": _acc(c, "Inventory Asset")}, at=FIXTURE_TIME)
    c.create("Vendor", {"DisplayName": "Harbour Cafe", "CompanyName": "Harbour Cafe"}, at=FIXTURE_TIME)


#: the items a firm that tracked inventory in QBO left behind (the demo's sample products have their names)
INVENTORY_ITEMS = ("Stoneware mug", "Dinner plate")


def _inventory(c: Company) -> None:
    """A firm that tracked inventory in QBO before: tracking is off now (USD, as demo), but an active Inventory
    item is left (QBO posts its own cost of goods sold on every sale of it) and a NonInventory item expensed to
    Cost of Goods Sold (a bill for it expenses stock instead of adding to the asset). Both are named like
    products of the demo's sample data, so that the product gate `product.qbo_item_conflict` shows."""
    income, cogs = _acc(c, "Sales of Product Income"), _acc(c, "Cost of Goods Sold")
    asset = _acc(c, "Inventory Asset")
    c.create("Item", {"Name": INVENTORY_ITEMS[0], "Sku": "MUG-01", "Type": "Inventory", "TrackQtyOnHand": True,
                      "UnitPrice": 12.5, "PurchaseCost": 4.1, "QtyOnHand": 40, "InvStartDate": "2026-01-01",
                      "IncomeAccountRef": income, "ExpenseAccountRef": cogs, "AssetAccountRef": asset},
             at=FIXTURE_TIME)
    c.create("Item", {"Name": INVENTORY_ITEMS[1], "Sku": "PLT-02", "Type": "NonInventory", "UnitPrice": 18,
                      "PurchaseCost": 6.25, "IncomeAccountRef": income, "ExpenseAccountRef": cogs},
             at=FIXTURE_TIME)
    # the 40 mugs at 4.10 that QBO's own inventory tracking valued
    c.get("Account", asset["value"])["CurrentBalance"] = 164.0
