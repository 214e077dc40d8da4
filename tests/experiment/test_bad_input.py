"""Bad input at the entry points (CLI run-experiment and sweep, the API): a message naming the
file or field and what is wrong, and nothing half-written"""

from __future__ import annotations

import pytest

from ascnb.cli import main as cli_main
from ascnb.experiment import ConfigError, Experiment, run_experiment
from ascnb.paths import REPO

from .conftest import TINY


@pytest.fixture(autouse=True)
def outputs_in_tmp_path(tmp_path, monkeypatch):
    """Every output folder inside tmp_path, flags or not (a sweep's workers read the variables)"""
    for variable, folder in (("ASCNB_RESULTS", "results"), ("ASCNB_RUNS", "runs"),
                             ("ASCNB_CACHE", "cache")):
        monkeypatch.setenv(variable, str(tmp_path / folder))


def run_cli(argv, tmp_path, capsys):
    """Run a refused command: tmp_path holds nothing after it but the inputs it held before
    (no record, checkpoint, weights, feature cache entry, nor an empty folder)"""
    inputs = set(tmp_path.rglob("*"))
    outputs = ["--results-dir", str(tmp_path / "results")]
    if argv[0] == "run-experiment":
        outputs += ["--runs-dir", str(tmp_path / "runs"), "--cache-dir", str(tmp_path / "cache")]
    code = cli_main(argv + outputs)
    err = capsys.readouterr().err
    written = sorted(str(p.relative_to(tmp_path)) for p in set(tmp_path.rglob("*")) - inputs)
    assert not written, f"a refused run left {written}"
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


@pytest.mark.parametrize("flags, message", [
    (["--dataset", "esc100"], "unknown dataset 'esc100'"),
    (["--device", "cuda"], "no CUDA device is available"),
    (["--row", "acrnn"], "--row is for run-experiment; a sweep runs whole tables"),
])
def test_bad_sweep_flags_are_named(tmp_path, capsys, synth_root, flags, message):
    import torch
    import yaml

    if "cuda" in flags and torch.cuda.is_available():
        pytest.skip("this torch has CUDA")
    table = tmp_path / "one.yaml"
    table.write_text(yaml.safe_dump({"table": "one", "rows": {"acrnn": {
        k: v for k, v in {**TINY, "data_root": str(synth_root)}.items() if k != "profile"}}}))
    code, err = run_cli(["sweep", str(table), "--profile", "smoke", *flags], tmp_path, capsys)
    assert code == 2 and message in err, err


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
