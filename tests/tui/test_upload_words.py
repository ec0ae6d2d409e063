"""What the dashboard says of an upload, against a real sandbox through the real `qbtui sync` child: in the user's
words (no Python value: no None, True, list or dict, no exception class name), and the counts add up, the same
everywhere: the progress panel, the notification, and the run's summary as `qbtui sync` prints it ("sent 4: 2 OK,
2 failed")."""

from __future__ import annotations

import asyncio
import re
import time

from qbtui.sync.events import counts_text
from qbtui.tui.app import QbtuiApp
from tests.support.documents import small_set

from .test_dashboard_failures import start_uploading_all_invoices

SENT = re.compile(r"sent (\d+)(?: of (\d+))?: (\d+) OK, (\d+) failed")
PYTHON = re.compile(r"\bNone\b|\bTrue\b|\bFalse\b|\[\]|\['|\{'|'\}|\b[A-Z][A-Za-z]*(Error|Exception)\b|Traceback")


def counts(text: str) -> tuple[int, int, int]:
    """(sent, OK, failed) of the one "sent N: a OK, b failed" in ``text``; they must add up."""
    found = SENT.findall(text)
    assert len(found) == 1, text
    sent, _, ok, failed = found[0]
    assert int(ok) + int(failed) == int(sent), text
    return int(sent), int(ok), int(failed)


def plain(text: str) -> str:
    assert not PYTHON.search(text), text
    return text


async def set_customer_active(profile, ref: str, active: bool) -> None:
    with profile.cache() as cache:
        qbo_id = cache.link("customer", ref)["qbo"][0]["id"]

    async def change(client):
        c = await client.read("Customer", qbo_id)
        await client.update("Customer", {"Id": qbo_id, "SyncToken": c["SyncToken"], "Active": active}, sparse=True)

    await asyncio.to_thread(profile.qbo, change)


async def settle(app, pilot) -> None:
    """Until the upload, the reload after it and its gates are in (a guard against hanging, not a timing)."""
    await pilot.pause()
    deadline = time.monotonic() + 60
    while app.dashboard.uploading or app.dashboard.gates_checked != app.dashboard.model_generation():
        assert time.monotonic() < deadline, "the upload never settled"
        await pilot.pause(0.05)
    await app.workers.wait_for_complete()
    await pilot.pause()


def screen_texts(app) -> list[str]:
    d = app.dashboard
    return [str(d._dash(s).render()) for s in ("#statusline", "#info", "#detail", "#progress")]


def test_failing_then_succeeding_uploads_say_it_in_words_and_the_counts_add_up(make_profile):
    profile = make_profile()
    profile.import_docs(small_set(4))  # SO-1001 and SO-1003 are C-100's, SO-1002 and SO-1004 C-101's
    assert profile.q("sync", "--type", "customer", "--type", "product", "--yes").exit_code == 0

    async def walk() -> None:
        await set_customer_active(profile, "C-100", False)  # made inactive in QuickBooks: its invoices are refused
        app = QbtuiApp(profile.path, profile="default", data_dir=profile.data_dir)
        async with app.run_test(size=(80, 24)) as pilot:
            await start_uploading_all_invoices(app, pilot)
            await settle(app, pilot)
            panel = plain(str(app.dashboard._dash("#progress").render()))
            assert panel.startswith("Upload finished: ") and counts(panel) == (4, 2, 2)
            assert "of QuickBooks' 1,660/min" in panel
            note = plain([n.message for n in app._notifications if n.message.startswith("Upload finished")][-1])
            assert counts(note) == (4, 2, 2) and "press 5 for Errors" in note
            with profile.cache() as cache:
                run = cache.runs()[0]  # the dashboard's upload, as qbtui sync recorded it
            assert counts_text(run["counts"]).startswith("sent 4: 2 OK, 2 failed")  # what qbtui sync prints
            for text in screen_texts(app):
                plain(text)
            await pilot.press("5")  # the failures, in words
            await pilot.pause()
            assert {r.ref for r in app.dashboard.table.shown_rows()} >= {"SO-1001", "SO-1003"}
            for _ in range(len(app.dashboard.table.rows)):
                for text in screen_texts(app):
                    plain(text)
                await pilot.press("j")

            await set_customer_active(profile, "C-100", True)
            await pilot.press("a", "r")  # re-sync the failed ones
            await pilot.pause()
            await pilot.press("y")
            await settle(app, pilot)
            panel = plain(str(app.dashboard._dash("#progress").render()))
            sent, ok, failed = counts(panel)
            assert failed == 0 and ok == sent >= 2
            finished = [n.message for n in app._notifications if n.message.startswith("Upload finished")]
            assert plain(finished[-1]) == f"Upload finished: sent {sent}: {ok} OK, 0 failed."
            for message in (n.message for n in app._notifications):
                plain(message)
            await app.workers.wait_for_complete()

    asyncio.run(walk())
    r = profile.q("sync", "--yes")  # the command line's summary, in the same words
    assert r.exit_code == 0 and re.search(r"^run \S+: (nothing to send|sent \d+: \d+ OK, 0 failed)", r.output, re.M), \
        r.output
    plain(r.output)


def test_an_upload_the_preflight_keeps_names_the_keys_that_fix_it(make_profile):
    """A first sync QuickBooks' settings would make wrong (inventory quantities tracked there): nothing is sent, and
    the note says what is wrong, why, and what to press (the connect wizard's Preflight step: f fixes it)."""
    profile = make_profile()
    profile.import_docs(small_set(2))
    profile.company.preferences["ProductAndServicesPrefs"].update({"QuantityOnHand": True})
    assert profile.q("pull").exit_code == 0

    async def walk() -> list[str]:
        app = QbtuiApp(profile.path, profile="default", data_dir=profile.data_dir)
        async with app.run_test(size=(80, 24)) as pilot:
            await start_uploading_all_invoices(app, pilot)
            await settle(app, pilot)
            assert "Connect wizard" in {c.title for c in app.get_system_commands(app.screen)}  # what it names
            await app.workers.wait_for_complete()
            return [n.message for n in app._notifications if n.title == "Upload did not run"]

    said = asyncio.run(walk())
    assert len(said) == 1, said
    note = plain(said[0])
    assert note.startswith("nothing was sent: ") and "inventory" in note
    assert "Press ctrl+p and choose Connect wizard" in note and "f fixes" in note
    assert not [i for i in profile.live("Invoice") if str(i.get("DocNumber")).startswith("SO-")]  # nothing sent
