"""The published numbers of both papers, the single source of every "paper" column

Transcribed from ``shared/papers/paper-tables.yaml`` into ``ascnb/paper_tables.yaml``;
never used as a test expectation for our own runs. One key differs from the shared file:
``pbcnn.context.dcase2016_official_baseline`` (77.2) is ``..._dev`` there, but the paper names
no data set for it.
"""

from __future__ import annotations

import re
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

    >>> float(paper_table("acrnn", "table2_complexity").loc["ACRNN", "params_M"])
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


# The PB-CNN paper's own inconsistencies, computed from the transcription so that the pages
# of Tables 1-3 show them without typing a number
# Book: book/pbcnn.md ("The paper's own inconsistencies")

PBCNN_TEST_CLIPS = (290, 390)  # a DCASE 2016 development fold's test clips; the 390 of Table 2


def as_clip_fraction(accuracy: float, test_clips=PBCNN_TEST_CLIPS, precision: float = 0.001) -> str:
    """``accuracy`` (%) as "correct/clips" for the first number of test clips that gives it

    A fold accuracy is correct clips over test clips; the paper prints three decimals, rounded
    or truncated, so 100 k / n must lie within ``precision`` of it. "—" when no n does.

    >>> as_clip_fraction(85.862), as_clip_fraction(89.231), as_clip_fraction(86.282)
    ('249/290', '348/390', '—')
    """
    for n in test_clips:
        k = round(accuracy * n / 100)
        if abs(100 * k / n - accuracy) < precision:
            return f"{k}/{n}"
    return "—"


def fold_clip_fractions(paper: str, table: str, test_clips=PBCNN_TEST_CLIPS) -> pd.DataFrame:
    """Every fold accuracy of a published table as "correct/clips" (``as_clip_fraction``)

    The fold columns (or rows) are those named fold1, fold2, …; the table keeps its layout.
    """
    frame = paper_table(paper, table)
    fold_columns = [c for c in frame.columns if str(c).startswith("fold")]
    folds = (frame[fold_columns] if fold_columns
             else frame.loc[[r for r in frame.index if r.startswith("fold")]])
    return folds.map(lambda accuracy: as_clip_fraction(accuracy, test_clips))


def fold_clip_summary(paper: str, table: str, name: str, test_clips=PBCNN_TEST_CLIPS) -> str:
    """One sentence: how many test clips the fold accuracies of a published table count

    >>> fold_clip_summary("pbcnn", "table1_mel_bands", "Table 1")
    "Every one of Table 1's 16 fold accuracies is a whole number of clips out of 290."
    """
    fractions = fold_clip_fractions(paper, table, test_clips).stack()  # (row, column) -> "k/n"
    clips = [None if f == "—" else int(f.split("/")[1]) for f in fractions]
    n = len(clips)
    if all(c is None for c in clips):
        return (f"None of {name}'s {n} fold accuracies is a whole number of clips out of "
                f"{' or '.join(map(str, test_clips))}.")
    usual = max(set(clips) - {None}, key=clips.count)

    def readable(label) -> str:  # ("PB-CNN", "fold3") -> "PB-CNN fold 3"
        parts = sorted(map(str, label), key=lambda part: part.startswith("fold"))
        return " ".join(re.sub(r"^fold(?=\d)", "fold ", part) for part in parts)

    others = [f"{readable(label)} ({fraction if c else 'none of ' + ', '.join(map(str, test_clips))})"
              for label, fraction, c in zip(fractions.index, fractions, clips) if c != usual]
    if not others:
        return f"Every one of {name}'s {n} fold accuracies is a whole number of clips out of {usual}."
    verb = "is" if n - len(others) == 1 else "are"
    return (f"{n - len(others)} of {name}'s {n} fold accuracies {verb} a whole number of clips out "
            f"of {usual}; the other{'s' if len(others) > 1 else ''}: {'; '.join(others)}.")


def pbcnn_table2_against_table3() -> pd.DataFrame:
    """PB-CNN Table 2's average of each network beside Table 3's "overlap" value (one setting)

    Columns: Table 2's printed average, the mean of its fold rows, Table 3's overlap value, the
    difference Table 3 - Table 2 (points) and whether they agree at Table 3's two decimals.
    """
    table2 = paper_table("pbcnn", "table2_models")
    overlap = paper_table("pbcnn", "table3_segmentation")["overlap"]
    folds = table2.loc[[r for r in table2.index if r.startswith("fold")]]
    frame = pd.DataFrame({"Table 2, average": table2.loc["average"],
                          "Table 2, mean of its folds": folds.mean().round(3),
                          "Table 3, overlap": overlap.reindex(table2.columns)})
    frame["Table 3 − Table 2 (points)"] = (frame["Table 3, overlap"]
                                           - frame["Table 2, average"]).round(3)
    frame["agree"] = frame["Table 2, average"].round(2) == frame["Table 3, overlap"]
    frame.index.name = "network"
    return frame
