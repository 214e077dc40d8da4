"""Valenti et al. (DCASE 2016) CNN: the PB-CNN paper's "Baseline" of the mel-band sweep (Table 1)

Book: notebooks/03-models.ipynb ("One segment through every network"). The PB-CNN paper cites
the network and gives no layer table; the published description (Valenti et al., DCASE 2016
technical report) is two convolution stages, 128 and 256 filters of 5×5, each with batch norm,
ReLU and max-pooling, dropout, and a softmax layer, on 60-band log-mel segments. Our reading,
each choice a parameter:

- conv 5×5, stride 1, "same" padding, 128 then 256 filters (``channels``), BN, ReLU
- max-pool 5×5 (stride 5) after the first stage, as Valenti
- after the second stage, max-pool over ``pool2_bands`` bands, chosen from the input so that
  ``bands_left`` = 3 bands remain: pool2_bands = (bands // 5) // 3. For 60 bands that is 4,
  Valenti's 4 x (time) pooling: 60 -> 12 -> 3; 128 -> 25 -> 3 (pool 8); 256 -> 51 -> 3 (17);
  512 -> 102 -> 3 (34)
- then max over all remaining frames (Valenti pooled over the whole time extent of a segment;
  a global max keeps that meaning for 150-frame segments and 251-frame whole clips alike)
- dropout ``dropout`` = 0.5 after each pooling, a dense layer 256 x 3 -> classes (softmax in
  the loss)
- batch norm with PyTorch's defaults, ``bn_momentum`` = 0.1 and ``bn_eps`` = 1e-5: the PB-CNN
  authors rebuilt this network in PyTorch 1.0.1 (section 3.1.4) and name no values
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ascnb.models.base import AudioClassifier


class ValentiCNN(AudioClassifier):
    """Two-stage CNN baseline on log-mel segments (batch, 1, bands, frames) -> logits

    No attention: ``forward(X, return_attention=True)`` returns (logits, {})
    """

    def __init__(self, n_classes: int, input_shape: tuple[int, int, int] = (1, 60, 150), *,
                 channels: tuple[int, int] = (128, 256), kernel_size: int = 5, pool1: int = 5,
                 bands_left: int = 3, dropout: float = 0.5, bn_momentum: float = 0.1,
                 bn_eps: float = 1e-5):
        super().__init__()
        in_channels, bands, frames = input_shape
        self.input_shape, self.n_classes = tuple(input_shape), n_classes
        self.attention_axes = {}
        self.pool1 = pool1
        self.pool2_bands = (bands // pool1) // bands_left
        if self.pool2_bands < 1 or frames < pool1:
            raise ValueError(f"ValentiCNN: input_shape {input_shape} is too small: needs at least "
                             f"{pool1 * bands_left} bands and {pool1} frames")
        self.bands_left = (bands // pool1) // self.pool2_bands
        padding = kernel_size // 2
        self.conv1 = nn.Conv2d(in_channels, channels[0], kernel_size, padding=padding)
        self.bn1 = nn.BatchNorm2d(channels[0], eps=bn_eps, momentum=bn_momentum)
        self.conv2 = nn.Conv2d(channels[0], channels[1], kernel_size, padding=padding)
        self.bn2 = nn.BatchNorm2d(channels[1], eps=bn_eps, momentum=bn_momentum)
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(channels[1] * self.bands_left, n_classes)

    def forward(self, X: torch.Tensor, return_attention: bool = False):
        self.check_input(X)
        X = F.relu(self.bn1(self.conv1(X)))  # (batch, 128, bands, frames)
        X = self.dropout(F.max_pool2d(X, self.pool1))  # (batch, 128, bands / 5, frames / 5)
        X = F.relu(self.bn2(self.conv2(X)))  # (batch, 256, bands / 5, frames / 5)
        X = F.max_pool2d(X, (self.pool2_bands, 1))  # (batch, 256, 3, frames / 5)
        X = self.dropout(X.amax(dim=3))  # (batch, 256, 3), max over all frames
        logits = self.classifier(X.flatten(1))  # (batch, n_classes)
        return (logits, {}) if return_attention else logits
