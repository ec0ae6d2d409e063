"""The data model and the event reader, without a terminal."""

from __future__ import annotations

import json
from decimal import Decimal

from qbtui.cache import Cache
from qbtui.tui import adapter
from qbtui.tui.model import Model, Paged, document_total, error_family, filter_indexes


def test_totals():
    assert document_total("sale_invoice", {"lines": [
        {"quantity": "3", "unit_price": "12.50"},
        {"quantity": "2", "unit_price": "10.00", "discount_percent": "10"}]}) == Decimal("55.50")
    assert document_total("supplier_invoice", {"lines": [{"quantity": "100", "unit_cost": "4.10"}]}) == Decimal("410.00")
    assert document_total("adjustment", {"lines": [{"quantity_change": "-1", "unit_cost": "14"}]}) == Decimal("-14.00")
    assert document_total("cogs", {"amount": "24.6"}) == Decimal("24.60")
    assert document_total("customer", {"name": "x"}) is None


def test_error_families():
    assert error_family("date.in_closed_period") == "dates"
    assert error_family("invoice.missing_date") == "dates"
    assert error_family("6210") == "dates"
    assert error_family("6240") == "names"
    assert error_family("invoice.unknown_customer") == "names"
    assert error_family("credit_note.refund_exceeds_total") == "amounts"
    assert error_family("mapping.missing_role") == "mappings"
    assert error_family("quote.export_off") == "mappings"
    assert error_family("dependency.blocked") == "dependencies"
    assert error_family("6000", "refunds exceed the credit note total") == "amounts"


def test_model_load_statuses_sort_and_filters(data_dir):
    with Cache.open(data_dir / "profiles" / "demo", writer=False) as cache:
        model = Model.load(cache, totals=False)
        for key, row in model.by_key.items():  # the rows in hand: the documents not synced
            assert row.status == cache.status_of(*key) and row.status in ("pending", "failed"), key
        every = model.view("documents", "sale_invoice", False, "")  # read from the store a page at a time
        assert isinstance(every, Paged) and len(every) == cache.count("sale_invoice")
        listed = list(every)
        assert [r.date for r in listed] == sorted(r.date for r in listed)
        assert every[-1].key == listed[-1].key and every[0].key == listed[0].key
        assert all(r.status == cache.status_of(*r.key) for r in listed)
        assert model.by_key[("sale_invoice", "SO-1009")].total == Decimal("229.50")
        rows = model.rows["sale_invoice"]
        assert [(r.date, r.ref) for r in rows] == sorted((r.date, r.ref) for r in rows)
        assert model.total_of([("sale_invoice", "SO-1009")]) == Decimal("229.50")
        pending = model.view("documents", "sale_invoice", True, "")
        assert pending and all(r.status in ("pending", "failed", "blocked") for r in pending)
        assert {r.key for r in pending} == {r.key for r in listed if r.status in ("pending", "failed")}
        assert [r.ref for r in model.view("documents", "sale_invoice", False, "status:failed")] == ["SO-1010"]
        harbour = model.view("documents", "sale_invoice", False, "harbour date:2026-11")
        assert harbour and all(r.party == "Harbour Cafe" and r.date.startswith("2026-11") for r in harbour)
        assert model.view("documents", "sale_invoice", True, "") is pending  # memoised
    assert [rows[i].ref for i in filter_indexes(rows, list(range(len(rows))), "status:failed")] == ["SO-1010"]


async def test_read_events_from_any_line_stream():
    async def lines():
        yield b'{"event": "progress", "total": 2, "sent": 1, "ok": 1, "failed": 0, "remaining": 1, "rate_per_min": 60}\n'
        yield b"\n"
        yield b"plain text\n"
        yield '{"event": "done", "exit_code": 0}'
        yield b"[1, 2]"

    from qbtui.sync.events import decode
    events = [ev async for line in lines() if (ev := decode(line)) is not None]
    assert [e["event"] for e in events] == ["progress", "log", "done", "log"]
    assert events[0]["remaining"] == 1


def test_sync_argv_and_refs_file(tmp_path):
    from qbtui.tui.backend import Backend, write_refs_file
    f = write_refs_file([("customer", "C-1"), ("sale_invoice", "SO 1")])
    try:
        assert json.loads(f.read_text(encoding="ascii")) == [["customer", "C-1"], ["sale_invoice", "SO 1"]]
        assert f.stat().st_mode & 0o777 == 0o600
        argv = Backend(tmp_path / "profiles" / "demo", data_dir=tmp_path, command=["qbtui"]).argv(
            "sync", "--yes", "--events", "--refs-from", str(f))
        assert argv == ["qbtui", "--profile", "demo", "--data-dir", str(tmp_path), "sync", "--yes", "--events",
                        "--refs-from", str(f)]
    finally:
        f.unlink()


