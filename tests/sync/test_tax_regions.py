"""Sales tax, VAT and GST synced to each region's sandbox (``--region us|ca|uk|au|nz``): QBO's totals and tax equal
the inventory side's to the cent, with no fault and no ``tax_difference``.

Every expected figure is worked by hand below, with QBO's rules as docs/qbo.md#tax-by-region has them: tax-exclusive,
per rate the lines' nets summed and the rate applied once, half up; tax-inclusive, per code the inclusive amounts
summed and the tax taken out of the sum, ``sum - half_up(sum x 100 / (100 + rate))``; a credit note split by a
partial refund sends each part tax-inclusive, its lines' inclusive amounts scaled by the part's share (weights: each
line's net plus its own tax), the first line rounded half up and the last taking the rest.

The same documents everywhere (three codes per region, c1 c2 c3):
  invoice SO-X (exclusive): A 2 x 10.03 = 20.06 (c1), B 3 x 7.00 = 21.00 (c2), C 1 x 4.99 = 4.99 (c3); nets 46.05
  invoice SO-I (inclusive): A 2 x 12.00 = 24.00 (c1), B 1 x 10.50 (c2), C 1 x 4.99 (c3); total 39.49
  credit note CN-1 (exclusive): 1 x 50.00 (c1), 1 x 21.00 (c2), refund RF-1 of 20.00
  bill BILL-1: 10 x 4.10 = 41.00 (c1), 3 x 2.35 = 7.05 (c2); vendor credit VC-1: 2 x 4.10 = 8.20 (c1)
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import httpx2
import orjson
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from qbtui.ledger.build import build
from qbtui.ledger.context import Ledger, Prefs
from qbtui.ledger.resolver import LookupResolver
from qbtui.qbo.errors import QBOFault
from qbtui.sandbox import SandboxConfig, create_app
from qbtui.sandbox.fixtures import _raw
from qbtui.settings import Settings
from qbtui.sync.plan import cache_resolver, snapshot
from qbtui.tui.adapter import discrepancies
from tests.support import documents as d

D = Decimal

CODES = {  # region: (currency, c1, c2, c3)
    "ca": ("CAD", "HST ON", "GST/QST QC - 9.975", "Zero-rated"),  # 13 %, 5 % + 9.975 %, 0 %
    "uk": ("GBP", "20.0% S", "5.0% R", "0.0% Z"),  # 20 %, 5 %, 0 %
    "au": ("AUD", "GST", "GST free", "Input taxed"),  # 10 %, 0 %, 0 %
    "nz": ("NZD", "GST", "Zero-rated", "Exempt"),  # 15 %, 0 %, 0 %
}

# (entity, DocNumber): (TotalAmt, TotalTax), worked by hand
EXPECTED = {
    "ca": {
        # SO-X: HST 20.06 x 13 % = 2.6078 -> 2.61; GST 21.00 x 5 % = 1.05; QST 21.00 x 9.975 % = 2.09475 -> 2.09
        ("Invoice", "SO-X"): ("51.80", "5.75"),
        # SO-I: 24.00 - half_up(24.00 / 1.13 = 21.2389) = 2.76; 10.50 - half_up(10.50 / 1.14975 = 9.1324) = 1.37
        ("Invoice", "SO-I"): ("39.49", "4.13"),
        # CN-1: tax 50 x 13 % = 6.50, 21 x 5 % = 1.05, 21 x 9.975 % = 2.09: 9.64, total 80.64; weights 56.50 and
        # 21 + half_up(21 x 14.975 % = 3.14475) = 24.14. Refund 20.00: 20 x 56.50 / 80.64 = 14.0129 -> 14.01, 5.99;
        # tax 14.01 - 12.40 = 1.61, 5.99 - half_up(5.2098) = 0.78. Memo 60.64: 42.4871 -> 42.49, 18.15;
        # tax 42.49 - 37.60 = 4.89, 18.15 - half_up(15.7860) = 2.36
        ("RefundReceipt", "RF-1"): ("20.00", "2.39"),
        ("CreditMemo", "CN-1"): ("60.64", "7.25"),
        # BILL-1: 41.00 x 13 % = 5.33; purchases of GST/QST: GST 7.05 x 5 % = 0.3525 -> 0.35, QST 0.7032 -> 0.70
        ("Bill", "BILL-1"): ("54.43", "6.38"),
        ("VendorCredit", "VC-1"): ("9.27", "1.07"),  # 8.20 x 13 % = 1.066 -> 1.07
    },
    "uk": {
        # 20.06 x 20 % = 4.012 -> 4.01 (not 2.01 + 2.01 per line); 21.00 x 5 % = 1.05
        ("Invoice", "SO-X"): ("51.11", "5.06"),
        # 24.00 - half_up(24 / 1.2 = 20.00) = 4.00; 10.50 - half_up(10.50 / 1.05 = 10.00) = 0.50
        ("Invoice", "SO-I"): ("39.49", "4.50"),
        # CN-1: tax 10.00 + 1.05 = 11.05, total 82.05; weights 60.00, 22.05. Refund 20.00: 20 x 60 / 82.05 =
        # 14.6252 -> 14.63, 5.37; tax 14.63 - half_up(12.1917) = 2.44, 5.37 - half_up(5.1143) = 0.26.
        # Memo 62.05: 45.3748 -> 45.37, 16.68; tax 45.37 - 37.81 = 7.56, 16.68 - 15.89 = 0.79
        ("RefundReceipt", "RF-1"): ("20.00", "2.70"),
        ("CreditMemo", "CN-1"): ("62.05", "8.35"),
        ("Bill", "BILL-1"): ("56.60", "8.55"),  # 41.00 x 20 % = 8.20; 7.05 x 5 % = 0.3525 -> 0.35
        ("VendorCredit", "VC-1"): ("9.84", "1.64"),  # 8.20 x 20 % = 1.64
    },
    "au": {
        ("Invoice", "SO-X"): ("48.06", "2.01"),  # 20.06 x 10 % = 2.006 -> 2.01; GST free and input taxed: 0
        ("Invoice", "SO-I"): ("39.49", "2.18"),  # 24.00 - half_up(24 / 1.1 = 21.8182) = 2.18
        # CN-1: tax 5.00, total 76.00; weights 55.00, 21.00. Refund 20.00: 20 x 55 / 76 = 14.4737 -> 14.47, 5.53;
        # tax 14.47 - half_up(13.1545) = 1.32. Memo 56.00: 40.5263 -> 40.53, 15.47; tax 40.53 - 36.85 = 3.68
        ("RefundReceipt", "RF-1"): ("20.00", "1.32"),
        ("CreditMemo", "CN-1"): ("56.00", "3.68"),
        ("Bill", "BILL-1"): ("52.15", "4.10"),  # 41.00 x 10 %
        ("VendorCredit", "VC-1"): ("9.02", "0.82"),
    },
    "nz": {
        ("Invoice", "SO-X"): ("49.06", "3.01"),  # 20.06 x 15 % = 3.009 -> 3.01
        ("Invoice", "SO-I"): ("39.49", "3.13"),  # 24.00 - half_up(24 / 1.15 = 20.8696) = 3.13
        # CN-1: tax 7.50, total 78.50; weights 57.50, 21.00. Refund 20.00: 20 x 57.5 / 78.5 = 14.6497 -> 14.65, 5.35;
        # tax 14.65 - half_up(12.7391) = 1.91. Memo 58.50: 42.8503 -> 42.85, 15.65; tax 42.85 - 37.26 = 5.59
        ("RefundReceipt", "RF-1"): ("20.00", "1.91"),
        ("CreditMemo", "CN-1"): ("58.50", "5.59"),
        ("Bill", "BILL-1"): ("54.20", "6.15"),  # 41.00 x 15 %
        ("VendorCredit", "VC-1"): ("9.43", "1.23"),  # 8.20 x 15 % = 1.23
    },
    "us": {
        # lines A and B name the rate code "State Sales Tax" (8 %): sent as TAX lines, the rate on the document;
        # C is NON. Taxable 20.06 + 21.00 = 41.06 x 8 % = 3.2848 -> 3.28
        ("Invoice", "SO-X"): ("49.33", "3.28"),
        # CN-1: both lines taxable: 71.00 x 8 % = 5.68, total 76.68. Refund 20.00: nets 20 x 71 / 76.68 = 18.5185 ->
        # 18.52 (13.04 + 5.48), tax 18.52 x 8 % = 1.4816 -> 1.48. Memo 56.68: nets 52.4815 -> 52.48, tax 4.1984 -> 4.20
        ("RefundReceipt", "RF-1"): ("20.00", "1.48"),
        ("CreditMemo", "CN-1"): ("56.68", "4.20"),
        # purchases carry TAX on their lines and no tax in the US
        ("Bill", "BILL-1"): ("48.05", "0.00"),
        ("VendorCredit", "VC-1"): ("8.20", "0.00"),
    },
}


def _docs(c1: str, c2: str, c3: str, inclusive: bool = True) -> list[dict]:
    def sale(sku: str, qty: int, price: str, code: str) -> dict:
        return d.line(sku, qty, price, None, tax_code=code)

    def buy(sku: str, qty: int, cost: str, code: str) -> dict:
        return {"sku": sku, "quantity": qty, "unit_cost": cost, "tax_code": code}

    docs = [d.customer(), d.supplier(), d.product(), d.product("PLT-02", "Side plate", "7.00", "2.35"),
            d.invoice("SO-X", lines=[sale("MUG-01", 2, "10.03", c1), sale("PLT-02", 3, "7.00", c2),
                                     sale("MUG-01", 1, "4.99", c3)]),
            d.credit_note("CN-1", invoice=None, lines=[sale("MUG-01", 1, "50.00", c1), sale("PLT-02", 1, "21.00", c2)],
                          refunds=[{"ref": "RF-1", "date": "2026-11-06", "amount": "20.00"}]),
            {"type": "supplier_invoice", "ref": "BILL-1", "supplier": "S-1", "invoice_date": "2026-11-03",
             "supplier_invoice_number": "BILL-1",
             "lines": [buy("MUG-01", 10, "4.10", c1), buy("PLT-02", 3, "2.35", c2)]},
            {"type": "supplier_credit", "ref": "VC-1", "supplier": "S-1", "date": "2026-11-04",
             "lines": [buy("MUG-01", 2, "4.10", c1)]}]
    if inclusive:
        docs.append(d.invoice("SO-I", tax_inclusive=True, lines=[
            sale("MUG-01", 2, "12.00", c1), sale("PLT-02", 1, "10.50", c2), sale("MUG-01", 1, "4.99", c3)]))
    return docs


def _region_profile(make_profile, region: str):
    p = make_profile(region=region)
    currency = CODES[region][0] if region != "us" else "USD"
    assert p.q("settings", "set", "base_currency", currency).exit_code == 0
    return p


def _figures(p, entity: str, number: str) -> tuple[Decimal, Decimal]:
    obj = next(o for o in p.live(entity) if o.get("DocNumber") == number)
    return (D(str(obj["TotalAmt"])).quantize(D("0.01")),
            D(str((obj.get("TxnTaxDetail") or {}).get("TotalTax", 0))).quantize(D("0.01")))


@pytest.mark.parametrize("region", ["ca", "uk", "au", "nz", "us"])
def test_documents_land_on_qbo_figures_to_the_cent(make_profile, region):
    p = _region_profile(make_profile, region)
    if region == "us":
        docs = _docs("State Sales Tax", "State Sales Tax", "NON", inclusive=False)
    else:
        docs = _docs(*CODES[region][1:])
    p.import_docs(docs)
    log = p.log_requests()
    code, out = p.sync_json()
    assert code == 0, [(x["ref"], x["status"], x["error"]) for x in out["documents"] if x["status"] != "synced"]
    assert not [r for r in log.requests if r.faulted]  # not one fault
    for (entity, number), (total, tax) in EXPECTED[region].items():
        assert _figures(p, entity, number) == (D(total), D(tax)), (entity, number)
    with p.cache() as cache:
        assert [x for x in cache.reference("discrepancies", []) or [] if x.get("kind") == "tax_difference"] == []


def test_a_us_rate_code_goes_on_the_document_and_the_lines_say_tax(make_profile):
    p = _region_profile(make_profile, "us")
    p.import_docs(_docs("State Sales Tax", "State Sales Tax", "NON", inclusive=False)[:5])
    assert p.sync_json()[0] == 0
    inv = next(o for o in p.live("Invoice") if o.get("DocNumber") == "SO-X")
    assert [ln["SalesItemLineDetail"]["TaxCodeRef"]["value"] for ln in inv["Line"] if "SalesItemLineDetail" in ln] \
        == ["TAX", "TAX", "NON"]
    assert inv["TxnTaxDetail"]["TxnTaxCodeRef"]["name"] == "State Sales Tax"
    assert "GlobalTaxCalculation" not in inv or inv["GlobalTaxCalculation"] != "TaxInclusive"


def test_us_gates_mixed_rates_and_inclusive_taxable_prices(make_profile):
    p = _region_profile(make_profile, "us")
    # a second rate code, as a company taxing in two places has (TaxCode cannot be created through the API)
    rate = next(r for r in p.live("TaxRate"))
    _raw(p.company, "TaxCode", {"Name": "County Tax", "Active": True, "Taxable": True, "TaxGroup": True,
                                "SalesTaxRateList": {"TaxRateDetail": [{"TaxRateRef": {"value": rate["Id"]}}]}})
    p.q("pull")
    p.import_docs([d.customer(), d.product(),
                   d.invoice("SO-M", lines=[d.line(quantity=1, unit_cost=None, tax_code="State Sales Tax"),
                                            d.line(quantity=1, unit_cost=None, tax_code="County Tax")]),
                   d.invoice("SO-T", tax_inclusive=True, lines=[d.line(quantity=1, unit_cost=None, tax_code="TAX")])])
    code, out = p.sync_json()
    by_ref = {x["ref"]: x for x in out["documents"]}
    assert by_ref["SO-M"]["status"] == "blocked" and by_ref["SO-M"]["error"]["code"] == "tax.mixed_rates"
    assert by_ref["SO-T"]["status"] == "blocked" and by_ref["SO-T"]["error"]["code"] == "tax.inclusive_us"


@pytest.mark.parametrize("region,word", [("ca", "GST/HST"), ("uk", "VAT"), ("au", "GST"), ("nz", "GST")])
def test_a_line_without_a_tax_code_is_blocked_before_sending(make_profile, region, word):
    """Blocked by the gate, naming the line; the same payload sent without the gate is QBO's 6000."""
    p = _region_profile(make_profile, region)
    doc = d.invoice("SO-N", lines=[d.line(quantity=1, unit_cost=None, tax_code=CODES[region][1]),
                                   d.line(quantity=2, unit_cost=None)])
    p.import_docs([d.customer(), d.product(), doc])
    log = p.log_requests()
    code, out = p.sync_json()
    by_ref = {x["ref"]: x for x in out["documents"]}
    assert by_ref["SO-N"]["status"] == "blocked"
    assert by_ref["SO-N"]["error"]["code"] == "tax.missing_code" and "line 2 (MUG-01)" in by_ref["SO-N"]["error"]["message"]
    assert not any("/invoice" in r.path or (b"SO-N" in r.body) for r in log.requests if r.method == "POST"
                   and not r.path.endswith("/query"))

    # without the gate (the payload the ledger builds, sent as it is): QBO refuses it
    with p.cache() as cache:
        snap = snapshot(cache)
        ledger = Ledger(snap.settings, cache_resolver(snap, True), snap.prefs, snap.docs)
    body = build(doc, ledger)[0].wire_body()
    assert "TaxCodeRef" not in body["Line"][1]["SalesItemLineDetail"]

    async def send(client):
        try:
            await client.create("Invoice", body)
        except QBOFault as fault:
            return fault
        return None
    fault = p.qbo(send)
    assert fault is not None and fault.code == "6000" and word in str(fault.detail or fault)

    # a default sales code lets it through: the line carries the default
    assert p.q("map", "--tax-default", "sales", CODES[region][3]).exit_code == 0
    code, out = p.sync_json()
    assert {x["ref"]: x["status"] for x in out["documents"]}["SO-N"] == "synced"
    inv = next(o for o in p.live("Invoice") if o.get("DocNumber") == "SO-N")
    assert inv["Line"][1]["SalesItemLineDetail"]["TaxCodeRef"]["name"] == CODES[region][3]


