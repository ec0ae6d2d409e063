"""`qbtui import` and `qbtui status` through the command line, good input and bad."""

from __future__ import annotations

import json

import pytest

from tests.support.documents import example


def profile_files(qbtui) -> dict[str, bytes]:
    root = qbtui.data_dir / "profiles" / "default"
    return {p.name: p.read_bytes() for p in sorted(root.iterdir()) if p.is_file() and "lock" not in p.name}


def test_example_imports_and_status_counts_each_type_pending(qbtui, example_file):
    result = qbtui("import", str(example_file))
    assert result.exit_code == 0, result.output
    assert "6 documents (6 new" in result.output
    status = qbtui.json("status")
    assert status["profile"] == "default"
    assert status["connection"]["connected"] is False
    assert status["last_run"] is None
    expected = {"customer", "product", "sale_invoice", "cogs", "credit_note", "adjustment"}
    assert set(status["documents"]) == expected
    for counts in status["documents"].values():
        assert sum(counts.values()) == 1
        assert counts["pending"] + counts["blocked"] == 1
    # Not connected and nothing mapped yet: the only thing holding any of them back is the account mapping.
    errors = qbtui.json("errors")["errors"]
    assert errors and {e["code"].split(".")[0] for e in errors} <= {"mapping", "dependency"}


def test_reimport_unchanged_and_changed(qbtui, example_file, tmp_path):
    assert qbtui("import", str(example_file)).exit_code == 0
    again = qbtui("import", str(example_file))
    assert "0 new, 0 updated, 6 unchanged" in again.output
    changed = json.loads(example_file.read_text())
    changed["documents"][0]["name"] = "Harbour Cafe Ltd"
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(changed))
    result = qbtui.json("import", str(path))
    assert result["files"][0]["updated"] == 1
    assert result["files"][0]["unchanged"] == 5


def test_import_accepts_what_only_the_gates_judge(qbtui, tmp_path):
    docs = [
        {"type": "sale_invoice", "ref": "SO-9", "customer": "NOBODY", "invoice_date": "2026-11-02",
         "lines": [{"sku": "UNKNOWN", "quantity": 1, "unit_price": "1.00"}]},
        {"type": "product", "ref": "BAD:NAME", "name": "Mug: large \\ blue"},
        {"type": "adjustment", "ref": "ADJ-1", "lines": [{"sku": "X", "quantity_change": 0, "unit_cost": 0}]},
        {"type": "credit_note", "ref": "CN-1", "customer": "C", "date": "2026-11-02",
         "lines": [{"sku": "X", "quantity": 1, "unit_price": "5.00"}],
         "refunds": [{"ref": "R", "date": "2026-11-02", "amount": "50.00"}]},
    ]
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(docs))
    assert qbtui("import", str(path)).exit_code == 0
    counts = qbtui.json("status")["documents"]
    assert all(c["pending"] + c["blocked"] == 1 for c in counts.values())
    codes = {(e["type"], e["code"]) for e in qbtui.json("errors")["errors"]}
    assert {("sale_invoice", "invoice.unknown_customer"), ("sale_invoice", "invoice.unknown_product"),
            ("product", "product.name_has_colon"), ("adjustment", "adjustment.missing_accounting_date"),
            ("adjustment", "adjustment.zero_total"), ("credit_note", "credit_note.refund_exceeds_total")} <= codes


def test_jsonl_and_csv_with_lines_and_refunds(qbtui, tmp_path):
    (tmp_path / "c.jsonl").write_text('{"type": "customer", "ref": "C-1", "name": "A"}\n\n'
                                      '{"type": "customer", "ref": "C-2", "name": "B", "billing_address": {"city": "Oslo"}}\n')
    (tmp_path / "sale_invoice.csv").write_text(
        "ref,customer,invoice_date,lines.sku,lines.quantity,lines.unit_price\n"
        "SO-1,C-1,2026-11-02,MUG-01,2,12.50\n"
        "SO-1,C-1,2026-11-02,TEA-02,1,3.00\n"
        "SO-2,C-2,2026-11-03,MUG-01,1,12.50\n")
    (tmp_path / "notes.csv").write_text(
        "ref,customer,date,lines.sku,lines.quantity,lines.unit_price\nCN-1,C-1,2026-11-05,MUG-01,2,12.50\n")
    (tmp_path / "credit_note_refund.csv").write_text(
        "credit_note,ref,date,amount\nCN-1,RF-1,2026-11-06,5.00\nCN-1,RF-2,2026-11-07,2.50\n")
    result = qbtui("import", str(tmp_path / "c.jsonl"), str(tmp_path / "sale_invoice.csv"))
    assert result.exit_code == 0, result.output
    assert qbtui("import", "--type", "credit_note", str(tmp_path / "notes.csv")).exit_code == 0
    result = qbtui("import", str(tmp_path / "credit_note_refund.csv"))
    assert result.exit_code == 0, result.output
    from qbtui.cache import Cache
    with Cache.open(qbtui.data_dir / "profiles" / "default", writer=False) as cache:
        invoice = cache.get("sale_invoice", "SO-1")["data"]
        assert [line["sku"] for line in invoice["lines"]] == ["MUG-01", "TEA-02"]
        assert invoice["lines"][0]["unit_price"] == "12.50"
        assert cache.get("customer", "C-2")["data"]["billing_address"] == {"city": "Oslo"}
        note = cache.get("credit_note", "CN-1")["data"]
        assert [(r["ref"], r["amount"]) for r in note["refunds"]] == [("RF-1", "5.00"), ("RF-2", "2.50")]


