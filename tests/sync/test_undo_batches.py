"""`qbtui undo` in batches against the sandbox: current SyncTokens read in bulk, removals sent 30 to a batch,
with the one-at-a-time undo's safety: an object already gone counts as removed, a stale SyncToken is read again
and retried, a lost answer is settled by reading again, and what another document still uses is kept and said."""

from __future__ import annotations

import json

from qbtui.sandbox.faults import drop_connection
from tests.support.documents import customer, invoice, line, product, small_set


def _sync(profile, docs):
    profile.import_docs(docs)
    code, out = profile.sync_json()
    assert code == 0, out
    return out["run"]


def _live_ids(profile, entity: str) -> set[str]:
    return {o["Id"] for o in profile.live(entity)}


def _assert_all_gone(profile, run) -> None:
    created = run["created"]
    for entity in ("Invoice", "JournalEntry"):
        ids = {c["id"] for c in created if c["entity"] == entity}
        assert ids and not ids & _live_ids(profile, entity), entity
    for c in created:
        if c["entity"] in ("Customer", "Item"):
            assert profile.company.get(c["entity"], c["id"])["Active"] is False, c


def _body(messages: list[bytes]) -> dict:
    return json.loads(b"".join(messages))


class _Replay:
    """An ASGI ``receive`` that gives back a body already read (and the connection, for a dropped answer)."""

    def __init__(self, receive, body: bytes):
        self.__self__ = getattr(receive, "__self__", None)
        self._body = body

    async def __call__(self):
        return {"type": "http.request", "body": self._body, "more_body": False}


async def _read_body(receive) -> bytes:
    body, more = b"", True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    return body


def test_undo_sends_batches_and_reads_tokens_in_bulk(profile):
    run = _sync(profile, small_set(40))
    n = len(run["created"])  # 2 customers, 1 product, 40 invoices, 40 COGS journals
    log = profile.log_requests()
    r = profile.q("undo", run["id"], "--yes")
    assert r.exit_code == 0, r.output
    assert f"{n} removed, 0 failed" in r.output
    _assert_all_gone(profile, run)
    paths = [q.path.rsplit("/", 1)[-1] for q in log.requests]
    assert paths.count("batch") >= 2
    assert len(log.requests) < n / 2  # not a read and a delete per object
    assert not [q for q in log.requests if q.method == "GET"]  # no read one object at a time
    with profile.cache() as cache:
        assert all(cache.status_of("sale_invoice", f"SO-{1001 + i}") == "voided" for i in range(40))
        assert cache.status_of("customer", "C-100") == "voided"
    runs = profile.q.json("runs")["runs"]
    assert runs[0]["kind"] == "undo" and runs[0]["counts"] == {"removed": n, "failed": 0, "kept": 0}
    assert next(x for x in runs if x["id"] == run["id"])["undone_by"] == runs[0]["id"]


def test_a_batch_with_a_gone_object_and_a_stale_token(profile):
    """Before undo: one invoice deleted in QBO (the bulk read does not find it). In the first batch: one object
    changed meanwhile (5010: read again, retried) and one deleted meanwhile (610 to the delete: removed)."""
    run = _sync(profile, small_set(40))
    invoices = [c["id"] for c in run["created"] if c["entity"] == "Invoice"]
    company = profile.company
    company.delete("Invoice", {"Id": invoices[0], "SyncToken": company.get("Invoice", invoices[0])["SyncToken"]})
    api, seen = profile.sb.app.api, {}

    async def change_two_in_the_first_batch(scope, receive, send):
        if scope["path"].endswith("/batch") and not seen:
            body = await _read_body(receive)
            items = [i for i in json.loads(body)["BatchItemRequest"] if i.get("operation") == "delete"]
            stale, gone = items[0], items[1]
            (s_entity,) = [k for k in stale if k in company.objects]
            (g_entity,) = [k for k in gone if k in company.objects]
            seen.update(stale=(s_entity, stale[s_entity]["Id"]), gone=(g_entity, gone[g_entity]["Id"]))
            current = company.get(s_entity, stale[s_entity]["Id"])
            company.update(s_entity, {"Id": current["Id"], "SyncToken": current["SyncToken"], "sparse": True,
                                      "PrivateNote": "edited in QuickBooks meanwhile"})
            current = company.get(g_entity, gone[g_entity]["Id"])
            company.delete(g_entity, {"Id": current["Id"], "SyncToken": current["SyncToken"]})
            receive = _Replay(receive, body)
        await api(scope, receive, send)
    profile.sb.app.api = change_two_in_the_first_batch
    r = profile.q("undo", run["id"], "--yes")
    assert r.exit_code == 0, r.output
    assert seen
    assert f"{len(run['created'])} removed, 0 failed" in r.output
    _assert_all_gone(profile, run)
    stale_entity, stale_id = seen["stale"]
    assert stale_id not in _live_ids(profile, stale_entity)  # retried with its new SyncToken


