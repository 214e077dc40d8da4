"""One fold's data, ready for a network: the pipeline's and the attention figures' common step

Book: notebooks/13, 24 and 30 (attention over whole clips) use it beside the pipeline, so
that their figures see the clips, features and statistics the network was tested with.

    features = compute_features(dataset, exp.feature_config())  # one (C, F, T) per clip
    data = prepare_fold(exp, dataset, features, fold=1)
    data.X_train, data.y_train       # normalised training segments (n, C, F, T) and labels
    data.X_test, data.clip_of_test   # normalised test segments and the test clip of each
    data.test_clips                  # the test clips (rows of dataset.clips, same index)
    data.check_record(record, model) # the fold a record was trained and tested on?

The steps: the corpus's split of ``fold`` -> the training clips' features (+ the cached
augmented copies when the recipe asks for them) -> segments -> a ``Normaliser`` fitted on the
training segments only (the experiment's rule: one mean/std per channel for both papers) ->
the same statistics applied to the test segments.

A split a network cannot learn from (no test clip, no training clip, a test class no training
clip has) is refused; clips that are silent (every sample zero: their features are one value)
are named in a ``SilentClipWarning`` and kept, as the corpus has them.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd


class SilentClipWarning(UserWarning):
    """Clips of a split whose every sample is zero: trained or tested on as they are"""


@dataclass
class FoldData:
    """Everything one (experiment, fold) trains and tests on"""

    fold: object
    train_clips: pd.DataFrame
    test_clips: pd.DataFrame
    X_train: np.ndarray          # (n_train_segments, C, F, T), normalised
    y_train: np.ndarray          # (n_train_segments,)
    X_test: np.ndarray           # (n_test_segments, C, F, T), normalised
    clip_of_test: np.ndarray     # (n_test_segments,) position of each segment's clip in test_clips
    y_test_clips: np.ndarray     # (n_test_clips,)
    normaliser: object
    classes: tuple

    @property
    def input_shape(self) -> tuple[int, int, int]:
        return tuple(int(s) for s in self.X_train.shape[1:])

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    def check_record(self, record: dict, model=None) -> None:
        """Raise ValueError unless this is the fold ``record`` was trained and tested on

        Compares the fold, the test files, the numbers of segments and their shape with the
        record's, and with ``model`` (``trained_model``) its training-fold normaliser with the
        one fitted here: a difference means the clips or their features changed since training.
        """
        found = {"fold": self.fold, "test_files": list(self.test_clips["filename"]),
                 "n_train_segments": len(self.X_train), "n_test_segments": len(self.X_test),
                 "input_shape": list(self.input_shape)}
        differ = [key for key, value in found.items() if key in record and record[key] != value]
        if model is not None and getattr(model, "normaliser", None) is not None:
            theirs, ours = model.normaliser, self.normaliser
            if not (np.allclose(theirs.mean, ours.mean, rtol=1e-5, atol=1e-6)
                    and np.allclose(theirs.std, ours.std, rtol=1e-5, atol=1e-6)):
                differ.append("normaliser")
        if differ:
            raise ValueError(f"fold {self.fold} prepared now differs from the one record "
                             f"{record.get('config_hash')} fold {record.get('fold')} seed "
                             f"{record.get('seed')} was trained on ({', '.join(differ)}): have "
                             "the clips or their cached features changed since?")


def check_split(dataset, fold, train_clips: pd.DataFrame, test_clips: pd.DataFrame) -> None:
    """Refuse a split a network cannot learn from: no test clip, or test classes never trained"""
    if len(test_clips) == 0:
        raise ValueError(f"{dataset.name}: fold {fold} has no test clip")
    if len(train_clips) == 0:
        raise ValueError(f"{dataset.name}: fold {fold} leaves no training clip")
    untrained = sorted(set(test_clips["label"]) - set(train_clips["label"]))
    if untrained:
        names = [dataset.classes[label] for label in untrained]
        raise ValueError(f"{dataset.name} ({dataset.root}): fold {fold} tests class(es) {names} "
                         f"that no training clip has ({len(train_clips)} training clips); "
                         "is the dataset complete?")


def is_silent(features: np.ndarray) -> bool:
    """Whether a clip's features (C, F, T) are those of silence: the first channel one value

    A clip whose every sample is zero has zero power everywhere, so its log spectrogram is
    the log of the floor (``amin``) in every bin; any sound, however quiet, varies it
    """
    first = np.asarray(features[0])
    return bool(first.size) and not np.any(first != first.flat[0])


def warn_silent_clips(dataset, fold, train_clips: pd.DataFrame, test_clips: pd.DataFrame,
                      features: list[np.ndarray]) -> list[str]:
    """Warn (SilentClipWarning) naming the silent clips of the split; returns their file names"""
    named = {}
    for part, clips in (("training", train_clips), ("test", test_clips)):
        named[part] = [str(name) for i, name in zip(clips.index, clips["filename"])
                       if is_silent(features[i])]
    silent = named["training"] + named["test"]
    if silent:
        parts = "; ".join(f"{len(names)} {part}: {names[:10]}{' …' if len(names) > 10 else ''}"
                          for part, names in named.items() if names)
        warnings.warn(SilentClipWarning(
            f"{dataset.name} ({dataset.root}): fold {fold}: {len(silent)} silent clip(s), every "
            f"sample zero ({parts}); they are used as they are (`python -m ascnb data summary "
            f"--dataset {dataset.name} --check` lists every problem file)"), stacklevel=3)
    return silent


def prepare_fold(exp, dataset, features: list[np.ndarray], fold, *, cache_dir=None,
                 n_jobs=None, progress: bool = False) -> FoldData:
    """The normalised segments of ``fold`` (see the module docstring)

    exp: an Experiment; dataset: ``experiment_dataset(exp)``; features: one (C, F, T) array per
    clip of ``dataset`` (``ascnb.features.compute_features``)
    """
    from ascnb.features import Normaliser, segment
    from ascnb.train import augmented_features

    exp = exp.resolve()
    segments = exp.segment_config()
    recipe = exp.train_config()
    labels = dataset.clips["label"].to_numpy()
    train_clips, test_clips = dataset.split(fold)
    check_split(dataset, fold, train_clips, test_clips)
    warn_silent_clips(dataset, fold, train_clips, test_clips, features)
    train_pos, test_pos = train_clips.index.to_numpy(), test_clips.index.to_numpy()

    train_features = [features[i] for i in train_pos]
    y_train_clips = labels[train_pos]
    if recipe.waveform_augment:  # stretched and pitch-shifted copies, computed once and cached
        extra, source = augmented_features(dataset.restrict(train_clips), exp.feature_config(),
                                           recipe.waveform_augment, cache_dir=cache_dir,
                                           n_jobs=n_jobs, progress=progress)
        train_features += extra
        y_train_clips = np.concatenate([y_train_clips, y_train_clips[source]])
    X_train, clip_of_train = segment(train_features, segments)  # (n, C, F, T)
    X_test, clip_of_test = segment([features[i] for i in test_pos], segments)
    if segments.length is None and X_test.shape[-1] != X_train.shape[-1]:
        raise ValueError("no-split segmentation needs clips of one length in train and test")

    normaliser = Normaliser(per=exp.normalise).fit(X_train)  # training fold only
    return FoldData(fold=fold, train_clips=train_clips, test_clips=test_clips,
                    X_train=normaliser.transform(X_train), y_train=y_train_clips[clip_of_train],
                    X_test=normaliser.transform(X_test), clip_of_test=clip_of_test,
                    y_test_clips=labels[test_pos], normaliser=normaliser,
                    classes=tuple(dataset.classes))
