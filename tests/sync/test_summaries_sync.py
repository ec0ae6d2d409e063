"""Summarized posting against the sandbox (qbtui/sync/summaries.py, docs/domain.md#summarized-posting): a day of a
``daily`` channel's orders becomes one invoice, one payment and one COGS journal once its grace has passed; a late
order makes a correction whose total and the original's add up to the day's documents; a lost answer never posts
the period twice."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from decimal import Decimal

from qbtui.sandbox.faults import drop_connection
from qbtui.sync.connection import open_client
from qbtui.sync.summaries import plan_summaries, post_summaries
from tests.support.documents import cogs, credit_note, customer, invoice, line, payment, product

DAY = "2026-11-02"
WEB = {"channel": "web"}


def orders(refs, day=DAY):
    out = []
    for i, ref in enumerate(refs):
        lines = [line("MUG-01", quantity=1 + i % 3, unit_price="12.50"), line("BOWL-02", quantity=2, unit_price="7.99")]
        total = Decimal("12.50") * (1 + i % 3) + Decimal("15.98")
        out += [invoice(ref, invoice_date=day, lines=lines, **WEB),
                cogs(ref, date=day, amount=f"{4 + i}.10"),
                payment(f"PAY-{ref}", ref, date=day, amount=str(total))]
    return out


def setup(profile, docs, monkeypatch, blocked=False):
    monkeypatch.setenv("QBTUI_TODAY", DAY)  # the day itself: its summaries are not due (post() passes its own day)
    for key in ("channel.web.invoice_sync", "channel.web.cogs_sync"):
        r = profile.q("settings", "set", key, "daily")
        assert r.exit_code == 0, r.output
    profile.import_docs([customer(), product(), product("BOWL-02", "Bowl", sale_price="7.99"), *docs])
    code, out = profile.sync_json()  # the customer and products; the channel's documents are not sent alone
    assert code == (1 if blocked else 0), out
    assert not profile.count("Invoice", "DocNumber").keys() & {d["ref"] for d in docs}


def post(profile, now):
    async def go():
        with profile.cache(writer=True) as cache:
            async with await open_client(cache, profile.path) as client:
                return await post_summaries(cache, client, now=now, run="test")
    return asyncio.run(go())


def ours(profile, entity, field, prefix):
    return [o for o in profile.live(entity) if str(o.get(field) or "").startswith(prefix)]


def test_a_day_in_daily_mode_is_one_invoice_one_payment_one_journal(profile, monkeypatch):
    docs = orders([f"WEB-{i}" for i in range(12)])
    setup(profile, docs, monkeypatch)
    assert post(profile, date(2026, 11, 3)) == []  # the grace (1 day after the day's end) has not passed
    results = post(profile, date(2026, 11, 4))
    assert [(r["entity"], r["outcome"], r["count"]) for r in results] == \
        [("Invoice", "created", 12), ("JournalEntry", "created", 12), ("Payment", "created", 12)]
    [inv] = ours(profile, "Invoice", "PrivateNote", "SI-20261102-web")
    invoices = [d for d in docs if d["type"] == "sale_invoice"]
    want = sum(Decimal(l["unit_price"]) * l["quantity"] for d in invoices for l in d["lines"])
    assert Decimal(str(inv["TotalAmt"])) == want and inv["CustomerRef"]["name"] == "web sales"
    assert inv["PrivateNote"].endswith("12 documents, WEB-0 .. WEB-9")
    [pay] = ours(profile, "Payment", "PrivateNote", "SP-20261102-web")
    assert Decimal(str(pay["TotalAmt"])) == want and pay["Line"][0]["LinkedTxn"][0]["TxnId"] == inv["Id"]
    [je] = ours(profile, "JournalEntry", "PrivateNote", "SJ-20261102-web")
    assert sum(Decimal(str(l["Amount"])) for l in je["Line"]) == 2 * sum(Decimal(d["amount"]) for d in docs
                                                                         if d["type"] == "cogs")
    with profile.cache() as cache:
        assert cache.status_counts()["sale_invoice"]["summarized"] == 12
        link = cache.link("sale_invoice", "WEB-3")
        assert link["summary"]["id"] == inv["Id"] and link["summary"]["ref"] == "SI-20261102-web-USD"
    assert post(profile, date(2026, 11, 5)) == []  # nothing left: nothing posted twice

    # a late order of the same day: a correction, never an edit; the two add up to the day's documents
    late = orders(["WEB-LATE"])
    profile.import_docs(late, name="late.json")
    results = post(profile, date(2026, 11, 6))
    assert [(r["entity"], r["key"]["correction"]) for r in results] == \
        [("Invoice", 1), ("JournalEntry", 1), ("Payment", 1)]
    both = ours(profile, "Invoice", "PrivateNote", "SI-20261102-web")
    assert len(both) == 2 and Decimal(str(inv["TotalAmt"])) == want  # the first one untouched
    day_total = want + sum(Decimal(l["unit_price"]) * l["quantity"] for l in late[0]["lines"])
    assert sum(Decimal(str(o["TotalAmt"])) for o in both) == day_total


class LoseInvoiceAnswers:
    """The sandbox's API, except that an invoice create is committed and its answer never sent (the connection is
    dropped, as the sandbox's own drop_after_commit fault does)."""

    def __init__(self, api):
        self.api = api

    async def __call__(self, scope, receive, send):
        if scope.get("method") == "POST" and scope["path"].lower().endswith("/invoice"):
            async def swallow(message):
                return None
            await self.api(scope, receive, swallow)
            await drop_connection(receive)
            return
        await self.api(scope, receive, send)


