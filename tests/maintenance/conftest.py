"""The maintenance tests' profile: ``make_profile`` (tests/support/profiles.py: a sandbox on loopback, uvicorn in a
thread) holding the two invoices of tests/support/documents.py, and the same synced.

Real HTTP end to end: the CLI commands under test open their own client from the profile, as they
would against QBO. Tests that edit QBO "directly" use a client of the profile (``env.qbo``), or the sandbox's
live store (``env.company``).
"""

from __future__ import annotations

import json

import pytest

from tests.support.documents import two_invoices
from tests.support.profiles import Profile

DOCS = two_invoices()
FROM, TO = "2026-11-01", "2026-11-30"


@pytest.fixture
def env(make_profile, qbtui) -> Profile:
    """Connected, the documents in its cache, nothing sent; ``qbtui`` runs on its data folder."""
    profile = make_profile(docs=DOCS)
    qbtui.data_dir = profile.data_dir
    return profile


@pytest.fixture
def synced(env, qbtui) -> Profile:
    result = qbtui("sync", "--yes", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert all(d["status"] == "synced" for d in report["documents"]), report
    return env
