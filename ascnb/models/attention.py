"""Attention modules of both papers, each a few readable lines that return (output, weights)

Book: notebooks/04-attention.ipynb ("Where does the network look?"). Every module takes a
feature map ``X`` of shape (batch, channels, freq, time) (or a sequence, for the pooling at
ACRNN's l10) and returns ``(output, weights)``: the weights are what the book plots.

PB-CNN paper (Yang et al., JAES 2020):
- ``SqueezeExcitation``: the SE block, eq. 17-18 -> channel weights Ws (batch, C)
- ``PixelAttention``: the PBA module, eq. 14-19 -> X + γ·(Wv ⊙ ReLU(Wk))·Ws, then ReLU
- ``FrequencyAttention``: the sub-spectrogram mechanism, section 1.2, eq. 12-13 (FB-CNN)
- ``TimeAttention``: its mirror over frames (TB-CNN; the paper names it, gives no formula)

ACRNN paper (Zhang et al., Neurocomputing 2020):
- ``FrameAttention``: attention for CNN layers, eq. 1-2
- ``TemporalAttentionPooling``: attention for the RNN layer l10, eq. 3-4

``upsample_weights`` maps weights computed on a pooled feature map back to the frames (and
bands) of the network's input, so a plot can lay them over the spectrogram.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

SCALES = ("softmax", "sigmoid")


def check_scale(scale: str, owner: str) -> str:
    """Raise ValueError naming ``owner`` if ``scale`` is not one of SCALES"""
    if scale not in SCALES:
        raise ValueError(f"{owner}: attention_scale must be one of {SCALES}, got {scale!r}")
    return scale


def scale_scores(scores: torch.Tensor, scale: str) -> torch.Tensor:
    """Scores (batch, n) -> weights: softmax over the n positions (sum to 1) or sigmoid (each in (0, 1))"""
    if scale == "softmax":
        return torch.softmax(scores, dim=-1)
    return torch.sigmoid(scores)


def gain(weights: torch.Tensor, scale: str) -> torch.Tensor:
    """What the PB-CNN family's time/frequency attention multiplies X by: n·α for softmax, α for sigmoid

    A softmax distribution over n positions has mean 1/n: multiplying X by it shrinks the
    features n-fold (by 18 frames or 16 bands at the last stage of a 128 x 150 input, right
    before the global pooling and classifier), which slows training several-fold. n·α keeps
    the features' scale (a uniform distribution is the identity); the weights returned for
    plotting are still α, a distribution. The batch norm of the next stage would remove the
    constant n anyway; only the last stage and the start of training see it
    """
    return weights * weights.shape[-1] if scale == "softmax" else weights


class SqueezeExcitation(nn.Module):
    """SE block (Hu et al.; PB-CNN paper section 1.1 and eq. 17-18) -> channel weights

    z = global average of each channel (squeeze, eq. 17); s = sigmoid(W2 ReLU(W1 z)) with W1 of
    size (C/r) x C and W2 of size C x (C/r) (excitation, eq. 18). r = 16 as in the paper; the
    hidden width is at least 1 so that narrow layers (C < r) still work.
    Returns (X · s, s) with s of shape (batch, C)
    """

    def __init__(self, channels: int, reduction: int = 16):
        super().__init__()
        if reduction < 1:
            raise ValueError(f"SqueezeExcitation: reduction r must be >= 1, got {reduction!r}")
        hidden = max(1, channels // reduction)
        self.fc1 = nn.Linear(channels, hidden)  # W1
        self.fc2 = nn.Linear(hidden, channels)  # W2

    def forward(self, X: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        z = X.mean(dim=(2, 3))  # (batch, C), squeeze
        s = torch.sigmoid(self.fc2(F.relu(self.fc1(z))))  # (batch, C), excitation
        return X * s[:, :, None, None], s


class PixelAttention(nn.Module):
    """Pixel-based attention, PBA (PB-CNN paper section 2, Fig. 5, eq. 14-19)

    For X of shape (batch, C, H, W):
      Wv = conv c×c (C -> C) of X                        # (batch, C, H, W), "same" padding
      Wk = ReLU(conv 1×1 (C -> 1) of X)                  # (batch, 1, H, W), one weight per pixel
      Ws = SE(X) channel weights, r = 16                 # (batch, C)
      output = ReLU(X + γ · (Wv ⊙ Wk) · Ws)              # eq. 19, then the block's ReLU (Fig. 6)

    The paper's text places the ReLU on Wk (eq. 19's f) and a ReLU after the sum (Fig. 6); both
    are here. γ is a learnable scalar, initialised to ``gamma_init`` = 0 as is the convention
    of this family of modules (SAGAN, DANet): the block starts as ReLU(X), a plain CNN, and
    learns how much attention to mix in. The paper says γ ∈ [0, 1] but gives no start value and
    no clamp; we do not clamp it. ``kernel_size`` is c (the paper does not give it: 3).

    Returns (output, weights) with weights {"pixel": Wk (batch, H, W), "channel": Ws (batch, C)};
    ``branch(X)`` gives γ·(Wv ⊙ Wk)·Ws alone (what the tests check at γ = 0)
    """

    def __init__(self, channels: int, kernel_size: int = 3, reduction: int = 16,
                 gamma_init: float = 0.0):
        super().__init__()
        if kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError(f"PixelAttention: kernel_size c must be odd and >= 1, got {kernel_size!r}")
        self.value = nn.Conv2d(channels, channels, kernel_size, padding=kernel_size // 2)  # Wv
        self.key = nn.Conv2d(channels, 1, kernel_size=1)  # Wk
        self.se = SqueezeExcitation(channels, reduction)  # Ws
        self.gamma = nn.Parameter(torch.tensor(float(gamma_init)))

    def branch(self, X: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """γ·(Wv ⊙ Wk)·Ws and the weights Wk (batch, 1, H, W), Ws (batch, C)"""
        Wv = self.value(X)  # (batch, C, H, W)
        Wk = F.relu(self.key(X))  # (batch, 1, H, W)
        _, Ws = self.se(X)  # (batch, C)
        Wm = Wv * Wk  # (batch, C, H, W), eq. 14
        return self.gamma * Wm * Ws[:, :, None, None], Wk, Ws

    def forward(self, X: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        attended, Wk, Ws = self.branch(X)
        output = F.relu(X + attended)  # eq. 19 and the ReLU of Fig. 6
        return output, {"pixel": Wk[:, 0], "channel": Ws}


class FrequencyAttention(nn.Module):
    """Sub-spectrogram (frequency) attention of the FB-CNN (PB-CNN paper section 1.2, eq. 12-13)

    For X of shape (batch, C, H, W): average over time (δ1) and then over channels (δ2) gives
    F (batch, H); a fully connected layer H -> H gives one score per frequency bin, scaled to
    the attention distribution α (softmax over frequency by default, sigmoid as an option);
    the output is X ⊙ α broadcast over channels and frames, times H for softmax (``gain``).
    The FC layer fixes H, so the module is built for one number of bands (the model computes H
    from its input shape).
    Returns (output, α (batch, H))
    """

    def __init__(self, n_bins: int, attention_scale: str = "softmax"):
        super().__init__()
        self.scale = check_scale(attention_scale, "FrequencyAttention")
        self.fc = nn.Linear(n_bins, n_bins)

    def forward(self, X: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        profile = X.mean(dim=3).mean(dim=1)  # (batch, H): δ1 over time, then δ2 over channels
        alpha = scale_scores(self.fc(profile), self.scale)  # (batch, H)
        return X * gain(alpha, self.scale)[:, None, :, None], alpha


class TimeAttention(nn.Module):
    """Time (frame) attention of the TB-CNN (PB-CNN paper section 3: named, no formula given)

    The mirror of ``FrequencyAttention`` over frames, written so it works for any number of
    frames (3 s segments and whole clips): average over frequency -> (batch, C, W); a 1-D
    convolution over frames (C -> 1, kernel ``kernel_size`` = 3) scores each frame from its
    channels and its neighbours; softmax over frames (default) or sigmoid gives β (batch, W);
    the output is X ⊙ β broadcast over channels and frequency, times W for softmax (``gain``).
    (An FC layer over the time axis, the literal mirror of the sub-spectrogram FC, would fix
    the number of frames.)
    Returns (output, β (batch, W))
    """

    def __init__(self, channels: int, attention_scale: str = "softmax", kernel_size: int = 3):
        super().__init__()
        self.scale = check_scale(attention_scale, "TimeAttention")
        self.score = nn.Conv1d(channels, 1, kernel_size, padding=kernel_size // 2)

    def forward(self, X: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        profile = X.mean(dim=2)  # (batch, C, W): average over frequency
        beta = scale_scores(self.score(profile)[:, 0], self.scale)  # (batch, W)
        return X * gain(beta, self.scale)[:, None, None, :], beta


class FrameAttention(nn.Module):
    """Frame-level attention for CNN layers (ACRNN paper section 3.3.1, Fig. 3a, eq. 1-2)

    For CNN features M of shape (batch, C, F, T):
      A = scale(AvgPool_(F,1)(Conv3×3(M)))    # eq. 1: one 3×3 filter (C -> 1), average over
                                              # frequency, softmax over frames or sigmoid
      M' = M · A                              # eq. 2: broadcast over frequency and channels
    Returns (M', A (batch, T))
    """

    def __init__(self, channels: int, attention_scale: str = "softmax"):
        super().__init__()
        self.scale = check_scale(attention_scale, "FrameAttention")
        self.conv = nn.Conv2d(channels, 1, kernel_size=3, padding=1)

    def forward(self, M: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        hidden = self.conv(M)  # (batch, 1, F, T)
        scores = hidden.mean(dim=2)[:, 0]  # (batch, T), AvgPool over the F bands
        A = scale_scores(scores, self.scale)  # (batch, T)
        return M * A[:, None, None, :], A


class TemporalAttentionPooling(nn.Module):
    """Attention pooling of the Bi-GRU output at l10 (ACRNN paper section 3.3.2, Fig. 3b, eq. 3-4)

    For h of shape (batch, T, D) (D = 2 x 256 for the Bi-GRU):
      β_t = softmax_t(W h_t)      # eq. 3: a one-layer MLP (Linear D -> 1) scores each step
      v = Σ_t β_t h_t             # eq. 4: weighted sum over steps, (batch, D)
    A constant score gives β_t = 1/T, i.e. mean pooling over time.
    Returns (v, β (batch, T))
    """

    def __init__(self, n_features: int):
        super().__init__()
        self.score = nn.Linear(n_features, 1)  # W

    def forward(self, h: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        beta = torch.softmax(self.score(h)[..., 0], dim=1)  # (batch, T)
        v = (beta[..., None] * h).sum(dim=1)  # (batch, D)
        return v, beta


def upsample_weights(weights: torch.Tensor, strides: tuple[int, ...],
                     sizes: tuple[int, ...]) -> torch.Tensor:
    """Weights on a pooled map -> the input's frames (and bands), for plotting over the spectrogram

    ``strides`` and ``sizes`` name the trailing axes of ``weights``: for frame weights
    (batch, T') ``strides=(time_stride,)``, ``sizes=(n_frames,)``; for pixel weights
    (batch, F', T') ``(freq_stride, time_stride)`` and ``(n_bands, n_frames)``. Input frame t
    takes the weight of pooled frame t // stride (a pooled frame summarises ``stride`` input
    frames); frames that floor-mode pooling dropped at the end take the last pooled weight.
    """
    if len(strides) != len(sizes) or len(strides) > weights.dim():
        raise ValueError(f"upsample_weights: strides {strides} and sizes {sizes} must name the "
                         f"same trailing axes of weights of shape {tuple(weights.shape)}")
    out = weights
    for axis, (stride, size) in enumerate(zip(strides, sizes), start=weights.dim() - len(strides)):
        index = torch.clamp(torch.arange(size, device=weights.device) // stride,
                            max=weights.shape[axis] - 1)
        out = out.index_select(axis, index)
    return out
