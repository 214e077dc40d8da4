"""Datasets: ESC-50/ESC-10, DCASE 2016 Task 1 and the synthetic scenes, with folds and downloads

Book: notebooks/01-data.ipynb. Every corpus loads as an ``AudioDataset`` through
``load_dataset(name, root)``; clips are read at 44.1 kHz mono (``ascnb.data.audio``).
"""

from __future__ import annotations

from pathlib import Path

from ascnb.data.audio import SAMPLE_RATE, AudioError, fit_length, read_audio
from ascnb.data.dataset import AudioDataset, DatasetError, data_root, summarise
from ascnb.data.dcase2016 import load_dcase2016
from ascnb.data.downloads import REGISTRY, DownloadError, download
from ascnb.data.esc50 import load_esc50
from ascnb.data.synthetic import ensure_synthetic, generate_synthetic, load_synthetic

DATASETS = ("esc50", "dcase2016", "synthetic")

__all__ = [
    "SAMPLE_RATE", "AudioError", "fit_length", "read_audio", "AudioDataset", "DatasetError",
    "data_root", "summarise", "load_dcase2016", "REGISTRY", "DownloadError", "download",
    "load_esc50", "ensure_synthetic", "generate_synthetic", "load_synthetic", "DATASETS",
    "load_dataset",
]


def load_dataset(name: str, root: str | Path | None = None, *, subset: str | None = None,
                 protocol: str = "cv", resample: bool = False, **kw) -> AudioDataset:
    """Load a dataset by name from ``root`` (default: its folder under data_root())

    name "esc50" (subset None or "esc10"), "dcase2016" (protocol "cv" or "eval"),
    "synthetic" (root: a set written by ``data synth``, or a data root under which the set
    for the generator parameters ``kw`` is generated on first use). resample: resample files not at 44.1 kHz instead of refusing them
    """
    if name == "esc10":  # convenience spelling
        name, subset = "esc50", subset or "esc10"
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; known: {DATASETS}")
    if subset is not None and name != "esc50":
        raise ValueError(f"unknown subset {subset!r} for {name}; only esc50 has subsets ('esc10')")
    if protocol != "cv" and name != "dcase2016":
        raise ValueError(f"unknown protocol {protocol!r} for {name}; only dcase2016 has "
                         "protocols ('cv', 'eval')")
    if kw and name != "synthetic":
        raise ValueError(f"unknown argument(s) {sorted(kw)} for {name}")
    if name == "esc50":
        return load_esc50(data_root(root), subset=subset, resample=resample)
    if name == "dcase2016":
        return load_dcase2016(data_root(root), protocol=protocol, resample=resample)
    # a synthetic set itself, or a data root under which the set for ``kw`` is kept
    if root is not None and not kw and (Path(root) / "meta" / "synthetic.json").is_file():
        return load_synthetic(root, resample=resample)
    dataset = ensure_synthetic(root, **kw)
    return dataset if not resample else load_synthetic(dataset.root, resample=True)
