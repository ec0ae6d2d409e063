"""`qbtui demo --company inventory`: the demo on the sandbox company of a firm that tracked inventory in QBO before
(everything the dashboard needs, short of the dashboard: qbtui.cli.demo.prepare), and a demo profile holding one
company refusing the other without --reset."""

from __future__ import annotations

import pytest

from qbtui.cache import Cache
from qbtui.cli.demo import DemoError, prepare, stop_sandbox
from qbtui.sync import gate_statuses


def test_demo_on_the_inventory_company_shows_the_product_gate(tmp_path):
    path = tmp_path / "profiles" / "demo"
    proc, _ = prepare(path, reset=False, company="inventory")
    try:
        with Cache.open(path, writer=False) as cache:
            assert cache.get_setting("demo_company") == "inventory"
            items = {i["Name"]: i for i in cache.reference("items")}
            gates = gate_statuses(cache)
    finally:
        stop_sandbox(proc)
    assert items["Stoneware mug"]["Type"] == "Inventory" and items["Dinner plate"]["Type"] == "NonInventory"
    blocked = {ref for (t, ref), (status, reasons) in gates.items()
               if t == "product" and any(r.code == "product.qbo_item_conflict" for r in reasons)}
    assert blocked == {"MUG-01", "PLT-02"}
    with pytest.raises(DemoError, match="--reset --company demo"):
        prepare(path, reset=False, company="demo")
    proc, _ = prepare(path, reset=False)  # no --company: the one it holds
    stop_sandbox(proc)
