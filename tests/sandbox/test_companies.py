"""--company empty|demo|unprepared as docs/cli.md#the-sandbox-server describes them; every mapping role of
docs/domain.md#mapping-roles."""

from __future__ import annotations

import pytest

from qbtui.sandbox.fixtures import build

# role: (allowed (AccountType, AccountSubType or None), auto-match names) from docs/domain.md#mapping-roles
ROLES = {
    "inventory_asset": ([("Other Current Asset", "Inventory")], ["Inventory Asset", "Inventory"]),
    "cogs": ([("Cost of Goods Sold", None)], ["Cost of Goods Sold", "COGS"]),
    "inventory_discrepancy": ([("Expense", "SuppliesMaterials"), ("Cost of Goods Sold", None)],
                              ["Inventory Discrepancy", "Inventory Adjustments"]),
    "sales_income": ([("Income", None)], ["Sales of Product Income", "Sales", "Revenue"]),
    "accounts_receivable": ([("Accounts Receivable", None)], ["Accounts Receivable (A/R)"]),
    "accounts_payable": ([("Accounts Payable", None)], ["Accounts Payable (A/P)"]),
    "payment_clearing": ([("Other Current Asset", "UndepositedFunds"), ("Bank", None)],
                         ["Payment Clearing", "Undeposited Funds"]),
    "bank": ([("Bank", None)], ["Checking", "Bank"]),
    "supplier_deposits": ([("Other Current Asset", None)], ["Supplier Deposits"]),
    "customer_credits": ([("Other Current Liability", None)], ["Customer Credits", "Store Credit"]),
    "gift_card_liability": ([("Other Current Liability", None), ("Credit Card", None)], ["Gift Card Liability"]),
    "opening_balance_equity": ([("Equity", "OpeningBalanceEquity")], ["Opening Balance Equity"]),
    "work_in_progress": ([("Other Current Asset", None)], ["Work in Progress"]),
    "in_transit": ([("Other Current Asset", None)], ["In-transit"]),
    "inventory_accrual": ([("Other Current Asset", None)], ["Inventory Accrual"]),
    "stock_in_transit": ([("Other Current Asset", None)], ["Stock in Transit"]),
    "realized_currency_gains": ([("Expense", "ExchangeGainOrLoss"), ("Other Expense", None)],
                                ["Realized Currency Gains"]),
    "unrealized_currency_gains": ([("Expense", "ExchangeGainOrLoss"), ("Other Expense", None)],
                                  ["Unrealized Currency Gains"]),
}


def match(company, role):
    allowed, names = ROLES[role]
    for acc in company.objects["Account"].values():
        if acc["Name"] in names and any(acc["AccountType"] == t and (s is None or acc["AccountSubType"] == s)
                                        for t, s in allowed):
            return acc
    return None


@pytest.mark.parametrize("kind", ["demo", "unprepared"])
def test_every_mapping_role_auto_matches(kind):
    company = build(kind, "1")
    missing = [role for role in ROLES if match(company, role) is None]
    assert missing == []


def test_empty_company():
    c = build("empty", "1")
    names = {a["Name"] for a in c.objects["Account"].values()}
    assert {"Accounts Receivable (A/R)", "Accounts Payable (A/P)", "Sales of Product Income", "Inventory Asset",
            "Cost of Goods Sold", "Undeposited Funds", "Checking", "Opening Balance Equity"} <= names
    assert any(a["AccountSubType"] == "SalesTaxPayable" for a in c.objects["Account"].values())
    for entity in ("Customer", "Vendor", "Employee", "Item", "Invoice", "Payment", "Bill", "JournalEntry"):
        assert c.objects[entity] == {}
    assert c.home_currency == "USD" and c.book_close_date is None
    prefs = c.preferences
    assert prefs["CurrencyPrefs"]["MultiCurrencyEnabled"] is False
    assert prefs["ProductAndServicesPrefs"]["QuantityOnHand"] is False


def test_demo_company():
    c = build("demo", "1")
    assert c.book_close_date == "2026-09-30" and c.home_currency == "USD"
    assert c.preferences["ProductAndServicesPrefs"]["QuantityOnHand"] is False
    assert {t["Name"] for t in c.objects["Term"].values()} >= {"Net 30", "Net 15", "Due on receipt"}
    # the US pseudo codes (Ids "TAX" and "NON", as Intuit's TaxCode reference lists them) and a rate code
    assert {t["Name"] for t in c.objects["TaxCode"].values()} == {"TAX", "NON", "State Sales Tax"}
    assert c.objects["TaxCode"]["TAX"]["TaxGroup"] is False and c.objects["TaxCode"]["3"]["TaxGroup"] is True
    for entity in ("Class", "Department", "Customer", "Vendor", "Item", "Invoice", "Payment", "Bill", "JournalEntry"):
        assert c.objects[entity], entity
    assert all(o["TxnDate"] <= "2026-09-30" for o in c.objects["Invoice"].values())
    assert c.find_by_name("Vendor", "Harbour Cafe") is None
    assert all(o["Type"] != "Inventory" for o in c.objects["Item"].values())
    assert all(i.isdigit() for name, e in c.objects.items() for i in e if name != "TaxCode" or i not in ("TAX", "NON"))


def test_unprepared_company():
    c = build("unprepared", "1")
    assert c.book_close_date == "2026-10-31" and c.home_currency == "CAD"
    assert c.preferences["ProductAndServicesPrefs"]["QuantityOnHand"] is True
    mug = [i for i in c.objects["Item"].values() if i.get("Sku") == "MUG-01"]
    assert len(mug) == 1 and mug[0]["Type"] == "Inventory" and mug[0]["Active"] is True
    assert c.find_by_name("Vendor", "Harbour Cafe") is not None
    assert c.company_info["Country"] == "CA"
