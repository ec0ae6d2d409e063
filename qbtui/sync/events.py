"""The one event vocabulary qbtui's child processes speak (``qbtui ... --events``), declared once.

A command run for the dashboard writes JSON lines on stdout, one event a line, each an object whose
``event`` names its kind; the dashboard (``qbtui.tui.backend``) reads them back with :func:`decode`
and turns them into Textual Messages. Kinds:

    progress   {"event": "progress", "total", "sent", "ok", "failed", "remaining", "rate_per_min"}
    document   {"event": "document", "type", "ref", "status", "qbo_ids": [...], "error": {code, message, hint} | null}
    log        {"event": "log", "message"}                    a line for the log (any line that is not an event)
    error      {"event": "error", "message", "code", "hint"}  why the command could not do its work
    result     {"event": "result", "kind", "data"}            what a command that answers returns (gates, a document);
                                                             a long list comes as several results of one kind
                                                             (RESULT_PART items each), to be joined in order
    done       {"event": "done", "exit_code"}                 always the last line

``error.code`` is the code of the CLI's JSON error (docs/cli.md), so that no caller parses messages:
``profile_busy`` (another process holds the profile: try again later), ``refused`` (the input is not valid:
fix it), ``could_not_run`` and the others. The exit codes are the CLI's: 0 done, 1 refused or partly failed,
2 could not run, 130 interrupted.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from typing import Any, Literal, TextIO, TypedDict

from qbtui.limits import BATCH_MAX_ITEMS, Limits

EVENT_KINDS = ("progress", "document", "log", "error", "result", "done")
#: the most items of a list one ``result`` event holds: a reader decodes a line at a time, so that the gates of
#: 100,000 documents never hold the interpreter (and the screen) for the whole list at once
RESULT_PART = 2000
BUSY = "profile_busy"
REFUSED = "refused"


class Progress(TypedDict, total=False):
    event: Literal["progress"]
    total: int
    sent: int
    ok: int
    failed: int
    remaining: int
    rate_per_min: float


class DocumentEvent(TypedDict, total=False):
    event: Literal["document"]
    type: str
    ref: str
    status: str
    qbo_ids: list[str]
    error: dict[str, Any] | None


class Log(TypedDict):
    event: Literal["log"]
    message: str


class Error(TypedDict, total=False):
    event: Literal["error"]
    message: str
    code: str
    hint: str


class Result(TypedDict):
    event: Literal["result"]
    kind: str
    data: Any


class Done(TypedDict):
    event: Literal["done"]
    exit_code: int


Event = Progress | DocumentEvent | Log | Error | Result | Done

Listener = Callable[[Event], None]
"""What the engine, undo and maintenance call with each event as it happens (``on_event``)."""


def log(message: str) -> Log:
    return {"event": "log", "message": message}


def error(message: str, code: str = "could_not_run", hint: str = "") -> Error:
    out: Error = {"event": "error", "message": message, "code": code}
    if hint:
        out["hint"] = hint
    return out


def result(kind: str, data: Any) -> Result:
    return {"event": "result", "kind": kind, "data": data}


def done(exit_code: int) -> Done:
    return {"event": "done", "exit_code": int(exit_code)}


def encode(event: Event | dict[str, Any]) -> str:
    """One event as one JSON line (no newline inside: JSON escapes every line break a text may hold)."""
    return json.dumps(event, default=str, ensure_ascii=True)


def decode(line: bytes | str) -> Event | None:
    """One line back into an event; None for an empty line; a line that is not an event becomes a ``log``."""
    text = line.decode("utf-8", "replace") if isinstance(line, (bytes, bytearray)) else str(line)
    text = text.strip()
    if not text:
        return None
    try:
        event = json.loads(text)
    except ValueError:
        return log(text)
    if isinstance(event, dict) and event.get("event") in EVENT_KINDS:
        return event  # type: ignore[return-value]
    return log(text)


def emit(event: Event | dict[str, Any], out: TextIO | None = None) -> None:
    """Write one event on stdout (or ``out``) and flush, so that the reader sees it at once."""
    stream = out or sys.stdout
    stream.write(encode(event) + "\n")
    stream.flush()


# --------------------------------------------------------------------------- the counts in words
# One wording of how far a sync went, for every place that says it (the dashboard's progress panel and
# notifications, the command line's progress line and summary, the scheduled sync's message and alert):
# "sent 58: 54 OK, 4 failed", where sent is what QuickBooks answered, so that the parts add up to it.

#: the run statuses QuickBooks accepted (a document linked to an existing object is synced too)
OK_STATUSES = ("synced", "voided", "summarized")
#: the other statuses of a run's counts, in words (after the sent part)
NOT_SENT_WORDS = {"blocked": "blocked", "skipped": "skipped", "conflict": "held back as conflicts",
                  "pending": "with no answer yet (looked up at the next sync)"}
#: the most documents QuickBooks takes a minute from one app: full batches within the batch limit, singles in the
#: rest of the request limit (qbtui.limits)
DOCUMENTS_PER_MINUTE = (Limits.batches_per_minute * BATCH_MAX_ITEMS
                        + Limits.per_minute - Limits.batches_per_minute)


def sent_text(ok: int, failed: int, total: int | None = None) -> str:
    """``sent 58: 54 OK, 4 failed``; with ``total`` (while it runs) ``sent 30 of 58: 28 OK, 2 failed``."""
    head = f"sent {ok + failed:,}" + (f" of {total:,}" if total is not None else "")
    return f"{head}: {ok:,} OK, {failed:,} failed"


def progress_text(progress: Mapping[str, Any]) -> str:
    """A ``progress`` event in words: what was answered of the total, and the pace against QuickBooks' limit."""
    ok, failed = int(progress.get("ok") or 0), int(progress.get("failed") or 0)
    total = int(progress.get("total") or 0)
    rate = float(progress.get("rate_per_min") or 0)
    return (f"{sent_text(ok, failed, total)}, {max(0, total - ok - failed):,} to go, "
            f"{rate:,.0f}/min of QuickBooks' {DOCUMENTS_PER_MINUTE:,}/min")


