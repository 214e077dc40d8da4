"""The PB-CNN family: one backbone, four attention choices (CNN, TB-CNN, FB-CNN, PB-CNN)

Book: notebooks/03-models.ipynb ("The PB-CNN family") and notebooks/04-attention.ipynb.
PB-CNN paper (Yang et al., JAES 2020), section 2 and Fig. 6: four stages of
conv -> batch norm -> attention -> ReLU, max-pooling between stages, then a classifier.

The paper gives no layer table; our choices, each a constructor parameter:
- kernels 3×3, stride 1, "same" padding (the PBA's Wv keeps the map's size, so we keep it too)
- ``channels`` = (32, 64, 128, 256): doubling per stage as in VGG-style audio CNNs; at 128 bands
  x 150 frames (10 classes) the plain CNN has 0.39 M parameters and 0.53 GFLOPs per segment,
  the PB-CNN 1.19 M and 1.93 GFLOPs (each PBA adds a C -> C conv), Valenti's baseline 0.83 M and
  1.35 GFLOPs (ascnb.models.cost computes them)
- max-pool 2×2 after stages 1-3 (none after the last): 128 x 150 -> 16 x 18 at stage 4; with
  60 bands 60 -> 7. Inputs need at least 8 bands and 8 frames
- global average pooling over frequency and time, dropout ``dropout`` = 0.5, one dense layer
  to the class logits (softmax is in the loss). Global pooling lets one model take 3 s
  segments (150 frames) and whole clips (251 frames for 5 s) alike
- attention after batch norm, before the ReLU (Fig. 6); the PBA ends in its own ReLU
  - "none" (CNN): BN -> ReLU
  - "time" (TB-CNN): ``TimeAttention``, weights over frames (softmax by default)
  - "frequency" (FB-CNN): ``FrequencyAttention``, the sub-spectrogram mechanism (softmax)
    Both multiply X by n·α for a softmax α over n positions (``attention.gain``): with the plain
    α the last stage's features shrink 16-18-fold before the classifier and a tiny ESC-10
    batch took several times more steps to fit; the plotted weights are still α
  - "pixel" (PB-CNN): ``PixelAttention`` with c = ``pba_kernel`` (3), r = ``reduction`` (16),
    γ starting at ``gamma_init`` (0)

Attention weights come back per stage: "stage{s}" (time or frequency weights) or
"stage{s}.pixel" / "stage{s}.channel" (PBA). Stage s (1-4) sees the input pooled by 2^(s-1)
in both frequency and time: ``attention_on_input`` maps them back to the input grid.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ascnb.models.attention import (FrequencyAttention, PixelAttention, TimeAttention,
                                    check_scale)
from ascnb.models.base import AudioClassifier

ATTENTIONS = ("none", "time", "frequency", "pixel")


class ConvStage(nn.Module):
    """conv 3×3 -> BN -> attention -> ReLU, one stage of the PB-CNN backbone"""

    def __init__(self, in_channels: int, out_channels: int, n_bins: int, attention: str,
                 attention_scale: str, pba_kernel: int, reduction: int, gamma_init: float):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1)
        self.bn = nn.BatchNorm2d(out_channels)
        self.attention_kind = attention
        if attention == "time":
            self.attention = TimeAttention(out_channels, attention_scale)
        elif attention == "frequency":
            self.attention = FrequencyAttention(n_bins, attention_scale)
        elif attention == "pixel":
            self.attention = PixelAttention(out_channels, pba_kernel, reduction, gamma_init)
        else:
            self.attention = None

    def forward(self, X: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        X = self.bn(self.conv(X))  # (batch, channels, freq, time)
        if self.attention is None:
            return F.relu(X), {}
        if self.attention_kind == "pixel":
            X, weights = self.attention(X)  # the PBA ends in its own ReLU
            return X, weights
        X, weights = self.attention(X)
        return F.relu(X), {"": weights}


class PBCNN(AudioClassifier):
    """CNN / TB-CNN / FB-CNN / PB-CNN on log-mel segments (batch, 1, bands, frames)

    ``attention`` in {"none", "time", "frequency", "pixel"}; see the module docstring for
    every other choice. ``forward(X, return_attention=False)`` -> logits (batch, n_classes),
    or (logits, weights) with the weights of each stage.
    """

    def __init__(self, n_classes: int, input_shape: tuple[int, int, int] = (1, 128, 150), *,
                 attention: str = "pixel", channels: tuple[int, ...] = (32, 64, 128, 256),
                 attention_scale: str = "softmax", pba_kernel: int = 3, reduction: int = 16,
                 gamma_init: float = 0.0, dropout: float = 0.5):
        super().__init__()
        if attention not in ATTENTIONS:
            raise ValueError(f"PBCNN: attention must be one of {ATTENTIONS}, got {attention!r}")
        check_scale(attention_scale, "PBCNN")
        in_channels, bands, frames = input_shape
        n_pools = len(channels) - 1
        if bands < 2 ** n_pools or frames < 2 ** n_pools:
            raise ValueError(f"PBCNN: input_shape {input_shape} needs at least {2 ** n_pools} bands "
                             f"and frames ({n_pools} max-pools of 2)")
        self.input_shape, self.n_classes = tuple(input_shape), n_classes
        self.attention = attention
        stages, self.attention_axes = [], {}
        n_bins = bands
        for s, out_channels in enumerate(channels):
            stages.append(ConvStage(in_channels, out_channels, n_bins, attention, attention_scale,
                                    pba_kernel, reduction, gamma_init))
            stride = 2 ** s
            if attention == "time":
                self.attention_axes[f"stage{s + 1}"] = (("time", stride),)
            elif attention == "frequency":
                self.attention_axes[f"stage{s + 1}"] = (("freq", stride),)
            elif attention == "pixel":
                self.attention_axes[f"stage{s + 1}.pixel"] = (("freq", stride), ("time", stride))
            in_channels, n_bins = out_channels, n_bins // 2
        self.stages = nn.ModuleList(stages)
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(channels[-1], n_classes)

    def forward(self, X: torch.Tensor, return_attention: bool = False):
        self.check_input(X)
        weights = {}
        for s, stage in enumerate(self.stages):
            X, stage_weights = stage(X)  # (batch, channels, freq, time)
            for key, value in stage_weights.items():
                weights[f"stage{s + 1}" + (f".{key}" if key else "")] = value
            if s < len(self.stages) - 1:
                X = F.max_pool2d(X, 2)  # (batch, channels, freq / 2, time / 2)
        X = X.mean(dim=(2, 3))  # (batch, channels), global average pooling
        logits = self.classifier(self.dropout(X))  # (batch, n_classes)
        return (logits, weights) if return_attention else logits
