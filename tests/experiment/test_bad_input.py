"""Bad input at the entry points (CLI run-experiment and sweep, the API): a message naming the
file or field and what is wrong, and nothing half-written"""

from __future__ import annotations

import pytest

from ascnb.cli import main as cli_main
from ascnb.experiment import ConfigError, Experiment, run_experiment
from ascnb.paths import REPO

from .conftest import TINY


def run_cli(argv, tmp_path, capsys):
    code = cli_main(argv + ["--results-dir", str(tmp_path / "results")]
                    + (["--runs-dir", str(tmp_path / "runs")] if argv[0] == "run-experiment" else []))
    err = capsys.readouterr().err
    assert not list(tmp_path.rglob("*.json")), "a record was written"
    assert not list(tmp_path.rglob("checkpoint.pt")), "a checkpoint was written"
    return code, err


@pytest.mark.parametrize("setting, message", [
    ("lr=fast", "lr must be a finite number, got 'fast'"),
    ("mixup_alpha='0.2'", "mixup_alpha must be a finite number, got '0.2'"),
    ("batch_size=2.5", "batch_size must be an integer, got 2.5"),
    ("num_epochs=five", "num_epochs must be an integer, got 'five'"),
    ("lr=.nan", "lr must be a finite number, got nan"),
    ("nesterov=perhaps", "nesterov must be true or false"),
    ("learning_rate=0.1", "learning_rate"),
])
def test_a_wrongly_typed_training_value_is_named_before_anything_runs(tmp_path, capsys, setting, message):
    code, err = run_cli(["run-experiment", "--model", "acrnn", "--profile", "smoke", "--set", setting],
                        tmp_path, capsys)
    assert code == 2 and message in err


@pytest.mark.parametrize("flags, message", [
    (["--dataset", "esc100"], "unknown dataset 'esc100'"),
    (["--model", "resnet"], "unknown model 'resnet'"),
    (["--model-param", "attention_at=3"], "attention_at must be one of"),
    (["--segmentation", "{length: 0}"], "length must be a positive integer"),
    (["--feature-param", "n_mels=many"], "n_mels"),
    (["--clips-per-class", "-1"], "clips_per_class must be >= 0"),
    (["--dataset", "esc10", "--data-root", "/nowhere/at/all"], "/nowhere/at/all"),
    (["--device", "cuda"], "no CUDA device is available"),
    (["--row", "x"], "--row needs a table file"),
])
def test_bad_flags_are_named(tmp_path, capsys, flags, message):
    code, err = run_cli(["run-experiment", "--profile", "smoke", *flags], tmp_path, capsys)
    assert code == 2 and message in err, err


@pytest.mark.parametrize("text, message", [
    ("rows: {a: [model: acrnn}", "not valid YAML"),
    ("", "an empty file"),
    ("rows: {a: {model: acrnn, folds: [0.5]}}", "folds must be fold numbers"),
    ("rows: {a: {model: acrnn, folds: [9]}}", "unknown fold(s) [9] for synthetic"),
    ("rows: {a: {from: 'no-such-table/x'}}", "no table 'no-such-table'"),
])
@pytest.mark.parametrize("command", ["run-experiment", "sweep"])
def test_a_bad_table_file_is_named_by_both_entry_points(tmp_path, capsys, text, message, command):
    path = tmp_path / "mine.yaml"
    path.write_text(text)
    code, err = run_cli([command, str(path), "--profile", "smoke"], tmp_path, capsys)
    assert code == 2 and message in err, err
    assert "mine.yaml" in err or "no-such-table" in err, err


def test_a_missing_table_file_is_named(tmp_path, capsys):
    code, err = run_cli(["sweep", str(tmp_path / "absent.yaml"), "--profile", "smoke"], tmp_path, capsys)
    assert code == 2 and "absent.yaml" in err


def test_the_api_refuses_a_device_that_is_not_there_before_extracting(tiny, tmp_path):
    with pytest.raises(ValueError, match="no CUDA device is available"):
        run_experiment(Experiment(**{**tiny, "device": "cuda"}), tmp_path / "results",
                       runs=tmp_path / "runs", cache_dir=tmp_path / "cache", progress=False)
    assert not (tmp_path / "cache").exists()


def test_names_no_longer_choose_where_records_go(tiny, tmp_path):
    """A row name like ../../escape is a label: the record goes under the config hash"""
    exp = Experiment(**{**tiny, "name": "../../escape", "folds": (1,)})
    record = run_experiment(exp, tmp_path / "results", runs=tmp_path / "runs",
                            cache_dir=tmp_path / "cache", progress=False)[0]
    assert (tmp_path / "results" / record["config_hash"] / "fold1-seed0.json").is_file()
    assert not list(tmp_path.parent.glob("escape*"))
    with pytest.raises(ConfigError, match="name must be a string"):
        Experiment(**{**TINY, "name": 3})
