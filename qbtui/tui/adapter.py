"""The seam between the dashboard and the rest of qbtui: gates, plans, the sync subprocess.

Everything the TUI needs from ``qbtui.sync`` goes through here, so that a module that is not
there yet (or changes its shape) is adapted in one place. The UI never talks to QBO: uploads
run ``qbtui sync --events`` in a subprocess (so the engine cannot starve the UI's interpreter)
and this module turns its stdout into events.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import shlex
import sys
import tempfile
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

from qbtui.cache import Cache

# --------------------------------------------------------------------------- gates and plans


def gate_statuses(cache: Cache) -> dict[tuple[str, str], tuple[str, list[dict]]]:
    """{(type, ref): (status, reasons)} for pending documents, from ``qbtui.sync.plan`` when it
    exists; {} otherwise (the cache's own statuses then stand)."""
    try:
        from qbtui.sync.plan import gate_statuses as real  # type: ignore[import-not-found]
    except ImportError:
        return {}
    result = real(cache)
    out: dict[tuple[str, str], tuple[str, list[dict]]] = {}
    for key, value in result.items():
        status, reasons = value
        out[tuple(key)] = (status, [_reason(r) for r in reasons or []])  # type: ignore[index]
    return out


def gate_statuses_in_child(profile: str, data_dir: Path, base: list[str] | None = None
                           ) -> dict[tuple[str, str], tuple[str, list[dict]]]:
    """The same as :func:`gate_statuses`, computed by ``qbtui gates`` in a child process: at 100,000
    documents the gates parse every document (a few hundred MB, seconds of CPU) and the dashboard
    keeps neither the memory nor the interpreter busy. Raises RuntimeError with the child's message."""
    argv = [*(base or qbtui_command()), "--profile", profile, "--data-dir", str(data_dir), "gates"]
    proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=600)
    if proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(lines[-1] if lines else f"qbtui gates stopped (exit code {proc.returncode})")
    data = json.loads(proc.stdout)
    return {(t, r): (status, reasons) for t, r, status, reasons in data["gates"]}


def _reason(r: Any) -> dict:
    if isinstance(r, dict):
        return r
    out = {"code": getattr(r, "code", ""), "message": getattr(r, "message", str(r)), "hint": getattr(r, "hint", "")}
    if getattr(r, "field", None):
        out["field"] = r.field
    return out


def plan_document(cache: Cache, type_: str, ref: str) -> dict | None:
    """{"status", "reasons", "payloads": [{"entity", "operation", "body"}]} for one document,
    or None when the planner is not available."""
    try:
        from qbtui.sync.plan import plan  # type: ignore[import-not-found]
    except ImportError:
        return None
    status = cache.status_of(type_, ref)
    try:
        statuses = tuple(dict.fromkeys(("pending", "failed", status)))
        planned = plan(cache, types=[type_], refs=[ref], statuses=statuses)  # type: ignore[call-arg]
    except TypeError:
        planned = plan(cache, types=[type_])
    for p in planned:
        if getattr(p, "type", None) == type_ and getattr(p, "ref", None) == ref:
            payloads = []
            for pl in getattr(p, "payloads", []) or []:
                payloads.append(pl.to_json() if hasattr(pl, "to_json") else dict(pl))
            return {"status": p.status, "reasons": [_reason(r) for r in p.reasons or []],
                    "payloads": payloads}
    return {"status": "not planned", "reasons": [], "payloads": []}


def discrepancies(cache: Cache) -> list[dict]:
    """Documents whose QBO copy changed, vanished or has another total after sync.

    Source: the reference kind ``discrepancies`` written by ``qbtui pull`` (a list of
    {"type", "ref", "kind": "changed"|"deleted"|"total", "message", "differences": [..]}).
    """
    items = cache.reference("discrepancies", []) or []
    out = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or "type" not in item or "ref" not in item:
            continue
        kind = str(item.get("kind") or "changed")
        diffs = item.get("differences") or []
        msg = item.get("message") or "; ".join(
            f"{d.get('field')}: ours {d.get('ours')!s}, QBO {d.get('qbo')!s}" for d in diffs if isinstance(d, dict))
        out.append({"type": item["type"], "ref": item["ref"], "kind": kind,
                    "message": msg or {"deleted": "deleted in QuickBooks", "changed": "changed in QuickBooks",
                                       "total": "QuickBooks total differs"}.get(kind, kind),
                    "hint": item.get("hint") or "pull, then re-sync or accept the QBO copy",
                    "differences": diffs})
    return out


# --------------------------------------------------------------------------- the sync subprocess


def qbtui_command() -> list[str]:
    """How to run the ``qbtui`` command (one place): $QBTUI_COMMAND, else this interpreter."""
    override = os.environ.get("QBTUI_COMMAND")
    if override:
        return shlex.split(override)
    return [sys.executable, "-m", "qbtui"]


def sync_argv(profile: str, data_dir: Path, refs_file: Path, base: list[str] | None = None) -> list[str]:
    """``qbtui --profile P --data-dir D sync --yes --events --refs-from FILE``."""
    return [*(base or qbtui_command()), "--profile", profile, "--data-dir", str(data_dir),
            "sync", "--yes", "--events", "--refs-from", str(refs_file)]


async def update_document_in_child(profile: str, data_dir: Path, data: dict,
                                   base: list[str] | None = None) -> tuple[int, str]:
    """Store an edited document through ``qbtui update-document`` in a child process (opening the cache as
    writer and rewriting its documents takes seconds at 100,000 documents: never on the dashboard's
    interpreter). (0, "") when stored, else (1, why it was refused) or (2, why it could not run: busy)."""
    argv = [*(base or qbtui_command()), "--profile", profile, "--data-dir", str(data_dir), "update-document"]
    proc = await asyncio.create_subprocess_exec(*argv, stdin=asyncio.subprocess.PIPE,
                                                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    _, err = await proc.communicate(json.dumps(data).encode())
    if proc.returncode == 0:
        return 0, ""
    lines = err.decode("utf-8", "replace").strip().splitlines()
    return proc.returncode or 1, (lines[-1] if lines else f"exit code {proc.returncode}").removeprefix("qbtui: ")


def write_refs_file(keys: Iterable[tuple[str, str]]) -> Path:
    """A temp file (0600) holding the chosen documents as one JSON array of ``[type, ref]`` pairs, ASCII only
    (every other character escaped): no character a reference may hold (a newline, U+2028, U+0085, a tab)
    can split or change it on the way to ``qbtui sync --refs-from``. The caller removes it."""
    fd, name = tempfile.mkstemp(prefix="qbtui-refs-", suffix=".json")
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        json.dump([[t, r] for t, r in keys], fh, ensure_ascii=True)
    return Path(name)


async def read_events(lines: AsyncIterator[bytes] | Any) -> AsyncIterator[dict]:
    """JSON lines -> events. Accepts any async line stream (a StreamReader or a generator).
    Lines that are not JSON objects become ``{"event": "log", "message": line}``."""
    async for raw in lines:
        text = raw.decode("utf-8", "replace") if isinstance(raw, (bytes, bytearray)) else str(raw)
        text = text.strip()
        if not text:
            continue
        try:
            event = json.loads(text)
        except ValueError:
            yield {"event": "log", "message": text}
            continue
        if isinstance(event, dict) and "event" in event:
            yield event
        else:
            yield {"event": "log", "message": text}
