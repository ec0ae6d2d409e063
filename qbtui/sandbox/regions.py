"""`--region us|ca|uk|au|nz`: a sandbox company's country, home currency and the tax codes and rates QBO creates
for it. Every table names its source (or says *unverified*) here and in docs/qbo.md#tax-by-region.

US: Intuit's TaxCode reference (query answer): the pseudo codes ``TAX`` and ``NON`` are listed with those Ids
(``TaxGroup`` false) beside the rate codes (``TaxGroup`` true, a ``SalesTaxRateList``), e.g. "California" naming its
rate "California"; lines carry TAX or NON, the rate code goes in ``TxnTaxDetail.TxnTaxCodeRef`` (Intuit's "Manage
sales tax for US locales"; recorded: ../shared/reference/quickbooks_ruby_fixtures/refund_receipt.xml). Elsewhere:
Intuit's "Manage sales tax for non-US locales" (a TaxCode per line, made of rates; rates belong to agencies) and
the names integrators' code uses against real companies (docs/qbo.md#tax-by-region lists them)."""

from __future__ import annotations

from dataclasses import dataclass

REGIONS = ("us", "ca", "uk", "au", "nz")

CURRENCY_NAMES = {
    "USD": "United States Dollar", "CAD": "Canadian Dollar", "GBP": "British Pound Sterling",
    "AUD": "Australian Dollar", "NZD": "New Zealand Dollar", "EUR": "Euro", "JPY": "Japanese Yen",
    "CHF": "Swiss Franc", "SGD": "Singapore Dollar", "HKD": "Hong Kong Dollar", "CNY": "Chinese Yuan Renminbi",
    "INR": "Indian Rupee", "MXN": "Mexican Peso", "ZAR": "South African Rand", "SEK": "Swedish Krona",
    "NOK": "Norwegian Krone", "DKK": "Danish Krone",
}


@dataclass(frozen=True)
class Rate:
    """A TaxRate: ``name``, ``value`` (percent), its agency's name."""

    name: str
    value: str
    agency: str


@dataclass(frozen=True)
class Code:
    """A TaxCode: its sales and purchase rates (names of :class:`Rate`); no rates at all = out of the tax's
    scope (no TaxLine, no tax)."""

    name: str
    description: str
    sales: tuple[str, ...] = ()
    purchase: tuple[str, ...] = ()


@dataclass(frozen=True)
class Region:
    code: str
    country: str
    currency: str
    address: dict
    #: the word QBO's 6000 uses for a line without a tax code ("GST/HST", "VAT", "GST"); None for the US
    tax_word: str | None
    rates: tuple[Rate, ...] = ()
    codes: tuple[Code, ...] = ()
    #: the tax code the fixtures' sample documents use on their lines (None: the US, TAX/NON)
    sample_code: str | None = None


US = Region(
    "us", "US", "USD",
    {"Line1": "1 Harbour Way", "City": "Portland", "CountrySubDivisionCode": "OR", "PostalCode": "97201"},
    None,
    rates=(Rate("State Sales Tax", "8", "State Department of Revenue"),),
    # TAX and NON are added as pseudo codes (Id = name) by fixtures.py; this is the rate code
    codes=(Code("State Sales Tax", "State Sales Tax", sales=("State Sales Tax",)),),
)

CA = Region(
    "ca", "CA", "CAD",
    {"Line1": "1 Harbour Way", "City": "Toronto", "CountrySubDivisionCode": "ON", "PostalCode": "M5J 2N8"},
    "GST/HST",
    rates=(Rate("GST", "5", "Canada Revenue Agency"), Rate("HST ON", "13", "Canada Revenue Agency"),
           Rate("PST BC", "7", "Minister of Finance (BC)"), Rate("QST", "9.975", "Revenu Québec"),
           Rate("Zero-rated", "0", "Canada Revenue Agency"), Rate("Exempt", "0", "Canada Revenue Agency")),
    codes=(Code("GST", "GST", ("GST",), ("GST",)),
           Code("HST ON", "HST Ontario", ("HST ON",), ("HST ON",)),
           Code("GST/PST BC", "GST and PST British Columbia", ("GST", "PST BC"), ("GST",)),
           Code("GST/QST QC - 9.975", "GST and QST Quebec", ("GST", "QST"), ("GST", "QST")),
           Code("Zero-rated", "Zero-rated", ("Zero-rated",), ("Zero-rated",)),
           Code("Exempt", "Exempt", ("Exempt",), ("Exempt",)),
           Code("Out of Scope", "Out of scope of GST/HST")),
    sample_code="HST ON",
)

UK = Region(
    "uk", "GB", "GBP",
    {"Line1": "1 Harbour Way", "City": "London", "CountrySubDivisionCode": "", "PostalCode": "E14 5AB"},
    "VAT",
    rates=(Rate("20.0% S", "20", "HM Revenue & Customs"), Rate("5.0% R", "5", "HM Revenue & Customs"),
           Rate("0.0% Z", "0", "HM Revenue & Customs"), Rate("Exempt", "0", "HM Revenue & Customs")),
    codes=(Code("20.0% S", "Standard", ("20.0% S",), ("20.0% S",)),
           Code("5.0% R", "Reduced", ("5.0% R",), ("5.0% R",)),
           Code("0.0% Z", "Zero-rated", ("0.0% Z",), ("0.0% Z",)),
           Code("Exempt", "Exempt", ("Exempt",), ("Exempt",)),
           Code("No VAT", "No VAT")),
    sample_code="20.0% S",
)

AU = Region(
    "au", "AU", "AUD",
    {"Line1": "1 Harbour Way", "City": "Sydney", "CountrySubDivisionCode": "NSW", "PostalCode": "2000"},
    "GST",
    rates=(Rate("GST", "10", "Australian Taxation Office"), Rate("GST free", "0", "Australian Taxation Office"),
           Rate("Input taxed", "0", "Australian Taxation Office")),
    codes=(Code("GST", "GST", ("GST",), ("GST",)),
           Code("GST free", "GST free", ("GST free",), ("GST free",)),
           Code("Input taxed", "Input taxed", ("Input taxed",), ("Input taxed",)),
           Code("Out of scope", "Out of scope")),
    sample_code="GST",
)

NZ = Region(
    "nz", "NZ", "NZD",
    {"Line1": "1 Harbour Way", "City": "Auckland", "CountrySubDivisionCode": "", "PostalCode": "1010"},
    "GST",
    rates=(Rate("GST", "15", "Inland Revenue"), Rate("Zero-rated", "0", "Inland Revenue"),
           Rate("Exempt", "0", "Inland Revenue")),
    codes=(Code("GST", "GST 15%", ("GST",), ("GST",)),
           Code("Zero-rated", "Zero-rated", ("Zero-rated",), ("Zero-rated",)),
           Code("Exempt", "Exempt", ("Exempt",), ("Exempt",)),
           Code("No GST", "No GST")),
    sample_code="GST",
)

BY_CODE = {r.code: r for r in (US, CA, UK, AU, NZ)}


def region(code: str) -> Region:
    try:
        return BY_CODE[code]
    except KeyError:
        raise ValueError(f"unknown region {code!r} (one of {', '.join(REGIONS)})") from None


def currency_name(code: str) -> str:
    return CURRENCY_NAMES.get(code, code)
