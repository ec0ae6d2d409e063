"""A supplier deposit applied to its supplier invoice settles that bill in QBO: a bill payment of total 0 links the
bill and the deposit's applied journal, so the bill's Balance is its total less the deposit and the payments, and
the bill cannot be paid twice. Exactly once like every other part (found again after a lost answer)."""

from __future__ import annotations

from tests.support import documents as D

SUPPLIER = D.supplier()
PRODUCT = D.product()
BILL = {"type": "supplier_invoice", "ref": "PI-1", "supplier": "S-1", "supplier_invoice_number": "INV-881",
        "invoice_date": "2026-11-03", "lines": [{"sku": "MUG-01", "quantity": 10, "unit_cost": "10.00"}]}
DEPOSIT = {"type": "supplier_deposit", "ref": "DEP-1", "supplier": "S-1", "date": "2026-11-01", "amount": "30.00",
           "supplier_invoice": "PI-1", "applied_date": "2026-11-06"}
PAYMENT = {"type": "supplier_payment", "ref": "BP-1", "supplier_invoice": "PI-1", "date": "2026-11-10",
           "amount": "70.00"}


def _bill(profile) -> dict:
    return next(b for b in profile.live("Bill") if b.get("DocNumber") == "INV-881")


def test_applied_deposit_settles_the_bill_and_it_cannot_be_paid_twice(make_profile):
    profile = make_profile()
    profile.import_docs([SUPPLIER, PRODUCT, BILL, DEPOSIT, PAYMENT])
    code, out = profile.sync_json()
    assert code == 0, [d for d in out["documents"] if d["status"] != "synced"]
    bill = _bill(profile)
    assert bill["TotalAmt"] == 100 and bill["Balance"] == 0  # 100 less the deposit 30 and the payment 70
    applying = [p for p in profile.live("BillPayment") if p.get("DocNumber") == "DEP-1-APPLY"]
    assert len(applying) == 1 and applying[0]["TotalAmt"] == 0
    journals = {j["DocNumber"]: j["Id"] for j in profile.live("JournalEntry") if j.get("DocNumber", "").startswith("DEP-1")}
    links = sorted((t["TxnType"], t["TxnId"], line["Amount"]) for line in applying[0]["Line"] for t in line["LinkedTxn"])
    assert links == [("Bill", bill["Id"], 30), ("JournalEntry", journals["DEP-1-APPLIED"], 30)]
    with profile.cache() as cache:
        parts = {q["key"]: q["entity"] for q in cache.link("supplier_deposit", "DEP-1")["qbo"]}
    assert parts == {"deposit:paid": "JournalEntry", "deposit:applied": "JournalEntry", "deposit:bill": "BillPayment"}
    # paying the deposit's part again is refused: the bill is settled
    profile.import_docs([{**PAYMENT, "ref": "BP-2", "amount": "30.00"}], name="again.json")
    code, out = profile.sync_json()
    failed = {d["ref"]: d for d in out["documents"] if d["status"] == "failed"}
    assert code == 1 and set(failed) == {"BP-2"} and "open balance" in failed["BP-2"]["error"]["detail"]
    assert _bill(profile)["Balance"] == 0


def test_a_deposit_whose_outcome_was_lost_is_found_whole_and_not_sent_again(make_profile):
    profile = make_profile()
    profile.import_docs([SUPPLIER, PRODUCT, BILL, DEPOSIT])
    code, _ = profile.sync_json()
    assert code == 0
    before = {e: len(profile.live(e)) for e in ("JournalEntry", "BillPayment")}
    with profile.cache(writer=True) as cache:  # as if the run was killed before it recorded the deposit's answers
        cache.record_outcomes([{"type": "supplier_deposit", "ref": "DEP-1", "status": "sending", "run": "killed",
                                "qbo": []}])
    requests = profile.log_requests()
    code, out = profile.sync_json()
    assert code == 0, out["documents"]
    assert {e: len(profile.live(e)) for e in before} == before  # found, not created again
    assert requests.writes == []  # every part found by the lookup, the bill payment with the journal's Id
    with profile.cache() as cache:
        link = cache.link("supplier_deposit", "DEP-1")
    assert link["status"] == "synced" and {q["key"] for q in link["qbo"]} == {"deposit:paid", "deposit:applied",
                                                                               "deposit:bill"}
    assert _bill(profile)["Balance"] == 70
