"""The pipeline on the real ESC-10 from the command line (esc10: skipped without ../shared)"""

from __future__ import annotations

import json

import numpy as np
import pytest

from ascnb.cli import main as cli_main


@pytest.mark.esc10
def test_run_experiment_on_real_esc10_writes_a_complete_record(esc10_root, tmp_path, capsys):
    argv = ["run-experiment", "--dataset", "esc10", "--data-root", str(esc10_root),
            "--model", "acrnn", "--model-param", "rnn_units=16",
            "--segmentation", "{length: 32, hop: 32}", "--profile", "smoke", "--folds", "1",
            "--results-dir", str(tmp_path / "results"), "--runs-dir", str(tmp_path / "runs"),
            "--cache-dir", str(tmp_path / "cache"), "--jobs", "2", "--no-progress"]
    assert cli_main(argv) == 0, capsys.readouterr().err
    (path,) = list((tmp_path / "results").rglob("fold1-seed0.json"))
    record = json.loads(path.read_text())
    assert record["dataset"] == "esc10" and "ESC-10" in record["dataset_description"]
    assert len(record["classes"]) == 10 and record["n_test_clips"] == 10
    confusion = np.array(record["confusion"])
    assert confusion.shape == (10, 10) and confusion.sum() == 10
    assert record["accuracy"] == record["accuracy_overall"]  # ACRNN's definition
    assert record["config"]["normalise"] == "channel"
    assert path.parent.name == record["config_hash"]


def test_command_line_reports_a_bad_override(capsys):
    assert cli_main(["run-experiment", "--set", "learning_rate=0.1"]) == 2
    assert "learning_rate" in capsys.readouterr().err
