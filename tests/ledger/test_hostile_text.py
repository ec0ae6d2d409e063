"""Hostile text and QBO's number range, at the gates; the one sanitizer and the one CSV writer."""

from __future__ import annotations

import csv
import io
import unicodedata

import pytest

from qbtui.documents.text import char_name, csv_text, hostile_chars, safe_text
from qbtui.ledger.gates import GateContext, check
from qbtui.settings import Settings
from qbtui.tui.screens import SHOWN_CHARS, shown
from qbtui.tui.table import fit
from tests.ledger.helpers import ALL_MAPPED, CUSTOMER, MUG, doc, docs_map

CTX_SETTINGS = Settings.from_stored({"mapping": ALL_MAPPED})


def reasons(*docs, target=None):
    d = docs_map(*docs)
    ctx = GateContext.build(d, CTX_SETTINGS)
    target = target or docs[-1]
    return {r.code: r for r in check(target, ctx)}


HOSTILE = [
    ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"), ("\x1b", "U+001B ESCAPE"), ("\x07", "U+0007 ALERT"),
    ("\x85", "U+0085 NEXT LINE"), ("\x9b", "U+009B CONTROL SEQUENCE INTRODUCER"), ("\x7f", "U+007F DELETE"),
    ("\u2028", "U+2028 LINE SEPARATOR"), ("\u2029", "U+2029 PARAGRAPH SEPARATOR"), ("\u2066", "U+2066 LEFT-TO-RIGHT ISOLATE"),
    ("\u2069", "U+2069 POP DIRECTIONAL ISOLATE"), ("\u202a", "U+202A LEFT-TO-RIGHT EMBEDDING"), ("\n", "U+000A LINE FEED"),
]


@pytest.mark.parametrize("ch,name", HOSTILE, ids=[n for _, n in HOSTILE])
def test_names_and_references_with_hostile_characters_are_blocked_naming_the_character(ch, name):
    customer = doc(type="customer", ref="C-7", name=f"Abc{ch}def")
    got = reasons(customer)["text.control_character"]
    assert f"name has {name} at position 4" in got.message
    invoice = doc(type="sale_invoice", ref=f"SO{ch}1", customer="C-100", invoice_date="2026-11-02",
                  lines=[{"sku": "MUG-01", "quantity": 1, "unit_price": "2"}])
    assert f"ref has {name} at position 3" in reasons(invoice)["text.control_character"].message


def test_joiners_and_marks_stay_allowed_and_free_text_may_break_lines():
    for text in ("\u0915\u094d\u200d\u0937", "a\u200cb", "\u05d0\u200f1", "x\u200ey"):  # ZWJ, ZWNJ, RLM, LRM
        assert "text.control_character" not in reasons(doc(type="customer", ref="C-8", name=text))
    memo = doc(type="sale_invoice", ref="SO-2", customer="C-100", invoice_date="2026-11-02", memo="line 1\nline 2\tok",
               lines=[{"sku": "MUG-01", "quantity": 1, "unit_price": "2", "description": "two\r\nlines"}])
    assert "text.control_character" not in reasons(memo)
    memo["memo"] = "clear \x1b[2J"
    assert "memo has U+001B ESCAPE at position 7" in reasons(memo)["text.control_character"].message
    assert "text.control_character" not in reasons(dict(memo, memo="ok", extra={"x": "\x1b"}))  # never sent


def test_names_are_stored_and_compared_in_nfc():
    composed, decomposed = "Caf\u00e9", "Cafe\u0301"
    a = doc(type="customer", ref="C-1", name=composed)
    b = doc(type="customer", ref="C-2", name=decomposed)
    assert b["name"] == composed and unicodedata.is_normalized("NFC", b["name"])
    stored_before = dict(b, name=decomposed)  # a document stored by an older qbtui
    assert "contact.duplicate_name" in reasons(a, stored_before)