def test_a_mapped_tax_rule_and_the_dry_run(make_profile):
    p = _region_profile(make_profile, "uk")
    p.import_docs([d.customer(), d.product(),
                   d.invoice("SO-S", lines=[d.line(quantity=2, unit_price="10.03", unit_cost=None, tax_code="Standard"),
                                            d.line(quantity=1, unit_price="4.99", unit_cost=None, tax_code="Zero")])])
    assert p.q("map", "--tax", "Standard", "20.0% S").exit_code == 0
    assert p.q("map", "--tax", "Zero", "0.0% Z").exit_code == 0
    mapped = p.q.json("map")
    assert set(mapped["tax_mapping"]) == {"Standard", "Zero"}
    dry = p.q.json("sync", "--dry-run")
    inv = next(x for x in dry["documents"] if x["ref"] == "SO-S")["payloads"][0]
    assert inv["body"]["GlobalTaxCalculation"] == "TaxExcluded"
    # 20.06 x 20 % = 4.012 -> 4.01; 4.99 x 0 % = 0; total 25.05 + 4.01 = 29.06
    assert inv["tax"]["tax_total"] == 4.01 and inv["tax"]["total"] == 29.06
    assert [ln["code"] for ln in inv["tax"]["lines"]] == ["Standard", "Zero"]
    human = p.q("sync", "--dry-run").stdout
    assert "tax code" in human and "Standard" in human and "4.01" in human and "29.06" in human
    status = p.q.json("status")["connection"]
    assert (status["region"], status["home_currency"], status["country"]) == ("uk", "GBP", "GB")
    assert "region uk, home currency GBP" in p.q("status").stdout


