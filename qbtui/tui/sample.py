"""A small, deterministic sample profile for the dashboard's tests, snapshots and screenshots:
every tab has rows, some synced, some failed, one discrepancy, a company and a last run."""

from __future__ import annotations

from pathlib import Path

from qbtui.cache import Cache

CUSTOMERS = [("C-100", "Harbour Cafe"), ("C-101", "Northwind Traders"), ("C-102", "Blue Door Bakery"),
             ("C-103", "Riverside Books: Annex"), ("C-104", "Alpine Outfitters Cooperative of the Rockies")]
SUPPLIERS = [("S-200", "Clayworks Pottery"), ("S-201", "Pacific Paper Co"), ("S-202", "Glass & Glaze Ltd")]
PRODUCTS = [("MUG-01", "Stoneware mug", "12.50", "4.10"), ("PLT-02", "Dinner plate", "18.00", "6.25"),
            ("BWL-03", "Serving bowl", "24.00", "8.40"), ("TEA-04", "Teapot, 1 litre", "39.00", "14.00")]


ROLES = ("inventory_asset", "cogs", "inventory_discrepancy", "sales_income", "accounts_receivable",
         "accounts_payable", "payment_clearing", "bank", "supplier_deposits", "customer_credits",
         "gift_card_liability", "opening_balance_equity")


def sample_documents() -> list[dict]:
    docs: list[dict] = []
    docs += [{"type": "customer", "ref": r, "name": n, "email": f"{r.lower()}@example.com"} for r, n in CUSTOMERS]
    docs += [{"type": "supplier", "ref": r, "name": n} for r, n in SUPPLIERS]
    docs += [{"type": "product", "ref": r, "name": n, "sale_price": p, "purchase_cost": c}
             for r, n, p, c in PRODUCTS]
    for i in range(24):
        cust = CUSTOMERS[i % len(CUSTOMERS)][0]
        day = f"2026-11-{1 + (i * 7) % 27:02d}"
        lines = [{"sku": PRODUCTS[(i + j) % 4][0], "quantity": str(1 + (i + j) % 6),
                  "unit_price": PRODUCTS[(i + j) % 4][2], "unit_cost": PRODUCTS[(i + j) % 4][3]}
                 for j in range(1 + i % 3)]
        if i % 5 == 4:
            lines[0]["discount_percent"] = "10"
        doc = {"type": "sale_invoice", "ref": f"SO-{1001 + i}", "customer": cust, "invoice_date": day,
               "channel": "web" if i % 2 else "direct", "lines": lines}
        if i == 7:
            doc.pop("invoice_date")
        docs.append(doc)
        if i % 3 == 0:
            docs.append({"type": "cogs", "ref": f"COGS-SO-{1001 + i}", "invoice": f"SO-{1001 + i}", "date": day,
                         "amount": f"{sum(float(x['quantity']) * float(x['unit_cost']) for x in lines):.2f}"})
        if i % 4 == 1:
            docs.append({"type": "sale_payment", "ref": f"PAY-{1001 + i}", "invoice": f"SO-{1001 + i}",
                         "date": day, "amount": "25.00"})
    docs += [
        {"type": "credit_note", "ref": "CN-77", "customer": "C-100", "invoice": "SO-1001", "date": "2026-11-05",
         "lines": [{"sku": "MUG-01", "quantity": "2", "unit_price": "12.50"}],
         "refunds": [{"ref": "RF-77-1", "date": "2026-11-06", "amount": "5.00"}]},
        {"type": "credit_note", "ref": "CN-78", "customer": "C-102", "date": "2026-11-09",
         "lines": [{"sku": "PLT-02", "quantity": "1", "unit_price": "18.00"}],
         "refunds": [{"ref": "RF-78-1", "date": "2026-11-10", "amount": "30.00"}]},
        {"type": "quote", "ref": "QT-501", "customer": "C-101", "date": "2026-11-03",
         "lines": [{"sku": "TEA-04", "quantity": "3", "unit_price": "39.00"}]},
        {"type": "purchase_order", "ref": "PO-3001", "supplier": "S-200", "date": "2026-11-02",
         "lines": [{"sku": "MUG-01", "quantity": "100", "unit_cost": "4.10"}]},
        {"type": "supplier_invoice", "ref": "BILL-3001", "supplier": "S-200", "supplier_invoice_number": "CW-8812",
         "invoice_date": "2026-11-04", "lines": [{"sku": "MUG-01", "quantity": "100", "unit_cost": "4.10"}]},
        {"type": "supplier_invoice", "ref": "BILL-3002", "supplier": "S-201", "invoice_date": "2026-09-20",
         "lines": [{"sku": "PLT-02", "quantity": "40", "unit_cost": "6.25"}]},
        {"type": "supplier_credit", "ref": "SC-12", "supplier": "S-202", "date": "2026-11-12",
         "lines": [{"sku": "BWL-03", "quantity": "2", "unit_cost": "8.40"}]},
        {"type": "supplier_payment", "ref": "BP-3001", "supplier_invoice": "BILL-3001", "date": "2026-11-20",
         "amount": "410.00"},
        {"type": "supplier_deposit", "ref": "DEP-9", "supplier": "S-201", "date": "2026-11-01", "amount": "150.00"},
        {"type": "adjustment", "ref": "ADJ-2026-11-0001", "completed_date": "2026-11-03",
         "accounting_date": "2026-11-03", "reason": "found in back room",
         "lines": [{"sku": "MUG-01", "quantity_change": "3", "unit_cost": "4.10"}]},
        {"type": "adjustment", "ref": "ADJ-2026-11-0002", "completed_date": "2026-11-08",
         "reason": "breakage", "lines": [{"sku": "TEA-04", "quantity_change": "-1", "unit_cost": "14.00"}]},
        {"type": "gift_voucher", "ref": "GV-1", "date": "2026-11-14", "event": "sold", "amount": "50.00",
         "customer": "C-101"},
        {"type": "gift_voucher", "ref": "GV-2", "date": "2026-11-21", "event": "redeemed", "amount": "20.00"},
        {"type": "store_credit", "ref": "SCR-1", "customer": "C-102", "date": "2026-11-10", "event": "issued",
         "amount": "18.00"},
    ]
    return docs


