"""Pieces every builder uses: header fields, currency, class and location, sale/purchase lines."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from qbtui.ledger.context import Ledger
from qbtui.ledger.money import dec, money
from qbtui.ledger.refs import doc_number, txn_memo
from qbtui.ledger.tax import DocTax, LineTax, book_of, compute

Doc = Mapping[str, Any]
UNIT = Decimal("0.000001")


def plain(value: Decimal) -> Decimal:
    """Without trailing zeros and never in exponent form (2.500000 -> 2.5, 10.000000 -> 10)."""
    return Decimal(format(value.normalize(), "f")) if value else Decimal(0)


def put(body: dict[str, Any], key: str, value: Any) -> None:
    """Set ``key`` unless value is None (QBO treats a missing field as unset)."""
    if value is not None:
        body[key] = value


def home_currency(ledger: Ledger) -> str:
    return ledger.prefs.home_currency or ledger.settings.base_currency


def foreign_currency(doc: Doc, ledger: Ledger) -> str | None:
    cur = doc.get("currency")
    return cur if cur and cur != home_currency(ledger) else None


def add_currency(body: dict[str, Any], doc: Doc, ledger: Ledger) -> None:
    cur = foreign_currency(doc, ledger)
    if cur:
        body["CurrencyRef"] = {"value": cur}
        put(body, "ExchangeRate", dec(doc["exchange_rate"]) if doc.get("exchange_rate") is not None else None)


CONTROL_TYPES = {"accounts_receivable": "Accounts Receivable", "accounts_payable": "Accounts Payable"}


def control_account(role: str, doc: Doc, ledger: Ledger) -> dict[str, Any] | None:
    """The A/R or A/P account of the document's currency: the mapped role's in the home currency; in a foreign
    currency the pulled account of that type and currency (QBO keeps one per currency and refuses another's), or
    None when QBO has none yet: then the field is left out and QBO uses (or makes) the currency's own account
    (docs/qbo.md#multicurrency-in-the-sandbox)."""
    cur = foreign_currency(doc, ledger)
    if cur is None:
        return ledger.resolver.account(role)
    found = getattr(ledger.resolver, "control_accounts", {}).get((CONTROL_TYPES[role], cur))
    return dict(found) if found else None


def add_control_account(body: dict[str, Any], key: str, role: str, doc: Doc, ledger: Ledger) -> None:
    put(body, key, control_account(role, doc, ledger))


def add_payment_currency(body: dict[str, Any], payment: Doc, paid: Doc, ledger: Ledger) -> None:
    """A payment (or bill payment) in the currency of what it pays, at its own exchange rate (so that QBO books the
    realised gain or loss between the two rates), the invoice's only when the payment has none."""
    cur = foreign_currency(paid, ledger) or foreign_currency(payment, ledger)
    if cur:
        body["CurrencyRef"] = {"value": cur}
        rate = payment.get("exchange_rate")
        if rate is None:
            rate = paid.get("exchange_rate")
        put(body, "ExchangeRate", dec(rate) if rate is not None else None)


def header(ref: str, txn_date: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"DocNumber": doc_number(ref)}
    put(body, "TxnDate", txn_date)
    return body


def sales_memos(body: dict[str, Any], ref: str, ledger: Ledger, note: str | None = None) -> None:
    """The full ref on CustomerMemo ("message on invoice"), and on PrivateNote ("message on
    statement") too when the setting ``reference_on_statement`` is on."""
    text = ref if not note else f"{ref}\n{note}"
    body["CustomerMemo"] = {"value": txn_memo(text, 1000)}
    if ledger.settings.reference_on_statement:
        body["PrivateNote"] = txn_memo(text)


def _attr(doc: Doc | None, n: str) -> Any:
    return ((doc or {}).get("attributes") or {}).get(f"attr{n}")


def source_value(source: str | None, doc: Doc, ledger: Ledger, sku: str | None = None,
                 contact_kind: str = "customer") -> str | None:
    """The value of a class/location source (settings class_source / location_source) for a document
    (and one of its lines, for product fields)."""
    if not source:
        return None
    contact_ref = doc.get(contact_kind)
    if source in ("sales_rep", "location", "job"):
        value = doc.get(source)
        if value is None and source == "sales_rep":
            value = (ledger.doc("customer", contact_ref) or {}).get("sales_rep")
        return value
    product = ledger.doc("product", sku) if sku else None
    if source in ("category", "brand", "family"):
        return (product or {}).get(source)
    kind, _, n = source.partition("_attribute")
    if kind == "product":
        return _attr(product, n)
    if kind == contact_kind:
        return _attr(ledger.doc(kind, contact_ref), n)
    return None


# Classes and locations (docs/qbo.md#classes-and-locations): a class per line with QBO's per-line class tracking
# (ClassTrackingPerTxnLine); with per-transaction tracking (ClassTrackingPerTxn) one class for the transaction, as
# its ClassRef where the entity has one (Invoice, Estimate, CreditMemo, RefundReceipt, PurchaseOrder), else on every
# line (Bill, VendorCredit; a JournalEntry's class is always per line). The location is the DepartmentRef at the top.

def line_class_value(doc: Doc, ledger: Ledger, sku: str | None, contact_kind: str) -> str | None:
    value = source_value(ledger.settings.class_source, doc, ledger, sku, contact_kind)
    return None if value in (None, "") else str(value)


def txn_class_value(doc: Doc, ledger: Ledger, contact_kind: str) -> str | None:
    """The document's one class: its source's value, or for a product field the one class all its lines share
    (None when they differ: :func:`line_classes` tells)."""
    value = line_class_value(doc, ledger, None, contact_kind)
    if value is None:
        found = line_classes(doc, ledger, contact_kind)
        value = found[0] if len(found) == 1 else None
    return value


def line_classes(doc: Doc, ledger: Ledger, contact_kind: str) -> list[str]:
    """The distinct classes of the document's lines, in order."""
    values = (line_class_value(doc, ledger, line.get("sku"), contact_kind) for line in doc.get("lines") or ())
    return list(dict.fromkeys(v for v in values if v is not None))


def class_ref(doc: Doc, ledger: Ledger, sku: str | None, contact_kind: str, header: bool = False) -> dict[str, Any] | None:
    """The ClassRef of one line (``header``: the entity takes a transaction-level ClassRef instead)."""
    p = ledger.prefs
    if p.class_per_line:
        value = line_class_value(doc, ledger, sku, contact_kind)
    elif p.class_per_txn and not header:
        value = txn_class_value(doc, ledger, contact_kind)
    else:
        return None
    return ledger.resolver.klass(value) if value is not None else None


def add_txn_class(body: dict[str, Any], doc: Doc, ledger: Ledger, contact_kind: str) -> None:
    """The transaction-level ClassRef, with per-transaction class tracking only."""
    if ledger.prefs.class_per_txn and not ledger.prefs.class_per_line:
        value = txn_class_value(doc, ledger, contact_kind)
        if value is not None:
            body["ClassRef"] = ledger.resolver.klass(value)


def location_value(doc: Doc, ledger: Ledger, contact_kind: str) -> str | None:
    value = source_value(ledger.settings.location_source, doc, ledger, None, contact_kind)
    return None if value in (None, "") else str(value)


def add_department(body: dict[str, Any], doc: Doc, ledger: Ledger, contact_kind: str) -> None:
    if not ledger.prefs.track_departments:
        return
    value = location_value(doc, ledger, contact_kind)
    if value is not None:
        body["DepartmentRef"] = ledger.resolver.department(value)


def net_price(line: Doc) -> Decimal:
    price = dec(line["unit_price"])
    disc = line.get("discount_percent")
    if disc is not None and dec(disc) != 0:
        price = price * (100 - dec(disc)) / 100
    return price


def sale_amounts(doc: Doc) -> list[Decimal]:
    """Each line's amount: quantity x unit price less discount, in cents, half-up."""
    return [money(dec(line["quantity"]) * net_price(line)) for line in doc.get("lines", ())]


def _qty_price(qty: Decimal, price: Decimal, amount: Decimal, scaled: bool) -> tuple[Any, Any]:
    """Qty and UnitPrice such that Qty x UnitPrice rounds to Amount; a scaled line keeps its
    quantity and gets the unit price that fits, or neither when none fits."""
    if not scaled:
        return qty, price
    if qty == 0:
        return None, None
    up = (amount / qty).quantize(UNIT)
    if money(qty * up) == amount:
        return qty, plain(up)
    return None, None


def doc_tax(doc: Doc, ledger: Ledger, amounts: list[Decimal], sales: bool, inclusive: bool | None = None) -> DocTax:
    """The tax of a document (or of one part of it, priced at ``amounts``) in the company's region (ledger.tax)."""
    return compute(doc, amounts, ledger.prefs.region, book_of(ledger), sales=sales, inclusive=inclusive,
                   ast=ledger.prefs.automated_sales_tax)


def add_tax(body: dict[str, Any], tax: DocTax) -> None:
    """GlobalTaxCalculation (outside the US) and the US rate code (TxnTaxDetail.TxnTaxCodeRef); sent tax amounts
    are not taken by QBO (docs/qbo.md#tax-by-region), so none are sent."""
    put(body, "GlobalTaxCalculation", tax.calculation)
    if tax.txn_code is not None:
        body["TxnTaxDetail"] = {"TxnTaxCodeRef": tax.txn_code}


def _tax_code_ref(tax: LineTax, ledger: Ledger) -> dict[str, Any] | None:
    ref = tax.ref
    if ref is not None and ref.get("value") is None and ref.get("name"):
        return ledger.resolver.tax_code(str(ref["name"]))  # not in the pulled codes: by name, as the resolver has it
    return ref


def sale_line(line: Doc, amount: Decimal, doc: Doc, ledger: Ledger, scaled: bool = False,
              tax: LineTax | None = None) -> dict[str, Any]:
    """One SalesItemLineDetail line; ``tax`` (ledger.tax) gives its code, its net Amount and, tax-inclusive, its
    TaxInclusiveAmt (the net's Qty x UnitPrice then fitted as a scaled line's)."""
    if tax is None:
        tax = LineTax(line.get("tax_code"), {"value": None, "name": line["tax_code"]} if line.get("tax_code") else None,
                      amount)
    net = tax.net
    qty, price = _qty_price(dec(line["quantity"]), net_price(line), net, scaled or tax.gross is not None)
    detail: dict[str, Any] = {"ItemRef": ledger.resolver.item(line["sku"])}
    put(detail, "Qty", qty)
    put(detail, "UnitPrice", price)
    put(detail, "TaxCodeRef", _tax_code_ref(tax, ledger))
    put(detail, "TaxInclusiveAmt", tax.gross)
    put(detail, "ClassRef", class_ref(doc, ledger, line["sku"], "customer", header=True))
    out: dict[str, Any] = {"DetailType": "SalesItemLineDetail", "Amount": net}
    put(out, "Description", line.get("description"))
    out["SalesItemLineDetail"] = detail
    return out


def purchase_amounts(doc: Doc) -> list[Decimal]:
    return [money(dec(line["quantity"]) * dec(line["unit_cost"])) for line in doc.get("lines", ())]


def purchase_line(line: Doc, amount: Decimal, doc: Doc, ledger: Ledger, header: bool = False,
                  tax: LineTax | None = None) -> dict[str, Any]:
    if tax is None:
        tax = LineTax(line.get("tax_code"), {"value": None, "name": line["tax_code"]} if line.get("tax_code") else None,
                      amount)
    qty, price = _qty_price(dec(line["quantity"]), dec(line["unit_cost"]), tax.net, tax.gross is not None)
    detail: dict[str, Any] = {"ItemRef": ledger.resolver.item(line["sku"])}
    put(detail, "Qty", qty)
    put(detail, "UnitPrice", price)
    put(detail, "TaxCodeRef", _tax_code_ref(tax, ledger))
    put(detail, "TaxInclusiveAmt", tax.gross)
    put(detail, "ClassRef", class_ref(doc, ledger, line["sku"], "supplier", header))
    out: dict[str, Any] = {"DetailType": "ItemBasedExpenseLineDetail", "Amount": tax.net}
    put(out, "Description", line.get("description"))
    out["ItemBasedExpenseLineDetail"] = detail
    return out