def test_a_difference_with_qbo_is_a_tax_difference(make_profile):
    """The ledger's figures and QBO's apart: kept with both figures, never hidden."""
    p = _region_profile(make_profile, "uk")
    p.import_docs([d.customer(), d.product(),
                   d.invoice("SO-D", lines=[d.line(quantity=1, unit_price="10.00", unit_cost=None, tax_code="20.0% S")])])
    # QBO's rate changes after the last pull: the ledger still expects 20 %
    rate = next(r for r in p.live("TaxRate") if r["Name"] == "20.0% S")
    rate["RateValue"] = 17.5
    code, out = p.sync_json()
    assert code == 0
    with p.cache() as cache:
        found = [x for x in cache.reference("discrepancies", []) or [] if x.get("kind") == "tax_difference"]
    assert len(found) == 1 and found[0]["ref"] == "SO-D"
    diffs = {x["field"]: (x["ours"], x["qbo"]) for x in found[0]["differences"]}
    assert diffs == {"TotalAmt": ("12.00", "11.75"), "TotalTax": ("2.00", "1.75")}  # 10.00 x 17.5 % = 1.75
    assert "ours 12.00, QBO 11.75" in found[0]["message"]
    with p.cache() as cache:  # the Discrepancies tab's rows: on its "Total differs" sub-tab
        [row] = [r for r in discrepancies(cache) if r["ref"] == "SO-D"]
    assert row["kind"] == "total"
    assert "12.00" in row["message"] and "11.75" in row["message"], row["message"]
    assert "2.00" in row["message"] and "1.75" in row["message"], row["message"]



