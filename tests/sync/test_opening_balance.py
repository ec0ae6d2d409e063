"""The opening inventory journal posts the valuation less QBO's inventory asset balance on the day before the
filter start date (the balance sheet report), not today's balance; the sandbox serves that report from its own
transactions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from qbtui.cache import Cache
from qbtui.ledger.roles import auto_map
from qbtui.sync.balances import account_balance_on, report_amount
from qbtui.sync.connection import open_client
from qbtui.sync.opening import opening_inventory_preview, post_opening_inventory
from qbtui.sync.pull import pull_reference
from tests.support.profiles import connect, in_process, seed_profile


def _je(day: str, debit: str, credit: str, amount: float, number: str) -> dict:
    def line(posting: str, account: str) -> dict:
        return {"DetailType": "JournalEntryLineDetail", "Amount": amount,
                "JournalEntryLineDetail": {"PostingType": posting, "AccountRef": {"value": account}}}
    return {"DocNumber": number, "TxnDate": day, "Line": [line("Debit", debit), line("Credit", credit)]}


async def test_opening_journal_uses_the_balance_on_the_day_before_the_filter_start(tmp_path):
    transport = in_process(company="demo")
    profile = seed_profile(tmp_path / "p", filter_start="2026-11-01")
    cache = Cache.open(profile, writer=True, command="test")
    await connect(cache, profile, transport)
    client = await open_client(cache, profile, transport=transport)
    try:
        await pull_reference(cache, client)
        mapping = auto_map(cache.reference("accounts"))
        cache.set_setting("mapping", mapping)
        asset, equity = mapping["inventory_asset"], mapping["opening_balance_equity"]
        before = await account_balance_on(client, asset, date(2026, 10, 31))
        # stock bought before the filter start, and more after it (today's balance holds both)
        await client.create("JournalEntry", _je("2026-10-15", asset, equity, 50, "T-BEFORE"))
        await client.create("JournalEntry", _je("2026-11-10", asset, equity, 30, "T-AFTER"))
        assert await account_balance_on(client, asset, date(2026, 10, 31)) == before + 50
        assert await account_balance_on(client, asset, date(2026, 11, 30)) == before + 80
        assert await account_balance_on(client, asset, date(2026, 10, 14)) == before

        report = await client.report("BalanceSheet", start_date="2026-10-31", end_date="2026-10-31",
                                     accounting_method="Accrual")
        assert report["Header"]["ReportName"] == "BalanceSheet" and report["Header"]["EndPeriod"] == "2026-10-31"
        assert [r["group"] for r in report["Rows"]["Row"]] == ["TotalAssets", "TotalLiabilitiesAndEquity"]
        assert report_amount(report, asset) == before + 50

        await pull_reference(cache, client)  # keeps the balance on 2026-10-31 for the preview
        cache.upsert_documents([{"type": "product", "ref": "MUG-01", "name": "Stoneware mug",
                                 "quantity_on_hand": "100", "average_cost": "4.10"}])
        preview = opening_inventory_preview(cache)
        assert preview.day == "2026-10-31" and preview.qbo_balance == before + 50
        info = await post_opening_inventory(cache, client)
        assert Decimal(info["amount"]) == Decimal("410.00") - (before + 50)
        je = await client.read("JournalEntry", info["id"])
        assert je["TxnDate"] == "2026-10-31"
        assert sorted(line["Amount"] for line in je["Line"]) == [float(Decimal(info["amount"]))] * 2
        # the inventory asset on that day is now the valuation: the journal made them agree
        assert await account_balance_on(client, asset, date(2026, 10, 31)) == Decimal("410.00")
    finally:
        await client.aclose()
        cache.close()
