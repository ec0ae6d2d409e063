"""What the builders and gates know besides the document: settings, QBO preferences, and the
related documents (contacts, products, invoices and bills that a document refers to)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from qbtui.ledger.resolver import LookupResolver, Resolver, offline_resolver
from qbtui.settings import Settings


def _flag(value: Any, default: bool) -> bool:
    """A preference read as QBO sends it (a JSON boolean, or "true"/"false"); missing: ``default``."""
    return default if value is None else value is True or str(value).lower() == "true"


@dataclass(frozen=True)
class Prefs:
    """The QBO company preferences the ledger and gates depend on; ``known`` is False offline
    (before the first pull), and then no preference-based gate fires."""

    known: bool = False
    book_close_date: date | None = None
    multicurrency: bool = False
    home_currency: str | None = None
    quantity_on_hand: bool = False
    class_tracking: bool = True
    track_departments: bool = True
    #: QBO's per-line class tracking (ClassTrackingPerTxnLine): a ClassRef on every line
    class_per_line: bool = True
    #: QBO's per-transaction class tracking (ClassTrackingPerTxn), without per-line: one class per transaction
    class_per_txn: bool = False
    #: SalesFormsPrefs.AutoApplyCredit: QBO applies a new credit memo to the customer's oldest open invoices (on in a
    #: new company; unknown counts as on)
    auto_apply_credit: bool = True
    #: SalesFormsPrefs.AutoApplyPayments: what a payment does not apply itself goes to the oldest open invoices
    auto_apply_payments: bool = True
    #: SalesFormsPrefs.CustomTxnNumbers: off, QBO numbers sales forms sent without a number and stores a duplicate
    custom_txn_numbers: bool = True
    #: OtherPrefs WarnDuplicateJournalNumber: only "true" makes QBO refuse a journal's duplicate DocNumber (6140)
    warn_duplicate_journal: bool = False
    #: CompanyInfo.Country as pulled ("US", "CA", "GB", "AU", "NZ", ...); None: not pulled
    country: str | None = None
    #: TaxPrefs.PartnerTaxEnabled: QBO's Automated Sales Tax (US) computes the tax; qbtui sends only TAX/NON
    automated_sales_tax: bool = False

    @property
    def region(self) -> str | None:
        """The tax region (ledger.tax.region_of): from the country, else the home currency; None before a pull."""
        from qbtui.ledger.tax import region_of
        return region_of(self.country, self.home_currency) if self.known or self.country else None

    @classmethod
    def from_qbo(cls, prefs: Mapping[str, Any] | None, company_info: Mapping[str, Any] | None = None) -> Prefs:
        country = (company_info or {}).get("Country") or None
        if not prefs:
            return cls(country=country)
        acc = prefs.get("AccountingInfoPrefs") or {}
        cur = prefs.get("CurrencyPrefs") or {}
        prod = prefs.get("ProductAndServicesPrefs") or {}
        home = cur.get("HomeCurrency")
        if isinstance(home, Mapping):
            home = home.get("value")
        close = acc.get("BookCloseDate")
        sales = prefs.get("SalesFormsPrefs") or {}
        other = {str(nv.get("Name")): str(nv.get("Value")).lower()
                 for nv in (prefs.get("OtherPrefs") or {}).get("NameValue") or () if isinstance(nv, Mapping)}
        return cls(
            known=True,
            book_close_date=date.fromisoformat(close[:10]) if close else None,
            multicurrency=bool(cur.get("MultiCurrencyEnabled")),
            home_currency=home,
            quantity_on_hand=bool(prod.get("QuantityOnHand")),
            class_tracking=bool(acc.get("ClassTrackingPerTxn") or acc.get("ClassTrackingPerTxnLine")
                                or acc.get("ClassTrackingPerLine")),
            track_departments=bool(acc.get("TrackDepartments")),
            class_per_line=bool(acc.get("ClassTrackingPerTxnLine") or acc.get("ClassTrackingPerLine")),
            class_per_txn=bool(acc.get("ClassTrackingPerTxn")),
            auto_apply_credit=_flag(sales.get("AutoApplyCredit"), True),
            auto_apply_payments=_flag(sales.get("AutoApplyPayments"), True),
            custom_txn_numbers=_flag(sales.get("CustomTxnNumbers"), True),
            warn_duplicate_journal=other.get("WarnDuplicateJournalNumber") == "true",
            country=country,
            automated_sales_tax=_flag((prefs.get("TaxPrefs") or {}).get("PartnerTaxEnabled"), False),
        )


@dataclass(frozen=True)
class Ledger:
    """Everything a builder reads: ``docs`` maps (type, ref) to the document dict of contacts,
    products, sales invoices, supplier invoices (whatever a document may refer to)."""

    settings: Settings = field(default_factory=Settings)
    resolver: Resolver = field(default_factory=offline_resolver)
    prefs: Prefs = field(default_factory=Prefs)
    docs: Mapping[tuple[str, str], Mapping[str, Any]] = field(default_factory=dict)

    def doc(self, type: str, ref: str | None) -> Mapping[str, Any] | None:
        return None if ref is None else self.docs.get((type, ref))

    @classmethod
    def offline(cls, docs: Mapping[tuple[str, str], Mapping[str, Any]] | None = None,
                settings: Settings | None = None) -> Ledger:
        docs = docs or {}
        names = {k: str(d["name"]) for k, d in docs.items() if "name" in d}
        return cls(settings=settings or Settings(), resolver=LookupResolver(names=names), docs=docs)
