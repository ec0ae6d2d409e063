"""Each setting (docs/domain.md#settings), set with ``qbtui settings set``, changes the next dry run as the
domain says (or, for the settings that govern pulling from QBO and scheduling, leaves it as it was)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qbtui.cache import Cache
from qbtui.settings import SETTINGS
from qbtui.tui.sample import build_sample_profile

EXTRA = [
    {"type": "customer", "ref": "C-300", "name": "Tidewater Market", "sales_rep": "Ann"},
    {"type": "sale_invoice", "ref": "SO-3001", "customer": "C-300", "invoice_date": "2026-11-16",
     "ship_date": "2026-11-20", "required_by": "2026-11-18", "location": "Main warehouse", "sales_rep": "Ann",
     "lines": [{"sku": "MUG-01", "quantity": "2", "unit_price": "12.50"}]},
]


@pytest.fixture
def cli(qbtui):
    profile = Path(qbtui.data_dir) / "profiles" / "default"
    build_sample_profile(profile)
    with Cache.open(profile, writer=True, command="test") as cache:
        cache.upsert_documents(EXTRA)
        cache.put_reference("classes", [{"Id": "301", "Name": "Ann", "Active": True}])
        cache.put_reference("departments", [{"Id": "400", "Name": "Main warehouse", "Active": True}])
        prefs = cache.reference("preferences")
        prefs["AccountingInfoPrefs"].update({"ClassTrackingPerTxnLine": True, "TrackDepartments": True})
        cache.put_reference("preferences", prefs)
    return qbtui


def dry_run(cli) -> dict[tuple[str, str], dict]:
    result = cli("sync", "--dry-run", "--json")
    assert result.exit_code in (0, 1), result.output
    return {(d["type"], d["ref"]): d for d in json.loads(result.stdout)["documents"]}


def set_(cli, key: str, value: str) -> None:
    result = cli("settings", "set", key, value)
    assert result.exit_code == 0, result.output


def codes(doc: dict) -> set[str]:
    return {r["code"] for r in doc["reasons"]}


def body(doc: dict, entity: str = "Invoice") -> dict:
    return next(p["body"] for p in doc["payloads"] if p["entity"] == entity)


INVOICE = ("sale_invoice", "SO-3001")


def test_integration_mode(cli):
    assert dry_run(cli)[INVOICE]["status"] == "ready"
    set_(cli, "integration_mode", "from_quickbooks")
    after = dry_run(cli)
    assert all(d["status"] == "skipped" and "integration.from_quickbooks" in codes(d) for d in after.values())
    set_(cli, "integration_mode", "both_ways")
    assert dry_run(cli)[INVOICE]["status"] == "ready"


def test_base_currency(cli):
    set_(cli, "base_currency", "EUR")
    doc = dry_run(cli)[INVOICE]
    assert doc["status"] == "blocked" and "company.currency_mismatch" in codes(doc)


def test_filter_start_date(cli):
    set_(cli, "filter_start_date", "2026-11-17")
    doc = dry_run(cli)[INVOICE]
    assert doc["status"] == "skipped" and "date.before_filter_start" in codes(doc)  # not sent, not an error
    set_(cli, "filter_start_date", "2026-11-16")
    assert dry_run(cli)[INVOICE]["status"] == "ready"


def test_export_purchase_orders(cli):
    assert dry_run(cli)[("purchase_order", "PO-3001")]["status"] == "skipped"
    set_(cli, "export_purchase_orders", "on")
    doc = dry_run(cli)[("purchase_order", "PO-3001")]
    assert doc["status"] == "ready" and doc["payloads"][0]["entity"] == "PurchaseOrder"


def test_export_quotes(cli):
    assert dry_run(cli)[("quote", "QT-501")]["status"] == "skipped"
    set_(cli, "export_quotes", "on")
    doc = dry_run(cli)[("quote", "QT-501")]
    assert doc["status"] == "ready" and doc["payloads"][0]["entity"] == "Estimate"


def test_class_source(cli):
    assert "ClassRef" not in json.dumps(body(dry_run(cli)[INVOICE]))
    set_(cli, "class_source", "sales_rep")
    line = body(dry_run(cli)[INVOICE])["Line"][0]["SalesItemLineDetail"]
    assert line["ClassRef"]["value"] == "301"


def test_location_source(cli):
    assert "DepartmentRef" not in body(dry_run(cli)[INVOICE])
    set_(cli, "location_source", "location")
    assert body(dry_run(cli)[INVOICE])["DepartmentRef"]["value"] == "400"


@pytest.mark.parametrize("key, field", [("allow_online_payment", "AllowOnlinePayment"),
                                        ("allow_online_credit_card", "AllowOnlineCreditCardPayment"),
                                        ("allow_online_ach", "AllowOnlineACHPayment")])
def test_allow_online(cli, key, field):
    assert body(dry_run(cli)[INVOICE])[field] is False
    set_(cli, key, "on")
    assert body(dry_run(cli)[INVOICE])[field] is True


def test_reference_on_statement(cli):
    before = body(dry_run(cli)[INVOICE])
    assert before["CustomerMemo"]["value"] == "SO-3001" and "SO-3001" not in str(before.get("PrivateNote", ""))
    set_(cli, "reference_on_statement", "on")
    assert "SO-3001" in body(dry_run(cli)[INVOICE])["PrivateNote"]


def test_use_actual_shipment_date(cli):
    assert body(dry_run(cli)[INVOICE])["ShipDate"] == "2026-11-18"  # required-by
    set_(cli, "use_actual_shipment_date", "on")
    assert body(dry_run(cli)[INVOICE])["ShipDate"] == "2026-11-20"


def test_bill_payment_print(cli):
    pay = ("supplier_payment", "BP-3001")
    assert body(dry_run(cli)[pay], "BillPayment")["CheckPayment"]["PrintStatus"] == "NotSet"
    set_(cli, "bill_payment_print", "need_to_print")
    assert body(dry_run(cli)[pay], "BillPayment")["CheckPayment"]["PrintStatus"] == "NeedToPrint"


def test_channel_invoice_sync(cli):
    web = ("sale_invoice", "SO-1006")  # on the "web" channel
    assert dry_run(cli)[web]["status"] == "ready"
    set_(cli, "channel.web.invoice_sync", "no_sync")
    after = dry_run(cli)
    assert after[web]["status"] == "skipped" and "channel.no_sync" in codes(after[web])
    assert "channel.no_sync" not in codes(after[("sale_invoice", "SO-1007")])  # "direct" is untouched


def test_channel_cogs_sync(cli):
    web_cogs = ("cogs", "COGS-SO-1004")  # SO-1004 is on the "web" channel
    assert dry_run(cli)[web_cogs]["status"] == "ready"
    set_(cli, "channel.web.cogs_sync", "no_sync")
    after = dry_run(cli)
    assert after[web_cogs]["status"] == "skipped" and "channel.no_sync" in codes(after[web_cogs])
    assert after[("sale_invoice", "SO-1006")]["status"] == "ready"  # invoices still go


SENDING = {"integration_mode", "base_currency", "filter_start_date", "export_purchase_orders", "export_quotes",
           "class_source", "location_source", "allow_online_payment", "allow_online_credit_card", "allow_online_ach",
           "reference_on_statement", "use_actual_shipment_date", "bill_payment_print"}
"""Settings that change what a dry run sends (each has its own test above; channel keys too)."""

SAMPLE = {"bool": "on", "datetime": "2026-12-01T06:00", "duration": "1h", "emails": "books@example.com",
          "text": "smtp.example.com", "port": "465", "date": "2026-12-01", "currency": "EUR"}


def _sample(key: str) -> str:
    s = SETTINGS[key]
    if s.type == "choice":
        return next(c for c in reversed(s.choices) if c != s.default)
    return SAMPLE[s.type]


@pytest.mark.parametrize("key", sorted(set(SETTINGS) - SENDING))
def test_settings_that_do_not_change_what_is_sent(cli, key):
    """Pulling from QBO (import_*, auto_receive, fulfilment_mode), scheduling (autosync.*) and alerts
    (alerts.*) do not change what a dry run sends (docs/domain.md#settings)."""
    before = dry_run(cli)
    set_(cli, key, _sample(key))
    assert dry_run(cli) == before
    assert json.loads(cli("settings", "--json").stdout)["settings"][key] is not None


def test_settings_defaults_and_validation(cli):
    fresh = cli("settings", "--json", profile="fresh")
    shown = json.loads(fresh.stdout)["settings"]
    assert set(shown) == set(SETTINGS)
    assert shown["base_currency"] == "USD" and shown["filter_start_date"] is None
    assert shown["integration_mode"] is None  # until the wizard (or qbtui connect) chooses, then both_ways or not
    bad = cli("settings", "set", "base_curency", "EUR")
    assert bad.exit_code != 0 and "unknown setting" in bad.output and "base_currency" in bad.output
    bad = cli("settings", "set", "filter_start_date", "2026-13-01")
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output
