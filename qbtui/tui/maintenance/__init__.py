"""Maintenance screens the dashboard pushes (plain Screens; ``escape``/``q`` goes back):

    ReconcileScreen(backend, start=None, end=None)   per-account totals and the documents behind differences
    DuplicatesScreen(backend, start=None, end=None)  duplicate QBO transactions; ``d`` removes the selected one
    AuditScreen(backend)                             every run: who, when, what, QBO Ids; ``enter`` for details
    AlertsScreen(backend)                            failing scheduled syncs, newest first, with their runs
    AutosyncTimer(app, profile_path, profile=..., data_dir=...)  the scheduler while the dashboard runs

``start``/``end`` default to the first and last day of the current month. ``backend`` is the dashboard's
Backend (or a profile's folder): reconcile and duplicates run as ``qbtui reconcile|duplicates --events`` child
processes (the cache and the QBO client are opened there), and the audit screen reads the run log through
``qbtui audit --events`` (marking alerts read: ``qbtui alerts-read``), so the UI never blocks.
"""

from .screens import AlertsScreen, AuditScreen, DuplicatesScreen, ReconcileScreen, RunDetailScreen
from .timer import AutosyncTimer

__all__ = ["AlertsScreen", "AuditScreen", "AutosyncTimer", "DuplicatesScreen", "ReconcileScreen", "RunDetailScreen"]
