"""Every gate of docs/domain.md#gates shows its reason; settings make documents skipped."""

from __future__ import annotations

import pytest

from qbtui.ledger import GateContext, Prefs, check, skip_reason
from qbtui.settings import Settings
from tests.ledger.helpers import ALL_MAPPED, BOWL, CUSTOMER, MUG, SUPPLIER, doc, docs_map

INVOICE = doc(type="sale_invoice", ref="SO-1", customer="C-100", invoice_date="2026-11-02",
              lines=[{"sku": "MUG-01", "quantity": 1, "unit_price": "10"}])
PREFS = {"AccountingInfoPrefs": {"BookCloseDate": "2026-09-30"}, "CurrencyPrefs": {"HomeCurrency": {"value": "USD"},
                                                                                     "MultiCurrencyEnabled": False},
         "ProductAndServicesPrefs": {"QuantityOnHand": False}}


def ctx(*docs, settings=None, prefs=None, **kw):
    s = Settings.from_stored({"mapping": ALL_MAPPED, **(settings or {})})
    return GateContext.build(docs_map(*docs), s, Prefs.from_qbo(prefs), **kw)


def codes(d, *extra, **kw):
    return [r.code for r in check(d, ctx(d, *extra, **kw))]


def reason(d, code, *extra, **kw):
    found = [r for r in check(d, ctx(d, *extra, **kw)) if r.code == code]
    assert found, f"{code} not in {codes(d, *extra, **kw)}"
    r = found[0]
    assert r.message and r.hint and r.message != r.hint
    return r


def test_clean_documents_pass():
    for d in (CUSTOMER, SUPPLIER, MUG, BOWL, INVOICE):
        assert codes(d, prefs=PREFS) == []


# --- every transaction ---------------------------------------------------------------------------

def test_date_before_filter_start():
    r = reason(INVOICE, "date.before_filter_start", settings={"filter_start_date": "2026-11-03"})
    assert "2026-11-02" in r.message and "2026-11-03" in r.message
    assert codes(INVOICE, settings={"filter_start_date": "2026-11-02"}) == []


def test_date_in_closed_period():
    r = reason(INVOICE | {"invoice_date": "2026-09-30"}, "date.in_closed_period", prefs=PREFS)
    assert "6210" in r.message and "2026-09-30" in r.message


def test_refund_dates_are_gated_too():
    n = doc(type="credit_note", ref="CN-1", customer="C-100", date="2026-11-05",
            lines=[{"sku": "MUG-01", "quantity": 1, "unit_price": "10"}],
            refunds=[{"ref": "RF-1", "date": "2026-09-01", "amount": "5"}])
    assert "refund RF-1" in reason(n, "date.in_closed_period", prefs=PREFS).message


def test_missing_role_blocks_only_documents_that_post_to_it():
    mapping = {k: v for k, v in ALL_MAPPED.items() if k != "inventory_discrepancy"}
    adj = doc(type="adjustment", ref="ADJ-1", completed_date="2026-11-03", accounting_date="2026-11-03",
              lines=[{"sku": "MUG-01", "quantity_change": 1, "unit_cost": "4"}])
    c = GateContext.build(docs_map(adj, INVOICE), Settings.from_stored({"mapping": mapping}))
    [r] = check(adj, c)
    assert r.code == "mapping.missing_role" and "inventory_discrepancy" in r.message
    assert check(INVOICE, c) == [] and check(MUG, c) == []


def test_optional_role_blocks_store_credits_only():
    mapping = {k: v for k, v in ALL_MAPPED.items() if k != "customer_credits"}
    sc = doc(type="store_credit", ref="SC-1", customer="C-100", date="2026-11-01", event="issued", amount="5")
    c = GateContext.build(docs_map(sc), Settings.from_stored({"mapping": mapping}))
    assert [r.code for r in check(sc, c)] == ["mapping.missing_role"]
    assert check(INVOICE, GateContext.build(docs_map(INVOICE), Settings.from_stored({"mapping": mapping}))) == []


