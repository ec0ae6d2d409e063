"""A plan reads its selection, the names of the contacts and products from the store's index, and anything else
only when it asks for it (sync/plan.py: plan_snapshot): for a mixed profile its every status, reason and payload equals the plan of a
snapshot of the whole cache, for a full plan, a selection by type, by ref, by exact keys, with and without its
dependencies, and for one document of any status (the dashboard's ``qbtui document``)."""

from __future__ import annotations

import importlib
import random

from qbtui.cache import Cache, profile_dir
from qbtui.sync import dry_run_json
from qbtui.sync.plan import plan
from tests.ledger.helpers import ALL_MAPPED
from tests.sync.test_chaos import chaos_documents

plan_module = importlib.import_module("qbtui.sync.plan")  # the module (qbtui.sync.plan is also its function's name)


def _whole(monkeypatch):
    """The plan as it was: every document, status and link read up front."""
    monkeypatch.setattr(plan_module, "plan_snapshot", lambda cache, *a, **k: plan_module.snapshot(cache))


def _mixed(cache: Cache) -> list[dict]:
    rng = random.Random(13)
    docs = chaos_documents(600)
    for d in rng.sample(docs, 40):  # names that clash, references to nothing
        if "name" in d:
            d["name"] = "Same Name"
        elif "customer" in d:
            d["customer"] = "C-MISSING"
    # names the same as QBO compares them (case, spaces; a product's first 100 characters), and a contact of the
    # opening balances, whose name does not count
    contacts = [d for d in docs if d["type"] in ("customer", "supplier") and d["name"] != "Same Name"]
    products = [d for d in docs if d["type"] == "product" and d["name"] != "Same Name"]
    contacts[0]["name"], contacts[1]["name"] = "  same NAME ", "Twin Name"
    contacts[2]["name"], contacts[2]["extra"] = "twin name", {"opening_balance": True}
    products[0]["name"], products[1]["name"] = "P" * 100 + " one", "p" * 100 + " two"
    cache.upsert_documents(docs)
    cache.set_setting("export_quotes", True)
    cache.set_setting("mapping", ALL_MAPPED)
    cache.set_setting("realm_id", "123")  # connected: references by the links' Ids
    done = rng.sample(docs, 300)
    cache.record_outcomes([{"type": d["type"], "ref": d["ref"], "status": "synced",
                            "qbo": [{"entity": "Invoice", "id": str(i), "sync_token": "0"}]}
                           for i, d in enumerate(done[:250])])
    cache.record_outcomes([{"type": d["type"], "ref": d["ref"], "status": "failed",
                            "error": {"code": "6000", "message": "x"}} for d in done[250:280]])
    cache.upsert_documents([{**d, "memo": "changed since"} for d in done[:20]])  # synced, then changed
    cache.upsert_documents([{**d, "voided": True} for d in done[280:]])
    return docs


def test_the_plan_of_the_selection_equals_the_plan_of_the_whole_cache(tmp_path, monkeypatch) -> None:
    with Cache.open(profile_dir(tmp_path, "default"), writer=True) as cache:
        docs = _mixed(cache)
        rng = random.Random(7)
        some = rng.sample(docs, 25)
        selections = [
            {},
            {"types": ["sale_invoice", "sale_payment"]},
            {"refs": [d["ref"] for d in some]},
            {"refs": [d["ref"] for d in some], "with_dependencies": True},
            {"keys": [(d["type"], d["ref"]) for d in some]},
            {"keys": [(d["type"], d["ref"]) for d in some], "with_dependencies": True},
            {"types": ["customer", "product"], "refs": [d["ref"] for d in some]},
        ]
        for d in some:  # one document at its own status (qbtui document)
            st = cache.status_of(d["type"], d["ref"])
            selections.append({"types": [d["type"]], "refs": [d["ref"]],
                               "statuses": tuple(dict.fromkeys(("pending", "failed", st)))})
        got = [dry_run_json(plan(cache, **s)) for s in selections]
        with monkeypatch.context() as m:
            _whole(m)
            want = [dry_run_json(plan(cache, **s)) for s in selections]
        assert len(want[0]["documents"]) > 300
        assert {d["status"] for d in want[0]["documents"]} >= {"ready", "blocked", "skipped"}
        assert any(d["payloads"] for d in want[0]["documents"])
        assert any(w["documents"] for w in want[2:])
        for s, g, w in zip(selections, got, want, strict=True):
            assert g == w, s


def test_one_document_reads_what_it_references_not_every_contact(tmp_path) -> None:
    """The dashboard's ``qbtui document`` of a payment: its plan holds the payment and what it references, and
    the contacts and products only by name (the store's index), not every record."""
    with Cache.open(profile_dir(tmp_path, "default"), writer=True) as cache:
        docs = _mixed(cache)
        named = sum(1 for d in docs if d["type"] in ("customer", "supplier", "product"))
        payment = next(d for d in docs if d["type"] == "sale_payment"
                       and cache.status_of("sale_payment", d["ref"]) == "pending")
        snap = plan_module.plan_snapshot(cache, ("pending", "failed"), ["sale_payment"], [payment["ref"]])
        planned = plan(cache, types=["sale_payment"], refs=[payment["ref"]])
        assert [(p.type, p.ref) for p in planned] == [("sale_payment", payment["ref"])]
        assert named > 20
        assert list(snap.docs) == [("sale_payment", payment["ref"])]  # the rest is read when a gate asks
        assert len(cache.names(["customer", "supplier", "product"])) == named
        # the names the gates compare, counted from the index, each as QBO compares them
        codes = {}
        for d in docs:
            if d["type"] in ("customer", "supplier", "product"):
                st = cache.status_of(d["type"], d["ref"])
                [p] = plan(cache, types=[d["type"]], refs=[d["ref"]], statuses=(st,))
                codes[d["name"]] = {r.code for r in p.reasons}
        assert "contact.duplicate_name" in codes["  same NAME "]
        assert "contact.duplicate_name" not in codes["Twin Name"]  # the other is of the opening balances
        assert "product.duplicate_name" in codes["p" * 100 + " two"]