def test_a_lost_answer_does_not_post_the_period_twice(profile, monkeypatch):
    docs = orders([f"WEB-{i}" for i in range(5)])
    setup(profile, docs, monkeypatch)
    app = profile.sb.app
    app.api = LoseInvoiceAnswers(app.api)
    monkeypatch.setattr("qbtui.sync.summaries.LOST_ANSWERS", 0)  # the run settles nothing itself: the next one does
    try:
        post(profile, date(2026, 11, 4))
    except Exception:  # noqa: BLE001 - the answer never came: the run ends without knowing
        pass
    app.api = app.api.api
    assert len(ours(profile, "Invoice", "PrivateNote", "SI-20261102-web")) == 1  # it landed
    with profile.cache() as cache:
        planned, _ = plan_summaries(cache, date(2026, 11, 4))
        assert [p.resend for p in planned][:1] == [True]
    results = post(profile, date(2026, 11, 4))
    assert results[0]["outcome"] == "found" and results[0]["key"]["correction"] == 0
    assert len(ours(profile, "Invoice", "PrivateNote", "SI-20261102-web")) == 1
    assert len(ours(profile, "Payment", "PrivateNote", "SP-20261102-web")) == 1


def test_a_lost_answer_is_looked_up_by_the_run_itself(profile, monkeypatch):
    docs = orders([f"WEB-{i}" for i in range(3)])
    setup(profile, docs, monkeypatch)
    app = profile.sb.app
    app.api = LoseInvoiceAnswers(app.api)
    results = post(profile, date(2026, 11, 4))
    app.api = app.api.api
    assert [(r["entity"], r["outcome"]) for r in results][0] == ("Invoice", "created")
    assert len(ours(profile, "Invoice", "PrivateNote", "SI-20261102-web")) == 1
    with profile.cache() as cache:
        assert cache.status_counts()["sale_invoice"]["summarized"] == 3


def test_qbtui_sync_posts_the_due_summaries(profile, monkeypatch):
    docs = orders([f"WEB-{i}" for i in range(4)])
    setup(profile, docs, monkeypatch)
    monkeypatch.setenv("QBTUI_TODAY", "2026-11-03")  # the grace has not passed: nothing posted yet
    code, out = profile.sync_json()
    assert code == 0 and not ours(profile, "Invoice", "PrivateNote", "SI-20261102-web")
    monkeypatch.setenv("QBTUI_TODAY", "2026-11-04")
    code, out = profile.sync_json()
    assert code == 0, out
    [inv] = ours(profile, "Invoice", "PrivateNote", "SI-20261102-web")
    by = {(d["type"], d["ref"]): d for d in out["documents"]}
    assert by["sale_invoice", "WEB-2"]["status"] == "summarized" and by["sale_invoice", "WEB-2"]["qbo_ids"] == \
        [inv["Id"]] and by["sale_invoice", "WEB-2"]["summary"] == "SI-20261102-web-USD"
    assert [(s["entity"], s["count"], s["outcome"]) for s in out["run"]["summaries"]] == \
        [("Invoice", 4, "created"), ("JournalEntry", 4, "created"), ("Payment", 4, "created")]
    code, out = profile.sync_json()  # again: nothing more
    assert code == 0 and "summaries" not in out["run"]
    assert len(ours(profile, "Invoice", "PrivateNote", "SI-20261102-web")) == 1


