"""COGS export/void for an inclusive range, replace products, disabling the integration, change of
organisation, historical export: against the sandbox, through the CLI."""

from __future__ import annotations

import csv
import io
import json

from qbtui.cache import Cache
from tests.maintenance.conftest import DOCS, TO


def test_cogs_export_and_void_inclusive(synced, qbtui):
    out = qbtui("cogs", "export", "--from", "2026-11-02", "--to", "2026-11-03")
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert [(r["ref"], r["amount"], r["status"]) for r in rows] == [("COGS-SO-1001", "24.60", "synced")]
    both = qbtui.json("cogs", "export", "--from", "2026-11-02", "--to", "2026-11-04")["cogs"]
    assert [r["ref"] for r in both] == ["COGS-SO-1001", "COGS-SO-1002"]  # both ends inclusive
    qid2 = both[1]["qbo_id"]

    result = qbtui("cogs", "void", "--from", "2026-11-04", "--to", "2026-11-04", "--yes", "--json")
    assert result.exit_code == 0, result.output
    run = json.loads(result.stdout)["run"]
    assert run["kind"] == "maintenance" and run["action"] == "cogs_void"
    assert run["removed"] == [{"type": "cogs", "ref": "COGS-SO-1002", "entity": "JournalEntry", "id": qid2,
                               "doc_number": "COGS-SO-1002", "amount": 8.2, "date": "2026-11-04",
                               "operation": "delete"}]
    assert qid2 not in synced.company.objects["JournalEntry"]
    assert both[0]["qbo_id"] in synced.company.objects["JournalEntry"]  # outside the range: untouched
    status = qbtui.json("status")["documents"]["cogs"]
    assert status["voided"] == 1 and status["synced"] == 1
    # voided COGS are never sent again
    again = qbtui.json("sync", "--yes")
    assert again["documents"] == [] or all(d["ref"] != "COGS-SO-1002" for d in again["documents"])
    audit = qbtui.json("audit", "--kind", "maintenance")["audit"]
    assert [a["what"].split(":")[0] for a in audit][:1] == ["cogs void 2026-11-04..2026-11-04"]
    assert f"JournalEntry:{qid2}" in audit[0]["qbo_ids"]


def test_cogs_void_needs_confirmation_off_a_terminal(synced, qbtui):
    result = qbtui("cogs", "void", "--from", "2026-11-01", "--to", TO)
    assert result.exit_code == 2 and "--yes" in result.output
    assert len([o for o in synced.company.objects["JournalEntry"].values()
                if str(o.get("DocNumber", "")).startswith("COGS-")]) == 2


def test_disable_integration_blocks_writes(synced, qbtui):
    assert qbtui("integration", "disable").exit_code == 0
    result = qbtui("cogs", "void", "--from", "2026-11-01", "--to", TO, "--yes")
    assert result.exit_code == 2 and "disabled" in result.output
    assert qbtui("sync", "--yes").exit_code == 2
    assert qbtui("reconcile", "--from", "2026-11-01", "--to", TO).exit_code == 0  # reading still works
    assert qbtui("integration", "enable").exit_code == 0
    kinds = [(a["kind"], a["what"]) for a in qbtui.json("audit")["audit"][:2]]
    assert kinds == [("maintenance", "enable integration"), ("maintenance", "disable integration")]


def test_replace_products_refuses_collisions_then_updates(synced, qbtui, tmp_path):
    long_a = "Stoneware mug " + "x" * 90 + " blue"
    long_b = "Stoneware mug " + "x" * 90 + " green"
    with Cache.open(synced.path, writer=True, command="test") as cache:
        cache.upsert_documents([{"type": "product", "ref": "A", "name": long_a},
                                {"type": "product", "ref": "B", "name": long_b}])
    refused = qbtui("products", "replace", "--yes")
    assert refused.exit_code == 2 and "first 100 characters" in refused.output and "A / B" in refused.output
    with Cache.open(synced.path, writer=True, command="test") as cache:
        cache.upsert_documents([{"type": "product", "ref": "B", "name": "Espresso cup"},
                                {"type": "product", "ref": "A", "name": "Teapot"},
                                {"type": "product", "ref": "MUG-01", "name": "Stoneware mug",
                                 "sale_price": "13.00", "purchase_cost": "4.10"}])
    result = qbtui("products", "replace", "--yes", "--json")
    assert result.exit_code == 0, result.output
    run = json.loads(result.stdout)["run"]
    assert run["counts"] == {"updated": 1, "created": 2, "failed": 0}
    items = {o["Name"]: o for o in synced.company.objects["Item"].values()}
    assert {"Teapot", "Espresso cup", "Stoneware mug"} <= set(items)
    assert [c["operation"] for c in run["changed"]].count("create") == 2


def test_change_organisation_resets_links(synced, qbtui):
    result = qbtui("integration", "change-organisation", "--yes")
    assert result.exit_code == 0, result.output
    status = qbtui.json("status")
    assert status["connection"]["connected"] is False
    assert sum(c["synced"] for c in status["documents"].values()) == 0
    run = qbtui.json("runs")["runs"][0]
    assert run["action"] == "change_organisation" and run["counts"]["links_reset"] == len(DOCS)
    assert (synced.path / run["archive"].split("/")[-1]).exists()
    # connect again (the same sandbox stands in for the new company): everything is sent there once more,
    # linked by name where the company already has the contact or item
    synced.connect()
    again = qbtui.json("sync", "--yes")
    assert {d["status"] for d in again["documents"]} == {"synced"}
