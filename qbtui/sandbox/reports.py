"""The Reports API, as far as qbtui reads it: ``GET /v3/company/<realm>/reports/BalanceSheet``, served from the
sandbox's own ledger.

Source of the shape: Intuit's Reports API (``Header`` / ``Columns.Column`` / ``Rows.Row``; a section row has
``Header``, ``Rows``, ``Summary``, ``type: "Section"`` and ``group``; a data row has ``ColData`` (``value``, and
``id`` for an account) and ``type: "Data"``), as recorded in ../shared/reference/qbo_api_vcr/reports
(profit_and_loss.yml, gl.yml) and as public clients read it (a python-quickbooks thread proposing a report JSON converter, the ``quickbooks-types``
crate's report models: ``Report``, ``Rows``, ``Row``, ``ColData``). The balance sheet's own row groups
(``TotalAssets``, ``TotalLiabilitiesAndEquity``) and amounts as plain decimal strings follow the same reference;
its nesting below those two sections (Current Assets, Bank Accounts...) is simplified here: every account is a
data row of its side. docs/qbo.md#what-the-sandbox-enforces says so.

Balances as of ``end_date`` (``start_date`` is accepted; a balance sheet reads the end): an account's balance as
the fixtures left it (its ``CurrentBalance`` when the company was made, before any transaction of the sandbox),
plus the postings of every transaction dated on or before ``end_date``. Postings (debit positive): journal entry
lines; bills, vendor credits and purchases (item lines on the item's asset account for an Inventory item, else its
expense account; account lines on their account; A/P the other side); invoices, credit memos, sales and refund
receipts (item lines on the item's income account; A/R, or the deposit account of a receipt, the other side);
payments (deposit account against A/R); bill payments (A/P against the bank account; a bill payment of total 0
that only applies a credit posts nothing). Not modelled: tax lines, QBO's own cost of goods sold on Inventory
items, discounts.

Currencies (multicurrency, currency.py): every posting in the home currency, the transaction's amounts times its
``ExchangeRate`` (half up; the control account takes what balances the rest). A payment deposits its total at its
own rate and clears each invoice (or credit memo) it applies at that document's rate; the difference is the
realised exchange gain or loss, posted to the "Exchange Gain or Loss" account (a bill payment likewise). With every
rate 1 (the home currency) nothing changes.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from . import errors as E
from .clock import qbo_time
from .currency import GAIN_ACCOUNT

ZERO = Decimal(0)
CENT = Decimal("0.01")
ASSETS = frozenset({"Bank", "Accounts Receivable", "Other Current Asset", "Fixed Asset", "Other Asset"})
#: a debit raises these; the others (liabilities, equity, income) are credit-natured
DEBIT_NATURED = ASSETS | {"Expense", "Other Expense", "Cost of Goods Sold"}
SALES = {"Invoice": 1, "SalesReceipt": 1, "CreditMemo": -1, "RefundReceipt": -1}
PURCHASES = {"Bill": 1, "Purchase": 1, "VendorCredit": -1}


def _d(value: Any) -> Decimal:
    try:
        return Decimal(str(value if value is not None else 0))
    except ArithmeticError:
        return ZERO


def _ref(obj: dict, field: str) -> str | None:
    ref = obj.get(field)
    return str(ref["value"]) if isinstance(ref, dict) and ref.get("value") not in (None, "") else None


class Ledger:
    """Debit-positive postings per account Id of a company's transactions."""

    def __init__(self, company: Any) -> None:
        self.company = company
        self.accounts = company.objects["Account"]

    def _by_type(self, acc_type: str) -> str | None:
        return next((a["Id"] for a in self.accounts.values() if a.get("AccountType") == acc_type), None)

    def _item_account(self, item_ref: dict | None, purchase: bool) -> str | None:
        item = self.company.objects["Item"].get(str((item_ref or {}).get("value")))
        if item is None:
            return None
        if purchase:
            field = "AssetAccountRef" if item.get("Type") == "Inventory" else "ExpenseAccountRef"
        else:
            field = "IncomeAccountRef"
        return _ref(item, field)

    def _rate(self, obj: dict | None) -> Decimal:
        return _d((obj or {}).get("ExchangeRate") or 1)

    def _gain_account(self) -> str | None:
        return next((a["Id"] for a in self.accounts.values() if a.get("Name") == GAIN_ACCOUNT), None) \
            or next((a["Id"] for a in self.accounts.values() if a.get("AccountSubType") == "ExchangeGainOrLoss"), None)

    def postings(self, entity: str, obj: dict) -> list[tuple[str, Decimal]]:
        """Debit-positive postings in the home currency (see the module's docstring)."""
        rate = self._rate(obj)
        if entity in ("Payment", "BillPayment"):
            return self._payment_postings(entity, obj, rate)
        out = self._postings(entity, obj)
        if rate == 1 or not out:
            return out
        home = [(acc, (amount * rate).quantize(CENT)) for acc, amount in out[:-1]]
        return [*home, (out[-1][0], -sum((a for _, a in home), ZERO))]

    def _payment_postings(self, entity: str, obj: dict, rate: Decimal) -> list[tuple[str, Decimal]]:
        out = self._postings(entity, obj)
        if len(out) != 2:
            return out
        targets = ("Invoice", "CreditMemo") if entity == "Payment" else ("Bill", "VendorCredit", "JournalEntry")
        cleared, applied, foreign = ZERO, ZERO, rate != 1
        for line in obj.get("Line") or ():
            amount = _d(line.get("Amount"))
            for link in line.get("LinkedTxn") or ():
                if link.get("TxnType") not in targets:
                    continue
                linked = self.company.objects[link["TxnType"]].get(str(link.get("TxnId")))
                linked_rate = self._rate(linked)
                foreign = foreign or linked_rate != 1
                sign = -1 if link["TxnType"] in ("CreditMemo", "VendorCredit", "JournalEntry") else 1
                cleared += sign * (amount * linked_rate).quantize(CENT)
                applied += sign * amount
        if not foreign:
            return out
        total = _d(obj.get("TotalAmt"))
        cleared += ((total - applied) * rate).quantize(CENT)  # what is left unapplied, at the payment's own rate
        moved = (total * rate).quantize(CENT)
        (first, _), (second, _) = out
        gain = self._gain_account()
        if entity == "Payment":  # deposit at the payment's rate, A/R cleared at the invoices' rates
            postings = [(first, moved), (second, -cleared)]
            difference = -(moved - cleared)
        else:  # A/P cleared at the bills' rates, the bank at the payment's
            postings = [(first, cleared), (second, -moved)]
            difference = moved - cleared
        if difference and gain:
            postings.append((gain, difference))
        return postings

    def _postings(self, entity: str, obj: dict) -> list[tuple[str, Decimal]]:
        out: list[tuple[str, Decimal]] = []
        if entity == "JournalEntry":
            for line in obj.get("Line") or ():
                detail = line.get("JournalEntryLineDetail") or {}
                acc = _ref(detail, "AccountRef")
                if acc:
                    sign = 1 if detail.get("PostingType") == "Debit" else -1
                    out.append((acc, sign * _d(line.get("Amount"))))
        elif entity in PURCHASES:
            sign = PURCHASES[entity]
            total = ZERO
            for line in obj.get("Line") or ():
                if line.get("DetailType") == "ItemBasedExpenseLineDetail":
                    acc = self._item_account((line.get("ItemBasedExpenseLineDetail") or {}).get("ItemRef"), True)
                elif line.get("DetailType") == "AccountBasedExpenseLineDetail":
                    acc = _ref(line.get("AccountBasedExpenseLineDetail") or {}, "AccountRef")
                else:
                    continue
                amount = _d(line.get("Amount"))
                total += amount
                if acc:
                    out.append((acc, sign * amount))
            other = _ref(obj, "APAccountRef") or self._by_type("Accounts Payable")
            if entity == "Purchase":
                other = _ref(obj, "AccountRef")
            if other:
                out.append((other, -sign * total))
        elif entity in SALES:
            sign = SALES[entity]
            total = ZERO
            for line in obj.get("Line") or ():
                if line.get("DetailType") != "SalesItemLineDetail":
                    continue
                acc = self._item_account((line.get("SalesItemLineDetail") or {}).get("ItemRef"), False)
                amount = _d(line.get("Amount"))
                total += amount
                if acc:
                    out.append((acc, -sign * amount))
            other = (_ref(obj, "DepositToAccountRef") if entity in ("SalesReceipt", "RefundReceipt")
                     else _ref(obj, "ARAccountRef") or self._by_type("Accounts Receivable"))
            if other:
                out.append((other, sign * total))
        elif entity == "Payment":
            total = _d(obj.get("TotalAmt"))
            deposit, ar = _ref(obj, "DepositToAccountRef"), _ref(obj, "ARAccountRef") or self._by_type("Accounts Receivable")
            if deposit and ar:
                out += [(deposit, total), (ar, -total)]
        elif entity == "BillPayment":
            total = _d(obj.get("TotalAmt"))
            bank = _ref(obj.get("CheckPayment") or {}, "BankAccountRef") or _ref(obj.get("CreditCardPayment") or {},
                                                                                "CCAccountRef")
            ap = _ref(obj, "APAccountRef") or self._by_type("Accounts Payable")
            if bank and ap and total:
                out += [(ap, total), (bank, -total)]
        return out

    def balances(self, as_of: str) -> dict[str, Decimal]:
        """Each account's balance (natural sign: an asset's debit balance positive, a liability's credit balance
        positive) as of the end of ``as_of`` (ISO date)."""
        debit: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for entity in ("JournalEntry", *PURCHASES, *SALES, "Payment", "BillPayment"):
            for obj in self.company.objects.get(entity, {}).values():
                if str(obj.get("TxnDate", ""))[:10] > as_of:
                    continue
                for acc, amount in self.postings(entity, obj):
                    debit[acc] += amount
        out = {}
        for acc_id, acc in self.accounts.items():
            sign = 1 if acc.get("AccountType") in DEBIT_NATURED else -1
            out[acc_id] = (_d(acc.get("CurrentBalance", 0)) + sign * debit[acc_id]
                           ).quantize(CENT)
        return out