def test_the_dry_run_shows_each_summary_and_the_documents_behind_its_lines(profile, monkeypatch):
    docs = orders([f"WEB-{i}" for i in range(3)])
    setup(profile, docs, monkeypatch)
    out = json.loads(profile.q("sync", "--dry-run", "--json").stdout)
    assert [(s["entity"], s["due"], s["payload"]) for s in out["summaries"]] == \
        [("Invoice", False, None), ("JournalEntry", False, None), ("Payment", False, None)]
    monkeypatch.setenv("QBTUI_TODAY", "2026-11-04")
    out = json.loads(profile.q("sync", "--dry-run", "--json").stdout)
    inv = out["summaries"][0]
    assert inv["due"] and inv["count"] == 3 and inv["payload"]["body"]["DocNumber"] == inv["key"]["doc_number"]
    assert {(l["sku"], l["quantity"], tuple(l["documents"])) for l in inv["lines"]} == \
        {("MUG-01", 6, ("WEB-0", "WEB-1", "WEB-2")), ("BOWL-02", 6, ("WEB-0", "WEB-1", "WEB-2"))}
    text = profile.q("sync", "--dry-run").stdout
    assert "SUMMARY Invoice SI-20261102-web-USD: 3 documents: WEB-0, WEB-1, WEB-2, total 122.94, due" in text
    assert "MUG-01  x 6 = 75.00: 3 documents: WEB-0, WEB-1, WEB-2" in text, text[-1500:]
    assert not ours(profile, "Invoice", "PrivateNote", "SI-")  # a dry run sends nothing


def test_a_uk_day_lands_on_qbos_totals_with_the_rounding_line(make_profile, monkeypatch):
    """QBO recomputes the summary's VAT per rate on the summed lines: the rounding line (0.0% Z) makes its total the
    orders' total. Three orders of 0.03 at 20 %: each 0.01 VAT (0.006 -> 0.01), total 0.12; on the summary 0.09 x
    20 % = 0.018 -> 0.02, so a rounding line of 0.01. Two tax-inclusive orders of 12.00 at 5 % (12.00 - 11.43 = 0.57
    each) are a TaxInclusive summary of 24.00, VAT 24.00 - 22.86 = 1.14: no rounding line."""
    p = make_profile(region="uk")
    assert p.q("settings", "set", "base_currency", "GBP").exit_code == 0
    docs = [invoice(f"UK-{i}", invoice_date=DAY, lines=[line("MUG-01", 1, "0.03", None, tax_code="20.0% S")], **WEB)
            for i in range(3)]
    docs += [invoice(f"UKI-{i}", invoice_date=DAY, tax_inclusive=True,
                     lines=[line("MUG-01", 1, "12.00", None, tax_code="5.0% R")], **WEB) for i in range(2)]
    monkeypatch.setenv("QBTUI_TODAY", DAY)
    assert p.q("settings", "set", "channel.web.invoice_sync", "daily").exit_code == 0
    p.import_docs([customer(), product(), *docs])
    assert p.sync_json()[0] == 0
    monkeypatch.setenv("QBTUI_TODAY", "2026-11-04")
    code, out = p.sync_json()
    assert code == 0, out
    got = {o["PrivateNote"].split(":")[0]: o for o in ours(p, "Invoice", "PrivateNote", "SI-20261102-web")}
    ex, inc = got["SI-20261102-web-GBP-TaxExcluded"], got["SI-20261102-web-GBP-TaxInclusive"]
    assert (Decimal(str(ex["TotalAmt"])), Decimal(str(ex["TxnTaxDetail"]["TotalTax"]))) == \
        (Decimal("0.12"), Decimal("0.02"))
    rounding = [ln for ln in ex["Line"] if (ln.get("SalesItemLineDetail") or {}).get("ItemRef", {}).get("name")
                == "qbtui-summary-rounding"]
    assert [(Decimal(str(ln["Amount"])), ln["SalesItemLineDetail"]["TaxCodeRef"]["name"]) for ln in rounding] == \
        [(Decimal("0.01"), "0.0% Z")]
    assert (Decimal(str(inc["TotalAmt"])), Decimal(str(inc["TxnTaxDetail"]["TotalTax"]))) == \
        (Decimal("24.00"), Decimal("1.14"))
    with p.cache() as cache:  # QBO's figures are the summaries' expected ones: no tax_difference recorded
        assert [x for x in cache.reference("discrepancies", []) or [] if x.get("kind") == "tax_difference"] == []


