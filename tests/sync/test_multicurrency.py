"""Foreign-currency documents synced to a sandbox with multicurrency on (``--multicurrency``): a EUR invoice and its
payment post to the EUR A/R account, each at its own exchange rate (docs/domain.md#tax-and-regions,
docs/qbo.md#multicurrency-in-the-sandbox). Figures worked by hand in the test."""

from __future__ import annotations

from decimal import Decimal

from tests.support import documents as d

D = Decimal


def test_a_eur_invoice_and_its_payment_post_to_the_eur_ar_at_their_own_rates(make_profile):
    p = make_profile(multicurrency=True)
    p.import_docs([d.customer(currency="EUR"), d.product(),
                   d.invoice("SO-EU", lines=[d.line(quantity=4, unit_price="25.00", unit_cost=None)],
                             currency="EUR", exchange_rate="1.08"),
                   d.payment("PAY-EU", "SO-EU", amount="100.00", currency="EUR", exchange_rate="1.25")])
    log = p.log_requests()
    code, out = p.sync_json()
    assert code == 0, [(x["ref"], x["status"], x["error"]) for x in out["documents"] if x["status"] != "synced"]
    assert not [r for r in log.requests if r.faulted]
    invoice = next(o for o in p.live("Invoice") if o.get("DocNumber") == "SO-EU")
    payment = next(o for o in p.live("Payment") if "PAY-EU" in str(o.get("PrivateNote")))
    eur_ar = p.company.objects["Account"][invoice["ARAccountRef"]["value"]]
    assert eur_ar["Name"] == "Accounts Receivable (A/R) - EUR" and eur_ar["CurrencyRef"]["value"] == "EUR"
    assert payment["ARAccountRef"]["value"] == eur_ar["Id"]
    assert (D(str(invoice["ExchangeRate"])), D(str(payment["ExchangeRate"]))) == (D("1.08"), D("1.25"))
    # 4 x 25.00 = 100.00 EUR: 108.00 USD at the invoice's rate; the payment brings 125.00 USD at its own
    assert D(str(invoice["HomeTotalAmt"])) == D("108.00")
    assert D(str(payment["TotalAmt"])) * D(str(payment["ExchangeRate"])) == D("125.00")


def test_a_eur_invoice_to_a_usd_customer_is_blocked(make_profile):
    p = make_profile(multicurrency=True)
    p.import_docs([d.customer(), d.product(),
                   d.invoice("SO-EU", lines=[d.line(quantity=1, unit_cost=None)], currency="EUR",
                             exchange_rate="1.08")])
    code, out = p.sync_json()
    by_ref = {x["ref"]: x for x in out["documents"]}
    assert by_ref["SO-EU"]["status"] == "blocked" and by_ref["SO-EU"]["error"]["code"] == "currency.contact_mismatch"


def test_a_eur_bill_and_its_payment_post_to_the_eur_ap_at_their_own_rates(make_profile):
    p = make_profile(multicurrency=True)
    p.import_docs([d.supplier(currency="EUR"), d.product(),
                   {"type": "supplier_invoice", "ref": "PI-EU", "supplier": "S-1", "supplier_invoice_number": "B-77",
                    "invoice_date": "2026-11-03", "currency": "EUR", "exchange_rate": "1.08",
                    "lines": [{"sku": "MUG-01", "quantity": 10, "unit_cost": "4.10"}]},
                   {"type": "supplier_payment", "ref": "SP-EU", "supplier_invoice": "PI-EU", "date": "2026-11-12",
                    "amount": "41.00", "currency": "EUR", "exchange_rate": "1.25"}])
    code, out = p.sync_json()
    assert code == 0, [(x["ref"], x["status"], x["error"]) for x in out["documents"] if x["status"] != "synced"]
    bill = next(o for o in p.live("Bill") if o.get("DocNumber") == "B-77")
    paid = next(o for o in p.live("BillPayment") if o.get("DocNumber") == "SP-EU")
    eur_ap = p.company.objects["Account"][bill["APAccountRef"]["value"]]
    assert eur_ap["Name"] == "Accounts Payable (A/P) - EUR" and paid["APAccountRef"]["value"] == eur_ap["Id"]
    # 10 x 4.10 = 41.00 EUR: 44.28 USD at the bill's 1.08; paid at the payment's own 1.25
    assert (D(str(bill["ExchangeRate"])), D(str(paid["ExchangeRate"]))) == (D("1.08"), D("1.25"))
    assert D(str(bill["TotalAmt"])) * D(str(bill["ExchangeRate"])) == D("44.28")