def _data_row(acc: dict, amount: Decimal) -> dict:
    return {"ColData": [{"value": acc.get("Name", ""), "id": str(acc["Id"])}, {"value": f"{amount:.2f}"}],
            "type": "Data"}


def _section(title: str, group: str, rows: list[dict], total: Decimal) -> dict:
    return {"Header": {"ColData": [{"value": title}, {"value": ""}]}, "Rows": {"Row": rows},
            "Summary": {"ColData": [{"value": f"Total {title}"}, {"value": f"{total:.2f}"}]},
            "type": "Section", "group": group}


def balance_sheet(company: Any, params: dict[str, list[str]]) -> dict:
    def one(name: str) -> str | None:
        values = params.get(name) or []
        return values[0] if values else None

    end = one("end_date") or one("start_date")
    if not end or len(end) != 10:
        raise E.QBOError(2010, "Invalid Date", "end_date is required as YYYY-MM-DD for this sandbox's BalanceSheet")
    basis = one("accounting_method") or "Accrual"
    balances = Ledger(company).balances(end)
    assets, other = [], []
    total_assets = total_other = ZERO
    for acc_id, acc in sorted(company.objects["Account"].items(), key=lambda kv: int(kv[0])):
        if acc.get("AccountType") in ASSETS:
            assets.append(_data_row(acc, balances[acc_id]))
            total_assets += balances[acc_id]
        elif acc.get("Classification") in ("Liability", "Equity"):
            other.append(_data_row(acc, balances[acc_id]))
            total_other += balances[acc_id]
    return {
        "Header": {"Time": qbo_time(), "ReportName": "BalanceSheet", "DateMacro": "", "ReportBasis": basis,
                   "StartPeriod": one("start_date") or end, "EndPeriod": end, "SummarizeColumnsBy": "Total",
                   "Currency": company.home_currency, "Option": [{"Name": "AccountingStandard", "Value": "GAAP"},
                                                                 {"Name": "NoReportData", "Value": "false"}]},
        "Columns": {"Column": [{"ColTitle": "", "ColType": "Account", "MetaData": [{"Name": "ColKey", "Value": "account"}]},
                               {"ColTitle": "Total", "ColType": "Money", "MetaData": [{"Name": "ColKey", "Value": "total"}]}]},
        "Rows": {"Row": [_section("Assets", "TotalAssets", assets, total_assets),
                         _section("Liabilities and Equity", "TotalLiabilitiesAndEquity", other, total_other)]},
    }


REPORTS = {"balancesheet": balance_sheet}


def report(company: Any, name: str, params: dict[str, list[str]]) -> dict:
    serve = REPORTS.get(name.lower())
    if serve is None:
        raise E.unsupported_operation(f"report {name!r} (this sandbox serves BalanceSheet only)")
    return serve(company, params)
