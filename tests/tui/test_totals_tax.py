"""The dashboard's Total, the selection's total, ``qbtui list`` and its CSV show what QuickBooks will show: a UK
(VAT 20 %) tax-exclusive invoice of 100.00 net shows 120.00, the sandbox's TotalAmt once synced; a tax-inclusive one
its gross as before; a US company with Automated Sales Tax the nets, said to be before tax (QuickBooks adds it)."""

from __future__ import annotations

import asyncio
import csv
import io
from decimal import Decimal

from tests.support import documents as d
from tests.support.tui import on_invoices

D = Decimal


async def _ready(pilot):
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _uk(make_profile):
    p = make_profile(region="uk")
    assert p.q("settings", "set", "base_currency", "GBP").exit_code == 0
    p.import_docs([d.customer(), d.product(),
                   d.invoice("SO-X", lines=[d.line(quantity=1, unit_price="60.00", unit_cost=None, tax_code="20.0% S"),
                                            d.line(quantity=2, unit_price="20.00", unit_cost=None, tax_code="20.0% S")]),
                   d.invoice("SO-I", tax_inclusive=True, invoice_date="2026-11-03",
                             lines=[d.line(quantity=1, unit_price="120.00", unit_cost=None, tax_code="20.0% S")])])
    return p


def _listed(p) -> dict[str, D]:
    r = p.q("list", "--type", "sale_invoice", "--csv")
    assert r.exit_code == 0, r.output
    return {row["Reference"]: D(row["Total"]) for row in csv.DictReader(io.StringIO(r.stdout))}


def _dashboard(p) -> tuple[dict[str, D], str, str, str]:
    """The invoices tab's totals, one rendered row, the totals line and the status line with every row selected."""
    async def go():
        async with on_invoices(p) as (app, pilot):
            await pilot.press("p")  # every invoice, synced or not
            await _ready(pilot)
            rows = {r.ref: r.total for r in app.dashboard.table.shown_rows()}
            line = "".join(seg.text for seg in app.dashboard.table.render_line(1))
            info = str(app.dashboard._dash("#info").render())
            await pilot.press("a")
            await _ready(pilot)
            status = str(app.dashboard._dash("#statusline").render())
            return rows, line, info, status
    return asyncio.run(go())


def test_a_uk_invoice_of_100_net_shows_120_the_sandboxs_total(make_profile):
    p = _uk(make_profile)
    assert _listed(p) == {"SO-X": D("120.00"), "SO-I": D("120.00")}  # the inclusive one: its gross, as before
    rows, line, info, status = _dashboard(p)
    assert rows == {"SO-X": D("120.00"), "SO-I": D("120.00")}
    assert "120.00" in line and "100.00" not in line
    assert "2 documents, 240.00" in info and "before tax" not in info, info
    assert status.startswith("2 selected, total £240.00 | "), status  # the home currency's sign

    code, out = p.sync_json()
    assert code == 0, out
    live = {o["DocNumber"]: D(str(o["TotalAmt"])) for o in p.live("Invoice") if o.get("DocNumber") in ("SO-X", "SO-I")}
    assert live == {"SO-X": D("120.00"), "SO-I": D("120.00")}
    # the same figures after the sync, and the same as QuickBooks'
    assert {k: v for k, v in _listed(p).items() if k in live} == live
    rows, *_ = _dashboard(p)
    assert {k: v for k, v in rows.items() if k in live} == live


def test_a_us_company_with_automated_sales_tax_shows_the_nets_before_tax(make_profile):
    p = make_profile(region="us")
    p.company.objects["Preferences"]["1"].setdefault("TaxPrefs", {})["PartnerTaxEnabled"] = True
    assert p.q("pull").exit_code == 0
    p.import_docs([d.customer(), d.product(),
                   d.invoice("SO-U", lines=[d.line(quantity=1, unit_price="100.00", unit_cost=None, tax_code="TAX")])])
    r = p.q("list", "--type", "sale_invoice")
    assert r.exit_code == 0, r.output
    assert "100.00" in r.stdout and r.stdout.rstrip().endswith("1 document, 100.00 before tax (QuickBooks adds it)")
    rows, _, info, status = _dashboard(p)
    assert rows == {"SO-U": D("100.00")}
    assert "1 document, 100.00 before tax (QuickBooks adds it)" in info, info
    assert status.startswith("1 selected, total $100.00 before tax (QuickBooks adds it) | "), status
