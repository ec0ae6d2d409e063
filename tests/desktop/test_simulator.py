"""The simulated company file answers as QuickBooks Desktop does (docs/desktop.md#the-simulator): element order and
limits checked against the schema table (a set that breaks it is refused whole, with an HRESULT), references
resolved (3140), one list of names (3100), EditSequences (3200), queries (status 1 when nothing matches); and
`qbtui demo --desktop` runs the demo's documents into it."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from qbtui.desktop.qbxml import Request, request_set, to_mod
from qbtui.desktop.responses import parse
from qbtui.desktop.simulator import HRESULT_PARSE, Company, ParseFailure
from tests.desktop.webconnector import cli


def add(xml: str) -> Request:
    return Request(ET.fromstring(xml))


def one(company: Company, request: Request):
    return parse(company.answer(request_set([("1", request)])))[0]


def test_order_and_limits_are_the_schemas():
    company = Company.new("demo")
    out_of_order = add("<CustomerAdd><CompanyName>Harbour</CompanyName><Name>Harbour Cafe</Name></CustomerAdd>")
    with pytest.raises(ParseFailure) as exc:
        company.answer(request_set([("1", out_of_order)]))
    assert exc.value.hresult == HRESULT_PARSE and "Name comes too late" in exc.value.message
    too_long = add(f"<CustomerAdd><Name>{'x' * 42}</Name></CustomerAdd>")
    with pytest.raises(ParseFailure, match="42 characters, at most 41"):
        company.answer(request_set([("1", too_long)]))
    assert company.lists("names") == []  # nothing of a refused set runs
    with pytest.raises(ParseFailure):
        company.answer("<QBXML><QBXMLMsgsRq onError='stopOnError'/></QBXML>")  # no <?qbxml version?>


def test_ids_names_references_and_edit_sequences():
    company = Company.new("demo")
    cafe = one(company, add("<CustomerAdd><Name>Harbour Cafe</Name></CustomerAdd>"))
    assert cafe.ok and cafe.ids()["ListID"].endswith("-1764547200")
    again = one(company, add("<VendorAdd><Name>harbour cafe</Name></VendorAdd>"))
    assert again.code == 3100 and again.kind == "name_in_use"  # customers and vendors share one list of names
    bad = one(company, add("<InvoiceAdd><CustomerRef><FullName>Nobody</FullName></CustomerRef>"
                           "<TxnDate>2026-11-02</TxnDate><RefNumber>SO-1</RefNumber></InvoiceAdd>"))
    assert bad.code == 3140 and "Nobody" in bad.message
    inv = add("<InvoiceAdd><CustomerRef><FullName>Harbour Cafe</FullName></CustomerRef><TxnDate>2026-11-02</TxnDate>"
              "<RefNumber>SO-1</RefNumber><Memo>SO-1 first</Memo></InvoiceAdd>")
    made = one(company, inv)
    txn_id, seq = made.ids()["TxnID"], made.ids()["EditSequence"]
    stale = one(company, to_mod(inv, txn_id, str(int(seq) - 1)))
    assert stale.code == 3200 and stale.kind == "stale_edit_sequence"
    assert one(company, to_mod(inv, txn_id, seq)).ok
    found = parse(company.answer('<?xml version="1.0"?>\n<?qbxml version="13.0"?>\n<QBXML><QBXMLMsgsRq '
                                 'onError="stopOnError"><InvoiceQueryRq requestID="q"><RefNumber>SO-1</RefNumber>'
                                 '</InvoiceQueryRq><InvoiceQueryRq requestID="r"><RefNumber>SO-2</RefNumber>'
                                 "</InvoiceQueryRq></QBXMLMsgsRq></QBXML>"))
    assert [o.code for o in found] == [0, 1] and found[0].rets[0].findtext("Memo") == "SO-1 first"
    assert company.count("Invoice", "SO-1") == 1


def test_demo_desktop(tmp_path):
    r = cli(tmp_path, "demo", "--desktop")
    assert r.exit_code == 0, r.output
    assert "the simulated company file" in r.stdout and "Invoice" in r.stdout
    status = cli(tmp_path, "--profile", "demo-desktop", "status")
    assert "QuickBooks Desktop" in status.output and "it last called" in status.output
    again = cli(tmp_path, "demo", "--desktop")  # nothing is sent twice
    assert again.exit_code == 0 and again.stdout.splitlines()[0] == r.stdout.splitlines()[0]
