"""Attention modules of both papers, each a few readable lines that return (output, weights)

Book: notebooks/04-attention.ipynb ("Attention for audio classification"). Every module takes a
feature map ``X`` of shape (batch, channels, freq, time) (or a sequence, for the pooling at
ACRNN's l10) and returns ``(output, weights)``: the weights are what the book plots.

PB-CNN paper (Yang et al., JAES 2020):
- ``SqueezeExcitation``: the SE block, eq. 17-18 -> channel weights s (batch, C)
- ``PixelAttention``: the PBA module, eq. 14-19 -> ReLU(X + γ·(Wv ⊙ ReLU(Wk)) ⊙ Ws), with Ws
  the SE block's output tensor (default) or its channel weights (``pba_ws``)
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


def gain(weights: torch.Tensor, scale: str, rescale_softmax: bool = True) -> torch.Tensor:
    """What the PB-CNN family's time/frequency attention multiplies X by: n·α for softmax, α for sigmoid

    A softmax distribution over n positions has mean 1/n: multiplying X by it shrinks the
    features n-fold (by 18 frames or 16 bands at the last stage of a 128 x 150 input, right
    before the global pooling and classifier), which slows training several-fold. n·α keeps
    the features' scale (a uniform distribution is the identity); the weights returned for
    plotting are still α, a distribution. The batch norm of the next stage would remove the
    constant n anyway; only the last stage and the start of training see it.
    ``rescale_softmax=False`` multiplies by α itself, as the paper's eq. 13 is written
    """
    if scale == "softmax" and rescale_softmax:
        return weights * weights.shape[-1]
    return weights


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
        z = X.mean(dim=(2, 3))  # (batch, C), squeeze, eq. 17
        s = torch.sigmoid(self.fc2(F.relu(self.fc1(z))))  # (batch, C), excitation, eq. 18
        return X * s[:, :, None, None], s  # (batch, C, H, W), (batch, C)


PBA_WS = ("tensor", "channel")


class PixelAttention(nn.Module):
    """Pixel-based attention, PBA (PB-CNN paper section 2, Fig. 5, eq. 14-19)

    For X of shape (batch, C, H, W):
      Wv = conv c×c (C -> C) of X                        # (batch, C, H, W), "same" padding
      Wk = ReLU(conv 1×1 (C -> 1) of X)                  # (batch, 1, H, W), one weight per pixel
      Wm = Wv ⊙ Wk                                       # (batch, C, H, W), eq. 14
      Ws = the SE block's output, ``pba_ws`` reading     # eq. 15-18
      output = ReLU(X + γ · Wm ⊙ Ws)                     # eq. 19, then the block's ReLU (Fig. 6)

    Two readings of Ws (``pba_ws``):
    - "tensor" (default): SENet's block as the paper writes it. F_tr is a c×c convolution
      (C -> C, eq. 15-16) giving U; z = channel means of U (squeeze, eq. 17); s = sigmoid(W2
      ReLU(W1 z)) (excitation, eq. 18); Ws = U rescaled channel-wise by s, (batch, C, H, W).
      The paper says "the output tensor Ws has the same dimension as X" and spells out F_tr,
      which only this reading uses: it is the literal one. It adds one C -> C convolution per
      PBA (for 32..256 channels at c = 3, 0.78 M parameters over the four stages)
    - "channel": the SE block's channel weights alone, Ws = s of shape (batch, C), squeezed from
      X with no F_tr; the branch is Wm scaled per channel. The paper's closing sentence ("applies
      weights to each pixel on each channel based on this global information") also fits it,
      and it was this module's only reading before both were written down
    A third reading, U = X (the stage's own convolution as F_tr, no extra one), would give a
    branch quadratic in X; it is not implemented.

    The ReLU on Wk is eq. 19's f, the ReLU after the sum is Fig. 6's; both are here.

    γ: a learnable scalar, started at ``gamma_init`` = 0 as in this family of modules (SAGAN,
    DANet), so that the block starts as ReLU(X), a plain CNN, and learns how much attention to
    mix in. The paper gives Γ ∈ [0, 1] and no start value. We keep γ unclamped: a bound on γ
    does not bound what the block computes, since Wv is a convolution with free weights and
    γ·Wv = (-γ)·(-Wv) = 1·(γ·Wv), so any branch reachable with γ ∈ R is reachable with
    γ ∈ [0, 1]; and a hard clamp started at 0 would stop the gradient for good the first time
    a step sends γ below 0 (torch.clamp passes no gradient outside its range), switching that
    layer's attention off. For the same reason a small learned γ alone does not say the
    branch is small: ``PBCNN.pba_branch_share`` measures the branch against X.

    ``kernel_size`` is c (the paper does not give it: 3), used by Wv and, for "tensor", F_tr;
    ``reduction`` is r (16, as the paper).

    Returns (output, weights) with weights {"pixel": Wk (batch, H, W), "channel": s (batch, C)}
    and, for "tensor", "se_map": Ws averaged over channels (batch, H, W), a map on the grid of
    X. ``branch(X)`` gives γ·Wm ⊙ Ws alone (what the tests check at γ = 0).
    Book: notebooks/04-attention.ipynb ("Pixel-based attention and γ")
    """

    def __init__(self, channels: int, kernel_size: int = 3, reduction: int = 16,
                 gamma_init: float = 0.0, pba_ws: str = "tensor"):
        super().__init__()
        if kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError(f"PixelAttention: kernel_size c must be odd and >= 1, got {kernel_size!r}")
        if pba_ws not in PBA_WS:
            raise ValueError(f"PixelAttention: pba_ws must be one of {PBA_WS}, got {pba_ws!r}")
        self.pba_ws = pba_ws
        self.value = nn.Conv2d(channels, channels, kernel_size, padding=kernel_size // 2)  # Wv
        self.key = nn.Conv2d(channels, 1, kernel_size=1)  # Wk
        # F_tr of eq. 15-16, only in the "tensor" reading
        self.transform = (nn.Conv2d(channels, channels, kernel_size, padding=kernel_size // 2)
                          if pba_ws == "tensor" else None)
        self.se = SqueezeExcitation(channels, reduction)  # eq. 17-18
        self.gamma = nn.Parameter(torch.tensor(float(gamma_init)))

    def branch(self, X: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """γ·Wm ⊙ Ws and the weights Wk (batch, 1, H, W), s (batch, C), Ws

        Ws is (batch, C, H, W) for "tensor", s itself (batch, C) for "channel"
        """
        Wv = self.value(X)  # (batch, C, H, W)
        Wk = F.relu(self.key(X))  # (batch, 1, H, W), f(Wk) of eq. 19
        Wm = Wv * Wk  # (batch, C, H, W), eq. 14
        if self.transform is not None:
            U = self.transform(X)  # (batch, C, H, W), F_tr, eq. 15-16
            Ws, s = self.se(U)  # Ws = U · s: (batch, C, H, W); s: (batch, C), eq. 17-18
            return self.gamma * Wm * Ws, Wk, s, Ws  # (batch, C, H, W), eq. 19
        _, s = self.se(X)  # (batch, C), eq. 17-18 on X
        return self.gamma * Wm * s[:, :, None, None], Wk, s, s  # (batch, C, H, W), eq. 19

    def forward(self, X: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        attended, Wk, s, Ws = self.branch(X)  # attended: (batch, C, H, W)
        output = F.relu(X + attended)  # (batch, C, H, W), eq. 19 and the ReLU of Fig. 6
        weights = {"pixel": Wk[:, 0], "channel": s}  # (batch, H, W), (batch, C)
        if self.transform is not None:
            weights["se_map"] = Ws.mean(dim=1)  # (batch, H, W)
        return output, weights


class FrequencyAttention(nn.Module):
    """Sub-spectrogram (frequency) attention of the FB-CNN (PB-CNN paper section 1.2, eq. 12-13)

    For X of shape (batch, C, H, W): average over time (δ1) and then over channels (δ2) gives
    F (batch, H); a fully connected layer H -> H gives one score per frequency bin, scaled to
    the attention distribution α (softmax over frequency by default, sigmoid as an option);
    the output is X ⊙ α broadcast over channels and frames, times H for softmax (``gain``;
    ``rescale_softmax=False``: X ⊙ α as eq. 13 writes it).
    The FC layer fixes H, so the module is built for one number of bands (the model computes H
    from its input shape).
    Returns (output, α (batch, H))
    """

    def __init__(self, n_bins: int, attention_scale: str = "softmax", rescale_softmax: bool = True):
        super().__init__()
        self.scale = check_scale(attention_scale, "FrequencyAttention")
        self.rescale_softmax = rescale_softmax
        self.fc = nn.Linear(n_bins, n_bins)

    def forward(self, X: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        profile = X.mean(dim=3).mean(dim=1)  # (batch, H): δ1 over time, then δ2 over channels
        alpha = scale_scores(self.fc(profile), self.scale)  # (batch, H)
        return X * gain(alpha, self.scale, self.rescale_softmax)[:, None, :, None], alpha  # (batch, C, H, W)


class TimeAttention(nn.Module):
    """Time (frame) attention of the TB-CNN (PB-CNN paper section 3: named, no formula given)

    The mirror of ``FrequencyAttention`` over frames, written so it works for any number of
    frames (3 s segments and whole clips): average over frequency -> (batch, C, W); a 1-D
    convolution over frames (C -> 1, kernel ``kernel_size`` = 3) scores each frame from its
    channels and its neighbours; softmax over frames (default) or sigmoid gives β (batch, W);
    the output is X ⊙ β broadcast over channels and frequency, times W for softmax (``gain``;
    ``rescale_softmax=False``: X ⊙ β).
    (An FC layer over the time axis, the literal mirror of the sub-spectrogram FC, would fix
    the number of frames.)
    Returns (output, β (batch, W))
    """

    def __init__(self, channels: int, attention_scale: str = "softmax", kernel_size: int = 3,
                 rescale_softmax: bool = True):
        super().__init__()
        self.scale = check_scale(attention_scale, "TimeAttention")
        self.rescale_softmax = rescale_softmax
        self.score = nn.Conv1d(channels, 1, kernel_size, padding=kernel_size // 2)

    def forward(self, X: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        profile = X.mean(dim=2)  # (batch, C, W): average over frequency
        beta = scale_scores(self.score(profile)[:, 0], self.scale)  # (batch, W)
        return X * gain(beta, self.scale, self.rescale_softmax)[:, None, None, :], beta  # (batch, C, H, W)


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
