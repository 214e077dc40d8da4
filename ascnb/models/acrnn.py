"""The convolutional RNN and ACRNN (Zhang et al., Neurocomputing 2020, section 3.2-3.3)

Book: notebooks/03-models.ipynb ("One segment through every network") and
notebooks/04-attention.ipynb ("Frame-level attention (ACRNN)").
One class, ``ACRNN``, with the paper's layer table (section 3.2):

    l1-l2   32 filters (3,5)  -> max-pool (4,3)
    l3-l4   64 filters (3,1)  -> max-pool (4,1)
    l5-l6  128 filters (1,5)  -> max-pool (1,3)
    l7-l8  256 filters (3,3)  -> max-pool (2,2)
    l9-l10 two bidirectional GRUs of 256 cells, dropout 0.5
    fully connected softmax layer

BN and ReLU after every convolution (stride 1). Input (2, 128, 128): log-gammatone + delta.

Which axis do the tuples index? The text says (3,1) kernels "learn local patterns along the
frequency dimension" and (1,5) kernels "along the time dimension", and writes CNN features as
M ∈ R^(F×T×C): tuples are (freq, time). The issue asks to settle it by the parameter count
(Table 2: 3.81 M). Only the GRU input depends on the reading: it is 256 channels x the bands
left after pooling. Counts for 10 classes (ESC-10), PyTorch conventions (BN: 2 per channel;
GRU: 3·(H·in + H·H + 2H) per direction, two bias vectors):

    convolutions l1-l8 (kernels (3,5),(3,1),(1,5),(3,3); either reading)    1,043,328
    batch norm (960 channels x 2)                                               1,920
    l10 Bi-GRU, in 512:   2·3·(256·512 + 256·256 + 512)                     1,182,720
    dense 512 -> 10                                                             5,130
    l9 Bi-GRU, in 256·F':  2·3·(256·256·F' + 256·256 + 512)      393,216·F' + 396,288

    "same" padding, (freq, time): F' = 128/4/4/1/2 = 4, T' = 128/3/1/3/2 = 7
        l9 = 1,969,152; total 4,202,250 (+10.3 % of 3.81 M)      <- our default
    "same" padding, (time, freq): F' = 128/3/1/3/2 = 7, T' = 4
        l9 = 3,148,800; total 5,381,898 (+41 %)
    "valid" padding, (freq, time): F' = 1, T' = 3
        l9 =   789,504; total 3,022,602 (-21 %)
    "valid" padding, (time, freq): F' = 3, T' = 1
        l9 = 1,575,936; total 3,809,034 (3.81 M, -0.03 %)
    (50 classes add 20,520 to each total; Keras' GRU without reset_after has one bias vector,
    768 fewer per direction, and Keras counts BN's moving mean and variance, 1,920 more)

So with "same" padding (the brief's choice, and the only one that keeps 128 frames at l2 for
Fig. 5's attention plots) the (freq, time) reading is nearest, and it agrees with the text.
The published 3.81 M is met exactly only by "valid" padding with the tuples read as
(time, freq) -- which leaves ONE frame for the Bi-GRUs (T' = 1), so the RNN would summarise
nothing over time and attention at l8 and l10 would be the identity. We keep the text's reading
as default and expose ``padding`` and ``axes`` so the cost table can show the exact match.
(With 10 classes the PiczakCNN count of Table 2 also matches, see ascnb.models.piczak: the
table seems to be computed for ESC-10.)

Other choices:
- initialisation N(0, 0.05) (section 4.1) for every weight matrix and kernel: convolutions,
  both GRUs (input and recurrent weights), the attention's conv / MLP and the dense layer;
  biases 0; batch norm scale 1, shift 0. L2 1e-4 is the trainer's (weight decay)
- dropout 0.5 on the input of each Bi-GRU (Keras' ``GRU(dropout=0.5)`` drops inputs)
- ``attention_at`` ∈ {None, 2, 4, 6, 8, 10}: at l2/l4/l6/l8, ``FrameAttention`` (eq. 1-2) on the
  output of that layer (after its BN and ReLU, before the block's max-pool), scaled by
  ``attention_scale`` "softmax" (over frames) or "sigmoid"; at l10, ``TemporalAttentionPooling``
  (eq. 3-4, always softmax). The CNN-layer attention is eq. 2 as written, M' = M·A, with no
  n·A rescaling as in the PB-CNN family. At l2, l4 and l6 the next block's BN removes A's
  overall scale; at l8 nothing does: the weighted map goes through the max-pool into the
  Bi-GRU, so a softmax A (mean 1/T over T = 14 frames at l8) shrinks the GRU's input about
  14-fold, a sigmoid A (each weight in (0, 1), about 0.5 at the start) about 2-fold; the
  GRU and the dense layer then learn with that scale. Without attention at l10 the Bi-GRU
  output is averaged over time (mean pooling: every step counts, the same as l10 attention
  with a constant score; the paper does not say how its convolutional RNN summarises the
  steps)
- batch norm with the Keras defaults, ``bn_momentum`` = 0.01 (Keras' momentum 0.99: the
  running statistics keep 99 % of their value per batch) and ``bn_eps`` = 1e-3: the paper
  trains "using Keras library with TensorFlow backend" (section 4.1) and names no values.
  PyTorch's own defaults are 0.1 and 1e-5
- frame resolution of the weights (default reading): l2 every input frame, l4 and l6 3 input
  frames, l8 9, l10 18 (``attention_on_input`` maps them back)
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ascnb.models.attention import FrameAttention, TemporalAttentionPooling, check_scale
from ascnb.models.base import AudioClassifier, pooled_size

# (filters, kernel, pool) per block of two conv layers, tuples as printed in the paper
PAPER_BLOCKS = ((32, (3, 5), (4, 3)), (64, (3, 1), (4, 1)), (128, (1, 5), (1, 3)),
                (256, (3, 3), (2, 2)))
ATTENTION_LAYERS = (None, 2, 4, 6, 8, 10)
PADDINGS = ("same", "valid")
AXES = ("freq-time", "time-freq")


def init_normal(module: nn.Module, std: float = 0.05) -> None:
    """N(0, std) for every weight matrix / kernel, zero biases, BN scale 1 shift 0 (ACRNN section 4.1)"""
    for name, parameter in module.named_parameters():
        if isinstance(parameter, nn.Parameter) and parameter.dim() >= 2:
            nn.init.normal_(parameter, mean=0.0, std=std)
        elif "bias" in name:
            nn.init.zeros_(parameter)
    for submodule in module.modules():
        if isinstance(submodule, nn.BatchNorm2d):
            nn.init.ones_(submodule.weight)
            nn.init.zeros_(submodule.bias)


class ConvBlock(nn.Module):
    """Two conv -> BN -> ReLU layers (one block of ACRNN's table), optional frame attention, max-pool"""

    def __init__(self, in_channels: int, out_channels: int, kernel: tuple[int, int],
                 pool: tuple[int, int], padding: str, attention_scale: str | None,
                 bn_momentum: float, bn_eps: float):
        super().__init__()
        pad = (kernel[0] // 2, kernel[1] // 2) if padding == "same" else 0
        self.conv1 = nn.Conv2d(in_channels, out_channels, kernel, padding=pad)
        self.bn1 = nn.BatchNorm2d(out_channels, eps=bn_eps, momentum=bn_momentum)
        self.conv2 = nn.Conv2d(out_channels, out_channels, kernel, padding=pad)
        self.bn2 = nn.BatchNorm2d(out_channels, eps=bn_eps, momentum=bn_momentum)
        self.attention = None if attention_scale is None else FrameAttention(out_channels, attention_scale)
        self.pool = pool

    def forward(self, X: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        X = F.relu(self.bn1(self.conv1(X)))  # (batch, channels, freq, time)
        X = F.relu(self.bn2(self.conv2(X)))  # (batch, channels, freq, time)
        A = None
        if self.attention is not None:
            X, A = self.attention(X)  # A: (batch, time)
        return F.max_pool2d(X, self.pool), A


class ACRNN(AudioClassifier):
    """Convolutional RNN (``attention_at=None``) and ACRNN on (batch, 2, 128, frames) -> logits

    See the module docstring for the table, the axis reading and every choice.
    ``forward(X, return_attention=True)`` -> (logits, {"l{k}": weights (batch, frames at lk)})
    """

    def __init__(self, n_classes: int, input_shape: tuple[int, int, int] = (2, 128, 128), *,
                 attention_at: int | None = 10, attention_scale: str = "softmax",
                 rnn_units: int = 256, dropout: float = 0.5, padding: str = "same",
                 axes: str = "freq-time", init_std: float | None = 0.05,
                 bn_momentum: float = 0.01, bn_eps: float = 1e-3):
        super().__init__()
        if attention_at not in ATTENTION_LAYERS:
            raise ValueError(f"ACRNN: attention_at must be one of {ATTENTION_LAYERS}, got {attention_at!r}")
        check_scale(attention_scale, "ACRNN")
        if attention_at == 10 and attention_scale != "softmax":
            raise ValueError("ACRNN: attention at l10 is the softmax of eq. 3; "
                             f"attention_scale={attention_scale!r} applies only to l2-l8")
        if padding not in PADDINGS:
            raise ValueError(f"ACRNN: padding must be one of {PADDINGS}, got {padding!r}")
        if axes not in AXES:
            raise ValueError(f"ACRNN: axes must be one of {AXES}, got {axes!r}")
        in_channels, bands, frames = input_shape
        self.input_shape, self.n_classes = tuple(input_shape), n_classes
        self.attention_at, self.attention_scale = attention_at, attention_scale
        self.padding, self.axes = padding, axes

        blocks, self.attention_axes = [], {}
        n_bands, n_frames, time_stride = bands, frames, 1
        for k, (filters, kernel, pool) in enumerate(PAPER_BLOCKS):
            if axes == "time-freq":  # the paper's tuples read as (time, freq): swap to (freq, time)
                kernel, pool = kernel[::-1], pool[::-1]
            layer = 2 * (k + 1)
            scale = attention_scale if attention_at == layer else None
            if scale is not None:
                self.attention_axes[f"l{layer}"] = (("time", time_stride),)
            blocks.append(ConvBlock(in_channels, filters, kernel, pool, padding, scale,
                                    bn_momentum, bn_eps))
            for _ in range(2):  # two conv layers per block
                n_bands = pooled_size(n_bands, kernel[0], 1, padding)
                n_frames = pooled_size(n_frames, kernel[1], 1, padding)
            n_bands, n_frames = n_bands // pool[0], n_frames // pool[1]
            time_stride *= pool[1]
            in_channels = filters
            if n_bands < 1 or n_frames < 1:
                raise ValueError(f"ACRNN: input_shape {input_shape} is too small for the layer table "
                                 f"(padding={padding!r}, axes={axes!r}): nothing left after block {k + 1}")
        self.blocks = nn.ModuleList(blocks)
        self.rnn_bands, self.rnn_steps = n_bands, n_frames  # F', T' before l9

        self.dropout = nn.Dropout(dropout)
        self.gru1 = nn.GRU(in_channels * n_bands, rnn_units, batch_first=True, bidirectional=True)  # l9
        self.gru2 = nn.GRU(2 * rnn_units, rnn_units, batch_first=True, bidirectional=True)  # l10
        if attention_at == 10:
            self.pooling = TemporalAttentionPooling(2 * rnn_units)
            self.attention_axes["l10"] = (("time", time_stride),)
        else:
            self.pooling = None
        self.classifier = nn.Linear(2 * rnn_units, n_classes)
        if init_std is not None:
            init_normal(self, init_std)

    def forward(self, X: torch.Tensor, return_attention: bool = False):
        self.check_input(X)
        weights = {}
        for k, block in enumerate(self.blocks):
            X, A = block(X)  # (batch, channels, freq, time), pooled
            if A is not None:
                weights[f"l{2 * (k + 1)}"] = A
        h = X.flatten(1, 2).transpose(1, 2)  # (batch, time, channels x freq)
        h, _ = self.gru1(self.dropout(h))  # (batch, time, 2 x 256), l9
        h, _ = self.gru2(self.dropout(h))  # (batch, time, 2 x 256), l10
        if self.pooling is not None:
            v, beta = self.pooling(h)  # (batch, 512), eq. 3-4
            weights["l10"] = beta
        else:
            v = h.mean(dim=1)  # (batch, 512), mean over time
        logits = self.classifier(v)  # (batch, n_classes)
        return (logits, weights) if return_attention else logits
