"""ascnb.experiments: config hash, the whole pipeline on real ESC-10 (smoke), records, CLI"""

import json

import numpy as np
import pytest
import torch
import yaml

from ascnb.cli import main as cli_main
from ascnb.experiments import (Experiment, load_records, load_trained_model, run_experiment,
                               write_json_atomic)

# the smallest real settings: ACRNN with 16 GRU units on 32-frame segments
TINY = dict(dataset="esc50", subset="esc10", features="gammatone", model="acrnn",
            model_params={"rnn_units": 16}, segmentation={"length": 32, "hop": 32},
            preset="acrnn", profile="smoke")


def test_config_hash_covers_what_changes_results_only():
    base = Experiment(**TINY)
    assert base.config_hash() == Experiment(**TINY, name="other", folds=(3,), seeds=(5, 6),
                                            device="cpu", data_root="/elsewhere").config_hash()
    assert base.config_hash() != Experiment(**{**TINY, "overrides": {"lr": 0.1}}).config_hash()
    assert base.config_hash() != Experiment(**{**TINY, "model_params": {"rnn_units": 8}}).config_hash()
    # a value given explicitly equal to the resolved default is the same experiment
    assert base.config_hash() == Experiment(**{**TINY, "overrides": {"momentum": 0.9}}).config_hash()
    assert base.config_hash() == Experiment(**{**TINY, "decision": "mean_prob"}).config_hash()


def test_profiles_set_defaults_that_explicit_values_override():
    smoke = Experiment(**TINY).resolve()
    assert smoke.folds == (1, 2) and smoke.clips_per_class == 1
    assert smoke.overrides["num_epochs"] == 1
    mine = Experiment(**{**TINY, "overrides": {"num_epochs": 3}, "folds": (4,),
                         "clips_per_class": 0}).resolve()
    assert mine.overrides["num_epochs"] == 3 and mine.folds == (4,) and mine.clips_per_class == 0
    assert mine.decision == "mean_prob" and mine.accuracy == "overall"  # ACRNN's rules
    pbcnn = Experiment(**{**TINY, "preset": "pbcnn"}).resolve()
    assert (pbcnn.decision, pbcnn.accuracy) == ("sum_log", "class_mean")


def test_bad_configs_are_named():
    with pytest.raises(ValueError, match=r"unknown key\(s\) \['epochs'\]"):
        Experiment.from_dict({"epochs": 3})
    with pytest.raises(ValueError, match="unknown profile 'fast'"):
        Experiment(profile="fast")
    with pytest.raises(ValueError, match="'learning_rate'"):
        Experiment(overrides={"learning_rate": 1}).config_hash()
    with pytest.raises(ValueError, match="'units'"):
        Experiment(model_params={"units": 1}).config_hash()


def test_records_are_written_atomically(tmp_path):
    path = tmp_path / "r" / "fold1-seed0.json"
    with pytest.raises(TypeError):
        write_json_atomic(path, {"ok": 1, "bad": object()})
    assert list(path.parent.iterdir()) == []  # neither the record nor a temporary file
    write_json_atomic(path, {"accuracy": np.float64(0.5)})
    assert json.loads(path.read_text()) == {"accuracy": 0.5}


@pytest.fixture(scope="module")
def smoke_run(esc10_root, tmp_path_factory):
    """The whole pipeline on real ESC-10 in the smoke profile, 2 folds, from the CLI"""
    root = tmp_path_factory.mktemp("smoke")
    config = root / "tiny.yaml"
    config.write_text(yaml.safe_dump({**TINY, "name": "tiny", "data_root": str(esc10_root)}))
    argv = ["run-experiment", str(config), "--folds", "1", "2", "--seeds", "0",
            "--results-dir", str(root / "results"), "--runs-dir", str(root / "runs"),
            "--cache-dir", str(root / "cache"), "--jobs", "2", "--no-progress"]
    assert cli_main(argv) == 0
    return root, argv


