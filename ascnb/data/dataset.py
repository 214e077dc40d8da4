"""One dataset object for every corpus: a table of clips, its classes and its folds

Book: notebooks/01-data.ipynb ("Clips, classes and folds"). ESC-50/ESC-10, DCASE 2016 and the
synthetic scenes all become an ``AudioDataset``, so the features, models and training code
never ask which corpus they are running on.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import soundfile as sf

from ascnb.data.audio import SAMPLE_RATE, AudioError, read_audio

class DatasetError(ValueError):
    """A dataset folder that cannot be used: wrong layout, missing column, missing listed file"""


@dataclass(frozen=True, eq=False)
class AudioDataset:
    """Clips of one corpus with their labels and folds

    clips: one row per clip, columns filename, path (absolute), fold (int), label (0..K-1),
      category (str), plus corpus-specific columns; its index is the clip's position
    classes: classes[label] == category
    splits: fold -> (train paths, test paths) where the corpus fixes them (DCASE 2016);
      None means train = every other fold, test = this fold (ESC-50, synthetic)
    resample: resample files at another rate instead of refusing them (see ascnb.data.audio)
    events: ground truth of every event (synthetic scenes only)
    """

    name: str
    root: Path
    clips: pd.DataFrame
    classes: tuple[str, ...]
    sample_rate: int = SAMPLE_RATE
    clip_seconds: float | None = None
    folds: tuple = ()
    description: str = ""
    events: pd.DataFrame | None = None
    splits: Mapping | None = field(default=None, repr=False)
    resample: bool = False

    def __len__(self) -> int:
        return len(self.clips)

    def __repr__(self) -> str:
        return (f"AudioDataset({self.description or self.name}: {len(self.clips)} clips, "
                f"{len(self.classes)} classes, folds {self.folds})")

    def split(self, fold) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(train_clips, test_clips) of ``fold``; rows keep their position in ``clips`` as index"""
        if fold not in self.folds:
            raise ValueError(f"{self.name}: unknown fold {fold!r}; known folds: {self.folds}")
        if self.splits is not None:
            train_paths, test_paths = self.splits[fold]
            is_train = self.clips["path"].isin(set(train_paths))
            is_test = self.clips["path"].isin(set(test_paths))
        else:
            is_test = self.clips["fold"] == fold
            is_train = ~is_test
        return self.clips[is_train], self.clips[is_test]

    def read(self, i: int) -> np.ndarray:
        """Clip at position ``i`` as mono float32 at ``sample_rate``, cropped/padded to clip_seconds"""
        path = self.clips["path"].iloc[i]
        return read_audio(path, self.sample_rate, duration=self.clip_seconds, resample=self.resample)

    def restrict(self, clips: pd.DataFrame) -> AudioDataset:
        """The same dataset with fewer clips (rows of ``clips``, renumbered from 0)"""
        unknown = ~clips["path"].isin(set(self.clips["path"]))
        if unknown.any():
            raise ValueError(f"{self.name}: restrict() got clips not in the dataset: "
                             f"{list(clips['filename'][unknown][:3])}")
        clips = clips.reset_index(drop=True)
        events = self.events
        if events is not None:
            events = events[events["filename"].isin(set(clips["filename"]))].reset_index(drop=True)
        return replace(self, clips=clips, events=events)

    def audio_info(self, *, errors: str = "raise") -> pd.DataFrame:
        """Header of every file (soundfile.info, no decoding): sample_rate, channels, seconds

        errors: "raise": AudioError naming the first file whose header cannot be read;
        "collect": its row holds NaN and, in column ``problem``, what is wrong (None elsewhere)
        """
        if errors not in ("raise", "collect"):
            raise ValueError(f"errors must be 'raise' or 'collect', got {errors!r}")
        rows = []
        for path in self.clips["path"]:
            try:
                if os.path.getsize(path) == 0:
                    raise AudioError(f"{path}: audio file is empty (0 bytes)")
                info = sf.info(path)
            except Exception as error:
                problem = error if isinstance(error, AudioError) else AudioError(
                    f"{path}: cannot read the audio header ({error})")
                if errors == "raise":
                    raise problem from error
                rows.append({"path": path, "sample_rate": np.nan, "channels": np.nan,
                             "seconds": np.nan, "subtype": None, "problem": str(problem)})
                continue
            rows.append({"path": path, "sample_rate": info.samplerate, "channels": info.channels,
                         "seconds": info.frames / info.samplerate, "subtype": info.subtype,
                         "problem": None})
        return pd.DataFrame(rows, index=self.clips.index)


def check_columns(table: pd.DataFrame, required: list[str], source: Path) -> None:
    """Raise DatasetError naming ``source`` and the missing columns"""
    missing = [column for column in required if column not in table.columns]
    if missing:
        raise DatasetError(f"{source}: missing column(s) {missing}; "
                           f"expected {required}, found {list(table.columns)}")


