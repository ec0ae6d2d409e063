"""How payloads refer to other QBO objects. Offline (no connection) every reference is
``{"value": None, "name": <role or name>}``; connected, the real Ids from the mapping, the links
of synced documents and QBO's reference data."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

Ref = dict[str, Any]


class Resolver(Protocol):
    def account(self, role: str) -> Ref: ...
    def contact(self, kind: str, ref: str) -> Ref: ...  # kind: "customer" | "supplier"
    def item(self, sku: str) -> Ref: ...
    def term(self, name: str) -> Ref: ...
    def tax_code(self, name: str) -> Ref: ...
    def klass(self, name: str) -> Ref: ...
    def department(self, name: str) -> Ref: ...
    def linked_txn(self, type: str, ref: str) -> str | None: ...


def _ids_by_name(items: Iterable[Mapping[str, Any]] | None) -> dict[str, str]:
    return {str(i["Name"]): str(i["Id"]) for i in items or () if "Name" in i and "Id" in i}


def control_accounts(accounts: Iterable[Mapping[str, Any]] | None) -> dict[tuple[str, str], Ref]:
    """(AccountType, currency) -> the active A/R or A/P account of that currency among QBO's ``accounts`` as pulled
    (QBO keeps one per currency)."""
    out: dict[tuple[str, str], Ref] = {}
    for a in accounts or ():
        cur = a.get("CurrencyRef")
        cur = cur.get("value") if isinstance(cur, Mapping) else cur
        if "Id" in a and cur and a.get("Active", True) and a.get("AccountType") in (
                "Accounts Receivable", "Accounts Payable"):
            out.setdefault((str(a["AccountType"]), str(cur)), {"value": str(a["Id"]), "name": str(a.get("Name", a["Id"]))})
    return out


class LookupResolver:
    """A Resolver over plain lookups (built once per plan).

    ``names``: {(type, ref): name} of our contacts and products (the name shown when no Id);
    ``link_ids``: (type, ref) -> [(entity, id), ...] of synced documents, or None offline;
    ``entity_of``: {type: the QBO entity a reference to that type links to} (ledger.kinds.PRIMARY_ENTITY;
    a type not in it links to its first entity);
    ``mapping``: {role: account Id}; ``accounts``, ``terms``, ``tax_codes``, ``classes``,
    ``departments``: QBO reference lists; ``tax_mapping`` / ``terms_mapping``: {our name: Id}."""

    def __init__(self, *, names: Mapping[tuple[str, str], str] | None = None,
                 link_ids: Callable[[str, str], list[tuple[str, str]]] | None = None,
                 entity_of: Mapping[str, str] | None = None,
                 mapping: Mapping[str, str] | None = None, connected: bool = False,
                 accounts: Iterable[Mapping[str, Any]] | None = None,
                 terms: Iterable[Mapping[str, Any]] | None = None,
                 tax_codes: Iterable[Mapping[str, Any]] | None = None,
                 classes: Iterable[Mapping[str, Any]] | None = None,
                 departments: Iterable[Mapping[str, Any]] | None = None,
                 tax_mapping: Mapping[str, str] | None = None,
                 terms_mapping: Mapping[str, str] | None = None,
                 tax_rates: Iterable[Mapping[str, Any]] | None = None,
                 tax_defaults: Mapping[str, str] | None = None) -> None:
        from qbtui.ledger.tax import EMPTY, TaxBook
        self.names = names or {}
        self.connected = connected
        self.link_ids = link_ids if connected else None
        self.entity_of = entity_of or {}
        self.mapping = dict(mapping or {}) if connected else {}
        self.account_names = {str(a["Id"]): str(a.get("Name", a["Id"])) for a in accounts or () if "Id" in a}
        #: (AccountType, currency) -> the active A/R or A/P account of that currency (QBO keeps one per currency)
        self.control_accounts: dict[tuple[str, str], Ref] = control_accounts(accounts) if connected else {}
        self.terms = {**_ids_by_name(terms), **(terms_mapping or {})} if connected else {}
        self.tax_codes = {**_ids_by_name(tax_codes), **(tax_mapping or {})} if connected else {}
        self.classes = _ids_by_name(classes) if connected else {}
        self.departments = _ids_by_name(departments) if connected else {}
        #: QBO's tax codes with their rates, our names mapped, the defaults (ledger.tax): empty offline
        self.taxes = TaxBook(tax_codes, tax_rates, tax_mapping, tax_defaults) if connected and tax_codes is not None \
            else EMPTY

    def _linked(self, type: str, ref: str) -> str | None:
        if self.link_ids is None:
            return None
        want = self.entity_of.get(type)
        for entity, id_ in self.link_ids(type, ref):
            if want is None or entity == want:
                return id_
        return None

    def account(self, role: str) -> Ref:
        id_ = self.mapping.get(role)
        return {"value": id_, "name": self.account_names.get(id_, role) if id_ else role}

    def contact(self, kind: str, ref: str) -> Ref:
        return {"value": self._linked(kind, ref), "name": self.names.get((kind, ref), ref)}

    def item(self, sku: str) -> Ref:
        return {"value": self._linked("product", sku), "name": self.names.get(("product", sku), sku)}

    def term(self, name: str) -> Ref:
        return {"value": self.terms.get(name), "name": name}

    def tax_code(self, name: str) -> Ref:
        return {"value": self.tax_codes.get(name), "name": name}

    def klass(self, name: str) -> Ref:
        return {"value": self.classes.get(name), "name": name}

    def department(self, name: str) -> Ref:
        return {"value": self.departments.get(name), "name": name}

    def linked_txn(self, type: str, ref: str) -> str | None:
        return self._linked(type, ref)


def offline_resolver(names: Mapping[tuple[str, str], str] | None = None) -> LookupResolver:
    return LookupResolver(names=names, connected=False)
