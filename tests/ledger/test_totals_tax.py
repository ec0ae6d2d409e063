"""The total a screen or a report shows (qbtui/ledger/totals.py) is what QuickBooks will show: with the company's tax
context a tax-exclusive document's total is its nets plus the tax as the ledger computes it for the sync (the
payload's expected TotalAmt), a tax-inclusive one its gross, and a US company with Automated Sales Tax its nets,
said to be before tax."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings, strategies as st

from qbtui.ledger.build import build
from qbtui.ledger.common import purchase_amounts, sale_amounts
from qbtui.ledger.tax import TaxContext, book_for, half_up
from qbtui.ledger.totals import before_tax_note, document_total
from qbtui.settings import Settings
from tests.ledger.test_tax import CODES, RATES, US_CODES, US_RATES, invoice, ledger, line

D = Decimal
UK = TaxContext(book_for(CODES, RATES, Settings()), "uk")


def _rate_book(rate: Decimal) -> tuple[list[dict], list[dict]]:
    rates = [{"Id": "1", "Name": "Standard", "RateValue": str(rate)}]
    codes = [{"Id": "10", "Name": "Standard", "SalesTaxRateList": {"TaxRateDetail": [{"TaxRateRef": {"value": "1"}}]},
              "PurchaseTaxRateList": {"TaxRateDetail": [{"TaxRateRef": {"value": "1"}}]}}]
    return codes, rates


LINES = st.lists(st.tuples(st.integers(1, 40), st.decimals("0.01", "999.99", places=2)), min_size=1, max_size=6)
RATE = st.decimals("0", "30", places=3)


@settings(max_examples=80, deadline=None)
@given(LINES, RATE)
def test_a_tax_exclusive_total_is_the_nets_plus_the_tax_the_ledger_expects(lines, rate):
    codes, rates = _rate_book(rate)
    inv = invoice([line(q, str(p), "Standard") for q, p in lines])
    led = ledger("GB", "GBP", inv, codes=codes, rates=rates)
    tax = TaxContext(book_for(codes, rates, led.settings), "uk")
    [payload] = build(inv, led)
    shown = document_total("sale_invoice", inv, tax)
    net = sum(sale_amounts(inv), D("0.00"))
    # what the sync expects QBO's TotalAmt to be, and the rule worked independently: one rate, applied once, half up
    assert shown == payload.expected["TotalAmt"] == net + half_up(net * rate / 100)
    assert document_total("sale_invoice", inv) == net  # without the context: the nets, as before


@settings(max_examples=40, deadline=None)
@given(LINES, RATE)
def test_a_tax_inclusive_total_is_its_gross(lines, rate):
    codes, rates = _rate_book(rate)
    inv = invoice([line(q, str(p), "Standard") for q, p in lines], tax_inclusive=True)
    tax = TaxContext(book_for(codes, rates, Settings()), "uk")
    assert document_total("sale_invoice", inv, tax) == sum(sale_amounts(inv), D("0.00"))


def test_a_uk_invoice_of_100_net_shows_120():
    inv = invoice([line(1, "60.00", "20.0% S"), line(2, "20.00", "20.0% S")])
    assert document_total("sale_invoice", inv, UK) == D("120.00")
    assert document_total("sale_invoice", inv) == D("100.00")
    assert before_tax_note("sale_invoice", UK) == ""


def test_a_bill_takes_the_purchase_rates():
    bill = {"type": "supplier_invoice", "ref": "B-1", "supplier": "S-1",
            "lines": [{"sku": "MUG-01", "quantity": 10, "unit_cost": "4.10", "tax_code": "20.0% S"},
                      {"sku": "MUG-01", "quantity": 3, "unit_cost": "2.35", "tax_code": "5.0% R"}]}
    assert sum(purchase_amounts(bill), D("0.00")) == D("48.05")
    assert document_total("supplier_invoice", bill, UK) == D("56.60")  # 41.00 x 20 % = 8.20; 7.05 x 5 % = 0.35


def test_unknown_codes_and_no_region_leave_the_nets():
    inv = invoice([line(1, "100.00", "No such code")])
    assert document_total("sale_invoice", inv, UK) == D("100.00")
    assert document_total("sale_invoice", invoice([line(1, "100.00", "20.0% S")]),
                          TaxContext(book_for(None, None, Settings()), None)) == D("100.00")


def test_a_us_company_with_automated_sales_tax_shows_the_nets_and_says_so():
    inv = invoice([line(1, "100.00", "California")])
    book = book_for(US_CODES, US_RATES, Settings())
    ast = TaxContext(book, "us", ast=True)
    assert document_total("sale_invoice", inv, ast) == D("100.00")
    assert before_tax_note("sale_invoice", ast) == "before tax (QuickBooks adds it)"
    assert before_tax_note("supplier_invoice", ast) == ""  # purchases carry no US sales tax
    # without Automated Sales Tax the rate code's tax is foreseen: 100.00 x 7.25 %
    assert document_total("sale_invoice", inv, TaxContext(book, "us")) == D("107.25")
