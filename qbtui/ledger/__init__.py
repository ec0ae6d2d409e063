"""Pure translation of inventory documents into QBO payloads (no I/O).

``build(doc, ledger)`` gives the payloads of any document; ``gates.check`` / ``gates.skip_reason``
say why one is blocked or skipped; ``roles`` holds the mapping roles (docs/domain.md#mapping-roles).

The names below load their module on first use: a command that needs the QBO preferences (``context``) does not
import the builders and the document models (pydantic)."""

from __future__ import annotations

import sys
import types
from typing import Any

from qbtui.lazy import attribute_loader

_FROM = {
    "build": ("BUILDERS", "build", "roles_used", "txn_dates"),
    "context": ("Ledger", "Prefs"),
    "gates": ("GateContext", "Reason", "check", "skip_reason"),
    "journals": ("build_opening_inventory", "inventory_valuation"),
    "money": ("money", "scale", "split"),
    "payload": ("Payload", "jsonable"),
    "refs": ("doc_number",),
    "resolver": ("LookupResolver", "Resolver", "offline_resolver"),
    "roles": ("REQUIRED_ROLES", "ROLE_BY_NAME", "ROLES", "Role", "auto_map", "mapping_problems", "match_by_name"),
}
_MODULE_OF = {name: module for module, names in _FROM.items() for name in names}

__all__ = sorted(_MODULE_OF)


class _Package(types.ModuleType):
    def __setattr__(self, name: str, value: Any) -> None:
        if name in ("build", "money") and isinstance(value, types.ModuleType):
            value = getattr(value, name)  # the submodule bound by the import system: the name stays the function's
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


__getattr__ = attribute_loader(__name__, _MODULE_OF)