def test_foreign_currency_needs_multicurrency_and_a_rate():
    eur = INVOICE | {"currency": "EUR"}
    eur_customer = CUSTOMER | {"currency": "EUR"}
    assert codes(eur, eur_customer, prefs=PREFS) == ["currency.no_multicurrency", "currency.missing_exchange_rate"]
    on = {**PREFS, "CurrencyPrefs": {"HomeCurrency": {"value": "USD"}, "MultiCurrencyEnabled": True}}
    assert codes(eur | {"exchange_rate": "1.08"}, eur_customer, prefs=on) == []
    reason(eur, "currency.missing_exchange_rate", eur_customer)  # offline: the rate is still required


def test_a_transaction_is_in_its_contacts_currency_and_a_payment_has_its_own_rate():
    on = {**PREFS, "CurrencyPrefs": {"HomeCurrency": {"value": "USD"}, "MultiCurrencyEnabled": True}}
    eur = INVOICE | {"currency": "EUR", "exchange_rate": "1.08"}
    r = reason(eur, "currency.contact_mismatch", prefs=on)  # the customer has no currency: USD
    assert "EUR" in r.message and "USD" in r.message
    assert "currency.contact_mismatch" in codes(INVOICE, CUSTOMER | {"currency": "EUR"}, prefs=on)  # USD invoice
    pay = doc(type="sale_payment", ref="PAY-1", invoice=INVOICE["ref"], date="2026-11-10", amount="10.00")
    eur_customer = CUSTOMER | {"currency": "EUR"}
    assert codes(pay, eur, eur_customer, prefs=on) == ["currency.missing_exchange_rate"]
    assert codes(pay | {"exchange_rate": "1.25"}, eur, eur_customer, prefs=on) == []


def test_company_inventory_tracking_and_currency_mismatch_block_everything():
    bad = {**PREFS, "ProductAndServicesPrefs": {"QuantityOnHand": True}}
    assert "Track inventory quantity on hand" in reason(MUG, "company.inventory_tracking_on", prefs=bad).hint
    cad = {**PREFS, "CurrencyPrefs": {"HomeCurrency": {"value": "CAD"}}}
    r = reason(CUSTOMER, "company.currency_mismatch", prefs=cad)
    assert "CAD" in r.message and "USD" in r.message


# --- per type --------------------------------------------------------------------------------

ADJ = doc(type="adjustment", ref="ADJ-1", completed_date="2026-11-03", accounting_date="2026-11-03",
          lines=[{"sku": "MUG-01", "quantity_change": 3, "unit_cost": "4.10"}])


def test_adjustment_gates():
    r = reason(ADJ | {"accounting_date": None}, "adjustment.missing_accounting_date")
    assert r.hint.lower().startswith("set the accounting adjustment date")
    reason(ADJ | {"completed_date": None}, "adjustment.missing_completed_date")
    reason(ADJ | {"lines": [{"sku": "MUG-01", "quantity_change": "0.001", "unit_cost": "1"}]}, "adjustment.zero_total")


def test_invoice_gates():
    reason(INVOICE | {"invoice_date": None}, "invoice.missing_date")
    assert "C-404" in reason(INVOICE | {"customer": "C-404"}, "invoice.unknown_customer").message
    reason(INVOICE | {"lines": [{"sku": "NOPE", "quantity": "1", "unit_price": "1"}]}, "invoice.unknown_product")


def note(**kw):
    base = dict(type="credit_note", ref="CN-1", customer="C-100", date="2026-11-05",
                lines=[{"sku": "MUG-01", "quantity": 1, "unit_price": "500"}])
    return doc(**{**base, **kw})


def test_an_invoice_below_zero_is_held_and_one_of_zero_is_not():
    r = reason(doc(**{**INVOICE, "lines": [{"sku": "MUG-01", "quantity": -4, "unit_price": "12.50"}]}),
               "invoice.negative_total")
    assert "-50.00" in r.message and "credit note" in r.hint
    assert "invoice.negative_total" not in codes(doc(**{**INVOICE, "lines": [
        {"sku": "MUG-01", "quantity": 1, "unit_price": "12.50"},
        {"sku": "MUG-01", "quantity": -1, "unit_price": "12.50"}]}))  # zero: QBO takes it


