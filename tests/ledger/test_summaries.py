"""Summarized posting (qbtui/ledger/summaries.py, docs/domain.md#summarized-posting): the channel settings, periods
and their grace, the keys, and the summaries' figures. Every summary's total is checked against the documents'
own payloads as the ledger builds them one by one (qbtui.ledger.build), never against the summary code's sums."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from qbtui.ledger import Ledger, LookupResolver, Prefs
from qbtui.ledger.build import build
from qbtui.ledger.gates import skip_reason
from qbtui.ledger.summaries import (
    ROUNDING_SKU,
    SummaryKey,
    build_summaries,
    build_summary,
    correction_entries,
    doc_entries,
    is_due,
    numbered,
    period_bounds,
    period_of,
    summarize,
    today,
)
from qbtui.settings import SettingError, Settings, parse_setting, settings_table
from tests.ledger.helpers import ALL_MAPPED, doc, docs_map
from tests.support import documents

D = Decimal
ZERO = D("0.00")

RATES = [{"Id": "1", "Name": "20.0% S", "RateValue": 20}, {"Id": "2", "Name": "5.0% R", "RateValue": 5},
         {"Id": "3", "Name": "0.0% Z", "RateValue": 0}]
CODES = [{"Id": str(10 + i), "Name": r["Name"], "SalesTaxRateList": {"TaxRateDetail": [{"TaxRateRef": {"value": r["Id"]}}]},
          "PurchaseTaxRateList": {"TaxRateDetail": [{"TaxRateRef": {"value": r["Id"]}}]}} for i, r in enumerate(RATES)]
CODE_NAMES = [c["Name"] for c in CODES]
PRODUCTS = [doc(**documents.product("MUG-01", "Mug")), doc(**documents.product("BOWL-02", "Bowl")),
            doc(**documents.product("JUG-03", "Jug"))]
WEB = {"channel.web.invoice_sync": "daily", "channel.web.cogs_sync": "daily"}


def uk(*docs, **stored) -> Ledger:
    """A UK company (GBP, multicurrency) with QBO's codes pulled: 20 %, 5 % and 0 %."""
    s = Settings.from_stored({"mapping": ALL_MAPPED, **WEB, **stored})
    d = docs_map(*PRODUCTS, *docs)
    names = {k: v["name"] for k, v in d.items() if "name" in v}
    resolver = LookupResolver(names=names, connected=True, mapping=s.mapping, link_ids=lambda t, r: [],
                              tax_codes=CODES, tax_rates=RATES)
    prefs = Prefs.from_qbo({"CurrencyPrefs": {"HomeCurrency": {"value": "GBP"}, "MultiCurrencyEnabled": True}},
                           {"Country": "GB"})
    return Ledger(s, resolver, prefs, d)


def order(ref, lines, day="2026-11-02", **fields):
    return doc(**documents.invoice(ref, invoice_date=day, lines=lines, channel=fields.pop("channel", "web"),
                                   **fields))


def ln(sku, qty, price, code):
    return documents.line(sku, quantity=qty, unit_price=price, unit_cost=None, tax_code=code)


def one_by_one(docs, ledger, entity):
    """The sum of TotalAmt the documents' own payloads of ``entity`` expect (as sent one by one)."""
    total = ZERO
    for d in docs:
        for p in build(d, ledger):
            if p.entity == entity:
                total += p.expected["TotalAmt"]
    return total


# --- settings ----------------------------------------------------------------------------------------------------

def test_channel_sync_types_and_payments_follow_the_invoices():
    s = Settings.from_stored({"channel.web.invoice_sync": "daily", "channel.web.cogs_sync": "monthly"})
    assert (s.channel_sync("web", "invoice"), s.channel_sync("web", "cogs"), s.channel_sync("web", "payment")) == \
        ("daily", "monthly", "daily")
    s = Settings.from_stored({"channel.web.invoice_sync": "daily", "channel.web.payment_sync": "individual"})
    assert s.channel_sync("web", "payment") == "individual" and s.channel_sync("pos", "payment") == "individual"
    assert s.summary_customer("web") == "web sales"
    assert Settings.from_stored({"channel.web.summary_customer": "Web shop"}).summary_customer("web") == "Web shop"
    assert parse_setting("channel.web.payment_sync", "Monthly") == "monthly"
    assert parse_setting("channel.web.payment_sync", "none") is None
    assert Settings().summary_grace_delta == timedelta(days=1)
    assert Settings.from_stored({"summary.grace": "6h"}).summary_grace_delta == timedelta(hours=6)
    with pytest.raises(SettingError, match="daily, monthly"):
        parse_setting("channel.web.invoice_sync", "weekly")
    rows = {r["key"]: r for r in settings_table({"channel.web.payment_sync": "daily"})}
    assert rows["channel.web.payment_sync"]["default"] is None and rows["summary.grace"]["default"] == "1d"


