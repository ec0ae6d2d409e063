"""The ledger's tax (qbtui/ledger/tax.py): the region, the codes sent per line, GlobalTaxCalculation, tax-inclusive
lines, the expected figures and the gates. Every figure is worked by hand in the test (docs/qbo.md#tax-by-region:
per rate, nets summed, half up; tax-inclusive, per code, ``sum - half_up(sum x 100 / (100 + rate))``)."""

from __future__ import annotations

from decimal import Decimal

from qbtui.documents.schema import import_schema
from qbtui.ledger import Ledger, LookupResolver, Prefs
from qbtui.ledger.build import build
from qbtui.ledger.gates import GateContext, check
from qbtui.ledger.tax import region_of
from qbtui.settings import Settings
from tests.ledger.helpers import ALL_MAPPED, doc, docs_map
from tests.support import documents

D = Decimal

# a UK company's codes as QBO lists them: rates 20 % and 5 % and 0 %
RATES = [{"Id": "1", "Name": "20.0% S", "RateValue": 20}, {"Id": "2", "Name": "5.0% R", "RateValue": 5},
         {"Id": "3", "Name": "0.0% Z", "RateValue": 0}]
CODES = [{"Id": str(10 + i), "Name": r["Name"], "SalesTaxRateList": {"TaxRateDetail": [{"TaxRateRef": {"value": r["Id"]}}]},
          "PurchaseTaxRateList": {"TaxRateDetail": [{"TaxRateRef": {"value": r["Id"]}}]}} for i, r in enumerate(RATES)]
US_CODES = [{"Id": "TAX", "Name": "TAX"}, {"Id": "NON", "Name": "NON"},
            {"Id": "3", "Name": "California", "SalesTaxRateList": {"TaxRateDetail": [{"TaxRateRef": {"value": "9"}}]}},
            {"Id": "4", "Name": "Oregon", "SalesTaxRateList": {"TaxRateDetail": [{"TaxRateRef": {"value": "9"}}]}}]
US_RATES = [{"Id": "9", "Name": "California", "RateValue": "7.25"}]


def ledger(country: str, currency: str, *docs, codes=CODES, rates=RATES, **stored) -> Ledger:
    s = Settings.from_stored({"mapping": ALL_MAPPED, **stored})
    d = docs_map(*docs)
    names = {k: v["name"] for k, v in d.items() if "name" in v}
    resolver = LookupResolver(names=names, connected=True, mapping=s.mapping, link_ids=lambda t, r: [],
                              tax_codes=codes, tax_rates=rates, tax_mapping=s.tax_mapping, tax_defaults=s.tax_defaults)
    prefs = Prefs.from_qbo({"CurrencyPrefs": {"HomeCurrency": {"value": currency}}}, {"Country": country})
    return Ledger(s, resolver, prefs, d)


def line(qty, price, code=None):
    return documents.line(quantity=qty, unit_price=price, unit_cost=None, tax_code=code)


def invoice(lines, **fields):
    return doc(**documents.invoice("SO-T", lines=lines, **fields))


def test_region_from_country_else_home_currency():
    assert region_of("GB", "GBP") == "uk" and region_of("US", "CAD") == "us" and region_of(None, "NZD") == "nz"
    assert region_of(None, None) is None and region_of("FR", "EUR") == "fr"
    assert Prefs().region is None  # not pulled: payloads as they always were


def test_uk_exclusive_invoice_per_rate_half_up():
    inv = invoice([line(1, "10.03", "20.0% S"), line(1, "10.03", "20.0% S"), line(3, "7.00", "5.0% R")])
    [p] = build(inv, ledger("GB", "GBP", inv))
    assert p.body["GlobalTaxCalculation"] == "TaxExcluded"
    assert [ln["SalesItemLineDetail"]["TaxCodeRef"] for ln in p.body["Line"]] == [
        {"value": "10", "name": "20.0% S"}, {"value": "10", "name": "20.0% S"}, {"value": "11", "name": "5.0% R"}]
    assert [ln["Amount"] for ln in p.body["Line"]] == [D("10.03"), D("10.03"), D("21.00")]
    # 20 %: (10.03 + 10.03) x 0.2 = 4.012 -> 4.01 (not 2.01 + 2.01); 5 %: 21.00 x 0.05 = 1.05; 41.06 + 5.06
    assert p.expected == {"TotalAmt": D("46.12"), "TotalTax": D("5.06")}
    assert "TxnTaxDetail" not in p.body  # QBO takes no sent tax


