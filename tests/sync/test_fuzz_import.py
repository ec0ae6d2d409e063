"""Fuzz: random bytes, deep nesting, huge numbers and hostile Unicode fed to `qbtui import`; after
each accepted import `errors`, `sync --dry-run` and a sync against the sandbox run. Never a traceback (the
runner re-raises any exception), never a changed cache after a refused import, never a sync stopped by
one document (a good customer in every accepted file is always synced)."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re

from hypothesis import HealthCheck, event, given, settings, strategies as st

HOSTILE = ["\x1b", "\x1b[2J", "\x1b]52;c;aGk=\x07", "\u202e", "\u2066", "\u2028", "\u2029", "\x85", "\x9b", "\x00",
           "\x7f", "\r", "\n", "\t", "\u200d", "\u200c", "\u200e", "\u200f", "e\u0301", "\u00e9", ":", "\\", "=",
           "+", "-", "@", "a", "Z", " ", "\U0001f600", "\ufeff"]
hostile_text = st.lists(st.sampled_from(HOSTILE), min_size=1, max_size=12).map("".join)
huge_number = st.one_of(
    st.integers(-10**30, 10**30).map(str),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.sampled_from(["999999999999", "999999999999.999999", "9999999999.99", "10000000000", "1e999", "-0", "0E-1000000000",
                     "1E+11", "1e-7", "NaN", "Infinity", "1" * 5000, "0.000001", "123456789.123456"]),
)

COUNTER = itertools.count()


@st.composite
def documents(draw) -> list[dict]:
    n = next(COUNTER)
    docs: list[dict] = [{"type": "customer", "ref": f"OK-{n}", "name": f"Fuzz good {n}"}]
    for i in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["customer", "product", "invoice", "cogs"]))
        ref = draw(st.one_of(st.just(f"F{n}-{i}"), hostile_text.map(lambda t, n=n, i=i: f"F{n}-{i}{t}")))[:100]
        if kind == "customer":
            docs.append({"type": "customer", "ref": ref, "name": draw(hostile_text), "email": draw(hostile_text)})
        elif kind == "product":
            docs.append({"type": "product", "ref": ref, "name": draw(hostile_text), "sale_price": draw(huge_number)})
        elif kind == "invoice":
            docs.append({"type": "sale_invoice", "ref": ref, "customer": f"OK-{n}", "invoice_date": "2026-11-02",
                         "memo": draw(hostile_text),
                         "lines": [{"sku": "MUG-01", "quantity": draw(huge_number), "unit_price": draw(huge_number),
                                    "description": draw(hostile_text)}]})
        else:
            docs.append({"type": "cogs", "ref": ref, "date": "2026-11-02", "amount": draw(huge_number)})
    return docs


def as_file(docs: list[dict], kind: str) -> tuple[str, bytes]:
    if kind == "json":
        return "docs.json", json.dumps({"documents": docs}).encode()
    if kind == "jsonl":
        return "docs.jsonl", "".join(json.dumps(d) + "\n" for d in docs).encode()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["ref", "name", "email"])
    for d in docs:
        if d["type"] == "customer":
            writer.writerow([d["ref"], d["name"], d.get("email", "")])
    return "customer.csv", out.getvalue().encode()


def deep(levels: int, wrap: str) -> bytes:
    opener, closer = {"list": ("[", "]"), "object": ('{"a":', "}"), "extra": ('{"a":', "}")}[wrap]
    body = opener * levels + "1" + closer * levels
    if wrap == "extra":
        return json.dumps([{"type": "customer", "ref": "DEEP", "name": "Deep"}])[:-2].encode() + b', "extra": ' + \
            body.encode() + b"}]"
    return body.encode()


files = st.one_of(
    st.tuples(st.sampled_from(["junk.json", "junk.jsonl", "customer.csv"]), st.binary(max_size=3000)),
    st.tuples(st.sampled_from(["deep.json", "deep.jsonl"]),
              st.builds(deep, st.integers(30, 20_000), st.sampled_from(["list", "object", "extra"]))),
    st.builds(as_file, documents(), st.sampled_from(["json", "jsonl", "csv"])),
)


def cache_files(profile) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(profile.path.iterdir()) if p.is_file() and "lock" not in p.name}


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(file=files)
def test_fuzzed_imports_never_crash_never_corrupt_and_never_stop_a_sync(profile, file):
    name, content = file
    path = profile.tmp / name
    path.write_bytes(content)
    before = cache_files(profile)
    result = profile.q("import", "--json", str(path))
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
    imported = json.loads(result.stdout)["files"][0]
    event("accepted" if imported["imported"] else "refused")
    if not imported["imported"]:
        assert result.exit_code == 1
        assert cache_files(profile) == before, "a refused import changed the cache"
        return
    for args in (("errors",), ("sync", "--dry-run")):
        run = profile.q(*args)
        assert run.exit_code in (0, 1), run.output
        assert not any(c in run.output for c in "\x1b\x9b\u202e\u2028"), ascii(run.output)
    code, report = profile.sync_json()
    assert code in (0, 1), report
    oks = {ref.decode() for ref in re.findall(rb"OK-[0-9]+", content)}
    with profile.cache() as cache:
        assert {ref: cache.status_of("customer", ref) for ref in oks} == {ref: "synced" for ref in oks}
