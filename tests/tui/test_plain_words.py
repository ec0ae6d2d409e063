"""What a screen says of something it cannot do is in words, never a Python exception's class name."""

from __future__ import annotations

from pathlib import Path

from qbtui.cache import profile_dir
from qbtui.tui.companies import read_company


def test_a_damaged_profile_on_the_companies_screen_says_why_in_words(tmp_path: Path):
    path = profile_dir(tmp_path, "broken")
    path.mkdir(parents=True)
    (path / "documents.sqlite").write_bytes(b"not a database at all" * 100)
    problem = read_company(tmp_path, "broken").problem
    assert problem.startswith("cannot be read: cache file ") and "corrupted" in problem
    assert "Error" not in problem and "Exception" not in problem
