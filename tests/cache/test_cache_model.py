"""Property test: random operation sequences against a plain-dict model, with reopens."""

from __future__ import annotations

import tempfile
from pathlib import Path

import orjson
from hypothesis import HealthCheck, given, settings, strategies as st

from qbtui.cache import Cache

REFS = st.sampled_from(["A", "B", "C", "D"])
TYPES = st.sampled_from(["invoice", "customer"])
VALUES = st.one_of(st.integers(-3, 3), st.text(max_size=3), st.booleans(), st.none())
DOC = st.builds(lambda t, r, v, voided: {"type": t, "ref": r, "v": v, "voided": voided},
                TYPES, REFS, VALUES, st.booleans())
OUTCOME = st.builds(lambda t, r, s: {"type": t, "ref": r, "status": s}, TYPES, REFS,
                    st.sampled_from(["synced", "failed", "voided", "sending"]))
OPS = st.lists(st.one_of(
    st.tuples(st.just("upsert"), st.lists(DOC, max_size=4)),
    st.tuples(st.just("outcomes"), st.lists(OUTCOME, min_size=1, max_size=3)),
    st.tuples(st.just("reopen"), st.none()),
    st.tuples(st.just("compact"), st.none()),
), max_size=12)


def canon(d: dict) -> bytes:
    return orjson.dumps(d, option=orjson.OPT_SORT_KEYS)


def model_status(doc: dict | None, link: dict | None) -> str:
    st_ = link["status"] if link else None
    if st_ == "synced":
        return "synced" if doc is None or link["synced_rev"] == doc["rev"] else "pending"
    if st_ == "voided":
        return "voided"
    ever = link is not None and link["synced_rev"] is not None
    if doc is not None and doc["data"].get("voided") is True and not ever:
        return "skipped"
    return "failed" if st_ == "failed" else "pending"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(OPS)
def test_random_operations_match_model(ops: list) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        prof = Path(tmp) / "p"
        docs: dict[tuple[str, str], dict] = {}
        links: dict[tuple[str, str], dict] = {}
        c = Cache.open(prof, writer=True)
        try:
            for op, arg in ops:
                if op == "upsert":
                    c.upsert_documents(arg)
                    last = {(d["type"], d["ref"]): d for d in arg}  # last one wins
                    for key, d in last.items():
                        old = docs.get(key)
                        if old is None:
                            docs[key] = {"rev": 1, "data": d}
                        elif canon(old["data"]) != canon(d):  # JSON equality: 1 != true
                            docs[key] = {"rev": old["rev"] + 1, "data": d}
                elif op == "outcomes":
                    c.record_outcomes(arg)
                    for o in arg:
                        key = (o["type"], o["ref"])
                        link = links.setdefault(key, {"status": None, "synced_rev": None})
                        link["status"] = o["status"]
                        if o["status"] == "synced" and key in docs:
                            link["synced_rev"] = docs[key]["rev"]
                elif op == "reopen":
                    c.close()
                    c = Cache.open(prof, writer=True)
                else:
                    c.compact()
                with Cache.open(prof, writer=False) as r:
                    for view in (c, r):
                        assert view.count() == len(docs)
                        for key, d in docs.items():
                            rec = view.get(*key)
                            assert rec["rev"] == d["rev"]
                            assert canon(rec["data"]) == canon(d["data"])
                        for key in set(docs) | set(links):
                            want = model_status(docs.get(key), links.get(key))
                            assert view.status_of(*key) == want, (key, docs.get(key),
                                                                  links.get(key))
                            link = view.link(*key)
                            assert (link is None) == (key not in links)
                            if link:
                                assert link["status"] == links[key]["status"]
                        total = sum(sum(v.values()) for v in view.status_counts().values())
                        assert total == len(docs)
        finally:
            c.close()