def test_run_signature():
    import inspect

    from qbtui.tui import run
    sig = inspect.signature(run)
    assert list(sig.parameters) == ["profile_path", "profile", "data_dir", "no_mouse", "firm"]
    assert sig.parameters["firm"].default is False
    assert sig.parameters["no_mouse"].default is False
    assert sig.parameters["profile"].kind is inspect.Parameter.KEYWORD_ONLY


def test_gates_in_a_child_process_match_the_gates_in_process(data_dir):
    """The dashboard computes the gates with `qbtui gates` in a child process (memory and interpreter
    stay free); it must see exactly what the in-process computation sees."""
    with Cache.open(data_dir / "profiles" / "demo", writer=False) as cache:
        here = adapter.gate_statuses(cache)
    import asyncio

    from qbtui.tui.backend import Backend
    child = asyncio.run(Backend(data_dir / "profiles" / "demo", data_dir=data_dir).gates())
    assert child == here
    assert any(status == "blocked" for status, _ in child.values())


def test_an_edited_document_updates_its_row_in_place(data_dir):
    with Cache.open(data_dir / "profiles" / "demo", writer=False) as cache:
        model = Model.load(cache)
        invoice = cache.get("sale_invoice", "SO-1008")["data"]
        customer = cache.get("customer", "C-103")["data"]
    model.replace_document("sale_invoice", "SO-1008", {**invoice, "invoice_date": "2026-11-30"})
    rows = model.rows["sale_invoice"]
    assert rows[-1].ref == "SO-1008" and rows[-1].date == "2026-11-30"  # sorted by date again
    shown_before = [r.ref for r in rows if r.party == "Riverside Books: Annex"]
    model.replace_document("customer", "C-103", {**customer, "name": "Riverside Books - Annex"})
    assert model.by_key[("customer", "C-103")].party == "Riverside Books - Annex"
    assert shown_before and all(model.by_key[("sale_invoice", r)].party == "Riverside Books - Annex"
                                for r in shown_before)


def test_the_dashboard_shows_what_the_ledger_posts(tmp_path):
    """Two lines of 1 x 17.00 less 4.97%: QBO gets 16.16 + 16.16 (each line rounded, Amount = Qty x
    UnitPrice), so the dashboard must show 32.32, not the unrounded total rounded once (32.31)."""
    from qbtui.documents.importer import check_document
    from qbtui.ledger import Ledger, build

    line = {"sku": "MUG-01", "quantity": "1", "unit_price": "17.00", "discount_percent": "4.97"}
    docs = [{"type": "customer", "ref": "C-1", "name": "Harbour Cafe"},
            {"type": "product", "ref": "MUG-01", "name": "Mug", "sale_price": "17.00"},
            {"type": "sale_invoice", "ref": "SO-1", "customer": "C-1", "invoice_date": "2026-11-02",
             "lines": [line, line]}]
    with Cache.open(tmp_path / "p", writer=True) as cache:
        cache.upsert_documents([check_document(d)[0] for d in docs])
    with Cache.open(tmp_path / "p", writer=False) as cache:
        model = Model.load(cache)
        invoice = cache.get("sale_invoice", "SO-1")["data"]
    posted = sum(Decimal(str(line["Amount"]))
                 for line in build({**invoice, "type": "sale_invoice"}, Ledger.offline())[0].body["Line"])
    assert posted == Decimal("32.32")
    assert model.total_of([("sale_invoice", "SO-1")]) == posted
    assert model.by_key[("sale_invoice", "SO-1")].total == posted


def test_the_fix_form_offers_the_fields_the_registry_names():
    """The fix form's fields come from the reasons and the registry of kinds (no table of its own): a bill
    without a number and dated in a closed period offers both; a payment's 'names' reason offers no contact
    field (it names an invoice); a contact offers its name."""
    from qbtui.tui.model import Row
    from qbtui.tui.screens import failing_fields, kind_label

    def row(type_: str, *reasons: dict) -> Row:
        return Row(type_, "X-1", "", "", None, "blocked", "", error={"reasons": list(reasons)})

    bill = row("supplier_invoice",
               {"code": "supplier_invoice.missing_number", "field": "supplier_invoice_number", "family": "names"},
               {"code": "date.in_closed_period", "family": "dates"})
    assert failing_fields(bill, {})[:1] == [("supplier_invoice_number",)]
    assert {("invoice_date",), ("due_date",), ("supplier",)} <= set(failing_fields(bill, {}))
    assert failing_fields(row("customer", {"code": "contact.bad_name", "family": "names"}), {}) == [("name",)]
    assert ("invoice",) not in failing_fields(row("sale_payment", {"code": "6240", "family": "names"}), {})
    assert kind_label("cogs") == "COGS journal" and kind_label("sale_invoice") == "sales invoice"


