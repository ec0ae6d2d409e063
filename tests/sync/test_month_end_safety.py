"""Month-end safety: a document dated before the filter start is skipped (not an error), fixes made in qbtui
survive a re-import of the same file, and the opening commands after setup."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal

from qbtui.cli import main
from qbtui.maintenance.autosync import run_scheduled
from tests.maintenance.test_autosync import set_schedule
from tests.support.documents import customer, invoice, line, product


def test_before_filter_start_is_skipped_not_an_error(make_profile):
    env = make_profile(docs=[customer(), product(), invoice("SO-OLD", invoice_date="2026-09-30")])
    r = env.q("settings", "set", "filter_start_date", "2026-10-01")
    assert r.exit_code == 0, r.output
    # the customer and the product are sent; the old invoice is skipped with its reason
    code, report = env.sync_json()
    assert code == 0, report
    old = next(d for d in report["documents"] if d["ref"] == "SO-OLD")
    assert old["status"] == "skipped", old
    assert "before the filter start" in json.dumps(old)
    errors = env.q("errors", "--json")
    assert errors.exit_code == 0, errors.output
    assert json.loads(errors.stdout)["errors"] == []
    status = json.loads(env.q("status", "--json").stdout)
    assert status["documents"]["sale_invoice"]["skipped"] == 1
    # only that document unsent: a sync exits 0 and says it is skipped, with its reason
    r = env.q("sync", "--yes")
    assert r.exit_code == 0, r.output
    assert "SO-OLD" in r.output and "skipped" in r.output and "filter start" in r.output
    # a due scheduled sync too
    set_schedule(env.path, start=datetime.now() - timedelta(minutes=5))
    result = run_scheduled(env.path, wait_s=0.5)
    assert result.exit_code == 0, result.message
    assert not any(o.get("DocNumber") == "SO-OLD" for o in env.live("Invoice"))


def _document(env, ref: str) -> dict:
    """What the dashboard's document screen reads (``qbtui document``: a ``document`` result event)."""
    return json.loads(env.q("document", "sale_invoice", ref).stdout.splitlines()[0])["data"]


