"""QBO's faults as typed exceptions, parsed from every body shape QBO answers with.

Shapes: the JSON `{"Fault":{"Error":[...],"type":..}}` (also inside HTTP 200 and batch items),
the lowercase 401 `{"fault":{"error":[...],"type":..}}`, and the XML 429 `<Fault type="SERVICE">`.
No exception message ever carries a token or the client secret: callers pass the secrets in play
to `redact`, and every fault built here from a server body goes through it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import Any

import orjson

from qbtui.errors import (
    COMPANY_FAULTS,
    FAULT_COMPANY_STATUS,
    FAULT_DUPLICATE_DOC_NUMBER,
    FAULT_DUPLICATE_NAME,
    FAULT_INACTIVE_REFERENCE,
    FAULT_NO_ACCESS,
    FAULT_NOT_AUTHORIZED,
    FAULT_PERIOD_CLOSED,
    FAULT_STALE_OBJECT,
    FAULT_THROTTLED,
    QbtuiError,
)

__all__ = ["COMPANY_FAULTS", "CompanyFault", "CompanyUnavailable", "FAULT_DUPLICATE_DOC_NUMBER", "FAULT_DUPLICATE_NAME", "FAULT_INACTIVE_REFERENCE", "FAULT_PERIOD_CLOSED",
           "FAULT_STALE_OBJECT", "FAULT_THROTTLED", "READ_ONLY_MESSAGE", "QBOFault", "ReconnectRequired",
           "UnknownOutcome", "WritesRefused", "fault_for_response", "fault_from_dict", "parse_fault", "redact"]

RECONNECT_MESSAGE = "the QuickBooks connection has expired or was revoked: run `qbtui connect` again"

_WORD = re.compile(r"[A-Za-z0-9._~+/=\-]{8,}")


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """Replace each secret, and any long word that is part of one (a 401 quotes a token's head), by `***`."""
    if not text:
        return text
    live = [s for s in secrets if s and len(s) >= 8]
    if not live:
        return text
    for s in live:
        text = text.replace(s, "***")

    def hide(m: re.Match[str]) -> str:
        word = m.group(0).rstrip(".")
        return "***" if any(word in s for s in live) else m.group(0)

    return _WORD.sub(hide, text)


def network_words(exc: BaseException) -> str:
    """A failure of the network in words, for messages and a fault's detail (a person never reads an exception's
    class name): no connection made, no answer in time, the connection cut off mid-request."""
    name = type(exc).__name__
    if "Timeout" in name:
        return "no answer in time"
    if name in ("ConnectError", "UnsupportedProtocol") or isinstance(exc, ConnectionRefusedError):
        return "no connection could be made (no network, a firewall, or the server is down)"
    if "Protocol" in name or name in ("ReadError", "WriteError", "NetworkError", "CloseError"):
        return "the connection was cut off mid-request"
    return "a network error"


class QBOFault(QbtuiError):
    """A fault QuickBooks answered with (or the client's stand-in for one). `str()` is safe to show."""

    title = "QuickBooks refused the request"

    def __init__(self, code: str | int, message: str, detail: str = "", *, element: str = "",
                 status: int = 0, fault_type: str = "", errors: list[dict[str, str]] | None = None,
                 intuit_tid: str = "") -> None:
        self.code = str(code)
        #: the answer's ``intuit_tid`` (response header Intuit-Tid): what Intuit support asks for ("" if none)
        self.intuit_tid = intuit_tid or ""
        self.message = message or ""
        self.detail = detail or ""
        self.element = element or ""
        self.status = int(status)
        self.fault_type = fault_type or ""
        #: every Error of the Fault (QBO may send several); the first one is the one above
        self.errors = errors or [{"code": self.code, "message": self.message, "detail": self.detail,
                                  "element": self.element}]
        super().__init__(self._text())

    def _text(self) -> str:
        head = f"QuickBooks fault {self.code}"
        extra = ", ".join(x for x in (self.fault_type, f"HTTP {self.status}" if self.status else "") if x)
        if extra:
            head += f" ({extra})"
        text = f"{head}: {self.message}"
        if self.detail and self.detail != self.message:
            text += f": {self.detail}"
        if self.element:
            text += f" [element {self.element}]"
        return text

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, status={self.status}, fault_type={self.fault_type!r})"

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:  # picklable across processes, keyword arguments included
        return (_rebuild, (type(self), self.code, self.message, self.detail, self.element, self.status,
                           self.fault_type, self.errors, self.intuit_tid))

    @property
    def is_throttle(self) -> bool:
        return self.code == FAULT_THROTTLED


def _rebuild(cls: type[QBOFault], code: str, message: str, detail: str, element: str, status: int, fault_type: str,
             errors: list[dict[str, str]] | None, intuit_tid: str = "") -> QBOFault:
    obj = cls.__new__(cls)
    QBOFault.__init__(obj, code, message, detail, element=element, status=status, fault_type=fault_type,
                      errors=errors, intuit_tid=intuit_tid)
    return obj