def test_a_lost_batch_answer_is_settled_by_reading_again(profile):
    """The first batch is done in QBO but its answer is lost (the sandbox drops the connection after committing):
    its objects are read again, found gone, and count as removed; nothing is reported failed."""
    run = _sync(profile, small_set(40))
    api, dropped = profile.sb.app.api, []

    async def drop_the_first_batch_answer(scope, receive, send):
        if scope["path"].endswith("/batch") and not dropped:
            body = await _read_body(receive)
            dropped.append(len(json.loads(body)["BatchItemRequest"]))

            async def swallow(message):
                pass
            await api(scope, _Replay(receive, body), swallow)  # committed, answer never sent
            await drop_connection(receive)
            return
        await api(scope, receive, send)
    profile.sb.app.api = drop_the_first_batch_answer
    r = profile.q("undo", run["id"], "--yes")
    assert r.exit_code == 0, r.output
    assert dropped and dropped[0] > 1
    assert f"{len(run['created'])} removed, 0 failed" in r.output
    _assert_all_gone(profile, run)


def test_undo_under_injected_faults_leaves_nothing_live(make_profile):
    """10% HTTP 500, 20% answers dropped after committing, 5% timeouts: every object of the run ends removed; an object still failing after its reads is reported and a second undo finishes the work."""
    profile = make_profile(fault_hold_s=0.05, latency_ms=1)
    run = _sync(profile, small_set(120))
    profile.faults("http500=0.1,drop_after_commit=0.2,timeout=0.05", seed=13)
    r = profile.q("undo", run["id"], "--yes")
    if r.exit_code == 1:  # some object exhausted its reads: not marked undone, so the undo can be run again
        assert "failed" in r.output
        r = profile.q("undo", run["id"], "--yes")
    assert r.exit_code == 0, r.output
    profile.faults("")
    assert profile.sandbox.faults.counts["drop_after_commit"] > 0
    _assert_all_gone(profile, run)
    with profile.cache() as cache:
        assert all(cache.status_of("sale_invoice", f"SO-{1001 + i}") == "voided" for i in range(120))


