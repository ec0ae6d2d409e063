"""A tax difference resolved (docs/cli.md#qbtui-discrepancies---json): QuickBooks' tax rate changed after the last
pull, so QBO's TotalTax and total differ from ours after the create (a `tax_difference`, as in test_tax_regions);
it is listed in words and resolved by taking QuickBooks' version, or dismissed with a note, each a `resolve` run."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.support import documents as d


def _tax_difference(make_profile):
    p = make_profile(region="uk")
    assert p.q("settings", "set", "base_currency", "GBP").exit_code == 0
    p.import_docs([d.customer(), d.product(),
                   d.invoice("SO-D", lines=[d.line(quantity=1, unit_price="10.00", unit_cost=None, tax_code="20.0% S")])])
    rate = next(r for r in p.live("TaxRate") if r["Name"] == "20.0% S")
    rate["RateValue"] = 17.5  # changed in QuickBooks after the last pull: the ledger still expects 20 %
    code, out = p.sync_json()
    assert code == 0, out
    r = p.q("discrepancies", "--json")
    assert r.exit_code == 0, r.output
    [row] = json.loads(r.stdout)["discrepancies"]
    assert (row["kind"], row["type"], row["ref"]) == ("tax_difference", "sale_invoice", "SO-D")
    texts = [f["text"] for f in row["fields"]]
    assert any("ours 12.00, QuickBooks 11.75" in t for t in texts), texts
    assert any("ours 2.00, QuickBooks 1.75" in t for t in texts), texts
    assert "None" not in r.stdout
    return p


def _resolve_runs(p) -> list[dict]:
    with p.cache() as cache:
        return [r for r in cache.runs() if r.get("kind") == "resolve"]


def test_a_tax_difference_is_resolved_by_taking_quickbooks_version(make_profile):
    p = _tax_difference(make_profile)
    invoice = next(o for o in p.live("Invoice") if o.get("DocNumber") == "SO-D")
    token = invoice["SyncToken"]
    r = p.q("discrepancies", "resolve", "sale_invoice", "SO-D", "--accept", "--yes", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["status"] == "synced"
    invoice = next(o for o in p.live("Invoice") if o.get("DocNumber") == "SO-D")
    assert invoice["SyncToken"] == token and Decimal(str(invoice["TotalAmt"])) == Decimal("11.75")  # nothing sent
    assert json.loads(p.q("discrepancies", "--json").stdout)["discrepancies"] == []
    [run] = _resolve_runs(p)
    assert run["resolution"]["action"] == "accept"
    assert run["resolution"]["discrepancies"][0]["kind"] == "tax_difference"
    code, out = p.sync_json()  # accepted is the truth: nothing to send
    assert code == 0 and out["documents"] == [], out


def test_a_tax_difference_is_dismissed_with_a_note(make_profile):
    p = _tax_difference(make_profile)
    r = p.q("discrepancies", "resolve", "sale_invoice", "SO-D", "--resend", "--yes")
    assert r.exit_code == 2  # still in QuickBooks: nothing to re-send
    r = p.q("discrepancies", "resolve", "sale_invoice", "SO-D", "--dismiss", "VAT rate changed on 1 Nov")
    assert r.exit_code == 0, r.output
    assert json.loads(p.q("discrepancies", "--json").stdout)["discrepancies"] == []
    [run] = _resolve_runs(p)
    assert run["resolution"]["note"] == "VAT rate changed on 1 Nov"
    assert run["resolution"]["discrepancies"][0]["kind"] == "tax_difference"
