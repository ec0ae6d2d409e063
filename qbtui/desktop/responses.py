"""QuickBooks' answers to a request set: one outcome per request (its requestID, status and the ids Desktop gave),
and what each status code means for the document (docs/desktop.md#status-codes)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

#: statusCode -> (outcome kind, hint for the user). 0 is success; the others are Desktop's (docs/desktop.md#status-codes)
STATUS: dict[int, tuple[str, str | None]] = {
    0: ("ok", None),
    1: ("no_match", "no object matched the query"),
    3100: ("name_in_use", "the name is already used in QuickBooks (customers, vendors, employees and other names "
                          "share one list of names): rename one of them, or link the document to the existing one"),
    3120: ("not_found", "an object it names was not found in QuickBooks: send that one first, or check the mapping"),
    3140: ("bad_reference", "a reference (account, item, customer, vendor, terms, tax code) is not in the company "
                            "file: check the mapping (`qbtui map`) and pull the lists again"),
    3170: ("cannot_save", "QuickBooks could not save it (another user editing the record, or a closed period): it "
                          "is tried again in the next session"),
    3180: ("cannot_save", "QuickBooks could not save it (another user editing the list, or a closed period): it is "
                          "tried again in the next session"),
    3200: ("stale_edit_sequence", "it was changed in QuickBooks since qbtui read it: it is read again and the change "
                                  "applied again"),
}
RETRYABLE = frozenset({"cannot_save", "stale_edit_sequence"})


@dataclass(frozen=True)
class Outcome:
    request_id: str
    name: str
    """The response aggregate: "InvoiceAddRs"."""
    code: int
    severity: str
    message: str
    rets: tuple[ET.Element, ...] = field(default=(), compare=False)
    """The XxxRet aggregates (the objects added, changed or found)."""

    @property
    def ok(self) -> bool:
        return self.code == 0 or self.severity.lower() in ("info", "warn", "warning") and self.code != 1

    @property
    def kind(self) -> str:
        return STATUS.get(self.code, ("error", None))[0] if self.code else "ok"

    @property
    def hint(self) -> str | None:
        return STATUS.get(self.code, ("error", None))[1]

    @property
    def retryable(self) -> bool:
        return self.kind in RETRYABLE

    def ids(self) -> dict[str, str]:
        """ListID or TxnID and EditSequence of the first object answered (empty: none)."""
        if not self.rets:
            return {}
        ret = self.rets[0]
        return {tag: ret.findtext(tag) or "" for tag in ("ListID", "TxnID", "EditSequence", "RefNumber", "FullName")
                if ret.find(tag) is not None}


def parse(response: str) -> list[Outcome]:
    """The outcomes of a qbXML response (``<QBXML><QBXMLMsgsRs>``), in order. ValueError: not a qbXML response."""
    if "<!DOCTYPE" in response.upper():
        raise ValueError("a DOCTYPE is not accepted")
    try:
        root = ET.fromstring(response.lstrip("\ufeff").strip())
    except ET.ParseError as exc:
        raise ValueError(f"the response is not XML: {exc}") from None
    msgs = root.find("QBXMLMsgsRs")
    if root.tag != "QBXML" or msgs is None:
        raise ValueError("not a qbXML response")
    out = []
    for rs in msgs:
        try:
            code = int(rs.get("statusCode", "0"))
        except ValueError:
            code = -1
        out.append(Outcome(rs.get("requestID", ""), rs.tag, code, rs.get("statusSeverity", ""),
                           rs.get("statusMessage", ""), tuple(c for c in rs if c.tag.endswith("Ret"))))
    return out
