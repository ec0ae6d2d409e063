"""What the store indexes besides type and status: a document's date and its counterparty.

The cache sits below the ledger (it may not import ``qbtui.ledger.kinds``), so the fields are named here, for
each kind, as ``kinds.py`` declares them (``Kind.dates`` and ``Kind.party``: the first field that is set);
tests/cache/test_store_index.py checks that the two agree. A type not named here is indexed by a ``date``
field and no counterparty.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DATES: dict[str, tuple[str, ...]] = {
    "customer": (), "supplier": (), "product": (),
    "quote": ("date",), "sale_invoice": ("invoice_date",), "credit_note": ("date",), "sale_payment": ("date",),
    "cogs": ("date",), "purchase_order": ("date",), "supplier_invoice": ("invoice_date",),
    "supplier_credit": ("date",), "supplier_payment": ("date",), "supplier_deposit": ("date", "applied_date"),
    "adjustment": ("accounting_date", "completed_date"), "gift_voucher": ("date",), "store_credit": ("date",),
}
PARTY: dict[str, tuple[str, ...]] = {
    "customer": ("name",), "supplier": ("name",), "product": ("name",),
    "quote": ("customer",), "sale_invoice": ("customer",), "credit_note": ("customer",),
    "sale_payment": ("invoice",), "cogs": ("invoice",), "purchase_order": ("supplier",),
    "supplier_invoice": ("supplier",), "supplier_credit": ("supplier",), "supplier_payment": ("supplier_invoice",),
    "supplier_deposit": ("supplier",), "adjustment": ("reason", "location"), "gift_voucher": ("customer",),
    "store_credit": ("customer",),
}
_DEFAULT_DATES = ("date",)


def _first(data: Mapping[str, Any], fields: tuple[str, ...]) -> str | None:
    for name in fields:
        value = data.get(name)
        if value is not None and value != "":
            return str(value)
    return None


def date_of(type_: str, data: Mapping[str, Any]) -> str | None:
    """The first of the kind's date fields that is set (ISO text sorts as dates do)."""
    return _first(data, DATES.get(type_, _DEFAULT_DATES))


def party_of(type_: str, data: Mapping[str, Any]) -> str | None:
    """The first of the kind's counterparty fields that is set (a contact's ref or name, or the ref of the
    document it belongs to)."""
    return _first(data, PARTY.get(type_, ()))
