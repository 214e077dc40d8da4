"""PiczakCNN (Piczak, MLSP 2015): the ACRNN paper's baseline (Table 1) and its Table 2 cost row

Book: notebooks/03-models.ipynb ("One segment through every network"). Input (2, 60, 41): 60 log-mel
bands x 41 frames (short segments, ~0.95 s at 22.05 kHz, hop 512) x (static, delta).

    conv 80 filters 57×6 (freq × time), stride 1×1, ReLU  -> (80, 4, 36)
    max-pool 4×3, stride 1×3, dropout 0.5                 -> (80, 1, 12)
    conv 80 filters 1×3, stride 1×1, ReLU                 -> (80, 1, 10)
    max-pool 1×3, stride 1×3                              -> (80, 1, 3)
    dense 5000, ReLU, dropout 0.5
    dense 5000, ReLU, dropout 0.5
    dense n_classes (softmax in the loss)

Convolutions are "valid" (Piczak's 57-band filters only fit that way: 60 - 57 + 1 = 4 rows
that the 4×3 pool collapses into one band). Parameters for 10 classes:

    conv1 2·57·6·80 + 80 = 54,800; conv2 80·80·3 + 80 = 19,280
    dense 240 -> 5000: 1,205,000; 5000 -> 5000: 25,005,000; 5000 -> 10: 50,010
    total 26,334,090 (26.33 M; 26.53 M for 50 classes), against 31.53 M in ACRNN Table 2

The published 31.53 M is met exactly when the max-pools use Keras' "same" padding
(``pool_padding="same"``): the first pool (4×3, stride 1×3) then keeps 4 bands instead of 1
and the second (1×3 on 10 frames) gives 4 frames instead of 3, so the first dense layer sees
80·4·4 = 1280 inputs: 54,800 + 19,280 + 6,405,000 + 25,005,000 + 50,010 = 31,534,090 (31.53 M)
for 10 classes (31.73 M for 50). This points to the ACRNN authors' Keras reimplementation and
to Table 2 being computed for ESC-10 (the ACRNN count matches for 10 classes too). Piczak's
description (pooling the 4 rows into one band) is our default, "valid".
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from ascnb.models.base import AudioClassifier

POOL_PADDINGS = ("valid", "same")


def max_pool_same(X: torch.Tensor, kernel: tuple[int, int], stride: tuple[int, int]) -> torch.Tensor:
    """Max-pool with TensorFlow/Keras "same" padding: output ceil(n / stride), extra padding at the end"""
    pads = []
    for n, k, s in zip(X.shape[-2:], kernel, stride):
        total = max((math.ceil(n / s) - 1) * s + k - n, 0)
        pads.append((total // 2, total - total // 2))
    (top, bottom), (left, right) = pads
    X = F.pad(X, (left, right, top, bottom), value=float("-inf"))
    return F.max_pool2d(X, kernel, stride)


class PiczakCNN(AudioClassifier):
    """Piczak's two-conv, three-dense CNN on (batch, 2, 60, 41) -> logits (frames fixed by the dense layers)

    No attention: ``forward(X, return_attention=True)`` returns (logits, {})
    """

    fixed_frames = True

    def __init__(self, n_classes: int, input_shape: tuple[int, int, int] = (2, 60, 41), *,
                 pool_padding: str = "valid", hidden: int = 5000, dropout: float = 0.5):
        super().__init__()
        if pool_padding not in POOL_PADDINGS:
            raise ValueError(f"PiczakCNN: pool_padding must be one of {POOL_PADDINGS}, got {pool_padding!r}")
        in_channels, bands, frames = input_shape
        if bands < 57 or frames < 14:
            raise ValueError(f"PiczakCNN: input_shape {input_shape} is too small: the 57×6 filters and "
                             "two time pools need at least 57 bands and 14 frames")
        self.input_shape, self.n_classes = tuple(input_shape), n_classes
        self.attention_axes = {}
        self.pool_padding = pool_padding
        self.conv1 = nn.Conv2d(in_channels, 80, kernel_size=(57, 6))
        self.conv2 = nn.Conv2d(80, 80, kernel_size=(1, 3))
        self.dropout = nn.Dropout(dropout)
        with torch.no_grad():
            n_flat = self.features(torch.zeros(1, *input_shape)).shape[1]
        self.fc1 = nn.Linear(n_flat, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.classifier = nn.Linear(hidden, n_classes)

    def pool(self, X: torch.Tensor, kernel: tuple[int, int], stride: tuple[int, int]) -> torch.Tensor:
        if self.pool_padding == "same":
            return max_pool_same(X, kernel, stride)
        return F.max_pool2d(X, kernel, stride)

    def features(self, X: torch.Tensor) -> torch.Tensor:
        """The convolutional part: (batch, 2, 60, 41) -> (batch, 240) (1280 with "same" pools)"""
        X = F.relu(self.conv1(X))  # (batch, 80, 4, 36)
        X = self.dropout(self.pool(X, (4, 3), (1, 3)))  # (batch, 80, 1, 12)
        X = F.relu(self.conv2(X))  # (batch, 80, 1, 10)
        X = self.pool(X, (1, 3), (1, 3))  # (batch, 80, 1, 3)
        return X.flatten(1)

    def forward(self, X: torch.Tensor, return_attention: bool = False):
        self.check_input(X)
        X = self.features(X)  # (batch, 240)
        X = self.dropout(F.relu(self.fc1(X)))  # (batch, 5000)
        X = self.dropout(F.relu(self.fc2(X)))  # (batch, 5000)
        logits = self.classifier(X)  # (batch, n_classes)
        return (logits, {}) if return_attention else logits