# --- the ledger's expected figures against the sandbox's computation, for random documents -------------------

PROPERTY_APPS: dict[str, object] = {}
NUMBERS = itertools.count(1)


def _property_app(region: str):
    if region not in PROPERTY_APPS:
        PROPERTY_APPS[region] = create_app(SandboxConfig(company="demo", region=region, throttle="off"))
    return PROPERTY_APPS[region]


def _company_ledger(company, docs: list[dict]) -> Ledger:
    """The ledger as a sync to ``company`` builds it: QBO's codes and rates as pulled, its customer, item and A/R."""
    def first(entity: str, field: str, value: str) -> str:
        return next(str(o["Id"]) for o in company.objects[entity].values() if o.get(field) == value)

    ids = {("customer", "C-100"): [("Customer", first("Customer", "DisplayName", "Bluebell Bakery"))],
           ("product", "MUG-01"): [("Item", first("Item", "Name", "Gift Wrapping"))]}
    mapping = {"accounts_receivable": first("Account", "AccountType", "Accounts Receivable"),
               "accounts_payable": first("Account", "AccountType", "Accounts Payable")}
    resolver = LookupResolver(names={}, connected=True, mapping=mapping, link_ids=lambda t, r: ids.get((t, r), []),
                              tax_codes=list(company.objects["TaxCode"].values()),
                              tax_rates=list(company.objects["TaxRate"].values()))
    info = company.company_info
    prefs = Prefs.from_qbo({"CurrencyPrefs": {"HomeCurrency": {"value": CODES.get(company.region, ("USD",))[0]}}},
                           info)
    return Ledger(Settings.from_stored({"mapping": mapping}), resolver, prefs, {(x["type"], x["ref"]): x for x in docs})


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(region=st.sampled_from(["ca", "uk", "au", "nz"]), inclusive=st.booleans(),
       lines=st.lists(st.tuples(st.integers(min_value=1, max_value=20), st.integers(min_value=1, max_value=99_999_99),
                                st.integers(min_value=0, max_value=99)), min_size=1, max_size=8))
