"""The sync engine: planning (gates, dependency order, payloads) and, later, pushing to QBO.

The names below load their module on first use (``qbtui status`` reads the stored gate results through
:mod:`qbtui.sync.gatestore` without importing the plan, the ledger or the models)."""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

__all__ = ["PlannedDocument", "dry_run_json", "gate_statuses", "plan", "render_dry_run"]


class _Package(types.ModuleType):
    def __setattr__(self, name: str, value: Any) -> None:
        if name == "plan" and isinstance(value, types.ModuleType):
            value = value.plan  # the import system binds the module qbtui.sync.plan here: "plan" stays the function
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    if name in __all__:
        value = getattr(importlib.import_module("qbtui.sync.plan"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