def test_uk_inclusive_invoice_sends_nets_with_the_inclusive_amounts():
    inv = invoice([line(2, "12.00", "20.0% S"), line(1, "10.50", "5.0% R"), line(1, "4.99", "0.0% Z")],
                  tax_inclusive=True)
    [p] = build(inv, ledger("GB", "GBP", inv))
    assert p.body["GlobalTaxCalculation"] == "TaxInclusive"
    details = [ln["SalesItemLineDetail"] for ln in p.body["Line"]]
    assert [x["TaxInclusiveAmt"] for x in details] == [D("24.00"), D("10.50"), D("4.99")]
    # nets: 24.00 / 1.2 = 20.00; 10.50 / 1.05 = 10.00; 4.99 at 0 %
    assert [ln["Amount"] for ln in p.body["Line"]] == [D("20.00"), D("10.00"), D("4.99")]
    assert (details[0]["Qty"], details[0]["UnitPrice"]) == (D(2), D(10))  # 2 x 10 = the net
    # tax 4.00 + 0.50; the total is what the inclusive prices come to
    assert p.expected == {"TotalAmt": D("39.49"), "TotalTax": D("4.50")}


def test_inclusive_tax_per_code_on_the_sum_not_per_line():
    # three lines of 1.01 at 20 % inclusive: each alone 1.01 - half_up(0.841667) = 0.17, three 0.51; on the sum
    # 3.03 - half_up(3.03 / 1.2 = 2.525) = 3.03 - 2.53 = 0.50
    inv = invoice([line(1, "1.01", "20.0% S")] * 3, tax_inclusive=True)
    [p] = build(inv, ledger("GB", "GBP", inv))
    assert p.expected == {"TotalAmt": D("3.03"), "TotalTax": D("0.50")}


def test_a_mapped_name_and_the_defaults():
    inv = invoice([line(1, "10.00", "Standard"), line(1, "10.00")])
    lg = ledger("GB", "GBP", inv, tax_mapping={"Standard": "10"}, tax_defaults={"sales": "11"})
    [p] = build(inv, lg)
    assert [ln["SalesItemLineDetail"]["TaxCodeRef"]["value"] for ln in p.body["Line"]] == ["10", "11"]
    assert p.expected == {"TotalAmt": D("22.50"), "TotalTax": D("2.50")}  # 10 x 20 % + 10 x 5 %
    assert p.tax["lines"][1]["code"] == "5.0% R" and p.tax["tax_total"] == D("2.50")


def test_purchases_carry_codes_and_the_purchase_default():
    bill = doc(type="supplier_invoice", ref="PI-1", supplier="S-1", supplier_invoice_number="INV-1",
               invoice_date="2026-11-03", lines=[{"sku": "MUG-01", "quantity": 10, "unit_cost": "4.10"}])
    [p] = build(bill, ledger("GB", "GBP", bill, tax_defaults={"purchase": "10"}))
    assert p.body["Line"][0]["ItemBasedExpenseLineDetail"]["TaxCodeRef"]["value"] == "10"
    assert p.expected == {"TotalAmt": D("49.20"), "TotalTax": D("8.20")}  # 41.00 x 20 %


def test_a_line_without_a_code_is_gated_outside_the_us_naming_the_line():
    inv = invoice([line(1, "10.00", "20.0% S"), line(1, "10.00")])
    lg = ledger("GB", "GBP", inv)
    reasons = check(inv, GateContext.build(lg.docs, lg.settings, lg.prefs, qbo_tax_codes=CODES, qbo_tax_rates=RATES))
    [r] = [r for r in reasons if r.code == "tax.missing_code"]
    assert "line 2 (MUG-01)" in r.message and "--tax-default sales" in r.hint
    with_default = ledger("GB", "GBP", inv, tax_defaults={"sales": "10"})
    assert "tax.missing_code" not in [r.code for r in check(inv, GateContext.build(
        with_default.docs, with_default.settings, with_default.prefs, qbo_tax_codes=CODES))]


def test_us_rate_code_on_the_document_tax_on_lines():
    inv = invoice([line(2, "10.00", "California"), line(1, "5.00", "NON")])
    [p] = build(inv, ledger("US", "USD", inv, codes=US_CODES, rates=US_RATES))
    assert "GlobalTaxCalculation" not in p.body
    assert [ln["SalesItemLineDetail"]["TaxCodeRef"]["value"] for ln in p.body["Line"]] == ["TAX", "NON"]
    assert p.body["TxnTaxDetail"] == {"TxnTaxCodeRef": {"value": "3", "name": "California"}}
    assert p.expected == {"TotalAmt": D("26.45"), "TotalTax": D("1.45")}  # 20.00 x 7.25 % = 1.45


