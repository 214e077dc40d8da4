"""Cutting clip spectrograms into fixed-length segments, remembering each segment's clip

Book: notebooks/02-features.ipynb ("Segments"). PB-CNN cuts about 3 s
(150 frames of 20 ms) with 50% overlap, or without overlap, or keeps the whole clip;
ACRNN cuts 128 frames with 50% overlap; Piczak 41 frames with 50% overlap.

Decisions:
- A clip of T frames gives 1 + (T - length) // hop segments starting at 0, hop, 2·hop, …;
  frames after the last full segment (fewer than hop of them) are dropped, not padded into a
  mostly-empty segment. On DCASE 2016 this gives 19 segments per 30 s clip (1501 frames), so
  the 1170 development clips give 22,230 segments: the "about 22,000" of PB-CNN section 3.1.2.
- A clip shorter than one segment is zero-padded at the end to one segment (after
  normalisation that zero is the padding value the network sees).
- "no-split" (length None) keeps whole clips; clips of different lengths are zero-padded at the
  end to the longest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SegmentConfig:
    """length: frames per segment (None = whole clip); hop: frames between starts (None = length)"""

    length: int | None
    hop: int | None = None

    def __post_init__(self):
        for name in ("length", "hop"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
                raise ValueError(f"SegmentConfig: {name} must be a positive integer or None, got {value!r}")

    @property
    def step(self) -> int | None:
        return self.hop if self.hop is not None else self.length

    def n_segments(self, n_frames: int) -> int:
        """Segments cut from a clip of ``n_frames`` frames"""
        if self.length is None or n_frames <= self.length:
            return 1
        return 1 + (n_frames - self.length) // self.step

    def to_dict(self) -> dict:
        return {"length": self.length, "hop": self.hop}


SEGMENT_PRESETS = {
    "overlap": SegmentConfig(150, 75),  # PB-CNN: 3 s of 20 ms frames, 50% overlap
    "no-overlap": SegmentConfig(150, 150),  # PB-CNN: 3 s, no overlap
    "no-split": SegmentConfig(None, None),  # PB-CNN: the whole clip
    "acrnn": SegmentConfig(128, 64),  # ACRNN: 128 frames (~1.5 s), 50% overlap
    "piczak": SegmentConfig(41, 20),  # Piczak: 41 frames (~0.95 s at 22.05 kHz), 50% overlap
}


def segment_config(name: str | SegmentConfig | dict) -> SegmentConfig:
    """A preset by name ("overlap", "no-overlap", "no-split", "acrnn", "piczak"), a dict or a config"""
    if isinstance(name, SegmentConfig):
        return name
    if isinstance(name, dict):
        return SegmentConfig(**name)
    if name not in SEGMENT_PRESETS:
        raise ValueError(f"unknown segmentation {name!r}; known: {tuple(SEGMENT_PRESETS)}")
    return SEGMENT_PRESETS[name]


def segment(features: list[np.ndarray], config: SegmentConfig | str) -> tuple[np.ndarray, np.ndarray]:
    """Cut every clip's (C, F, T) features into segments

    Returns X (n, C, F, length) float32 and clip_index (n,) int64 with clip_index[i] = position
    in ``features`` of the clip that segment i came from (for clip-level decisions)
    """
    config = segment_config(config)
    if len(features) == 0:
        raise ValueError("segment got no clips")
    shapes = {f.shape[:2] for f in features}
    if any(f.ndim != 3 for f in features) or len(shapes) != 1:
        raise ValueError("segment expects (channels, bands, frames) arrays with the same channels "
                         f"and bands; got shapes {sorted({f.shape for f in features})[:5]}")
    length = config.length if config.length is not None else max(f.shape[-1] for f in features)
    C, F = features[0].shape[:2]
    counts = [config.n_segments(f.shape[-1]) if config.length is not None else 1 for f in features]
    X = np.zeros((sum(counts), C, F, length), dtype=np.float32)  # (n, C, F, T)
    clip_index = np.repeat(np.arange(len(features)), counts).astype(np.int64)
    i = 0
    for clip, count in zip(features, counts):
        for k in range(count):
            start = k * config.step if config.length is not None else 0
            part = clip[..., start:start + length]  # (C, F, <= length), shorter only if padded
            X[i, ..., :part.shape[-1]] = part
            i += 1
    return X, clip_index
