"""A tiny synthetic dataset and the smallest real experiment on it, for the experiment tests"""

from __future__ import annotations

import pytest

from ascnb.data import load_dataset

SYNTH = {"classes": 4, "clips_per_class": 4, "duration": 2.0, "folds": 2}
# ACRNN with 16 GRU units on 32-frame segments of a 4-class, 2-fold synthetic set
TINY = dict(dataset="synthetic", dataset_params=SYNTH, model="acrnn",
            model_params={"rnn_units": 16}, segmentation={"length": 32, "hop": 32},
            profile="smoke", clips_per_class=0, overrides={"batch_size": 4, "max_batches": 2})


@pytest.fixture(scope="session")
def synth_root(tmp_path_factory):
    """A data root holding the tiny synthetic set (generated once per test session)"""
    root = tmp_path_factory.mktemp("data")
    load_dataset("synthetic", root, **SYNTH)
    return root


@pytest.fixture
def tiny(synth_root):
    return {**TINY, "data_root": str(synth_root)}
