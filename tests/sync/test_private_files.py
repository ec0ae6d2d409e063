"""Every file and folder qbtui creates in a profile is private: 0600 files, 0700 folders, whatever the umask."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from qbtui.cache import Cache
from tests.support.documents import small_set


@pytest.fixture
def open_umask():
    old = os.umask(0o022)  # the usual umask: without care, files come out 0644 and folders 0755
    yield
    os.umask(old)


def modes(root: Path) -> dict[str, str]:
    """Every path under root (root included) that is not private, with its mode."""
    bad = {}
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        want = 0o700 if path.is_dir() else 0o600
        if mode != want:
            bad[str(path.relative_to(root.parent))] = oct(mode)
    return bad


def test_profile_is_private_after_connect_import_sync_pull_export_and_change_of_company(make_profile, open_umask,
                                                                                       tmp_path):
    profile = make_profile()  # the data folder, profiles/ and the profile are made by `qbtui connect`
    profile.import_docs(small_set(3))
    code, out = profile.sync_json()
    assert code == 0 and {d["status"] for d in out["documents"]} == {"synced"}
    assert profile.q("pull").exit_code == 0
    export = profile.path / "exports" / "cogs.csv"  # a folder of the user's inside the profile
    r = profile.q("cogs", "export", "--from", "2026-11-01", "--to", "2026-11-30", "--output", str(export))
    assert r.exit_code == 0, r.output
    names = {p.name for p in profile.path.rglob("*")}
    assert {"documents.sqlite", "outcomes.mark", "state.json", "writer.lock", "auth", "tokens.json",
            "client_secret", "tokens.lock", "exports", "cogs.csv"} <= names
    assert modes(profile.q.data_dir) == {}
    assert profile.q("integration", "change-organisation", "--yes").exit_code == 0  # writes the links archive
    assert any(p.name.startswith("links-") for p in profile.path.iterdir())
    assert modes(profile.q.data_dir) == {}


def test_a_profile_made_open_by_an_older_qbtui_is_tightened_on_open(tmp_path, open_umask):
    folder = tmp_path / "profiles" / "old"
    folder.mkdir(parents=True, mode=0o755)
    (folder / "writer.lock").write_text("")
    (folder / "outcomes.jsonl").write_text("")
    os.chmod(folder / "writer.lock", 0o644)
    os.chmod(folder / "outcomes.jsonl", 0o644)
    with Cache.open(folder, writer=True) as cache:
        cache.upsert_documents([{"type": "customer", "ref": "C-1", "name": "Harbour Cafe"}])
        cache.record_outcomes([{"type": "customer", "ref": "C-1", "status": "synced",
                                "qbo": [{"entity": "Customer", "id": "1", "sync_token": "0"}]}])
        # the database's side files, made by SQLite while it is open, are as private as the database
        assert {"documents.sqlite-wal", "documents.sqlite-shm"} <= {p.name for p in folder.iterdir()}
        assert modes(folder) == {}
    assert cache.migration is not None and "outcomes.jsonl" in os.listdir(folder / cache.migration.backup)
    assert modes(folder) == {}  # the old files too, moved into the backup folder


def test_sandbox_state_file_is_private(tmp_path, open_umask):
    from qbtui.sandbox.state import write_atomic

    target = tmp_path / "profile" / "sandbox-company.json"  # where the demo profile keeps its company
    write_atomic(target, b"{}")
    assert modes(tmp_path / "profile") == {}