def test_a_summarized_channels_documents_are_not_sent_on_their_own():
    inv = order("SO-1", [ln("MUG-01", 1, "10.00", None)])
    s = Settings.from_stored(WEB)
    r = skip_reason(inv, s)
    assert r is not None and r.code == "channel.summarized" and "daily" in r.message
    pay = doc(**documents.payment("P-1", "SO-1"))
    assert skip_reason(pay, s, {("sale_invoice", "SO-1"): inv}).code == "channel.summarized"
    s = Settings.from_stored({**WEB, "channel.web.payment_sync": "individual"})
    assert skip_reason(pay, s, {("sale_invoice", "SO-1"): inv}) is None


# --- periods -----------------------------------------------------------------------------------------------------

def test_periods_and_their_grace(monkeypatch):
    assert period_of("2026-11-02", "daily") == "2026-11-02" and period_of("2026-12-31", "monthly") == "2026-12"
    assert period_bounds("2026-12") == (date(2026, 12, 1), date(2026, 12, 31))
    assert period_bounds("2028-02") == (date(2028, 2, 1), date(2028, 2, 29))
    one = timedelta(days=1)
    assert not is_due("2026-11-02", one, date(2026, 11, 3)) and is_due("2026-11-02", one, date(2026, 11, 4))
    assert not is_due("2026-11", one, datetime(2026, 12, 1, 23, 59)) and is_due("2026-11", one, date(2026, 12, 2))
    monkeypatch.setenv("QBTUI_TODAY", "2026-11-04")
    assert today() == date(2026, 11, 4) and is_due("2026-11-02", one) and not is_due("2026-11-03", one)


def test_keys_fit_a_doc_number_and_tell_corrections_apart():
    k = SummaryKey("web", "sales", "2026-11-02", "GBP", tax="TaxExcluded")
    assert k.ref == "SI-20261102-web-GBP-TaxExcluded" and len(k.doc_number) <= 21
    c = SummaryKey("web", "sales", "2026-11-02", "GBP", tax="TaxExcluded", correction=1)
    assert c.ref.endswith("-C1") and c.doc_number != k.doc_number and c.base == k


# --- figures -----------------------------------------------------------------------------------------------------

def test_a_small_day_worked_by_hand():
    # 3 x 0.35 at 20 % and 3 x 0.35 at 20 %: each order's tax 0.21 (1.05 x 20 % = 0.21); the summary's net 2.10,
    # QBO's tax on it 0.42; the third order 0.04 at 20 % has tax 0.01, the summary 2.14 -> 0.43: no rounding
    # line. A fourth of 0.02 at 20 % (tax 0.00) makes the summary 2.16 -> QBO 0.43 against the orders' 0.43: none.
    # 0.03 at 20 % three times: each 0.01 tax (0.006 -> 0.01), the three 0.09 -> QBO 0.02: a rounding line of 0.01
    s20 = "20.0% S"
    docs = [order(f"SO-{i}", [ln("MUG-01", 1, "0.03", s20)]) for i in range(3)]
    ledger = uk(*docs)
    [summary] = build_summaries(docs, ledger)
    assert summary.total == D("0.12") and summary.docs_tax == D("0.03") and summary.qbo.tax == D("0.02")
    assert summary.rounding == D("0.01") and summary.rounding_code == "0.0% Z"
    assert summary.lines_total == summary.total == one_by_one(docs, ledger, "Invoice")
    [payload] = build_summary(summary, ledger)
    assert payload.entity == "Invoice" and payload.expected == {"TotalAmt": D("0.12"), "TotalTax": D("0.02")}
    last = payload.body["Line"][-1]
    assert last["Amount"] == D("0.01") and last["SalesItemLineDetail"]["ItemRef"]["name"] == ROUNDING_SKU
    assert last["SalesItemLineDetail"]["TaxCodeRef"]["name"] == "0.0% Z"
    assert [l["SalesItemLineDetail"]["Qty"] for l in payload.body["Line"][:-1]] == [D(3)]
    assert payload.body["CustomerRef"]["name"] == "web sales" and payload.body["TxnDate"] == "2026-11-02"
    assert payload.body["PrivateNote"] == "SI-20261102-web-GBP-TaxExcluded: 3 documents, SO-0 .. SO-2"
    assert payload.body["DocNumber"] == summary.key.doc_number


