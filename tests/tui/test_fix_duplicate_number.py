"""The fix form of a document QuickBooks refused with 6140 (its number is taken): it names the QBO transaction that
holds the number and offers, by keyboard, to link to it (ctrl+l: it is this document) or to renumber (type another
number, ctrl+s). Against the sandbox, through the real `qbtui` children of the Backend."""

from __future__ import annotations

import asyncio

from qbtui.tui.app import QbtuiApp
from qbtui.tui.screens import DocumentScreen, FixScreen
from tests.support import documents
from tests.support.documents import small_set


def typed_invoice(profile, number: str, total: int) -> dict:
    """An invoice a person typed into QuickBooks, with a number one of ours has."""
    someone = next(c for c in profile.live("Customer") if c["DisplayName"] == "Lakeside Deli")
    item = next(i for i in profile.live("Item") if i.get("Name") == "Stoneware mug")
    return profile.company.create("Invoice", {
        "DocNumber": number, "TxnDate": "2026-11-03", "CustomerRef": {"value": someone["Id"]},
        "Line": [{"Amount": total, "DetailType": "SalesItemLineDetail",
                  "SalesItemLineDetail": {"ItemRef": {"value": item["Id"]}, "Qty": 1, "UnitPrice": total}}]})


async def open_on(app: QbtuiApp, pilot, ref: str, key: str) -> None:
    """On the Errors tab, the row of ``ref``, then ``key`` (enter: the document; e: its fix form)."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.press("5")  # Errors
    await pilot.pause()
    refs = [r.ref for r in app.dashboard.table.shown_rows()]
    for _ in range(refs.index(ref)):
        await pilot.press("j")
    await pilot.press(key)
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def open_fix_of(app: QbtuiApp, pilot, ref: str) -> FixScreen:
    await open_on(app, pilot, ref, "e")
    assert isinstance(app.screen, FixScreen), app.screen
    return app.screen


def test_a_6140_fix_form_links_to_the_holder_or_renumbers(make_profile):
    profile = make_profile()
    profile.import_docs(small_set(1))
    code, _ = profile.sync_json()
    assert code == 0
    same = typed_invoice(profile, "SO-7001", 75)  # the very sale, typed by hand in QuickBooks
    other = typed_invoice(profile, "SO-7002", 40)  # another sale that happens to have our number
    profile.import_docs([documents.invoice("SO-7001"), documents.invoice("SO-7002")])
    code, out = profile.sync_json()
    assert code == 1
    assert {d["ref"]: d["error"]["code"] for d in out["documents"] if d["status"] == "failed"} == {
        "SO-7001": "6140", "SO-7002": "6140"}

    async def go() -> None:
        app = QbtuiApp(profile.path, profile="default", data_dir=profile.q.data_dir)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_on(app, pilot, "SO-7001", "enter")  # the Errors tab's detail shows the intuit_tid
            assert isinstance(app.screen, DocumentScreen)
            assert "intuit_tid: 1-" in str(app.screen.query_one("#intuit-tid").render())
            await pilot.press("q")
            await pilot.pause()
            form = await open_fix_of(app, pilot, "SO-7001")
            told = str(form.query_one("#fix-holder").render())
            assert f"Invoice {same['Id']}" in told and "2026-11-03" in told and "Lakeside Deli" in told
            assert "QuickBooks intuit_tid: 1-" in " ".join(str(s.render()) for s in form.query("Static"))
            await pilot.press("ctrl+l")  # it is this document: link
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert not isinstance(app.screen, FixScreen)

            form = await open_fix_of(app, pilot, "SO-7002")
            assert f"Invoice {other['Id']}" in str(form.query_one("#fix-holder").render())
            box = form.query_one("#f-doc_number")
            assert app.screen.focused is box  # the number to change has the focus
            await pilot.press(*"SO-7002B")
            await pilot.press("ctrl+s")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert not isinstance(app.screen, FixScreen)

    asyncio.run(go())
    with profile.cache() as cache:
        link = cache.link("sale_invoice", "SO-7001")
        assert cache.status_of("sale_invoice", "SO-7001") == "synced"
        assert link["qbo"] == [{"key": "doc", "entity": "Invoice", "id": same["Id"], "sync_token": "0",
                                "linked": True}]
        assert cache.get("sale_invoice", "SO-7002")["data"]["doc_number"] == "SO-7002B"
    code, out = profile.sync_json()
    assert code == 0, out
    numbers = profile.count("Invoice", "DocNumber")
    assert numbers["SO-7002B"] == 1 and numbers["SO-7002"] == 1 and numbers["SO-7001"] == 1
