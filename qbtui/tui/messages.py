"""What the Backend's work tells the screens, as Textual Messages (one per event kind of
``qbtui.sync.events``). Progress coalesces: when several wait in a queue only the newest is handled, so
a fast child process never floods the UI with repaints."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from textual.message import Message

from qbtui.sync.events import DocumentEvent, Progress


class UploadProgress(Message):
    """How far a running upload is (``progress`` event); a newer one replaces one still queued."""

    def __init__(self, progress: Progress) -> None:
        super().__init__()
        self.progress = progress

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, UploadProgress)


class DocumentChanged(Message):
    """One document's outcome (``document`` event): its row follows."""

    def __init__(self, event: DocumentEvent) -> None:
        super().__init__()
        self.event = event


class BackendLog(Message):
    """A line of a child process that is not an event (``log``)."""

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message


@dataclass
class UploadOutcome:
    """How an upload ended: the documents that failed, the exit code, why it could not run (or None)."""

    failed: list[dict[str, Any]] = field(default_factory=list)
    exit_code: int | None = None
    error: str | None = None
    #: the error's code and hint (the CLI's JSON error: ``preflight.<check>`` when the preflight kept a first sync)
    error_code: str = ""
    hint: str = ""
    queued: int | None = None
    """On a QuickBooks Desktop profile: how many documents wait for the Web Connector's next session (nothing was
    sent: ``qbtui sync`` queues there); ``message`` says so, and when it last called."""
    message: str = ""


class UploadFinished(Message):
    """The upload's child process ended (always the last message of an upload)."""

    def __init__(self, outcome: UploadOutcome) -> None:
        super().__init__()
        self.outcome = outcome
