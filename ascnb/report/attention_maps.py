"""Attention over a whole clip, and how much of it lies on the ground-truth events

Book: notebooks/13-pbcnn-attention-overlay, 24-acrnn-frame-attention and
30-attention-localisation.

- ``clip_attention(model, X)``: a trained model's attention maps over every segment of a clip,
  mapped back onto the clip's bands × frames grid and averaged where segments overlap
- ``event_mask(events, filename, …)``: the frames (or time–frequency cells) inside a clip's
  foreground events, from the synthetic scenes' ``meta/events.csv``
- ``attention_mass(weights, mask)``: the share of a map's mass inside the mask, the
  localisation metric: 1 when all attention is on the events, ``mask.mean()`` (chance) for a
  uniform map
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def clip_attention(model, X: np.ndarray) -> dict[str, np.ndarray]:
    """A trained model's attention over a whole clip, on the clip's own bands × frames grid

    X: features of one clip (channels, bands, frames). The clip is cut into the segments the
    model was trained on (its input length, hop half of it), each normalised with the model's
    training-fold ``normaliser`` (plus one segment ending at the clip's end when the hops miss
    its tail); every attention map is mapped back onto the input grid
    (``attention_on_input``) and averaged where segments overlap. Returns {key: array}: frame
    weights (frames,) or pixel maps (bands, frames), keys as ``model.attention_axes``.
    """
    import torch

    length = model.input_shape[-1]
    n_frames = X.shape[-1]
    sums, counts = {}, np.zeros(n_frames)
    starts = list(range(0, max(n_frames - length, 0) + 1, max(length // 2, 1)))
    if starts[-1] + length < n_frames:
        starts.append(n_frames - length)  # the clip's tail gets a segment of its own
    for start in starts:
        segment = model.normaliser.transform(X[None, :, :, start:start + length])
        with torch.no_grad():
            _, weights = model(torch.tensor(segment, dtype=torch.float32), return_attention=True)
            on_input = model.attention_on_input(weights)
        width = min(length, n_frames - start)
        for key, value in on_input.items():
            w = value[0].float().numpy()[..., :width]  # (frames,) or (bands, frames)
            total = sums.setdefault(key, np.zeros(w.shape[:-1] + (n_frames,)))
            total[..., start:start + width] += w
        counts[start:start + width] += 1
    return {key: total / np.maximum(counts, 1) for key, total in sums.items()}


def event_mask(events: pd.DataFrame, filename: str, n_frames: int, hop_seconds: float,
               band_hz: np.ndarray | None = None, kind: str = "foreground") -> np.ndarray:
    """Frames (n_frames,) or cells (bands, n_frames) inside any ``kind`` event of a clip

    Frame t covers time t·hop; a band is inside an event when its centre lies in [fmin, fmax]
    """
    t = np.arange(n_frames) * hop_seconds
    chosen = events[(events["filename"] == filename) & (events["kind"] == kind)]
    shape = (n_frames,) if band_hz is None else (len(band_hz), n_frames)
    mask = np.zeros(shape, dtype=bool)
    for e in chosen.itertuples():
        frames = (t >= e.onset) & (t < e.offset)
        if band_hz is None:
            mask |= frames
        else:
            bands = (np.asarray(band_hz) >= e.fmin) & (np.asarray(band_hz) <= e.fmax)
            mask |= bands[:, None] & frames[None, :]
    return mask


def attention_mass(weights: np.ndarray, mask: np.ndarray) -> float:
    """Share of the (non-negative) map ``weights`` inside ``mask``; the map is summed over bands
    first when the mask is over frames only. NaN for an all-zero map"""
    weights = np.asarray(weights, dtype=np.float64)
    mask = np.asarray(mask, dtype=bool)
    if (weights < 0).any():
        raise ValueError("attention_mass: attention weights must be non-negative")
    if weights.ndim == 2 and mask.ndim == 1:
        weights = weights.sum(axis=0)  # (frames,)
    if weights.shape != mask.shape:
        raise ValueError(f"attention_mass: map {weights.shape} and mask {mask.shape} differ")
    total = weights.sum()
    return float(weights[mask].sum() / total) if total > 0 else float("nan")


def combined_map(maps: dict[str, np.ndarray], n_bands: int) -> np.ndarray:
    """One (bands, frames) map from a model's layers: each normalised to sum 1, then averaged
    (frame weights are spread evenly over the bands)"""
    out = []
    for value in maps.values():
        value = np.asarray(value, dtype=np.float64)
        if value.ndim == 1:
            value = np.broadcast_to(value / n_bands, (n_bands, value.shape[0]))
        out.append(value / max(value.sum(), 1e-12))
    return np.mean(out, axis=0)


def energy_map(X: np.ndarray) -> np.ndarray:
    """A plain energy map of a clip's features (the loudness baseline of the localisation
    metric): the static channel's log power back on a linear scale, (bands, frames).
    Attention that only follows loudness scores what this map scores"""
    static = np.asarray(X, dtype=np.float64)[0]  # (bands, frames), dB (or ln) of power
    power = np.power(10.0, (static - static.max()) / 10.0)
    return power / max(power.sum(), 1e-300)


def untrained_twin(model, seed: int = 0):
    """The same network as ``model`` with freshly initialised weights (seeded) and the trained
    model's normaliser: the baseline that tells learned attention from what an architecture
    computes before any training"""
    import torch

    from ascnb.models import build_model

    torch.manual_seed(seed)
    params = {k: v for k, v in getattr(model, "build_params", {}).items()}
    twin = build_model(model.name, model.n_classes, model.input_shape, **params).eval()
    twin.normaliser = model.normaliser
    return twin
