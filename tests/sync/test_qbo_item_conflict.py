"""Products are never linked to a QBO item that would double-count (docs/domain.md#gates, product.qbo_item_conflict):
the sandbox's `inventory` company (a firm that tracked inventory in QBO before) holds an Inventory item `Stoneware mug`
and a NonInventory `Dinner plate` expensed to Cost of Goods Sold, both named like our products."""

from __future__ import annotations

from qbtui.ledger.gates import ITEM_CONFLICT, item_conflict
from tests.support.documents import customer, invoice, line, product

MUG = product("MUG-01", "Stoneware mug")
PLATE = product("PLT-02", "Dinner plate", sale_price="18.00", purchase_cost="6.25")
BOWL = product("BWL-03", "Serving bowl", sale_price="24.00", purchase_cost="8.40")
DOCS = [customer(), MUG, PLATE, BOWL,
        invoice("SO-1", lines=[line("MUG-01")]),
        invoice("SO-2", lines=[line("BWL-03", unit_price="24.00", unit_cost="8.40")])]


def errors(profile) -> list[dict]:
    return profile.q.json("errors")["errors"]


def item_named(profile, name: str) -> dict:
    return next(i for i in profile.live("Item") if i["Name"] == name)


def test_the_inventory_company_holds_the_items_a_firm_tracking_inventory_left(make_profile):
    profile = make_profile(company="inventory")
    mug, plate = item_named(profile, "Stoneware mug"), item_named(profile, "Dinner plate")
    assert (mug["Type"], mug["Sku"], mug["TrackQtyOnHand"], mug["QtyOnHand"]) == ("Inventory", "MUG-01", True, 40)
    assert {mug[k]["name"] for k in ("IncomeAccountRef", "ExpenseAccountRef", "AssetAccountRef")} == {
        "Sales of Product Income", "Cost of Goods Sold", "Inventory Asset"}
    assert (plate["Type"], plate["Sku"], plate["ExpenseAccountRef"]["name"]) == ("NonInventory", "PLT-02",
                                                                                 "Cost of Goods Sold")
    prefs = profile.company.preferences
    assert prefs["ProductAndServicesPrefs"]["QuantityOnHand"] is False
    assert prefs["CurrencyPrefs"]["HomeCurrency"]["value"] == "USD"


def test_the_gate_blocks_both_products_and_what_uses_them_and_the_rest_is_sent(make_profile):
    profile = make_profile(DOCS, company="inventory")
    rows = errors(profile)
    conflicts = {r["ref"]: r for r in rows if r["code"] == ITEM_CONFLICT}
    assert set(conflicts) == {"MUG-01", "PLT-02"}
    mug = item_named(profile, "Stoneware mug")
    message = conflicts["MUG-01"]["message"]
    assert f"Id {mug['Id']}" in message and "type Inventory" in message and "Cost of Goods Sold" in message
    assert "qbtui products replace" in conflicts["MUG-01"]["hint"]
    assert "expense account is Cost of Goods Sold" in conflicts["PLT-02"]["message"]
    assert conflicts["PLT-02"]["family"] == "names" and conflicts["PLT-02"]["field"] == "name"
    waiting = {(r["ref"], r["code"]) for r in rows if r["type"] == "sale_invoice"}
    assert waiting == {("SO-1", "dependency.blocked")}
    code, report = profile.sync_json()
    assert code == 1
    status = {(d["type"], d["ref"]): d["status"] for d in report["documents"]}
    assert status[("product", "MUG-01")] == status[("product", "PLT-02")] == status[("sale_invoice", "SO-1")] == "blocked"
    with profile.cache() as cache:
        assert cache.status_of("sale_invoice", "SO-2") == cache.status_of("product", "BWL-03") == "synced"
        assert cache.link("product", "MUG-01") is None  # never linked to the Inventory item
    assert [i["Name"] for i in profile.live("Item")].count("Stoneware mug") == 1


