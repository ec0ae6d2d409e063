"""Pure translation of inventory documents into QBO payloads (no I/O).

``build(doc, ledger)`` gives the payloads of any document; ``gates.check`` / ``gates.skip_reason``
say why one is blocked or skipped; ``roles`` holds the mapping roles (docs/domain.md#mapping-roles)."""

from qbtui.ledger.build import BUILDERS, build, roles_used, txn_dates
from qbtui.ledger.context import Ledger, Prefs
from qbtui.ledger.gates import GateContext, Reason, check, skip_reason
from qbtui.ledger.journals import build_opening_inventory, inventory_valuation
from qbtui.ledger.money import money, scale, split
from qbtui.ledger.payload import Payload, jsonable
from qbtui.ledger.refs import doc_number
from qbtui.ledger.resolver import LookupResolver, Resolver, offline_resolver
from qbtui.ledger.roles import REQUIRED_ROLES, ROLE_BY_NAME, ROLES, Role, auto_map, mapping_problems, match_by_name

__all__ = [
    "BUILDERS", "GateContext", "Ledger", "LookupResolver", "Payload", "Prefs", "REQUIRED_ROLES", "ROLES",
    "ROLE_BY_NAME", "Reason", "Resolver", "Role", "auto_map", "build", "build_opening_inventory", "check",
    "doc_number", "inventory_valuation", "jsonable", "mapping_problems", "match_by_name", "money",
    "offline_resolver", "roles_used", "scale", "skip_reason", "split", "txn_dates",
]
