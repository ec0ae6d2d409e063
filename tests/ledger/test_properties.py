"""Properties: journals balance to the cent, splits add up exactly, DocNumbers fit and never
collide, and nothing sent carries a name QBO refuses."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import HealthCheck, assume, given, settings, strategies as st

from qbtui.ledger import GateContext, build, check, doc_number, split
from qbtui.ledger.credit_notes import credit_note_parts
from qbtui.ledger.journals import totals
from qbtui.ledger.money import CENT
from qbtui.settings import Settings
from tests.ledger.helpers import ALL_MAPPED, docs_map, offline

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
refs = st.text(st.characters(min_codepoint=33, max_codepoint=0x2FFF), min_size=1, max_size=100)
money = st.decimals(min_value=Decimal("-99999999.99"), max_value=Decimal("99999999.99"), places=2)
pos_money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2)
qty = st.decimals(min_value=Decimal("-100000"), max_value=Decimal("100000"), places=3)
price = st.decimals(min_value=Decimal("0"), max_value=Decimal("100000"), places=6)
date = st.dates().map(lambda d: d.isoformat())


def cents(x: Decimal) -> bool:
    return x == x.quantize(CENT)


@SETTINGS
@given(refs, refs)
def test_doc_numbers_fit_and_two_refs_never_share_one(a, b):
    assume(a != b)
    assert len(doc_number(a)) <= 21 and len(doc_number(b)) <= 21
    assert doc_number(a) != doc_number(b)


@SETTINGS
@given(st.text(min_size=0, max_size=30), st.text(min_size=1, max_size=30), st.text(min_size=1, max_size=30))
def test_long_refs_sharing_a_prefix_differ(prefix, x, y):
    a, b = "SHOPIFY-ORDER-" + prefix + x, "SHOPIFY-ORDER-" + prefix + y
    assume(a != b and len(a) > 21 and len(b) > 21)
    assert doc_number(a) != doc_number(b)


@SETTINGS
@given(money, st.lists(money, min_size=1, max_size=20))
def test_split_parts_add_up_to_the_whole_exactly(total, weights):
    assume(sum(weights) != 0)
    parts = split(total, weights)
    assert sum(parts) == total and all(cents(p) for p in parts) and len(parts) == len(weights)


def line_sum(body):
    return sum((l["Amount"] for l in body["Line"]), Decimal(0))


@SETTINGS
@given(st.lists(st.tuples(st.decimals(min_value=Decimal("0.001"), max_value=Decimal("1000"), places=3), price),
                min_size=1, max_size=8),
       st.lists(st.integers(min_value=1, max_value=1000), max_size=4), st.booleans())
def test_credit_note_split_adds_up(lines, shares, full):
    lines_ = [{"sku": "MUG-01", "quantity": str(q), "unit_price": str(p)} for q, p in lines]
    note = {"type": "credit_note", "ref": "CN", "customer": "C-100", "date": "2026-11-05", "lines": lines_}
    total, _, _ = credit_note_parts(note)
    assume(total > 0)
    amounts = split(total if full else total * Decimal("0.9"), shares) if shares else []
    assume(all(a > 0 for a in amounts))
    note["refunds"] = [{"ref": f"RF-{i}", "date": "2026-11-06", "amount": str(a)} for i, a in enumerate(amounts)]
    payloads = build(note, offline())
    parts = [line_sum(p.body) for p in payloads]
    assert sum(parts) == total
    if shares:
        receipts = [p for p in payloads if p.entity == "RefundReceipt"]
        assert [line_sum(p.body) for p in receipts] == amounts
        assert any(p.entity == "CreditMemo" for p in payloads) == (sum(amounts) < total)
    for p in payloads:
        for line in p.body["Line"]:
            assert cents(line["Amount"])
            d = line["SalesItemLineDetail"]
            if "Qty" in d:
                assert (d["Qty"] * d["UnitPrice"]).quantize(CENT, ROUND_HALF_UP) == line["Amount"]


journal_docs = st.one_of(
    st.builds(lambda ls, d: {"type": "adjustment", "ref": "A", "accounting_date": d, "completed_date": d,
                             "lines": [{"sku": "MUG-01", "quantity_change": str(q), "unit_cost": str(c)} for q, c in ls]},
              st.lists(st.tuples(qty, price), min_size=1, max_size=10), date),
    st.builds(lambda a, d: {"type": "cogs", "ref": "C", "date": d, "amount": str(a)}, money, date),
    st.builds(lambda a, inv: {"type": "supplier_deposit", "ref": "D" * 30, "supplier": "S-1", "date": "2026-11-01",
                              "amount": str(a), **({"supplier_invoice": "PI-1"} if inv else {})}, pos_money, st.booleans()),
    st.builds(lambda a, e: {"type": "gift_voucher", "ref": "G", "date": "2026-11-01", "event": e, "amount": str(a)},
              pos_money, st.sampled_from(["sold", "redeemed"])),
    st.builds(lambda a, e: {"type": "store_credit", "ref": "S", "customer": "C-100", "date": "2026-11-01", "event": e,
                            "amount": str(a)}, pos_money, st.sampled_from(["issued", "redeemed"])),
)


@SETTINGS
@given(journal_docs)
def test_every_journal_balances_to_the_cent(d):
    for p in build(d, offline()):
        if p.entity == "BillPayment":  # an applied deposit's bill payment of 0: the bill and the journal, each in full
            assert p.body["TotalAmt"] == 0 and [l["Amount"] for l in p.body["Line"]] == [Decimal(d["amount"]).quantize(CENT)] * 2
            assert len(p.body["DocNumber"]) <= 21
            continue
        assert p.entity == "JournalEntry"
        dr, cr = totals(p.body)
        assert dr == cr and cents(dr)
        assert all(l["Amount"] >= 0 and cents(l["Amount"]) for l in p.body["Line"])
        assert len(p.body["DocNumber"]) <= 21


names = st.text(st.characters(min_codepoint=9, max_codepoint=0x2FF), min_size=1, max_size=140)


@SETTINGS
@given(names, names)
def test_nothing_sendable_has_a_name_qbo_refuses(product_name, contact_name):
    product = {"type": "product", "ref": "P-1", "name": product_name, "kind": "stock"}
    customer = {"type": "customer", "ref": "C-9", "name": contact_name}
    ctx = GateContext.build(docs_map(product, customer), Settings.from_stored({"mapping": ALL_MAPPED}))
    if not check(product, ctx):
        [item] = build(product, offline(product))
        assert ":" not in item.body["Name"] and "\\" not in item.body["Name"] and len(item.body["Name"]) <= 100
    if not check(customer, ctx):
        [c] = build(customer, offline(customer))
        assert ":" not in c.body["DisplayName"] and "\t" not in c.body["DisplayName"] and len(c.body["DisplayName"]) <= 500


@SETTINGS
@given(refs, st.sampled_from(["sale_invoice", "quote", "supplier_credit", "purchase_order", "cogs", "adjustment"]))
def test_no_payload_has_a_doc_number_over_21(ref, t):
    base = {"sale_invoice": {"customer": "C-100", "invoice_date": "2026-11-01",
                             "lines": [{"sku": "MUG-01", "quantity": "1", "unit_price": "1"}]},
            "quote": {"customer": "C-100", "date": "2026-11-01", "lines": [{"sku": "MUG-01", "quantity": "1", "unit_price": "1"}]},
            "supplier_credit": {"supplier": "S-1", "date": "2026-11-01", "lines": [{"sku": "MUG-01", "quantity": "1", "unit_cost": "1"}]},
            "purchase_order": {"supplier": "S-1", "date": "2026-11-01", "lines": [{"sku": "MUG-01", "quantity": "1", "unit_cost": "1"}]},
            "cogs": {"date": "2026-11-01", "amount": "1"},
            "adjustment": {"accounting_date": "2026-11-01", "lines": [{"sku": "MUG-01", "quantity_change": "1", "unit_cost": "1"}]}}
    for p in build({"type": t, "ref": ref, **base[t]}, offline()):
        assert len(p.body["DocNumber"]) <= 21