def test_us_gates_two_rates_and_inclusive_taxable_prices():
    inv = invoice([line(1, "10.00", "California"), line(1, "10.00", "Oregon")], tax_inclusive=True)
    lg = ledger("US", "USD", inv, codes=US_CODES, rates=US_RATES)
    codes = [r.code for r in check(inv, GateContext.build(lg.docs, lg.settings, lg.prefs, qbo_tax_codes=US_CODES,
                                                          qbo_tax_rates=US_RATES))]
    assert "tax.mixed_rates" in codes and "tax.inclusive_us" in codes


def test_a_us_company_without_tax_codes_sends_what_it_always_did():
    inv = invoice([line(6, "12.50")])
    [p] = build(inv, ledger("US", "USD", inv, codes=[{"Id": "TAX", "Name": "TAX"}], rates=[]))
    assert "GlobalTaxCalculation" not in p.body and "TxnTaxDetail" not in p.body
    assert "TaxCodeRef" not in p.body["Line"][0]["SalesItemLineDetail"] and p.tax is None
    assert p.to_json().keys() == {"entity", "operation", "body"}
    assert p.expected == {"TotalAmt": D("75.00"), "TotalTax": D("0.00")}


def test_credit_note_split_scales_tax_with_the_lines():
    note = doc(**documents.credit_note("CN-1", invoice=None, lines=[line(1, "50.00", "20.0% S"), line(1, "21.00", "5.0% R")],
                                       refunds=[{"ref": "RF-1", "date": "2026-11-06", "amount": "20.00"}]))
    memo, refund = build(note, ledger("GB", "GBP", note))
    # note: tax 10.00 + 1.05, total 82.05; weights (net + own tax) 60.00, 22.05
    # refund 20.00: 20 x 60 / 82.05 = 14.6252 -> 14.63, then 5.37; tax 14.63 - half_up(12.1917) = 2.44,
    # 5.37 - half_up(5.1143) = 0.26
    assert refund.body["GlobalTaxCalculation"] == "TaxInclusive"
    assert [ln["SalesItemLineDetail"]["TaxInclusiveAmt"] for ln in refund.body["Line"]] == [D("14.63"), D("5.37")]
    assert refund.expected == {"TotalAmt": D("20.00"), "TotalTax": D("2.70")}
    # memo 62.05: 45.3748 -> 45.37, 16.68; tax 45.37 - 37.81 = 7.56, 16.68 - 15.89 = 0.79
    assert memo.expected == {"TotalAmt": D("62.05"), "TotalTax": D("8.35")}


def test_import_format_fields_are_in_the_schema():
    defs = import_schema()["$defs"]
    for name in ("SaleInvoice", "Quote", "CreditNote", "PurchaseOrder", "SupplierInvoice", "SupplierCredit"):
        assert {"tax_inclusive", "tax_total"} <= set(defs[name]["properties"]), name
    assert {"tax_code", "tax_amount"} <= set(defs["SaleLine"]["properties"])
    assert {"tax_code", "tax_amount"} <= set(defs["PurchaseLine"]["properties"])
    q = doc(type="quote", ref="Q-1", customer="C-100", date="2026-11-02", tax_inclusive=True, tax_total="2.00",
            lines=[{"sku": "MUG-01", "quantity": 1, "unit_price": "12.00", "tax_code": "20.0% S", "tax_amount": "2.00"}])
    assert q["tax_total"] == "2.00" and q["lines"][0]["tax_amount"] == "2.00"


def test_the_files_tax_total_is_compared_with_qbos_too():
    # the inventory side rounded per line: 2.01 + 2.01 = 4.02; QBO will compute 20.06 x 20 % = 4.01
    inv = invoice([line(1, "10.03", "20.0% S"), line(1, "10.03", "20.0% S")], tax_total="4.02")
    [p] = build(inv, ledger("GB", "GBP", inv))
    assert p.expected == {"TotalAmt": D("24.07"), "TotalTax": D("4.01"), "StatedTax": D("4.02")}
    assert p.tax["stated_tax_total"] == D("4.02")


def test_the_preflight_tells_an_automated_sales_tax_company():
    from qbtui.sync.preflight import preflight

    prefs = {"CurrencyPrefs": {"HomeCurrency": {"value": "USD"}}, "TaxPrefs": {"PartnerTaxEnabled": True}}
    checks = {c.code: c for c in preflight([], {"preferences": prefs}, Settings())}
    assert checks["sales_tax"].ok and not checks["sales_tax"].blocks_sync
    assert "only the taxable flag" in " ".join(checks["sales_tax"].details)
    assert "sales_tax" not in {c.code for c in preflight([], {"preferences": {"TaxPrefs": {}}}, Settings())}