GOOD = {"type": "customer", "ref": "C-1", "name": "Good"}
INVOICE = {"type": "sale_invoice", "ref": "SO-1", "customer": "C-1", "invoice_date": "2026-11-02",
           "lines": [{"sku": "MUG-01", "quantity": 1, "unit_price": "12.50"}]}


def with_line(**changes):
    doc = json.loads(json.dumps(INVOICE))
    doc["lines"][0].update(changes)
    return doc


BAD_JSON = [
    # (name, file content, expected fragments in the message)
    ("truncated", b'{"documents": [{"type": "customer", "ref": "C-1"', ["line 1, column", "invalid JSON"]),
    # a file cut short by a failed copy or export says so, not the parser's "Unterminated string starting at"
    ("cut_in_a_text", b'{"documents": [{"type": "customer", "ref": "C-1", "na', ["line 1, column 51: invalid JSON: a "
     "text (a quoted string) starts here and is never closed: the file may be cut short; export it again"]),
    ("cut_after_a_value", b'[{"type": "customer", "ref": "C-1", "name": "A"}, ', ["line 1, column 51: invalid JSON: "
     "the file ends before its JSON is complete: it may be cut short; export it again"]),
    ("tab_in_a_text", b'[{"type": "customer", "ref": "C-1", "name": "A\tB"}]', ["line 1, column 47: invalid JSON: a tab "
     "inside a quoted text: JSON writes it escaped"]),
    ("invalid", b'[{"type": "customer", "ref": "C-1", "name": "A",}]', ["line 1, column", "invalid JSON"]),
    ("not_a_list", b'{"type": "customer", "ref": "C-1", "name": "A"}', ["/", 'expected a list of documents']),
    # what was found, in JSON's words: never a Python type name (int, str, NoneType, Decimal)
    ("a_number", b"42", ["expected a list of documents", "found a number"]),
    ("null", b"null", ["expected a list of documents", "found null"]),
    ("a_decimal", b"4.5", ["expected a list of documents", "found a number"]),
    ("documents_a_text", b'{"documents": "C-1"}', ["/documents: expected a list of documents, found a text"]),
    ("not_objects", b'[1, "C-1", null, true]', ["/0: a document must be a JSON object {...}, not a number",
                                                 "/1: a document must be a JSON object {...}, not a text",
                                                 "/2: a document must be a JSON object {...}, not null",
                                                 "/3: a document must be a JSON object {...}, not true or false"]),
    ("empty", b"", ["the file is empty"]),
    ("blank", b"  \n ", ["the file is empty"]),
    ("not_utf8", '[{"type": "customer", "ref": "C-1", "name": "Caf\u00e9"}]'.encode("latin-1"), ["not UTF-8", "line 1"]),
    ("unknown_type", json.dumps([{"type": "invoice", "ref": "X"}]).encode(), ["/0", "unknown document type 'invoice'", "sale_invoice"]),
    ("missing_required", json.dumps([{"type": "customer", "ref": "C-1"}]).encode(), ["/0/name", "required field is missing"]),
    ("unknown_field", json.dumps([dict(GOOD, emial="a@b.c")]).encode(), ["/0/emial", "unknown field", '"email"']),
    ("unknown_line_field", json.dumps([with_line(qty=2)]).encode(), ["/0/lines/0/qty", "unknown field", '"quantity"']),
    ("comma_decimal", json.dumps([with_line(unit_price="12,50")]).encode(), ["/0/lines/0/unit_price", "'12,50' is not a number"]),
    ("abc", json.dumps([with_line(quantity="abc")]).encode(), ["/0/lines/0/quantity", "'abc' is not a number"]),
    ("nan", b'[{"type": "cogs", "ref": "X", "date": "2026-11-02", "amount": NaN}]', ["NaN is not a number JSON allows"]),
    ("infinity", json.dumps([{"type": "cogs", "ref": "X", "date": "2026-11-02", "amount": "Infinity"}]).encode(),
     ["/0/amount", "'Infinity' is not a finite number"]),
    ("huge", b'[{"type": "cogs", "ref": "X", "date": "2026-11-02", "amount": 1e999}]', ["/0/amount", "out of range"]),
    ("three_decimals", json.dumps([{"type": "cogs", "ref": "X", "date": "2026-11-02", "amount": "1.234"}]).encode(),
     ["/0/amount", "'1.234' has too many decimal places"]),
    ("us_date", json.dumps([dict(INVOICE, invoice_date="11/02/2026")]).encode(), ["/0/invoice_date", "not an ISO date", "YYYY-MM-DD"]),
    ("impossible_date", json.dumps([dict(INVOICE, invoice_date="2026-02-30")]).encode(), ["/0/invoice_date", "not a real calendar date"]),
    ("duplicate", json.dumps([GOOD, GOOD]).encode(), ["/1", "duplicate customer 'C-1'", "first at /0"]),
    ("no_lines", json.dumps([dict(INVOICE, lines=[])]).encode(), ["/0/lines", "needs at least one line"]),
    ("one_bad_among_many", json.dumps({"documents": [dict(GOOD, ref=f"C-{i}") for i in range(200)]
                                        + [dict(GOOD, ref="C-BAD", active="maybe")]}).encode(),
     ["/documents/200/active", "valid boolean"]),
]