def test_other_channels_and_individual_documents_are_left_out_and_corrections_numbered():
    docs = [order("SO-1", [ln("MUG-01", 1, "10.00", "20.0% S")]),
            order("SO-2", [ln("MUG-01", 1, "10.00", "20.0% S")], channel="pos")]
    ledger = uk(*docs)
    [summary] = build_summaries(docs, ledger)
    assert summary.refs == ["SO-1"]
    [again] = build_summaries(docs, ledger, corrections={summary.key.base.ref: 1})
    assert again.key.correction == 1 and again.key.ref.endswith("-C1")


def test_cogs_and_payments_summaries():
    docs = [order("SO-1", [ln("MUG-01", 2, "10.00", "20.0% S")]), order("SO-2", [ln("BOWL-02", 1, "5.00", "5.0% R")])]
    extra = [doc(**documents.cogs("SO-1", amount="8.20")), doc(**documents.cogs("SO-2", amount="-1.10")),
             doc(**documents.payment("P-1", "SO-1", date="2026-11-02", amount="24.00")),
             doc(**documents.payment("P-2", "SO-2", date="2026-11-03", amount="5.25"))]
    ledger = uk(*docs, *extra)
    by = {(s.key.kind, s.key.period): s for s in build_summaries([*docs, *extra], ledger)}
    assert set(by) == {("sales", "2026-11-02"), ("cogs", "2026-11-02"), ("payments", "2026-11-02"),
                       ("payments", "2026-11-03")}
    [je] = build_summary(by["cogs", "2026-11-02"], ledger)
    assert je.entity == "JournalEntry" and by["cogs", "2026-11-02"].total == D("7.10")
    assert [(l["JournalEntryLineDetail"]["PostingType"], l["Amount"]) for l in je.body["Line"]] == \
        [("Debit", D("7.10")), ("Credit", D("7.10"))]
    ids = {"SO-1": "501", "SO-2": "501"}
    [pay] = build_summary(by["payments", "2026-11-02"], ledger, ids.get)
    assert pay.entity == "Payment" and pay.body["TotalAmt"] == D("24.00")
    assert pay.body["Line"] == [{"Amount": D("24.00"), "LinkedTxn": [{"TxnId": "501", "TxnType": "Invoice"}]}]
    assert pay.body["DepositToAccountRef"]["value"] == ALL_MAPPED["payment_clearing"]


# --- property: every summary's total is the sum of its documents' totals, to the cent ---------------------------

PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
price = st.decimals(min_value=D("0.01"), max_value=D("250"), places=2)
qty = st.integers(min_value=1, max_value=7).map(D)
line_st = st.builds(lambda sku, q, p, c: ln(sku, q, str(p), c), st.sampled_from(["MUG-01", "BOWL-02", "JUG-03"]),
                    qty, price, st.sampled_from(CODE_NAMES))
order_st = st.tuples(st.lists(line_st, min_size=1, max_size=4), st.booleans(), st.sampled_from(["GBP", "EUR"]),
                     st.integers(min_value=1, max_value=3), st.integers(min_value=0, max_value=3))


