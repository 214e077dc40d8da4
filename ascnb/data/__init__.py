"""Datasets: ESC-50/ESC-10, DCASE 2016 Task 1 and the synthetic scenes, with folds and downloads

Book: notebooks/01-data.ipynb. Every corpus loads as an ``AudioDataset`` through
``load_dataset(name, root, **params)`` with a name of ``DATASETS`` ("synthetic", "esc10",
"esc50", "dcase2016"; ``ascnb.data.registry``); clips are read at 44.1 kHz mono
(``ascnb.data.audio``).
"""

from __future__ import annotations

from ascnb.data.audio import SAMPLE_RATE, AudioError, fit_length, read_audio
from ascnb.data.dataset import AudioDataset, DatasetError, summarise
from ascnb.data.dcase2016 import load_dcase2016
from ascnb.paths import data_root
from ascnb.data.downloads import REGISTRY, DownloadError, download
from ascnb.data.esc50 import load_esc50
from ascnb.data.registry import (DATASETS, DatasetSpec, dataset_spec, load_dataset,
                                 register_dataset)
from ascnb.data.synthetic import ensure_synthetic, generate_synthetic, load_synthetic

__all__ = [
    "SAMPLE_RATE", "AudioError", "fit_length", "read_audio", "AudioDataset", "DatasetError",
    "data_root", "summarise", "load_dcase2016", "REGISTRY", "DownloadError", "download",
    "load_esc50", "ensure_synthetic", "generate_synthetic", "load_synthetic", "DATASETS",
    "DatasetSpec", "dataset_spec", "load_dataset", "register_dataset",
]
