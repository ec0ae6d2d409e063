"""Sales tax, VAT and GST as the ledger sends and expects them (docs/domain.md#tax-and-regions).

The region comes from QBO's CompanyInfo.Country (else the home currency): ``us`` sends a line's TAX / NON and one
rate code for the document (``TxnTaxDetail.TxnTaxCodeRef``); elsewhere every sales and purchase line carries a
tax code (its own, mapped by name, or the default of its side) and the document says ``GlobalTaxCalculation``.
Unknown (before the first pull) the payloads are what they always were.

The expected figures follow QBO's rules as docs/qbo.md#tax-by-region establishes them, read here independently of
the sandbox's computation (which shares no code with this module):

- tax-exclusive: per tax rate, the lines' nets summed over every code holding the rate, the rate applied once to
  that sum and rounded half up to the cent; the document's total is its nets plus those taxes;
- tax-inclusive: each line's priced amount is its tax-inclusive amount (``TaxInclusiveAmt``); per code, the
  inclusive amounts are summed and the tax taken out of the sum, ``sum - half_up(sum x 100 / (100 + rates))``; the
  document's total is the sum of the inclusive amounts. A line's net (its ``Amount``) is its own inclusive amount
  less its own tax taken out the same way.
QBO does not take sent tax amounts (docs/qbo.md#tax-by-region), so none are sent: after a create the sync compares
QBO's TotalAmt and TotalTax with :attr:`DocTax.total` and :attr:`DocTax.tax`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
NOTHING = Decimal("0.00")
PSEUDO = ("TAX", "NON")

#: CompanyInfo.Country -> region; the home currency when the country is not known
REGION_BY_COUNTRY = {"US": "us", "USA": "us", "CA": "ca", "GB": "uk", "UK": "uk", "AU": "au", "NZ": "nz"}
REGION_BY_CURRENCY = {"USD": "us", "CAD": "ca", "GBP": "uk", "AUD": "au", "NZD": "nz"}

SALES_TYPES = frozenset({"sale_invoice", "credit_note", "quote"})
PURCHASE_TYPES = frozenset({"purchase_order", "supplier_invoice", "supplier_credit"})


def region_of(country: str | None, home_currency: str | None) -> str | None:
    """``us``, ``ca``, ``uk``, ``au``, ``nz``, another country's code in lower case, or None when neither is known."""
    if country:
        code = str(country).strip().upper()
        return REGION_BY_COUNTRY.get(code, code.lower())
    if home_currency:
        return REGION_BY_CURRENCY.get(str(home_currency).upper())
    return None