@PROPS
@given(st.lists(order_st, min_size=1, max_size=25))
def test_every_summary_total_is_the_sum_of_its_documents(orders):
    docs = []
    for i, (lines, inclusive, currency, day, returned) in enumerate(orders):
        docs.append(order(f"SO-{i}", lines, day=f"2026-11-0{day}", tax_inclusive=inclusive, currency=currency))
        if returned:  # a return of the first line, refunded in part when returned == 3
            back = [ln(lines[0]["sku"], 1, lines[0]["unit_price"], lines[0]["tax_code"])]
            refunds = [{"ref": f"RF-{i}", "date": f"2026-11-0{day}", "amount": "0.01"}] if returned == 3 else None
            docs.append(doc(**documents.credit_note(f"CN-{i}", invoice=None, date=f"2026-11-0{day}", lines=back,
                                                    channel="web", tax_inclusive=inclusive, currency=currency,
                                                    refunds=refunds)))
    ledger = uk(*docs)
    summaries = build_summaries(docs, ledger)
    for s in summaries:
        assert s.problem is None
        assert s.lines_total == s.total, s.to_json()
        [p] = build_summary(s, ledger)
        assert p.expected["TotalAmt"] == s.total
        if s.key.tax == "TaxExcluded":  # the nets sent and QBO's tax on them
            assert sum((l["Amount"] for l in p.body["Line"]), ZERO) + s.qbo.tax == s.total
        else:  # tax-inclusive: QBO's total is the sum of the inclusive amounts sent
            assert sum((l["SalesItemLineDetail"]["TaxInclusiveAmt"] for l in p.body["Line"]), ZERO) == s.total
        assert Counter(s.refs) == Counter(dict.fromkeys(s.refs, 1))
    for kind, entity in (("sales", "Invoice"), ("credits", "CreditMemo"), ("refunds", "RefundReceipt")):
        assert sum((s.total for s in summaries if s.key.kind == kind), ZERO) == one_by_one(docs, ledger, entity)


# --- golden: a day of 500 orders on one channel --------------------------------------------------------------------

def day_of_orders(n=500, seed=19):
    rng = random.Random(seed)
    skus = [("MUG-01", "12.50"), ("BOWL-02", "7.99"), ("JUG-03", "23.45")]
    docs = []
    for i in range(n):
        currency = "EUR" if i % 5 == 4 else "GBP"
        lines = [ln(sku, rng.randint(1, 4), p, rng.choice(CODE_NAMES)) for sku, p in rng.sample(skus, rng.randint(1, 3))]
        ref = f"WEB-{i + 1:05d}"
        docs.append(order(ref, lines, currency=currency))
        docs.append(doc(**documents.cogs(ref, amount=f"{rng.randint(100, 4000) / 100:.2f}")))
        if i % 25 in (0, 9):  # a return (40, half of them in EUR): a credit note of the first line, every other one
            # refunded in full
            back = [ln(lines[0]["sku"], 1, lines[0]["unit_price"], lines[0]["tax_code"])]
            cn = doc(**documents.credit_note(f"RET-{i + 1:05d}", invoice=ref, date="2026-11-02", lines=back,
                                             currency=currency))
            if i % 50 in (0, 9):
                total = one_by_one([cn], uk(cn), "CreditMemo")
                cn = cn | {"refunds": [{"ref": f"RF-{i + 1:05d}", "date": "2026-11-02", "amount": str(total)}]}
            docs.append(cn)
    return docs


def test_golden_a_day_of_500_orders():
    docs = day_of_orders()
    invoices = [d for d in docs if d["type"] == "sale_invoice"]
    ledger = uk(*docs)
    summaries = build_summaries(docs, ledger)
    got = {(s.key.kind, s.key.currency): (len(s.refs), s.total, s.docs_tax, s.rounding) for s in summaries}
    assert set(got) == {(k, c) for k in ("sales", "credits", "refunds") for c in ("GBP", "EUR")} | {("cogs", "GBP")}
    assert got["sales", "GBP"][0] == 400 and got["sales", "EUR"][0] == 100
    assert got["credits", "GBP"][0] + got["credits", "EUR"][0] == 20  # 40 returns, 20 of them refunded in full
    assert got["refunds", "GBP"][0] + got["refunds", "EUR"][0] == 20
    for s in summaries:
        assert s.lines_total == s.total and s.problem is None
        ones = [d for d in docs if d["ref"] in set(s.refs) and (d["type"] == "sale_invoice") == (s.key.kind == "sales")]
        if s.key.kind == "sales":
            assert s.total == one_by_one(ones, ledger, "Invoice")
            assert s.docs_tax == sum((build(d, ledger)[0].expected["TotalTax"] for d in ones), ZERO)
            assert len(s.lines) <= 9 and sum((l.quantity for l in s.lines), D(0)) == \
                sum((D(x["quantity"]) for d in ones for x in d["lines"]), D(0))
        if s.key.kind == "cogs":
            assert s.total == sum((D(d["amount"]) for d in docs if d["type"] == "cogs" and d["ref"] in s.refs), ZERO)
    assert sum(got["sales", c][1] for c in ("GBP", "EUR")) == one_by_one(invoices, ledger, "Invoice")
    # the figures of this day, as built on the day this test was written (the checks above derive them again)
    assert {k: v[1:] for k, v in got.items()} == GOLDEN


