"""The habits as tests, so that the one test command (``python -m pytest``) keeps them: ruff (rules in
pyproject.toml: [tool.ruff]) on the code, the tests and the scripts, and mypy on the lower rooms (documents,
cache, ledger, qbo: no function without types; [tool.mypy])."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *argv], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing() -> None:
    result = run("ruff", "check", "--no-cache", "--output-format", "concise", "qbtui", "tests", "scripts")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_nothing_in_the_lower_rooms() -> None:
    result = run("mypy", "--no-error-summary")  # the packages and rules are in pyproject.toml
    assert result.returncode == 0, result.stdout + result.stderr
