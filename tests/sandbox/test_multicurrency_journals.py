"""A journal entry's A/R or A/P line and a bill payment's A/P account in a multicurrency company: in the
transaction's currency, else 400, 6000 (docs/qbo.md#multicurrency-in-the-sandbox: the sources). The shapes are a
supplier deposit applied to a EUR bill, as qbtui sends it (qbtui/ledger/journals.py) and as it sent it before."""

from __future__ import annotations

import httpx2
import pytest

from qbtui.sandbox.currency import SAME_CURRENCY

from .conftest import bearer, unique
from .test_regions import Sandbox, new_app


@pytest.fixture
async def uk():
    app = new_app("uk", True)
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://sandbox.test",
                                  headers=bearer(app)) as client:
        yield Sandbox(app, client)


def je_line(posting: str, account: str, amount: float, vendor: str | None = None) -> dict:
    detail: dict = {"PostingType": posting, "AccountRef": {"value": account}}
    if vendor is not None:
        detail["Entity"] = {"Type": "Vendor", "EntityRef": {"value": vendor}}
    return {"DetailType": "JournalEntryLineDetail", "Amount": amount, "JournalEntryLineDetail": detail}


async def test_a_deposit_applied_to_a_eur_bill_goes_through_the_eur_payable_only(uk):
    s = uk
    vend = await s.make("Vendor", {"DisplayName": unique("Euro BV"), "CurrencyRef": {"value": "EUR"}})
    bill = await s.make("Bill", {"VendorRef": {"value": vend["Id"]}, "TxnDate": "2026-11-02", "ExchangeRate": 0.86,
                                 "Line": [s.expense_line(100, "No VAT")]})
    eur_ap, home_ap = bill["APAccountRef"]["value"], s.id_of("Account", "Accounts Payable (A/P)")
    assert s.company.objects["Account"][eur_ap]["Name"] == "Accounts Payable (A/P) - EUR"
    deposits, bank = s.id_of("Account", "Inventory Asset"), s.id_of("Account", "Checking")

    def journal(ap: str) -> dict:
        return {"DocNumber": unique("DEP")[:21], "TxnDate": "2026-11-06", "CurrencyRef": {"value": "EUR"},
                "ExchangeRate": 0.86, "Line": [je_line("Debit", ap, 30, vend["Id"]), je_line("Credit", deposits, 30)]}

    # before: the applied journal's A/P line on the home A/P, in EUR: refused, nothing stored
    count = len(s.company.objects["JournalEntry"])
    error = await s.refused("JournalEntry", journal(home_ap))
    assert (error["code"], error["element"]) == ("6000", "Line")
    assert error["Detail"] == f"Business Validation Error: {SAME_CURRENCY}"
    assert len(s.company.objects["JournalEntry"]) == count
    applied = await s.make("JournalEntry", journal(eur_ap))
    assert applied["CurrencyRef"]["value"] == "EUR"

    def bill_payment(ap: str) -> dict:
        return {"VendorRef": {"value": vend["Id"]}, "APAccountRef": {"value": ap}, "CurrencyRef": {"value": "EUR"},
                "ExchangeRate": 0.86, "TxnDate": "2026-11-06", "PayType": "Check", "TotalAmt": 0,
                "CheckPayment": {"BankAccountRef": {"value": bank}, "PrintStatus": "NotSet"},
                "Line": [{"Amount": 30, "LinkedTxn": [{"TxnId": bill["Id"], "TxnType": "Bill"}]},
                         {"Amount": 30, "LinkedTxn": [{"TxnId": applied["Id"], "TxnType": "JournalEntry"}]}]}

    # before: the bill payment naming the home A/P in EUR: refused, the bill untouched
    error = await s.refused("BillPayment", bill_payment(home_ap))
    assert (error["code"], error["element"]) == ("6000", "APAccountRef")
    assert s.company.objects["Bill"][bill["Id"]]["Balance"] == 100
    paid = await s.make("BillPayment", bill_payment(eur_ap))
    assert paid["APAccountRef"]["value"] == eur_ap and paid["TotalAmt"] == 0
    assert s.company.objects["Bill"][bill["Id"]]["Balance"] == 70


async def test_a_home_currency_journal_may_not_use_a_foreign_payable(uk):
    s = uk
    vend = await s.make("Vendor", {"DisplayName": unique("Euro BV"), "CurrencyRef": {"value": "EUR"}})
    bill = await s.make("Bill", {"VendorRef": {"value": vend["Id"]}, "TxnDate": "2026-11-02",
                                 "Line": [s.expense_line(10, "No VAT")]})
    home = await s.make("Vendor", {"DisplayName": unique("Home Ltd")})
    error = await s.refused("JournalEntry", {"TxnDate": "2026-11-06", "Line": [
        je_line("Debit", bill["APAccountRef"]["value"], 5, home["Id"]),
        je_line("Credit", s.id_of("Account", "Inventory Asset"), 5)]})
    assert (error["code"], error["element"]) == ("6000", "Line")