def test_a_change_or_void_after_the_summary_makes_a_correction_never_an_edit(profile, monkeypatch):
    docs = orders([f"WEB-{i}" for i in range(6)])
    setup(profile, docs, monkeypatch)
    post(profile, date(2026, 11, 4))
    [inv] = ours(profile, "Invoice", "PrivateNote", "SI-20261102-web")
    [pay] = ours(profile, "Payment", "PrivateNote", "SP-20261102-web")
    # WEB-1 one more mug (+12.50); WEB-4 voided with its payment and COGS (-25.00 - 15.98 = -40.98 of sales)
    by = {(d["type"], d["ref"]): d for d in docs}
    changed = dict(by["sale_invoice", "WEB-1"], lines=[line("MUG-01", quantity=3, unit_price="12.50"),
                                                          line("BOWL-02", quantity=2, unit_price="7.99")])
    voids = [dict(by[k], voided=True) for k in (("sale_invoice", "WEB-4"), ("sale_payment", "PAY-WEB-4"),
                                                ("cogs", "COGS-WEB-4"))]
    profile.import_docs([changed, *voids], name="changes.json")
    with profile.cache() as cache:
        assert cache.status_of("sale_invoice", "WEB-1") == "pending"
    results = post(profile, date(2026, 11, 6))
    got = {r["key"]["kind"]: r for r in results}
    assert {k: (r["entity"], r["key"]["correction"], r["count"]) for k, r in got.items()} == {
        "sales": ("CreditMemo", 1, 2), "cogs": ("JournalEntry", 1, 1), "payments": ("JournalEntry", 1, 1)}
    assert got["sales"]["total"] == Decimal("12.50") - Decimal("40.98")  # the difference: WEB-1 out and in, WEB-4 out
    [again] = ours(profile, "Invoice", "PrivateNote", "SI-20261102-web")
    assert again["SyncToken"] == inv["SyncToken"] and again["TotalAmt"] == inv["TotalAmt"]  # never edited
    [memo] = ours(profile, "CreditMemo", "PrivateNote", "SI-20261102-web-USD-C1")
    current = [d for d in docs if d["type"] == "sale_invoice" and d["ref"] not in ("WEB-1", "WEB-4")] + [changed]
    want = sum(Decimal(l["unit_price"]) * l["quantity"] for d in current for l in d["lines"])
    assert Decimal(str(inv["TotalAmt"])) - Decimal(str(memo["TotalAmt"])) == want  # original + correction, to the cent
    [je] = ours(profile, "JournalEntry", "PrivateNote", "SP-20261102-web-USD-C1")  # the payment taken back: A/R again
    dr = next(l for l in je["Line"] if l["JournalEntryLineDetail"]["PostingType"] == "Debit")
    assert Decimal(str(dr["Amount"])) == Decimal("40.98") and dr["JournalEntryLineDetail"]["Entity"]["EntityRef"][
        "value"] == inv["CustomerRef"]["value"]
    assert len(ours(profile, "Payment", "PrivateNote", "SP-20261102-web")) == 1 and pay
    with profile.cache() as cache:
        assert cache.status_of("sale_invoice", "WEB-1") == "summarized"
        assert cache.status_of("sale_invoice", "WEB-4") == "voided"
        link = cache.link("sale_invoice", "WEB-1")["summary"]
        assert link["ref"] == "SI-20261102-web-USD-C1" and [r["summary"] for r in link["parts"]] == \
            ["SI-20261102-web-USD-C1"]
    assert post(profile, date(2026, 11, 7)) == []  # nothing more: nothing posted twice
    # a change that does not touch the figures (a memo) is summarized again without a correction
    profile.import_docs([dict(by["sale_invoice", "WEB-2"], memo="note")], name="memo.json")
    assert post(profile, date(2026, 11, 7)) == []
    with profile.cache() as cache:
        assert cache.status_of("sale_invoice", "WEB-2") == "summarized"


def test_refunds_follow_payment_sync_into_the_periods_one_refund_receipt(profile, monkeypatch):
    """Invoices daily, payments (and refunds) monthly: the credit notes' unrefunded parts are in the day's credit
    memo, their refunds in the month's one refund receipt, never one by one."""
    docs = orders([f"WEB-{i}" for i in range(3)])
    docs = [d for d in docs if d["type"] != "sale_payment"]
    back = [line("MUG-01", quantity=1, unit_price="12.50")]
    docs += [credit_note(f"RET-{i}", invoice=f"WEB-{i}", date=DAY, lines=back,
                         refunds=[{"ref": f"RF-{i}", "date": DAY, "amount": "5.00"}]) for i in range(2)]
    assert profile.q("settings", "set", "channel.web.payment_sync", "monthly").exit_code == 0
    setup(profile, docs, monkeypatch)
    monkeypatch.setenv("QBTUI_TODAY", "2026-12-05")
    code, out = profile.sync_json()
    assert code == 0, out
    [memo] = ours(profile, "CreditMemo", "PrivateNote", "SC-20261102-web")
    assert Decimal(str(memo["TotalAmt"])) == 2 * (Decimal("12.50") - Decimal("5.00"))
    [refund] = ours(profile, "RefundReceipt", "PrivateNote", "SR-202611-web")
    assert Decimal(str(refund["TotalAmt"])) == Decimal("10.00") and "2 documents" in refund["PrivateNote"]
    assert not ours(profile, "RefundReceipt", "PrivateNote", "RF-")  # none on its own
    with profile.cache() as cache:
        link = cache.link("credit_note", "RET-1")
        assert link["status"] == "summarized" and {r["summary"] for r in link["summary"]["parts"]} == \
            {"SC-20261102-web-USD", "SR-202611-web-USD"}
        assert cache.status_of("credit_note", "RET-1") == "summarized"


