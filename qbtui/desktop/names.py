"""Desktop's length limits, and how a name or RefNumber longer than Desktop allows is shortened.

The limits are the qbXML 13.0 schema's maxLength (docs/desktop.md#length-limits). A text that does not fit is cut with
the hash rule of QBO's DocNumber (qbtui.ledger.refs: the first characters, ``~``, 8 base36 characters of SHA-256 of the
whole text), sized for Desktop's limit, so that two long texts sharing a prefix never collide; the full text goes to
the object's description, notes or memo (qbtui.desktop.qbxml)."""

from __future__ import annotations

from qbtui.ledger.refs import HASH_LEN, ref_hash

#: RefNumber's maxLength per transaction (qbXML 13.0 schema, the XxxAdd aggregates)
REF_NUMBER: dict[str, int] = {
    "Invoice": 11, "CreditMemo": 11, "Estimate": 11, "PurchaseOrder": 11, "JournalEntry": 11,
    "BillPaymentCheck": 11, "Bill": 20, "VendorCredit": 20, "ReceivePayment": 20,
}
#: Name's maxLength per list (CustomerAdd and VendorAdd 41, ItemNonInventoryAdd and ItemServiceAdd 31)
NAME: dict[str, int] = {"Customer": 41, "Vendor": 41, "Item": 31}
#: FullName joins a list element to its parents with ":" (the OSR's FullName), so a Name never holds one
FORBIDDEN = ":"
_ALPHABET = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_TAIL = HASH_LEN + 1  # "~" and the hash


def looks_shortened(text: str) -> bool:
    """Whether ``text`` has the shape of a shortened text (``~`` then 8 base36 characters at its end)."""
    return len(text) >= _TAIL and text[-_TAIL] == "~" and set(text[-HASH_LEN:]) <= _ALPHABET


def fit(text: str, limit: int, *, forbidden: str = "") -> str:
    """``text`` itself when it fits in ``limit`` characters, holds none of ``forbidden`` and does not look shortened;
    else its first ``limit - 9`` characters (each forbidden one as ``-``), ``~`` and the hash of the whole text. A
    text that already has the shortened shape is hashed too, so that no text sent as is equals another's short form."""
    if limit <= _TAIL:
        raise ValueError(f"a limit of {limit} leaves no room for the hash")
    if len(text) <= limit and not any(c in text for c in forbidden) and not looks_shortened(text):
        return text
    head = text[:limit - _TAIL]
    for c in forbidden:
        head = head.replace(c, "-")
    return f"{head}~{ref_hash(text)}"


def ref_number(entity: str, ref: str) -> str:
    """The RefNumber of ``ref`` on a Desktop ``entity`` (a qbXML name: "Invoice", "BillPaymentCheck")."""
    return fit(ref, REF_NUMBER[entity])


def list_name(entity: str, name: str) -> str:
    """The Name of a list element ("Customer", "Vendor", "Item"), also how references to it spell its FullName."""
    return fit(name.strip(), NAME[entity], forbidden=FORBIDDEN)
