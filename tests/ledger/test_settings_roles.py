"""Settings (docs/domain.md#settings) and mapping roles (docs/domain.md#mapping-roles)."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from qbtui.ledger import REQUIRED_ROLES, ROLE_BY_NAME, auto_map, mapping_problems, match_by_name
from qbtui.settings import SETTINGS, SettingError, Settings, parse_setting, settings_table


def test_every_setting_of_the_domain_is_in_the_table():
    for key in ("integration_mode", "base_currency", "filter_start_date", "export_purchase_orders", "export_quotes",
                "class_source", "location_source", "import_purchase_invoices", "auto_receive", "import_sales_invoices",
                "fulfilment_mode", "allow_online_payment", "allow_online_credit_card", "allow_online_ach",
                "reference_on_statement", "use_actual_shipment_date", "autosync.start", "autosync.every",
                "alerts.email"):
        assert key in SETTINGS and SETTINGS[key].help


@pytest.mark.parametrize("key, text, value", [
    ("export_quotes", "on", True), ("export_quotes", "No", False), ("base_currency", "eur", "EUR"),
    ("filter_start_date", "2026-11-01", "2026-11-01"), ("filter_start_date", "none", None),
    ("integration_mode", "both-ways", "both_ways"), ("class_source", "product_attribute10", "product_attribute10"),
    ("location_source", "customer_attribute3", "customer_attribute3"),
    ("channel.shopify.invoice_sync", "no_sync", "no_sync"), ("channel.pos.cogs_sync", "individual", "individual"),
    ("autosync.every", "15m", "15m"), ("autosync.start", "2026-11-01T06:00", "2026-11-01T06:00:00"),
    ("alerts.email", "a@b.co, c@d.org", "a@b.co, c@d.org"),
])
def test_parse_setting(key, text, value):
    assert parse_setting(key, text) == value


@pytest.mark.parametrize("key, text, words", [
    ("export_quote", "on", ["unknown setting", "did you mean 'export_quotes'"]),
    ("export_quotes", "maybe", ["true/false"]),
    ("base_currency", "dollars", ["3-letter"]),
    ("filter_start_date", "2026-02-30", ["YYYY-MM-DD"]),
    ("class_source", "colour", ["choose one of", "sales_rep"]),
    ("location_source", "brand", ["choose one of"]),
    ("channel.shopify.invoice_sync", "weekly", ["individual, daily, monthly, no_sync"]),
    ("autosync.every", "often", ["15m"]),
    ("alerts.email", "nobody", ["not an email"]),
    ("base_currency", "none", ["cannot be cleared"]),
    ("mapping", "x", ["qbtui map"]),
])
def test_bad_settings_say_what_is_allowed(key, text, words):
    with pytest.raises(SettingError) as e:
        parse_setting(key, text)
    for w in words:
        assert w in str(e.value)


def test_settings_view_defaults_and_channels():
    s = Settings.from_stored({})
    assert s.integration_mode is None and s.sends and s.base_currency == "USD" and s.filter_start_date is None
    assert s.channel_sync("shopify", "invoice") == "individual"
    s = Settings.from_stored({"filter_start_date": "2026-11-01", "channel.shopify.cogs_sync": "no_sync",
                              "realm_id": "123", "mapping": {"bank": 7}})
    assert s.filter_start_date == date(2026, 11, 1) and s.mapping == {"bank": "7"}
    assert s.channel_sync("shopify", "cogs") == "no_sync" and s.channel_sync("shopify", "invoice_sync") == "individual"
    with pytest.raises(SettingError):
        Settings.from_stored({"export_quotes": "perhaps"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.base_currency = "EUR"  # frozen
    rows = settings_table({"channel.shopify.cogs_sync": "no_sync"})
    assert rows[-1]["key"] == "channel.shopify.cogs_sync"


ACCOUNTS = [
    {"Id": "1", "Name": "Inventory Asset", "AccountType": "Other Current Asset", "AccountSubType": "Inventory"},
    {"Id": "2", "Name": "Cost of Goods Sold", "AccountType": "Cost of Goods Sold", "AccountSubType": "SuppliesMaterialsCogs"},
    {"Id": "3", "Name": "Inventory Adjustments", "AccountType": "Expense", "AccountSubType": "SuppliesMaterials"},
    {"Id": "4", "Name": "Sales of Product Income", "AccountType": "Income", "AccountSubType": "SalesOfProductIncome"},
    {"Id": "5", "Name": "Accounts Receivable (A/R)", "AccountType": "Accounts Receivable"},
    {"Id": "6", "Name": "Accounts Payable (A/P)", "AccountType": "Accounts Payable"},
    {"Id": "7", "Name": "Undeposited Funds", "AccountType": "Other Current Asset", "AccountSubType": "UndepositedFunds"},
    {"Id": "8", "Name": "Checking", "AccountType": "Bank", "AccountSubType": "Checking"},
    {"Id": "9", "Name": "Opening Balance Equity", "AccountType": "Equity", "AccountSubType": "OpeningBalanceEquity"},
    {"Id": "10", "Name": "gift card liability", "AccountType": "Other Current Liability"},
    {"Id": "11", "Name": "Inventory", "AccountType": "Income"},  # right name, wrong type
    {"Id": "12", "Name": "Store Credit", "AccountType": "Other Current Liability", "Active": False},
]


def test_auto_map_by_name_then_type_one_to_one():
    m = auto_map(ACCOUNTS)
    assert m == {"inventory_asset": "1", "cogs": "2", "inventory_discrepancy": "3", "sales_income": "4",
                 "accounts_receivable": "5", "accounts_payable": "6", "payment_clearing": "7", "bank": "8",
                 "opening_balance_equity": "9", "gift_card_liability": "10"}
    assert len(set(m.values())) == len(m)
    assert auto_map(ACCOUNTS, {"bank": "8"}).get("bank") is None  # already mapped: left alone
    # payment clearing may be a bank account, but not the one the bank role took
    no_undeposited = [a for a in ACCOUNTS if a["Id"] != "7"]
    assert "payment_clearing" not in auto_map(no_undeposited)


def test_unique_allowed_account_is_taken_for_a_required_role_without_a_name_match():
    accounts = [{"Id": "40", "Name": "Debtors", "AccountType": "Accounts Receivable"}]
    assert auto_map(accounts) == {"accounts_receivable": "40"}


def test_mapping_problems():
    probs = mapping_problems({"bank": "4", "cogs": "99", "inventory_asset": "1", "sales_income": "1",
                              "nonsense": "1", "customer_credits": "12"}, ACCOUNTS)
    codes = {(p["role"], p["code"]) for p in probs}
    assert ("bank", "mapping.wrong_account_type") in codes
    assert ("cogs", "mapping.unknown_account") in codes
    assert ("sales_income", "mapping.shared_account") in codes
    assert ("nonsense", "mapping.unknown_role") in codes
    assert ("customer_credits", "mapping.inactive_account") in codes
    assert ("accounts_payable", "mapping.missing_role") in codes
    assert not any(p["role"] == "inventory_asset" for p in probs)
    assert "Bank" in next(p["message"] for p in probs if p["role"] == "bank")


def test_role_table_matches_the_domain():
    assert REQUIRED_ROLES == ("inventory_asset", "cogs", "inventory_discrepancy", "sales_income", "accounts_receivable",
                              "accounts_payable", "payment_clearing", "bank")
    assert ROLE_BY_NAME["gift_card_liability"].allows({"AccountType": "Credit Card"})
    assert not ROLE_BY_NAME["inventory_asset"].allows({"AccountType": "Other Current Asset", "AccountSubType": "Other"})


def test_tax_codes_and_terms_match_exactly():
    matched, left = match_by_name(["TAX", "tax", "Net 30"], [{"Id": "2", "Name": "TAX"}, {"Id": "3", "Name": "Net 30"}])
    assert matched == {"TAX": "2", "Net 30": "3"} and left == ["tax"]


def test_set_setting_stores_the_parsed_value(tmp_path):
    from qbtui.cache import Cache
    from qbtui.settings import set_setting
    with Cache.open(tmp_path / "p", writer=True) as c:
        assert set_setting(c, "export_quotes", "yes") is True
        assert set_setting(c, "channel.shopify.cogs_sync", "No Sync") == "no_sync"
        with pytest.raises(SettingError):
            set_setting(c, "export_quotes", "perhaps")
        s = Settings.from_stored(c.settings())
        assert s.export_quotes and s.channel_sync("shopify", "cogs") == "no_sync"