async def test_property_qbo_total_equals_the_ledgers(region, inclusive, lines):
    """Random lines (quantity, unit price in cents, a code of the region), tax-exclusive or inclusive: the invoice
    the ledger builds, sent to the region's sandbox, comes back with the TotalAmt and TotalTax the ledger expects."""
    app = _property_app(region)
    company = app.state.company
    codes = [c["Name"] for c in company.objects["TaxCode"].values()]
    inv = {"type": "sale_invoice", "ref": f"P-{next(NUMBERS)}", "customer": "C-100", "invoice_date": "2026-11-02",
           "tax_inclusive": inclusive,
           "lines": [{"sku": "MUG-01", "quantity": str(q), "unit_price": str(Decimal(c) / 100),
                      "tax_code": codes[pick % len(codes)]} for q, c, pick in lines]}
    customer = {"type": "customer", "ref": "C-100", "name": "Bluebell Bakery"}
    [payload] = build(inv, _company_ledger(company, [inv, customer]))
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://sandbox.test",
                                  headers={"Authorization": "Bearer " + app.state.sandbox.tokens._issue("t")[
                                      "access_token"]}) as client:
        answer = await client.post(f"/v3/company/{company.realm_id}/invoice", content=orjson.dumps(
            payload.wire_body()), headers={"Content-Type": "application/json"})
    assert answer.status_code == 200, answer.text
    obj = answer.json()["Invoice"]
    assert D(str(obj["TotalAmt"])).quantize(D("0.01")) == payload.expected["TotalAmt"]
    assert D(str(obj["TxnTaxDetail"]["TotalTax"])).quantize(D("0.01")) == payload.expected["TotalTax"]


def test_the_files_tax_total_against_qbos(make_profile):
    """The inventory side rounded per line (2.01 + 2.01 = 4.02); QBO takes the rate once on the sum (20.06 x 20 % =
    4.012 -> 4.01): a tax_difference naming the document's tax_total, with both figures."""
    p = _region_profile(make_profile, "uk")
    p.import_docs([d.customer(), d.product(),
                   d.invoice("SO-R", tax_total="4.02", lines=[
                       d.line(quantity=1, unit_price="10.03", unit_cost=None, tax_code="20.0% S", tax_amount="2.01"),
                       d.line(quantity=1, unit_price="10.03", unit_cost=None, tax_code="20.0% S", tax_amount="2.01")])])
    assert p.sync_json()[0] == 0
    assert _figures(p, "Invoice", "SO-R") == (D("24.07"), D("4.01"))
    with p.cache() as cache:
        [found] = [x for x in cache.reference("discrepancies", []) or [] if x.get("kind") == "tax_difference"]
    assert found["differences"] == [{"field": "TotalTax (the document's tax_total)", "ours": "4.02", "qbo": "4.01"}]