GOLDEN = {  # (kind, currency): (total, the orders' tax, the rounding line)
    ("sales", "GBP"): (D("33984.54"), D("2725.98"), D("0.29")),  # QBO's tax on the summary: 2725.69
    ("sales", "EUR"): (D("7047.75"), D("513.15"), D("0.09")),  # QBO's: 513.06
    ("credits", "GBP"): (D("139.45"), D("8.66"), ZERO), ("credits", "EUR"): (D("126.52"), D("11.19"), ZERO),
    # refunds are sent tax-inclusive (the credit-note split): QBO's total is the inclusive amounts, no rounding line
    ("refunds", "GBP"): (D("149.33"), D("9.52"), ZERO), ("refunds", "EUR"): (D("153.62"), D("13.81"), ZERO),
    ("cogs", "GBP"): (D("10092.36"), None, ZERO),
}


US_CODES = [{"Id": "TAX", "Name": "TAX"}, {"Id": "NON", "Name": "NON"},
            {"Id": "3", "Name": "California", "SalesTaxRateList": {"TaxRateDetail": [{"TaxRateRef": {"value": "9"}}]}},
            {"Id": "4", "Name": "Oregon", "SalesTaxRateList": {"TaxRateDetail": [{"TaxRateRef": {"value": "8"}}]}}]
US_RATES = [{"Id": "9", "Name": "California", "RateValue": "7.25"}, {"Id": "8", "Name": "Oregon", "RateValue": "0"}]


def test_us_one_summary_per_rate_code_and_the_rounding_line_is_non_taxable():
    # three orders of 0.10 taxable in California: each 0.0073 -> 0.01 tax; the summary 0.30 -> 0.02175 -> 0.02
    docs = [order(f"SO-{i}", [ln("MUG-01", 1, "0.10", "California")]) for i in range(3)]
    docs.append(order("SO-OR", [ln("MUG-01", 1, "0.10", "Oregon")]))
    s = Settings.from_stored({"mapping": ALL_MAPPED, **WEB})
    d = docs_map(*PRODUCTS, *docs)
    resolver = LookupResolver(names={k: v["name"] for k, v in d.items() if "name" in v}, connected=True,
                              mapping=s.mapping, link_ids=lambda t, r: [], tax_codes=US_CODES, tax_rates=US_RATES)
    ledger = Ledger(s, resolver, Prefs.from_qbo({"CurrencyPrefs": {"HomeCurrency": {"value": "USD"}}},
                                                {"Country": "US"}), d)
    by = {x.key.tax: x for x in build_summaries(docs, ledger)}
    assert set(by) == {"California", "Oregon"}
    ca = by["California"]
    assert (ca.total, ca.docs_tax, ca.qbo.tax, ca.rounding, ca.rounding_code) == \
        (D("0.33"), D("0.03"), D("0.02"), D("0.01"), "NON")
    [p] = build_summary(ca, ledger)
    assert p.body["TxnTaxDetail"]["TxnTaxCodeRef"]["name"] == "California"
    assert p.body["Line"][-1]["SalesItemLineDetail"]["TaxCodeRef"] == {"value": "NON", "name": "NON"}
    assert p.expected == {"TotalAmt": D("0.33"), "TotalTax": D("0.02")}


