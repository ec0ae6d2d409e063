"""Maintenance screens the dashboard pushes (plain Screens; ``escape``/``q`` goes back):

    ReconcileScreen(profile_path, start=None, end=None)   per-account totals and the documents behind differences
    DuplicatesScreen(profile_path, start=None, end=None)  duplicate QBO transactions; ``d`` removes the selected one
    AuditScreen(profile_path)                             every run: who, when, what, QBO Ids; ``enter`` for details
    AutosyncTimer(app, profile_path, profile=..., data_dir=...)  the scheduler while the dashboard runs

``start``/``end`` default to the first and last day of the current month. The screens open the
profile's cache themselves (reader; a writer only for the moment of a removal) and their own QBO
client, in workers, so the UI never blocks.
"""

from .screens import AuditScreen, DuplicatesScreen, ReconcileScreen, RunDetailScreen
from .timer import AutosyncTimer

__all__ = ["AuditScreen", "AutosyncTimer", "DuplicatesScreen", "ReconcileScreen", "RunDetailScreen"]