def test_a_payment_on_its_own_against_a_summary_is_refused_by_a_gate(profile, monkeypatch):
    """Invoices summarized, payments and refunds one by one: QuickBooks could not link a payment of the order's
    customer to the channel customer's summary invoice. The gate says so and how to fix it; nothing is sent."""
    docs = orders(["WEB-0"])
    docs.append(credit_note("RET-0", invoice="WEB-0", date=DAY, lines=[line("MUG-01", 1, "12.50")],
                            refunds=[{"ref": "RF-0", "date": DAY, "amount": "12.50"}]))
    assert profile.q("settings", "set", "channel.web.payment_sync", "individual").exit_code == 0
    setup(profile, docs, monkeypatch, blocked=True)
    monkeypatch.setenv("QBTUI_TODAY", "2026-11-04")
    code, out = profile.sync_json()
    by = {(d["type"], d["ref"]): d for d in out["documents"]}
    for key in (("sale_payment", "PAY-WEB-0"), ("credit_note", "RET-0")):
        assert by[key]["status"] == "blocked", by[key]
        err = by[key]["error"]
        assert err["code"] == "channel.summary_mixed" and "qbtui settings set channel.web.payment_sync daily" in \
            err["hint"], err
    assert "cannot be posted on its own against a summary" in by["sale_payment", "PAY-WEB-0"]["error"]["message"]
    assert not ours(profile, "Payment", "PaymentRefNum", "PAY-WEB-0") and not profile.live("RefundReceipt")
    assert [o["PrivateNote"].split(":")[0] for o in ours(profile, "Invoice", "PrivateNote", "SI-")] == \
        ["SI-20261102-web-USD"]  # the invoices' summary is posted; the credit note waits with its refund
    assert not ours(profile, "CreditMemo", "PrivateNote", "SC-")
    # the fix the gate names: payments and refunds as the invoices
    assert profile.q("settings", "set", "channel.web.payment_sync", "daily").exit_code == 0
    code, out = profile.sync_json()
    assert code == 0, out
    assert ours(profile, "Payment", "PrivateNote", "SP-20261102-web") and ours(profile, "RefundReceipt",
                                                                               "PrivateNote", "SR-20261102-web")


def test_a_summary_payment_of_an_invoice_posted_on_its_own_is_refused_with_a_fix(profile, monkeypatch):
    """An invoice sent on its own before its channel was summarized; its payment comes after: it cannot be in the
    channel customer's payment summary (QuickBooks refuses a payment linking another customer's invoice)."""
    monkeypatch.setenv("QBTUI_TODAY", "2026-11-04")
    first = [d for d in orders(["OLD-1"]) if d["type"] != "sale_payment"]
    profile.import_docs([customer(), product(), product("BOWL-02", "Bowl", sale_price="7.99"), *first])
    assert profile.sync_json()[0] == 0
    [alone] = [o for o in profile.live("Invoice") if o.get("DocNumber") == "OLD-1"]
    for key in ("channel.web.invoice_sync", "channel.web.cogs_sync"):
        assert profile.q("settings", "set", key, "daily").exit_code == 0
    profile.import_docs([payment("PAY-OLD-1", "OLD-1", date=DAY, amount="10.00")], name="pay.json")
    code, out = profile.sync_json()
    assert not ours(profile, "Payment", "PrivateNote", "SP-")
    with profile.cache() as cache:
        link = cache.link("sale_payment", "PAY-OLD-1")
        assert cache.status_of("sale_payment", "PAY-OLD-1") == "failed"
        assert link["error"]["code"] == "channel.summary_mixed" and alone["Id"] in link["error"]["message"]
        assert "voided: true" in link["error"]["hint"]


