"""QBO's 6240 (a name already in QBO's shared list of customers, vendors and employees) and 6140 (a document
number already used): the document fails alone, the rest of the run goes on, and the error names the QBO object
that holds the name or the number, so that the person can link to it, rename or renumber."""

from __future__ import annotations

from tests.support import documents
from tests.support.documents import small_set


def test_a_contact_answered_6240_in_a_batch_fails_alone_naming_the_vendor_and_holds_what_needs_it(profile):
    vendor = profile.company.create("Vendor", {"DisplayName": "Held By Vendor"})  # typed into QBO after the pull
    docs = small_set(3) + [documents.customer(f"C-X{i}", f"Extra Customer {i}") for i in range(6)]
    docs += [documents.customer("C-VEND", "Held By Vendor"), documents.invoice("SO-VEND", "C-VEND")]
    profile.import_docs(docs)
    requests = profile.log_requests()
    code, out = profile.sync_json()
    assert code == 1, out
    by_ref = {d["ref"]: d for d in out["documents"]}
    failed = by_ref["C-VEND"]
    assert failed["status"] == "failed" and failed["error"]["code"] == "6240"
    assert f"Id {vendor['Id']}" in failed["error"]["hint"] and "Held By Vendor" in failed["error"]["hint"]
    assert "supplier" in failed["error"]["hint"]
    assert failed["error"]["holder"] == {"entity": "Vendor", "id": vendor["Id"], "name": "Held By Vendor",
                                         "active": True, "key": "doc"}
    # it was answered inside a batch, with the others
    assert any(b"Held By Vendor" in r.body and r.path.endswith("/batch") for r in requests.requests)
    # everything that does not need it went on
    assert all(by_ref[f"C-X{i}"]["status"] == "synced" for i in range(6))
    assert all(by_ref[f"SO-{1001 + i}"]["status"] == "synced" for i in range(3))
    # what needs it is held, not sent, and says why
    held = by_ref["SO-VEND"]
    assert held["status"] == "blocked" and held["error"]["code"] == "dependency.failed"
    assert "C-VEND" in held["error"]["message"] and "6240" in held["error"]["message"]
    assert "SO-VEND" not in profile.count("Invoice", "DocNumber")
    # the Errors tab's rows
    rows = {(e["ref"], e["code"]): e for e in profile.q.json("errors")["errors"]}
    row = rows[("C-VEND", "6240")]
    assert row["status"] == "failed" and row["hint"] == failed["error"]["hint"] and row["holder"]["id"] == vendor["Id"]
    held_row = rows[("SO-VEND", "dependency.failed")]  # and, until the customer is fixed, what needs it
    assert held_row["status"] == "blocked" and "C-VEND" in held_row["message"] and held_row["family"] == "dependencies"


def test_a_6240_for_a_contact_of_the_same_kind_made_meanwhile_links_it_instead_of_failing(profile):
    """Someone types the customer into QBO between qbtui's name lookup and its create: QBO answers 6240, the
    lookup finds a customer of that very name, and it is linked as pre-existing (never in the run's created list)."""
    profile.import_docs([documents.customer(f"C-R{i}", f"Race Customer {i}") for i in range(5)])
    api, raced = profile.sb.app.api, {}

    async def typed_in_before_the_first_write(scope, receive, send):  # after qbtui's name lookup
        if scope["method"] == "POST" and not scope["path"].endswith("/query") and not raced:
            raced.update(profile.company.create("Customer", {"DisplayName": "Race Customer 3"}))
        await api(scope, receive, send)
    profile.sb.app.api = typed_in_before_the_first_write
    code, out = profile.sync_json()
    assert code == 0, out
    doc = next(d for d in out["documents"] if d["ref"] == "C-R3")
    assert doc["status"] == "synced" and doc["qbo_ids"] == [raced["Id"]]
    assert ("Customer", raced["Id"]) not in {(c["entity"], c["id"]) for c in out["run"]["created"]}
    assert profile.count("Customer", "DisplayName")["Race Customer 3"] == 1


def test_a_6140_names_the_qbo_transaction_that_holds_the_number(profile):
    profile.import_docs(small_set(1))
    code, out = profile.sync_json()
    assert code == 0, out
    someone = next(c for c in profile.live("Customer") if c["DisplayName"] == "Lakeside Deli")
    typed = profile.company.create("Invoice", {  # typed into QBO by a person, with the number our next invoice has
        "DocNumber": "SO-7001", "TxnDate": "2026-11-03", "CustomerRef": {"value": someone["Id"]},
        "Line": [{"Amount": 40, "DetailType": "SalesItemLineDetail",
                  "SalesItemLineDetail": {"ItemRef": {"value": profile.live("Item")[0]["Id"]}, "Qty": 1,
                                          "UnitPrice": 40}}]})
    profile.import_docs([documents.invoice("SO-7001")])
    code, out = profile.sync_json()
    assert code == 1, out
    doc = next(d for d in out["documents"] if d["ref"] == "SO-7001")
    assert doc["status"] == "failed" and doc["error"]["code"] == "6140"
    holder = doc["error"]["holder"]
    assert holder == {"entity": "Invoice", "id": typed["Id"], "doc_number": "SO-7001", "date": "2026-11-03",
                      "total": "40.00", "party": "Lakeside Deli", "key": "doc", "sync_token": "0"}
    assert f"Invoice {typed['Id']}" in doc["error"]["hint"] and "Lakeside Deli" in doc["error"]["hint"]
    assert "2026-11-03" in doc["error"]["hint"]
    row = next(e for e in profile.q.json("errors")["errors"] if e["ref"] == "SO-7001")
    assert row["holder"]["id"] == typed["Id"] and row["detail"]
