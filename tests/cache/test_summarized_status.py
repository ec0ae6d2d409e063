"""The status ``summarized`` (qbtui/cache/status.py): a document posted in a summary of its channel's period. Its link
names the summary (reference, entity, QBO Id); the counts list the word for every type; a change makes it pending."""

from __future__ import annotations

from pathlib import Path

from qbtui.cache import STATUSES, Cache, profile_dir

SUMMARY = {"ref": "SI-20261102-web-GBP-TaxExcluded", "entity": "Invoice", "id": "501"}


def test_a_summarized_document_names_its_summary(tmp_path: Path) -> None:
    with Cache.open(profile_dir(tmp_path, "default"), writer=True) as c:
        c.upsert_documents([{"type": "sale_invoice", "ref": f"WEB-{i}", "invoice_date": "2026-11-02",
                             "customer": "C-1", "channel": "web"} for i in range(3)])
        c.record_outcomes([{"type": "sale_invoice", "ref": f"WEB-{i}", "status": "summarized", "summary": SUMMARY,
                            "run": "r1"} for i in range(2)])
        assert "summarized" in STATUSES
        assert c.status_of("sale_invoice", "WEB-0") == "summarized"
        assert c.link("sale_invoice", "WEB-0")["summary"] == SUMMARY
        assert c.status_counts()["sale_invoice"] == dict.fromkeys(STATUSES, 0) | {"summarized": 2, "pending": 1}
        assert c.keys_by_status(["summarized"]) == [("sale_invoice", "WEB-0"), ("sale_invoice", "WEB-1")]
        c.upsert_documents([{"type": "sale_invoice", "ref": "WEB-0", "invoice_date": "2026-11-02",
                             "customer": "C-1", "channel": "web", "memo": "changed after its summary"}])
        assert c.status_of("sale_invoice", "WEB-0") == "pending"  # a correction posts the change
        assert c.status_counts()["sale_invoice"]["summarized"] == 1
