"""From QuickBooks, both ways: `qbtui pull` brings in a payment recorded in QuickBooks against a synced invoice (the
invoice shows QBO's balance), and, with the import settings on, invoices, bills and contacts made in QuickBooks, as
documents of origin quickbooks that are never sent back; `qbtui export` writes them in the import format, and an
export imported into a fresh profile exports the same JSON again (and the same CSV files)."""

from __future__ import annotations

import json
from pathlib import Path

from qbtui.cache import Cache, profile_dir
from qbtui.sync.inbound import balance_of
from qbtui.sync.plan import gate_statuses, plan
from tests.support import documents as D
from tests.support.profiles import Qbtui


def _ids(profile) -> dict[str, str]:
    with profile.cache() as cache:
        return {f"{t}:{r}": cache.link(t, r)["qbo"][0]["id"]
                for t, r in (("customer", "C-100"), ("product", "MUG-01"), ("sale_invoice", "SO-1"))}


def _made_in_quickbooks(profile, ids: dict[str, str]) -> dict[str, dict]:
    """What someone working in QuickBooks records: a payment against our invoice, a new customer with an invoice of
    our item, a new vendor with a bill."""
    async def work(c) -> dict[str, dict]:
        paid = await c.create("Payment", {"CustomerRef": {"value": ids["customer:C-100"]}, "TotalAmt": 20,
                                          "TxnDate": "2026-11-12",
                                          "Line": [{"Amount": 20, "LinkedTxn": [{"TxnId": ids["sale_invoice:SO-1"],
                                                                                 "TxnType": "Invoice"}]}]})
        walk_in = await c.create("Customer", {"DisplayName": "Walk-in Trade", "PrimaryEmailAddr": {"Address": "w@x.io"}})
        sale = await c.create("Invoice", {"CustomerRef": {"value": walk_in["Id"]}, "TxnDate": "2026-11-15",
                                          "DocNumber": "QB-77", "Line": [{
                                              "Amount": 25, "DetailType": "SalesItemLineDetail",
                                              "SalesItemLineDetail": {"ItemRef": {"value": ids["product:MUG-01"]},
                                                                      "Qty": 2, "UnitPrice": 12.5}}]})
        vendor = await c.create("Vendor", {"DisplayName": "Kiln Supplies"})
        bill = await c.create("Bill", {"VendorRef": {"value": vendor["Id"]}, "TxnDate": "2026-11-16",
                                       "Line": [{"Amount": 41, "DetailType": "ItemBasedExpenseLineDetail",
                                                 "ItemBasedExpenseLineDetail": {
                                                     "ItemRef": {"value": ids["product:MUG-01"]}, "Qty": 10,
                                                     "UnitPrice": 4.1}}]})
        return {"payment": paid, "customer": walk_in, "invoice": sale, "vendor": vendor, "bill": bill}
    return profile.qbo(work)


