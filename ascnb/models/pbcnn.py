"""The PB-CNN family: one backbone, four attention choices (CNN, TB-CNN, FB-CNN, PB-CNN)

Book: notebooks/03-models.ipynb ("One segment through every network") and
notebooks/04-attention.ipynb. PB-CNN paper (Yang et al., JAES 2020), section 2 and Fig. 6: four
stages of conv -> batch norm -> attention -> ReLU, max-pooling between stages, then a
classifier.

The paper gives no layer table; our choices, each a constructor parameter:
- ``kernel_size`` = 3: kernels 3×3, stride 1, "same" padding (the PBA's Wv keeps the map's
  size, so we keep it too)
- ``channels`` = (32, 64, 128, 256): doubling per stage as in VGG-style audio CNNs; at 128 bands
  x 150 frames (10 classes) the plain CNN has 0.39 M parameters and 0.53 GFLOPs per segment,
  the PB-CNN 1.97 M and 3.33 GFLOPs (each PBA adds two C -> C convolutions, Wv and F_tr;
  1.19 M and 1.93 GFLOPs with ``pba_ws="channel"``), Valenti's baseline 0.83 M and
  1.35 GFLOPs (``python -m ascnb models`` computes them)
- ``pool_size`` = 2: max-pool 2×2 after stages 1-3 (none after the last): 128 x 150 ->
  16 x 18 at stage 4; with 60 bands 60 -> 7. Inputs need at least pool_size^3 (8) bands and
  frames
- global average pooling over frequency and time, dropout ``dropout`` = 0.5, one dense layer
  to the class logits (softmax is in the loss). Global pooling lets one model take 3 s
  segments (150 frames) and whole clips (251 frames for 5 s) alike
- batch norm with PyTorch's defaults, ``bn_momentum`` = 0.1 and ``bn_eps`` = 1e-5: the
  authors used PyTorch 1.0.1 (section 3.1.4) and name no other values
- attention after batch norm, before the ReLU (Fig. 6); the PBA ends in its own ReLU
  - "none" (CNN): BN -> ReLU
  - "time" (TB-CNN): ``TimeAttention``, weights over frames (softmax by default); the paper
    names it and gives no formula
  - "frequency" (FB-CNN): ``FrequencyAttention``, the sub-spectrogram mechanism (softmax)
    Both multiply X by n·α for a softmax α over n positions (``attention.gain``,
    ``rescale_softmax`` = True): with the plain α the last stage's features shrink 16-18-fold
    before the classifier and a tiny ESC-10 batch took several times more steps to fit; the
    plotted weights are still α. ``rescale_softmax=False`` multiplies by α as eq. 13 writes it
  - "pixel" (PB-CNN): ``PixelAttention`` with c = ``pba_kernel`` (3), r = ``reduction`` (16),
    γ starting at ``gamma_init`` (0, unclamped), and the reading of Ws ``pba_ws``: "tensor"
    (default, the SE block's output tensor F_tr(X)·s, as the paper's "Ws has the same
    dimension as X") or "channel" (the channel weights s alone); ascnb.models.attention
    gives the reasoning

Attention weights come back per stage: "stage{s}" (time or frequency weights) or
"stage{s}.pixel" / "stage{s}.channel" (PBA; with pba_ws="tensor" also "stage{s}.se_map", the
channel mean of Ws on the stage's own grid). Stage s (1-4) sees the input pooled by
pool_size^(s-1) in both frequency and time: ``attention_on_input`` maps the time, frequency
and pixel weights back to the input grid. ``pba_gammas()`` gives the learned γ of each PBA,
``pba_branch_share(X)`` the size of the attention branch beside X.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ascnb.models.attention import (PBA_WS, FrequencyAttention, PixelAttention, TimeAttention,
                                    check_scale)
from ascnb.models.base import AudioClassifier

ATTENTIONS = ("none", "time", "frequency", "pixel")


class ConvStage(nn.Module):
    """conv k×k -> BN -> attention -> ReLU, one stage of the PB-CNN backbone"""

    def __init__(self, in_channels: int, out_channels: int, n_bins: int, attention: str, *,
                 kernel_size: int, attention_scale: str, rescale_softmax: bool, pba_kernel: int,
                 reduction: int, gamma_init: float, pba_ws: str, bn_momentum: float, bn_eps: float):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, padding=kernel_size // 2)
        self.bn = nn.BatchNorm2d(out_channels, eps=bn_eps, momentum=bn_momentum)
        self.attention_kind = attention
        if attention == "time":
            self.attention = TimeAttention(out_channels, attention_scale, rescale_softmax=rescale_softmax)
        elif attention == "frequency":
            self.attention = FrequencyAttention(n_bins, attention_scale, rescale_softmax=rescale_softmax)
        elif attention == "pixel":
            self.attention = PixelAttention(out_channels, pba_kernel, reduction, gamma_init, pba_ws)
        else:
            self.attention = None

    def forward(self, X: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        X = self.bn(self.conv(X))  # (batch, channels, freq, time)
        if self.attention is None:
            return F.relu(X), {}
        if self.attention_kind == "pixel":
            X, weights = self.attention(X)  # (batch, channels, freq, time); the PBA ends in its own ReLU
            return X, weights
        X, weights = self.attention(X)  # (batch, channels, freq, time)
        return F.relu(X), {"": weights}


class PBCNN(AudioClassifier):
    """CNN / TB-CNN / FB-CNN / PB-CNN on log-mel segments (batch, 1, bands, frames)

    ``attention`` in {"none", "time", "frequency", "pixel"}; ``pba_ws`` in {"tensor",
    "channel"} (the reading of the PBA's Ws, "tensor" by default); see the module docstring
    for every other choice. ``forward(X, return_attention=False)`` -> logits
    (batch, n_classes), or (logits, weights) with the weights of each stage.
    """

    def __init__(self, n_classes: int, input_shape: tuple[int, int, int] = (1, 128, 150), *,
                 attention: str = "pixel", channels: tuple[int, ...] = (32, 64, 128, 256),
                 kernel_size: int = 3, pool_size: int = 2, attention_scale: str = "softmax",
                 rescale_softmax: bool = True, pba_ws: str = "tensor", pba_kernel: int = 3,
                 reduction: int = 16, gamma_init: float = 0.0, dropout: float = 0.5,
                 bn_momentum: float = 0.1, bn_eps: float = 1e-5):
        super().__init__()
        if attention not in ATTENTIONS:
            raise ValueError(f"PBCNN: attention must be one of {ATTENTIONS}, got {attention!r}")
        if pba_ws not in PBA_WS:
            raise ValueError(f"PBCNN: pba_ws must be one of {PBA_WS}, got {pba_ws!r}")
        if kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError(f"PBCNN: kernel_size must be odd and >= 1 for \"same\" padding, "
                             f"got {kernel_size!r}")
        if pool_size < 1:
            raise ValueError(f"PBCNN: pool_size must be >= 1, got {pool_size!r}")
        check_scale(attention_scale, "PBCNN")
        in_channels, bands, frames = input_shape
        n_pools = len(channels) - 1
        if bands < pool_size ** n_pools or frames < pool_size ** n_pools:
            raise ValueError(f"PBCNN: input_shape {input_shape} needs at least {pool_size ** n_pools} bands "
                             f"and frames ({n_pools} max-pools of {pool_size})")
        self.input_shape, self.n_classes = tuple(input_shape), n_classes
        self.attention, self.pba_ws, self.pool_size = attention, pba_ws, pool_size
        stages, self.attention_axes = [], {}
        n_bins = bands
        for s, out_channels in enumerate(channels):
            stages.append(ConvStage(in_channels, out_channels, n_bins, attention,
                                    kernel_size=kernel_size, attention_scale=attention_scale,
                                    rescale_softmax=rescale_softmax, pba_kernel=pba_kernel,
                                    reduction=reduction, gamma_init=gamma_init, pba_ws=pba_ws,
                                    bn_momentum=bn_momentum, bn_eps=bn_eps))
            stride = pool_size ** s
            if attention == "time":
                self.attention_axes[f"stage{s + 1}"] = (("time", stride),)
            elif attention == "frequency":
                self.attention_axes[f"stage{s + 1}"] = (("freq", stride),)
            elif attention == "pixel":
                self.attention_axes[f"stage{s + 1}.pixel"] = (("freq", stride), ("time", stride))
            in_channels, n_bins = out_channels, n_bins // pool_size
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
                X = F.max_pool2d(X, self.pool_size)  # (batch, channels, freq / pool, time / pool)
        X = X.mean(dim=(2, 3))  # (batch, channels), global average pooling
        logits = self.classifier(self.dropout(X))  # (batch, n_classes)
        return (logits, weights) if return_attention else logits

    def pba_gammas(self) -> dict[str, float]:
        """The γ of each PBA, {"stage1": γ1, ...}; {} without pixel attention

        γ alone does not say how much the branch contributes (Wv's scale is learned too):
        ``pba_branch_share`` measures that
        """
        if self.attention != "pixel":
            return {}
        return {f"stage{s + 1}": float(stage.attention.gamma.detach())
                for s, stage in enumerate(self.stages)}

    @torch.no_grad()
    def pba_branch_share(self, X: torch.Tensor) -> dict[str, float]:
        """‖γ·Wm ⊙ Ws‖ / ‖X‖ at the input X of each PBA, over the batch X, in eval mode; {} without PBA

        0 means the block is ReLU(X), a plain CNN stage; 1 means the branch is as large as its input
        """
        if self.attention != "pixel":
            return {}
        self.check_input(X)
        was_training = self.training
        self.eval()
        try:
            shares = {}
            for s, stage in enumerate(self.stages):
                Z = stage.bn(stage.conv(X))  # (batch, channels, freq, time), the PBA's input
                attended = stage.attention.branch(Z)[0]  # (batch, channels, freq, time)
                shares[f"stage{s + 1}"] = float(attended.norm() / Z.norm().clamp_min(1e-12))
                X, _ = stage.attention(Z)  # (batch, channels, freq, time)
                if s < len(self.stages) - 1:
                    X = F.max_pool2d(X, self.pool_size)  # (batch, channels, freq / pool, time / pool)
        finally:
            self.train(was_training)
        return shares