def half_up(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _pct(value: Any) -> Decimal:
    return Decimal(str(value))


@dataclass(frozen=True)
class Code:
    """A QBO tax code as the ledger uses it: its sales and purchase rates as (rate Id, percent)."""

    id: str
    name: str
    sales: tuple[tuple[str, Decimal], ...] = ()
    purchase: tuple[tuple[str, Decimal], ...] = ()

    @property
    def pseudo(self) -> bool:
        return self.name in PSEUDO or self.id in PSEUDO

    def rates(self, sales: bool) -> tuple[tuple[str, Decimal], ...]:
        return self.sales if sales else self.purchase


def _rate_list(code: Mapping[str, Any], key: str, rates: Mapping[str, Decimal]) -> tuple[tuple[str, Decimal], ...]:
    out = []
    for detail in ((code.get(key) or {}).get("TaxRateDetail") or ()):
        ref = detail.get("TaxRateRef") if isinstance(detail, Mapping) else None
        rid = str(ref.get("value")) if isinstance(ref, Mapping) else None
        if rid is not None and rid in rates:
            out.append((rid, rates[rid]))
    return tuple(out)


class TaxBook:
    """QBO's tax codes and rates as pulled, our tax rule names mapped to them (``qbtui map --tax``, exact names
    otherwise) and the default sales and purchase codes (``qbtui map --tax-default``). ``known`` is False before
    QBO's codes are pulled: nothing can be resolved then, and no expected tax is computed."""

    def __init__(self, codes: Iterable[Mapping[str, Any]] | None = None,
                 rates: Iterable[Mapping[str, Any]] | None = None,
                 mapping: Mapping[str, str] | None = None, defaults: Mapping[str, str] | None = None) -> None:
        self.known = codes is not None
        rate_values = {str(r["Id"]): _pct(r.get("RateValue", 0)) for r in rates or () if "Id" in r}
        self.codes: dict[str, Code] = {}
        self.by_name: dict[str, str] = {}
        for c in codes or ():
            if "Id" not in c:
                continue
            code = Code(str(c["Id"]), str(c.get("Name", c["Id"])), _rate_list(c, "SalesTaxRateList", rate_values),
                        _rate_list(c, "PurchaseTaxRateList", rate_values))
            self.codes[code.id] = code
            if c.get("Active", True):
                self.by_name.setdefault(code.name, code.id)
        self.mapping = dict(mapping or {})
        self.defaults = dict(defaults or {})

    def code_id(self, name: str | None) -> str | None:
        """The QBO code Id our tax rule ``name`` maps to (mapping first, then QBO's exact name)."""
        if not name:
            return None
        return self.mapping.get(name) or self.by_name.get(name)

    def code(self, id_: str | None) -> Code | None:
        return self.codes.get(str(id_)) if id_ is not None else None

    def default(self, sales: bool) -> str | None:
        return self.defaults.get("sales" if sales else "purchase")


EMPTY = TaxBook()


def book_for(codes: Iterable[Mapping[str, Any]] | None, rates: Iterable[Mapping[str, Any]] | None,
             settings: Any) -> TaxBook:
    """The TaxBook of QBO's tax codes and rates as pulled (``codes`` None: not pulled, nothing resolves) with the
    settings' tax mapping and defaults: the one the gates check and the totals shown read."""
    return TaxBook(codes, rates, settings.tax_mapping, settings.tax_defaults)


@dataclass(frozen=True)
class TaxContext:
    """What a document's tax is worked out with, outside a sync: the book, the company's region and whether QBO's
    Automated Sales Tax (US) computes the tax."""

    book: TaxBook
    region: str | None
    ast: bool = False

    @property
    def adds_tax(self) -> bool:
        """QuickBooks adds the sales tax itself (the US with Automated Sales Tax): a sale's total is before tax."""
        return self.region == "us" and self.ast


@dataclass(frozen=True)
class LineTax:
    """One line as sent: its tax code (``ref``, None: none sent), its net ``Amount``, its tax-inclusive amount
    (``inclusive`` only) and its share of the tax as shown (the document's tax is computed per rate, not per line)."""

    code: str | None
    ref: dict[str, Any] | None
    net: Decimal
    gross: Decimal | None = None
    tax: Decimal | None = None


@dataclass(frozen=True)
class DocTax:
    region: str | None
    calculation: str | None = None  # GlobalTaxCalculation to send (None: not sent)
    lines: list[LineTax] = field(default_factory=list)
    txn_code: dict[str, Any] | None = None  # the US rate code, TxnTaxDetail.TxnTaxCodeRef
    tax: Decimal | None = None  # QBO's TotalTax as expected; None: not known (offline, or not computed by QBO)
    total: Decimal | None = None  # QBO's TotalAmt as expected
    stated: Decimal | None = None  # the document's own tax_total (the inventory side's figure), compared with QBO's


def book_of(ledger: Any) -> TaxBook:
    book = getattr(ledger.resolver, "taxes", None)
    return book if isinstance(book, TaxBook) else EMPTY


def _ref(code: Code | None, fallback: str | None) -> dict[str, Any] | None:
    if code is not None:
        return {"value": code.id, "name": code.name}
    return {"value": None, "name": fallback} if fallback else None


def line_code(line: Mapping[str, Any], book: TaxBook, sales: bool) -> tuple[str | None, str | None]:
    """(the name shown, the QBO code Id) of a line outside the US: its own code, or the default of its side."""
    own = line.get("tax_code")
    if own:
        return str(own), book.code_id(str(own))
    default = book.default(sales)
    if default:
        code = book.code(default)
        return (code.name if code else default), default
    return None, None


def extract(gross: Decimal, percent: Decimal) -> Decimal:
    """The tax inside a tax-inclusive amount at ``percent``: gross less its net, the net rounded half up."""
    if not percent:
        return NOTHING
    return gross - half_up(gross * 100 / (100 + percent))


def compute(doc: Mapping[str, Any], amounts: Sequence[Decimal], region: str | None, book: TaxBook, *,
            sales: bool, inclusive: bool | None = None, ast: bool = False) -> DocTax:
    """The tax of a document whose lines are priced at ``amounts`` (each to the cent: nets, or tax-inclusive
    amounts when ``inclusive``, the document's own ``tax_inclusive`` unless given); ``stated``: the document's own
    ``tax_total`` is compared with QBO's too (not for a part of a document)."""
    result = _compute(doc, amounts, region, book, sales=sales, inclusive=inclusive, ast=ast)
    stated = doc.get("tax_total")
    if stated is not None and inclusive is None and result.region is not None:
        result = replace(result, stated=half_up(Decimal(str(stated))))
    return result


def _compute(doc: Mapping[str, Any], amounts: Sequence[Decimal], region: str | None, book: TaxBook, *,
             sales: bool, inclusive: bool | None, ast: bool) -> DocTax:
    lines = list(doc.get("lines") or ())
    inclusive = bool(doc.get("tax_inclusive")) if inclusive is None else inclusive
    if region is None:  # not pulled yet: as before, the line's code by name, prices as they are
        out = [LineTax(l.get("tax_code"), _ref(None, l.get("tax_code")) if l.get("tax_code") else None, a)
               for l, a in zip(lines, amounts)]
        return DocTax(None, "TaxInclusive" if inclusive and doc.get("type") == "sale_invoice" else None, out)
    if region == "us":
        return _us(lines, amounts, book, sales, ast)
    return _global(lines, amounts, book, sales, inclusive, region)


def _us(lines: list[Mapping[str, Any]], amounts: Sequence[Decimal], book: TaxBook, sales: bool, ast: bool) -> DocTax:
    out, taxable, rate_codes = [], NOTHING, []
    for line, amount in zip(lines, amounts):
        name = line.get("tax_code")
        if not name:
            out.append(LineTax(None, None, amount))
            continue
        code = book.code(book.code_id(str(name)))
        if code is None:  # not known yet: sent by name, as before
            out.append(LineTax(str(name), _ref(None, str(name)), amount))
            continue
        if code.pseudo:
            out.append(LineTax(code.name, _ref(code, None), amount))
            if code.name == "TAX" or code.id == "TAX":
                taxable += amount
            continue
        # a rate code: the line is taxable, the rate goes on the document
        out.append(LineTax(code.name, {"value": "TAX", "name": "TAX"}, amount))
        taxable += amount
        if code.id not in rate_codes:
            rate_codes.append(code.id)
    nets = sum((l.net for l in out), NOTHING)
    if not sales:
        return DocTax("us", None, out, None, NOTHING, nets)
    if not rate_codes and taxable and book.default(True):
        rate_codes = [book.default(True)]  # type: ignore[list-item]
    txn = book.code(rate_codes[0]) if len(rate_codes) == 1 else None
    if txn is None or ast:  # no rate code (QBO's own default, or several: gated), or Automated Sales Tax decides
        tax = None if taxable else NOTHING
        return DocTax("us", None, out, _ref(txn, None), tax, None if tax is None else nets + tax)
    tax = sum((half_up(taxable * pct / 100) for _, pct in txn.rates(True)), NOTHING)
    return DocTax("us", None, out, _ref(txn, None), tax, nets + tax)


def _global(lines: list[Mapping[str, Any]], amounts: Sequence[Decimal], book: TaxBook, sales: bool,
            inclusive: bool, region: str) -> DocTax:
    calculation = "TaxInclusive" if inclusive else "TaxExcluded"
    out: list[LineTax] = []
    known = book.known
    codes: list[Code | None] = []
    for line, amount in zip(lines, amounts):
        shown, id_ = line_code(line, book, sales)
        code = book.code(id_)
        codes.append(code)
        if code is None:
            known = False
        ref = _ref(code, shown) if shown else None
        percent = sum((p for _, p in code.rates(sales)), NOTHING) if code else NOTHING
        if inclusive:
            own = extract(amount, percent)
            out.append(LineTax(shown, ref, amount - own, amount, own if code else None))
        else:
            out.append(LineTax(shown, ref, amount, None, half_up(amount * percent / 100) if code else None))
    if not known:
        return DocTax(region, calculation, out)
    if inclusive:
        by_code: dict[str, Decimal] = {}
        for code, line_tax in zip(codes, out):
            assert code is not None and line_tax.gross is not None
            by_code[code.id] = by_code.get(code.id, NOTHING) + line_tax.gross
        tax = NOTHING
        for id_, gross in by_code.items():
            code = book.code(id_)
            assert code is not None
            tax += extract(gross, sum((p for _, p in code.rates(sales)), NOTHING))
        total = sum(by_code.values(), NOTHING)
        return DocTax(region, calculation, out, None, tax, total)
    per_rate: dict[str, list[Decimal]] = {}
    for code, line_tax in zip(codes, out):
        assert code is not None
        for rid, pct in code.rates(sales):
            per_rate.setdefault(rid, [NOTHING, pct])[0] += line_tax.net
    tax = sum((half_up(net * pct / 100) for net, pct in per_rate.values()), NOTHING)
    return DocTax(region, calculation, out, None, tax, sum((l.net for l in out), NOTHING) + tax)


def expected(tax: DocTax) -> dict[str, Decimal] | None:
    """The figures QBO's answer is compared with (:attr:`qbtui.ledger.payload.Payload.expected`)."""
    out = {k: v for k, v in (("TotalAmt", tax.total), ("TotalTax", tax.tax), ("StatedTax", tax.stated))
           if v is not None}
    return out or None


def summary(tax: DocTax) -> dict[str, Any] | None:
    """The tax as the dry run shows it: ``{"region", "calculation", "lines": [{"code", "net", "inclusive_amount",
    "tax"}], "tax_total", "total"}`` (figures None where not foreseeable); None in a US (or not yet known) company
    when no line has a tax code, so such a document shows as it always did."""
    if tax.region in (None, "us") and not any(line.code for line in tax.lines):
        return None
    return {"region": tax.region, "calculation": tax.calculation,
            "lines": [{"code": line.code, "net": line.net, "inclusive_amount": line.gross, "tax": line.tax}
                      for line in tax.lines],
            "tax_total": tax.tax, "total": tax.total, "stated_tax_total": tax.stated}
