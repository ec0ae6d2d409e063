"""`qbtui sync --dry-run` of a summarized channel against the sandbox (docs/cli.md): each summary with the payload a
sync would send when due and the documents behind each of its lines, in the human form and in the JSON."""

from __future__ import annotations

import json

from tests.support.documents import cogs, customer, invoice, line, payment, product


def test_the_dry_run_shows_each_summary_payload_and_the_documents_behind_each_line(profile, monkeypatch):
    for key in ("channel.web.invoice_sync", "channel.web.cogs_sync"):
        r = profile.q("settings", "set", key, "daily")
        assert r.exit_code == 0, r.output
    monkeypatch.setenv("QBTUI_TODAY", "2026-11-05")
    docs = [customer(), product(), product("BOWL-02", "Bowl", sale_price="7.99")]
    for i in range(1, 8):
        ref = f"WEB-{i}"
        lines = [line("MUG-01", quantity=i, unit_price="12.50")] + ([line("BOWL-02", quantity=1, unit_price="7.99")]
                                                                   if i <= 2 else [])
        docs += [invoice(ref, invoice_date="2026-11-02", lines=lines, channel="web"),
                 cogs(ref, date="2026-11-02", amount="4.10"),
                 payment(f"PAY-{ref}", ref, date="2026-11-02", amount="1.00")]
    profile.import_docs(docs)

    r = profile.q("sync", "--dry-run")
    text = r.output
    assert "SUMMARY Invoice SI-20261102-web-USD: 7 documents: WEB-1 .. WEB-7, total 365.98, due" in text, text
    # the payload, as a document's (its number, date, the channel's customer, its lines)
    assert "  Invoice create  no. SI-20261102-web-USD  date 2026-11-02  customer web sales" in text, text
    # each line with the documents behind it: named when few, first .. last when many
    assert "    BOWL-02  x 2 = 15.98: 2 documents: WEB-1, WEB-2" in text, text
    assert "    MUG-01  x 28 = 350.00: 7 documents: WEB-1 .. WEB-7" in text, text
    assert "SUMMARY Payment SP-20261102-web-USD: 7 documents: PAY-WEB-1 .. PAY-WEB-7, total 7.00, due" in text
    assert "  Payment create  date 2026-11-02  ref no. SP-20261102-web-USD  customer web sales" in text, text

    out = json.loads(profile.q("sync", "--dry-run", "--json").stdout)
    [sales] = [s for s in out["summaries"] if s["entity"] == "Invoice"]
    assert sales["payload"]["body"]["DocNumber"] == "SI-20261102-web-USD"
    by_sku = {line["sku"]: line["documents"] for line in sales["lines"]}
    assert by_sku == {"MUG-01": [f"WEB-{i}" for i in range(1, 8)], "BOWL-02": ["WEB-1", "WEB-2"]}

    # --summaries: the summaries only (the documents are not planned one by one), the same lines and JSON
    only = profile.q("sync", "--dry-run", "--summaries")
    assert only.exit_code == 0 and only.output.startswith("SUMMARY Invoice SI-20261102-web-USD: 7 documents"), only.output
    assert only.output.strip() in text and "[skipped]" not in only.output
    assert json.loads(profile.q("sync", "--dry-run", "--summaries", "--json").stdout)["summaries"] == out["summaries"]
    refused = profile.q("sync", "--dry-run", "--summaries", "--type", "sale_invoice")
    assert refused.exit_code == 2 and "--summaries goes with --dry-run" in refused.output

    monkeypatch.setenv("QBTUI_TODAY", "2026-11-02")  # the day itself: not due, no payload yet
    text = profile.q("sync", "--dry-run").output
    assert "SUMMARY Invoice SI-20261102-web-USD: 7 documents: WEB-1 .. WEB-7, total 365.98, not yet due" in text
    assert "Invoice create  no. SI-20261102-web-USD" not in text
