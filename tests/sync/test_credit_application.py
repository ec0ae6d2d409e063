"""QBO preferences that change what it posts, acted on: a credit note that names its invoice is applied to it through
a Payment of total 0 (the way QBO's API applies a credit), and what QBO's AutoApplyCredit did on its own is taken
off, so that the books are the same with the preference on (a new company's default) or off; exactly once (found
again after a lost answer), removed by an undo. And `qbtui pull` does not report qbtui's own paid invoices as
changed in QuickBooks (a payment moves an invoice's SyncToken), while an edit of the invoice's line still is."""

from __future__ import annotations

import json

import pytest

from tests.support import documents as D

CUSTOMER = D.customer()  # C-100
PRODUCT = D.product()  # MUG-01 at 12.50
OLDER = D.invoice("SO-OLD", invoice_date="2026-11-01", lines=[D.line(quantity=4)])  # 50.00, the oldest open one
INVOICE = D.invoice("SO-2", invoice_date="2026-11-02", lines=[D.line(quantity=6)])  # 75.00
NOTE = D.credit_note("CN-1", invoice="SO-2", date="2026-11-05")  # 2 mugs: 25.00 off SO-2
PAY_OLDER = D.payment("PAY-OLD", invoice="SO-OLD", amount="50.00")  # pays the oldest invoice in full
PAY_REST = D.payment("PAY-2", invoice="SO-2", amount="50.00")  # what is left of SO-2 after the credit


def _set_auto_apply(profile, on: bool) -> None:
    profile.company.preferences["SalesFormsPrefs"]["AutoApplyCredit"] = on
    assert profile.q("pull").exit_code == 0  # read on pull


def _by_number(profile, entity: str, number: str) -> dict:
    return next(o for o in profile.live(entity) if o.get("DocNumber") == number)


@pytest.mark.parametrize("auto_apply", [True, False], ids=["auto-apply-on", "auto-apply-off"])
def test_a_credit_note_is_applied_to_its_own_invoice_whatever_auto_apply_says(make_profile, auto_apply):
    profile = make_profile()
    _set_auto_apply(profile, auto_apply)
    with profile.cache() as cache:
        assert cache.reference("preferences")["SalesFormsPrefs"]["AutoApplyCredit"] is auto_apply
    profile.import_docs([CUSTOMER, PRODUCT, OLDER, INVOICE, NOTE, PAY_OLDER, PAY_REST])
    code, out = profile.sync_json()
    assert code == 0, [d for d in out["documents"] if d["status"] != "synced"]
    memo, older, invoice = (_by_number(profile, "CreditMemo", "CN-1"), _by_number(profile, "Invoice", "SO-OLD"),
                            _by_number(profile, "Invoice", "SO-2"))
    assert (older["Balance"], invoice["Balance"], memo["Balance"]) == (0, 0, 0)
    applying = [p for p in profile.live("Payment") if any(t["TxnType"] == "CreditMemo" and t["TxnId"] == memo["Id"]
                                                          for line in p["Line"] for t in line["LinkedTxn"])]
    assert len(applying) == 1  # ours; QBO's own application (to SO-OLD) was taken off
    assert [d["entity"] for d in profile.company.deleted] == (["Payment"] if auto_apply else [])
    assert applying[0]["TotalAmt"] == 0 and applying[0]["PaymentRefNum"] == "CN-1"
    links = sorted((t["TxnType"], t["TxnId"], line["Amount"]) for line in applying[0]["Line"] for t in line["LinkedTxn"])
    assert links == sorted([("CreditMemo", memo["Id"], 25), ("Invoice", invoice["Id"], 25)])
    with profile.cache() as cache:
        parts = {q["key"]: q["entity"] for q in cache.link("credit_note", "CN-1")["qbo"]}
    assert parts == {"doc": "CreditMemo", "apply": "Payment"}
    # the applications moved the invoices' and the credit memo's SyncTokens: not a change made in QuickBooks
    assert profile.q("pull").exit_code == 0
    with profile.cache() as cache:
        assert cache.reference("discrepancies", []) == []


