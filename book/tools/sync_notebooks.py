"""Write notebooks/*.ipynb from their readable sources in book/notebook_src/*.py (jupytext)

A source is a Python file in jupytext's "percent" format (``# %%`` code cells,
``# %% [markdown]`` markdown cells, ``# %% tags=["parameters"]`` tags, ``mystnb={"figure": {"caption": …}}`` a
caption under the figure a cell draws). jupytext reads it;
the notebook is written without outputs and with stable cell ids, so a change to a source
gives a readable diff in both files and the sync check below is exact.

    python book/tools/sync_notebooks.py          # write every notebook
    python book/tools/sync_notebooks.py --check  # exit 1 if a notebook is out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jupytext
import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this checkout's ascnb, not another one's

from ascnb.paths import REPO  # noqa: E402

SOURCES = REPO / "book" / "notebook_src"
NOTEBOOKS = REPO / "notebooks"


def notebook_text(source: Path) -> str:
    """The .ipynb text of a percent-format source"""
    nb = jupytext.read(source, fmt="py:percent")
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    for i, cell in enumerate(nb.cells):
        cell.id = f"{source.stem[:40]}-{i:02d}"
        cell.metadata = {k: v for k, v in cell.metadata.items() if k in ("tags", "mystnb")}
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


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
    orphans = sorted(set(NOTEBOOKS.glob("*.ipynb")) - {NOTEBOOKS / f"{s.stem}.ipynb" for s in SOURCES.glob("*.py")})
    if orphans:
        print("notebooks without a source in book/notebook_src: "
              + ", ".join(p.name for p in orphans), file=sys.stderr)
        return 1
    if args.check and stale:
        print("out of date (run python book/tools/sync_notebooks.py): "
              + ", ".join(str(p.relative_to(REPO)) for p in stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