class CompanyFault(QBOFault):
    """A fault about the whole company (the connection, the user's access, the subscription), never about one
    document: whatever sends stops at once (``qbtui sync``: exit code 2) and marks no document failed."""

    title = "QuickBooks refuses this company's requests"


class ReconnectRequired(CompanyFault):
    """The refresh token is dead (`invalid_grant`) or a refreshed token is still refused: reconnect."""

    title = "The QuickBooks connection needs renewing"
    hint = "run `qbtui connect` again"

    def __init__(self, code: str | int = "invalid_grant", message: str = RECONNECT_MESSAGE, detail: str = "", *,
                 element: str = "", status: int = 0, fault_type: str = "AUTHENTICATION",
                 errors: list[dict[str, str]] | None = None, intuit_tid: str = "") -> None:
        super().__init__(code, message, detail, element=element, status=status, fault_type=fault_type,
                         errors=errors, intuit_tid=intuit_tid)

    def _text(self) -> str:
        return RECONNECT_MESSAGE if self.message == RECONNECT_MESSAGE else super()._text()


COMPANY_MESSAGES = {
    FAULT_NOT_AUTHORIZED: ("QuickBooks refused qbtui access to this company (fault 3100, HTTP 403: the app is not "
                           "authorized for it any more)",
                           "reconnect with `qbtui connect` (as an admin of the company, to the right environment); "
                           "if it persists, check in QuickBooks that the app is still connected"),
    FAULT_NO_ACCESS: ("QuickBooks says the connected user has no access to this company any more (fault 120, "
                      "Authorization Failure)",
                      "ask the company's admin to restore your access (or connect as a user who has it) and run "
                      "`qbtui connect` again"),
    FAULT_COMPANY_STATUS: ("QuickBooks refuses to add data to this company: its subscription has ended, was "
                           "cancelled or has a billing problem (fault 6190, Invalid Company Status)",
                           "check the subscription in QuickBooks (Settings > Account and settings > Billing & "
                           "subscription), then sync again; nothing was marked failed"),
}


class CompanyUnavailable(CompanyFault):
    """3100 (the app is not authorized for the company), 120 (the user lost access) or 6190 (the subscription
    ended): no request for this company can succeed until a person acts. ``str()`` says what happened and
    ``hint`` what to do."""

    def __init__(self, code: str | int, message: str = "", detail: str = "", *, element: str = "", status: int = 0,
                 fault_type: str = "", errors: list[dict[str, str]] | None = None, intuit_tid: str = "") -> None:
        super().__init__(code, message, detail, element=element, status=status, fault_type=fault_type,
                         errors=errors, intuit_tid=intuit_tid)

    @property
    def hint(self) -> str:
        return getattr(self, "_hint", "") or COMPANY_MESSAGES.get(
            self.code, ("", "check the company in QuickBooks, then sync again"))[1]

    @hint.setter
    def hint(self, value: str) -> None:  # an instance may replace it, as any QbtuiError's
        self._hint = value

    def _text(self) -> str:
        what = COMPANY_MESSAGES.get(self.code, (f"QuickBooks refuses this company's requests (fault {self.code})",))[0]
        quoted = self.detail or self.message
        text = f"{what}: {quoted}" if quoted else what
        return text + (f" [intuit_tid {self.intuit_tid}]" if self.intuit_tid else "")

    @classmethod
    def of(cls, fault: QBOFault) -> CompanyUnavailable:
        return cls(fault.code, fault.message, fault.detail, element=fault.element, status=fault.status,
                   fault_type=fault.fault_type, errors=fault.errors, intuit_tid=fault.intuit_tid)


def company_fault(fault: QBOFault) -> CompanyUnavailable | None:
    """The fault as a :class:`CompanyUnavailable` when it concerns the whole company (3100, 120, 6190, or any
    HTTP 403), else None."""
    if isinstance(fault, CompanyFault):
        return None
    if fault.code in COMPANY_FAULTS or fault.status == 403:
        return CompanyUnavailable.of(fault)
    return None


class UnknownOutcome(QbtuiError):
    """The request was sent and no answer came back: look the object up before sending it again.

    Resending with the same `request_id` replays the original answer when QBO did act.
    """

    title = "No answer from QuickBooks"
    hint = "sync again: what may have been sent is looked up in QuickBooks first"

    def __init__(self, request_id: str, method: str = "", path: str = "", reason: str = "") -> None:
        self.request_id = request_id
        self.method = method
        self.path = path
        self.reason = reason
        where = f" {method} {path}".rstrip() if method else ""
        super().__init__(f"no answer from QuickBooks to{where or ' a request'} (requestid {request_id})"
                         + (f": {reason}" if reason else "") + "; look the object up before resending")

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (UnknownOutcome, (self.request_id, self.method, self.path, self.reason))


