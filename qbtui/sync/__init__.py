"""The sync engine: planning (gates, dependency order, payloads) and, later, pushing to QBO."""

from qbtui.sync.plan import PlannedDocument, dry_run_json, gate_statuses, plan, render_dry_run

__all__ = ["PlannedDocument", "dry_run_json", "gate_statuses", "plan", "render_dry_run"]
