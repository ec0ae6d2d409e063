"""Gate reasons carry the field they concern and their family (what fixes them), so that the dashboard and
`qbtui errors --json` group them without reading codes."""

from __future__ import annotations

import json

from qbtui.documents.models import MODELS
from qbtui.ledger import GateContext, Prefs, check, skip_reason
from qbtui.ledger.gates import FAMILIES
from qbtui.settings import Settings
from qbtui.tui.model import Model, Row
from tests.ledger.helpers import ALL_MAPPED, doc, docs_map

PREFS = {"AccountingInfoPrefs": {"BookCloseDate": "2026-09-30"},
         "CurrencyPrefs": {"HomeCurrency": {"value": "USD"}, "MultiCurrencyEnabled": False}}
BAD = [
    doc(type="customer", ref="C-1", name="A: B", terms="Net 99"),
    doc(type="product", ref="P-1", name="x" * 101),
    doc(type="sale_invoice", ref="SO-1", customer="C-404", currency="EUR",
        lines=[{"sku": "NOPE", "quantity": 1, "unit_price": "10", "tax_code": "ZZ"}]),
    doc(type="sale_invoice", ref="SO-2", customer="C-1", invoice_date="2026-09-01",
        lines=[{"sku": "P-1", "quantity": "99999999999", "unit_price": "10"}]),
    doc(type="credit_note", ref="CN-1", customer="C-1", date="2026-11-01",
        lines=[{"sku": "P-1", "quantity": 1, "unit_price": "1"}], refunds=[{"ref": "R", "date": "2026-09-02",
                                                                            "amount": "5"}]),
    doc(type="sale_payment", ref="PAY-1", invoice="SO-404", date="2026-11-01", amount="0"),
    doc(type="supplier_invoice", ref="B-1", supplier="S-404", lines=[{"sku": "P-1", "quantity": 1, "unit_cost": "1"}]),
    doc(type="adjustment", ref="A-1", lines=[{"sku": "P-1", "quantity_change": 0, "unit_cost": "1"}]),
    doc(type="supplier_deposit", ref="D-1", supplier="S\u202e1", date="2026-11-01", amount="5"),
]


def _reasons(mapping=ALL_MAPPED):
    settings = Settings.from_stored({"mapping": mapping, "filter_start_date": "2026-10-01"})
    ctx = GateContext.build(docs_map(*BAD), settings, Prefs.from_qbo(PREFS), qbo_tax_codes=[], qbo_terms=[])
    return {(d["type"], d["ref"]): check(d, ctx) for d in BAD}


def test_every_reason_names_a_family_and_a_field_of_its_document() -> None:
    found = _reasons(mapping={})
    assert all(found.values())
    for (doc_type, _), reasons in found.items():
        for r in reasons:
            assert r.family in FAMILIES, r
            assert r.field == "" or r.field in MODELS[doc_type].model_fields, r
            assert r.to_json()["field"] == r.field and r.to_json()["family"] == r.family


def test_families_and_fields_say_what_to_fix() -> None:
    by_code = {(key, r.code): (r.field, r.family) for key, reasons in _reasons().items() for r in reasons}
    assert by_code[(("sale_invoice", "SO-1"), "invoice.missing_date")] == ("invoice_date", "dates")
    assert by_code[(("sale_invoice", "SO-1"), "invoice.unknown_customer")] == ("customer", "names")
    assert by_code[(("sale_invoice", "SO-1"), "invoice.unknown_product")] == ("lines", "names")
    assert by_code[(("sale_invoice", "SO-1"), "currency.missing_exchange_rate")] == ("exchange_rate", "mappings")
    assert by_code[(("sale_invoice", "SO-1"), "tax.unmapped_code")] == ("lines", "mappings")
    assert by_code[(("sale_invoice", "SO-2"), "date.before_filter_start")] == ("invoice_date", "dates")
    assert by_code[(("sale_invoice", "SO-2"), "amount.out_of_range")] == ("lines", "amounts")
    assert by_code[(("credit_note", "CN-1"), "date.in_closed_period")] == ("refunds", "dates")
    assert by_code[(("sale_payment", "PAY-1"), "sale_payment.unknown_invoice")] == ("invoice", "names")
    assert by_code[(("sale_payment", "PAY-1"), "sale_payment.amount_not_positive")] == ("amount", "amounts")
    assert by_code[(("supplier_invoice", "B-1"), "supplier_invoice.missing_number")] == (
        "supplier_invoice_number", "names")
    assert by_code[(("adjustment", "A-1"), "adjustment.missing_accounting_date")] == ("accounting_date", "dates")
    assert by_code[(("adjustment", "A-1"), "adjustment.zero_total")] == ("lines", "amounts")
    assert by_code[(("customer", "C-1"), "contact.bad_name")] == ("name", "names")
    assert by_code[(("customer", "C-1"), "terms.unmapped")] == ("terms", "mappings")
    assert by_code[(("supplier_deposit", "D-1"), "text.control_character")] == ("supplier", "names")
    missing = _reasons(mapping={})[("sale_payment", "PAY-1")]
    assert {(r.field, r.family) for r in missing if r.code == "mapping.missing_role"} == {("", "mappings")}
    quote = doc(type="quote", ref="Q", customer="C-1", date="2026-11-01",
                lines=[{"sku": "P-1", "quantity": 1, "unit_price": "1"}])
    quotes_off = skip_reason(quote, Settings.from_stored({"export_quotes": False}))
    assert quotes_off is not None and quotes_off.family == "mappings"


def test_the_dashboard_groups_by_the_reasons_family() -> None:
    """A reason's own family wins over any reading of its code or message (this one's message speaks of names)."""
    model = Model()
    row = Row("sale_invoice", "SO-1", "2026-11-01", "Harbour Cafe", None, "pending", "")
    model.rows["sale_invoice"] = [row]
    model.by_key[row.key] = row
    reason = {"code": "tax.unmapped_code", "message": "Tax code(s) 'ZZ' match no QBO tax code (names must match "
              "exactly, case included).", "hint": "Map each to a QBO tax code (qbtui map)", "field": "lines",
              "family": "mappings"}
    model.apply_gates({row.key: ("blocked", [reason])})
    assert [r.family for r in model.errors] == ["mappings"]
    assert model.errors[0].error["field"] == "lines"


def test_errors_json_carries_field_and_family(qbtui, example_file) -> None:
    assert qbtui("import", str(example_file)).exit_code == 0
    result = qbtui("errors", "--json")
    rows = json.loads(result.stdout)["errors"]
    assert rows and all(set(r) >= {"field", "family"} and r["family"] in FAMILIES for r in rows)
    assert {r["family"] for r in rows if r["code"] == "mapping.missing_role"} == {"mappings"}
    waiting = {(r["ref"], r["field"], r["family"]) for r in rows if r["code"].startswith("dependency.")}
    assert ("SO-1001", "lines", "dependencies") in waiting  # the invoice waits for its products
    assert not any(ref == "COGS-SO-1001" for ref, _, _ in waiting)  # a COGS journal never waits for its invoice