def test_credit_note_gates():
    r = reason(note(refunds=[{"ref": "RF-1", "date": "2026-11-06", "amount": "500.01"}]),
               "credit_note.refund_exceeds_total")
    assert "negative credit memo" in r.message
    assert codes(note(refunds=[{"ref": "RF-1", "date": "2026-11-06", "amount": "500"}])) == []
    reason(note(lines=[{"sku": "MUG-01", "quantity": 0, "unit_price": "5"}]), "credit_note.zero_total")
    reason(note(lines=[{"sku": "MUG-01", "quantity": -1, "unit_price": "5"}]), "credit_note.negative_total")
    reason(note(date=None), "credit_note.missing_date")
    reason(note(customer="X"), "credit_note.unknown_customer")
    reason(note(refunds=[{"ref": "RF-1", "date": "2026-11-06", "amount": "0"}]), "credit_note.refund_not_positive")


BILL = doc(type="supplier_invoice", ref="PI-1", supplier="S-1", supplier_invoice_number="INV-1",
           invoice_date="2026-10-25", lines=[{"sku": "MUG-01", "quantity": 1, "unit_cost": "4"}])


def test_supplier_invoice_gates():
    assert codes(BILL) == []
    reason(BILL | {"supplier_invoice_number": None}, "supplier_invoice.missing_number")
    reason(BILL | {"invoice_date": None}, "supplier_invoice.missing_date")
    reason(BILL | {"supplier": "S-404"}, "supplier_invoice.unknown_supplier")


def test_product_name_gates():
    reason(MUG | {"name": "Mugs: large"}, "product.name_has_colon")
    reason(MUG | {"name": "Mugs\\large"}, "product.name_has_colon")
    assert "100" in reason(MUG | {"name": "m" * 101}, "product.name_too_long").message
    long_a = MUG | {"name": "x" * 100 + "A"}
    long_b = BOWL | {"name": "X" * 100 + "B"}  # same first 100 characters, case aside
    d = docs_map(long_a, long_b)
    assert "product.duplicate_name" in [r.code for r in check(long_b, GateContext.build(d, Settings.from_stored({"mapping": ALL_MAPPED})))]


def test_contact_name_gates():
    for bad in ("A:B", "A\tB", "A\nB", "x" * 501):
        reason(CUSTOMER | {"name": bad}, "contact.bad_name")
    twin = SUPPLIER | {"name": "harbour cafe"}  # a supplier named like a customer: one name space in QBO
    c = GateContext.build(docs_map(twin), Settings())
    assert [r.code for r in check(CUSTOMER, c)] == ["contact.duplicate_name"]
    assert "6240" in check(twin, c)[0].message
    c2 = GateContext.build(docs_map(), Settings(), qbo_vendors=[{"DisplayName": "Harbour Cafe"}])
    assert [r.code for r in check(CUSTOMER, c2)] == ["contact.name_taken_in_qbo"]


def test_reference_gates_of_other_types():
    pay = doc(type="sale_payment", ref="P-1", invoice="SO-404", date="2026-11-05", amount="1")
    reason(pay, "sale_payment.unknown_invoice")
    reason(pay | {"invoice": "SO-1", "amount": "0.00"}, "sale_payment.amount_not_positive", INVOICE)
    sp = doc(type="supplier_payment", ref="SP-1", supplier_invoice="PI-404", date="2026-11-05", amount="1")
    reason(sp, "supplier_payment.unknown_supplier_invoice")
    dep = doc(type="supplier_deposit", ref="D-1", supplier="S-404", date="2026-11-01", amount="5", supplier_invoice="PI-404")
    reason(dep, "supplier_deposit.unknown_supplier")
    reason(dep, "supplier_deposit.unknown_supplier_invoice")
    q = doc(type="quote", ref="Q-1", customer="C-404", date="2026-11-01", lines=[{"sku": "MUG-01", "quantity": 1, "unit_price": "1"}])
    reason(q, "quote.unknown_customer")
    cg = doc(type="cogs", ref="CG-1", invoice="SO-404", date="2026-11-02", amount="0")
    reason(cg, "cogs.zero_amount")
    reason(cg, "cogs.unknown_invoice")
    sc = doc(type="store_credit", ref="SC-1", customer="C-404", date="2026-11-01", event="issued", amount="5")
    reason(sc, "store_credit.unknown_customer")
    gv = doc(type="gift_voucher", ref="GV-1", date="2026-11-01", event="sold", amount="-5")
    reason(gv, "gift_voucher.amount_not_positive")
    for t in ("purchase_order", "supplier_credit"):
        d = doc(type=t, ref="X-1", supplier="S-404", date="2026-11-01", lines=[{"sku": "MUG-01", "quantity": 1, "unit_cost": "1"}])
        reason(d, f"{t}.unknown_supplier")


