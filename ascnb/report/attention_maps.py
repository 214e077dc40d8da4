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
- ``RecordAttention(exp, record, features, dataset)``: the maps of a record's network over
  its test clips, read from those kept beside the record (``keep_attention``:
  ``results/<hash>/fold<f>-seed<s>.attention.npz``, the first ``KEPT_PER_CLASS`` test clips of
  each class) or computed from the trained network. Weights (runs/) are not committed; the
  kept maps are, so that a fresh clone builds the pages without training a network.
"""

from __future__ import annotations

from pathlib import Path

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


# ---------------------------------------------------------------------------------------------
# A record's attention, kept beside the record: the book's pages need no weights

KEPT_PER_CLASS = 4  # test clips per class whose maps ``keep_attention`` keeps


def first_per_class(clips: pd.DataFrame, per_class: int = KEPT_PER_CLASS) -> list:
    """The index of the first ``per_class`` clips of each label, in the order of ``clips``

    The test clips of a fold are sorted by class (every class is in every fold); taking the
    first n of each keeps every class in a subset, where the first n clips would hold few"""
    if per_class < 1:
        raise ValueError(f"per_class must be at least 1, not {per_class}")
    return list(clips.groupby("label", sort=False).head(per_class).index)


def kept_attention_path(record, results_dir=None) -> Path:
    """Where a record's attention maps are kept: beside the record (``results/<hash>/
    fold<f>-seed<s>.attention.npz``), in its own folder when it says where it was read from"""
    from ascnb.experiment.records import record_path

    where = record.get("record_path") if hasattr(record, "get") else None
    beside = Path(where) if where else record_path(results_dir, record["config_hash"],
                                                    record["fold"], record["seed"])
    return beside.with_name(f"{beside.stem}.attention.npz")


def _record_key(record) -> list[str]:
    from ascnb.experiment.records import record_key

    return list(record_key(record))


def model_summaries(model, X_test) -> dict[str, dict[str, float]]:
    """A network's model-level numbers the pages show: PB-CNN's learned γ and branch share
    (``pba_gammas``, ``pba_branch_share`` over the normalised test segments); {} for others.
    X_test: the segments (n, C, F, T), or a function giving them (called only when needed)"""
    import torch

    if not hasattr(model, "pba_gammas") or not model.pba_gammas():
        return {}
    if callable(X_test):
        X_test = X_test()
    return {"γ": model.pba_gammas(),
            "branch share": model.pba_branch_share(torch.tensor(X_test, dtype=torch.float32))}


class RecordAttention:
    """The attention of one record's trained network over its test clips

    ``maps(i)`` is ``clip_attention`` of the network on test clip ``i`` (an index of the
    dataset's clips), ``summaries()`` its ``model_summaries``, ``normaliser`` its training
    fold's: read from what is kept beside the record (``keep_attention``) where it is, else
    computed from the trained network (``model``: ``ascnb.experiment.trained_model`` loads its
    weights from runs/ or, when they are not there, retrains the record's (fold, seed)).
    ``untrained(seed)``: the same network freshly initialised, the localisation baseline,
    built without the trained weights. Kept maps need neither the weights nor the training
    clips' features (an augmented recipe's copies are costly to make).

    exp, record: the experiment and one of its records; features, dataset: the clips'
    features and ``experiment_dataset(exp)``; the record's test clips must be the dataset's.
    """

    def __init__(self, exp, record, features, dataset, *, runs=None, results_dir=None):
        self.exp, self.record, self.features, self.dataset = exp, record, features, dataset
        self.runs, self._model, self._fold_data = runs, None, None
        self.test_clips = dataset.split(record["fold"])[1]
        files = list(self.test_clips["filename"])
        if "test_files" in record and list(record["test_files"]) != files:
            raise ValueError(f"record {record['config_hash']} fold {record['fold']} seed "
                             f"{record['seed']} was tested on other clips than fold "
                             f"{record['fold']} of {dataset.root} has now ({len(record['test_files'])} "
                             f"against {len(files)}): has the dataset changed since?")
        self.path = kept_attention_path(record, results_dir)
        self._maps, self._meta = {}, {}
        if self.path.is_file():
            self._read()

    def _read(self) -> None:
        import json

        try:
            with np.load(self.path, allow_pickle=False) as kept:
                arrays = {key: kept[key] for key in kept.files}
            meta = json.loads(str(arrays.pop("meta")))
        except Exception as error:  # truncated or foreign file
            raise ValueError(f"{self.path}: unreadable kept attention ({type(error).__name__}: "
                             f"{error}); delete it or keep it again (book/tools/keep_attention.py)") from None
        mine, theirs = _record_key(self.record), meta.get("record") or ["?", "?", "?"]
        if theirs != mine:
            raise ValueError(f"{self.path}: these maps are of record {theirs[0]} fold {theirs[1]} "
                             f"seed {theirs[2]}, not of {mine[0]} fold {mine[1]} seed {mine[2]}")
        self._maps = {name: {} for name in meta["files"]}   # {clip file: {layer: map}}
        for key, value in arrays.items():                  # "map/<clip position>/<layer>"
            _, k, layer = key.split("/", 2)
            self._maps[meta["files"][int(k)]][layer] = value
        self._meta = meta

    @property
    def model(self):
        """The trained network (loaded, or retrained when its weights are not on disk)"""
        if self._model is None:
            from ascnb.experiment import trained_model

            self._model = trained_model(self.exp, self.record, runs=self.runs)
        return self._model

    @property
    def fold_data(self):
        """The record's fold prepared as the pipeline prepared it (``prepare_fold``: the
        training clips' features, augmented copies included), checked against the record"""
        if self._fold_data is None:
            from ascnb.experiment import prepare_fold

            fold_data = prepare_fold(self.exp, self.dataset, self.features, self.record["fold"])
            fold_data.check_record(self.record, self.model)
            self._fold_data = fold_data
        return self._fold_data

    @property
    def normaliser(self):
        """The training fold's normaliser the network was trained with (kept, else the model's)"""
        from ascnb.features import Normaliser

        if "normaliser" in self._meta:
            return Normaliser.from_state_dict(self._meta["normaliser"])
        return self.model.normaliser

    def is_kept(self, i) -> bool:
        """Whether clip ``i``'s maps are read from the kept file (no network needed)"""
        return i in self.test_clips.index and self._clip_name(i) in self._maps

    def _clip_name(self, i) -> str:
        return str(self.test_clips.loc[i, "filename"])

    def maps(self, i) -> dict[str, np.ndarray]:
        """{layer: (frames,) or (bands, frames)} of test clip ``i`` (``clip_attention``)"""
        if i not in self.test_clips.index:
            raise IndexError(f"clip {i} is not a test clip of fold {self.record['fold']}")
        kept = self._maps.get(self._clip_name(i))
        if kept is not None:
            return {layer: value.astype(np.float64) for layer, value in kept.items()}
        return clip_attention(self.model, self.features[i])

    def summaries(self) -> dict[str, dict[str, float]]:
        """``model_summaries`` of the trained network over its fold's test segments (kept,
        else computed)"""
        if "summaries" in self._meta:
            return self._meta["summaries"]
        return model_summaries(self.model, lambda: self.fold_data.X_test)

    def untrained(self, seed: int = 0):
        """The same network with freshly initialised weights (seeded) and the training fold's
        normaliser, built from the experiment and the record: no trained weights needed"""
        import torch

        from ascnb.models import build_model

        exp = self.exp.resolve()
        torch.manual_seed(seed)
        twin = build_model(exp.model, len(self.record["classes"]), tuple(self.record["input_shape"]),
                           **exp.model_params).eval()
        twin.normaliser = self.normaliser
        return twin


def keep_attention(attention: RecordAttention, per_class: int = KEPT_PER_CLASS) -> Path:
    """Keep beside its record the maps of the first ``per_class`` test clips of each class and
    the model's summaries, computed from the trained network (float16 maps, npz, written
    atomically); returns the path. The pages then need no weights for those clips"""
    import io
    import json

    from ascnb.atomic import atomic_write
    from ascnb.provenance import provenance

    chosen = first_per_class(attention.test_clips, per_class)
    model = attention.model
    arrays, files = {}, []
    for k, i in enumerate(chosen):
        files.append(attention._clip_name(i))
        for layer, value in clip_attention(model, attention.features[i]).items():
            arrays[f"map/{k}/{layer}"] = value.astype(np.float16)
    state = provenance()
    meta = {"record": _record_key(attention.record), "files": files, "per_class": per_class,
            "normaliser": model.normaliser.state_dict(),
            "summaries": model_summaries(model, lambda: attention.fold_data.X_test),
            "git_commit": state["git_commit"], "git_dirty": state["git_dirty"]}
    buffer = io.BytesIO()
    np.savez_compressed(buffer, meta=np.array(json.dumps(meta)), **arrays)
    with atomic_write(attention.path) as tmp:
        tmp.write_bytes(buffer.getvalue())
    attention._read()
    return attention.path