def test_the_periods_credit_memo_is_applied_to_its_summary_invoice_up_to_its_open_balance(profile, monkeypatch):
    """The day's credit memo is applied to the day's summary invoice (a Payment of 0, QBO's own AutoApplyCredit
    taken off); the day's payments then pay what is left open, the rest unapplied. A credit memo of a day whose
    invoice is paid in full finds no open balance: nothing applied, the credit stays the channel customer's."""
    docs = orders([f"WEB-{i}" for i in range(3)])
    docs += [credit_note(f"RET-{i}", invoice=f"WEB-{i}", date=DAY, lines=[line("MUG-01", 1, "12.50")],
                         channel="web") for i in range(2)]
    setup(profile, docs, monkeypatch)
    results = post(profile, date(2026, 11, 4))
    assert [r["entity"] for r in results] == ["Invoice", "CreditMemo", "JournalEntry", "Payment"]
    [inv] = ours(profile, "Invoice", "PrivateNote", "SI-20261102-web")
    [memo] = ours(profile, "CreditMemo", "PrivateNote", "SC-20261102-web")
    [apply] = ours(profile, "Payment", "PrivateNote", "SC-20261102-web")
    assert Decimal(str(apply["TotalAmt"])) == 0 and results[1]["applied"] == apply["Id"]
    assert {(l["LinkedTxn"][0]["TxnType"], l["LinkedTxn"][0]["TxnId"], Decimal(str(l["Amount"])))
            for l in apply["Line"]} == {("Invoice", inv["Id"], Decimal("25.00")), ("CreditMemo", memo["Id"],
                                                                                   Decimal("25.00"))}
    assert [p for p in profile.live("Payment") if Decimal(str(p["TotalAmt"])) == 0] == [apply]  # QBO's own: gone
    [pay] = ours(profile, "Payment", "PrivateNote", "SP-20261102-web")
    total = Decimal(str(inv["TotalAmt"]))
    assert Decimal(str(pay["TotalAmt"])) == total  # the payments' total, to the cent
    assert Decimal(str(pay["Line"][0]["Amount"])) == total - Decimal("25.00")  # what was open; 25.00 unapplied
    assert Decimal(str(profile.company.objects["Invoice"][inv["Id"]]["Balance"])) == 0
    assert Decimal(str(profile.company.objects["CreditMemo"][memo["Id"]]["Balance"])) == 0
    # a late credit note of the same day: its invoice is paid, nothing left to apply it to
    profile.import_docs([credit_note("RET-LATE", invoice="WEB-2", date=DAY, lines=[line("MUG-01", 1, "12.50")],
                                     channel="web")], name="late.json")
    results = post(profile, date(2026, 11, 5))
    assert [(r["entity"], r["key"]["correction"], "applied" in r) for r in results] == [("CreditMemo", 1, False)]
    assert len(ours(profile, "Payment", "PrivateNote", "SC-20261102-web")) == 1