# --- skipped --------------------------------------------------------------------------------

@pytest.mark.parametrize("d, key, kind", [
    (INVOICE | {"channel": "shopify"}, "channel.shopify.invoice_sync", "invoice"),
    (note(channel="shopify"), "channel.shopify.invoice_sync", "invoice"),
    (doc(type="cogs", ref="C-1", date="2026-11-02", amount="4", channel="shopify"), "channel.shopify.cogs_sync", "cogs"),
])
def test_no_sync_channel_skips(d, key, kind):
    r = skip_reason(d, Settings.from_stored({key: "no_sync"}))
    assert r is not None and r.code == "channel.no_sync" and "shopify" in r.message and key in r.hint
    assert skip_reason(d, Settings.from_stored({})) is None
    other = "channel.shopify.cogs_sync" if kind == "invoice" else "channel.shopify.invoice_sync"
    assert skip_reason(d, Settings.from_stored({other: "no_sync"})) is None


def test_payment_follows_its_invoice_channel():
    pay = doc(type="sale_payment", ref="P-1", invoice="SO-1", date="2026-11-05", amount="1")
    docs = docs_map(INVOICE | {"channel": "pos"})
    assert skip_reason(pay, Settings.from_stored({"channel.pos.invoice_sync": "no_sync"}), docs).code == "channel.no_sync"
    cogs = doc(type="cogs", ref="CG-1", invoice="SO-1", date="2026-11-02", amount="4")
    assert skip_reason(cogs, Settings.from_stored({"channel.pos.cogs_sync": "no_sync"}), docs).code == "channel.no_sync"
    assert skip_reason(cogs | {"channel": "web"}, Settings.from_stored({"channel.pos.cogs_sync": "no_sync"}), docs) is None


def test_quotes_and_purchase_orders_are_skipped_unless_exported():
    q = doc(type="quote", ref="Q-1", customer="C-100", date="2026-11-01", lines=[{"sku": "MUG-01", "quantity": 1, "unit_price": "1"}])
    assert skip_reason(q, Settings()).code == "quote.export_off"
    assert skip_reason(q, Settings.from_stored({"export_quotes": True})) is None
    po = doc(type="purchase_order", ref="PO-1", supplier="S-1", date="2026-11-01",
             lines=[{"sku": "MUG-01", "quantity": 1, "unit_cost": "1"}])
    assert skip_reason(po, Settings()).code == "purchase_order.export_off"
    on = Settings.from_stored({"export_purchase_orders": True})
    assert skip_reason(po, on) is None
    assert skip_reason(po | {"blind_receipt": True}, on).code == "purchase_order.blind_receipt"


def test_from_quickbooks_mode_sends_nothing():
    assert skip_reason(MUG, Settings.from_stored({"integration_mode": "from_quickbooks"})).code == "integration.from_quickbooks"
    assert skip_reason(MUG, Settings.from_stored({"integration_mode": "both_ways"})) is None


def test_tax_codes_and_terms_must_resolve_once_qbo_lists_are_known():
    inv = INVOICE | {"lines": [{"sku": "MUG-01", "quantity": "1", "unit_price": "1", "tax_code": "GST"}]}
    assert codes(inv) == []  # offline: not known yet
    r = reason(inv, "tax.unmapped_code", qbo_tax_codes=[{"Id": "1", "Name": "TAX"}], qbo_terms=[{"Id": "3", "Name": "Net 30"}])
    assert "'GST'" in r.message
    assert codes(inv, qbo_tax_codes=[{"Id": "1", "Name": "GST"}], qbo_terms=[{"Id": "3", "Name": "Net 30"}]) == []
    c = GateContext.build(docs_map(inv), Settings.from_stored({"mapping": ALL_MAPPED, "tax_mapping": {"GST": "1"}}),
                          qbo_tax_codes=[], qbo_terms=[{"Name": "Net 30"}])
    assert check(inv, c) == []
    assert "Net 30" in reason(CUSTOMER, "terms.unmapped", qbo_terms=[{"Id": "3", "Name": "net 30"}]).message
    assert "terms.unmapped" in codes(inv, qbo_terms=[])  # the invoice takes its customer's terms