def test_products_replace_clears_the_gate_and_the_sync_follows(make_profile):
    profile = make_profile(DOCS, company="inventory")
    old_mug, old_plate = item_named(profile, "Stoneware mug"), item_named(profile, "Dinner plate")
    result = profile.q("products", "replace", "--yes", "--json")
    assert result.exit_code == 0, result.output
    with profile.cache() as cache:
        mapping = cache.get_setting("mapping")
    # the Inventory item: inactive, renamed by QBO, and a NonInventory item of the name takes its place
    gone = profile.company.get("Item", old_mug["Id"])
    assert gone["Active"] is False and gone["Name"] == "Stoneware mug (deleted)"
    new_mug = item_named(profile, "Stoneware mug")
    assert new_mug["Id"] != old_mug["Id"] and new_mug["Type"] == "NonInventory" and new_mug["Active"] is True
    assert new_mug["ExpenseAccountRef"]["value"] == mapping["inventory_asset"]
    # the NonInventory one keeps its Id, with the stock product's accounts
    plate = profile.company.get("Item", old_plate["Id"])
    assert plate["ExpenseAccountRef"]["value"] == mapping["inventory_asset"] and plate["Active"] is True
    assert not [r for r in errors(profile) if r["code"] == ITEM_CONFLICT]
    code, report = profile.sync_json()
    assert code == 0, report
    with profile.cache() as cache:
        assert cache.status_of("sale_invoice", "SO-1") == "synced"
    sent = next(i for i in profile.live("Invoice") if i.get("DocNumber") == "SO-1")
    assert sent["Line"][0]["SalesItemLineDetail"]["ItemRef"]["value"] == new_mug["Id"]


def test_a_stale_item_list_never_links_the_inventory_item(make_profile):
    """The gate reads QBO's items as last pulled; one created in QBO since is still never linked by the sync."""
    profile = make_profile([customer(), product("TPT-04", "Teapot")])
    income = next(a for a in profile.live("Account") if a["Name"] == "Sales of Product Income")
    cogs = next(a for a in profile.live("Account") if a["Name"] == "Cost of Goods Sold")
    asset = next(a for a in profile.live("Account") if a["Name"] == "Inventory Asset")
    teapot = profile.company.create("Item", {
        "Name": "Teapot", "Type": "Inventory", "QtyOnHand": 3, "InvStartDate": "2026-01-01",
        "IncomeAccountRef": {"value": income["Id"]}, "ExpenseAccountRef": {"value": cogs["Id"]},
        "AssetAccountRef": {"value": asset["Id"]}})
    code, report = profile.sync_json()
    assert code == 1
    doc = next(d for d in report["documents"] if d["ref"] == "TPT-04")
    assert doc["status"] == "failed" and doc["error"]["code"] == ITEM_CONFLICT, doc
    with profile.cache() as cache:
        link = cache.link("product", "TPT-04")
    assert not any(q.get("id") == teapot["Id"] for q in (link or {}).get("qbo") or ())


def test_item_conflict_rules():
    mapping = {"sales_income": "10", "inventory_asset": "11", "cogs": "12"}
    ok = {"Id": "5", "Name": "Mug", "Type": "NonInventory", "IncomeAccountRef": {"value": "10"},
          "ExpenseAccountRef": {"value": "11"}}
    stock, non_stock = {"name": "Mug"}, {"name": "Mug", "kind": "non_stock"}
    assert item_conflict(stock, ok, mapping) is None
    assert item_conflict(non_stock, ok, mapping) is not None  # a non-stock product is expensed to COGS
    assert item_conflict(non_stock, {**ok, "ExpenseAccountRef": {"value": "12"}}, mapping) is None
    assert item_conflict(stock, {**ok, "IncomeAccountRef": {"value": "99"}}, mapping) is not None
    assert item_conflict(stock, {"Id": "5", "Name": "Mug", "Type": "NonInventory"}, mapping) is None  # nothing to compare
    assert item_conflict(stock, {**ok, "Type": "Inventory"}, mapping) is not None
    assert item_conflict(stock, {**ok, "Type": "Inventory"}, mapping, linked=True) is not None
    assert item_conflict(stock, {**ok, "ExpenseAccountRef": {"value": "12"}}, mapping, linked=True) is None
    service = {"name": "Fitting", "kind": "service"}  # no purchase cost: no expense account is sent
    assert item_conflict(service, {**ok, "Type": "Service", "ExpenseAccountRef": {"value": "12"}}, mapping) is None