def test_undo_of_a_run_removes_its_summaries_and_returns_their_documents_to_pending(profile, monkeypatch):
    docs = orders([f"WEB-{i}" for i in range(3)])
    docs += [credit_note("RET-0", invoice="WEB-0", date=DAY, lines=[line("MUG-01", 1, "12.50")], channel="web")]
    setup(profile, docs, monkeypatch)
    monkeypatch.setenv("QBTUI_TODAY", "2026-11-04")
    code, first = profile.sync_json()
    assert code == 0, first
    profile.import_docs([dict(next(d for d in docs if d["ref"] == "WEB-1" and d["type"] == "sale_invoice"),
                              voided=True)], name="void.json")
    code, second = profile.sync_json()  # the void: a correction (a credit memo) in a second run
    assert code == 0 and [s["ref"] for s in second["run"]["summaries"]] == ["SI-20261102-web-USD-C1"]
    # the first run's summaries are corrected by the second's: its undo alone is refused, naming the correction
    r = profile.q("undo", first["run"]["id"], "--yes")
    assert r.exit_code != 0 and "SI-20261102-web-USD-C1" in r.output
    plan = json.loads(profile.q("undo", second["run"]["id"], "--dry-run", "--json").stdout)
    assert [(o["type"], o["entity"], o["action"]) for o in plan["objects"]] == \
        [("summary", "CreditMemo", "delete")]
    r = profile.q("undo", second["run"]["id"], "--yes")
    assert r.exit_code == 0, r.output
    assert not ours(profile, "CreditMemo", "PrivateNote", "SI-20261102-web-USD-C1")
    with profile.cache() as cache:  # the void waits again for its correction
        assert cache.status_of("sale_invoice", "WEB-1") == "pending"
    plan = json.loads(profile.q("undo", first["run"]["id"], "--dry-run", "--json").stdout)
    assert [(o["type"], o["entity"]) for o in plan["objects"]] == [
        ("summary_payment", "Payment"), ("summary_payment", "Payment"),  # the day's payments, the memo's apply
        ("summary", "JournalEntry"), ("summary", "CreditMemo"), ("summary", "Invoice")] or \
        sorted((o["type"], o["entity"]) for o in plan["objects"]) == sorted([
            ("summary_payment", "Payment"), ("summary_payment", "Payment"), ("summary", "JournalEntry"),
            ("summary", "CreditMemo"), ("summary", "Invoice")])
    assert plan["objects"][0]["type"] == plan["objects"][1]["type"] == "summary_payment"  # payments first
    r = profile.q("undo", first["run"]["id"], "--yes")
    assert r.exit_code == 0, r.output
    for entity in ("Invoice", "CreditMemo", "JournalEntry", "Payment"):
        assert not ours(profile, entity, "PrivateNote", "S"), entity
    with profile.cache() as cache:
        for key in (("sale_invoice", "WEB-0"), ("sale_payment", "PAY-WEB-2"), ("cogs", "COGS-WEB-2"),
                    ("credit_note", "RET-0")):
            assert cache.status_of(*key) == "pending", key
        assert cache.link("sale_invoice", "WEB-0")["summary"] is None
    code, again = profile.sync_json()  # posted anew: the day as it is now, WEB-1 (voided) left out
    assert code == 0, again
    [inv] = ours(profile, "Invoice", "PrivateNote", "SI-20261102-web")
    assert inv["PrivateNote"].startswith("SI-20261102-web-USD:") and "2 documents" in inv["PrivateNote"]


def test_reconcile_and_discrepancies_name_a_summary_edited_in_quickbooks(profile, monkeypatch):
    docs = orders([f"WEB-{i}" for i in range(3)])
    setup(profile, docs, monkeypatch)
    monkeypatch.setenv("QBTUI_TODAY", "2026-11-04")
    assert profile.sync_json()[0] == 0
    assert profile.q("pull").exit_code == 0
    assert json.loads(profile.q("discrepancies", "--json").stdout)["discrepancies"] == []
    report = profile.q.json("reconcile", "--from", "2026-11-01", "--to", "2026-11-30")
    assert report["clean"] and report["differences"] == [], report
    income = next(a for a in report["accounts"] if a["role"] == "sales_income")
    sales = sum(Decimal(l["unit_price"]) * l["quantity"] for d in docs if d["type"] == "sale_invoice"
                for l in d["lines"])
    assert Decimal(str(income["inventory"])) == -sales and income["difference"] == 0  # the summary, on both sides
    [inv] = ours(profile, "Invoice", "PrivateNote", "SI-20261102-web")

    async def edit(c):  # someone changes a line of the summary invoice in QuickBooks
        obj = await c.read("Invoice", inv["Id"])
        lines = [dict(x) for x in obj["Line"] if x.get("DetailType") == "SalesItemLineDetail"]
        lines[0] = {**lines[0], "Amount": 1, "SalesItemLineDetail": {**lines[0]["SalesItemLineDetail"], "Qty": 1,
                                                                     "UnitPrice": 1}}
        return await c.update("Invoice", {"Id": inv["Id"], "SyncToken": obj["SyncToken"], "Line": lines},
                              sparse=True)
    edited = profile.qbo(edit)
    assert profile.q("pull").exit_code == 0
    listed = json.loads(profile.q("discrepancies", "--json").stdout)["discrepancies"]
    assert [(d["kind"], d["type"], d["ref"], d.get("qbo_id")) for d in listed] == \
        [("changed", "summary", "SI-20261102-web-USD", inv["Id"])]
    text = profile.q("discrepancies").output
    assert "SI-20261102-web-USD" in text and str(edited["TotalAmt"]).rstrip("0").rstrip(".") in text
    report = profile.q.json("reconcile", "--from", "2026-11-01", "--to", "2026-11-30")
    assert not report["clean"]
    r = profile.q("discrepancies", "resolve", "summary", "SI-20261102-web-USD", "--push", "--yes")
    assert r.exit_code == 2 and "posts a correction" in r.output, r.output
    r = profile.q("discrepancies", "resolve", "summary", "SI-20261102-web-USD", "--dismiss", "edited on purpose")
    assert r.exit_code == 0, r.output
    assert json.loads(profile.q("discrepancies", "--json").stdout)["discrepancies"] == []
    assert [(d["kind"], d["type"], d["ref"], d["id"]) for d in report["differences"]] == \
        [("changed", "summary", "SI-20261102-web-USD", inv["Id"])]


