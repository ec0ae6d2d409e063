"""Shared fixtures: a throwaway data dir and a CLI runner bound to it; ``make_profile`` and ``profile``
(tests/support/profiles.py), a profile connected to the sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support import documents
from tests.support.profiles import Profile, Qbtui, make_profile

__all__ = ["Qbtui", "make_profile"]


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: a test that takes more than a few seconds")

@pytest.fixture
def qbtui(tmp_path: Path) -> Qbtui:
    return Qbtui(tmp_path / "data")


@pytest.fixture
def profile(make_profile) -> Profile:
    """A profile connected to the demo company of a sandbox on loopback (tests/support/profiles.py)."""
    return make_profile()


@pytest.fixture
def example_file(tmp_path: Path) -> Path:
    path = tmp_path / "example.json"
    path.write_text(json.dumps({"documents": documents.example()}))
    return path
