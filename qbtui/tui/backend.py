"""The one door from the screens down: everything the TUI asks of the profile or of QuickBooks.

The screens receive a :class:`Backend` (never the App). Whatever reads the whole profile, writes to it or
talks to QuickBooks runs in a ``qbtui`` child process that speaks the event vocabulary of
``qbtui.sync.events`` (JSON lines: progress, document, log, error, result, done); this module reads those
lines, decodes them off the event loop, and hands back either the ``result`` of a command that answers
(:meth:`Backend.call`) or, for a long run, Textual Messages posted to the screen that asked
(:meth:`Backend.upload`). So no key press opens the cache on the UI thread, and a slow profile or a slow
QuickBooks never stalls the screen.

    backend = Backend(profile_path, profile="demo", data_dir=data_dir)
    view = await backend.document("sale_invoice", "SO-1001")   # record, link (with its history), plan
    await backend.update_document(data)                        # BackendError(code="refused"|"profile_busy")
    outcome = await backend.upload(keys, screen)               # posts UploadProgress, DocumentChanged, ...

Errors: every failure is a :class:`BackendError` whose ``code`` is the CLI's JSON error code
(``profile_busy``, ``refused``, ``could_not_run``, ...), so that no screen parses a message. The one
exception to "child processes only" is the dashboard's model: its rows live in this process, so
:meth:`Backend.reader` opens a reader for the loads the Dashboard runs in threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import signal
import sys
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path
from typing import Any, TypedDict

from textual.message_pump import MessagePump

from qbtui.cache import Cache, StateReader
from qbtui.sync import events
from qbtui.sync.events import Event

from .messages import BackendLog, DocumentChanged, UploadFinished, UploadOutcome, UploadProgress

#: the most one event line may hold (a document with its payloads and history; the gates of 100,000 documents)
LINE_LIMIT = 1 << 30
#: how much lower than the screen's the priority of a child process is (it reads the whole profile: seconds
#: of CPU at 100,000 documents, which must not take the UI's turn on a machine with few cores)
CHILD_NICENESS = 10
#: how long a stopped upload's sync child may take to record its outcomes before it is killed
STOP_WAIT_S = 30

Gates = dict[tuple[str, str], tuple[str, list[dict]]]


class DocumentView(TypedDict):
    """What the document screen shows of one document (``qbtui document TYPE REF``)."""

    record: dict[str, Any] | None  # {"data", "rev", "imported"}
    link: dict[str, Any] | None  # the link record with its history
    plan: dict[str, Any] | None  # {"status", "reasons", "payloads"}, None without a planner
    journal: dict[str, Any] | None  # what those payloads post: {"lines", "debit", "credit"} (ledger.postings.journal)


class BackendError(Exception):
    """A command of the backend did not do its work: ``code`` says why (the CLI's JSON error codes)."""

    def __init__(self, message: str, code: str = "could_not_run", hint: str = "") -> None:
        super().__init__(message)
        self.message, self.code, self.hint = message, code, hint

    @property
    def busy(self) -> bool:
        return self.code == events.BUSY


def qbtui_command() -> list[str]:
    """How to run the ``qbtui`` command (one place): $QBTUI_COMMAND, else this interpreter."""
    override = os.environ.get("QBTUI_COMMAND")
    if override:
        return shlex.split(override)
    return [sys.executable, "-m", "qbtui"]


class Backend:
    """The TUI's only way to the profile and to QuickBooks (see the module docstring).

    ``command``: how to run qbtui (tests: a stand-in for ``sync``); ``gate_source``: compute the gates in
    this process from a reader (tests with fixed gates), instead of ``qbtui gates``."""

    def __init__(self, profile_path: Path, *, profile: str | None = None, data_dir: Path | None = None,
                 command: list[str] | None = None,
                 gate_source: Callable[[Cache], Gates] | None = None) -> None:
        self.profile_path = Path(profile_path)
        self.profile = profile or self.profile_path.name
        self.data_dir = Path(data_dir) if data_dir is not None else self.profile_path.parent.parent
        self.command = command
        self.gate_source = gate_source
        #: the running upload's child process (stop_upload() interrupts it)
        self.upload_process: asyncio.subprocess.Process | None = None

    # ------------------------------------------------------------------ child processes
    def argv(self, *args: str) -> list[str]:
        return [*(self.command or qbtui_command()), "--profile", self.profile, "--data-dir", str(self.data_dir),
                *args]

    async def _spawn(self, args: Iterable[str], stdin: bool,
                     env: dict[str, str] | None = None) -> asyncio.subprocess.Process:
        proc = await asyncio.create_subprocess_exec(
            *self.argv(*args), stdin=asyncio.subprocess.PIPE if stdin else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, limit=LINE_LIMIT,
            env={**os.environ, **env} if env else None)
        if hasattr(os, "setpriority"):  # the child yields the CPU to the screen (a few cores, shared)
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, proc.pid, CHILD_NICENESS)
        return proc

    async def call(self, *args: str, stdin: bytes | None = None, operands: Iterable[str] = ()) -> Any:
        """Run ``qbtui ARGS --events [-- OPERANDS]`` to its end; the data of its ``result`` event (None without
        one). ``operands``: arguments given after ``--`` (text typed by a person, which may start with ``-``).
        Raises BackendError for an ``error`` event, or a child that stopped without saying why."""
        operands = list(operands)
        try:
            proc = await self._spawn([*args, "--events", *(["--", *operands] if operands else [])], stdin is not None)
            out, err = await proc.communicate(stdin)
        except OSError as exc:
            raise BackendError(f"could not start qbtui: {exc}") from exc
        decoded = await asyncio.to_thread(_decode_all, out)  # parsed off the event loop, a line at a time
        answer: Any = None
        for event in decoded:
            if event["event"] == "error":
                raise BackendError(str(event.get("message") or "failed"), str(event.get("code") or "could_not_run"),
                                   str(event.get("hint") or ""))
            if event["event"] == "result":  # a long list comes in parts: joined in order
                part = event["data"]
                if isinstance(answer, list) and isinstance(part, list):
                    answer.extend(part)
                else:
                    answer = part
        if proc.returncode not in (0, 1):
            raise BackendError(_last_line(err) or f"qbtui {args[0]} stopped (exit code {proc.returncode})")
        return answer

    async def stream(self, *args: str, env: dict[str, str] | None = None) -> AsyncIterator[Event]:
        """Run ``qbtui ARGS`` and yield its events as they come; a last ``done`` carries the exit code and an
        ``error`` comes before it when the child stopped without saying why."""
        proc = self.upload_process = await self._spawn(args, stdin=False, env=env)
        assert proc.stdout is not None and proc.stderr is not None
        stderr = asyncio.create_task(proc.stderr.read())
        said_done = said_error = False
        try:
            async for line in proc.stdout:
                event = events.decode(line)
                if event is None:
                    continue
                said_done |= event["event"] == "done"
                said_error |= event["event"] == "error"
                yield event
            rc = await proc.wait()
            if not said_done:
                if rc == 2 and not said_error:
                    yield events.error(_last_line(await stderr) or f"the command stopped (exit code {rc})")
                yield events.done(rc)
        finally:
            self.upload_process = None
            if not stderr.done():
                stderr.cancel()

    # ------------------------------------------------------------------ answers
    async def gates(self) -> Gates:
        """{(type, ref): (status, reasons)} of every pending document (``qbtui gates``)."""
        if self.gate_source is not None:
            return await asyncio.to_thread(self._gates_here)
        rows = await self.call("gates")
        return {(g["type"], g["ref"]): (g["status"], g["reasons"]) for g in rows or []}

    def _gates_here(self) -> Gates:
        assert self.gate_source is not None
        with self.reader() as cache:
            return self.gate_source(cache)

    async def document(self, type_: str, ref: str) -> DocumentView:
        """One document for the document screen and the fix form: its record, its link with the sync history,
        and what it would send (``qbtui document TYPE REF``)."""
        return await self.call("document", type_, ref)

    async def link_candidates(self, type_: str) -> list[dict[str, Any]]:
        """The QuickBooks objects a contact or product of ``type_`` may be linked to (``qbtui link-candidates``)."""
        return list(await self.call("link-candidates", type_) or [])

    async def update_document(self, data: dict[str, Any]) -> None:
        """Store an edited document, checked as an import checks it (``qbtui update-document``)."""
        import json

        await self.call("update-document", stdin=json.dumps(data).encode())

    async def link_document(self, type_: str, ref: str, *, entity: str, qbo_id: str, rev: int | None,
                            sync_token: str | None = None, key: str | None = None) -> None:
        """Link a document to an object that already exists in QuickBooks (``qbtui link-document``; ``key``: the
        part of a transaction it stands for, as a 6140's holder names it)."""
        args = ["link-document", type_, ref, "--entity", entity, "--id", qbo_id]
        if rev is not None:
            args += ["--rev", str(rev)]
        if sync_token is not None:
            args += ["--sync-token", str(sync_token)]
        if key is not None:
            args += ["--key", key]
        await self.call(*args)

    async def reconcile(self, start: str, end: str) -> dict[str, Any]:
        return await self.call("reconcile", "--from", start, "--to", end)

    async def duplicates(self, start: str, end: str) -> dict[str, Any]:
        return await self.call("duplicates", "--from", start, "--to", end)

    async def remove_duplicate(self, start: str, end: str, target: str) -> dict[str, Any]:
        """Void or delete one duplicate (asked first on the screen); the run, as the audit log records it."""
        return await self.call("duplicates", "--from", start, "--to", end, "--remove", target, "--yes")

    async def set_setting(self, key: str, text: str) -> Any:
        """Store one setting as typed, validated as ``qbtui settings set`` validates it; the value stored
        (BackendError code ``setting`` with what is allowed when it is bad)."""
        answer = await self.call("settings", "set", operands=(key, text))
        return (answer or {}).get("value")

    async def audit(self) -> dict[str, Any]:
        """The audit log ({"rows": every run, newest first, "alerts": the unread alerts})."""
        return await self.call("audit")

    async def alerts(self) -> list[dict[str, Any]]:
        """Every in-app alert (a failing scheduled sync raises one), newest first, with its run's record
        (qbtui.maintenance.alerts.alert_rows): the settings and the run log only, read in a thread."""
        from qbtui.maintenance.alerts import alert_rows

        def read() -> list[dict[str, Any]]:
            with StateReader.open(self.profile_path) as state:
                return alert_rows(state)

        return await asyncio.to_thread(read)

    async def mark_alerts_read(self) -> None:
        await self.call("alerts-read")

    async def opening(self, step: str, *, location: str | None = None) -> dict[str, Any]:
        """Run an opening step after setup (``qbtui opening STEP --yes``; asked first on the screen): what it says
        (``message``...). BackendError ``refused`` when it already ran or cannot run."""
        return await self.call("opening", step, "--yes", *(["--location", location] if location else []))

    async def undo_plan(self, run_id: str, *, cascade: bool = False) -> dict[str, Any]:
        """What undoing a run would do (``qbtui undo RUN --dry-run``): {"run", "cascade", "objects": [{"type",
        "ref", "entity", "id", "run", "action", "used_by"}]}."""
        return await self.call("undo", run_id, "--dry-run", *(["--cascade"] if cascade else []))

    async def undo(self, run_id: str, *, cascade: bool = False) -> dict[str, Any]:
        """Undo a run (asked first on the screen): the undo run. BackendError ``undo_refused`` naming what later
        documents still use (nothing was removed)."""
        return await self.call("undo", run_id, "--yes", *(["--cascade"] if cascade else []))

    async def planned_summaries(self) -> list[dict[str, Any]]:
        """The summaries a full sync would post (``qbtui sync --dry-run --summaries``), due or not: each summary's
        JSON, its payload when due, and ``text``, its lines as the dry run prints them (payload, the documents behind
        each line)."""
        return list(await self.call("sync", "--dry-run", "--summaries") or [])

    async def discrepancies(self) -> list[dict[str, Any]]:
        """The discrepancies in words (``qbtui discrepancies --events``), as ``qbtui discrepancies --json`` lists
        them: [{"kind", "type", "ref", "qbo_id", "entity", "fields", "text"}]."""
        return list(await self.call("discrepancies") or [])

    async def resolve(self, type_: str, ref: str, action: str, *, note: str | None = None) -> dict[str, Any]:
        """Resolve one document's discrepancies (asked first on the screen, showing the difference): ``push``,
        ``accept``, ``resend`` or ``dismiss`` with ``note`` (``qbtui discrepancies resolve --yes``): {"run", "action",
        "type", "ref", "status", "documents"}. BackendError ``not_resolvable`` when that way does not fit."""
        flag = f"--dismiss={note or ''}" if action == "dismiss" else f"--{action}"
        return await self.call("discrepancies", "resolve", flag, "--yes", operands=[type_, ref])

    # ------------------------------------------------------------------ runs that report as messages
    async def upload(self, keys: list[tuple[str, str]], target: MessagePump, *, full: bool = False) -> UploadOutcome:
        """Send the chosen documents (``qbtui sync --events``; the child adds what they depend on). Posts
        UploadProgress (coalesced), DocumentChanged and BackendLog to ``target`` as it goes, and
        UploadFinished last; returns the same outcome. ``full``: a full sync (every document waiting, then the due
        summaries of summarized channels, which only a full sync posts), ``keys`` unused."""
        outcome = UploadOutcome()
        refs_file: Path | None = None
        try:
            refs: list[str] = []
            if not full:
                refs_file = await asyncio.to_thread(write_refs_file, keys)
                refs = ["--refs-from", str(refs_file)]
            async for event in self.stream("sync", "--yes", "--events", *refs):
                kind = event["event"]
                if kind == "progress":
                    target.post_message(UploadProgress(event))  # type: ignore[arg-type]
                elif kind == "document":
                    if event.get("status") == "failed":
                        outcome.failed.append(dict(event))
                    target.post_message(DocumentChanged(event))  # type: ignore[arg-type]
                elif kind == "log":
                    target.post_message(BackendLog(str(event.get("message") or "")))
                elif kind == "error":
                    outcome.error = str(event.get("message") or "the sync could not run")
                    outcome.error_code, outcome.hint = str(event.get("code") or ""), str(event.get("hint") or "")
                elif kind == "done":
                    outcome.exit_code = int(event.get("exit_code") or 0)
                    if event.get("backend") == "desktop":  # queued for the Web Connector (docs/desktop.md)
                        outcome.queued = int(event.get("queued") or 0)
                        outcome.message = str(event.get("message") or "")
        except Exception as exc:  # noqa: BLE001 - shown, never raised into the UI
            outcome.error = (f"the upload stopped: {exc or 'qbtui sync ended without saying why'}; nothing is sent "
                             "twice: the next upload looks up what was in flight (qbtui runs lists what was sent)")
        finally:
            if refs_file is not None:
                refs_file.unlink(missing_ok=True)
        target.post_message(UploadFinished(outcome))
        return outcome

    async def stop_upload(self) -> None:
        """Ctrl+C (SIGINT) to a running upload's child, as a person would; wait for it to record how far it
        got (it marks its run interrupted), kill it if it does not stop."""
        proc = self.upload_process
        if proc is None or proc.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(proc.wait(), timeout=STOP_WAIT_S)
        except TimeoutError:  # its run is closed by the next sync
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()

    async def scheduled_sync(self) -> tuple[int, str, str | None]:
        """``qbtui sync --scheduled`` (what cron runs: the same lock, slots and alerts), waiting a few seconds
        for another holder of the profile: (exit code, message, error code such as ``profile_busy`` or None)."""
        code, message, error = 0, "", None
        async for event in self.stream("sync", "--scheduled", "--events",
                                       env={"QBTUI_SYNC_WAIT": os.environ.get("QBTUI_SYNC_WAIT", "5")}):
            if event["event"] == "error":
                message, error = str(event.get("message") or ""), str(event.get("code") or "could_not_run")
            elif event["event"] == "done":
                code = int(event.get("exit_code") or 0)
                message = str(event.get("message") or message)  # type: ignore[typeddict-item]
        return code, message, error

    # ------------------------------------------------------------------ reads in this process
    def reader(self) -> Cache:
        """A reader of the whole cache, for the dashboard's model (call it from a thread, or at startup)."""
        return Cache.open(self.profile_path, writer=False)

    def summaries(self) -> list[dict[str, Any]]:
        """The summaries the profile's documents are in, for the Summaries tab (qbtui.tui.adapter.summaries: the
        links of summarized documents and the runs, not the documents): call it from a thread."""
        from .adapter import summaries

        with self.reader() as cache:
            return summaries(cache)

    def state(self) -> dict[str, Any]:
        """Settings, company and runs without the documents (cheap at any size)."""
        with StateReader.open(self.profile_path) as state:
            return profile_state(state)


def profile_state(cache: Cache | StateReader) -> dict[str, Any]:
    from qbtui.maintenance.alerts import unread

    return {"settings": cache.settings(), "company_info": cache.reference("company_info") or {},
            "preferences": cache.reference("preferences") or {}, "runs": cache.runs(),
            "unread_alerts": len(unread(cache))}


def write_refs_file(keys: Iterable[tuple[str, str]]) -> Path:
    """A temp file (0600) holding the chosen documents as one JSON array of ``[type, ref]`` pairs, ASCII only
    (every other character escaped): no character a reference may hold (a newline, U+2028, U+0085, a tab)
    can split or change it on the way to ``qbtui sync --refs-from``. The caller removes it."""
    import json
    import tempfile

    fd, name = tempfile.mkstemp(prefix="qbtui-refs-", suffix=".json")
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        json.dump([[t, r] for t, r in keys], fh, ensure_ascii=True)
    return Path(name)


def _decode_all(out: bytes) -> list[Event]:
    return [e for e in map(events.decode, out.splitlines()) if e is not None]


def _last_line(err: bytes) -> str:
    lines = err.decode("utf-8", "replace").strip().splitlines()
    return lines[-1].removeprefix("qbtui: ") if lines else ""
