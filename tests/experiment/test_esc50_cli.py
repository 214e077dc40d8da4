"""``run-experiment --dataset esc50`` on a folder laid out as `data download esc50` leaves it"""

from __future__ import annotations

import json

import numpy as np

from ascnb.cli import main as cli_main


def test_run_experiment_on_esc50_found_under_ascnb_data(esc50_download, tmp_path, monkeypatch, capsys):
    """No --data-root: ESC-50 is found in $ASCNB_DATA/ESC-50-master, with all its classes
    (cat and airplane are not ESC-10's)"""
    monkeypatch.setenv("ASCNB_DATA", str(esc50_download))
    monkeypatch.setenv("ASCNB_SHARED", str(tmp_path / "no-shared"))
    argv = ["run-experiment", "--dataset", "esc50", "--model", "acrnn", "--model-param",
            "rnn_units=16", "--segmentation", "{length: 32, hop: 32}", "--profile", "smoke",
            "--folds", "1", "--results-dir", str(tmp_path / "results"),
            "--runs-dir", str(tmp_path / "runs"), "--cache-dir", str(tmp_path / "cache"),
            "--jobs", "1", "--no-progress"]
    assert cli_main(argv) == 0, capsys.readouterr().err
    (path,) = list((tmp_path / "results").rglob("*.json"))
    record = json.loads(path.read_text())
    assert record["dataset"] == "esc50" and "ESC-50" in record["dataset_description"]
    assert record["classes"] == ["dog", "cat", "crackling_fire", "airplane"]  # ESC-50 target order
    assert sorted(record["test_files"]) == ["1-7000-A-0.wav", "1-7001-A-5.wav", "1-7002-A-12.wav",
                                            "1-7003-A-47.wav"]
    assert record["n_train_clips"] == 4 and np.array(record["confusion"]).shape == (4, 4)
    assert record["fold"] == 1 and path.name == "fold1-seed0.json"
