"""`qbtui status --all-profiles` and `qbtui sync --all-profiles`: three profiles against three sandbox companies
in one data folder; the sync runs one child per profile at once and sums them up, its exit code the worst."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.firm import make_firm
from tests.support.profiles import Qbtui


def test_status_and_sync_of_every_profile(make_profile, tmp_path: Path, monkeypatch):
    firm = make_firm(make_profile, tmp_path)
    q = Qbtui(firm["data_dir"])
    monkeypatch.setenv("QBTUI_DATA_DIR", str(firm["data_dir"]))

    r = q("status", "--all-profiles", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert [p["profile"] for p in data["profiles"]] == ["north", "south", "west"]
    by = {p["profile"]: p for p in data["profiles"]}
    assert by["north"]["company"] == "Harbourside Goods (demo)"
    assert by["west"]["company"] == "Sandbox Company"
    # each "status" is that profile's own `status --json`
    north = q.json("status", "--json", profile="north")
    assert by["north"]["status"]["documents"] == north["documents"]
    assert by["north"]["status"]["profile"] == "north"
    assert by["south"]["status"]["documents"]["sale_invoice"]["pending"] == 4

    r = q("status", "--all-profiles")
    assert r.exit_code == 0, r.output
    assert [line.split()[0] for line in r.stdout.splitlines()] == ["north", "south", "west"]
    south_pending = sum(c["pending"] for c in by["south"]["status"]["documents"].values())
    assert f"{south_pending} pending, 0 blocked, 0 failed, 0 conflict" in r.stdout.splitlines()[1]

    r = q("sync", "--all-profiles", "--yes")
    assert r.exit_code == 0, r.output
    assert "3 profiles:" in r.stdout and "exit 0" in r.stdout
    sent = {name: p.count("Invoice", "DocNumber") for name, p in firm["profiles"].items()}
    assert all(sent["north"][ref] == 1 for ref in ("NSO-1001", "MSO-1001", "MSO-1002", "MSO-1003")), sent["north"]
    assert all(sent["south"][f"SSO-100{i}"] == 1 for i in range(1, 5)), sent["south"]
    after = q.json("status", "--all-profiles", "--json")
    for row in after["profiles"]:
        for counts in row["status"]["documents"].values():
            assert counts["pending"] == counts["failed"] == 0, row

    # one profile that cannot send: the summary says so and the exit code is the worst of them
    firm["profiles"]["south"].import_docs([{"type": "sale_invoice", "ref": "S-BAD", "customer": "NOPE",
                                           "invoice_date": "2026-11-02",
                                           "lines": [{"sku": "SMUG-01", "quantity": 1, "unit_price": "1.00"}]}])
    r = q("sync", "--all-profiles", "--yes", "--json")
    out = json.loads(r.stdout)
    assert r.exit_code == out["exit_code"] == 1, r.output
    assert {p["profile"]: p["exit_code"] for p in out["profiles"]} == {"north": 0, "south": 1, "west": 0}

    r = q("sync", "--all-profiles", "--ref", "X", "--json")
    assert r.exit_code == 2


def test_two_profiles_of_one_company_go_one_after_the_other(make_profile, tmp_path: Path, monkeypatch):
    """A fourth profile connected to north's company (the same realm): the two share that company's limits, so
    `sync --all-profiles` sends theirs one after the other (no request of one among the other's), the others at once."""
    from tests.support.documents import small_set
    from tests.support.profiles import connect_cli, is_write

    firm = make_firm(make_profile, tmp_path)
    north = firm["profiles"]["north"]
    twin = Qbtui(tmp_path / "twin")
    connect_cli(twin, north.url)
    (firm["data_dir"] / "profiles" / "north2").symlink_to(tmp_path / "twin" / "profiles" / "default",
                                                        target_is_directory=True)
    path = tmp_path / "twin.json"
    path.write_text(json.dumps({"documents": small_set(2, prefix="Q")}))
    assert twin("import", str(path)).exit_code == 0
    log = north.log_requests()
    q = Qbtui(firm["data_dir"])
    monkeypatch.setenv("QBTUI_DATA_DIR", str(firm["data_dir"]))

    r = q("sync", "--all-profiles", "--yes")
    assert r.exit_code == 0, r.output
    assert "north, north2 are connected to the same QuickBooks company: one after the other" in r.stderr
    r = q("sync", "--all-profiles", "--yes", "--json")  # nothing left: the shape of a run
    out = json.loads(r.stdout)
    assert [(p["profile"], p.get("after")) for p in out["profiles"]] == [
        ("north", None), ("north2", "north"), ("south", None), ("west", None)]

    def whose(body: bytes) -> str | None:  # small_set's references and names, after the profile's prefix
        for prefix, name in ((b"M", "north"), (b"Q", "north2")):
            if any(prefix + mark in body for mark in (b"SO-", b"COGS-", b"Harbour Cafe", b"Lakeside Deli", b"Stoneware")):
                return name
        return None

    writes = [(whose(w.body), w) for w in log.requests if is_write(w.method, w.path) and whose(w.body)]
    order = [name for name, _ in writes]
    assert order[0] == "north" and "north2" in order, order
    first = order.index("north2")
    assert set(order[first:]) == {"north2"}, order  # none of north's requests among north2's
    assert all(w.end <= writes[first][1].start for _, w in writes[:first])
    counts = north.count("Invoice", "DocNumber")
    assert all(counts[ref] == 1 for ref in ("NSO-1001", "MSO-1001", "MSO-1003", "QSO-1001", "QSO-1002")), counts
