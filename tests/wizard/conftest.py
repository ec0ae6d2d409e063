"""Fixtures for the connect wizard's tests: a profile with the demo data set, and the sandbox's ``unprepared``
company in-process (no network) behind a transport that records every request (tests/support/profiles.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qbtui.cache import Cache
from qbtui.tui.sample import sample_documents
from tests.support.profiles import ROOT, RecordingTransport, in_process

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "ROOT", "TERMS_DOCS", "seed_profile"]

CLIENT_ID = "wizard-client"
CLIENT_SECRET = "wizard-secret-never-printed"


def seed_profile(profile: Path, *, filter_start: str | None = "2026-10-01", extra: list[dict] | None = None) -> Path:
    with Cache.open(profile, writer=True, command="test") as cache:
        cache.upsert_documents(sample_documents() + (extra or []))
        if filter_start:
            cache.set_setting("filter_start_date", filter_start)
        cache.set_setting("time_scale", 60)
    return profile


@pytest.fixture
def transport() -> RecordingTransport:
    """The sandbox's ``unprepared`` company in this process (tests/support/profiles.py)."""
    return in_process(company="unprepared")


#: contacts naming payment terms, one spelled as QBO does ("Net 30"), one not ("net 15" vs "Net 15")
TERMS_DOCS = [{"type": "customer", "ref": "C-900", "name": "Lakeside Deli", "terms": "Net 30"},
              {"type": "supplier", "ref": "S-900", "name": "Kiln Supplies", "terms": "net 15"}]


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    return seed_profile(tmp_path / "profiles" / "p1", extra=TERMS_DOCS)
