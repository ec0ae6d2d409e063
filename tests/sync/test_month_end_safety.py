"""Month-end safety: a document dated before the filter start is skipped (not an error), fixes made in qbtui
survive a re-import of the same file, and the opening commands after setup."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

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
