"""References: QBO's DocNumber (at most 21 characters) and the memo fields that carry the full ref."""

from __future__ import annotations

import hashlib

DOC_NUMBER_MAX = 21
KEEP = 12
HASH_LEN = 8
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # case-insensitive-safe: QBO may compare case-blind


def _hash(ref: str) -> str:
    n = int.from_bytes(hashlib.sha256(ref.encode("utf-8")).digest()[:8], "big")
    out = []
    for _ in range(HASH_LEN):
        n, r = divmod(n, 36)
        out.append(_ALPHABET[r])
    return "".join(out)


def ref_hash(ref: str) -> str:
    """The hash part of a shortened ref (8 base36 characters of SHA-256 of the whole ref): the rule every shortened
    reference of qbtui follows (QBO's DocNumber here, Desktop's names and RefNumbers in qbtui.desktop.names)."""
    return _hash(ref)


def _looks_hashed(ref: str) -> bool:
    return len(ref) == DOC_NUMBER_MAX and ref[KEEP] == "~"


def doc_number(ref: str) -> str:
    """``ref`` itself when it fits in 21 characters; else its first 12 characters, ``~`` and 8
    characters of a hash of the whole ref (base36 of SHA-256), so that long refs sharing a prefix
    never collide. A short ref that already has that shape (21 characters, ``~`` at position 13)
    is hashed too, so that no ref sent as is can equal the hashed form of another."""
    if len(ref) <= DOC_NUMBER_MAX and not _looks_hashed(ref):
        return ref
    return f"{ref[:KEEP]}~{_hash(ref)}"


def txn_memo(text: str, limit: int = 4000) -> str:
    """A memo field's text, cut to QBO's limit (PrivateNote 4000, CustomerMemo 1000)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
