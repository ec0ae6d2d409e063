"""Text that is safe to show, to send and to open in a spreadsheet: one place for each rule.

- :func:`hostile_chars` finds the characters a name or reference may not hold (control characters,
  line and paragraph separators, bidi overrides and isolates), each named, for the gates.
- :func:`nfc` is how names are stored and compared (Unicode NFC).
- :func:`safe_text` is what qbtui prints or draws of any text it did not write itself: every
  control character (C0, C1, DEL), line/paragraph separator and bidi control becomes U+FFFD, so
  no escape sequence (screen clear, OSC 52 clipboard write, cursor moves) reaches a terminal.
- :func:`csv_text` is the one CSV writer of every export: formulas are made inert, amounts have
  two decimals.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

REPLACEMENT = "\ufffd"

# Names of the characters that have none in the Unicode database (their formal aliases).
_C0 = ("NULL", "START OF HEADING", "START OF TEXT", "END OF TEXT", "END OF TRANSMISSION", "ENQUIRY",
       "ACKNOWLEDGE", "ALERT", "BACKSPACE", "CHARACTER TABULATION", "LINE FEED", "LINE TABULATION", "FORM FEED",
       "CARRIAGE RETURN", "SHIFT OUT", "SHIFT IN", "DATA LINK ESCAPE", "DEVICE CONTROL ONE", "DEVICE CONTROL TWO",
       "DEVICE CONTROL THREE", "DEVICE CONTROL FOUR", "NEGATIVE ACKNOWLEDGE", "SYNCHRONOUS IDLE",
       "END OF TRANSMISSION BLOCK", "CANCEL", "END OF MEDIUM", "SUBSTITUTE", "ESCAPE", "INFORMATION SEPARATOR FOUR",
       "INFORMATION SEPARATOR THREE", "INFORMATION SEPARATOR TWO", "INFORMATION SEPARATOR ONE")
_C1 = ("PADDING CHARACTER", "HIGH OCTET PRESET", "BREAK PERMITTED HERE", "NO BREAK HERE", "INDEX", "NEXT LINE",
       "START OF SELECTED AREA", "END OF SELECTED AREA", "CHARACTER TABULATION SET",
       "CHARACTER TABULATION WITH JUSTIFICATION", "LINE TABULATION SET", "PARTIAL LINE FORWARD",
       "PARTIAL LINE BACKWARD", "REVERSE LINE FEED", "SINGLE SHIFT TWO", "SINGLE SHIFT THREE", "DEVICE CONTROL STRING",
       "PRIVATE USE ONE", "PRIVATE USE TWO", "SET TRANSMIT STATE", "CANCEL CHARACTER", "MESSAGE WAITING",
       "START OF GUARDED AREA", "END OF GUARDED AREA", "START OF STRING", "SINGLE GRAPHIC CHARACTER INTRODUCER",
       "SINGLE CHARACTER INTRODUCER", "CONTROL SEQUENCE INTRODUCER", "STRING TERMINATOR", "OPERATING SYSTEM COMMAND",
       "PRIVACY MESSAGE", "APPLICATION PROGRAM COMMAND")

#: C0 and C1 controls, DEL, U+2028/U+2029, the bidi embeddings/overrides (U+202A-U+202E) and isolates
#: (U+2066-U+2069). ZWJ, ZWNJ, LRM and RLM are not here: scripts and names need them.
_HOSTILE_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_FREE_TEXT_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_SHOW_TABLE = {c: REPLACEMENT for c in [*range(0x20), *range(0x7f, 0xa0), 0x2028, 0x2029, *range(0x202a, 0x202f),
                                        *range(0x2066, 0x206a)]}
_SHOW_MULTILINE = {c: r for c, r in _SHOW_TABLE.items() if c not in (0x09, 0x0a)}


def char_name(ch: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE``: the code point and its name (controls by their alias)."""
    code = ord(ch)
    if code < 0x20:
        name = _C0[code]
    elif code == 0x7f:
        name = "DELETE"
    elif 0x80 <= code < 0xa0:
        name = _C1[code - 0x80]
    else:
        name = unicodedata.name(ch, "UNNAMED CHARACTER")
    return f"U+{code:04X} {name}"


def hostile_chars(text: str, *, multiline: bool = False, limit: int = 3) -> list[str]:
    """The characters ``text`` may not hold, as ``U+202E RIGHT-TO-LEFT OVERRIDE at position 4`` (position
    counted from 1), at most ``limit`` of them. ``multiline``: tab, line feed and carriage return are allowed
    (a memo or a description), everything else in the list is still refused."""
    pattern = _FREE_TEXT_RE if multiline else _HOSTILE_RE
    out = []
    for m in pattern.finditer(text):
        out.append(f"{char_name(m.group())} at position {m.start() + 1}")
        if len(out) >= limit:
            break
    return out


def nfc(text: str) -> str:
    """Unicode NFC: how names are stored and compared."""
    return unicodedata.normalize("NFC", text) if not text.isascii() else text


def safe_text(text: Any, *, multiline: bool = True, limit: int | None = None) -> str:
    """``text`` as it may be printed or drawn: every control character, line/paragraph separator and bidi
    control becomes U+FFFD (``multiline`` keeps tab and line feed). ``limit``: at most that many
    characters, then a note of how many more there are (a 10 MB name is not drawn whole)."""
    text = text if isinstance(text, str) else str(text)
    more = 0
    if limit is not None and len(text) > limit:
        more = len(text) - limit
        text = text[:limit]
    text = text.translate(_SHOW_MULTILINE if multiline else _SHOW_TABLE)
    return f"{text}... ({more:,} more characters)" if more else text


# --- CSV --------------------------------------------------------------------------------------------

_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CENT = Decimal("0.01")


def csv_cell(value: Any, *, money: bool = False) -> Any:
    """One cell: an amount with two decimals; a text that a spreadsheet would run as a formula (starts
    with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) prefixed with ``'``; plain numbers and
    ISO dates as they are."""
    if value is None:
        return ""
    if money:
        try:
            return str(Decimal(str(value)).quantize(_CENT, rounding=ROUND_HALF_UP))
        except InvalidOperation:
            pass  # not a number: written as text, below
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        text = str(value)
        if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(text):
            return "'" + text
        return text
    return value


def csv_text(rows: Iterable[Mapping[str, Any]], fields: Sequence[str], *, money: Iterable[str] = ()) -> str:
    """Every export's CSV: a header of ``fields``, then one line per row (extra keys ignored); the
    ``money`` fields with two decimals; formulas inert (:func:`csv_cell`)."""
    money_fields = frozenset(money)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(fields)
    for row in rows:
        writer.writerow([csv_cell(row.get(f), money=f in money_fields) for f in fields])
    return out.getvalue()
