"""The shapes of what the cache keeps besides documents: links (a document's QuickBooks side), the outcomes
that change them, the errors they carry, and run records. Declared once, here, where they are stored; the
sync engine, maintenance and the dashboard name them instead of ``dict[str, Any]``.

They are ``TypedDict``: plain dicts at run time (what the cache stores and reads back as JSON), typed for
the reader and for mypy. ``Cache.record_outcomes`` checks an outcome's fields when it is recorded.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, Required, TypedDict

LinkStatus = Literal["synced", "failed", "voided", "sending", "conflict", "summarized"]
"""A link's own status (``None`` before anything was sent); the eight words a document shows (pending,
synced, summarized, failed, conflict, blocked, skipped, voided) are derived from it by :func:`qbtui.cache.status.document_status`."""


class ErrorRecord(TypedDict):
    """Why a document failed, as stored on its link and shown everywhere: QuickBooks' fault code (or a
    qbtui code such as ``sync.no_answer``), its message and detail, and what to do about it."""

    code: str
    message: str
    detail: str
    hint: str
    intuit_tid: NotRequired[str]  # the failed answer's intuit_tid (response header Intuit-Tid): for Intuit support
    holder: NotRequired[dict[str, Any]]  # after a 6240 or 6140: the QBO object that holds the name or number


class QBOPart(TypedDict, total=False):
    """One QuickBooks object a document became (an invoice, its COGS journal...). ``key`` names the part
    within the document; ``linked`` marks an object QuickBooks already had (found by name, never undone)."""

    key: str
    entity: Required[str]
    id: Required[str]
    sync_token: str
    linked: bool
    baseline: dict[str, Any]  # QBO's copy as qbtui last wrote or accepted it: {"sync_token", "fields": {name: hash}}
    origin: str


class LinkEvent(TypedDict, total=False):
    """One line of a link's ``history`` (the last 20 are kept)."""

    at: str | None
    status: LinkStatus | None
    run: str
    error: str  # the error's code
    qbo: list[str]  # the ids of the parts
    note: str  # what this attempt left undone on purpose, in words (the link's ``note``)


class Link(TypedDict):
    """A document's QuickBooks side, as ``Cache.link`` and ``Cache.links`` return it."""

    type: str
    ref: str
    status: LinkStatus | None
    qbo: list[QBOPart]
    synced_rev: int | None
    error: ErrorRecord | None
    run: str | None
    history: list[LinkEvent]
    replaced: NotRequired[list[dict[str, Any]]]  # QBO objects it had before it was re-sent (deleted in QuickBooks)
    note: NotRequired[str | None]  # what the last sync left undone on purpose ("credit left unapplied: ...")


class SummaryRef(TypedDict):
    """The summary a ``summarized`` document is in (qbtui.ledger.summaries): its reference (the summary key's
    ``ref``), the QBO entity and Id it became."""

    ref: str
    entity: str
    id: str


class Outcome(TypedDict, total=False):
    """What one attempt changes on a link (``Cache.record_outcomes``): fields not given keep their value."""

    type: Required[str]
    ref: Required[str]
    status: LinkStatus
    qbo: list[QBOPart]
    synced_rev: int | None
    error: ErrorRecord | None
    run: str | None
    replaced: list[dict[str, Any]]
    summary: SummaryRef | None
    note: str | None


class RunObject(TypedDict):
    """A QuickBooks object a run created (``created``: what undo removes)."""

    type: str
    ref: str
    entity: str
    id: str


class ChangedObject(RunObject):
    """A QuickBooks object a run updated in place, voided or deleted (``changed``)."""

    operation: str
    sync_token: str


class Run(TypedDict, total=False):
    """A run record (``Cache.add_run``, ``Cache.runs``: newest first). ``kind`` is ``sync``, ``scheduled``,
    ``undo`` or ``maintenance`` (then ``action`` or ``note`` says which); a run still going has ``ended``
    None; one stopped by a kill or Ctrl+C is ``interrupted``. A maintenance run may carry fields of its own
    (a date range, a filter start date)."""

    id: Required[str]
    kind: Required[str | None]
    started: Required[str]
    ended: Required[str | None]
    counts: Required[dict[str, int]]
    created: Required[list[RunObject]]
    changed: list[ChangedObject]
    who: str
    interrupted: bool
    action: str
    note: str
    undoes: str  # an undo: the run it undoes
    undone_by: str  # a run that was undone: the undo's id
    removed: list[RunObject]  # an undo: what it removed from QuickBooks
    failures: list[RunFailure]  # a sync: every failed answer, with its intuit_tid
    stopped: RunStop  # a sync stopped by a fault about the whole company (3100, 120, 6190, a dead connection)


class RunFailure(TypedDict):
    """One failed answer of a run (``Run.failures``)."""

    type: str
    ref: str
    entity: str
    code: str
    intuit_tid: str


class RunStop(TypedDict):
    """What stopped a run (``Run.stopped``): the fault, what to do, and its intuit_tid."""

    code: str
    message: str
    hint: str
    intuit_tid: str
