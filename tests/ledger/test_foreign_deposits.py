"""A supplier deposit applied to a EUR supplier invoice (qbtui.ledger.journals): the applied journal's A/P line and
the bill payment's APAccountRef are QBO's EUR A/P as pulled, the document screen's Dr/Cr table names it, and without
one the gate currency.no_payables_account holds the deposit (docs/qbo.md#supplier-deposits, docs/domain.md#gates).
In the home currency nothing changes: the mapped A/P."""

from __future__ import annotations

from qbtui.ledger import GateContext, Ledger, LookupResolver, Prefs, build, check
from qbtui.ledger.postings import journal
from qbtui.settings import Settings
from tests.ledger.helpers import ALL_MAPPED, SUPPLIER, doc, docs_map

EUR_AP = {"Id": "77", "Name": "Accounts Payable (A/P) - EUR", "AccountType": "Accounts Payable",
          "CurrencyRef": {"value": "EUR"}, "Active": True}
HOME_AP = {"Id": ALL_MAPPED["accounts_payable"], "Name": "Accounts Payable (A/P)", "AccountType": "Accounts Payable",
           "CurrencyRef": {"value": "USD"}, "Active": True}
PREFS = Prefs.from_qbo({"CurrencyPrefs": {"HomeCurrency": {"value": "USD"}, "MultiCurrencyEnabled": True}})
EUR_SUPPLIER = SUPPLIER | {"currency": "EUR"}
BILL = doc(type="supplier_invoice", ref="PI-EU", supplier="S-1", supplier_invoice_number="B-77",
           invoice_date="2026-11-03", currency="EUR", exchange_rate="1.08",
           lines=[{"sku": "MUG-01", "quantity": 10, "unit_cost": "10.00"}])
DEPOSIT = doc(type="supplier_deposit", ref="DEP-EU", supplier="S-1", date="2026-11-01", amount="30.00",
              currency="EUR", exchange_rate="1.08", supplier_invoice="PI-EU", applied_date="2026-11-06")


def ledger(*accounts: dict, supplier: dict = EUR_SUPPLIER, bill: dict = BILL, deposit: dict = DEPOSIT) -> Ledger:
    s = Settings.from_stored({"mapping": ALL_MAPPED})
    docs = {**docs_map(bill, deposit), ("supplier", "S-1"): supplier}
    others = [{"Id": v, "Name": k.replace("_", " ").title()} for k, v in ALL_MAPPED.items()
              if v != HOME_AP["Id"]]
    resolver = LookupResolver(names={k: v["name"] for k, v in docs.items() if "name" in v}, connected=True,
                              mapping=s.mapping, accounts=[*others, *accounts],
                              link_ids=lambda t, r: {("supplier", "S-1"): [("Vendor", "31")],
                                                     ("supplier_invoice", "PI-EU"): [("Bill", "140")]}.get((t, r), []))
    return Ledger(s, resolver, PREFS, docs)


def parts(led: Ledger) -> dict[str, dict]:
    return {p.key: p.body for p in build(DEPOSIT, led)}


def debit(body: dict) -> dict:
    [line] = [x["JournalEntryLineDetail"] for x in body["Line"] if x["JournalEntryLineDetail"]["PostingType"] == "Debit"]
    return line


def test_the_applied_journal_and_its_bill_payment_use_the_eur_payable():
    led = ledger(HOME_AP, EUR_AP)
    bodies = parts(led)
    applied, paying = bodies["deposit:applied"], bodies["deposit:bill"]
    assert debit(applied)["AccountRef"] == {"value": "77", "name": "Accounts Payable (A/P) - EUR"}
    assert debit(applied)["Entity"] == {"Type": "Vendor", "EntityRef": {"value": "31", "name": "Clay Works"}}
    assert applied["CurrencyRef"] == {"value": "EUR"} and paying["CurrencyRef"] == {"value": "EUR"}
    assert paying["APAccountRef"] == {"value": "77", "name": "Accounts Payable (A/P) - EUR"}
    # the paid journal has no A/P: unchanged
    assert debit(bodies["deposit:paid"])["AccountRef"]["value"] == ALL_MAPPED["supplier_deposits"]
    # the document screen's Dr/Cr table reads the lines: Dr the EUR A/P, not the home one
    names = {"77": "Accounts Payable (A/P) - EUR", ALL_MAPPED["accounts_payable"]: "Accounts Payable (A/P)",
             ALL_MAPPED["supplier_deposits"]: "Supplier Deposits", ALL_MAPPED["bank"]: "Bank"}
    table = journal([p.to_json() for p in build(DEPOSIT, led)], {}, ALL_MAPPED, names)
    debits = [(r["entry"], r["account"], r["debit"]) for r in table["lines"] if r["debit"]]
    assert ("Journal entry DEP-EU-APPLIED", "Accounts Payable (A/P) - EUR", "30.00") in debits
    assert not [r for r in table["lines"] if r["account"] == "Accounts Payable (A/P)"]
    assert (table["debit"], table["credit"]) == ("60.00", "60.00")


def test_in_the_home_currency_the_mapped_payable_as_before():
    home = ledger(HOME_AP, EUR_AP, supplier=SUPPLIER, bill=BILL | {"currency": None, "exchange_rate": None},
                  deposit=DEPOSIT | {"currency": None, "exchange_rate": None})
    bodies = {p.key: p.body for p in build(DEPOSIT | {"currency": None, "exchange_rate": None}, home)}
    assert debit(bodies["deposit:applied"])["AccountRef"]["value"] == ALL_MAPPED["accounts_payable"]
    assert bodies["deposit:bill"]["APAccountRef"]["value"] == ALL_MAPPED["accounts_payable"]
    assert "CurrencyRef" not in bodies["deposit:bill"]


def test_without_a_eur_payable_in_qbo_the_deposit_is_held_by_the_gate():
    led = ledger(HOME_AP)
    bodies = parts(led)
    # what it would send names no account Id (a stand-in), and the bill payment leaves its A/P to QBO
    assert debit(bodies["deposit:applied"])["AccountRef"] == {"value": None, "name": "Accounts Payable (A/P) - EUR"}
    assert "APAccountRef" not in bodies["deposit:bill"]
    docs = {**docs_map(BILL, DEPOSIT), ("supplier", "S-1"): EUR_SUPPLIER}
    s = Settings.from_stored({"mapping": ALL_MAPPED})
    ctx = GateContext.build(docs, s, PREFS, qbo_accounts=[HOME_AP])
    [reason] = [r for r in check(DEPOSIT, ctx) if r.code == "currency.no_payables_account"]
    assert "'PI-EU'" in reason.message and "EUR" in reason.message and "USD" in reason.message
    assert "qbtui pull" in reason.hint and reason.field == "currency"
    # a EUR A/P pulled: no reason; QBO's accounts not pulled yet, or the deposit not applied: no gate
    assert not [r for r in check(DEPOSIT, GateContext.build(docs, s, PREFS, qbo_accounts=[HOME_AP, EUR_AP]))
                if r.code.startswith("currency.")]
    assert "currency.no_payables_account" not in [r.code for r in check(DEPOSIT, GateContext.build(docs, s, PREFS))]
    unapplied = {k: v for k, v in DEPOSIT.items() if k not in ("supplier_invoice", "applied_date")}
    assert "currency.no_payables_account" not in [r.code for r in check(unapplied, ctx)]
