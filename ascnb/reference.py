"""The published numbers of both papers, the single source of every "paper" column

Transcribed from ``shared/papers/paper-tables.yaml`` into ``ascnb/paper_tables.yaml``;
never used as a test expectation for our own runs. One key differs from the shared file:
``pbcnn.context.dcase2016_official_baseline`` (77.2) is ``..._dev`` there, but the paper names
no data set for it.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import pandas as pd
import yaml


@lru_cache(maxsize=1)
def paper_tables() -> dict:
    """The whole reference file as a nested dict"""
    text = resources.files("ascnb").joinpath("paper_tables.yaml").read_text()
    return yaml.safe_load(text)


def paper_table(paper: str, table: str) -> pd.DataFrame:
    """One published table as a DataFrame (rows as in the paper, columns as named there)

    >>> paper_table("acrnn", "table2_complexity").loc["ACRNN", "params_M"]
    3.81
    """
    tables = paper_tables()
    if paper not in tables:
        raise KeyError(f"unknown paper {paper!r}; known: {sorted(tables)}")
    entry = tables[paper].get(table)
    if not isinstance(entry, dict) or "rows" not in entry:
        known = [k for k, v in tables[paper].items() if isinstance(v, dict) and "rows" in v]
        raise KeyError(f"unknown table {table!r} of {paper!r}; known: {known}")
    frame = pd.DataFrame.from_dict(entry["rows"], orient="index", columns=entry["columns"])
    frame.index = frame.index.map(str)
    return frame