def counts_text(counts: Mapping[str, int]) -> str:
    """A run's counts by status (the run log's ``counts``) in the same words: ``sent 58: 54 OK, 4 failed; 3
    blocked, 1 skipped``; ``nothing sent: 3 blocked``; ``nothing to send``."""
    ok = sum(int(counts.get(s) or 0) for s in OK_STATUSES)
    failed = int(counts.get("failed") or 0)
    rest = ", ".join(f"{int(n):,} {NOT_SENT_WORDS.get(s, s)}" for s, n in sorted(counts.items())
                     if n and s not in OK_STATUSES and s != "failed")
    if ok or failed:
        return sent_text(ok, failed) + (f"; {rest}" if rest else "")
    return f"nothing sent: {rest}" if rest else "nothing to send"


def run_text(run: Mapping[str, Any]) -> str:
    """A sync run's outcome in the words of :func:`counts_text`; a run that stopped before sending anything says
    so (``could not run: ...``) instead of ``nothing to send``, and one a fault about the whole company stopped
    (its ``stopped``: the connection revoked, 3100, 120, 6190) says why after its counts."""
    counts, error, stopped = run.get("counts") or {}, run.get("error"), run.get("stopped")
    if error and not any(counts.values()):
        return "could not run, nothing was sent: " + (reason_text(error) if isinstance(error, Mapping) else str(error))
    return counts_text(counts) + (f"; stopped: {reason_text(stopped, codes=False)}" if isinstance(stopped, Mapping)
                                  else "")


def reason_text(reason: Mapping[str, Any] | None, *, hint: bool = False, codes: bool = True) -> str:
    """An error or a gate's reason (``{"code", "message", "hint"}``) in words: ``6000: A business validation error
    has occurred`` (and ``  Hint: ...`` with ``hint``); a part that is missing is left out, never written "None".
    ``codes=False``, as the screens say it: QuickBooks' own error number stays, named (``QuickBooks error 6000:
    ...``: what Intuit's support asks for), qbtui's reason codes (``invoice.missing_date``, for scripts) are left out."""
    reason = reason or {}
    code, message, tip = (str(reason.get(k) or "").strip() for k in ("code", "message", "hint"))
    if not codes:
        code = f"QuickBooks error {code}" if code.isdigit() else ""
    text = f"{code}: {message}" if code and message else (code or message or "no reason given")
    return text + (f"  Hint: {tip}" if hint and tip else "")


def detail_text(error: Mapping[str, Any] | None) -> str:
    """QuickBooks' own reason for refusing a document, its error's ``detail`` (``Business Validation Error:
    Transaction amount must be zero or greater.``, where the hint of its general 6000 message sends the reader), as
    the screens say it: ``QuickBooks says: ...``. Empty when there is none, when it only repeats the message, and for
    QuickBooks Desktop, whose detail is an outcome word for scripts (``cannot_save``: docs/cli.md) and whose message
    is already Desktop's own."""
    error = error or {}
    detail = str(error.get("detail") or "").strip()
    if not detail or detail in str(error.get("message") or "") or str(error.get("code") or "").startswith("desktop_"):
        return ""
    return f"QuickBooks says: {detail}"
