"""book/tools/keep_attention.py keeps the attention maps of every network a page looks inside"""

from __future__ import annotations

import ast
import importlib.util

from ascnb.experiment import read_table
from ascnb.paths import REPO


def keep_attention_tool():
    spec = importlib.util.spec_from_file_location("keep_attention", REPO / "book" / "tools" / "keep_attention.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def opened_rows(source: str) -> set[tuple[str, str]]:
    """(table, row) of every load_table(...) in a page that looks inside networks: the rows
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


def test_every_row_a_page_looks_inside_has_its_attention_kept():
    pages = [p for p in sorted((REPO / "book" / "notebook_src").glob("*.py"))
             if "RecordAttention(" in p.read_text() or "trained_model(" in p.read_text()]
    assert [p.stem[:2] for p in pages] == ["13", "24", "30"]
    opened = set().union(*(opened_rows(p.read_text()) for p in pages))
    kept = {(table, row) for table, rows in keep_attention_tool().PAGES.items() for row in rows}
    assert opened == kept
    for table, row in kept:                              # names the catalogue knows
        assert row in read_table(table).rows, (table, row)


def test_the_records_the_pages_open_have_their_attention_kept():
    """A fresh clone builds pages 13, 24 and 30 without training: every quick record of their
    rows has its maps kept beside it, and no kept maps outlive their record"""
    from ascnb.experiment import load_records, load_table
    from ascnb.experiment.records import records_of
    from ascnb.report.attention_maps import kept_attention_path

    everything = load_records(REPO / "results")
    for name, rows in keep_attention_tool().PAGES.items():
        table = load_table(name, rows=rows, profile="quick", dataset="synthetic")
        for row, exp in table.rows.items():
            for record in records_of(exp, table=everything).to_dict("records"):
                assert kept_attention_path(record).is_file(), (
                    f"{name} / {row} fold {record['fold']}: run book/tools/keep_attention.py")
    for path in (REPO / "results").rglob("*.attention.npz"):
        assert path.with_name(path.name.replace(".attention.npz", ".json")).is_file(), path