def build_sample_profile(profile_dir: Path) -> Path:
    """Write the sample profile into ``profile_dir`` (created); returns it."""
    profile_dir = Path(profile_dir)
    with Cache.open(profile_dir, writer=True, command="qbtui sample") as cache:
        cache.upsert_documents(sample_documents())
        cache.set_setting("environment", "sandbox")
        cache.set_setting("realm_id", "9341453050000001")
        cache.set_setting("base_currency", "USD")
        cache.set_setting("mapping", {role: str(10 + n) for n, role in enumerate(ROLES)})
        cache.put_reference("accounts", [{"Id": str(10 + n), "Name": role.replace("_", " ").title(), "Active": True}
                                         for n, role in enumerate(ROLES)])
        cache.put_reference("preferences", {"AccountingInfoPrefs": {"BookCloseDate": "2026-09-30"},
                                            "CurrencyPrefs": {"HomeCurrency": {"value": "USD"}},
                                            "ProductAndServicesPrefs": {"QuantityOnHand": False}})
        cache.put_reference("company_info", {"CompanyName": "Harbourside Ceramics (demo)", "Country": "US"})
        cache.put_reference("customers", [{"Id": "58", "DisplayName": "Harbour Cafe", "SyncToken": "0"},
                                          {"Id": "59", "DisplayName": "Harbor Cafe & Deli", "SyncToken": "2"},
                                          {"Id": "60", "DisplayName": "Northwind Traders", "SyncToken": "0"}])
        cache.put_reference("vendors", [{"Id": "70", "DisplayName": "Clayworks Pottery", "SyncToken": "0"}])
        cache.put_reference("items", [{"Id": "80", "Name": "Stoneware mug", "SyncToken": "0"},
                                      {"Id": "81", "Name": "Dinner plate", "SyncToken": "1"}])
        outcomes = []
        synced = ["SO-1001", "SO-1002", "SO-1003", "SO-1004", "SO-1005"]
        for n, (r, _) in enumerate(CUSTOMERS[:3]):
            outcomes.append({"type": "customer", "ref": r, "status": "synced", "synced_rev": 1, "run": "run-1",
                             "qbo": [{"entity": "Customer", "id": str(58 + n), "sync_token": "0"}]})
        for n, r in enumerate(synced):
            outcomes.append({"type": "sale_invoice", "ref": r, "status": "synced", "synced_rev": 1, "run": "run-1",
                             "qbo": [{"entity": "Invoice", "id": str(140 + n), "sync_token": "0"}]})
        outcomes += [
            {"type": "product", "ref": "MUG-01", "status": "synced", "synced_rev": 1, "run": "run-1",
             "qbo": [{"entity": "Item", "id": "80", "sync_token": "0"}]},
            {"type": "sale_invoice", "ref": "SO-1010", "status": "failed", "run": "run-1",
             "error": {"code": "6210", "message": "Account Period Closed", "detail": "book close date 2026-09-30",
                       "hint": "change the document's date or QuickBooks' book close date"}},
            {"type": "customer", "ref": "C-103", "status": "failed", "run": "run-1",
             "error": {"code": "6240", "message": "Duplicate Name Exists Error",
                       "detail": "The name supplied already exists",
                       "hint": "a customer, supplier or employee in QuickBooks already has this name: "
                               "link to it or rename"}},
            {"type": "credit_note", "ref": "CN-78", "status": "failed", "run": "run-1",
             "error": {"code": "6000", "message": "refunds exceed the credit note total",
                       "detail": "", "hint": "lower the refund amount to at most the note's total"}},
            {"type": "supplier_invoice", "ref": "BILL-3001", "status": "synced", "synced_rev": 1, "run": "run-1",
             "qbo": [{"entity": "Bill", "id": "212", "sync_token": "0"}]},
        ]
        cache.record_outcomes(outcomes)
        cache.add_run({"id": "run-1", "kind": "sync", "started": "2026-11-26T16:40:02+00:00",
                       "ended": "2026-11-26T16:41:15+00:00", "counts": {"synced": 11, "failed": 3}})
        cache.put_reference("discrepancies", [
            {"type": "sale_invoice", "ref": "SO-1003", "kind": "total",
             "differences": [{"field": "TotalAmt", "ours": "61.50", "qbo": "61.51"}]},
            {"type": "sale_invoice", "ref": "SO-1004", "kind": "deleted"},
        ])
    return profile_dir