def test_a_fix_made_in_qbtui_survives_a_reimport_of_the_same_file(make_profile):
    env = make_profile()
    docs = [customer(), product(), invoice("SO-1", invoice_date="2026-09-30", memo="first"),
            invoice("SO-2", lines=[line(quantity=2)])]
    env.import_docs(docs, "orders.json")
    # the fix form: the date corrected in qbtui (the dashboard sends the whole document to update-document)
    with env.cache() as cache:
        fixed = {**cache.get("sale_invoice", "SO-1")["data"], "invoice_date": "2026-11-03"}
    r = env.q.runner.invoke(main, ["--data-dir", str(env.data_dir), "update-document"], input=json.dumps(fixed),
                            catch_exceptions=False)
    assert r.exit_code == 0, r.output
    shown = _document(env, "SO-1")
    assert shown["fixed"]["fields"] == {"invoice_date": "2026-11-03"}
    # the inventory side re-exports the same file, with another change to the fixed invoice (its memo)
    docs[2] = invoice("SO-1", invoice_date="2026-09-30", memo="second")
    path = env.tmp / "orders.json"
    path.write_text(json.dumps({"documents": docs}))
    r = env.q("import", str(path))
    assert r.exit_code == 0, r.output
    assert "1 documents fixed in qbtui that this file would change" in r.output
    assert "sale_invoice SO-1: invoice_date: fixed 2026-11-03, file 2026-09-30" in r.output
    with env.cache() as cache:
        data = cache.get("sale_invoice", "SO-1")["data"]
    assert data["invoice_date"] == "2026-11-03" and data["memo"] == "second"  # the fix kept, the other change applied
    r = env.q("import", str(path), "--json")
    assert r.exit_code == 0, r.output
    result = json.loads(r.stdout)["files"][0]
    assert result["fixes"] == [{"type": "sale_invoice", "ref": "SO-1", "kept": True, "fields": [
        {"field": "invoice_date", "fixed": "2026-11-03", "file": "2026-09-30",
         "text": "invoice_date: fixed 2026-11-03, file 2026-09-30"}]}]
    # --replace-fixes takes the file's values, and the fix is forgotten
    r = env.q("import", str(path), "--replace-fixes", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["files"][0]["fixes"][0]["kept"] is False
    with env.cache() as cache:
        assert cache.get("sale_invoice", "SO-1")["data"]["invoice_date"] == "2026-09-30"
    assert _document(env, "SO-1")["fixed"] is None
    r = env.q("import", str(path), "--json")
    assert json.loads(r.stdout)["files"][0]["fixes"] == []


def _qbo_open_invoice(env, name: str, day: str) -> dict:
    """An invoice entered in QuickBooks before qbtui (its customer too), still open."""
    async def go(client):
        cust = await client.create("Customer", {"DisplayName": name})
        item = next(i for i in await client.query_all("Item") if i.get("Type") in ("Service", "NonInventory"))
        return await client.create("Invoice", {
            "CustomerRef": {"value": cust["Id"]}, "TxnDate": day, "DocNumber": "QB-77",
            "Line": [{"DetailType": "SalesItemLineDetail", "Amount": 120,
                      "SalesItemLineDetail": {"ItemRef": {"value": item["Id"]}, "Qty": 1, "UnitPrice": 120}}]})
    return env.qbo(go)


def test_opening_balances_after_setup_keep_qbo_dates_link_our_contact_and_reconcile(make_profile):
    env = make_profile()
    inv = _qbo_open_invoice(env, "Harbour Cafe", "2026-11-05")
    env.import_docs([customer()])  # the firm's own customer of the same name, not sent yet
    r = env.q("opening", "balances", "--yes", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert "QB-77" in out["invoices"] and out["linked"] == ["C-100"]  # (the demo company has open ones of its own)
    with env.cache() as cache:
        doc = cache.get("sale_invoice", "QB-77")["data"]
        link = cache.link("sale_invoice", "QB-77")
        assert cache.status_of("customer", "C-100") == "synced"
        assert [q["id"] for q in cache.link("customer", "C-100")["qbo"]] == [inv["CustomerRef"]["value"]]
    assert doc["invoice_date"] == "2026-11-05" and doc["customer"] == "C-100"  # QBO's own date, our contact
    assert [q["id"] for q in link["qbo"]] == [inv["Id"]]
    run = env.q.json("runs")["runs"][0]
    assert run["kind"] == "maintenance" and run["ended"] and run["who"]
    # reconcile of the month: the opening invoice is an opening balance, not activity, and no difference
    report = env.q.json("reconcile", "--from", "2026-11-01", "--to", "2026-11-30")
    assert report["differences"] == [], report["differences"]
    assert "QB-77" in [o["ref"] for o in report["opening_balances"]]
    assert all(Decimal(str(a["difference"])) == 0 for a in report["accounts"])
    # once only
    r = env.q("opening", "balances", "--yes")
    assert r.exit_code == 1 and "already imported" in r.output


def test_a_failed_opening_journal_ends_its_run(make_profile):
    env = make_profile()
    env.import_docs([product(quantity_on_hand="10", average_cost="4.10")])
    assert env.q("settings", "set", "filter_start_date", "2026-11-01").exit_code == 0
    r = env.q("opening", "journal")  # no terminal, no --yes: refused, nothing posted
    assert r.exit_code == 2 and "--yes" in r.output
    env.refuse("6190")
    r = env.q("opening", "journal", "--yes")
    assert r.exit_code == 2, r.output
    assert "6190" in r.output or "subscription" in r.output
    runs = env.q.json("runs")["runs"]
    assert runs and all(x["ended"] for x in runs), runs
    assert runs[0]["failed"] is True and runs[0]["error"]["code"] == "6190"
    env.refuse(None)
    r = env.q("opening", "journal", "--yes", "--json")
    assert r.exit_code == 0, r.output
    posted = json.loads(r.stdout)
    assert posted["id"] and posted["date"] == "2026-10-31"
    assert any(o["Id"] == posted["id"] for o in env.live("JournalEntry"))


def test_our_contact_imported_after_the_opening_balances_links_to_qbo_s_instead_of_being_blocked(make_profile):
    env = make_profile()
    inv = _qbo_open_invoice(env, "Quay Bistro", "2026-11-05")
    assert env.q("opening", "balances", "--yes").exit_code == 0
    with env.cache() as cache:
        twin = cache.get("sale_invoice", "QB-77")["data"]["customer"]
        assert cache.get("customer", twin)["data"]["extra"]["opening_balance"] is True
    env.import_docs([customer("C-200", "Quay Bistro")])
    errors = json.loads(env.q("errors", "--json").stdout)["errors"]
    assert not [e for e in errors if e["ref"] == "C-200"], errors
    code, out = env.sync_json("--ref", "C-200")
    assert code == 0, out
    with env.cache() as cache:
        assert [q["id"] for q in cache.link("customer", "C-200")["qbo"]] == [inv["CustomerRef"]["value"]]
    assert sum(1 for c in env.live("Customer") if c.get("DisplayName") == "Quay Bistro") == 1
