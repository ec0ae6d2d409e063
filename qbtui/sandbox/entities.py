"""Per-entity rules: what each QBO entity allows, requires, references and computes."""

from __future__ import annotations

from dataclasses import dataclass, field

LIST, TXN, SINGLETON, READONLY = "list", "txn", "singleton", "readonly"


@dataclass(frozen=True)
class Spec:
    name: str
    kind: str
    create: bool = True
    update: bool = True
    delete: bool = False
    #: `?operation=void`
    void: bool = False
    #: `?operation=update&include=void` with a sparse body
    void_by_update: bool = False
    name_field: str | None = None
    #: name space for uniqueness (6240); customers, vendors and employees share one
    name_space: str | None = None
    name_max: int = 100
    required: tuple[str, ...] = ()
    #: fields the server owns: ignored when a client sends them
    read_only: frozenset[str] = frozenset()
    #: DocNumber uniqueness (6140) scope: None = no check, "" = per entity, else a ref field
    doc_scope: str | None = None
    #: sales forms (SalesItemLineDetail lines, SubTotal), expense forms, journal, payments
    totals: str | None = None
    has_active: bool = False
    lengths: dict[str, int] = field(default_factory=dict)


_COMMON_RO = frozenset({"MetaData", "domain", "status", "time"})
_TXN_RO = _COMMON_RO | {"TotalAmt", "Balance", "HomeBalance", "HomeTotalAmt", "LinkedTxn"}
_TXN_LEN = {"DocNumber": 21, "PrivateNote": 4000}

SPECS: dict[str, Spec] = {}


def _add(spec: Spec) -> None:
    SPECS[spec.name] = spec


_add(Spec("Account", LIST, name_field="Name", name_space="Account", required=("Name", "AccountType"),
          read_only=_COMMON_RO | {"CurrentBalance", "CurrentBalanceWithSubAccounts", "FullyQualifiedName",
                                  "Classification"},
          has_active=True))
_add(Spec("TaxCode", READONLY, create=False, update=False))
_add(Spec("TaxRate", READONLY, create=False, update=False))
_add(Spec("Term", LIST, name_field="Name", name_space="Term", name_max=31, required=("Name",),
          has_active=True, read_only=_COMMON_RO))
_add(Spec("Class", LIST, name_field="Name", name_space="Class", required=("Name",), has_active=True,
          read_only=_COMMON_RO | {"FullyQualifiedName"}))
_add(Spec("Department", LIST, name_field="Name", name_space="Department", required=("Name",),
          has_active=True, read_only=_COMMON_RO | {"FullyQualifiedName"}))
_add(Spec("CompanyInfo", SINGLETON, create=False, update=False))
#: the currencies a multicurrency company uses besides its home currency (currency.py)
_add(Spec("CompanyCurrency", LIST, name_field="Code", name_space="CompanyCurrency", name_max=3, required=("Code",),
          has_active=True, read_only=_COMMON_RO))
_add(Spec("Preferences", SINGLETON, create=False, update=True))
for _contact in ("Customer", "Vendor", "Employee"):
    _add(Spec(_contact, LIST, name_field="DisplayName", name_space="contact", name_max=500,
              required=("DisplayName",), has_active=True,
              read_only=_COMMON_RO | {"Balance", "BalanceWithJobs", "FullyQualifiedName"}))
_add(Spec("Item", LIST, name_field="Name", name_space="Item", name_max=100, required=("Name",),
          has_active=True, read_only=_COMMON_RO | {"FullyQualifiedName"}, lengths={"Sku": 100}))
_SALES_LEN = {**_TXN_LEN, "CustomerMemo": 1000}
_add(Spec("Invoice", TXN, delete=True, void=True, required=("CustomerRef", "Line"), read_only=_TXN_RO,
          doc_scope="", totals="sales", lengths=_SALES_LEN))
_add(Spec("CreditMemo", TXN, delete=True, required=("CustomerRef", "Line"), read_only=_TXN_RO,
          doc_scope="", totals="sales", lengths=_SALES_LEN))
_add(Spec("Estimate", TXN, delete=True, required=("CustomerRef", "Line"), read_only=_TXN_RO,
          doc_scope="", totals="sales", lengths=_SALES_LEN))
_add(Spec("SalesReceipt", TXN, delete=True, void_by_update=True, required=("Line",), read_only=_TXN_RO,
          doc_scope="", totals="sales", lengths=_SALES_LEN))
_add(Spec("RefundReceipt", TXN, delete=True, required=("Line", "DepositToAccountRef"), read_only=_TXN_RO,
          doc_scope="", totals="sales", lengths=_SALES_LEN))
_add(Spec("Payment", TXN, delete=True, void=True, void_by_update=True, required=("CustomerRef", "TotalAmt"),
          read_only=_COMMON_RO | {"UnappliedAmt"}, totals="payment", lengths=_TXN_LEN))
_add(Spec("PurchaseOrder", TXN, delete=True, required=("VendorRef", "Line"), read_only=_TXN_RO,
          doc_scope="", totals="expense", lengths=_TXN_LEN))
_add(Spec("Bill", TXN, delete=True, required=("VendorRef", "Line"), read_only=_TXN_RO,
          doc_scope="VendorRef", totals="expense", lengths=_TXN_LEN))
_add(Spec("VendorCredit", TXN, delete=True, required=("VendorRef", "Line"), read_only=_TXN_RO,
          doc_scope="VendorRef", totals="expense", lengths=_TXN_LEN))
_add(Spec("BillPayment", TXN, delete=True, void_by_update=True, void=True,
          required=("VendorRef", "TotalAmt", "PayType", "Line"), read_only=_COMMON_RO,
          totals="billpayment", lengths=_TXN_LEN))
_add(Spec("JournalEntry", TXN, delete=True, required=("Line",), read_only=_TXN_RO - {"LinkedTxn"},
          doc_scope="", totals="journal", lengths=_TXN_LEN))

#: lowercase URL path -> entity name
PATHS: dict[str, str] = {name.lower(): name for name in SPECS}

#: ref field -> the entity it points to (walked anywhere inside a body)
REF_FIELDS: dict[str, str] = {
    "CustomerRef": "Customer", "VendorRef": "Vendor", "EmployeeRef": "Employee",
    "DepartmentRef": "Department", "ClassRef": "Class", "SalesTermRef": "Term", "TermRef": "Term",
    "APAccountRef": "Account", "ARAccountRef": "Account", "DepositToAccountRef": "Account",
    "IncomeAccountRef": "Account", "ExpenseAccountRef": "Account", "AssetAccountRef": "Account",
    "AccountRef": "Account", "BankAccountRef": "Account", "CCAccountRef": "Account",
    "ItemRef": "Item", "TaxCodeRef": "TaxCode", "TxnTaxCodeRef": "TaxCode",
    "SalesTaxCodeRef": "TaxCode", "PurchaseTaxCodeRef": "TaxCode", "TaxRateRef": "TaxRate",
}

#: US pseudo tax codes accepted on lines
PSEUDO_TAX_CODES = {"TAX", "NON"}

ACCOUNT_CLASSIFICATION = {
    "Bank": "Asset", "Other Current Asset": "Asset", "Fixed Asset": "Asset", "Other Asset": "Asset",
    "Accounts Receivable": "Asset", "Equity": "Equity", "Expense": "Expense",
    "Other Expense": "Expense", "Cost of Goods Sold": "Expense", "Accounts Payable": "Liability",
    "Credit Card": "Liability", "Long Term Liability": "Liability",
    "Other Current Liability": "Liability", "Income": "Revenue", "Other Income": "Revenue",
}
