"""Fixtures for the connect wizard's tests: a profile with the demo data set, and the sandbox's ``unprepared``
company, either on loopback (``sandbox``: the wizard's steps run in ``qbtui wizard-step`` child processes, which
reach it there) or in-process behind a transport (``transport``, for the library calls), each recording every
request (tests/support/profiles.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from qbtui.sandbox import serve_in_thread
from tests.support.profiles import ROOT, RecordingTransport, RequestLog, in_process, sandbox_config, seed_profile

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "ROOT", "TERMS_DOCS", "seed_profile"]

CLIENT_ID = "wizard-client"
CLIENT_SECRET = "wizard-secret-never-printed"


@pytest.fixture
def transport() -> RecordingTransport:
    """The sandbox's ``unprepared`` company in this process (tests/support/profiles.py)."""
    return in_process(company="unprepared")


@dataclass
class Loopback:
    """A sandbox on loopback: its root URL and the log of the API requests it took (``log.writes``)."""

    url: str
    log: RequestLog

    @property
    def writes(self) -> list[tuple[str, str]]:
        return self.log.writes


@pytest.fixture
def sandbox() -> Iterator[Loopback]:
    """The sandbox's ``unprepared`` company on a loopback port of this process (uvicorn in a thread)."""
    with serve_in_thread(sandbox_config(company="unprepared")) as sb:
        sb.app.api = log = RequestLog(sb.app.api)
        yield Loopback(sb.url, log)


#: contacts naming payment terms, one spelled as QBO does ("Net 30"), one not ("net 15" vs "Net 15")
TERMS_DOCS = [{"type": "customer", "ref": "C-900", "name": "Lakeside Deli", "terms": "Net 30"},
              {"type": "supplier", "ref": "S-900", "name": "Kiln Supplies", "terms": "net 15"}]


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    return seed_profile(tmp_path / "profiles" / "p1", extra=TERMS_DOCS)
