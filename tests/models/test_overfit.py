"""Every network overfits a tiny batch of clip features, with gradients through its attention

On clips of the synthetic scenes and, as the esc10 extra, of the real ESC-10 (``audio_dataset``)
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ascnb.features import extract, feature_config
from ascnb.models import MODELS, build_model

torch.set_num_threads(2)

N_STEPS = 30
N_CLASSES = 4
ESC10_CLASSES = ("dog", "rain", "crying_baby", "chainsaw")  # 4 ESC-10 classes, 2 clips each


@pytest.fixture(scope="module")
def tiny_batch_clips(audio_dataset):
    """8 waveforms (2 per class of 4: the scenes' first four, or ESC10_CLASSES) and their labels 0..3"""
    clips = audio_dataset.clips
    classes = ESC10_CLASSES if audio_dataset.name == "esc10" else audio_dataset.classes[:N_CLASSES]
    waveforms, labels = [], []
    for label, category in enumerate(classes):
        for i in clips.index[clips["category"] == category][:2]:
            waveforms.append(audio_dataset.read(int(i)))
            labels.append(label)
    return waveforms, torch.tensor(labels)


@pytest.fixture(scope="module")
def tiny_batch_features(tiny_batch_clips):
    """kind -> (X (8, C, F, T) standardised per band, y): the first frames of each clip"""
    waveforms, y = tiny_batch_clips
    configs = {"logmel": (feature_config("logmel", n_mels=60), 64),  # 60 bands, 64 frames (1.3 s)
               "gammatone": (feature_config("gammatone"), 64),  # 128 bands, 64 frames (0.7 s)
               "piczak": (feature_config("piczak"), 41)}  # 60 bands, 41 frames
    features = {}
    for kind, (config, frames) in configs.items():
        X = np.stack([extract(config, x)[..., 40:40 + frames] for x in waveforms])  # (8, C, F, T)
        X = (X - X.mean(axis=(0, 3), keepdims=True)) / (X.std(axis=(0, 3), keepdims=True) + 1e-6)
        features[kind] = (torch.from_numpy(X.astype(np.float32)), y)
    return features


def attention_parameters(model) -> dict[str, torch.Tensor]:
    """Parameters of the attention modules (PBA, time/frequency/frame attention, l10 pooling)"""
    return {name: p for name, p in model.named_parameters()
            if "attention" in name or name.startswith("pooling.")}


# every registered network on its own feature, plus ACRNN's CNN-layer attention and the
# other reading of PBA's Ws
CASES = [(name, spec.features, {}) for name, spec in MODELS.items()] + [
    ("acrnn", "gammatone", {"attention_at": 2, "attention_scale": "sigmoid"}),
    ("acrnn", "gammatone", {"attention_at": 6, "attention_scale": "softmax"}),
    ("pb-cnn", "logmel", {"pba_ws": "channel"})]


@pytest.mark.parametrize("name, kind, params", CASES, ids=[f"{c[0]}-{c[2]}" if c[2] else c[0] for c in CASES])
def test_model_overfits_a_tiny_batch(name, kind, params, tiny_batch_features):
    X, y = tiny_batch_features[kind]
    torch.manual_seed(0)
    model = build_model(name, N_CLASSES, tuple(X.shape[1:]), **params)
    attention = attention_parameters(model)
    assert bool(attention) == MODELS[name].has_attention
    start = {key: p.detach().clone() for key, p in attention.items()}
    lr = 1e-4 if name == "piczak" else 1e-3  # 25 M weights in two dense layers: a smaller step
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    model.train()
    for _ in range(N_STEPS):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(X), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    first, last = np.mean(losses[:3]), np.mean(losses[-3:])
    assert last <= first / 2, f"{name}: loss {first:.3f} -> {last:.3f} in {N_STEPS} steps"
    # gradients flowed through the attention: every attention parameter moved
    for key, p in attention.items():
        assert p.grad is not None and torch.count_nonzero(p.grad) > 0, key
        assert not torch.equal(p.detach(), start[key]), key
    if name == "pb-cnn":
        gammas = model.pba_gammas()
        assert len(gammas) == 4, gammas
        assert all(abs(g) > 1e-4 for g in gammas.values()), gammas  # γ left 0 in every stage