def test_a_credit_note_without_an_invoice_stays_unapplied_with_auto_apply_on(make_profile):
    profile = make_profile()
    _set_auto_apply(profile, True)
    profile.import_docs([CUSTOMER, PRODUCT, OLDER, D.credit_note("CN-9", invoice=None), PAY_OLDER])
    code, out = profile.sync_json()
    assert code == 0, [d for d in out["documents"] if d["status"] != "synced"]  # the full payment of SO-OLD fits
    memo = _by_number(profile, "CreditMemo", "CN-9")
    assert memo["Balance"] == 25 and _by_number(profile, "Invoice", "SO-OLD")["Balance"] == 0
    assert not [p for p in profile.live("Payment") if p["TotalAmt"] == 0]
    assert [d["entity"] for d in profile.company.deleted] == ["Payment"]  # QBO applied it on its own: taken off


def test_the_application_is_found_after_a_lost_answer_and_removed_by_undo(make_profile):
    profile = make_profile()
    _set_auto_apply(profile, True)
    profile.import_docs([CUSTOMER, PRODUCT, OLDER, INVOICE, NOTE])
    code, out = profile.sync_json()
    assert code == 0
    payments = len(profile.live("Payment"))
    with profile.cache(writer=True) as cache:  # as if the run was killed before it recorded the note's answers
        cache.record_outcomes([{"type": "credit_note", "ref": "CN-1", "status": "sending", "run": "killed", "qbo": []}])
    requests = profile.log_requests()
    code, again = profile.sync_json()
    assert code == 0, again["documents"]
    assert requests.writes == []  # the credit memo and its application found by the lookup, nothing sent again
    assert len(profile.live("Payment")) == payments
    with profile.cache() as cache:
        assert {q["key"] for q in cache.link("credit_note", "CN-1")["qbo"]} == {"doc", "apply"}
    r = profile.q("undo", out["run"]["id"], "--yes")
    assert r.exit_code == 0, r.output
    assert not [p for p in profile.live("Payment") if p.get("PaymentRefNum") == "CN-1"]
    assert not [m for m in profile.live("CreditMemo") if m.get("DocNumber") == "CN-1"]


def test_pull_reports_an_edit_of_a_paid_invoice_not_its_payment(make_profile):
    profile = make_profile()
    profile.import_docs([CUSTOMER, PRODUCT, INVOICE, D.payment("PAY-1", invoice="SO-2", amount="75.00")])
    code, out = profile.sync_json()
    assert code == 0, out["documents"]
    invoice = _by_number(profile, "Invoice", "SO-2")
    assert invoice["SyncToken"] != "0"  # the payment moved it, as QBO does
    assert profile.q("pull").exit_code == 0
    with profile.cache() as cache:
        assert cache.reference("discrepancies", []) == []

    async def edit(client):  # someone changes the invoice's line in QuickBooks
        current = await client.read("Invoice", invoice["Id"])
        line = {**current["Line"][0], "Amount": 87.5}
        line["SalesItemLineDetail"] = {**line["SalesItemLineDetail"], "Qty": 7}
        return await client.update("Invoice", {"Id": current["Id"], "SyncToken": current["SyncToken"],
                                               "Line": [line]}, sparse=True)
    profile.qbo(edit)
    assert profile.q("pull").exit_code == 0
    with profile.cache() as cache:
        found = cache.reference("discrepancies", [])
    assert [(d["type"], d["ref"], d["kind"]) for d in found] == [("sale_invoice", "SO-2", "changed")]
    assert {d["field"] for d in found[0]["differences"]} == {"Line amounts"}


def _preflight(profile) -> dict[str, dict]:
    result = profile.q("preflight", "--json")
    assert result.exit_code == 0, result.output
    return {c["code"]: c for c in json.loads(result.stdout)["checks"]}


def test_the_preflight_says_what_auto_apply_and_duplicate_numbers_do(make_profile):
    profile = make_profile([CUSTOMER, PRODUCT, INVOICE, NOTE, D.credit_note("CN-9", invoice=None)])
    checks = _preflight(profile)  # the demo firm: a new company's preferences (WarnDuplicateJournalNumber "false")
    auto, numbers = checks["auto_apply"], checks["duplicate_numbers"]
    assert auto["ok"] and not auto["blocks_sync"] and "oldest open invoices" in auto["message"]
    assert "CN-9" in auto["message"] and "CN-1" not in auto["message"]  # the one left unapplied
    assert numbers["ok"] and not numbers["blocks_sync"]
    assert "journal entries" in numbers["message"] and "sales forms" not in numbers["message"]
    assert "6140" in numbers["hint"]
    profile.company.preferences["SalesFormsPrefs"].update(AutoApplyCredit=False, CustomTxnNumbers=False)
    assert profile.q("pull").exit_code == 0
    checks = _preflight(profile)
    assert "unapplied" in checks["auto_apply"]["message"]
    assert "sales forms" in checks["duplicate_numbers"]["message"]


