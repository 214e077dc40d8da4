"""Write notebooks/*.ipynb from their readable sources in book/notebook_src/*.py

A source is a Python file in the "percent" format: ``# %%`` starts a code cell,
``# %% [markdown]`` a markdown cell (its lines written as comments), and
``# %% tags=["parameters"]`` a code cell with tags. The notebooks are committed without
outputs, with stable cell ids, so a change to a source gives a readable diff in both files.

    python book/tools/make_notebooks.py          # write every notebook
    python book/tools/make_notebooks.py --check  # exit 1 if a notebook is out of date
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[2]
SOURCES = REPO / "book" / "notebook_src"
NOTEBOOKS = REPO / "notebooks"
MARKER = re.compile(r"^# %%(?P<markdown> \[markdown\])?(?: tags=(?P<tags>\[.*\]))?\s*$")


def parse_source(text: str) -> list[dict]:
    """Cells of a percent-format source: [{"kind": "code"|"markdown", "tags": [...], "lines": [...]}]"""
    cells = []
    for line in text.splitlines():
        match = MARKER.match(line)
        if match:
            cells.append({"kind": "markdown" if match["markdown"] else "code",
                          "tags": json.loads(match["tags"]) if match["tags"] else [], "lines": []})
        elif cells:
            cells[-1]["lines"].append(line)
        elif line.strip() and not line.startswith("#"):
            raise ValueError(f"code before the first '# %%' marker: {line!r}")
    return cells


def cell_source(cell: dict) -> str:
    lines = cell["lines"]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    while lines and not lines[0].strip():
        lines = lines[1:]
    if cell["kind"] == "markdown":
        lines = [line[2:] if line.startswith("# ") else line.lstrip("#") for line in lines]
    return "\n".join(lines)


def build_notebook(source: Path) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    for i, cell in enumerate(parse_source(source.read_text())):
        text = cell_source(cell)
        if cell["kind"] == "markdown":
            new = nbformat.v4.new_markdown_cell(text)
        else:
            new = nbformat.v4.new_code_cell(text)
        new.id = f"{source.stem[:40]}-{i:02d}"
        if cell["tags"]:
            new.metadata["tags"] = cell["tags"]
        nb.cells.append(new)
    nbformat.validate(nb)
    return nb


def notebook_text(source: Path) -> str:
    return nbformat.writes(build_notebook(source)) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that notebooks are up to date")
    args = parser.parse_args(argv)
    stale = []
    for source in sorted(SOURCES.glob("*.py")):
        target = NOTEBOOKS / f"{source.stem}.ipynb"
        text = notebook_text(source)
        if target.is_file() and target.read_text() == text:
            continue
        stale.append(target)
        if not args.check:
            target.write_text(text)
            print(f"wrote {target.relative_to(REPO)}")
    if args.check and stale:
        print("out of date (run python book/tools/make_notebooks.py): "
              + ", ".join(str(p.relative_to(REPO)) for p in stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
