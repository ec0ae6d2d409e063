"""An account's balance on a past day, from QBO's Reports API: the balance sheet as of that day
(``GET reports/BalanceSheet?start_date=D&end_date=D&accounting_method=Accrual``; docs/qbo.md#reports says
where the answer's shape comes from). The opening inventory journal needs the inventory asset as it was the day
before the filter start date: an account's ``CurrentBalance`` is today's, and moves with every later
transaction."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from qbtui.cache import Cache
from qbtui.ledger.money import money
from qbtui.qbo import QBOClient, QBOFault

log = logging.getLogger(__name__)

STORED = "inventory_asset_balance"
"""Reference key ``pull`` keeps the mapped inventory asset's balance under: ``{"day", "account", "amount"}``."""


def _data_rows(rows: Any) -> Iterator[Mapping[str, Any]]:
    for row in (rows or {}).get("Row") or ():
        if not isinstance(row, Mapping):
            continue
        if row.get("ColData") is not None:
            yield row
        if row.get("Rows"):
            yield from _data_rows(row["Rows"])


def report_amount(report: Mapping[str, Any], account_id: str) -> Decimal | None:
    """The amount of the report's data row for ``account_id`` (its first column's ``id``; the amount is the last
    column, the total), None when the report has no row for it (QBO leaves out an account without a balance)."""
    for row in _data_rows(report.get("Rows")):
        cols = row.get("ColData") or []
        if cols and str(cols[0].get("id", "")) == str(account_id):
            text = str(cols[-1].get("value") or "0").replace(",", "")
            try:
                return money(Decimal(text))
            except InvalidOperation:
                return None
    return None


async def account_balance_on(client: QBOClient, account_id: str, day: date) -> Decimal:
    """The account's balance at the end of ``day`` (accrual basis), 0.00 when the report has no row for it."""
    report = await client.report("BalanceSheet", start_date=day.isoformat(), end_date=day.isoformat(),
                                 accounting_method="Accrual")
    amount = report_amount(report, account_id)
    return amount if amount is not None else Decimal("0.00")


async def pull_inventory_balance(cache: Cache, client: QBOClient, day: date | None) -> dict[str, str] | None:
    """On ``pull``: the mapped inventory asset's balance on ``day`` (the day before the filter start date), kept
    for the opening journal's preview; None (and nothing kept) without a day or a mapped inventory asset."""
    account = (cache.get_setting("mapping") or {}).get("inventory_asset")
    if day is None or not account:
        return None
    try:
        amount = await account_balance_on(client, str(account), day)
    except QBOFault as fault:  # a preview's figure: the pull goes on (posting the journal reads the report again)
        if type(fault) is not QBOFault or fault.status in (401, 403):  # the connection or the company: not ours
            raise
        log.warning("QuickBooks' balance sheet for %s could not be read (%s); the preview uses today's balance",
                    day.isoformat(), fault.code)
        return None
    stored = {"day": day.isoformat(), "account": str(account), "amount": str(amount)}
    cache.put_reference(STORED, stored)
    return stored


def stored_balance(cache: Cache, account_id: str, day: date) -> Decimal | None:
    """The balance ``pull`` kept for this account and day, None when it kept another one (or none)."""
    stored = cache.reference(STORED, None)
    if isinstance(stored, Mapping) and stored.get("day") == day.isoformat() and stored.get("account") == str(account_id):
        return money(Decimal(str(stored.get("amount", "0"))))
    return None
