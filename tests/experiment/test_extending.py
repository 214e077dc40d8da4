"""Adding a network or a dataset is one class plus one registry entry: both run end to end"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import soundfile as sf
import torch
from torch import nn

from ascnb.data import DATASETS, DatasetSpec, register_dataset
from ascnb.data.esc50 import load_esc50
from ascnb.experiment import Experiment, load_records, run_experiment
from ascnb.models import MODELS, ModelSpec, register_model, unregister_model
from ascnb.models.base import AudioClassifier


class TinyFrameNet(AudioClassifier):
    """One conv, frame attention (softmax over frames), a linear classifier"""

    def __init__(self, n_classes: int, input_shape=(2, 128, 32), *, width: int = 4):
        super().__init__()
        self.input_shape, self.n_classes = tuple(input_shape), n_classes
        self.attention_axes = {"frames": (("time", 1),)}
        self.conv = nn.Conv2d(input_shape[0], width, 3, padding=1)
        self.score = nn.Linear(width, 1)
        self.classifier = nn.Linear(width, n_classes)

    def forward(self, X, return_attention=False):
        self.check_input(X)
        h = torch.relu(self.conv(X)).mean(dim=2).transpose(1, 2)  # (batch, frames, width)
        weights = torch.softmax(self.score(h)[..., 0], dim=1)  # (batch, frames)
        logits = self.classifier((weights[..., None] * h).sum(dim=1))  # (batch, n_classes)
        return (logits, {"frames": weights}) if return_attention else logits


@pytest.fixture
def tiny_model():
    spec = register_model(ModelSpec(name="tiny-frames", cls=TinyFrameNet, input_shape=(2, 128, 32),
                                    features="gammatone", has_attention=True, paper="acrnn",
                                    preset="acrnn"))
    yield spec
    unregister_model("tiny-frames")


@pytest.fixture
def tiny_dataset(tmp_path):
    """A corpus of 3 classes x 2 folds x 2 clips of 1 s noise bursts, loaded by its own spec"""
    (tmp_path / "audio").mkdir()
    (tmp_path / "meta").mkdir()
    rows, rng = [], np.random.default_rng(0)
    for target in range(3):
        for fold in (1, 2):
            for take in "AB":
                name = f"{fold}-{target}{take}-A-{target}.wav"
                band = np.sin(2 * np.pi * (500 + 1500 * target) * np.arange(44100) / 44100)
                sf.write(tmp_path / "audio" / name, 0.3 * band + 0.01 * rng.standard_normal(44100), 44100)
                rows.append(dict(filename=name, fold=fold, target=target, category=f"tone{target}",
                                 esc10=True, src_file=target, take=take))
    pd.DataFrame(rows).to_csv(tmp_path / "meta" / "esc50.csv", index=False)

    def load(root, resample=False):
        return load_esc50(root or tmp_path, name="tones", valid_folds=None, clip_seconds=1.0,
                          resample=resample, description="three tones (test corpus)")

    register_dataset(DatasetSpec(name="tones", title="three tones", load=load,
                                 params=("resample",), real=False))
    yield tmp_path
    del DATASETS["tones"]


def test_a_registered_network_and_dataset_run_the_smoke_pipeline(tiny_model, tiny_dataset, tmp_path):
    exp = Experiment(dataset="tones", model="tiny-frames", profile="smoke",
                     segmentation={"length": 32, "hop": 16}, model_params={"width": 3})
    resolved = exp.resolve()
    assert (resolved.features, resolved.preset, resolved.model_params) == ("gammatone", "acrnn", {"width": 3})
    records = run_experiment(exp, tmp_path / "results", runs=tmp_path / "runs",
                             cache_dir=tmp_path / "cache", progress=False)
    assert [r["fold"] for r in records] == [1, 2]
    assert all(r["dataset"] == "tones" and len(r["classes"]) == 3 for r in records)
    assert np.array(records[0]["confusion"]).sum() == 3  # 1 clip per class in the smoke profile
    assert len(load_records(tmp_path / "results")) == 2
    assert "tiny-frames" in MODELS


def test_a_registered_network_and_dataset_are_offered_by_the_cli(tiny_model, tiny_dataset, capsys,
                                                                 monkeypatch):
    from ascnb.cli import main

    monkeypatch.setenv("COLUMNS", "1000")  # one help line per flag: no name split at a hyphen
    with pytest.raises(SystemExit):
        main(["run-experiment", "--help"])
    flags = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()
             if line.strip().startswith("--")}
    assert "tiny-frames" in flags["--model"] and "tones" in flags["--dataset"]
    assert "dcase2016-eval" in flags["--dataset"]
