"""The Summaries tab (7) against the sandbox, through the real `qbtui` children: a ``daily`` channel's two days
posted by `qbtui sync` (an invoice, a COGS journal and a payment a day), then a late order of the first day posted
as a correction; the document tabs show each summarized document SUMMARIZED with its summary's QBO Id and reference,
the Summaries tab lists the nine summaries (the corrections after the postings they correct) with their documents,
totals and QBO Ids, ``enter`` shows a summary's documents and ``esc`` comes back to it."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from qbtui.tui.app import QbtuiApp
from tests.support.documents import cogs, customer, invoice, line, payment, product
from tests.tui.test_month_end import _settle

WEB = {"channel": "web"}


def orders(refs: list[str], day: str) -> list[dict]:
    out = []
    for i, ref in enumerate(refs):
        qty = 1 + i % 3
        out += [invoice(ref, invoice_date=day, lines=[line("MUG-01", quantity=qty, unit_price="12.50")], **WEB),
                cogs(ref, date=day, amount=f"{4.10 * qty:.2f}"),
                payment(f"PAY-{ref}", ref, date=day, amount=f"{12.50 * qty:.2f}")]
    return out


def summarized_profile(make_profile, monkeypatch):
    """Two days of a daily channel posted, then a late order of the first day (a correction)."""
    profile = make_profile()
    for key in ("channel.web.invoice_sync", "channel.web.cogs_sync"):
        r = profile.q("settings", "set", key, "daily")
        assert r.exit_code == 0, r.output
    monkeypatch.setenv("QBTUI_TODAY", "2026-11-05")
    profile.import_docs([customer(), product(), *orders(["WEB-1", "WEB-2", "WEB-3", "WEB-4"], "2026-11-02"),
                         *orders(["WEB-5", "WEB-6", "WEB-7"], "2026-11-03")])
    code, out = profile.sync_json()
    assert code == 0, out
    profile.import_docs(orders(["WEB-LATE"], "2026-11-02"), name="late.json")  # posted from the dashboard (S)
    return profile


def invoices_in_qbo(profile) -> dict[str, dict]:
    return {str(o.get("PrivateNote") or "").split(":")[0]: o for o in profile.live("Invoice")}


def info_line(app) -> str:
    return str(app.dashboard._dash("#info").render())


async def _walk(profile) -> dict[str, Any]:
    app = QbtuiApp(profile.path, profile="default", data_dir=profile.data_dir)
    seen: dict[str, Any] = {}
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(app, pilot)
        dash = app.dashboard
        seen["tabs"] = str(dash._dash("#topbar").render())
        await pilot.press("7", "w")  # what a full sync would post: the late order's corrections, due
        await _settle(app, pilot)
        seen["footer_7"] = {a.binding.id for a in dash.active_bindings.values() if a.binding.show}
        seen["planned"] = [(r.ref, r.status, r.extra["count"]) for r in dash.table.shown_rows() if r.extra.get("planned")]
        seen["planned_info"] = info_line(app)
        dash.table.move_cursor(next(i for i, r in enumerate(dash.table.rows) if r.extra.get("planned")))
        await pilot.press("enter")
        await pilot.pause()
        seen["planned_text"] = "\n".join(getattr(app.screen, "lines", []))
        await pilot.press("escape", "1")
        await _settle(app, pilot)
        seen["footer_1"] = {a.binding.id for a in dash.active_bindings.values() if a.binding.show}
        await pilot.press("S")  # a full sync: the late order's correction is posted
        await pilot.pause()
        seen["confirm"] = app.screen.message
        await pilot.press("y")
        for _ in range(200):
            await _settle(app, pilot)
            if not dash.uploading:
                break
        await _settle(app, pilot)
        await pilot.press("p")  # every invoice, not only those waiting
        await _settle(app, pilot)
        rows = {r.ref: r for r in dash.table.shown_rows()}
        seen["invoice_rows"] = {ref: (r.status, r.qbo_id) for ref, r in rows.items()}
        dash.table.move_cursor(next(i for i, r in enumerate(dash.table.rows) if r.ref == "WEB-2"))
        await pilot.pause()
        seen["invoice_info"] = info_line(app)
        dash.table.move_cursor(next(i for i, r in enumerate(dash.table.rows) if r.ref == "WEB-LATE"))
        await pilot.pause()
        seen["late_info"] = info_line(app)
        await pilot.press("7")
        await _settle(app, pilot)
        seen["summaries"] = [(r.party, r.family, r.date, r.extra["correction"], r.extra["count"], r.total,
                              r.extra["currency"], r.qbo_id, r.status, r.ref) for r in dash.table.shown_rows()]
        seen["summaries_info"] = info_line(app)
        seen["summary_detail"] = dash._dash("#detail").render().plain
        await pilot.press("enter")  # the first row: the first day's sales
        await _settle(app, pilot)
        seen["held"] = [(r.type, r.ref, r.status) for r in dash.table.shown_rows()]
        seen["held_info"] = info_line(app)
        await pilot.press("escape")
        await _settle(app, pilot)
        seen["back_cursor"] = dash.table.current_row.ref if dash.table.current_row else None
        seen["back_len"] = len(dash.table.rows)
        await pilot.press("right_square_bracket")  # Sales invoices only
        await _settle(app, pilot)
        seen["sales_only"] = [(r.date, r.extra["correction"]) for r in dash.table.shown_rows()]
        seen["sub"] = dash.sub.label
    return seen


def test_the_summaries_tab_lists_each_summary_and_its_documents(make_profile, monkeypatch):
    profile = summarized_profile(make_profile, monkeypatch)

    seen = asyncio.run(_walk(profile))

    qbo = invoices_in_qbo(profile)
    first, second, correction = (qbo["SI-20261102-web-USD"], qbo["SI-20261103-web-USD"],
                                 qbo["SI-20261102-web-USD-C1"])

    assert "7 Summ" in seen["tabs"], seen["tabs"]  # a profile that summarizes shows the tab
    assert "then the summaries of summarized channels whose period's grace has passed" in seen["confirm"]
    # w: what a full sync would post, DUE, and its dry run's text (payload, the documents behind each line)
    assert seen["planned"] == [("SI-20261102-web-USD-C1", "due", 1), ("SJ-20261102-web-USD-C1", "due", 1),
                               ("SP-20261102-web-USD-C1", "due", 1)], seen["planned"]
    assert seen["planned_info"].startswith("6 summaries (+3 a sync would post), 21 documents: Sales 162.50; "), \
        seen["planned_info"]  # the totals of what QuickBooks holds
    text = seen["planned_text"]
    assert text.startswith("SUMMARY Invoice SI-20261102-web-USD-C1: 1 document: WEB-LATE, total 12.50, due"), text
    assert "  Invoice create  no. " in text and "customer web sales" in text, text
    assert "MUG-01  x 1 = 12.50: 1 document: WEB-LATE" in text, text
    assert "summaries_planned" in seen["footer_7"] and "summaries_planned" not in seen["footer_1"]
    rows = seen["invoice_rows"]
    assert rows["WEB-2"] == ("summarized", first["Id"]) and rows["WEB-6"] == ("summarized", second["Id"])
    assert rows["WEB-LATE"] == ("summarized", correction["Id"])
    assert "WEB-LATE SUMMARIZED in SI-20261102-web-USD-C1" in seen["late_info"], seen["late_info"]
    assert "WEB-2 SUMMARIZED in SI-20261102-web-USD" in seen["invoice_info"] and first["Id"] in seen["invoice_info"]

    listed = seen["summaries"]
    assert [(ch, kind, period, corr, n) for ch, kind, period, corr, n, *_ in listed] == [
        ("web", "sales", "2026-11-02", 0, 4), ("web", "sales", "2026-11-02", 1, 1),
        ("web", "cogs", "2026-11-02", 0, 4), ("web", "cogs", "2026-11-02", 1, 1),
        ("web", "payments", "2026-11-02", 0, 4), ("web", "payments", "2026-11-02", 1, 1),
        ("web", "sales", "2026-11-03", 0, 3), ("web", "cogs", "2026-11-03", 0, 3),
        ("web", "payments", "2026-11-03", 0, 3)], listed
    by_ref = {row[-1]: row for row in listed}
    assert len(by_ref) == 9 and all(row[8] == "summarized" and row[6] == "USD" for row in listed)
    # each summary's total is its documents' (12.50 a mug) and QuickBooks' TotalAmt, with its QBO Id
    for ref, inv in (("SI-20261102-web-USD", first), ("SI-20261103-web-USD", second),
                     ("SI-20261102-web-USD-C1", correction)):
        assert by_ref[ref][5] == Decimal(str(inv["TotalAmt"])) and by_ref[ref][7] == inv["Id"], (ref, by_ref[ref])
    assert by_ref["SI-20261102-web-USD"][5] == Decimal("87.50")  # 1 + 2 + 3 + 1 mugs at 12.50
    assert seen["summaries_info"] == "9 summaries, 24 documents: Sales 175.00; COGS 57.40; Payments 175.00 (USD)", \
        seen["summaries_info"]
    detail = seen["summary_detail"]
    assert detail.startswith(f"SI-20261102-web-USD  SUMMARIZED  Invoice QBO Id {first['Id']}\n4 documents, total "
                             "87.50 USD"), detail
    assert "Corrections: C1 (1 document, 12.50)" in detail, detail

    assert seen["held"] == [("sale_invoice", f"WEB-{i}", "summarized") for i in (1, 2, 3, 4)], seen["held"]
    assert "In SI-20261102-web-USD" in seen["held_info"] and "4 documents" in seen["held_info"]
    assert seen["back_cursor"] == "SI-20261102-web-USD" and seen["back_len"] == 9
    assert seen["sub"] == "Sales invoices"
    assert seen["sales_only"] == [("2026-11-02", 0), ("2026-11-02", 1), ("2026-11-03", 0)]