def test_smoke_pipeline_writes_one_complete_record_per_fold(smoke_run, esc10_root):
    root, _ = smoke_run
    exp = Experiment(**TINY)
    paths = sorted((root / "results" / "tiny" / exp.config_hash()).glob("*.json"))
    assert [p.name for p in paths] == ["fold1-seed0.json", "fold2-seed0.json"]
    for path, fold in zip(paths, (1, 2)):
        record = json.loads(path.read_text())
        assert record["fold"] == fold and record["seed"] == 0
        assert record["config_hash"] == exp.config_hash()
        assert record["dataset"] == "esc10"
        assert "ESC-10" in record["dataset_description"]
        assert len(record["classes"]) == 10
        assert record["n_test_clips"] == 10  # 1 clip per class in the test fold
        confusion = np.array(record["confusion"])
        assert confusion.shape == (10, 10) and confusion.sum() == record["n_test_clips"]
        assert record["accuracy"] == record["accuracy_overall"]  # ACRNN's definition
        assert record["accuracy_overall"] == pytest.approx(np.trace(confusion) / confusion.sum())
        assert 0 <= record["accuracy_class_mean"] <= 1
        assert record["epochs_run"] == 1 and record["wall_seconds"] > 0
        assert record["packages"]["torch"] and record["packages"]["numpy"] == np.__version__
        assert record["device_name"] and "git_commit" in record and "timestamp" in record
        assert record["profile"] == "smoke" and record["decision"] == "mean_prob"


def test_existing_records_are_skipped(smoke_run):
    root, argv = smoke_run
    paths = sorted((root / "results").rglob("*.json"))
    before = [p.stat().st_mtime_ns for p in paths]
    assert cli_main(argv) == 0
    assert [p.stat().st_mtime_ns for p in paths] == before


def test_load_records_gives_a_tidy_table_with_flat_config_columns(smoke_run):
    root, _ = smoke_run
    table = load_records(root / "results")
    assert len(table) == 2 and sorted(table["fold"]) == [1, 2]
    for column in ("accuracy", "model", "preset", "features", "model_params.rnn_units",
                   "overrides.num_epochs", "packages.torch", "config_hash"):
        assert column in table.columns, column
    assert (table["model_params.rnn_units"] == 16).all()
    assert len(load_records(root / "results", fold=2)) == 1
    with pytest.raises(ValueError, match="unknown filter column 'modle'"):
        load_records(root / "results", modle="acrnn")


def test_trained_model_reloads_with_its_normaliser(smoke_run):
    root, _ = smoke_run
    record = load_records(root / "results", fold=1).iloc[0].to_dict()
    model = load_trained_model(record)
    assert model.classes == tuple(record["classes"]) and not model.training
    X = np.zeros((2, *record["input_shape"]), dtype=np.float32)
    logits, attention = model(torch.from_numpy(model.normaliser.transform(X)), return_attention=True)
    assert logits.shape == (2, 10) and attention


def test_same_seed_twice_gives_the_same_record(smoke_run, esc10_root, tmp_path):
    root, _ = smoke_run
    exp = Experiment(**TINY, name="tiny", data_root=str(esc10_root), folds=(1,))
    again = run_experiment(exp, tmp_path / "results", runs=tmp_path / "runs",
                           cache_dir=root / "cache", progress=False)[0]
    first = load_records(root / "results", fold=1).iloc[0]
    for key in ("accuracy", "accuracy_class_mean", "predictions", "confusion"):
        assert again[key] == first[key], key
    assert again["history"][0]["loss"] == first["history"][0]["loss"]


def test_command_line_flags_override_the_config_file(tmp_path):
    from ascnb.cli import build_parser
    from ascnb.experiments import experiment_from_args

    config = tmp_path / "x.yaml"
    config.write_text(yaml.safe_dump({**TINY, "overrides": {"lr": 0.1}}))
    args = build_parser("run-experiment").parse_args(
        ["run-experiment", str(config), "--profile", "quick", "--folds", "1", "2",
         "--set", "num_epochs=3", "--model-param", "attention_at=2", "--segmentation", "acrnn"])
    exp = experiment_from_args(args)
    assert exp.profile == "quick" and exp.folds == (1, 2) and exp.segmentation == "acrnn"
    assert exp.overrides == {"lr": 0.1, "num_epochs": 3}
    assert exp.model_params == {"rnn_units": 16, "attention_at": 2}


def test_command_line_reports_a_bad_override(capsys):
    assert cli_main(["run-experiment", "--set", "learning_rate=0.1"]) == 2
    assert "learning_rate" in capsys.readouterr().err