def test_pull_brings_in_what_was_made_in_quickbooks_and_export_round_trips(make_profile, tmp_path):
    profile = make_profile()
    profile.import_docs([D.customer(), D.product(), D.invoice("SO-1")])  # 6 x 12.50 = 75.00
    code, out = profile.sync_json()
    assert code == 0, out
    for key, value in (("filter_start_date", "2026-11-01"), ("import_sales_invoices", "on"), ("import_purchase_invoices", "on"), ("auto_receive", "on"),
                       ("fulfilment_mode", "auto")):
        assert profile.q("settings", "set", key, value).exit_code == 0
    made = _made_in_quickbooks(profile, _ids(profile))

    r = profile.q("pull", "--json")
    assert r.exit_code == 0, r.output
    pulled = json.loads(r.stdout)
    assert pulled["received"]["payments"] == 1 and pulled["received"]["invoices"] == 1
    assert pulled["received"]["bills"] == 1 and pulled["skipped"] == []
    pay_ref, inv_ref = f"QBO-Payment-{made['payment']['Id']}", f"QBO-Invoice-{made['invoice']['Id']}"
    bill_ref, cust_ref = f"QBO-Bill-{made['bill']['Id']}", f"QBO-Customer-{made['customer']['Id']}"
    with profile.cache() as cache:
        assert balance_of(cache, "sale_invoice", "SO-1") | {"at": None} == {
            "entity": "Invoice", "id": _ids(profile)["sale_invoice:SO-1"], "total": "75", "balance": "55",
            "paid": False, "at": None}
        payment = cache.get("sale_payment", pay_ref)["data"]
        assert payment == {"type": "sale_payment", "ref": pay_ref, "origin": "quickbooks", "invoice": "SO-1",
                           "date": "2026-11-12", "amount": "20.00", "voided": False,
                           "extra": {"qbo_id": made["payment"]["Id"]}}
        invoice = cache.get("sale_invoice", inv_ref)["data"]
        assert (invoice["customer"], invoice["doc_number"], invoice["lines"][0]["sku"]) == (cust_ref, "QB-77", "MUG-01")
        assert invoice["extra"]["fulfilment_mode"] == "auto"
        assert cache.get("customer", cust_ref)["data"]["email"] == "w@x.io"
        bill = cache.get("supplier_invoice", bill_ref)["data"]
        assert bill["extra"]["auto_receive"] is True and bill["lines"][0]["unit_cost"] == "4.1"
        assert {cache.status_of(t, r) for t, r in (("sale_payment", pay_ref), ("sale_invoice", inv_ref),
                                                     ("supplier_invoice", bill_ref))} == {"synced"}
        assert cache.reference("discrepancies", []) == []  # a payment moved SO-1's SyncToken: not a discrepancy

    # never sent back: a sync sends nothing, and the documents show their origin in qbtui document
    before = {e: len(profile.live(e)) for e in ("Invoice", "Payment", "Bill", "Customer", "Vendor")}
    code, out = profile.sync_json()
    assert code == 0 and {e: len(profile.live(e)) for e in before} == before
    events = [json.loads(line) for line in profile.q("document", "sale_invoice", "SO-1", "--events").stdout.splitlines()]
    shown = next(e for e in events if e.get("event") == "result")["data"]
    assert shown["quickbooks"]["balance"] == "55" and shown["quickbooks"]["paid"] is False

    # a second pull with nothing new changes nothing (what changed since, from the pull before)
    r = profile.q("pull", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["documents"] == []

    exported = profile.q("export")
    assert exported.exit_code == 0, exported.output
    first = json.loads(exported.stdout)
    assert [(d["type"], d["ref"]) for d in first["documents"]] == sorted(
        [("customer", cust_ref), ("supplier", f"QBO-Vendor-{made['vendor']['Id']}"), ("sale_invoice", inv_ref),
         ("sale_payment", pay_ref), ("supplier_invoice", bill_ref)],
        key=lambda k: ["customer", "supplier", "sale_invoice", "sale_payment", "supplier_invoice"].index(k[0]))
    payments = json.loads(profile.q("export", "--type", "sale_payment").stdout)
    assert payments == {"documents": [payment]}
    assert json.loads(profile.q("export", "--since", "2999-01-01").stdout) == {"documents": []}

    # the round trip: import the export into a fresh profile, export again: the same JSON
    path = tmp_path / "from-quickbooks.json"
    path.write_text(exported.stdout)
    fresh = Qbtui(tmp_path / "fresh")
    assert fresh("import", str(path)).exit_code == 0
    again = fresh("export")
    assert again.exit_code == 0 and again.stdout == exported.stdout
    with Cache.open(profile_dir(tmp_path / "fresh", "default"), writer=False) as cache:
        # not linked there, still never sent: skipped, with the reason
        assert plan(cache) == []
        statuses = gate_statuses(cache)
        assert {st for st, _ in statuses.values()} == {"skipped"}
        assert {reasons[0].code for _, reasons in statuses.values()} == {"origin.quickbooks"}

    # CSV: one file per type into the folder; imported into a fresh profile, exported again: the same files
    out_dir = tmp_path / "csv"
    r = profile.q("export", "--format", "csv", "-o", str(out_dir))
    assert r.exit_code == 0, r.output
    names = sorted(p.name for p in out_dir.iterdir())
    assert names == ["customer.csv", "sale_invoice.csv", "sale_payment.csv", "supplier.csv", "supplier_invoice.csv"]
    assert f"{pay_ref},quickbooks,SO-1" in (out_dir / "sale_payment.csv").read_text() or "SO-1" in (
        out_dir / "sale_payment.csv").read_text()
    csv_fresh = Qbtui(tmp_path / "fresh-csv")
    order = ["customer.csv", "supplier.csv", "sale_invoice.csv", "sale_payment.csv", "supplier_invoice.csv"]
    r = csv_fresh("import", *(str(out_dir / n) for n in order))
    assert r.exit_code == 0, r.output
    r = csv_fresh("export", "--format", "csv", "-o", str(tmp_path / "csv-again"))
    assert r.exit_code == 0, r.output
    for name in names:
        assert (tmp_path / "csv-again" / name).read_text() == (out_dir / name).read_text(), name


def test_contacts_and_items_made_in_quickbooks_come_only_with_their_settings(make_profile):
    profile = make_profile()
    async def work(c):
        income = next(a for a in await c.query_all("Account") if a.get("AccountType") == "Income")
        item = await c.create("Item", {"Name": "Glaze kit", "Type": "Service", "UnitPrice": 9,
                                       "IncomeAccountRef": {"value": income["Id"]}})
        customer = await c.create("Customer", {"DisplayName": "Corner Deli"})
        return item, customer
    item, customer = profile.qbo(work)
    assert profile.q("pull").exit_code == 0
    with profile.cache() as cache:
        assert cache.get("product", f"QBO-Item-{item['Id']}") is None
    for key in ("import_items", "import_customers"):
        assert profile.q("settings", "set", key, "on").exit_code == 0
    profile.qbo(lambda c: c.update("Item", {"Id": item["Id"], "SyncToken": item["SyncToken"], "UnitPrice": 10},
                                   sparse=True))
    profile.qbo(lambda c: c.update("Customer", {"Id": customer["Id"], "SyncToken": customer["SyncToken"],
                                                "CompanyName": "Corner Deli Ltd"}, sparse=True))
    assert profile.q("pull").exit_code == 0
    with profile.cache() as cache:
        product = cache.get("product", f"QBO-Item-{item['Id']}")["data"]
        assert (product["kind"], product["sale_price"], product["origin"]) == ("service", "10", "quickbooks")
        assert cache.get("customer", f"QBO-Customer-{customer['Id']}")["data"]["company"] == "Corner Deli Ltd"
    # deleted (made inactive) in QuickBooks: inactive here too, at the next pull
    profile.qbo(lambda c: c.update("Customer", {"Id": customer["Id"], "SyncToken": str(int(customer["SyncToken"]) + 1),
                                                "Active": False}, sparse=True))
    assert profile.q("pull").exit_code == 0
    with profile.cache() as cache:
        assert cache.get("customer", f"QBO-Customer-{customer['Id']}")["data"]["active"] is False


def test_export_says_which_way_it_goes(tmp_path: Path):
    q = Qbtui(tmp_path)
    assert "From QuickBooks to the inventory side" in q("export", "--help").stdout
    assert "to QuickBooks" in q("history", "export", "--help").stdout
    r = q("export", "--format", "csv")
    assert r.exit_code == 2 and "-o" in r.stderr


def test_the_plan_never_sends_a_document_from_quickbooks_even_changed_after_it_was_linked(tmp_path: Path):
    brought = {"type": "customer", "ref": "QBO-Customer-7", "name": "Corner Deli", "origin": "quickbooks"}
    ours = D.customer()
    with Cache.open(tmp_path / "p", writer=True) as cache:
        cache.upsert_documents([brought, ours])
        cache.record_outcomes([{"type": "customer", "ref": "QBO-Customer-7", "status": "synced",
                                "qbo": [{"entity": "Customer", "id": "7", "sync_token": "0", "origin": "quickbooks"}]}])
        cache.upsert_documents([{**brought, "name": "Corner Deli Ltd"}])  # synced, then changed: pending again
        assert cache.status_info("customer", "QBO-Customer-7") == {"status": "pending", "changed": True}
        assert [(p.type, p.ref) for p in plan(cache)] == [("customer", "C-100")]
        assert [(p.type, p.ref) for p in plan(cache, refs=["QBO-Customer-7"])] == []
        assert gate_statuses(cache)[("customer", "QBO-Customer-7")][0] == "skipped"
        # the inventory side sends it back without its origin: its link still says where it came from
        cache.upsert_documents([{k: v for k, v in brought.items() if k != "origin"} | {"name": "Corner Deli 2"}])
        assert [(p.type, p.ref) for p in plan(cache)] == [("customer", "C-100")]
        assert gate_statuses(cache)[("customer", "QBO-Customer-7")][1][0].code == "origin.quickbooks"


def test_a_version_accepted_from_quickbooks_stays_synced_and_is_exported(tmp_path: Path):
    from qbtui.sync.inbound import ACCEPTED, accept_version, exported

    with Cache.open(tmp_path / "p", writer=True) as cache:
        cache.upsert_documents([D.customer(), D.product(), D.invoice("SO-1")])
        cache.record_outcomes([{"type": "sale_invoice", "ref": "SO-1", "status": "synced",
                                "qbo": [{"entity": "Invoice", "id": "9", "sync_token": "3"}]}])
        assert list(exported(cache)) == []
        theirs = D.invoice("SO-1", lines=[D.line(quantity=5)])  # QuickBooks' copy: 5 mugs, not 6
        stored = accept_version(cache, "sale_invoice", "SO-1", theirs)
        assert stored["lines"][0]["quantity"] == "5" and stored["extra"][ACCEPTED]
        assert cache.status_of("sale_invoice", "SO-1") == "synced"  # the truth now: nothing to send back
        assert [(d["type"], d["ref"]) for d in exported(cache)] == [("sale_invoice", "SO-1")]


def test_a_bill_payment_made_in_quickbooks_comes_in_as_a_supplier_payment_of_our_bill(make_profile):
    profile = make_profile()
    bill = {"type": "supplier_invoice", "ref": "PI-1", "supplier": "S-1", "supplier_invoice_number": "CW-9",
            "invoice_date": "2026-11-03", "lines": [{"sku": "MUG-01", "quantity": 10, "unit_cost": "4.10"}]}
    profile.import_docs([D.supplier(), D.product(), bill])
    assert profile.q("settings", "set", "filter_start_date", "2026-11-01").exit_code == 0
    code, out = profile.sync_json()
    assert code == 0, out
    with profile.cache() as cache:
        bill_id = cache.link("supplier_invoice", "PI-1")["qbo"][0]["id"]
        vendor_id = cache.link("supplier", "S-1")["qbo"][0]["id"]

    async def pay(c):
        bank = next(a for a in await c.query_all("Account") if a.get("AccountType") == "Bank")
        return await c.create("BillPayment", {
            "VendorRef": {"value": vendor_id}, "TotalAmt": 41, "PayType": "Check", "TxnDate": "2026-11-18",
            "CheckPayment": {"BankAccountRef": {"value": bank["Id"]}},
            "Line": [{"Amount": 41, "LinkedTxn": [{"TxnId": bill_id, "TxnType": "Bill"}]}]})
    paid = profile.qbo(pay)
    assert profile.q("pull").exit_code == 0
    with profile.cache() as cache:
        doc = cache.get("supplier_payment", f"QBO-BillPayment-{paid['Id']}")["data"]
        assert (doc["supplier_invoice"], doc["amount"], doc["date"]) == ("PI-1", "41.00", "2026-11-18")
        assert balance_of(cache, "supplier_invoice", "PI-1")["paid"] is True
    exported = json.loads(profile.q("export", "--type", "supplier_payment").stdout)["documents"]
    assert [d["supplier_invoice"] for d in exported] == ["PI-1"]


def test_undo_never_removes_what_was_made_in_quickbooks_even_with_cascade(make_profile):
    profile = make_profile()
    profile.import_docs([D.customer(), D.product(), D.invoice("SO-1")])
    assert profile.q("settings", "set", "filter_start_date", "2026-11-01").exit_code == 0
    code, out = profile.sync_json()
    assert code == 0, out
    ids = _ids(profile)
    paid = profile.qbo(lambda c: c.create("Payment", {
        "CustomerRef": {"value": ids["customer:C-100"]}, "TotalAmt": 20, "TxnDate": "2026-11-12",
        "Line": [{"Amount": 20, "LinkedTxn": [{"TxnId": ids["sale_invoice:SO-1"], "TxnType": "Invoice"}]}]}))
    assert profile.q("pull").exit_code == 0
    run_id = next(r["id"] for r in profile.q.json("runs")["runs"] if r["kind"] == "sync")
    for extra in ((), ("--cascade",)):
        r = profile.q("undo", run_id, "--dry-run", "--json", *extra)
        assert r.exit_code == 0, r.output
        rows = {(o["type"], o["ref"]): o for o in json.loads(r.stdout)["objects"]}
        assert rows[("sale_invoice", "SO-1")]["action"] == "refused"
        assert rows[("sale_invoice", "SO-1")]["used_by"] == [{"run": None, "type": "sale_payment",
                                                               "ref": f"QBO-Payment-{paid['Id']}"}]
        assert not any(ref.startswith("QBO-") for _, ref in rows)  # never listed to be removed
    r = profile.q("undo", run_id, "--yes", "--cascade")
    assert r.exit_code != 0 and f"QBO-Payment-{paid['Id']}" in r.output
    assert any(p["Id"] == paid["Id"] for p in profile.live("Payment"))  # still in QuickBooks
    assert any(i["Id"] == ids["sale_invoice:SO-1"] for i in profile.live("Invoice"))
