"""DCASE 2016's evaluation protocol is reachable from every PB-CNN table, and is not a default"""

from __future__ import annotations

from pathlib import Path

import pytest

from ascnb.experiment import Experiment
from ascnb.sweep import expand

CONFIGS = sorted((Path(__file__).resolve().parents[2] / "configs").glob("pbcnn-*.yaml"))
DISTINCT_ROWS = 4 + 4 + 8  # table 1; table 2 but its Valenti row (table 1's); table 3 but its overlap rows (table 2's)


@pytest.fixture(autouse=True)
def no_dcase_here(tmp_path, monkeypatch):
    monkeypatch.setenv("ASCNB_DATA", str(tmp_path))  # nothing there: tasks listed as a dry run lists them


def test_the_three_pbcnn_tables_are_the_catalogues():
    assert [p.stem for p in CONFIGS] == ["pbcnn-table1-mel-bands", "pbcnn-table2-models",
                                         "pbcnn-table3-segmentation"]


def test_every_pbcnn_table_expands_on_the_evaluation_protocol_to_fold_eval():
    tasks = expand(CONFIGS, datasets=["dcase2016-eval"], profile="paper", missing_data_ok=True)
    assert len(tasks) == DISTINCT_ROWS
    assert {task.fold for task in tasks} == {"eval"}
    assert all(task.key.endswith("-foldeval-seed0") and "· dcase2016-eval · fold eval" in task.label
               for task in tasks)
    assert {Experiment.from_dict(task.experiment).dataset for task in tasks} == {"dcase2016-eval"}
    assert {task.label.split(" / ")[0] for task in tasks} == {p.stem for p in CONFIGS}


def test_the_default_stays_the_papers_four_folds():
    """Without --dataset a sweep runs each table's `datasets`: the development set's folds only"""
    tasks = expand(CONFIGS, profile="paper", missing_data_ok=True)
    assert len(tasks) == DISTINCT_ROWS * 4
    assert {task.fold for task in tasks} == {1, 2, 3, 4}
    assert {Experiment.from_dict(task.experiment).dataset for task in tasks} == {"dcase2016"}
