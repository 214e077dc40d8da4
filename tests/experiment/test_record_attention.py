"""A record's attention maps, kept beside it so that the pages build without its weights"""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
import torch

import ascnb.experiment
from ascnb.experiment import Experiment, experiment_dataset, load_records, run_experiment
from ascnb.features import compute_features
from ascnb.report.attention_maps import (RecordAttention, clip_attention, first_per_class,
                                         keep_attention, kept_attention_path, model_summaries)

from .conftest import TINY


@pytest.fixture(scope="module")
def l2_run(tmp_path_factory, synth_root):
    """ACRNN with sigmoid frame attention at l2, trained (smoke) on both folds of the tiny set"""
    root = tmp_path_factory.mktemp("attention")
    params = {"rnn_units": 16, "attention_at": 2, "attention_scale": "sigmoid"}
    exp = Experiment(**{**TINY, "model_params": params}, data_root=str(synth_root),
                     name="tiny l2", table="t")
    run_experiment(exp, root / "results", runs=root / "runs", cache_dir=root / "cache", progress=False)
    dataset = experiment_dataset(exp)
    features = compute_features(dataset, exp.feature_config(), cache_dir=root / "cache", progress=False)
    return root, exp, features, dataset


def attention_of(l2_run, fold, runs, results=None):
    root, exp, features, dataset = l2_run
    record = load_records(results or root / "results", fold=fold).to_dict("records")[0]
    return RecordAttention(exp, record, features, dataset, runs=runs)


def test_first_per_class_keeps_every_class_in_test_order():
    clips = pd.DataFrame({"label": [0, 0, 0, 1, 1, 2]}, index=[10, 11, 12, 13, 14, 15])
    assert first_per_class(clips, 2) == [10, 11, 13, 14, 15]
    assert first_per_class(clips, 1) == [10, 13, 15]
    with pytest.raises(ValueError, match="per_class must be at least 1"):
        first_per_class(clips, 0)


def test_kept_maps_are_read_without_the_network(l2_run, tmp_path, monkeypatch):
    """What a fresh clone of the book does: no weights on disk, the maps kept beside the record"""
    root = l2_run[0]
    results = tmp_path / "results"
    shutil.copytree(root / "results", results)
    trained = attention_of(l2_run, 1, runs=root / "runs", results=results)
    path = keep_attention(trained, per_class=1)
    assert path == kept_attention_path(trained.record) == (
        results / trained.record["config_hash"] / "fold1-seed0.attention.npz")
    kept_clips = first_per_class(trained.test_clips, 1)
    others = [i for i in trained.test_clips.index if i not in kept_clips]
    assert len(kept_clips) == 4 and others                   # one test clip of each class kept

    def no_network(*args, **kwargs):
        raise RuntimeError("the network was asked for")

    monkeypatch.setattr(ascnb.experiment, "trained_model", no_network)
    fresh = attention_of(l2_run, 1, runs=tmp_path / "no-runs", results=results)
    for i in kept_clips:
        assert fresh.is_kept(i)
        expected = clip_attention(trained.model, l2_run[2][i])
        got = fresh.maps(i)
        assert got.keys() == expected.keys() == {"l2"}
        np.testing.assert_allclose(got["l2"], expected["l2"], rtol=2e-3, atol=1e-4)  # float16
    assert fresh.summaries() == {}                           # ACRNN has no γ
    kept, theirs = fresh.normaliser, trained.model.normaliser  # the training fold's statistics
    np.testing.assert_allclose(kept.mean, theirs.mean) and np.testing.assert_allclose(kept.std, theirs.std)
    assert set(clip_attention(fresh.untrained(seed=0), l2_run[2][kept_clips[0]])) == {"l2"}
    # a clip that is not kept needs the network (loaded, or retrained when not on disk)
    assert not fresh.is_kept(others[0])
    with pytest.raises(RuntimeError, match="the network was asked for"):
        fresh.maps(others[0])
    with pytest.raises(IndexError, match="not a test clip of fold 1"):
        fresh.maps(int(l2_run[3].split(1)[0].index[0]))    # a training clip of fold 1


def test_kept_maps_of_another_record_or_unreadable_are_refused(l2_run, tmp_path):
    root = l2_run[0]
    results = tmp_path / "results"
    shutil.copytree(root / "results", results)
    first = attention_of(l2_run, 1, runs=root / "runs", results=results)
    kept = keep_attention(first, per_class=1)
    second = load_records(results, fold=2).to_dict("records")[0]
    shutil.copyfile(kept, kept_attention_path(second))
    with pytest.raises(ValueError, match=rf"fold2-seed0.attention.npz: these maps are of record "
                                         rf"{first.record['config_hash']} fold 1 seed 0, not of .* fold 2"):
        attention_of(l2_run, 2, runs=root / "runs", results=results)
    kept_attention_path(second).write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="fold2-seed0.attention.npz: unreadable kept attention"):
        attention_of(l2_run, 2, runs=root / "runs", results=results)


def test_a_record_tested_on_other_clips_is_refused(l2_run):
    root, exp, features, dataset = l2_run
    record = load_records(root / "results", fold=1).to_dict("records")[0]
    record["test_files"] = list(record["test_files"])[1:]
    with pytest.raises(ValueError, match=r"fold 1 seed 0 was tested on other clips than fold 1 "
                                         r".* has now \(7 against 8\)"):
        RecordAttention(exp, record, features, dataset)


def test_the_untrained_twin_is_the_same_network_with_fresh_weights(l2_run):
    attention = attention_of(l2_run, 1, runs=l2_run[0] / "runs")
    twin = attention.untrained(seed=3)
    trained = attention.model
    assert type(twin) is type(trained) and twin.attention_at == 2 and not twin.training
    assert twin.normaliser is trained.normaliser
    assert not torch.equal(twin.blocks[0].conv1.weight, trained.blocks[0].conv1.weight)
    assert torch.equal(twin.blocks[0].conv1.weight, attention.untrained(seed=3).blocks[0].conv1.weight)
    assert set(clip_attention(twin, l2_run[2][0])) == {"l2"}


def test_model_summaries_give_pbcnn_gammas_and_branch_shares():
    from ascnb.models import build_model

    X = np.random.default_rng(0).normal(size=(3, 1, 32, 48)).astype(np.float32)
    pixel = build_model("pb-cnn", 3, (1, 32, 48)).eval()
    summaries = model_summaries(pixel, X)
    assert set(summaries) == {"γ", "branch share"}
    assert summaries["γ"] == {f"stage{s}": 0.0 for s in range(1, 5)}      # γ starts at 0
    assert summaries["branch share"] == {f"stage{s}": 0.0 for s in range(1, 5)}
    assert model_summaries(build_model("cnn", 3, (1, 32, 48)), X) == {}