def assert_rejected_whole(qbtui, example_file, path, content: bytes, fragments: list[str]) -> None:
    """Importing ``content`` as ``path`` fails (exit 1, no traceback) naming the file and every fragment,
    and leaves the cache byte for byte as it was."""
    assert qbtui("import", str(example_file)).exit_code == 0
    before = profile_files(qbtui)
    path.write_bytes(content)
    result = qbtui("import", str(path))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"{path.name}: nothing imported" in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr
    assert profile_files(qbtui) == before


@pytest.mark.parametrize("name,content,fragments", BAD_JSON, ids=[c[0] for c in BAD_JSON])
def test_bad_json_is_rejected_whole_with_a_clear_message(qbtui, example_file, tmp_path, name, content, fragments):
    assert_rejected_whole(qbtui, example_file, tmp_path / f"{name}.json", content, fragments)


def test_bad_jsonl_names_the_line(qbtui, tmp_path):
    path = tmp_path / "docs.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + json.dumps(dict(GOOD, ref="C-2", emial="x")) + "\n{broken\n"
                    + '{"type": "customer", "ref": "C-3", "na\n' + "[1]\n")
    result = qbtui("import", str(path))
    assert result.exit_code == 1
    assert "line 2, /emial: unknown field" in result.stderr
    assert "line 3: invalid JSON" in result.stderr
    assert "line 4: invalid JSON: the line ends before its JSON is complete: it may be cut short" in result.stderr
    assert "line 5: a document must be a JSON object {...}, not a list" in result.stderr
    assert not (qbtui.data_dir / "profiles" / "default" / "documents.sqlite").exists() or qbtui.json("status")["documents"] == {}


BAD_CSV = [
    ("more_cells", "ref,customer,invoice_date,lines.sku,lines.quantity,lines.unit_price\n"
                   "SO-1,C-1,2026-11-02,MUG,1,12.50\nSO-2,C-1,2026-11-02,MUG,1,12.50,oops\n", ["line 3", "7 cells but the header has 6"]),
    ("bad_number", "ref,customer,invoice_date,lines.sku,lines.quantity,lines.unit_price\n"
                   "SO-1,C-1,2026-11-02,MUG,1,12.50\nSO-1,C-1,2026-11-02,TEA,2,\"12,50\"\n",
     ["line 3", "field lines.unit_price", "'12,50' is not a number"]),
    ("unknown_column", "ref,customer,invoice_date,lines.sku,lines.qty,lines.unit_price\nSO-1,C-1,2026-11-02,MUG,1,1\n",
     ["line 2", "field lines.qty", "unknown field", '"quantity"']),
    ("split_document", "ref,customer,invoice_date,lines.sku,lines.quantity,lines.unit_price\n"
                       "SO-1,C-1,2026-11-02,MUG,1,1\nSO-2,C-1,2026-11-02,MUG,1,1\nSO-1,C-1,2026-11-02,TEA,1,1\n",
     ["line 4", "duplicate sale_invoice 'SO-1'"]),
    ("header_differs", "ref,customer,invoice_date,lines.sku,lines.quantity,lines.unit_price\n"
                       "SO-1,C-1,2026-11-02,MUG,1,1\nSO-1,C-2,2026-11-02,TEA,1,1\n", ["line 3", "field customer", "differs from line 2"]),
]


