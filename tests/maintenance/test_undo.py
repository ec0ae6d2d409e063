"""`qbtui undo` of a run leaves none of that run's invoices live in QBO; it shows in the audit log."""

from __future__ import annotations

from tests.maintenance.conftest import FROM, TO


def test_undo_leaves_no_invoice_live(synced, qbtui):
    run = qbtui.json("runs")["runs"][0]
    invoices = [c["id"] for c in run["created"] if c["entity"] == "Invoice"]
    assert len(invoices) == 2
    result = qbtui("undo", run["id"], "--yes")
    assert result.exit_code == 0, result.output
    live = synced.company.objects["Invoice"]
    assert not [i for i in invoices if i in live and float(live[i].get("TotalAmt", 0)) != 0]
    audit = qbtui.json("audit")["audit"]
    assert audit[0]["kind"] == "undo" and audit[0]["what"].startswith(f"undo of run {run['id']}")
    assert all(f"Invoice:{i}" in audit[0]["qbo_ids"] for i in invoices)
    # nothing of ours is left in QBO for the range, and reconcile says so without differences
    report = qbtui.json("reconcile", "--from", FROM, "--to", TO)
    assert report["differences"] == []
