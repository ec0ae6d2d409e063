"""The gate results kept in the store (qbtui/sync/gatestore.py) are, after every kind of change, the ones a fresh
evaluation of the whole cache gives: a document imported or changed, a fix, a batch of outcomes making a dependency
synced or failed, a setting, the mapping, a pull's reference data, a contact or product whose name clashes, a
document removed. A writer stores what it computes; a reader computes what is not current and stores nothing."""

from __future__ import annotations

import random

from qbtui.cache import Cache, profile_dir
from qbtui.sync import gatestore
from qbtui.sync.gatestore import gate_statuses
from qbtui.sync.plan import gate_statuses as full_gate_statuses
from tests.sync.test_chaos import chaos_documents
from tests.sync.test_gate_snapshot import full_gate_statuses as whole_cache_statuses


def plain(result: dict) -> dict:
    return {k: (st, [r.to_json() for r in rs]) for k, (st, rs) in result.items()}


def check(cache: Cache, *, stale_after: bool = False) -> dict:
    """Stored results (and computed ones) equal a fresh evaluation, in the same order; afterwards (a writer)
    nothing is out of date."""
    want = plain(whole_cache_statuses(cache))
    assert plain(full_gate_statuses(cache)) == want
    got = plain(gate_statuses(cache))
    assert list(got) == list(want)
    assert got == want
    assert plain(gatestore.gate_statuses(cache, plain=True)) == want  # the stored form, read back
    counted: dict = {}
    for (t, _), (st, _) in want.items():
        if st in ("blocked", "skipped"):
            counted[(t, st)] = counted.get((t, st), 0) + 1
    assert gatestore.gate_counts(cache) == counted
    if cache.writer:
        assert gatestore.stale_count(cache) == 0
    return want


def test_stored_gate_results_follow_every_change(tmp_path) -> None:
    rng = random.Random(3)
    docs = chaos_documents(400)
    for d in rng.sample(docs, 20):  # references to nothing
        if "customer" in d:
            d["customer"] = "C-MISSING"
    path = profile_dir(tmp_path, "default")
    with Cache.open(path, writer=True) as cache:
        cache.upsert_documents(docs)
        first = check(cache)
        assert {st for st, _ in first.values()} >= {"pending", "blocked"}
        assert gatestore.stale_count(cache) == 0

        # a reader sees the stored results and stores nothing
        with Cache.open(path, writer=False) as reader:
            assert plain(gate_statuses(reader)) == first

        # the mapping and a setting: every result out of date, computed again
        cache.set_setting("mapping", {"sales_income": "1", "accounts_receivable": "2", "cogs": "3",
                                      "inventory_asset": "4", "undeposited_funds": "5"})
        assert gatestore.stale_count(cache) > 0
        check(cache)
        cache.set_setting("export_quotes", True)
        check(cache)

        # a pull's reference data (book close date, QBO names)
        cache.put_reference("preferences", {"AccountingInfoPrefs": {"BookCloseDate": "2026-10-15"}})
        cache.put_reference("customers", [{"Id": "1", "DisplayName": docs[0].get("name", "x")}])
        check(cache)

        # outcomes: dependencies synced, failed, unknown
        customers = [d for d in docs if d["type"] == "customer"]
        invoices = [d for d in docs if d["type"] == "sale_invoice"]
        cache.record_outcomes([{"type": "customer", "ref": d["ref"], "status": "synced",
                                "qbo": [{"entity": "Customer", "id": str(i), "sync_token": "0"}]}
                               for i, d in enumerate(customers[:5])])
        check(cache)
        cache.record_outcomes([{"type": "sale_invoice", "ref": d["ref"], "status": "failed",
                                "error": {"code": "6000", "message": "x"}} for d in invoices[:5]])
        check(cache)
        cache.record_outcomes([{"type": "sale_invoice", "ref": d["ref"], "status": "sending"} for d in invoices[:2]])
        check(cache)

        # the missing customer arrives; a contact whose name clashes with another; a product renamed onto another
        cache.upsert_documents([{"type": "customer", "ref": "C-MISSING", "name": "Found at last"}])
        check(cache)
        cache.upsert_documents([{"type": "supplier", "ref": "S-CLASH", "name": customers[6]["name"].upper()}])
        clash = check(cache)
        assert clash[("customer", customers[6]["ref"])][0] == "blocked"
        products = [d for d in docs if d["type"] == "product"]
        cache.upsert_documents([{**products[1], "name": products[0]["name"]}])
        check(cache)

        # a fix through update_document: a document and what reads it (an invoice's date, a customer's name)
        cache.update_document("sale_invoice", invoices[6]["ref"], {**invoices[6], "invoice_date": "2020-01-01"})
        check(cache)
        cache.update_document("supplier", "S-CLASH", {"name": "No clash now"})
        check(cache)
        cache.update_document("customer", "C-MISSING", {"name": "Found at last", "voided": True})
        check(cache)

        # a document synced, then changed (pending again); a changed import of many
        cache.record_outcomes([{"type": "sale_invoice", "ref": invoices[8]["ref"], "status": "synced",
                                "qbo": [{"entity": "Invoice", "id": "900", "sync_token": "0"}]}])
        check(cache)
        cache.upsert_documents([{**invoices[8], "memo": "changed since"}, *[{**d, "memo": "again"} for d in docs[-30:]]])
        check(cache)

        # removed documents
        cache.delete_documents(["product"])
        check(cache)

    # a reader computes what a writer left out of date (a writer through the API stores only when asked)
    with Cache.open(path, writer=True) as cache:
        cache.upsert_documents([{"type": "customer", "ref": "C-NEW", "name": "Someone new"}])
    with Cache.open(path, writer=False) as reader:
        want = plain(whole_cache_statuses(reader))
        assert plain(gate_statuses(reader)) == want
        assert gatestore.stale_count(reader) > 0  # it stored nothing


