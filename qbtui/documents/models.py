"""One pydantic model per document type of the import format (docs/import-format.md).

The models check form only: types, required fields, unknown fields, enumerations, impossible
dates, numbers out of range. Meaning (unknown customers, names QBO refuses, amounts that do not
add up, missing accounting dates) is left to the gates, which block instead of rejecting.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field

from qbtui.documents.fields import STRICT, IsoDate, Money, Name, Percent, Quantity, Ref
from qbtui.documents.types import DOCUMENT_TYPES as _TYPE_NAMES


class Model(BaseModel):
    model_config = STRICT


class Address(Model):
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None


class Attributes(Model):
    attr1: str | None = None
    attr2: str | None = None
    attr3: str | None = None
    attr4: str | None = None
    attr5: str | None = None
    attr6: str | None = None
    attr7: str | None = None
    attr8: str | None = None
    attr9: str | None = None
    attr10: str | None = None


class Document(Model):
    """Fields every document has."""

    type: str
    ref: Ref
    extra: dict[str, Any] | None = None
    #: where the document was made: the inventory side (missing) or QuickBooks (brought in by ``qbtui pull``;
    #: never sent back to QuickBooks)
    origin: Literal["inventory", "quickbooks"] | None = None

    is_transaction: ClassVar[bool] = False


class Transaction(Document):
    """Fields every transaction has (contacts and products are not transactions)."""

    voided: bool = False
    currency: str | None = Field(default=None, min_length=3, max_length=3)
    exchange_rate: Decimal | None = Field(default=None, gt=0, lt=Decimal(10) ** 12, allow_inf_nan=False)

    is_transaction: ClassVar[bool] = True


# --- contacts and products -------------------------------------------------------------


class Customer(Document):
    type: Literal["customer"]
    name: Name
    email: str | None = None
    phone: str | None = None
    company: str | None = None
    terms: str | None = None
    currency: str | None = Field(default=None, min_length=3, max_length=3)
    billing_address: Address | None = None
    sales_rep: str | None = None
    attributes: Attributes | None = None
    active: bool = True



class Supplier(Document):
    type: Literal["supplier"]
    name: Name
    email: str | None = None
    phone: str | None = None
    terms: str | None = None
    currency: str | None = Field(default=None, min_length=3, max_length=3)
    address: Address | None = None
    attributes: Attributes | None = None
    active: bool = True



class Product(Document):
    type: Literal["product"]
    name: Name
    description: str | None = None
    kind: Literal["stock", "service", "non_stock"] = "stock"
    sale_price: Quantity | None = None
    purchase_cost: Quantity | None = None
    quantity_on_hand: Quantity | None = None
    average_cost: Quantity | None = None
    location: str | None = None
    category: str | None = None
    brand: str | None = None
    family: str | None = None
    attributes: Attributes | None = None
    active: bool = True



# --- sales -------------------------------------------------------------------------------


class SaleLine(Model):
    sku: Ref
    description: str | None = None
    quantity: Quantity
    unit_price: Quantity
    discount_percent: Percent | None = None
    tax_code: str | None = None  # the inventory side's tax rule name (mapped to a QBO tax code: qbtui map --tax)
    tax_amount: Money | None = None  # the line's tax as the inventory side has it (shown, compared; QBO computes its own)
    unit_cost: Quantity | None = None


class Refund(Model):
    ref: Ref
    date: IsoDate
    amount: Money
    method: str | None = None


class SaleInvoice(Transaction):
    type: Literal["sale_invoice"]
    customer: Ref
    doc_number: str | None = Field(default=None, min_length=1, max_length=21)  # QBO's DocNumber when not the ref
    invoice_date: IsoDate | None = None
    due_date: IsoDate | None = None
    ship_date: IsoDate | None = None
    required_by: IsoDate | None = None
    terms: str | None = None
    channel: str = "direct"
    location: str | None = None
    sales_rep: str | None = None
    job: str | None = None
    memo: str | None = None
    tax_inclusive: bool = False
    tax_total: Money | None = None
    lines: list[SaleLine] = Field(min_length=1)



class SalePayment(Transaction):
    type: Literal["sale_payment"]
    invoice: Ref
    date: IsoDate
    amount: Money
    method: str | None = None



class CreditNote(Transaction):
    type: Literal["credit_note"]
    customer: Ref
    doc_number: str | None = Field(default=None, min_length=1, max_length=21)  # QBO's DocNumber when not the ref
    invoice: Ref | None = None
    date: IsoDate | None = None
    channel: str = "direct"
    memo: str | None = None
    tax_inclusive: bool = False
    tax_total: Money | None = None
    lines: list[SaleLine] = Field(min_length=1)
    refunds: list[Refund] = Field(default_factory=list)



class Quote(Transaction):
    type: Literal["quote"]
    customer: Ref
    doc_number: str | None = Field(default=None, min_length=1, max_length=21)  # QBO's DocNumber when not the ref
    date: IsoDate
    expiry_date: IsoDate | None = None
    tax_inclusive: bool = False
    tax_total: Money | None = None
    lines: list[SaleLine] = Field(min_length=1)



class Cogs(Transaction):
    type: Literal["cogs"]
    invoice: Ref | None = None
    date: IsoDate
    channel: str = "direct"
    amount: Money



# --- purchases ---------------------------------------------------------------------------


class PurchaseLine(Model):
    sku: Ref
    description: str | None = None
    quantity: Quantity
    unit_cost: Quantity
    tax_code: str | None = None
    tax_amount: Money | None = None


class PurchaseOrder(Transaction):
    type: Literal["purchase_order"]
    supplier: Ref
    date: IsoDate
    expected_date: IsoDate | None = None
    blind_receipt: bool = False
    location: str | None = None
    tax_inclusive: bool = False
    tax_total: Money | None = None
    lines: list[PurchaseLine] = Field(min_length=1)



class SupplierInvoice(Transaction):
    type: Literal["supplier_invoice"]
    supplier: Ref
    supplier_invoice_number: str | None = None
    invoice_date: IsoDate | None = None
    due_date: IsoDate | None = None
    purchase_order: Ref | None = None
    terms: str | None = None
    location: str | None = None
    tax_inclusive: bool = False
    tax_total: Money | None = None
    lines: list[PurchaseLine] = Field(min_length=1)



class SupplierCredit(Transaction):
    type: Literal["supplier_credit"]
    supplier: Ref
    date: IsoDate
    tax_inclusive: bool = False
    tax_total: Money | None = None
    lines: list[PurchaseLine] = Field(min_length=1)



class SupplierPayment(Transaction):
    type: Literal["supplier_payment"]
    supplier_invoice: Ref
    date: IsoDate
    amount: Money



class SupplierDeposit(Transaction):
    type: Literal["supplier_deposit"]
    supplier: Ref
    date: IsoDate
    amount: Money
    supplier_invoice: Ref | None = None
    applied_date: IsoDate | None = None



# --- adjustments and retail ----------------------------------------------------------------


class AdjustmentLine(Model):
    sku: Ref
    quantity_change: Quantity
    unit_cost: Quantity


class Adjustment(Transaction):
    type: Literal["adjustment"]
    completed_date: IsoDate | None = None
    accounting_date: IsoDate | None = None
    reason: str | None = None
    location: str | None = None
    lines: list[AdjustmentLine] = Field(min_length=1)



class GiftVoucher(Transaction):
    type: Literal["gift_voucher"]
    date: IsoDate
    event: Literal["sold", "redeemed"]
    amount: Money
    customer: Ref | None = None



class StoreCredit(Transaction):
    type: Literal["store_credit"]
    customer: Ref
    date: IsoDate
    event: Literal["issued", "redeemed"]
    amount: Money



MODELS: dict[str, type[Document]] = {
    model.model_fields["type"].annotation.__args__[0]: model  # type: ignore[union-attr]
    for model in (
        Customer, Supplier, Product,
        SaleInvoice, SalePayment, CreditNote, Quote, Cogs,
        PurchaseOrder, SupplierInvoice, SupplierCredit, SupplierPayment, SupplierDeposit,
        Adjustment, GiftVoucher, StoreCredit,
    )
}
"""Document type name -> model, in the order the types appear in the import format."""

DOCUMENT_TYPES: tuple[str, ...] = tuple(MODELS)
if DOCUMENT_TYPES != _TYPE_NAMES:  # the light list the command line and start-up use, without these models
    raise RuntimeError(f"qbtui.documents.types lists {_TYPE_NAMES}, the models are {DOCUMENT_TYPES}")
TYPES_WITH_LINES: frozenset[str] = frozenset(t for t, m in MODELS.items() if "lines" in m.model_fields)

