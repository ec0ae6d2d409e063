"""Fixtures for the connect wizard's tests: a profile with the demo data set, and the sandbox's ``unprepared``
company in-process (no network) behind a transport that records every request (tests/support/profiles.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.profiles import ROOT, RecordingTransport, in_process, seed_profile

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "ROOT", "TERMS_DOCS", "seed_profile"]

CLIENT_ID = "wizard-client"
CLIENT_SECRET = "wizard-secret-never-printed"


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
