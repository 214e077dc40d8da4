"""The whole pipeline on the tiny synthetic set: records, resume, corrupt state, bad folders"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
import torch

from ascnb.experiment import (Experiment, load_records, load_trained_model, read_record,
                              run_experiment)
from ascnb.atomic import CorruptFileWarning


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory, synth_root):
    from .conftest import TINY

    root = tmp_path_factory.mktemp("smoke")
    exp = Experiment(**TINY, data_root=str(synth_root), name="tiny", table="t")
    records = run_experiment(exp, root / "results", runs=root / "runs", cache_dir=root / "cache",
                             progress=False)
    return root, exp, records


def test_one_complete_record_per_fold_under_the_config_hash(smoke_run):
    root, exp, records = smoke_run
    key = exp.config_hash()
    paths = sorted((root / "results" / key).glob("*.json"))
    assert [p.name for p in paths] == ["fold1-seed0.json", "fold2-seed0.json"]
    for path, fold in zip(paths, (1, 2)):
        record = json.loads(path.read_text())
        assert record["fold"] == fold and record["config_hash"] == key
        assert record["experiment_hash"] == exp.experiment_hash()
        assert len(record["data_fingerprint"]) == 12
        assert (record["name"], record["table"], record["dataset"]) == ("tiny", "t", "synthetic")
        confusion = np.array(record["confusion"])
        assert confusion.shape == (4, 4) and confusion.sum() == record["n_test_clips"] == 8
        assert record["accuracy"] == pytest.approx(np.trace(confusion) / 8)
        assert record["epochs_run"] == 1 and record["packages"]["torch"]
        assert record["test_curve"] == [{"epoch": 1, "accuracy": record["accuracy"]}]
        assert record["git_commit"] is None or len(record["git_commit"]) == 40


def test_existing_records_are_skipped(smoke_run):
    root, exp, _ = smoke_run
    paths = sorted((root / "results").rglob("*.json"))
    before = [p.stat().st_mtime_ns for p in paths]
    run_experiment(exp, root / "results", runs=root / "runs", cache_dir=root / "cache", progress=False)
    assert [p.stat().st_mtime_ns for p in paths] == before


def test_load_records_gives_a_tidy_table(smoke_run):
    root, _, _ = smoke_run
    table = load_records(root / "results")
    assert len(table) == 2 and sorted(table["fold"]) == [1, 2]
    for column in ("accuracy", "model", "model_params.rnn_units", "overrides.num_epochs",
                   "packages.torch", "config_hash", "experiment_hash"):
        assert column in table.columns, column
    assert len(load_records(root / "results", fold=2)) == 1
    with pytest.raises(ValueError, match="unknown filter column 'modle'"):
        load_records(root / "results", modle="acrnn")


def test_trained_model_reloads_with_its_normaliser(smoke_run):
    root, _, records = smoke_run
    model = load_trained_model(records[0], runs=root / "runs")
    assert len(model.classes) == 4 and not model.training
    X = np.zeros((2, *records[0]["input_shape"]), dtype=np.float32)
    logits, attention = model(torch.from_numpy(model.normaliser.transform(X)), return_attention=True)
    assert logits.shape == (2, 4) and attention


def test_weights_of_another_record_are_refused(smoke_run, tmp_path):
    """Weights copied to the wrong place load as nothing else: the error names the file and both"""
    import shutil

    root, _, records = smoke_run
    runs = tmp_path / "runs"
    shutil.copytree(root / "runs", runs)
    first, second = records
    target = runs / second["config_hash"] / "fold2-seed0" / "model.pt"
    shutil.copyfile(runs / first["config_hash"] / "fold1-seed0" / "model.pt", target)
    with pytest.raises(ValueError, match=rf"fold2-seed0/model.pt: these weights are of record "
                                         rf"{first['config_hash']} fold 1 seed 0, not of .* fold 2"):
        load_trained_model(second, runs=runs)
    with pytest.raises(FileNotFoundError, match="trained weights not found"):
        load_trained_model(second, runs=tmp_path / "empty")


def test_same_seed_twice_gives_the_same_record(smoke_run, tmp_path):
    root, exp, records = smoke_run
    again = run_experiment(exp, tmp_path / "results", runs=tmp_path / "runs",
                           cache_dir=root / "cache", progress=False)
    for key in ("accuracy", "predictions", "confusion", "history"):
        assert [r[key] if key != "history" else r[key][0]["loss"] for r in again] == [
            r[key] if key != "history" else r[key][0]["loss"] for r in records], key


@pytest.mark.parametrize("content", ['{"config_hash": "x", "fo', "{}", "[1, 2]", ""])
def test_a_corrupt_record_is_named_set_aside_and_redone(smoke_run, tmp_path, content):
    root, exp, records = smoke_run
    results = tmp_path / "results"
    path = results / records[0]["config_hash"] / "fold1-seed0.json"
    path.parent.mkdir(parents=True)
    path.write_text(content)
    with pytest.warns(CorruptFileWarning, match=str(path)):
        assert read_record(path) is None
    assert (path.parent / "fold1-seed0.json.corrupt").is_file() and not path.exists()
    path.write_text(content)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorruptFileWarning)
        again = run_experiment(exp, results, runs=root / "runs", cache_dir=root / "cache",
                               progress=False)
    assert json.loads(path.read_text())["accuracy"] == again[0]["accuracy"] == records[0]["accuracy"]


def test_an_unwritable_results_folder_fails_before_training(smoke_run, tmp_path):
    root, exp, _ = smoke_run
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(OSError, match=str(blocker)):
        run_experiment(exp, blocker, runs=tmp_path / "runs", cache_dir=root / "cache", progress=False)
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").rglob("checkpoint.pt"))


def test_prepare_fold_gives_the_attention_figures_the_fold_a_record_was_tested_on(smoke_run):
    """What notebooks 13, 24 and 30 do: prepare the record's fold again and check it"""
    from ascnb.experiment import experiment_dataset, prepare_fold
    from ascnb.features import compute_features

    root, exp, records = smoke_run
    dataset = experiment_dataset(exp)
    features = compute_features(dataset, exp.feature_config(), cache_dir=root / "cache",
                                progress=False)
    model = load_trained_model(records[1], runs=root / "runs")
    data = prepare_fold(exp, dataset, features, records[1]["fold"], cache_dir=root / "cache")
    data.check_record(records[1], model)
    assert list(data.test_clips["filename"]) == records[1]["test_files"]
    with pytest.raises(ValueError, match="test_files"):  # negative control: another fold
        data.check_record({**records[1], "test_files": records[0]["test_files"]})
    other = prepare_fold(exp, dataset, features, records[0]["fold"], cache_dir=root / "cache")
    with pytest.raises(ValueError, match="normaliser"):
        other.check_record({"fold": other.fold}, model)