def test_what_another_run_still_uses_is_refused_by_name_then_cascade_and_resend(profile):
    """Run 1 made the customer, the product and SO-1001; run 2 made SO-1002 for the same customer and product.
    The dry run lists every object of run 1 with what undo would do (the customer and the product refused, naming
    run 2 and SO-1002) and changes nothing; undo refuses before removing anything, naming them, exit 1; --cascade
    undoes SO-1002 first and then run 1 (both runs undone); an undone invoice is sent again as a new object."""
    run1 = _sync(profile, [customer(), product(), invoice("SO-1001", lines=[line(unit_cost=None)])])
    run2 = _sync(profile, [invoice("SO-1002", lines=[line(quantity=2, unit_cost=None)])])
    assert {c["ref"] for c in run2["created"]} == {"SO-1002"}
    before = {e: _live_ids(profile, e) for e in ("Invoice", "Customer", "Item")}
    r = profile.q("undo", run1["id"], "--dry-run", "--json")
    assert r.exit_code == 0, r.output
    planned = json.loads(r.stdout)
    rows = {o["ref"]: o for o in planned["objects"]}
    assert set(rows) == {c["ref"] for c in run1["created"]}
    assert rows["SO-1001"]["action"] == "delete" and rows["SO-1001"]["entity"] == "Invoice" and rows["SO-1001"]["id"]
    for ref in ("C-100", "MUG-01"):
        assert rows[ref]["action"] == "refused"
        assert rows[ref]["used_by"] == [{"run": run2["id"], "type": "sale_invoice", "ref": "SO-1002"}]
    r = profile.q("undo", run1["id"], "--dry-run")
    assert r.exit_code == 0 and "refused" in r.output and "SO-1002" in r.output and "nothing was changed" in r.output
    assert {e: _live_ids(profile, e) for e in before} == before
    assert profile.q.json("runs")["runs"][0]["id"] == run2["id"]  # no run added
    r = profile.q("undo", run1["id"], "--yes")
    assert r.exit_code == 1, r.output
    assert "refused customer C-100" in r.stderr and f"sale_invoice SO-1002 of run {run2['id']}" in r.stderr
    assert "refused product MUG-01" in r.stderr and "nothing was undone" in r.stderr
    assert {e: _live_ids(profile, e) for e in before} == before  # nothing removed, not even SO-1001
    with profile.cache() as cache:
        assert cache.status_of("sale_invoice", "SO-1001") == "synced"
    r = profile.q("undo", run1["id"], "--cascade", "--dry-run", "--json")
    rows = {o["ref"]: o for o in json.loads(r.stdout)["objects"]}
    assert rows["SO-1002"]["run"] == run2["id"] and rows["SO-1002"]["action"] == "delete"
    assert rows["C-100"]["action"] == "deactivate" and rows["C-100"]["used_by"] == []
    r = profile.q("undo", run1["id"], "--cascade", "--yes")
    assert r.exit_code == 0, r.output
    inv = {c["ref"]: c["id"] for c in run1["created"] + run2["created"]}
    assert not {inv["SO-1001"], inv["SO-1002"]} & _live_ids(profile, "Invoice")
    assert profile.company.get("Customer", inv["C-100"])["Active"] is False
    runs = {x["id"]: x for x in profile.q.json("runs")["runs"]}
    assert runs[run1["id"]]["undone_by"] and runs[run2["id"]]["undone_by"] == runs[run1["id"]]["undone_by"]
    with profile.cache() as cache:
        assert cache.status_of("sale_invoice", "SO-1002") == "voided"
    # an undone document is sent again when named: a new QBO object (the old Id stays in its history)
    code, out = profile.sync_json("--ref", "SO-1002")  # with the undone customer and product it needs
    assert code == 0, out
    again = next(d for d in out["documents"] if d["ref"] == "SO-1002")
    assert again["status"] == "synced" and again["qbo_ids"] and inv["SO-1002"] not in again["qbo_ids"]
    assert set(again["qbo_ids"]) <= _live_ids(profile, "Invoice")


def test_a_company_wide_fault_stops_the_undo_keeps_what_was_removed_and_the_undo_can_be_run_again(profile):
    """6190 (the subscription ended) after 31 writes: exit 2 with QBO's reason, the undo run stopped with
    the fault, what the first writes removed recorded as voided, and the run still undoable; once the company is
    fine again the undo removes the rest."""
    run = _sync(profile, small_set(40))
    profile.refuse("6190", after_writes=31)  # a batch of 30 (and maybe a single) goes through, then every write fails
    r = profile.q("undo", run["id"], "--yes")
    assert r.exit_code == 2, r.output
    assert "6190" in r.stderr and "subscription" in r.stderr
    undo = profile.q.json("runs")["runs"][0]
    assert undo["kind"] == "undo" and undo["interrupted"] and undo["stopped"]["code"] == "6190"
    removed = undo["counts"]["removed"]
    assert 0 < removed < len(run["created"]) and undo["counts"]["failed"] == 0
    assert not next(x for x in profile.q.json("runs")["runs"] if x["id"] == run["id"]).get("undone_by")
    with profile.cache() as cache:
        voided = {link["ref"] for link in cache.links() if link.get("status") == "voided"}
    assert voided and voided <= {c["ref"] for c in undo["removed"]}
    profile.refuse(None)
    r = profile.q("undo", run["id"], "--yes")
    assert r.exit_code == 0, r.output
    _assert_all_gone(profile, run)
