"""Standardising features with statistics of the training fold only

Book: notebooks/02-features.ipynb ("Normalisation from the training fold only"). PB-CNN section 3.1.2 and ACRNN section 4.1
subtract the mean and divide by the standard deviation of the training set; the test fold is
transformed with those statistics and never enters them.

per="band" (default): one mean/std per (channel, band), over segments and frames.
per="channel": one mean/std per channel (ACRNN's "global mean and standard deviation"; the
delta channel keeps its own, its scale differs from the static channel's).
A standard deviation below ``eps`` (a constant band) is replaced by 1.
"""

from __future__ import annotations

import numpy as np

PER = ("band", "channel")


class Normaliser:
    """fit(X_train) then transform(X): (X - mean) / std with mean, std of shape (C, F) or (C, 1)"""

    def __init__(self, per: str = "band", eps: float = 1e-8):
        if per not in PER:
            raise ValueError(f"Normaliser: per must be one of {PER}, got {per!r}")
        self.per = per
        self.eps = eps
        self.mean: np.ndarray | None = None
        self.std: np.ndarray | None = None

    def __repr__(self) -> str:
        shape = None if self.mean is None else self.mean.shape
        return f"Normaliser(per={self.per!r}, fitted={self.mean is not None}, shape={shape})"

    def fit(self, X_train: np.ndarray) -> Normaliser:
        """Statistics of training segments X_train (n, C, F, T); returns self"""
        X_train = np.asarray(X_train)
        if X_train.ndim != 4 or X_train.shape[0] == 0:
            raise ValueError(f"Normaliser.fit expects a non-empty (n, C, F, T) array, got shape {X_train.shape}")
        axes = (0, 3) if self.per == "band" else (0, 2, 3)
        # float64 accumulation: float32 sums over millions of values drift
        mean = X_train.mean(axis=axes, dtype=np.float64)
        std = X_train.std(axis=axes, dtype=np.float64)
        std = np.where(std < self.eps, 1.0, std)
        if self.per == "channel":
            mean, std = mean[:, np.newaxis], std[:, np.newaxis]  # (C, 1)
        self.mean, self.std = mean.astype(np.float32), std.astype(np.float32)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """(X - mean) / std for segments (n, C, F, T) or one clip (C, F, T); float32"""
        if self.mean is None:
            raise RuntimeError("Normaliser.transform called before fit (or from_state_dict)")
        X = np.asarray(X, dtype=np.float32)
        C, F = X.shape[-3], X.shape[-2]
        if C != self.mean.shape[0] or self.mean.shape[1] not in (1, F):
            raise ValueError(f"Normaliser fitted on (channels, bands) = {self.mean.shape}, "
                             f"got features of shape {X.shape}")
        return (X - self.mean[..., np.newaxis]) / self.std[..., np.newaxis]

    def fit_transform(self, X_train: np.ndarray) -> np.ndarray:
        return self.fit(X_train).transform(X_train)

    def state_dict(self) -> dict:
        """Plain lists and strings (JSON-friendly) to rebuild the normaliser"""
        if self.mean is None:
            raise RuntimeError("Normaliser.state_dict called before fit")
        return {"per": self.per, "eps": self.eps, "mean": self.mean.tolist(), "std": self.std.tolist()}

    @classmethod
    def from_state_dict(cls, state: dict) -> Normaliser:
        normaliser = cls(per=state.get("per", "band"), eps=state.get("eps", 1e-8))
        normaliser.mean = np.asarray(state["mean"], dtype=np.float32)
        normaliser.std = np.asarray(state["std"], dtype=np.float32)
        return normaliser
