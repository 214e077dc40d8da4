"""Degenerate splits are refused before anything is extracted; silent clips are named"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from ascnb.data import load_dataset
from ascnb.experiment import Experiment, experiment_dataset, prepare_fold, run_experiment
from ascnb.experiment.fold import SilentClipWarning, check_split
from ascnb.features import compute_features

# ACRNN with 16 GRU units on 32-frame segments (as tests/experiment/conftest.py's TINY)
SMALL = dict(model="acrnn", model_params={"rnn_units": 16}, segmentation={"length": 32, "hop": 32},
             profile="smoke", clips_per_class=0, overrides={"batch_size": 4, "max_batches": 2})


def drop_clip(root, filename):
    """Remove one clip from an ESC-50 folder: its file and its row of meta/esc50.csv"""
    csv = root / "meta" / "esc50.csv"
    meta = pd.read_csv(csv)
    meta[meta["filename"] != filename].to_csv(csv, index=False)
    (root / "audio" / filename).unlink()


def test_a_test_class_no_training_clip_has_is_refused_before_extracting(esc50_download, tmp_path):
    root = esc50_download / "ESC-50-master"
    drop_clip(root, "2-7001-A-5.wav")  # cat: now in fold 1 only
    exp = Experiment(dataset="esc50", data_root=str(root), folds=(1,), **SMALL)
    with pytest.raises(ValueError, match=r"fold 1 tests class\(es\) \['cat'\] that no training clip "
                                         r"has \(3 training clips\)") as error:
        run_experiment(exp, tmp_path / "results", runs=tmp_path / "runs",
                       cache_dir=tmp_path / "cache", progress=False)
    assert str(root) in str(error.value)
    assert not list(tmp_path.rglob("*")), "something was written before the refusal"
    # fold 2 tests no cat: its split is fine (a class may be absent from a test fold)
    dataset = experiment_dataset(exp)
    check_split(dataset, 2, *dataset.split(2))


@pytest.mark.parametrize("empty, message", [("test", "fold 1 has no test clip"),
                                            ("train", "fold 1 leaves no training clip")])
def test_a_split_without_test_or_training_clips_is_refused(esc50_download, empty, message):
    dataset = load_dataset("esc50", esc50_download / "ESC-50-master")
    train, test = dataset.split(1)
    with pytest.raises(ValueError, match=message):
        check_split(dataset, 1, train.iloc[:0] if empty == "train" else train,
                    test.iloc[:0] if empty == "test" else test)


def test_silent_clips_are_named_in_a_warning(esc50_download, tmp_path):
    root = esc50_download / "ESC-50-master"
    exp = Experiment(dataset="esc50", data_root=str(root), **SMALL)
    dataset = experiment_dataset(exp)
    features = compute_features(dataset, exp.feature_config(), cache_dir=tmp_path, n_jobs=1,
                                progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SilentClipWarning)  # none silent: no warning
        prepare_fold(exp, dataset, features, 1)

    sf.write(root / "audio" / "2-7003-A-47.wav", np.zeros(22050), 44100)   # airplane, fold 2
    sf.write(root / "audio" / "1-7000-A-0.wav", np.zeros(44100), 44100)    # dog, fold 1
    features = compute_features(dataset, exp.feature_config(), cache_dir=tmp_path, n_jobs=1,
                                progress=False)
    with pytest.warns(SilentClipWarning) as caught:
        data = prepare_fold(exp, dataset, features, 1)
    (message,) = [str(w.message) for w in caught]
    assert f"esc50 ({root}): fold 1: 2 silent clip(s)" in message
    assert "1 training: ['2-7003-A-47.wav']" in message and "1 test: ['1-7000-A-0.wav']" in message
    assert len(data.train_clips) == 4 and len(data.test_clips) == 4  # kept, as the corpus has them
