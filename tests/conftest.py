"""Shared fixtures: where the real ESC-10 lives, and small helpers every test file may use"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# ../shared beside the checkout (CI clones main with shared/ beside it); ASCNB_SHARED overrides
SHARED = Path(os.environ.get("ASCNB_SHARED", REPO.parent / "shared"))
ESC10_ROOT = SHARED / "data" / "ESC-10"


@pytest.fixture(scope="session")
def esc10_root() -> Path:
    """The real ESC-10 (400 Ogg clips, ESC-50 layout); skips only when ../shared is absent"""
    if not (ESC10_ROOT / "meta" / "esc50.csv").is_file():
        pytest.skip(f"real ESC-10 not found at {ESC10_ROOT} (../shared is absent)")
    return ESC10_ROOT


# ESC-50 classes of the tiny download below: (target, category, in ESC-10)
TINY_ESC50_CLASSES = ((0, "dog", True), (5, "cat", False), (12, "crackling_fire", True),
                      (47, "airplane", False))


@pytest.fixture
def esc50_download(tmp_path_factory) -> Path:
    """A data root as `python -m ascnb data download esc50` leaves it: DATA/ESC-50-master with
    audio/ and meta/esc50.csv in the official WAV layout; 4 classes (2 of them ESC-10's) in
    folds 1 and 2, one 0.5 s clip each (read as 5 s, zero padded). Returns DATA"""
    import numpy as np
    import pandas as pd
    import soundfile as sf

    data = tmp_path_factory.mktemp("data")
    root = data / "ESC-50-master"
    (root / "audio").mkdir(parents=True)
    (root / "meta").mkdir()
    rows, rng = [], np.random.default_rng(50)
    for i, (target, category, esc10) in enumerate(TINY_ESC50_CLASSES):
        for fold in (1, 2):
            filename = f"{fold}-{7000 + i}-A-{target}.wav"
            sf.write(root / "audio" / filename, 0.1 * rng.standard_normal(22050), 44100)
            rows.append(dict(filename=filename, fold=fold, target=target, category=category,
                             esc10=esc10, src_file=7000 + i, take="A"))
    pd.DataFrame(rows).to_csv(root / "meta" / "esc50.csv", index=False)
    return data