def test_a_document_failing_its_own_gates_is_blocked_and_the_others_are_summarized(profile, monkeypatch):
    """A dateless web invoice among a day's good ones (the demo's SO-1008): its channel summarizes it, but it fails
    its own gate (invoice.missing_date), so it is BLOCKED with that reason (not SKIPPED as summarized), its payment
    waits for it, and the day's other orders are summarized and posted without it. Once its date is set and it is
    imported again, the next sync takes it in: a correction of the day already posted."""
    from qbtui.tui.backend import Backend

    good = orders([f"WEB-{i}" for i in range(3)])
    bad = orders(["WEB-BAD"])
    bad[0]["invoice_date"] = None
    setup(profile, [*good, *bad], monkeypatch, blocked=True)
    monkeypatch.setenv("QBTUI_TODAY", "2026-11-04")
    code, out = profile.sync_json()
    assert code == 1, out  # a blocked document: the run says so
    by = {(d["type"], d["ref"]): d for d in out["documents"]}
    assert by["sale_invoice", "WEB-BAD"]["status"] == "blocked"
    assert by["sale_invoice", "WEB-BAD"]["error"]["code"] == "invoice.missing_date"
    assert by["sale_payment", "PAY-WEB-BAD"]["status"] == "blocked"  # it pays an invoice in no summary
    assert by["sale_payment", "PAY-WEB-BAD"]["error"]["code"] == "dependency.blocked"
    assert [(s["entity"], s["count"]) for s in out["run"]["summaries"]] == \
        [("Invoice", 3), ("JournalEntry", 4), ("Payment", 3)]  # the COGS journal names its invoice only in a memo
    [inv] = ours(profile, "Invoice", "PrivateNote", "SI-20261102-web")
    assert inv["PrivateNote"].endswith("3 documents, WEB-0 .. WEB-2")
    gates = asyncio.run(Backend(profile.path, profile="default", data_dir=profile.data_dir).gates())
    status, reasons = gates["sale_invoice", "WEB-BAD"]  # what the dashboard shows: BLOCKED, with its reason
    assert status == "blocked" and [r["code"] for r in reasons] == ["invoice.missing_date"]
    with profile.cache() as cache:
        assert cache.status_counts()["sale_invoice"]["summarized"] == 3

    fixed = {**bad[0], "invoice_date": DAY}
    profile.import_docs([fixed], name="fixed.json")
    monkeypatch.setenv("QBTUI_TODAY", "2026-11-05")
    code, out = profile.sync_json()
    assert code == 0, out
    assert [(s["entity"], s["key"]["correction"], s["count"]) for s in out["run"]["summaries"]] == \
        [("Invoice", 1, 1), ("Payment", 1, 1)]
    both = ours(profile, "Invoice", "PrivateNote", "SI-20261102-web")
    assert len(both) == 2
    assert sum(Decimal(str(o["TotalAmt"])) for o in both) == sum(
        Decimal(l["unit_price"]) * l["quantity"] for d in [*good, *bad] if d["type"] == "sale_invoice"
        for l in d["lines"])
    with profile.cache() as cache:
        assert cache.status_counts()["sale_invoice"]["summarized"] == 4
        assert cache.status_counts()["sale_payment"]["summarized"] == 4


def test_a_blocked_document_fixed_before_its_day_is_posted_goes_into_the_days_summary(profile, monkeypatch):
    good = orders([f"WEB-{i}" for i in range(2)])
    bad = orders(["WEB-BAD"])
    bad[0]["invoice_date"] = None
    setup(profile, [*good, *bad], monkeypatch, blocked=True)  # the day's grace has not passed
    with profile.cache() as cache:  # the summaries a sync would post hold the good ones only
        planned, _ = plan_summaries(cache, date(2026, 11, 4))
        assert [(p.summary.key.kind, p.summary.refs) for p in planned][0] == ("sales", ["WEB-0", "WEB-1"])
    profile.import_docs([{**bad[0], "invoice_date": DAY}], name="fixed.json")
    monkeypatch.setenv("QBTUI_TODAY", "2026-11-04")
    code, out = profile.sync_json()
    assert code == 0, out
    assert [(s["entity"], s["key"]["correction"], s["count"]) for s in out["run"]["summaries"]] == \
        [("Invoice", 0, 3), ("JournalEntry", 0, 3), ("Payment", 0, 3)]
