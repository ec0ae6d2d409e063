"""Two postings real QBO would get wrong: bill payments landing in QBO's "to print" cheque queue, and the COGS of a
channel whose sales another tool posts (invoices no_sync, COGS individual) never being sent."""

from __future__ import annotations

import pytest

from qbtui.settings import SettingError, parse_setting
from tests.support.documents import cogs, customer, invoice, line, product, supplier

PURCHASE = [supplier(), product(),
            {"type": "supplier_invoice", "ref": "PI-1", "supplier": "S-1", "supplier_invoice_number": "CW-1",
             "invoice_date": "2026-11-02", "lines": [{"sku": "MUG-01", "quantity": 10, "unit_cost": "4.10"}]},
            {"type": "supplier_payment", "ref": "SP-1", "supplier_invoice": "PI-1", "date": "2026-11-09",
             "amount": "41.00"}]


def bill_payment(profile) -> dict:
    return next(b for b in profile.live("BillPayment") if b.get("DocNumber") == "SP-1")


def test_a_bill_payment_is_not_put_in_the_cheque_print_queue(make_profile):
    profile = make_profile(PURCHASE)
    code, report = profile.sync_json()
    assert code == 0, report
    check = bill_payment(profile)["CheckPayment"]
    assert check["PrintStatus"] == "NotSet" and check["BankAccountRef"]["value"]


def test_the_setting_bill_payment_print_asks_for_the_queue(make_profile):
    profile = make_profile(PURCHASE)
    assert profile.q("settings", "set", "bill_payment_print", "NeedToPrint").exit_code == 0
    assert profile.q.json("settings")  # listed
    code, _ = profile.sync_json()
    assert code == 0
    assert bill_payment(profile)["CheckPayment"]["PrintStatus"] == "NeedToPrint"


def test_bill_payment_print_values():
    assert parse_setting("bill_payment_print", "need_to_print") == "need_to_print"
    assert parse_setting("bill_payment_print", "NotSet") == "not_set"
    with pytest.raises(SettingError, match="not_set, need_to_print"):
        parse_setting("bill_payment_print", "later")
    with pytest.raises(SettingError):
        parse_setting("bill_payment_print", "none")  # not optional: its default is not_set


def test_cogs_of_a_channel_whose_invoices_are_not_sent_is_sent(make_profile):
    docs = [customer(), product(),
            invoice("AMZ-1", channel="amazon", lines=[line(quantity=3)]), cogs("AMZ-1", amount="12.30"),
            invoice("SO-1", lines=[line(quantity=1)]), cogs("SO-1", amount="4.10")]
    profile = make_profile(docs)
    assert profile.q("settings", "set", "channel.amazon.invoice_sync", "no_sync").exit_code == 0
    code, report = profile.sync_json()
    assert code == 0, report
    status = {(d["type"], d["ref"]): d["status"] for d in report["documents"]}
    assert status[("sale_invoice", "AMZ-1")] == "skipped"
    assert status[("cogs", "COGS-AMZ-1")] == status[("cogs", "COGS-SO-1")] == "synced"
    journal = next(j for j in profile.live("JournalEntry") if j.get("DocNumber") == "COGS-AMZ-1")
    assert journal["TotalAmt"] == 12.3
    assert not any(i.get("DocNumber") == "AMZ-1" for i in profile.live("Invoice"))
