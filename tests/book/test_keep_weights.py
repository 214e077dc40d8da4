"""book/tools/keep_weights.py keeps the weights of every network a page opens"""

from __future__ import annotations

import ast
import importlib.util

from ascnb.experiment import read_table
from ascnb.paths import REPO


def keep_weights_tool():
    spec = importlib.util.spec_from_file_location("keep_weights", REPO / "book" / "tools" / "keep_weights.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def opened_rows(source: str) -> set[tuple[str, str]]:
    """(table, row) of every load_table(...) in a page that calls trained_model: the rows
    given as a list literal, or through a dict literal of row names (page 24)"""
    tree = ast.parse(source)
    literal_dicts = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    literal_dicts[target.id] = [v.value for v in node.value.values
                                                if isinstance(v, ast.Constant)]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "load_table":
            table = node.args[0].value
            rows = next(k.value for k in node.keywords if k.arg == "rows")
            if isinstance(rows, ast.List):
                names = [e.value for e in rows.elts]
            else:                                       # list(rows.values()) of a dict literal
                names = literal_dicts[rows.args[0].func.value.id]
            found |= {(table, name) for name in names}
    return found


def test_every_row_a_page_opens_has_its_weights_kept():
    pages = [p for p in sorted((REPO / "book" / "notebook_src").glob("*.py"))
             if "trained_model(" in p.read_text()]
    assert [p.stem[:2] for p in pages] == ["13", "24", "30"]
    opened = set().union(*(opened_rows(p.read_text()) for p in pages))
    kept = {(table, row) for table, rows in keep_weights_tool().PAGES.items() for row in rows}
    assert opened == kept
    for table, row in kept:                              # names the catalogue knows
        assert row in read_table(table).rows, (table, row)
