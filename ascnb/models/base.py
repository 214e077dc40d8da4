"""What every network of ``ascnb.models`` shares: input checks and attention weights on the input grid

Book: notebooks/03-models.ipynb. A model is built for one input shape (channels, bands,
frames); ``frames`` may vary at call time for the networks that end in global pooling over
time (PB-CNN family, Valenti, ACRNN), not for PiczakCNN (its dense layers fix it).
"""

from __future__ import annotations

import torch
from torch import nn

from ascnb.models.attention import upsample_weights


def pooled_size(n: int, kernel: int, pool: int, padding: str) -> int:
    """Length of one axis after a stride-1 conv of ``kernel`` ("same"/"valid") and a floor max-pool"""
    if padding == "valid":
        n = n - kernel + 1
    return n // pool


class AudioClassifier(nn.Module):
    """Base of all networks: input shape bookkeeping and ``attention_on_input``

    Subclasses set ``self.input_shape`` (channels, bands, frames), ``self.n_classes`` and
    ``self.attention_axes``: for each key of the attention dict, the axes of the weights'
    trailing dimensions and their stride in input bands/frames, e.g.
    ``{"l2": (("time", 1),), "stage1.pixel": (("freq", 1), ("time", 1))}``.
    Keys absent from ``attention_axes`` (channel weights) have no input-grid position.
    """

    input_shape: tuple[int, int, int]
    n_classes: int
    attention_axes: dict[str, tuple[tuple[str, int], ...]]
    fixed_frames = False  # True where the number of frames is fixed by the architecture

    def check_input(self, X: torch.Tensor) -> None:
        """Raise ValueError naming the expected (batch, C, F, T) if X does not fit this model"""
        channels, bands, frames = self.input_shape
        name = type(self).__name__
        if X.dim() != 4:
            raise ValueError(f"{name}: X must be (batch, channels, bands, frames), got shape {tuple(X.shape)}")
        if X.shape[1] != channels or X.shape[2] != bands:
            raise ValueError(f"{name} was built for {channels} channel(s) x {bands} bands, "
                             f"got X of shape {tuple(X.shape)}")
        if self.fixed_frames and X.shape[3] != frames:
            raise ValueError(f"{name} was built for {frames} frames, got X of shape {tuple(X.shape)}")

    def attention_on_input(self, weights: dict[str, torch.Tensor],
                           n_frames: int | None = None) -> dict[str, torch.Tensor]:
        """Attention weights of ``forward(X, return_attention=True)`` on the input's bands/frames

        Frame weights (batch, T') -> (batch, n_frames); frequency weights -> (batch, n_bands);
        pixel maps (batch, F', T') -> (batch, n_bands, n_frames). Channel weights are dropped.
        ``n_frames`` defaults to the frames of the input shape the model was built for.
        """
        _, n_bands, frames = self.input_shape
        sizes = {"freq": n_bands, "time": frames if n_frames is None else n_frames}
        aligned = {}
        for key, tensor in weights.items():
            if key not in self.attention_axes:
                continue
            axes = self.attention_axes[key]
            aligned[key] = upsample_weights(tensor, tuple(stride for _, stride in axes),
                                            tuple(sizes[axis] for axis, _ in axes))
        return aligned