def test_random_changes_keep_the_stored_results_right(tmp_path) -> None:
    rng = random.Random(17)
    docs = chaos_documents(300)
    with Cache.open(profile_dir(tmp_path, "default"), writer=True) as cache:
        cache.upsert_documents(docs)
        check(cache)
        for step in range(25):
            some = rng.sample(docs, 6)
            what = step % 5
            if what == 0:
                cache.record_outcomes([{"type": d["type"], "ref": d["ref"], "status": rng.choice(["synced", "failed"]),
                                        "qbo": [{"entity": "Invoice", "id": f"{step}-{i}", "sync_token": "0"}]}
                                       for i, d in enumerate(some)])
            elif what == 1:
                cache.upsert_documents([{**d, "memo": f"step {step}"} for d in some])
            elif what == 2:
                d = some[0]
                cache.update_document(d["type"], d["ref"], {**d, "voided": rng.random() < 0.5})
            elif what == 3:
                named = [d for d in docs if d["type"] in ("customer", "supplier", "product")]
                a, b = rng.sample(named, 2)
                cache.upsert_documents([{**a, "name": b["name"] if rng.random() < 0.7 else a["name"] + "!"}])
            else:
                cache.set_setting("filter_start_date", rng.choice([None, "2026-01-15", "2026-03-01"]))
            if step % 2:  # what a writer of the command line does as it closes: computes, stores, prunes
                gatestore.refresh(cache)
                assert gatestore.stale_count(cache) == 0
            check(cache)


def test_the_reference_data_of_the_stamp_covers_what_the_gates_read(tmp_path) -> None:
    import importlib

    plan = importlib.import_module("qbtui.sync.plan")
    read: list[str] = []

    class Recording:
        def __init__(self, cache: Cache) -> None:
            self.cache = cache

        def reference(self, kind: str, default: object = None) -> object:
            read.append(kind)
            return self.cache.reference(kind, default)

        def settings(self) -> dict:
            return self.cache.settings()

    with Cache.open(profile_dir(tmp_path, "default"), writer=True) as cache:
        plan._state(Recording(cache))  # type: ignore[arg-type]
    assert read and set(read) <= set(gatestore.GATE_REFERENCE), set(read) - set(gatestore.GATE_REFERENCE)
