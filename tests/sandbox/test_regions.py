"""`--region` and `--multicurrency`: tax as QBO computes it per region, and currencies. Every expected figure is
worked by hand in the test (docs/qbo.md#tax-by-region has the rules and their sources): per document, per rate,
half up; tax-inclusive amounts have their tax taken out of their sum per code."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import httpx2
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from qbtui.sandbox import SandboxConfig, create_app
from qbtui.sandbox.reports import Ledger

from .conftest import bearer, unique


def new_app(region: str = "us", multicurrency: bool = False, company: str = "demo"):
    return create_app(SandboxConfig(company=company, region=region, multicurrency=multicurrency, throttle="off"))


class Sandbox:
    """An in-process client of one sandbox company, with the names it needs."""

    def __init__(self, app, client) -> None:
        self.app, self.client = app, client
        self.company = app.state.company
        self.realm = f"/v3/company/{self.company.realm_id}"

    async def post(self, entity: str, body: dict, **params):
        return await self.client.post(f"{self.realm}/{entity.lower()}", json=body, params=params)

    async def make(self, entity: str, body: dict) -> dict:
        answer = await self.post(entity, body)
        assert answer.status_code == 200, answer.text
        return answer.json()[entity]

    async def refused(self, entity: str, body: dict) -> dict:
        answer = await self.post(entity, body)
        assert answer.status_code == 400, answer.text
        return answer.json()["Fault"]["Error"][0]

    def id_of(self, entity: str, name: str) -> str:
        field = "DisplayName" if entity in ("Customer", "Vendor") else "Name"
        return next(o["Id"] for o in self.company.objects[entity].values() if o.get(field) == name)

    def code(self, name: str) -> dict:
        return {"value": self.id_of("TaxCode", name), "name": name}

    def customer(self) -> dict:
        return {"value": self.id_of("Customer", "Bluebell Bakery")}

    def vendor(self) -> dict:
        return {"value": self.id_of("Vendor", "Clayworks Supply")}

    def sale_line(self, qty, price, code: str | None, inclusive: str | None = None, amount=None) -> dict:
        detail = {"ItemRef": {"value": self.id_of("Item", "Gift Wrapping")}, "Qty": qty, "UnitPrice": price}
        if code is not None:
            detail["TaxCodeRef"] = self.code(code) if code not in ("TAX", "NON") else {"value": code}
        if inclusive is not None:
            detail["TaxInclusiveAmt"] = inclusive
        line = {"DetailType": "SalesItemLineDetail", "SalesItemLineDetail": detail}
        if amount is not None:
            line["Amount"] = amount
        return line

    def expense_line(self, amount, code: str | None) -> dict:
        detail = {"AccountRef": {"value": self.id_of("Account", "Inventory Asset")}}
        if code is not None:
            detail["TaxCodeRef"] = self.code(code)
        return {"DetailType": "AccountBasedExpenseLineDetail", "Amount": amount, "AccountBasedExpenseLineDetail": detail}

    def invoice(self, lines: list[dict], **extra) -> dict:
        return {"CustomerRef": self.customer(), "DocNumber": unique("T")[:21], "TxnDate": "2026-11-02",
                "Line": lines, **extra}


@pytest.fixture
async def sandbox(request):
    app = new_app(*getattr(request, "param", ("us", False)))
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://sandbox.test",
                                  headers=bearer(app)) as client:
        yield Sandbox(app, client)


def tax_lines(doc: dict) -> dict[str, tuple[float, float, float]]:
    """rate name -> (tax, percent, net taxable)"""
    return {t["TaxLineDetail"]["TaxRateRef"]["name"]: (t["Amount"], t["TaxLineDetail"]["TaxPercent"],
                                                        t["TaxLineDetail"]["NetAmountTaxable"])
            for t in doc["TxnTaxDetail"].get("TaxLine", [])}


# --- the companies of each region --------------------------------------------------------------------------

@pytest.mark.parametrize("region,currency,country,word", [
    ("us", "USD", "US", None), ("ca", "CAD", "CA", "GST/HST"), ("uk", "GBP", "GB", "VAT"),
    ("au", "AUD", "AU", "GST"), ("nz", "NZD", "NZ", "GST")])
def test_each_region_has_its_currency_country_and_codes(region, currency, country, word):
    from qbtui.sandbox.fixtures import build

    for kind in ("empty", "demo", "unprepared", "inventory"):
        c = build(kind, "1", region=region)
        assert c.region_info.tax_word == word
        if region != "us":  # the unprepared firm keeps its CAD home in the US region, as it always had
            assert c.home_currency == currency and c.company_info["Country"] == country
    c = build("demo", "1", region=region)
    names = {t["Name"] for t in c.objects["TaxCode"].values()}
    expected = {"us": {"TAX", "NON", "State Sales Tax"},
                "ca": {"GST", "HST ON", "GST/PST BC", "GST/QST QC - 9.975", "Zero-rated", "Exempt", "Out of Scope"},
                "uk": {"20.0% S", "5.0% R", "0.0% Z", "Exempt", "No VAT"},
                "au": {"GST", "GST free", "Input taxed", "Out of scope"},
                "nz": {"GST", "Zero-rated", "Exempt", "No GST"}}[region]
    assert names == expected
    rates = {r["Name"]: r["RateValue"] for r in c.objects["TaxRate"].values()}
    assert {"us": rates.get("State Sales Tax") == 8, "ca": rates.get("HST ON") == 13 and rates.get("QST") == 9.975,
            "uk": rates.get("20.0% S") == 20 and rates.get("5.0% R") == 5, "au": rates.get("GST") == 10,
            "nz": rates.get("GST") == 15}[region]
    assert c.preferences["CurrencyPrefs"]["MultiCurrencyEnabled"] is False


def test_the_default_company_is_the_us_one_as_before():
    from qbtui.sandbox.fixtures import build

    plain, us = build("demo", "1"), build("demo", "1", region="us")
    assert plain.objects == us.objects and plain.next_id == us.next_id
    assert plain.home_currency == "USD" and plain.company_info["Country"] == "US"
    assert build("unprepared", "1").home_currency == "CAD"


# --- three lines at mixed rates, tax-exclusive ------------------------------------------------------------

@pytest.mark.parametrize("sandbox", [("us", False)], indirect=True)
async def test_us_invoice_tax_exclusive(sandbox):
    # TAX 10.06 + TAX 2 x 5.03 = 10.06 + NON 20.00, rate code State Sales Tax (8 %):
    #   taxable 20.12 x 8 % = 1.6096 -> 1.61 (per line it would be 0.8048 -> 0.80 twice = 1.60)
    #   TotalAmt = 10.06 + 10.06 + 20.00 + 1.61 = 41.73; the sent TotalTax 99 is not taken
    s = sandbox
    inv = await s.make("Invoice", s.invoice(
        [s.sale_line(1, 10.06, "TAX"), s.sale_line(2, 5.03, "TAX"), s.sale_line(1, 20, "NON")],
        TxnTaxDetail={"TxnTaxCodeRef": {"value": "3"}, "TotalTax": 99}))
    assert inv["TxnTaxDetail"]["TotalTax"] == 1.61 and inv["TotalAmt"] == 41.73
    assert inv["TxnTaxDetail"]["TxnTaxCodeRef"] == {"value": "3", "name": "State Sales Tax"}
    assert tax_lines(inv) == {"State Sales Tax": (1.61, 8.0, 20.12)}
    assert inv["Balance"] == 41.73


@pytest.mark.parametrize("sandbox", [("ca", False)], indirect=True)
async def test_ca_invoice_tax_exclusive(sandbox):
    # HST ON 10.50 + HST ON 2 x 5.25 = 10.50 + GST/QST QC 100.10:
    #   HST 13 % of 21.00 = 2.73 (per line: 1.365 -> 1.37 twice = 2.74)
    #   GST  5 % of 100.10 = 5.005 -> 5.01 (half up; half even would give 5.00)
    #   QST 9.975 % of 100.10 = 9.984975 -> 9.98
    #   TotalTax = 2.73 + 5.01 + 9.98 = 17.72; TotalAmt = 121.10 + 17.72 = 138.82
    s = sandbox
    inv = await s.make("Invoice", s.invoice([s.sale_line(1, 10.5, "HST ON"), s.sale_line(2, 5.25, "HST ON"),
                                             s.sale_line(1, 100.1, "GST/QST QC - 9.975")]))
    assert tax_lines(inv) == {"HST ON": (2.73, 13.0, 21.0), "GST": (5.01, 5.0, 100.1), "QST": (9.98, 9.975, 100.1)}
    assert inv["TxnTaxDetail"]["TotalTax"] == 17.72 and inv["TotalAmt"] == 138.82
    assert inv["GlobalTaxCalculation"] == "TaxExcluded"


@pytest.mark.parametrize("sandbox", [("uk", False)], indirect=True)
async def test_uk_invoice_tax_exclusive(sandbox):
    # 20.0% S 10.03 + 20.0% S 10.03 + 5.0% R 10.10:
    #   20 % of 20.06 = 4.012 -> 4.01 (per line: 2.006 -> 2.01 twice = 4.02)
    #   5 % of 10.10 = 0.505 -> 0.51 (half up; half even: 0.50)
    #   TotalTax 4.52; TotalAmt = 30.16 + 4.52 = 34.68
    s = sandbox
    inv = await s.make("Invoice", s.invoice([s.sale_line(1, 10.03, "20.0% S"), s.sale_line(1, 10.03, "20.0% S"),
                                             s.sale_line(1, 10.1, "5.0% R")], GlobalTaxCalculation="TaxExcluded",
                                            TxnTaxDetail={"TotalTax": 5}))
    assert tax_lines(inv) == {"20.0% S": (4.01, 20.0, 20.06), "5.0% R": (0.51, 5.0, 10.1)}
    assert inv["TxnTaxDetail"]["TotalTax"] == 4.52 and inv["TotalAmt"] == 34.68


@pytest.mark.parametrize("sandbox", [("au", False)], indirect=True)
async def test_au_invoice_tax_exclusive(sandbox):
    # GST 5 x 0.25 = 1.25 + GST 1.25 + GST free 3 x 2.00 = 6.00:
    #   10 % of 2.50 = 0.25 (per line: 0.125 -> 0.13 twice = 0.26); GST free: a 0 % line of 6.00
    #   TotalTax 0.25; TotalAmt = 8.50 + 0.25 = 8.75
    s = sandbox
    inv = await s.make("Invoice", s.invoice([s.sale_line(5, 0.25, "GST"), s.sale_line(1, 1.25, "GST"),
                                             s.sale_line(3, 2, "GST free")]))
    assert tax_lines(inv) == {"GST": (0.25, 10.0, 2.5), "GST free": (0.0, 0.0, 6.0)}
    assert inv["TxnTaxDetail"]["TotalTax"] == 0.25 and inv["TotalAmt"] == 8.75


@pytest.mark.parametrize("sandbox", [("nz", False)], indirect=True)
async def test_nz_invoice_tax_exclusive(sandbox):
    # GST 10.15 + GST 10.15 + Zero-rated 5.00:
    #   15 % of 20.30 = 3.045 -> 3.05 (half up; half even 3.04; per line 1.5225 -> 1.52 twice = 3.04)
    #   TotalTax 3.05; TotalAmt = 25.30 + 3.05 = 28.35
    s = sandbox
    inv = await s.make("Invoice", s.invoice([s.sale_line(1, 10.15, "GST"), s.sale_line(1, 10.15, "GST"),
                                             s.sale_line(1, 5, "Zero-rated")]))
    assert tax_lines(inv) == {"GST": (3.05, 15.0, 20.3), "Zero-rated": (0.0, 0.0, 5.0)}
    assert inv["TxnTaxDetail"]["TotalTax"] == 3.05 and inv["TotalAmt"] == 28.35


# --- tax-inclusive ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("sandbox", [("ca", False)], indirect=True)
async def test_ca_invoice_tax_inclusive(sandbox):
    # HST ON: inclusive 11.30 + 5.65 = 16.95; net = 16.95 x 100 / 113 = 15.00; tax 1.95
    # GST/QST QC: inclusive 114.98; net = 114.98 x 100 / 114.975 = 100.0043 -> 100.00; tax 14.98:
    #   GST 5 % of 100.00 = 5.00, QST the rest 9.98
    # TotalTax = 1.95 + 5.00 + 9.98 = 16.93; TotalAmt = 16.95 + 114.98 = 131.93
    s = sandbox
    inv = await s.make("Invoice", s.invoice([s.sale_line(1, 10, "HST ON", 11.30), s.sale_line(1, 5, "HST ON", 5.65),
                                             s.sale_line(1, 100, "GST/QST QC - 9.975", 114.98)],
                                            GlobalTaxCalculation="TaxInclusive"))
    assert tax_lines(inv) == {"HST ON": (1.95, 13.0, 15.0), "GST": (5.0, 5.0, 100.0), "QST": (9.98, 9.975, 100.0)}
    assert inv["TxnTaxDetail"]["TotalTax"] == 16.93 and inv["TotalAmt"] == 131.93
    assert [line["SalesItemLineDetail"]["TaxInclusiveAmt"] for line in inv["Line"][:3]] == [11.3, 5.65, 114.98]


@pytest.mark.parametrize("sandbox", [("uk", False)], indirect=True)
async def test_uk_invoice_tax_inclusive(sandbox):
    # 20.0% S: inclusive 10.00 + 10.00 = 20.00 (nets sent 8.33 each); net = 20 x 100 / 120 = 16.666.. -> 16.67;
    #   tax 3.33 (per line 1.67 twice = 3.34)
    # 5.0% R: inclusive 10.50; net 10.00; tax 0.50
    # TotalTax 3.83; TotalAmt = 20.00 + 10.50 = 30.50 (the subtotal of the sent nets is 26.66)
    s = sandbox
    inv = await s.make("Invoice", s.invoice([s.sale_line(1, 8.33, "20.0% S", 10), s.sale_line(1, 8.33, "20.0% S", 10),
                                             s.sale_line(1, 10, "5.0% R", 10.5)],
                                            GlobalTaxCalculation="TaxInclusive"))
    assert tax_lines(inv) == {"20.0% S": (3.33, 20.0, 16.67), "5.0% R": (0.5, 5.0, 10.0)}
    assert inv["TxnTaxDetail"]["TotalTax"] == 3.83 and inv["TotalAmt"] == 30.5
    assert inv["Line"][-1] == {"Amount": 26.66, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}}


@pytest.mark.parametrize("sandbox", [("au", False)], indirect=True)
async def test_au_invoice_tax_inclusive(sandbox):
    # GST: inclusive 11.00 + 2.20 = 13.20; net 12.00; tax 1.20. GST free: 5.00 (no TaxInclusiveAmt sent: the net
    # plus 0 %). TotalTax 1.20; TotalAmt = 13.20 + 5.00 = 18.20
    s = sandbox
    inv = await s.make("Invoice", s.invoice([s.sale_line(1, 10, "GST", 11), s.sale_line(1, 2, "GST", 2.2),
                                             s.sale_line(1, 5, "GST free")], GlobalTaxCalculation="TaxInclusive"))
    assert tax_lines(inv) == {"GST": (1.2, 10.0, 12.0), "GST free": (0.0, 0.0, 5.0)}
    assert inv["TxnTaxDetail"]["TotalTax"] == 1.2 and inv["TotalAmt"] == 18.2
    assert inv["Line"][2]["SalesItemLineDetail"]["TaxInclusiveAmt"] == 5.0


@pytest.mark.parametrize("sandbox", [("nz", False)], indirect=True)
async def test_nz_invoice_tax_inclusive(sandbox):
    # GST: inclusive 23.00 + 10.00 = 33.00; net = 33 x 100 / 115 = 28.6956 -> 28.70; tax 4.30.
    # Zero-rated: 4.00. TotalTax 4.30; TotalAmt = 33.00 + 4.00 = 37.00
    s = sandbox
    inv = await s.make("Invoice", s.invoice([s.sale_line(1, 20, "GST", 23), s.sale_line(1, 8.7, "GST", 10),
                                             s.sale_line(1, 4, "Zero-rated", 4)], GlobalTaxCalculation="TaxInclusive"))
    assert tax_lines(inv) == {"GST": (4.3, 15.0, 28.7), "Zero-rated": (0.0, 0.0, 4.0)}
    assert inv["TxnTaxDetail"]["TotalTax"] == 4.3 and inv["TotalAmt"] == 37.0


@pytest.mark.parametrize("sandbox", [("uk", False)], indirect=True)
@pytest.mark.parametrize("entity", ["Invoice", "CreditMemo", "RefundReceipt", "Estimate", "SalesReceipt", "Bill",
                                    "VendorCredit", "PurchaseOrder"])
async def test_every_form_is_taxed(sandbox, entity):
    # 20.0% S on 12.50 = 2.50, 5.0% R on 10.10 = 0.505 -> 0.51: TotalTax 3.01, TotalAmt 22.60 + 3.01 = 25.61
    s = sandbox
    if entity in ("Bill", "VendorCredit", "PurchaseOrder"):
        body = {"VendorRef": s.vendor(), "TxnDate": "2026-11-02",
                "Line": [s.expense_line(12.5, "20.0% S"), s.expense_line(10.1, "5.0% R")]}
    else:
        body = s.invoice([s.sale_line(1, 12.5, "20.0% S"), s.sale_line(1, 10.1, "5.0% R")])
        if entity == "RefundReceipt":
            body["DepositToAccountRef"] = {"value": s.id_of("Account", "Checking")}
    doc = await s.make(entity, body)
    assert doc["TxnTaxDetail"]["TotalTax"] == 3.01 and doc["TotalAmt"] == 25.61
    if entity in ("Invoice", "CreditMemo", "Bill", "VendorCredit"):
        assert doc["Balance"] == 25.61


@pytest.mark.parametrize("sandbox", [("ca", False)], indirect=True)
async def test_not_applicable_takes_no_tax_and_no_code(sandbox):
    s = sandbox
    inv = await s.make("Invoice", s.invoice([s.sale_line(1, 10, None)], GlobalTaxCalculation="NotApplicable"))
    assert inv["TxnTaxDetail"]["TotalTax"] == 0 and inv["TotalAmt"] == 10.0


# --- what QBO refuses -------------------------------------------------------------------------------------

@pytest.mark.parametrize("sandbox,word", [(("ca", False), "GST/HST"), (("uk", False), "VAT"), (("au", False), "GST"),
                                          (("nz", False), "GST")], indirect=["sandbox"])
async def test_a_line_without_a_tax_code_is_refused_outside_the_us(sandbox, word):
    s = sandbox
    code = s.company.region_info.sample_code
    for entity, body in (("Invoice", s.invoice([s.sale_line(1, 10, code), s.sale_line(1, 5, None)])),
                         ("Bill", {"VendorRef": s.vendor(), "Line": [s.expense_line(10, None)]})):
        error = await s.refused(entity, body)
        assert error["code"] == "6000"
        assert error["Detail"] == f"Business Validation Error: Make sure all your transactions have a {word} rate " \
                                  "before you save."
    error = await s.refused("Invoice", s.invoice([s.sale_line(1, 10, "TAX")]))  # no pseudo codes outside the US
    assert error["code"] == "2500"


@pytest.mark.parametrize("sandbox", [("us", False)], indirect=True)
async def test_us_refusals(sandbox):
    s = sandbox
    error = await s.refused("Invoice", s.invoice([s.sale_line(1, 10, "State Sales Tax")]))  # a rate code on a line
    assert error["code"] == "6000" and error["element"] == "TaxCodeRef"
    error = await s.refused("Invoice", s.invoice([s.sale_line(1, 10, "TAX")], GlobalTaxCalculation="TaxInclusive"))
    assert error["code"] == "6000" and error["element"] == "GlobalTaxCalculation"
    error = await s.refused("Invoice", s.invoice([s.sale_line(1, 10, "TAX")],
                                                 TxnTaxDetail={"TxnTaxCodeRef": {"value": "TAX"}}))
    assert error["code"] == "2500"
    # what python-quickbooks sends on every form is taken; a line without a code is NON; no rate code: the sent
    # TotalTax stands, as before
    inv = await s.make("Invoice", s.invoice([s.sale_line(1, 10, "TAX"), s.sale_line(1, 5, None)],
                                            GlobalTaxCalculation="TaxExcluded", TxnTaxDetail={"TotalTax": 0.8}))
    assert inv["TotalAmt"] == 15.8


# --- the property: random lines, rates, inclusive or not -------------------------------------------------

CENT = Decimal("0.01")


def hu(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


PROPERTY_APP = {}


def property_sandbox(region: str):
    if region not in PROPERTY_APP:
        PROPERTY_APP[region] = new_app(region)
    return PROPERTY_APP[region]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(region=st.sampled_from(["ca", "uk", "au", "nz"]), inclusive=st.booleans(),
       lines=st.lists(st.tuples(st.integers(min_value=1, max_value=500_000), st.integers(min_value=0, max_value=99)),
                      min_size=1, max_size=8))
async def test_property_sums_and_rounding(region, inclusive, lines):
    """For random nets (cents) on random codes: each rate's NetAmountTaxable is the sum of its lines; its tax is the
    rate on that sum, half up (exclusive), or what the code's inclusive sum holds (inclusive); TotalTax is the sum
    of the TaxLines, and TotalAmt the subtotal plus the tax (exclusive) or the sum of the inclusive amounts."""
    app = property_sandbox(region)
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://sandbox.test",
                                  headers=bearer(app)) as client:
        s = Sandbox(app, client)
        codes = [c for c in s.company.objects["TaxCode"].values()]
        rates = s.company.objects["TaxRate"]
        chosen = [(Decimal(cents) / 100, codes[pick % len(codes)]) for cents, pick in lines]
        body_lines = []
        for net, code in chosen:
            detail = {"ItemRef": {"value": s.id_of("Item", "Gift Wrapping")}, "TaxCodeRef": {"value": code["Id"]}}
            body_lines.append({"DetailType": "SalesItemLineDetail", "Amount": float(net), "SalesItemLineDetail": detail})
        extra = {"GlobalTaxCalculation": "TaxInclusive"} if inclusive else {}
        inv = await s.make("Invoice", s.invoice(body_lines, **extra))
    # worked independently: per code, then per rate
    per_rate_net: dict[str, Decimal] = {}
    per_rate_tax: dict[str, Decimal] = {}
    total = Decimal(0)
    by_code: dict[str, list[Decimal]] = {}
    for net, code in chosen:
        by_code.setdefault(code["Id"], []).append(net)
    for code_id, nets in by_code.items():
        code = s.company.objects["TaxCode"][code_id]
        its = [rates[d["TaxRateRef"]["value"]] for d in code["SalesTaxRateList"]["TaxRateDetail"]]
        pcts = [Decimal(str(r["RateValue"])) for r in its]
        if inclusive:
            gross = sum((n + sum((hu(n * p / 100) for p in pcts), Decimal(0)) for n in nets), Decimal(0))
            code_tax = gross - hu(gross * 100 / (100 + sum(pcts, Decimal(0)))) if its else Decimal(0)
            taxable = gross - code_tax
            shares = [hu(taxable * p / 100) for p in pcts[:-1]]
            shares += [code_tax - sum(shares, Decimal(0))] if its else []
            total += gross
        else:  # the tax of each rate comes once, from all its lines (below)
            taxable = sum(nets, Decimal(0))
            shares = [Decimal(0) for _ in pcts]
            total += taxable
        for rate, share in zip(its, shares, strict=True):
            per_rate_net[rate["Name"]] = per_rate_net.get(rate["Name"], Decimal(0)) + taxable
            per_rate_tax[rate["Name"]] = per_rate_tax.get(rate["Name"], Decimal(0)) + share
    if not inclusive:
        for name, net in per_rate_net.items():
            pct = Decimal(str(next(r["RateValue"] for r in rates.values() if r["Name"] == name)))
            per_rate_tax[name] = hu(net * pct / 100)
            total += per_rate_tax[name]
    got = tax_lines(inv)
    assert {k: (Decimal(str(v[0])), Decimal(str(v[2]))) for k, v in got.items()} == \
        {k: (per_rate_tax[k], per_rate_net[k]) for k in per_rate_tax}
    assert Decimal(str(inv["TxnTaxDetail"]["TotalTax"])) == sum(per_rate_tax.values(), Decimal(0))
    assert Decimal(str(inv["TotalAmt"])) == total
    for name, tax in per_rate_tax.items():  # never more than half a cent from the exact figure, per rate
        pct = Decimal(str(next(r["RateValue"] for r in rates.values() if r["Name"] == name)))
        if not inclusive:
            assert abs(tax - per_rate_net[name] * pct / 100) <= Decimal("0.005")


# --- multicurrency ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("sandbox", [("us", True)], indirect=True)
async def test_a_eur_invoice_and_its_payment_post_to_the_eur_receivable(sandbox):
    s = sandbox
    assert s.company.preferences["CurrencyPrefs"]["MultiCurrencyEnabled"] is True
    cust = await s.make("Customer", {"DisplayName": unique("Euro GmbH"), "CurrencyRef": {"value": "EUR"}})
    assert not [a for a in s.company.objects["Account"].values() if a["Name"].endswith(" - EUR")]  # not yet used
    # an invoice of 100.00 (NON) at 1.08: HomeTotalAmt 108.00, on the EUR A/R account QBO makes for it
    inv = await s.make("Invoice", {"CustomerRef": {"value": cust["Id"]}, "TxnDate": "2026-11-02", "ExchangeRate": 1.08,
                                   "Line": [s.sale_line(1, 100, "NON")]})
    assert inv["CurrencyRef"] == {"value": "EUR", "name": "Euro"} and inv["ExchangeRate"] == 1.08
    assert inv["HomeTotalAmt"] == 108.0 and inv["HomeBalance"] == 108.0
    ar = s.company.objects["Account"][inv["ARAccountRef"]["value"]]
    assert ar["Name"] == "Accounts Receivable (A/R) - EUR" and ar["CurrencyRef"]["value"] == "EUR"
    assert ar["AccountType"] == "Accounts Receivable"
    assert {c["Code"] for c in s.company.objects["CompanyCurrency"].values()} == {"EUR"}
    again = await s.make("Invoice", {"CustomerRef": {"value": cust["Id"]}, "TxnDate": "2026-11-03",
                                     "ExchangeRate": 1.1, "Line": [s.sale_line(1, 10, "NON")]})
    assert again["ARAccountRef"] == inv["ARAccountRef"]  # one A/R account per currency
    # its payment at 1.25: 125.00 deposited, 108.00 cleared from A/R (the invoice's rate): a realised gain of 17.00
    deposit = s.id_of("Account", "Undeposited Funds")
    before = Ledger(s.company).balances("2026-11-30")[deposit]
    pay = await s.make("Payment", {"CustomerRef": {"value": cust["Id"]}, "TxnDate": "2026-11-20", "TotalAmt": 100,
                                   "ExchangeRate": 1.25,
                                   "Line": [{"Amount": 100, "LinkedTxn": [{"TxnId": inv["Id"], "TxnType": "Invoice"}]}]})
    assert pay["ARAccountRef"] == inv["ARAccountRef"] and pay["ExchangeRate"] == 1.25
    balances = Ledger(s.company).balances("2026-11-30")
    gain = s.id_of("Account", "Exchange Gain or Loss")
    assert balances[gain] == Decimal("-17.00")  # an Other Expense account credited: a gain
    assert balances[ar["Id"]] == Decimal("11.00")  # what is left: the second invoice, 10.00 at 1.1
    assert pay["DepositToAccountRef"]["value"] == deposit and balances[deposit] - before == Decimal("125.00")


@pytest.mark.parametrize("sandbox", [("uk", True)], indirect=True)
async def test_multicurrency_refusals_and_defaults(sandbox):
    s = sandbox
    cust = await s.make("Customer", {"DisplayName": unique("Euro SA"), "CurrencyRef": {"value": "EUR"}})
    vend = await s.make("Vendor", {"DisplayName": unique("Euro BV"), "CurrencyRef": {"value": "EUR"}})
    home_ar = s.id_of("Account", "Accounts Receivable (A/R)")
    home_ap = s.id_of("Account", "Accounts Payable (A/P)")
    line = s.sale_line(1, 10, "20.0% S")
    error = await s.refused("Invoice", {"CustomerRef": {"value": cust["Id"]}, "CurrencyRef": {"value": "GBP"},
                                        "Line": [line]})
    assert error["code"] == "6000" and "currency" in error["Detail"]
    error = await s.refused("Invoice", {"CustomerRef": {"value": cust["Id"]}, "ARAccountRef": {"value": home_ar},
                                        "Line": [line]})
    assert error["Detail"] == "Business Validation Error: The transaction needs to be in the same currency as the " \
                              "A/R and A/P accounts you use."
    error = await s.refused("Bill", {"VendorRef": {"value": vend["Id"]}, "APAccountRef": {"value": home_ap},
                                     "Line": [s.expense_line(10, "20.0% S")]})
    assert error["code"] == "6000" and error["element"] == "APAccountRef"
    # a rate set through the API is the one a transaction sent without a rate takes
    answer = await s.client.post(f"{s.realm}/exchangerate", json={"SourceCurrencyCode": "EUR", "AsOfDate": "2026-11-01",
                                                                  "Rate": 0.86})
    assert answer.status_code == 200 and answer.json()["ExchangeRate"]["Rate"] == 0.86
    got = (await s.client.get(f"{s.realm}/exchangerate", params={"sourcecurrencycode": "EUR",
                                                                "asofdate": "2026-11-02"})).json()["ExchangeRate"]
    assert got["Rate"] == 0.86 and got["TargetCurrencyCode"] == "GBP"
    bill = await s.make("Bill", {"VendorRef": {"value": vend["Id"]}, "TxnDate": "2026-11-02",
                                 "Line": [s.expense_line(10, "20.0% S")]})
    # 10.00 + 20 % = 12.00 EUR at 0.86: HomeBalance 10.32; on the EUR A/P account made for it
    assert bill["CurrencyRef"]["value"] == "EUR" and bill["ExchangeRate"] == 0.86 and bill["TotalAmt"] == 12.0
    assert bill["HomeBalance"] == 10.32
    assert s.company.objects["Account"][bill["APAccountRef"]["value"]]["Name"] == "Accounts Payable (A/P) - EUR"
    # a home-currency document: rate 1, the home accounts
    inv = await s.make("Invoice", s.invoice([line]))
    assert inv["ExchangeRate"] == 1 and inv["ARAccountRef"]["value"] == home_ar and inv["HomeTotalAmt"] == 12.0


async def test_exchange_rates_need_multicurrency(client):
    answer = await client.get(f"{client.realm}/exchangerate", params={"sourcecurrencycode": "EUR"})
    assert answer.status_code == 400 and answer.json()["Fault"]["Error"][0]["code"] == "6000"


@pytest.mark.parametrize("sandbox", [("au", True)], indirect=True)
async def test_a_bill_payment_at_its_own_rate_books_a_realised_loss(sandbox):
    # a USD bill of 50.00 (GST free) at 1.50 AUD (home 75.00), paid at 1.56 (home 78.00): A/P - USD debited
    # 75.00, the bank credited 78.00, Exchange Gain or Loss debited 3.00 (a loss)
    s = sandbox
    vend = await s.make("Vendor", {"DisplayName": unique("Yankee Inc"), "CurrencyRef": {"value": "USD"}})
    bill = await s.make("Bill", {"VendorRef": {"value": vend["Id"]}, "TxnDate": "2026-11-02", "ExchangeRate": 1.5,
                                 "Line": [s.expense_line(50, "GST free")]})
    ap = s.company.objects["Account"][bill["APAccountRef"]["value"]]
    assert ap["Name"] == "Accounts Payable (A/P) - USD" and bill["TotalAmt"] == 50.0
    bank = s.id_of("Account", "Checking")
    before = Ledger(s.company).balances("2026-11-30")
    pay = await s.make("BillPayment", {"VendorRef": {"value": vend["Id"]}, "TxnDate": "2026-11-10", "PayType": "Check",
                                       "TotalAmt": 50, "ExchangeRate": 1.56,
                                       "CheckPayment": {"BankAccountRef": {"value": bank}, "PrintStatus": "NotSet"},
                                       "Line": [{"Amount": 50, "LinkedTxn": [{"TxnId": bill["Id"], "TxnType": "Bill"}]}]})
    assert pay["APAccountRef"] == bill["APAccountRef"] and pay["CurrencyRef"]["value"] == "USD"
    after = Ledger(s.company).balances("2026-11-30")
    gain = s.id_of("Account", "Exchange Gain or Loss")
    assert after[ap["Id"]] == Decimal("0.00") and before[ap["Id"]] == Decimal("75.00")
    assert after[bank] - before[bank] == Decimal("-78.00")
    assert after[gain] - before[gain] == Decimal("3.00")


def test_the_region_and_the_rates_are_kept_in_the_state_file(tmp_path):
    from qbtui.sandbox import state
    from qbtui.sandbox.fixtures import build

    c = build("demo", "1", region="nz", multicurrency=True)
    c.exchange_rates[("AUD", "2026-11-01")] = 1.09
    state.save(c, tmp_path / "company.json")
    back = state.load(tmp_path / "company.json")
    assert back.region == "nz" and back.home_currency == "NZD" and back.multicurrency
    assert back.exchange_rates == {("AUD", "2026-11-01"): 1.09}