def test_a_lost_answer_is_found_by_our_reference_when_quickbooks_renumbered_it(make_profile):
    """Custom transaction numbers off: QBO refuses no duplicate and may number a form itself. A lost invoice whose
    number QBO changed is found by our reference in its memo (and its date, customer, total), not sent again."""
    profile = make_profile()
    profile.company.preferences["SalesFormsPrefs"]["CustomTxnNumbers"] = False
    assert profile.q("pull").exit_code == 0
    profile.import_docs([CUSTOMER, PRODUCT, INVOICE])
    code, out = profile.sync_json()
    assert code == 0
    invoice = _by_number(profile, "Invoice", "SO-2")
    invoice["DocNumber"] = "1038"  # as QuickBooks numbering it itself would
    profile.company.rebuild_indexes()
    with profile.cache(writer=True) as cache:  # the answer was lost: the outcome is unknown
        cache.record_outcomes([{"type": "sale_invoice", "ref": "SO-2", "status": "sending", "run": "lost", "qbo": []}])
    requests = profile.log_requests()
    code, again = profile.sync_json()
    assert code == 0, again["documents"]
    assert requests.writes == []
    assert len(profile.live("Invoice")) == len({o["Id"] for o in profile.live("Invoice")})
    with profile.cache() as cache:
        assert [q["id"] for q in cache.link("sale_invoice", "SO-2")["qbo"]] == [invoice["Id"]]


def test_lost_answers_with_duplicates_allowed_are_looked_up_never_duplicated(make_profile):
    """WarnDuplicateJournalNumber "false" and custom numbers off: QBO stores a second object of the same number
    instead of refusing it, so only the lookup keeps a resend from making one."""
    profile = make_profile()
    profile.company.preferences["SalesFormsPrefs"]["CustomTxnNumbers"] = False
    assert profile.q("pull").exit_code == 0
    profile.import_docs(D.small_set(20))
    profile.faults("drop_after_commit=0.5", seed=3)
    for _ in range(10):
        code, out = profile.sync_json()
        if code == 0:
            break
    assert code == 0
    assert set(profile.count("Invoice", "DocNumber").values()) == {1}
    assert set(profile.count("JournalEntry", "DocNumber").values()) == {1}
    assert profile.sandbox.faults.counts["drop_after_commit"] > 0


# -- a credit note on an invoice already partly paid ----------------------------------------------------------

HUNDRED = D.invoice("SO-7", invoice_date="2026-11-02", lines=[D.line(quantity=8)])  # 100.00
PAID_70 = D.payment("PAY-7", invoice="SO-7", date="2026-11-03", amount="70.00")
NOTE_50 = D.credit_note("CN-7", invoice="SO-7", date="2026-11-05", lines=[D.line(quantity=4, unit_cost=None)])  # 50


def _applying(profile, memo_id: str) -> list[dict]:
    return [p for p in profile.live("Payment") if any(t["TxnType"] == "CreditMemo" and t["TxnId"] == memo_id
                                                      for line in p["Line"] for t in line["LinkedTxn"])]


def _partly_paid(profile) -> None:
    _set_auto_apply(profile, False)
    profile.import_docs([CUSTOMER, PRODUCT, HUNDRED, PAID_70])
    code, out = profile.sync_json()
    assert code == 0, out["documents"]
    assert _by_number(profile, "Invoice", "SO-7")["Balance"] == 30


def _applied_for_30(profile) -> None:
    memo, invoice = _by_number(profile, "CreditMemo", "CN-7"), _by_number(profile, "Invoice", "SO-7")
    assert (invoice["Balance"], memo["Balance"]) == (0, 20)  # the other 20 stays the customer's unapplied credit
    [applying] = _applying(profile, memo["Id"])
    assert applying["TotalAmt"] == 0 and applying["PaymentRefNum"] == "CN-7"
    links = sorted((t["TxnType"], t["TxnId"], line["Amount"]) for line in applying["Line"] for t in line["LinkedTxn"])
    assert links == sorted([("CreditMemo", memo["Id"], 30), ("Invoice", invoice["Id"], 30)])
    with profile.cache() as cache:
        link = cache.link("credit_note", "CN-7")
        assert cache.status_of("credit_note", "CN-7") == "synced"
    assert {q["key"]: q["id"] for q in link["qbo"]} == {"doc": memo["Id"], "apply": applying["Id"]}


