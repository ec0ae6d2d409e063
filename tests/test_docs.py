"""The project stands on its own: every document that the code, the help texts, the tests, the
README and docs/ cite is in the repository, and every anchor they cite (``docs/domain.md#gates``)
is a heading of that document. Issue numbers mean nothing to a reader: none in the code or the docs."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

URL = re.compile(r"[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)
#: a cited markdown document, with an optional anchor: DOMAIN.md, docs/cli.md#exit-codes, ../shared/x.md
MD_CITATION = re.compile(r"(?<![\w./-])((?:\.{1,2}/)*[\w./-]*?[\w-]+\.md)(?:#([\w-]+))?(?![\w-])")
#: a path into docs/ that is not a .md file (a folder or another file): it must exist too
DOCS_PATH = re.compile(r"(?<![\w./-])(docs/[\w./-]*)")
#: an anchor-only link inside a markdown document: [text](#anchor)
LOCAL_ANCHOR = re.compile(r"\]\(#([\w-]+)\)")
ISSUE = re.compile(r"\bissues? ?#?\d+\b", re.IGNORECASE)
FENCE = re.compile(r"^\s*(```|~~~)")


def sources() -> list[Path]:
    """The files whose citations a reader follows: the package, the tests, the README, docs/."""
    files = [*sorted((ROOT / "qbtui").rglob("*.py")), *sorted((ROOT / "tests").rglob("*.py")),
             ROOT / "README.md", ROOT / "pyproject.toml", *sorted((ROOT / "docs").rglob("*.md"))]
    return [f for f in files if f.is_file() and f != Path(__file__).resolve()]


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lowercase, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


@functools.cache
def anchors(doc: Path) -> set[str]:
    """Every heading anchor of a markdown document (a repeated heading gets -1, -2, ...)."""
    seen: dict[str, int] = {}
    out: set[str] = set()
    fenced = False
    for line in doc.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            fenced = not fenced
            continue
        m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if fenced or not m:
            continue
        base = slug(m.group(1))
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.add(base if n == 0 else f"{base}-{n}")
    return out


def resolve(cited: str, source: Path) -> Path | None:
    """Where a citation points: from a markdown document's own folder (as a link is read), else
    from the repository's root; None when it points nowhere."""
    bases = [source.parent, ROOT] if source.suffix == ".md" else [ROOT]
    for base in bases:
        target = (base / cited).resolve()
        if target.exists() and target.is_relative_to(ROOT):
            return target
    return None


def broken_citations(source: Path, text: str) -> list[str]:
    """What ``text`` (the content of ``source``) cites that is not in the repository."""
    text = URL.sub("", text)
    problems = []
    for n, line in enumerate(text.splitlines(), 1):
        where = f"{source.relative_to(ROOT)}:{n}"
        for m in MD_CITATION.finditer(line):
            cited, anchor = m.group(1), m.group(2)
            target = resolve(cited, source)
            if target is None:
                problems.append(f"{where}: cites {cited}, which is not in the repository")
            elif anchor and anchor not in anchors(target):
                problems.append(f"{where}: cites {cited}#{anchor}, but {cited} has no heading with that anchor")
        for m in DOCS_PATH.finditer(line):
            cited = m.group(1).rstrip(".")
            if ".md" not in cited and resolve(cited, ROOT / "x") is None:  # .md documents: checked above
                problems.append(f"{where}: cites {cited}, which is not in the repository")
        if source.suffix == ".md":
            for m in LOCAL_ANCHOR.finditer(line):
                if m.group(1) not in anchors(source):
                    problems.append(f"{where}: links to #{m.group(1)}, which is no heading of this document")
    return problems


def test_every_cited_document_and_anchor_is_in_the_repository():
    problems = [p for f in sources() for p in broken_citations(f, f.read_text(encoding="utf-8"))]
    assert not problems, "\n".join(problems)


def test_no_issue_numbers_in_the_code_or_the_docs():
    """ "issue 8" tells a reader nothing: say the fact, or point into docs/."""
    hits = [f"{f.relative_to(ROOT)}:{n}: {line.strip()}"
            for f in sources()
            for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1) if ISSUE.search(line)]
    assert not hits, "\n".join(hits)


def test_the_docs_the_brief_promises_exist():
    for name in ("cli.md", "import-format.md", "domain.md", "qbo.md"):
        assert (ROOT / "docs" / name).is_file(), name


@pytest.mark.parametrize("line, expected", [
    ('"""The settings of DOMAIN.md s.6: their table"""', "cites DOMAIN.md, which is not in the repository"),
    ("(the contract is `CLI.md`)", "cites CLI.md, which is not in the repository"),
    ('"""The ``qbtui`` command (spec/CLI.md)"""', "cites spec/CLI.md, which is not in the repository"),
    ("see ../shared/design/QBO.md", "cites ../shared/design/QBO.md, which is not in the repository"),
    ("(roles: docs/domain.md#mapping-role)", "cites docs/domain.md#mapping-role, but docs/domain.md has no heading"),
    ("(docs/nowhere.md)", "cites docs/nowhere.md, which is not in the repository"),
    ("fixtures in docs/fixtures/", "cites docs/fixtures/, which is not in the repository"),
])
def test_the_checker_finds_what_the_code_used_to_cite(line, expected):
    """The check itself fails on the citations the code had before docs/ existed."""
    problems = broken_citations(ROOT / "qbtui" / "example.py", line)
    assert len(problems) == 1 and expected in problems[0], problems


@pytest.mark.parametrize("line", [
    "the roles: docs/domain.md#mapping-roles",
    "[the keys](README.md#keys)",
    "see https://example.com/README.md and pyproject.toml",
])
def test_the_checker_accepts_what_is_there(line):
    assert broken_citations(ROOT / "qbtui" / "example.py", line) == []


def test_a_markdown_link_is_read_from_its_own_folder():
    doc = ROOT / "docs" / "cli.md"
    assert broken_citations(doc, "[the format](import-format.md#values)") == []
    assert broken_citations(doc, "[the gates](domain.md#gates) and [exit codes](#exit-codes)") == []
    assert len(broken_citations(doc, "[x](#no-such-heading)")) == 1
