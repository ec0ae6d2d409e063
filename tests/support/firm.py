"""A firm's data folder: several profiles, each connected to its own sandbox company (tests/support/profiles.py
make_profile makes each in its own data folder; here they are gathered, by link, under one)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.support.documents import small_set

#: profile -> sandbox company
COMPANIES = {"north": "demo", "south": "inventory", "west": "empty"}


def make_firm(make_profile: Callable[..., Any], tmp_path: Path) -> dict[str, Any]:
    """Three profiles (north, south, west) in ``tmp_path/firm``: north has one invoice synced (a run) and three
    pending, south four pending, west nothing. Returns ``{"data_dir", "profiles": {name: Profile}}``."""
    root = tmp_path / "firm" / "profiles"
    root.mkdir(parents=True)
    made = {}
    for name, company in COMPANIES.items():
        profile = make_profile(company=company)
        if name == "north":
            profile.import_docs(small_set(1, prefix="N"))
            code, report = profile.sync_json()
            assert code == 0, report
            profile.import_docs(small_set(3, prefix="M"))
        elif name == "south":
            profile.import_docs(small_set(4, prefix="S"))
        (root / name).symlink_to(profile.path, target_is_directory=True)
        made[name] = profile
    return {"data_dir": tmp_path / "firm", "profiles": made}
