"""Properties of what a document posts (qbtui.ledger.postings): every transaction the ledger builds balances (its
debits equal its credits, to the cent, whatever the tax), an invoice debits A/R its lines plus its tax, and the
document screen's journal totals equal."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings, strategies as st

from qbtui.ledger import build
from qbtui.ledger.money import ZERO
from qbtui.ledger.postings import TAX, journal, posting_lines, postings
from tests.ledger.helpers import ALL_MAPPED, offline
from tests.ledger.test_properties import journal_docs, pos_money, price

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
quantity = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("1000"), places=3)
sale_lines = st.lists(st.tuples(quantity, price), min_size=1, max_size=6).map(
    lambda ls: [{"sku": "MUG-01", "quantity": str(q), "unit_price": str(p), "unit_cost": "4.10"} for q, p in ls])
purchase_lines = st.lists(st.tuples(quantity, price), min_size=1, max_size=6).map(
    lambda ls: [{"sku": "MUG-01", "quantity": str(q), "unit_cost": str(p)} for q, p in ls])
tax = st.none() | st.decimals(min_value=Decimal("0"), max_value=Decimal("100000"), places=2)

documents = st.one_of(
    journal_docs,
    st.builds(lambda ls: {"type": "sale_invoice", "ref": "SO-1", "customer": "C-100", "invoice_date": "2026-11-02",
                          "lines": ls}, sale_lines),
    st.builds(lambda ls, refund: {"type": "credit_note", "ref": "CN-1", "customer": "C-100", "date": "2026-11-05",
                                  "lines": ls, "refunds": [{"ref": "RF-1", "date": "2026-11-06", "amount": "0.01"}]
                                  if refund else []}, sale_lines, st.booleans()),
    st.builds(lambda ls: {"type": "supplier_invoice", "ref": "PI-9", "supplier": "S-1", "invoice_date": "2026-10-25",
                          "lines": ls}, purchase_lines),
    st.builds(lambda ls: {"type": "supplier_credit", "ref": "VC-1", "supplier": "S-1", "date": "2026-10-28",
                          "lines": ls}, purchase_lines),
    st.builds(lambda a: {"type": "sale_payment", "ref": "PAY-1", "invoice": "SO-1", "date": "2026-11-10",
                         "amount": str(a)}, pos_money),
    st.builds(lambda a: {"type": "supplier_payment", "ref": "SP-1", "supplier_invoice": "PI-9", "date": "2026-11-09",
                         "amount": str(a)}, pos_money),
)
INVOICE = {"type": "sale_invoice", "ref": "SO-1", "customer": "C-100", "invoice_date": "2026-11-02",
           "lines": [{"sku": "MUG-01", "quantity": "1", "unit_price": "1000000"}]}
BILL = {"type": "supplier_invoice", "ref": "PI-9", "supplier": "S-1", "invoice_date": "2026-10-25",
        "lines": [{"sku": "MUG-01", "quantity": "1", "unit_cost": "1000000"}]}


@SETTINGS
@given(documents, tax)
def test_every_transaction_balances_and_its_journal_totals_agree(doc, charged):
    others = [d for d in (INVOICE, BILL) if d["ref"] != doc["ref"]]
    payloads = build(doc, offline(*others, doc))
    for p in payloads:
        lines = posting_lines(p.entity, p.body, {}, ALL_MAPPED, charged)
        assert sum((line.amount for line in lines), ZERO) == 0, (p.entity, lines)
        assert all(line.amount == line.amount.quantize(Decimal("0.01")) and line.amount != 0 for line in lines)
        assert all(line.account in (*ALL_MAPPED.values(), TAX, None) for line in lines), lines  # None: offline
        assert sum(postings(p.entity, p.body, {}, ALL_MAPPED).values(), ZERO) == 0
    shown = journal([{**p.to_json(), "tax": {"tax_total": charged}} for p in payloads], {}, ALL_MAPPED, {})
    if shown is not None:
        assert shown["debit"] == shown["credit"], shown
        assert Decimal(shown["debit"]) == sum((Decimal(r["debit"] or 0) for r in shown["lines"]), ZERO)


@SETTINGS
@given(sale_lines, tax)
def test_an_invoice_debits_receivables_its_lines_and_its_tax(lines, charged):
    doc = {**INVOICE, "lines": lines}
    [invoice] = build(doc, offline(doc))
    posted: dict[str | None, Decimal] = {}
    for p in posting_lines(invoice.entity, invoice.body, {}, ALL_MAPPED, charged):
        posted[p.account] = posted.get(p.account, ZERO) + p.amount
    if charged is None:  # reconciliation's sums: the same
        assert postings(invoice.entity, invoice.body, {}, ALL_MAPPED) == posted
    net = sum((line["Amount"] for line in invoice.body["Line"]), ZERO)
    assert posted.get(ALL_MAPPED["accounts_receivable"], ZERO) == net + (charged or ZERO)
    assert posted.get(ALL_MAPPED["sales_income"], ZERO) == -net
    assert posted.get(TAX, ZERO) == -(charged or ZERO)