def test_views_read_from_the_store_a_page_at_a_time(tmp_path):
    """A document tab's rows come from the store's indexes: the view of every document in pages (its last rows
    read backwards), the pending view before the rows in hand are loaded in the same order as after, and
    a row in hand (what the gates or a sync changed since the store was read) shown over the store's."""
    from qbtui.tui.model import PAGE, Listed

    n = 2 * PAGE + 57
    customers = [{"type": "customer", "ref": f"C-{i}", "name": f"Customer {i}"} for i in range(3)]
    invoices = [{"type": "sale_invoice", "ref": f"SO-{i:04d}", "customer": f"C-{i % 3}",
                 "invoice_date": f"2026-11-{1 + (i * 7) % 28:02d}",
                 "lines": [{"sku": "MUG", "quantity": "2", "unit_price": f"{i}.50"}]} for i in range(n)]
    with Cache.open(tmp_path / "p", writer=True) as cache:
        cache.upsert_documents(customers + invoices)
        cache.record_outcomes([{"type": "sale_invoice", "ref": d["ref"], "status": "synced",
                                "qbo": [{"entity": "Invoice", "id": str(i), "sync_token": "0"}]}
                               for i, d in enumerate(invoices) if i % 4])
    with Cache.open(tmp_path / "p", writer=False) as cache:
        model = Model.load(cache, first=())
        every = model.view("documents", "sale_invoice", False, "")
        assert isinstance(every, Paged) and len(every) == n
        forwards = [every[i].key for i in range(n)]
        model.invalidate()
        every = model.view("documents", "sale_invoice", False, "")
        assert [every[i].key for i in reversed(range(n))] == forwards[::-1]  # from the end first
        by_date = sorted(invoices, key=lambda d: d["invoice_date"])
        assert [every[i].date for i in range(n)] == [d["invoice_date"] for d in by_date]
        row = every[n - 1]
        assert row.party == f"Customer {int(row.ref[3:]) % 3}" and row.total == 2 * Decimal(f"{int(row.ref[3:])}.50")
        assert row.qbo_id == ("" if int(row.ref[3:]) % 4 == 0 else str(int(row.ref[3:])))
        early = model.view("documents", "sale_invoice", True, "")
        assert isinstance(early, Listed) and len(early) == len(range(0, n, 4))
        model.merge(model.load_rest())
        held = model.view("documents", "sale_invoice", True, "")
        assert [r.key for r in held] == [r.key for r in early]
        model.apply_gates({held[0].key: ("blocked", [{"code": "x.y", "message": "held", "family": "names"}])})
        every = model.view("documents", "sale_invoice", False, "")
        assert next(r for r in every if r.key == held[0].key).status == "blocked"
        assert model.total_of([held[0].key, forwards[0]]) == held[0].total + model.by_key[forwards[0]].total


def test_the_pages_beside_a_page_read_are_read_ahead_off_the_ui_thread(tmp_path):
    """A page read on the UI thread asks the read-ahead for the pages on either side (the next PgDn / PgUp),
    each with the arguments the view itself will read it with, once, and none beyond the view's ends; the
    read-ahead reads them in a thread of its own through a reader of its own."""
    import threading

    from qbtui.tui.model import PAGE, ReadAhead

    n = 3 * PAGE + 10
    with Cache.open(tmp_path / "p", writer=True) as cache:
        cache.upsert_documents([{"type": "sale_invoice", "ref": f"SO-{i:04d}", "invoice_date": "2026-11-02",
                                 "customer": "C-1"} for i in range(n)])
    read: list[tuple[str, dict]] = []

    class Reader(Cache):
        def warm_rows(self, type, status=None, **kw):  # noqa: A002 - Cache.rows' own names
            read.append((threading.current_thread().name, {"type": type, "status": status, **kw}))
            super().warm_rows(type, status, **kw)

    ahead = ReadAhead(lambda: Reader.open(tmp_path / "p", writer=False))
    with Cache.open(tmp_path / "p", writer=False) as cache:
        model = Model.load(cache, first=(), read_ahead=ahead)
        every = model.view("documents", "sale_invoice", False, "")
        assert isinstance(every, Paged) and len(every) == n
        every[0]  # page 0: page 1 read ahead (there is no page -1)
        every[PAGE]  # page 1: page 2 (page 0 is in hand)
        every[PAGE + 1]  # the same page: nothing more
        every[n - 1]  # page 3, the last: page 2 asked for already, and there is no page 4
        ahead.close(wait=True)
    assert [q for _, q in read] == [every._query(1)[0], every._query(2)[0]]
    assert all(name.startswith("qbtui-read-ahead") for name, _ in read)
    assert read[1][1]["offset"] == n - 3 * PAGE and read[1][1]["descending"] is True  # nearer the end: backwards


def test_a_total_is_written_with_the_home_currencys_sign_or_its_code():
    from qbtui.tui.model import priced

    assert [priced(Decimal("1234.5"), c) for c in ("USD", "cad", "GBP", "EUR", "CHF")] == [
        "$1,234.50", "$1,234.50", "£1,234.50", "€1,234.50", "CHF 1,234.50"]
    assert priced(None, "GBP") == "£0.00"