def check_files_exist(paths: list[str] | pd.Series, source: Path) -> None:
    """Raise DatasetError naming the listed files that are not on disk"""
    missing = [path for path in paths if not os.path.isfile(path)]
    if missing:
        shown = "\n  ".join(missing[:10]) + ("\n  …" if len(missing) > 10 else "")
        raise DatasetError(f"{source}: {len(missing)} listed audio file(s) are missing:\n  {shown}")


def check_audio(dataset: AudioDataset) -> list[str]:
    """Decode every clip and name each problem: unreadable, truncated, empty, NaN/inf samples,
    another sample rate, all-silent (one line per file, naming it)"""
    problems = []
    for path in dataset.clips["path"]:
        try:
            x = read_audio(path, dataset.sample_rate, resample=dataset.resample)
        except AudioError as error:
            problems.append(str(error))
            continue
        if not np.any(x):
            problems.append(f"{path}: every sample is zero (a silent clip)")
    return problems


def fold_counts(dataset: AudioDataset) -> pd.DataFrame:
    """Test clips per fold beside the official release's counts (where the registry knows them)"""
    from ascnb.data.registry import DATASETS

    official = DATASETS[dataset.name].official_clips if dataset.name in DATASETS else {}
    rows = []
    for fold in sorted(set(dataset.folds) | set(official), key=str):
        here = len(dataset.split(fold)[1]) if fold in dataset.folds else 0
        expected = official.get(fold)
        status = ("missing" if fold not in dataset.folds else
                  "" if expected is None or here == expected else f"{expected - here} missing")
        rows.append({"fold": fold, "test clips": here, "official": expected if expected is not None else "",
                     "status": status})
    return pd.DataFrame(rows).set_index("fold")


def summarise(dataset: AudioDataset, info: pd.DataFrame | None = None) -> str:
    """Clips per class and per fold against the official counts, duration and sample rates
    (a check of a download; ``check_audio`` decodes every file). A file whose header cannot
    be read is named on a line of its own ("UNREADABLE …"), after the counts of the others.
    info: ``dataset.audio_info(errors="collect")`` when the caller has it already"""
    info = dataset.audio_info(errors="collect") if info is None else info
    unreadable = info["problem"].dropna()
    info = info[info["problem"].isna()].astype({"sample_rate": int, "channels": int})
    clips = dataset.clips
    lines = [f"{dataset.description or dataset.name}", f"root: {dataset.root}",
             f"clips: {len(clips)}   classes: {len(dataset.classes)}   folds: {dataset.folds}"]
    total = info["seconds"].sum()
    lines.append(f"total duration: {total:.1f} s ({total / 3600:.2f} h)")
    rates = info["sample_rate"].value_counts().sort_index()
    lines.append("sample rates: " + ", ".join(f"{n} clips at {rate} Hz" for rate, n in rates.items()))
    channels = info["channels"].value_counts().sort_index()
    lines.append("channels: " + ", ".join(f"{n} clips with {c}" for c, n in channels.items()))
    lines.append("")
    by = "set" if "set" in clips.columns and clips["set"].nunique() > 1 else "fold"
    per_class = pd.crosstab(clips["category"], clips[by], margins=True, margins_name="total")
    lines.append(f"clips per class (columns: {by})")
    lines.append(per_class.to_string())
    if dataset.splits is not None:
        lines.append("")
        lines.append("official splits (train / test clips)")
        for fold in dataset.folds:
            train, test = dataset.split(fold)
            lines.append(f"  fold {fold}: {len(train)} / {len(test)}")
    counts = fold_counts(dataset)
    lines += ["", "test clips per fold (official: the release's count)", counts.to_string()]
    missing = [str(fold) for fold, row in counts.iterrows() if row["status"] == "missing"]
    if missing:
        lines.append(f"MISSING FOLDS: {', '.join(missing)} (a partial download?)")
    short = [str(fold) for fold, row in counts.iterrows() if row["status"].endswith("missing")
             and row["status"] != "missing"]
    if short:
        lines.append(f"INCOMPLETE FOLDS: {', '.join(short)} hold fewer clips than the release")
    odd_rates = info[info["sample_rate"] != dataset.sample_rate]
    for path, rate in zip(odd_rates["path"], odd_rates["sample_rate"]):
        lines.append(f"{path}: sample rate {rate} Hz, expected {dataset.sample_rate} Hz")
    if len(unreadable):
        lines.append(f"UNREADABLE: {len(unreadable)} file(s) whose audio header cannot be read")
        lines += list(unreadable)
    return "\n".join(lines)
