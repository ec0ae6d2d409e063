"""The audit log has no gaps: a pull, the connect wizard's steps that write (with who), and a preflight fix that
changes a QuickBooks setting (before and after) or makes items inactive each appear in `qbtui audit`."""

from __future__ import annotations

import json
import socket

from qbtui.cli import main
from tests.support import documents as D


def _audit(profile) -> list[dict]:
    """`qbtui audit --json`'s rows, each with its whole run (as the dashboard's audit screen has it)."""
    r = profile.q("audit", "--json")
    assert r.exit_code == 0, r.output
    with profile.cache() as cache:
        runs = {run["id"]: run for run in cache.runs()}
    return [{**row, "run": runs[row["id"]]} for row in json.loads(r.stdout)["audit"]]


def _wizard(profile, op: str, request: dict) -> None:
    r = profile.q.runner.invoke(main, ["--data-dir", str(profile.data_dir), "wizard-step", op, "--events"],
                                input=json.dumps(request), catch_exceptions=False)
    assert r.exit_code == 0, r.output


def test_pulls_wizard_steps_and_preflight_fixes_are_in_the_audit_log(make_profile, monkeypatch):
    monkeypatch.setenv("QBTUI_USER", "maria")
    who = f"maria@{socket.gethostname()}"
    profile = make_profile()
    profile.import_docs([D.customer(), D.product()])

    assert profile.q("pull").exit_code == 0
    pull = next(r for r in _audit(profile) if r["kind"] == "pull")
    assert pull["who"] == who and pull["ended"] and pull["what"].startswith("pull: ")

    # a preflight fix from the wizard: QuickBooks' quantity-on-hand tracking, before and after
    profile.company.preferences["ProductAndServicesPrefs"]["QuantityOnHand"] = True
    _wizard(profile, "fix", {"code": "inventory_tracking"})
    assert profile.company.preferences["ProductAndServicesPrefs"]["QuantityOnHand"] is False
    fix = next(r for r in _audit(profile) if r["kind"] == "maintenance" and r["run"].get("action") == "preflight_fix")
    assert fix["who"] == who and fix["ended"]
    assert fix["run"]["changed"] == [{"entity": "Preferences", "id": fix["run"]["changed"][0]["id"],
                                      "field": "ProductAndServicesPrefs.QuantityOnHand", "before": True,
                                      "after": False}]
    assert "ProductAndServicesPrefs.QuantityOnHand True -> False" in fix["what"]
    text = profile.q("audit")
    assert "preflight fix inventory_tracking" in text.stdout and who in text.stdout

    # the wizard's opening balances: a run with who
    _wizard(profile, "opening-balances", {})
    opening = next(r for r in _audit(profile) if r["run"].get("note") == "import opening balances")
    assert opening["who"] == who and opening["ended"] and opening["what"].startswith("import opening balances")

    # a pull that brings a payment in names it among its QuickBooks Ids
    invoice_id = next(o["Id"] for o in profile.live("Invoice") if o.get("Balance"))
    customer = next(o for o in profile.live("Invoice") if o["Id"] == invoice_id)["CustomerRef"]
    assert profile.q("settings", "set", "filter_start_date", "2026-01-01").exit_code == 0
    paid = profile.qbo(lambda c: c.create("Payment", {"CustomerRef": customer, "TotalAmt": 1, "TxnDate": "2026-11-20",
                                                      "Line": [{"Amount": 1, "LinkedTxn": [{"TxnId": invoice_id,
                                                                                            "TxnType": "Invoice"}]}]}))
    assert profile.q("pull").exit_code == 0
    latest = next(r for r in _audit(profile) if r["kind"] == "pull")
    assert f"Payment:{paid['Id']}" in latest["qbo_ids"] and "1 payments" in latest["what"]