def test_quantity_times_price_beyond_qbo_is_blocked_not_a_crash():
    big = doc(type="sale_invoice", ref="SO-BIG", customer="C-100", invoice_date="2026-11-02",
              lines=[{"sku": "MUG-01", "quantity": "999999999999", "unit_price": "999999999999"},
                     {"sku": "MUG-01", "quantity": "1", "unit_price": "2"}])
    got = reasons(big)["amount.out_of_range"]
    assert "line 1's quantity 999999999999" in got.message
    assert "line 1's amount 999,999,999,998,000,000,000,001.00 (999999999999 x 999999999999)" in got.message
    assert "at most 10 digits before the decimal point" in got.message
    within = doc(type="sale_invoice", ref="SO-OK", customer="C-100", invoice_date="2026-11-02",
                 lines=[{"sku": "MUG-01", "quantity": "99999", "unit_price": "99999.99"}])  # 9,999,898,900.01
    assert "amount.out_of_range" not in reasons(within)
    product = doc(type="sale_invoice", ref="SO-P", customer="C-100", invoice_date="2026-11-02",
                  lines=[{"sku": "MUG-01", "quantity": "100000", "unit_price": "100000"}])  # each fine, product not
    assert "line 1's amount 10,000,000,000.00 (100000 x 100000)" in reasons(product)["amount.out_of_range"].message
    many = doc(type="adjustment", ref="ADJ-1", completed_date="2026-11-02", accounting_date="2026-11-02",
               lines=[{"sku": "MUG-01", "quantity_change": "999999999999", "unit_cost": "999999999999"}] * 2000)
    assert "amount.out_of_range" in reasons(many)  # a sum too long to round: a reason, no ArithmeticError
    cogs = doc(type="cogs", ref="COGS-1", date="2026-11-02", amount="10000000000.00")
    assert "amount 10000000000.00" in reasons(cogs)["amount.out_of_range"].message


def test_hostile_chars_counts_positions_from_one_and_names_every_control():
    assert hostile_chars("ab\u202ecd") == ["U+202E RIGHT-TO-LEFT OVERRIDE at position 3"]
    for code in [*range(0x20), *range(0x7f, 0xa0)]:
        name = char_name(chr(code)).split(" ", 1)[1]
        assert unicodedata.lookup(name) == chr(code), name


def test_safe_text_leaves_no_control_sequence_and_caps_what_is_drawn():
    attack = "A\x1b[2J\x1b]52;c;aGVsbG8=\x07B\x9b31m\u202eC\u2028D\x85E"
    for text in (safe_text(attack), safe_text(attack, multiline=False), fit(attack, 40), shown(attack)):
        assert not any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in text), ascii(text)
        assert not any(c in text for c in "\u202e\u2028\u2029")
    assert safe_text("a\nb\tc") == "a\nb\tc" and safe_text("a\nb", multiline=False) == "a\ufffdb"
    huge = "N" * 10_000_000
    cell, drawn = fit(huge, 30), shown(huge)
    assert len(cell) == 30 and drawn.startswith("N" * SHOWN_CHARS) and drawn.endswith("(9,998,000 more characters)")


def test_csv_makes_formulas_inert_and_writes_amounts_with_two_decimals():
    rows = [{"ref": "=HYPERLINK(\"http://x\",\"y\")", "date": "2026-11-02", "amount": 24.6, "note": "+1-2"},
            {"ref": "@SUM(A1)", "date": "2026-11-03", "amount": "-5", "note": "-3.50"},
            {"ref": "-x", "date": None, "amount": 7, "note": "\tTAB"}]
    text = csv_text(rows, ("ref", "date", "amount", "note"), money=("amount",))
    got = list(csv.reader(io.StringIO(text)))
    assert got[1] == ["'=HYPERLINK(\"http://x\",\"y\")", "2026-11-02", "24.60", "'+1-2"]
    assert got[2] == ["'@SUM(A1)", "2026-11-03", "-5.00", "-3.50"]  # a plain negative number stays a number
    assert got[3] == ["'-x", "", "7.00", "'\tTAB"]


def test_mug_and_customer_fixtures_are_clean():
    assert "text.control_character" not in reasons(CUSTOMER, MUG, target=MUG)
