"""One status rule: the cache (``status_of``, ``status_counts``) and the dashboard's rows agree on every
document, whatever its link says (synced, changed since, voided, failed, skipped, never sent)."""

from pathlib import Path

from qbtui.cache import Cache
from qbtui.cache.status import document_status
from qbtui.tui.model import Model


def _customer(ref: str, **extra: object) -> dict:
    return {"type": "customer", "ref": ref, "name": f"Customer {ref}", **extra}


def test_cache_and_dashboard_derive_the_same_status(tmp_path: Path) -> None:
    profile = tmp_path / "p"
    cache = Cache.open(profile, writer=True)
    cache.upsert_documents([_customer("SYNCED"), _customer("CHANGED"), _customer("VOIDED"), _customer("FAILED"),
                            _customer("NEW"), _customer("SKIPPED", voided=True), _customer("VOID-AFTER")])
    qbo = [{"entity": "Customer", "id": "1", "sync_token": "0"}]
    cache.record_outcomes([
        {"type": "customer", "ref": r, "status": "synced", "synced_rev": 1, "run": "r", "qbo": qbo}
        for r in ("SYNCED", "CHANGED", "VOID-AFTER")] + [
        {"type": "customer", "ref": "VOIDED", "status": "voided", "run": "r", "qbo": qbo},
        {"type": "customer", "ref": "FAILED", "status": "failed", "run": "r",
         "error": {"code": "6240", "message": "Duplicate Name Exists Error", "hint": ""}}])
    cache.upsert_documents([_customer("CHANGED", email="new@example.com"), _customer("VOID-AFTER", voided=True)])
    expected = {"SYNCED": "synced", "CHANGED": "pending", "VOIDED": "voided", "FAILED": "failed", "NEW": "pending",
                "SKIPPED": "skipped", "VOID-AFTER": "pending"}
    assert {r: cache.status_of("customer", r) for r in expected} == expected
    assert cache.status_info("customer", "CHANGED") == {"status": "pending", "changed": True}
    counts = cache.status_counts()["customer"]
    cache.close()

    model = Model.load(Cache.open(profile, writer=False))  # the dashboard's model keeps its reader open
    try:
        every = list(model.view("documents", "customer", False, ""))  # the view of every customer, paged
        in_hand = model.rows["customer"]  # the rows it holds: the documents not synced (pending, failed)
        shown = {r: model.fetch_row(("customer", r)) for r in expected}  # one row read as a document's screen does
    finally:
        model.close()
    assert {r.ref: r.status for r in every} == expected
    assert {r.ref: r.status for r in in_hand} == {r: s for r, s in expected.items() if s in ("pending", "failed")}
    assert {r: row.status for r, row in shown.items()} == expected
    assert {s: n for s, n in counts.items() if n} == {"synced": 1, "pending": 3, "voided": 1, "failed": 1,
                                                      "skipped": 1}


def test_document_status_rule() -> None:
    assert document_status(None, None, False, 1, False) == "pending"
    assert document_status(None, None, False, 1, True) == "skipped"
    assert document_status("synced", 2, True, 2, False) == "synced"
    assert document_status("synced", 1, True, 2, False) == "pending"
    assert document_status("synced", 1, True, None, False) == "synced"  # a link whose document is gone
    assert document_status("failed", None, True, 1, True) == "failed"  # voided after a send that may have landed
    assert document_status("failed", None, False, 1, True) == "skipped"
    assert document_status("voided", 1, True, 3, True) == "voided"
