"""Shared fixtures: the small synthetic scenes every test may run on, and the real ESC-10 as an extra

Tests that need audio take ``audio_dataset``: it runs them on a small synthetic-scenes set
written by the package (always there), and once more on the real ESC-10 of ../shared under the
``esc10`` marker. Without ../shared only ``esc10`` tests may skip for it: a test that uses the
real ESC-10 without the marker is refused at collection, and one that skips for the missing
folder without the marker fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ascnb.data import AudioDataset, generate_synthetic, load_dataset
from ascnb.paths import shared_dir

# ../shared beside the checkout (CI clones main with shared/ beside it); ASCNB_SHARED overrides
ESC10_ROOT = shared_dir() / "data" / "ESC-10"
NO_SHARED = "../shared is absent"
# the scenes the tests run on: 5-s clips at 44.1 kHz like ESC-10's (the same feature shapes),
# 5 classes x 4 folds of one clip each, so that rows 0, 7 and 19 are three classes
SCENES = {"classes": 5, "clips_per_class": 4, "duration": 5.0, "folds": 4}


@pytest.fixture(scope="session")
def esc10_root() -> Path:
    """The real ESC-10 (400 Ogg clips, ESC-50 layout); skips only when ../shared is absent"""
    if not (ESC10_ROOT / "meta" / "esc50.csv").is_file():
        pytest.skip(f"real ESC-10 not found at {ESC10_ROOT} ({NO_SHARED})")
    return ESC10_ROOT


# ESC-50 classes of the tiny download below: (target, category, in ESC-10)
TINY_ESC50_CLASSES = ((0, "dog", True), (5, "cat", False), (12, "crackling_fire", True),
                      (47, "airplane", False))


@pytest.fixture
def esc50_download(tmp_path_factory) -> Path:
    """A data root as `python -m ascnb data download esc50` leaves it: DATA/ESC-50-master with
    audio/ and meta/esc50.csv in the official WAV layout; 4 classes (2 of them ESC-10's) in
    folds 1 and 2, one 0.5 s clip each (read as 5 s, zero padded). Returns DATA"""
    data = tmp_path_factory.mktemp("data")
    write_esc50_layout(data / "ESC-50-master", TINY_ESC50_CLASSES, seed=50, first_source=7000)
    return data


def write_esc50_layout(root: Path, classes, folds=(1, 2), seed: int = 0, first_source: int = 100) -> Path:
    """The official ESC-50 WAV layout under ``root`` (audio/ + meta/esc50.csv): one 0.5 s noise
    clip per class and fold; ``classes``: (target, category, in ESC-10) each. Returns root"""
    import numpy as np
    import pandas as pd
    import soundfile as sf

    (root / "audio").mkdir(parents=True, exist_ok=True)
    (root / "meta").mkdir(exist_ok=True)
    rows, rng = [], np.random.default_rng(seed)
    for i, (target, category, esc10) in enumerate(classes):
        for fold in folds:
            filename = f"{fold}-{first_source + i}-A-{target}.wav"
            sf.write(root / "audio" / filename, 0.1 * rng.standard_normal(22050), 44100)
            rows.append(dict(filename=filename, fold=fold, target=target, category=category,
                             esc10=esc10, src_file=first_source + i, take="A"))
    pd.DataFrame(rows).to_csv(root / "meta" / "esc50.csv", index=False)
    return root


@pytest.fixture
def esc50_layout():
    """``write_esc50_layout``, for tests that build their own ESC-50 folder"""
    return write_esc50_layout


@pytest.fixture(scope="session")
def scenes_root(tmp_path_factory) -> Path:
    """A small synthetic-scenes set (SCENES, ESC-50 layout, 20 WAV clips), written once per session"""
    root = tmp_path_factory.mktemp("scenes") / "scenes"
    generate_synthetic(root, **SCENES)
    return root


@pytest.fixture(scope="session", params=["synthetic", pytest.param("esc10", marks=pytest.mark.esc10)])
def audio_dataset(request) -> AudioDataset:
    """The clips a test runs on: the small synthetic scenes, then the real ESC-10 (marked esc10)"""
    root = request.getfixturevalue("scenes_root" if request.param == "synthetic" else "esc10_root")
    return load_dataset(request.param, root)


def pytest_collection_modifyitems(config, items):
    """The real ESC-10 only under the esc10 marker, so that nothing else skips without ../shared"""
    unmarked = [item.nodeid for item in items
                if "esc10_root" in getattr(item, "fixturenames", ()) and item.get_closest_marker("esc10") is None]
    if unmarked:
        raise pytest.UsageError("these tests use the real ESC-10 (esc10_root) without the esc10 marker; "
                                "run them on audio_dataset or mark them esc10:\n  " + "\n  ".join(unmarked))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A test that skips because ../shared is absent must carry the esc10 marker"""
    report = yield
    if report.skipped and NO_SHARED in str(report.longrepr) and item.get_closest_marker("esc10") is None:
        report.outcome = "failed"
        report.longrepr = (f"{item.nodeid} skipped because {NO_SHARED} but is not marked esc10: "
                           "run it on the synthetic scenes (audio_dataset) or mark it esc10")
    return report
