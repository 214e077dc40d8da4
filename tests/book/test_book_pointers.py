"""Every "Book:" pointer in the package's docstrings names pages that exist, and its quoted
sections ("Book: PAGE ("Section")") are real headings"""

from __future__ import annotations

import re
from pathlib import Path

from ascnb.paths import REPO

# "Book: notebooks/02-features.ipynb ("Normalisation")" or "book/intro.md ("A"; "B")"
POINTER = re.compile(r"(notebooks/[\w-]+(?:\.ipynb)?|book/[\w-]+\.md)\s*\(((?:\"[^\"]+\"[;,\s]*)+)\)")
# or the section first: "Book: "Reproduce it yourself" (book/reproduce.md)"
SECTION_FIRST = re.compile(r"Book: \"([^\"]+)\" \((book/[\w-]+\.md)\)")


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
        for section, page in SECTION_FIRST.findall(text):
            yield path.relative_to(REPO), page, section


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


# a notebook named by its number ("13"), a range of them ("20-24") or its file name
NOTEBOOK_ITEM = r"[\w-]+(?:\.ipynb)?"
NOTEBOOK_LIST = re.compile(rf"notebooks/({NOTEBOOK_ITEM}(?:(?:,\s*|\s+and\s+){NOTEBOOK_ITEM})*)")


def notebook_numbers() -> set[int]:
    return {int(p.name.split("-")[0]) for p in (REPO / "book" / "notebook_src").glob("[0-9]*-*.py")}


def missing_pages(paragraph: str) -> list[str]:
    """The pages a "Book:" paragraph names that do not exist (book/X.md, notebooks/…)"""
    missing = [page for page in re.findall(r"book/[\w-]+\.md", paragraph) if not (REPO / page).is_file()]
    numbers = notebook_numbers()
    for listed in NOTEBOOK_LIST.findall(paragraph):
        for item in re.split(r",\s*|\s+and\s+", listed):
            stem = item.removesuffix(".ipynb")
            if re.fullmatch(r"\d+(-\d+)?", stem):  # 13, or 20-24: the first and last must exist
                ends = {int(n) for n in stem.split("-")}
                if not ends <= numbers:
                    missing.append(f"notebook {stem}")
            elif not (REPO / "book" / "notebook_src" / f"{stem}.py").is_file():
                missing.append(f"notebooks/{item}")
    return missing


def book_paragraphs():
    """(file, the text from each "Book:" to the end of its paragraph) over the package"""
    for path in sorted((REPO / "ascnb").rglob("*.py")):
        text = path.read_text()
        for match in re.finditer(r"Book:(.*?)(?:\n\s*\n|\"\"\"|$)", text, re.S):
            yield path.relative_to(REPO), match.group(1)


def test_every_book_pointer_names_pages_that_exist():
    """Pointers without a section too: "Book: notebooks/13, 24 and 30", "Book: book/reproduce.md" """
    found = list(book_paragraphs())
    assert len(found) >= 40, "the pattern stopped matching the docstrings"
    named = [paragraph for _, paragraph in found
             if re.search(r"book/[\w-]+\.md", paragraph) or NOTEBOOK_LIST.search(paragraph)]
    assert len(named) >= len(found) - 2, "most pointers should name a page"
    missing = [f"{source}: {page}" for source, paragraph in found for page in missing_pages(paragraph)]
    assert not missing, "\n".join(missing)


def test_a_pointer_to_a_page_that_is_not_there_is_caught():
    """Negative control: each kind of page name, wrong, is reported"""
    assert missing_pages(" notebooks/13, 24 and 30 (attention).") == []
    assert missing_pages(" notebooks/01-data, 02-features, 12, 20-24 and 30.") == []
    assert missing_pages(" book/reproduce.md and notebooks/03-models.ipynb.") == []
    assert missing_pages(" notebooks/13, 26 and 30.") == ["notebook 26"]
    assert missing_pages(" notebooks/20-29.") == ["notebook 20-29"]
    assert missing_pages(" notebooks/03-model.ipynb.") == ["notebooks/03-model.ipynb"]
    assert missing_pages(" book/reproduction.md.") == ["book/reproduction.md"]


def test_a_wrong_pointer_is_caught(tmp_path):
    """Negative control: a section that is no heading is not found"""
    assert "No such section anywhere" not in headings("book/reproduce.md")
    assert "What a record holds" in headings("book/reproduce.md")
