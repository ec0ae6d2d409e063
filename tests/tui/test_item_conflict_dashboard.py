"""The dashboard on the sandbox's `inventory` company: the products named like QBO items that would double-count show
on the Errors tab with the gate product.qbo_item_conflict (the real gates, through the real `qbtui gates` child),
and `qbtui products replace` clears them."""

from __future__ import annotations

import asyncio

from qbtui.tui.app import QbtuiApp
from qbtui.tui.sample import sample_documents


async def conflicts_shown(profile) -> tuple[set[str], str]:
    app = QbtuiApp(profile.path, profile="default", data_dir=profile.q.data_dir)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press("5")  # the Errors tab
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        model = app.dashboard.model
        refs = {r.ref for r in model.errors if (r.error or {}).get("code") == "product.qbo_item_conflict"}
        shown = list(model.view("errors", "all", False, ""))
        text = " ".join(f"{r.ref} {(r.error or {}).get('message', '')}" for r in shown)
    return refs, text


def test_the_inventory_company_shows_the_gate_on_the_errors_tab_until_products_replace(make_profile):
    profile = make_profile(sample_documents(), company="inventory")
    refs, text = asyncio.run(conflicts_shown(profile))
    assert refs == {"MUG-01", "PLT-02"}
    assert "type Inventory" in text and "Stoneware mug" in text
    result = profile.q("products", "replace", "--yes")
    assert result.exit_code == 0, result.output
    refs, _ = asyncio.run(conflicts_shown(profile))
    assert refs == set()