@pytest.mark.parametrize("name,content,fragments", BAD_CSV, ids=[c[0] for c in BAD_CSV])
def test_bad_csv_is_rejected_whole(qbtui, example_file, tmp_path, name, content, fragments):
    assert_rejected_whole(qbtui, example_file, tmp_path / f"sale_invoice_{name}.csv", content.encode(), fragments)


def test_csv_without_a_type_says_to_pass_it(qbtui, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("ref,name\nC-1,A\n")
    result = qbtui("import", str(path))
    assert result.exit_code == 1 and "pass --type" in result.stderr
    assert qbtui("import", "--type", "customer", str(path)).exit_code == 0


def test_refund_for_an_unknown_credit_note_is_rejected(qbtui, tmp_path):
    path = tmp_path / "credit_note_refund.csv"
    path.write_text("credit_note,ref,date,amount\nCN-404,RF-1,2026-11-06,5.00\n")
    result = qbtui("import", str(path))
    assert result.exit_code == 1 and "credit note 'CN-404'" in result.stderr


def test_one_bad_file_does_not_stop_the_good_one(qbtui, example_file, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("[")
    result = qbtui("import", str(bad), str(example_file))
    assert result.exit_code == 1
    assert sum(sum(c.values()) for c in qbtui.json("status")["documents"].values()) == len(example())


def test_schema_lists_every_type(qbtui):
    result = qbtui("schema")
    schema = json.loads(result.stdout)
    assert {"SaleInvoice", "CreditNote", "StoreCredit", "Customer"} <= set(schema["$defs"])
    assert schema["$defs"]["Customer"]["additionalProperties"] is False


def test_dry_run_of_exact_keys_lists_them_and_what_they_depend_on(qbtui, example_file, tmp_path):
    assert qbtui("import", str(example_file)).exit_code == 0
    refs = tmp_path / "refs.tsv"
    refs.write_text("sale_invoice\tSO-1001\ncustomer\tCN-77\n")  # no customer is called CN-77: nothing more
    result = qbtui("sync", "--dry-run", "--json", "--refs-from", str(refs))
    listed = [(d["type"], d["ref"]) for d in json.loads(result.stdout)["documents"]]
    assert listed == [("customer", "C-100"), ("product", "MUG-01"), ("sale_invoice", "SO-1001")]
    refs.write_text("sale_invoice SO-1001\n")
    bad = qbtui("sync", "--dry-run", "--refs-from", str(refs))
    assert bad.exit_code == 2 and "line 1: expected TYPE<TAB>REF" in bad.stderr
    def listed_from(text: str) -> list[tuple[str, str]]:
        refs.write_text(text, encoding="utf-8")
        out = qbtui("sync", "--dry-run", "--json", "--refs-from", str(refs)).stdout
        return [(d["type"], d["ref"]) for d in json.loads(out)["documents"]]

    assert listed_from("cogs\tCOGS-SO-1001\r\n") == listed_from("cogs\tCOGS-SO-1001\n") != []
    # only a newline ends a line: U+2028 is part of the reference (which no document has), not a second line
    assert listed_from("cogs\tCOGS-SO-1001\u2028credit_note\tCN-77\n") == []
    refs.write_text('[["sale_invoice", 7]]')  # the dashboard's format: a JSON array of [TYPE, REF] pairs
    bad = qbtui("sync", "--dry-run", "--refs-from", str(refs))
    assert bad.exit_code == 2 and "item 1: expected [TYPE, REF]" in bad.stderr


def test_a_folder_among_the_files_is_rejected_on_its_own_and_the_files_are_imported(qbtui, example_file, tmp_path):
    folder = tmp_path / "exports.json"
    folder.mkdir()
    result = qbtui("import", str(folder), str(example_file))
    # each file of one `qbtui import a b c` is imported or rejected on its own: a folder too (it was a usage
    # error, exit 2, that imported nothing)
    assert result.exit_code == 1, result.output
    assert f"{folder.name}: is a folder, not a file: name the files in it ({folder}/*.json)" in result.stderr
    assert f"{example_file.name}: {len(example())} documents" in result.stdout