# --- parsing --------------------------------------------------------------------------------

def _get(d: dict[str, Any], *names: str) -> Any:
    for n in names:
        if n in d:
            return d[n]
    lower = {k.lower(): v for k, v in d.items()}
    for n in names:
        if n.lower() in lower:
            return lower[n.lower()]
    return None


def _s(v: Any) -> str:
    return "" if v is None else str(v)


def fault_from_dict(fault: dict[str, Any], status: int = 0, secrets: Iterable[str | None] = (),
                    intuit_tid: str = "") -> QBOFault:
    """Build a QBOFault from the value of a `Fault` (or lowercase `fault`) key."""
    secrets = list(secrets)
    raw_errors = _get(fault, "Error", "error") or []
    if isinstance(raw_errors, dict):
        raw_errors = [raw_errors]
    errors = []
    for e in raw_errors:
        if not isinstance(e, dict):
            continue
        errors.append({"code": _s(_get(e, "code", "Code")),
                       "message": redact(_s(_get(e, "Message", "message")), secrets),
                       "detail": redact(_s(_get(e, "Detail", "detail")), secrets),
                       "element": _s(_get(e, "element", "Element"))})
    fault_type = _s(_get(fault, "type", "Type"))
    if not errors:
        errors = [{"code": "unknown", "message": "QuickBooks answered with a fault without errors",
                   "detail": "", "element": ""}]
    first = errors[0]
    return QBOFault(first["code"] or "unknown", first["message"], first["detail"], element=first["element"],
                    status=status, fault_type=fault_type, errors=errors, intuit_tid=intuit_tid)


def _fault_from_xml(content: bytes, status: int, secrets: list[str | None]) -> QBOFault | None:
    try:
        root = ET.fromstring(content)
    except ET.ParseError:
        return None

    def local(tag: str) -> str:
        return tag.rsplit("}", 1)[-1]

    fault = root if local(root.tag) == "Fault" else next((el for el in root.iter() if local(el.tag) == "Fault"), None)
    if fault is None:
        return None
    errors = []
    for err in fault:
        if local(err.tag) != "Error":
            continue
        fields = {local(child.tag): (child.text or "").strip() for child in err}
        errors.append({"code": err.get("code", ""), "message": redact(fields.get("Message", ""), secrets),
                       "detail": redact(fields.get("Detail", ""), secrets), "element": err.get("element", "")})
    if not errors:
        errors = [{"code": "unknown", "message": "QuickBooks answered with a fault without errors",
                   "detail": "", "element": ""}]
    first = errors[0]
    return QBOFault(first["code"] or "unknown", first["message"], first["detail"], element=first["element"],
                    status=status, fault_type=fault.get("type", ""), errors=errors)


def parse_fault(status: int, content: bytes, secrets: Iterable[str | None] = ()) -> QBOFault | None:
    """The fault in a response body (JSON Fault, lowercase 401 fault, or XML), or None if there is none."""
    secrets = list(secrets)
    text = content.lstrip()
    if not text:
        return None
    if text[:1] == b"<":
        return _fault_from_xml(text, status, secrets)
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    fault = data.get("Fault") or data.get("fault")
    if isinstance(fault, dict):
        return fault_from_dict(fault, status, secrets)
    return None


def fault_for_response(status: int, content: bytes, secrets: Iterable[str | None] = ()) -> QBOFault:
    """Always a QBOFault for an error response: the parsed one, or a stand-in naming the HTTP status."""
    secrets = list(secrets)
    fault = parse_fault(status, content, secrets)
    if fault is not None:
        return fault
    snippet = redact(content[:200].decode("utf-8", "replace").strip(), secrets)
    code = "10000" if status >= 500 else str(status)
    return QBOFault(code, f"HTTP {status} from QuickBooks", snippet, status=status,
                    fault_type="SystemFault" if status >= 500 else "")


READ_ONLY_MESSAGE = ("writing to QuickBooks is disabled: this profile is set to \"From QuickBooks only\" (qbtui reads "
                     "from QuickBooks and writes nothing; `qbtui integration enable` turns writing back on)")
"""The one message of the read-only rule (the guard: qbtui.sync.readonly.check_writes_allowed)."""


class WritesRefused(QbtuiError, ValueError):
    """A write was asked of a read-only profile or connection ("From QuickBooks only"): nothing was sent.
    The one exception of the read-only rule, whoever refuses (the sync, the wizard's steps, the maintenance
    commands, the client itself); a ValueError too, so that every command reports it as a refusal."""

    title = "This profile only reads from QuickBooks"
    hint = "`qbtui integration enable` turns writing back on"

    def __init__(self, message: str = READ_ONLY_MESSAGE) -> None:
        super().__init__(message)
