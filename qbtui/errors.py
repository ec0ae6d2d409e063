"""The one error base, and the QuickBooks fault codes qbtui treats specially. Below every room (it
imports nothing of qbtui), so that any room, the TUI included, can name them.

The tree (each room's module adds its own leaves)::

    QbtuiError                      title + hint: what went wrong, and how to fix it
    +-- qbtui.cache.errors.CacheError   (CacheLocked, CacheCorrupt)
    +-- qbtui.settings.SettingError     (also a ValueError)
    +-- qbtui.qbo.errors.QBOFault       (ReconnectRequired)
    +-- qbtui.qbo.errors.UnknownOutcome
    +-- qbtui.qbo.errors.WritesRefused  (also a ValueError): the read-only rule ("From QuickBooks only")

A message (``str(exc)``) says what happened and where; ``title`` names the kind of problem in a few
words (a dialog's title, a JSON error's summary); ``hint`` says how to fix it ("" when the message does).
"""

from __future__ import annotations

from typing import ClassVar


class QbtuiError(Exception):
    """An error a person can act on: ``str()`` is safe to show (no secret, no traceback needed)."""

    title: ClassVar[str] = "qbtui could not do it"
    #: how to fix it; a class default, which an instance may replace (``exc.hint = ...``)
    hint: str = ""


# --- QuickBooks fault codes with a meaning of their own -----------------------------------------
# (docs/qbo.md: what each one means and what qbtui does about it)

FAULT_INACTIVE_REFERENCE = "610"
"""Object Not Found: the contact or item the request names was made inactive (or deleted) in QuickBooks."""
FAULT_THROTTLED = "3001"
"""ThrottleExceeded: too many requests; wait and send again (the client does)."""
FAULT_STALE_OBJECT = "5010"
"""Stale Object Error: the SyncToken sent is not the object's current one (someone changed it since)."""
FAULT_DUPLICATE_DOC_NUMBER = "6140"
"""Duplicate Document Number: another transaction of that kind already has this number."""
FAULT_DUPLICATE_NAME = "6240"
"""Duplicate Name Exists: customers, vendors and employees share one name space in QuickBooks."""
FAULT_PERIOD_CLOSED = "6210"
"""Account Period Closed: the date is on or before the company's book close date."""
FAULT_NOT_AUTHORIZED = "3100"
"""ApplicationAuthorizationFailed (HTTP 403): the app may no longer reach this company (disconnected, or the
connection belongs to another environment or company)."""
FAULT_NO_ACCESS = "120"
"""Authorization Failure (HTTP 401, "You do not have access to use QuickBooks Online"): the user who connected
lost access to the company."""
FAULT_COMPANY_STATUS = "6190"
"""Invalid Company Status: the company's subscription ended, was cancelled or has a billing problem (QBO then
allows reads only)."""

COMPANY_FAULTS = frozenset({FAULT_NOT_AUTHORIZED, FAULT_NO_ACCESS, FAULT_COMPANY_STATUS})
"""Faults about the whole company, never about one document: a run stops at the first one (exit code 2) and
marks no document failed (docs/qbo.md#errors)."""

FAULT_FAMILY: dict[str, str] = {
    FAULT_PERIOD_CLOSED: "dates", FAULT_DUPLICATE_NAME: "names", FAULT_INACTIVE_REFERENCE: "names",
    "2500": "names", FAULT_DUPLICATE_DOC_NUMBER: "names", "2050": "names", FAULT_STALE_OBJECT: "other",
}
"""What fixes a QuickBooks fault, as the error families of the gates (ledger.gates.FAMILIES): the one table
the dashboard groups failed documents by."""
FAULT_FAMILY.update({  # QuickBooks Desktop's status codes, as qbtui.desktop.send records them (docs/desktop.md#status-codes)
    "desktop_3100": "names", "desktop_3140": "mappings", "desktop_3120": "dependencies", "desktop_3200": "other",
    "desktop_3170": "other", "desktop_3180": "other", "desktop_untranslatable": "other",
})
