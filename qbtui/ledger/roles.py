"""The mapping roles (docs/domain.md#mapping-roles): one table for the wizard, ``qbtui map --auto``, the
ledger and the gates. The mapping itself lives in the cache's settings under ``mapping``
= {role: QBO Account Id}."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Role:
    name: str
    required: bool
    allowed: tuple[tuple[str, str | None], ...]  # (AccountType, AccountSubType or None = any)
    match_names: tuple[str, ...]
    used_by: str
    label: str

    def allows(self, account: Mapping[str, Any]) -> bool:
        t, sub = account.get("AccountType"), account.get("AccountSubType")
        return any(t == at and (s is None or sub == s) for at, s in self.allowed)

    def allowed_text(self) -> str:
        return " or ".join(at if s is None else f"{at} ({s})" for at, s in self.allowed)


OCA = "Other Current Asset"
OCL = "Other Current Liability"

ROLES: tuple[Role, ...] = (
    Role("inventory_asset", True, ((OCA, "Inventory"),), ("Inventory Asset", "Inventory"),
         "stock products, adjustments, COGS, opening inventory", "Inventory asset"),
    Role("cogs", True, (("Cost of Goods Sold", None),), ("Cost of Goods Sold", "COGS"),
         "COGS, non-stock and service products", "Cost of goods sold"),
    Role("inventory_discrepancy", True, (("Expense", "SuppliesMaterials"), ("Cost of Goods Sold", None)),
         ("Inventory Discrepancy", "Inventory Adjustments"), "adjustments", "Inventory discrepancy"),
    Role("sales_income", True, (("Income", None),), ("Sales of Product Income", "Sales", "Revenue"),
         "products", "Sales income"),
    Role("accounts_receivable", True, (("Accounts Receivable", None),),
         ("Accounts Receivable (A/R)", "Accounts Receivable"), "invoices, credit memos", "Accounts receivable"),
    Role("accounts_payable", True, (("Accounts Payable", None),),
         ("Accounts Payable (A/P)", "Accounts Payable"), "bills, deposit application", "Accounts payable"),
    Role("payment_clearing", True, ((OCA, "UndepositedFunds"), ("Bank", None)),
         ("Payment Clearing", "Undeposited Funds"), "payments, refunds, gift vouchers, store credits",
         "Payment clearing"),
    Role("bank", True, (("Bank", None),), ("Checking", "Bank"), "bill payments, supplier deposits", "Bank"),
    Role("supplier_deposits", False, ((OCA, None),), ("Supplier Deposits",), "supplier deposits",
         "Supplier deposits"),
    Role("customer_credits", False, ((OCL, None),), ("Customer Credits", "Store Credit"), "store credits",
         "Customer credits"),
    Role("gift_card_liability", False, ((OCL, None), ("Credit Card", None)), ("Gift Card Liability",),
         "gift vouchers", "Gift card liability"),
    Role("opening_balance_equity", False, (("Equity", "OpeningBalanceEquity"),), ("Opening Balance Equity",),
         "opening inventory", "Opening balance equity"),
    Role("work_in_progress", False, ((OCA, None),), ("Work in Progress",), "later stages", "Work in progress"),
    Role("in_transit", False, ((OCA, None),), ("In-transit",), "later stages", "In transit"),
    Role("inventory_accrual", False, ((OCA, None),), ("Inventory Accrual",), "later stages",
         "Inventory accrual (GRNI)"),
    Role("stock_in_transit", False, ((OCA, None),), ("Stock in Transit",), "later stages",
         "Stock in transit (GINR)"),
    Role("realized_currency_gains", False, (("Expense", "ExchangeGainOrLoss"), ("Other Expense", None)),
         ("Realized Currency Gains",), "foreign currency", "Realized currency gains"),
    Role("unrealized_currency_gains", False, (("Expense", "ExchangeGainOrLoss"), ("Other Expense", None)),
         ("Unrealized Currency Gains",), "foreign currency", "Unrealized currency gains"),
)
ROLE_BY_NAME: dict[str, Role] = {r.name: r for r in ROLES}
REQUIRED_ROLES: tuple[str, ...] = tuple(r.name for r in ROLES if r.required)


def _active(accounts: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [a for a in accounts if a.get("Active", True) and a.get("Id") is not None]


def auto_map(accounts: Iterable[Mapping[str, Any]], mapping: Mapping[str, str] | None = None) -> dict[str, str]:
    """{role: account Id} for the roles not yet in ``mapping``, one account per role (one-to-one).

    First pass: an account whose Name (case-insensitive) is one of the role's auto-match names,
    in the order the table lists them, and whose type is allowed. Second pass, required roles
    only: the one remaining account of an allowed type, when there is exactly one."""
    mapping = dict(mapping or {})
    accounts = _active(accounts)
    taken = {str(v) for v in mapping.values()}
    result: dict[str, str] = {}
    by_name: dict[str, list[Mapping[str, Any]]] = {}
    for a in accounts:
        by_name.setdefault(str(a.get("Name", "")).strip().casefold(), []).append(a)
    for role in ROLES:
        if role.name in mapping:
            continue
        for name in role.match_names:
            hit = next((a for a in by_name.get(name.casefold(), ())
                        if role.allows(a) and str(a["Id"]) not in taken), None)
            if hit is not None:
                result[role.name] = str(hit["Id"])
                taken.add(str(hit["Id"]))
                break
    for role in ROLES:
        if not role.required or role.name in mapping or role.name in result:
            continue
        free = [a for a in accounts if role.allows(a) and str(a["Id"]) not in taken]
        if len(free) == 1:
            result[role.name] = str(free[0]["Id"])
            taken.add(str(free[0]["Id"]))
    return result


def account_label(account: Mapping[str, Any]) -> str:
    """``Name (AccountType, AccountSubType)``: how an account is named in choices and refusals."""
    sub = account.get("AccountSubType")
    return f"{account.get('Name')} ({account.get('AccountType')}{', ' + sub if sub else ''})"


def assignment_refused(mapping: Mapping[str, Any], role: str, account: Mapping[str, Any]) -> str | None:
    """Why ``role`` may not be mapped to ``account`` (None: it may), for ``qbtui map`` and the wizard alike.

    The rule (docs/domain.md#mapping-roles): one-to-one (an account already mapped to another role is
    refused, never moved: that role would silently lose its account), an active account, of a type the
    role allows."""
    r = ROLE_BY_NAME[role]
    if not account.get("Active", True):
        return f"{account.get('Name')} is inactive in QuickBooks"
    if not r.allows(account):
        return f"refused: {account_label(account)} is not an allowed type for {r.label}; allowed: {r.allowed_text()}"
    account_id = str(account.get("Id"))
    other = next((name for name, acc in mapping.items() if str(acc) == account_id and name != role), None)
    if other is not None:
        label = ROLE_BY_NAME[other].label if other in ROLE_BY_NAME else other
        return (f"refused: {account.get('Name')} is already mapped to {label}; each role needs its own account "
                f"(map {other} to another account first)")
    return None


def mapping_problems(mapping: Mapping[str, Any], accounts: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """What is wrong with a mapping: ``[{"role", "code", "message"}]`` (unknown role, unmapped
    required role, unknown or inactive account Id, account of a type the role does not allow,
    one account mapped to two roles)."""
    by_id = {str(a.get("Id")): a for a in accounts}
    problems: list[dict[str, str]] = []
    seen: dict[str, str] = {}
    for role_name, account_id in mapping.items():
        role = ROLE_BY_NAME.get(role_name)
        if role is None:
            problems.append({"role": role_name, "code": "mapping.unknown_role",
                             "message": f"{role_name!r} is not a mapping role (roles: {', '.join(ROLE_BY_NAME)})"})
            continue
        account = by_id.get(str(account_id))
        if account is None:
            problems.append({"role": role_name, "code": "mapping.unknown_account",
                             "message": f"{role_name}: no QBO account with Id {account_id} (reload accounts with "
                                        "qbtui pull, then map again)"})
            continue
        name = account.get("Name", account_id)
        if not account.get("Active", True):
            problems.append({"role": role_name, "code": "mapping.inactive_account",
                             "message": f"{role_name}: account {name!r} is inactive in QBO"})
        if not role.allows(account):
            problems.append({"role": role_name, "code": "mapping.wrong_account_type",
                             "message": f"{role_name}: account {name!r} is {account.get('AccountType')}"
                                        f" ({account.get('AccountSubType')}); allowed: {role.allowed_text()}"})
        other = seen.get(str(account_id))
        if other is not None:
            problems.append({"role": role_name, "code": "mapping.shared_account",
                             "message": f"{role_name}: account {name!r} is already mapped to {other}; "
                                        "each role needs its own account"})
        seen[str(account_id)] = role_name
    for role_name in REQUIRED_ROLES:
        if role_name not in mapping:
            problems.append({"role": role_name, "code": "mapping.missing_role",
                             "message": f"{role_name} ({ROLE_BY_NAME[role_name].label}) is not mapped; "
                                        f"allowed: {ROLE_BY_NAME[role_name].allowed_text()}"})
    return problems


def match_by_name(names: Iterable[str], items: Iterable[Mapping[str, Any]],
                  mapping: Mapping[str, str] | None = None) -> tuple[dict[str, str], list[str]]:
    """Tax codes and terms: our names to QBO Ids by exact Name (case included: QBO compares them exactly).
    Returns (matched {name: Id} including ``mapping``, names left unmatched)."""
    result = dict(mapping or {})
    by_name = {str(i.get("Name")): str(i.get("Id")) for i in items if i.get("Active", True)}
    left = []
    for name in dict.fromkeys(names):
        if name in result:
            continue
        if name in by_name:
            result[name] = by_name[name]
        else:
            left.append(name)
    return result, left
