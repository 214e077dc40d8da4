"""Every "Book: PAGE ("Section")" pointer in the package's docstrings names a real heading"""

from __future__ import annotations

import re
from pathlib import Path

from ascnb.paths import REPO

# "Book: notebooks/02-features.ipynb ("Normalisation")" or "book/intro.md ("A"; "B")"
POINTER = re.compile(r"(notebooks/[\w-]+(?:\.ipynb)?|book/[\w-]+\.md)\s*\(((?:\"[^\"]+\"[;,\s]*)+)\)")


def headings(page: str) -> set[str]:
    """The headings of a book page or a notebook source, without their #s"""
    if page.startswith("notebooks/"):
        stem = Path(page).stem
        text = (REPO / "book" / "notebook_src" / f"{stem}.py").read_text()
        lines = [line[2:] if line.startswith("# ") else line for line in text.splitlines()]
    else:
        lines = (REPO / page).read_text().splitlines()
    return {line.lstrip("#").strip() for line in lines if re.match(r"^#{1,6} ", line)}


def pointers():
    for path in sorted((REPO / "ascnb").rglob("*.py")):
        text = path.read_text()
        for match in POINTER.finditer(text):
            for section in re.findall(r"\"([^\"]+)\"", match.group(2)):
                yield path.relative_to(REPO), match.group(1), section


def test_every_book_pointer_names_a_heading_that_exists():
    found = list(pointers())
    assert len(found) >= 15, "the pattern stopped matching the docstrings"
    missing = []
    for source, page, section in found:
        page_file = (REPO / "book" / "notebook_src" / f"{Path(page).stem}.py"
                     if page.startswith("notebooks/") else REPO / page)
        if not page_file.is_file():
            missing.append(f"{source}: {page} does not exist")
        elif section not in headings(page):
            missing.append(f"{source}: {page} has no heading {section!r}")
    assert not missing, "\n".join(missing)


def test_a_wrong_pointer_is_caught(tmp_path):
    """Negative control: a section that is no heading is not found"""
    assert "No such section anywhere" not in headings("book/reproduce.md")
    assert "What a record holds" in headings("book/reproduce.md")
