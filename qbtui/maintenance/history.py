"""Export of historical documents from a start date (the peers' "export historical data" after
connecting): the filter start date moves back to that day, then every pending transaction dated
from it is sent by the sync engine (dependencies first, exactly once). Both steps are in the audit log."""

from __future__ import annotations

from datetime import date
from typing import Any

from qbtui.cache import Cache
from qbtui.maintenance.audit import end_maintenance, start_maintenance, who
from qbtui.qbo import QBOClient
from qbtui.sync import events
from qbtui.sync.readonly import check_writes_allowed


async def export_history(cache: Cache, client: QBOClient, start: date, on_event: events.Listener | None = None) -> dict[str, Any]:
    from qbtui.sync.engine import SyncEngine

    check_writes_allowed(cache)
    previous = cache.get_setting("filter_start_date")
    run_id = start_maintenance(cache, "history_export", start=start.isoformat(), previous_filter_start=previous)
    cache.set_setting("filter_start_date", start.isoformat())
    report = await SyncEngine(cache, client, on_event=on_event).sync(kind="sync")
    cache.update_run(report.run["id"], who=who(), trigger="history_export")
    run = end_maintenance(cache, run_id, counts=dict(report.run.get("counts") or {}), sync_run=report.run["id"])
    sync_run = next(r for r in cache.runs() if r["id"] == report.run["id"])
    return {"run": run, "sync_run": sync_run, "documents": report.documents, "exit_code": report.exit_code}