# --- property: corrections of changed and voided documents add up to the period's current documents -------------

def _recorded(summaries):
    """Per document, its entries as posted (key and part), as the sync records them on its link."""
    out = {}
    for s in summaries:
        for part in s.parts:
            out.setdefault((part.doc["type"], part.doc["ref"]), []).append((s.key, part))
    return out


change_st = st.lists(st.tuples(st.integers(min_value=0, max_value=24), st.sampled_from(["void", "qty", "price",
                                                                                          "memo", "day"])),
                     max_size=8)


@PROPS
@given(st.lists(order_st, min_size=1, max_size=15), change_st, st.integers(min_value=0, max_value=3))
def test_original_and_corrections_add_up_to_the_current_documents(orders, changes, late):
    docs = []
    for i, (lines, inclusive, currency, day, _) in enumerate(orders):
        docs.append(order(f"SO-{i}", lines, day=f"2026-11-0{day}", tax_inclusive=inclusive, currency=currency))
        docs.append(doc(**documents.cogs(f"SO-{i}", date=f"2026-11-0{day}", amount=f"{i + 1}.25")))
    ledger = uk(*docs)
    first = build_summaries(docs, ledger)
    posted = _recorded(first)
    now = {(d["type"], d["ref"]): d for d in docs}
    for n, what in changes:  # changes of documents already summarized
        if n >= len(orders):
            continue
        k = ("sale_invoice", f"SO-{n}")
        d = now[k]
        if what == "void":
            now[k] = d | {"voided": True}
            now["cogs", f"COGS-SO-{n}"] = now["cogs", f"COGS-SO-{n}"] | {"voided": True}
        elif what == "qty":
            now[k] = d | {"lines": [x | {"quantity": str(D(x["quantity"]) + 1)} for x in d["lines"]]}
        elif what == "price":
            now[k] = d | {"lines": [d["lines"][0] | {"unit_price": str(D(d["lines"][0]["unit_price"]) + D("0.07"))},
                                    *d["lines"][1:]]}
        elif what == "memo":
            now[k] = d | {"memo": "changed"}
        else:
            now[k] = d | {"invoice_date": "2026-11-04"}
            now["cogs", f"COGS-SO-{n}"] = now["cogs", f"COGS-SO-{n}"] | {"date": "2026-11-04"}
    for j in range(late):  # late documents of the same days
        lines = orders[j % len(orders)][0]
        now["sale_invoice", f"LATE-{j}"] = order(f"LATE-{j}", lines, day=f"2026-11-0{1 + j % 3}")
    ledger = uk(*now.values())
    corrections = {s.key.base.ref: 1 for s in first}
    entries = [e for k, d in sorted(now.items())
               for e in correction_entries(posted.get(k, []), doc_entries(d, ledger))]
    second = summarize(numbered(entries, corrections), ledger)
    for s in second:
        assert s.problem is None and s.lines_total == s.total, s.to_json()
        [p] = build_summary(s, ledger)
        assert p.entity == s.entity
        if s.key.kind == "sales":
            assert p.expected["TotalAmt"] == abs(s.total) and (s.total < 0) == (p.entity == "CreditMemo")
        if s.key.base.ref in corrections:
            assert s.key.correction == 1
    current = [d for d in now.values() if not d.get("voided")]
    for kind, entity in (("sales", "Invoice"), ("cogs", None)):
        both = sum((s.total for s in [*first, *second] if s.key.kind == kind), ZERO)
        want = one_by_one([d for d in current if d["type"] == "sale_invoice"], ledger, entity) if entity else \
            sum((D(d["amount"]) for d in current if d["type"] == "cogs"), ZERO)
        assert both == want
    # per period too: the day's summaries add up to the day's documents
    for day in {s.key.period for s in [*first, *second]}:
        both = sum((s.total for s in [*first, *second] if s.key.kind == "sales" and s.key.period == day), ZERO)
        assert both == one_by_one([d for d in current if d["type"] == "sale_invoice" and d["invoice_date"] == day],
                                  ledger, "Invoice")
    assert not [e for k, d in now.items() if not changes and not late
                for e in correction_entries(posted.get(k, []), doc_entries(d, ledger))]
