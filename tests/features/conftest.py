"""Fixtures of the feature tests: a few clips of each fold and their log-mel features"""

from __future__ import annotations

import pytest

from ascnb.features import compute_features, feature_config


@pytest.fixture(scope="module")
def small(audio_dataset):
    """Three clips of each fold: 12 of the synthetic scenes, 15 of the real ESC-10 (esc10 extra)"""
    return audio_dataset.restrict(audio_dataset.clips.groupby("fold").head(3))


@pytest.fixture(scope="module")
def logmel_features(small, tmp_path_factory):
    cache_dir = tmp_path_factory.mktemp("features")
    return compute_features(small, feature_config("logmel"), cache_dir=cache_dir, n_jobs=1,
                            progress=False)
