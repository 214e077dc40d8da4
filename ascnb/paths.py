"""Where things live: one resolver per folder, each overridable by an argument or a variable

Book: book/reproduce.md ("Get the real data"; "What a record holds"). Every module asks here instead of computing
paths from its own ``__file__``:

    repo            the checkout (the folder holding ascnb/)
    data_root       datasets: ``root`` argument, else $ASCNB_DATA, else <repo>/data
    results_dir     result records: argument, else $ASCNB_RESULTS, else <repo>/results
    runs_dir        checkpoints and trained weights: argument, else $ASCNB_RUNS, else <repo>/runs
    cache_dir       feature cache: argument, else $ASCNB_CACHE, else <repo>/cache/features
    shared_dir      the workplace's shared folder beside the checkout ($ASCNB_SHARED overrides)

A relative path given as an argument is taken from the current folder, except through
``project_path``, which reads it from the repository root (what notebooks want, whatever
folder their kernel starts in).
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _resolve(value: str | Path | None, variable: str, default: Path) -> Path:
    if value is not None and str(value) != "":
        return Path(value).expanduser()
    if os.environ.get(variable):
        return Path(os.environ[variable]).expanduser()
    return default


def project_path(path: str | Path) -> Path:
    """A relative path taken from the repository root; an absolute one as it is"""
    path = Path(path).expanduser()
    return path if path.is_absolute() else REPO / path


def data_root(root: str | Path | None = None) -> Path:
    """Where datasets live: ``root``, else $ASCNB_DATA, else <repo>/data"""
    return _resolve(root, "ASCNB_DATA", REPO / "data")


def results_dir(path: str | Path | None = None) -> Path:
    """Where result records live: ``path``, else $ASCNB_RESULTS, else <repo>/results"""
    return _resolve(path, "ASCNB_RESULTS", REPO / "results")


def runs_dir(path: str | Path | None = None) -> Path:
    """Where checkpoints and weights go: ``path``, else $ASCNB_RUNS, else <repo>/runs"""
    return _resolve(path, "ASCNB_RUNS", REPO / "runs")


def cache_dir(path: str | Path | None = None) -> Path:
    """Where extracted features are cached: ``path``, else $ASCNB_CACHE, else <repo>/cache/features"""
    return _resolve(path, "ASCNB_CACHE", REPO / "cache" / "features")


def shared_dir() -> Path:
    """The shared folder beside the checkout (real ESC-10 under data/ESC-10): $ASCNB_SHARED overrides"""
    return _resolve(None, "ASCNB_SHARED", REPO.parent / "shared")


def generated_dir() -> Path:
    """Where executed notebooks go for the book"""
    return REPO / "book" / "_generated"