def test_a_credit_note_on_a_partly_paid_invoice_is_applied_up_to_its_open_balance(make_profile):
    profile = make_profile()
    _partly_paid(profile)
    profile.import_docs([NOTE_50], name="note.json")
    code, out = profile.sync_json()
    assert code == 0, [d for d in out["documents"] if d["status"] != "synced"]
    _applied_for_30(profile)
    requests = profile.log_requests()
    code, again = profile.sync_json()  # nothing left to send
    assert code == 0 and requests.writes == []
    with profile.cache(writer=True) as cache:  # as if the run was killed before it recorded the note's answers
        cache.record_outcomes([{"type": "credit_note", "ref": "CN-7", "status": "sending", "run": "killed", "qbo": []}])
    code, again = profile.sync_json()
    assert code == 0, again["documents"]
    assert requests.writes == []  # the memo and its application of 30 (not the 50 planned) found, nothing sent again
    _applied_for_30(profile)


def test_a_credit_note_killed_between_its_memo_and_its_application_is_applied_up_to_the_balance(make_profile):
    """Killed after the credit memo was made, before the apply part: the next run finds the memo, and sends the
    application capped at what the invoice still owes then, once."""
    profile = make_profile()
    _partly_paid(profile)
    profile.import_docs([NOTE_50], name="note.json")
    profile.refuse("6190", after_writes=1)  # the credit memo is made, the application is refused
    code, out = profile.sync_json()
    assert code != 0
    profile.refuse(None)
    assert not _applying(profile, _by_number(profile, "CreditMemo", "CN-7")["Id"])
    with profile.cache(writer=True) as cache:  # and the run died before it recorded the memo's answer
        cache.record_outcomes([{"type": "credit_note", "ref": "CN-7", "status": "sending", "run": "killed", "qbo": []}])
    code, out = profile.sync_json()
    assert code == 0, [d for d in out["documents"] if d["status"] != "synced"]
    assert len([m for m in profile.live("CreditMemo") if m.get("DocNumber") == "CN-7"]) == 1
    _applied_for_30(profile)


def test_a_credit_note_on_a_paid_invoice_stays_unapplied_and_says_so(make_profile):
    profile = make_profile()
    _set_auto_apply(profile, False)
    profile.import_docs([CUSTOMER, PRODUCT, HUNDRED, D.payment("PAY-7", invoice="SO-7", amount="100.00")])
    assert profile.sync_json()[0] == 0
    profile.import_docs([NOTE_50], name="note.json")
    code, out = profile.sync_json()
    assert code == 0, [d for d in out["documents"] if d["status"] != "synced"]
    memo = _by_number(profile, "CreditMemo", "CN-7")
    assert memo["Balance"] == 50 and not _applying(profile, memo["Id"])  # the whole credit is the customer's
    with profile.cache() as cache:
        link = cache.link("credit_note", "CN-7")
        assert cache.status_of("credit_note", "CN-7") == "synced"
    assert [q["key"] for q in link["qbo"]] == ["doc"]
    assert link["note"] == "credit left unapplied: the invoice was already paid"
    assert link["history"][-1]["note"] == link["note"]
    shown = profile.q("document", "credit_note", "CN-7")
    assert shown.exit_code == 0 and "credit left unapplied: the invoice was already paid" in shown.output
    requests = profile.log_requests()
    assert profile.sync_json()[0] == 0 and requests.writes == []  # synced: not tried again


def test_a_credit_note_made_larger_is_applied_again_up_to_the_open_balance(make_profile):
    """A note of 25 applied to SO-7 (70 paid: 30 owed, 5 left), then re-imported as 50: the application is updated
    to what the invoice owes with it given back (30), not 50 (QBO's 6000), the other 20 the customer's credit."""
    profile = make_profile()
    _partly_paid(profile)
    profile.import_docs([D.credit_note("CN-7", invoice="SO-7", date="2026-11-05")], name="note.json")  # 2 mugs: 25
    assert profile.sync_json()[0] == 0
    assert _by_number(profile, "Invoice", "SO-7")["Balance"] == 5
    profile.import_docs([NOTE_50], name="note50.json")
    code, out = profile.sync_json()
    assert code == 0, [d for d in out["documents"] if d["status"] != "synced"]
    _applied_for_30(profile)
