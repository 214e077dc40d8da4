"""Features of a whole dataset, extracted in parallel once and kept on disk

Book: notebooks/02-features.ipynb ("Computing features once"). Each clip's features are one
.npy file whose name is a sha256 of a key: the audio file (absolute path, size, mtime_ns), how
it is read (sample rate, clip length, resampling), the full feature config (``to_dict()``) and
the versions of the code and libraries that compute it. Changing any of these gives a new
entry; nothing is ever overwritten with different content.

Entries are written to a temporary file in the cache folder and moved into place with
os.replace, so an interrupted run or a clip that fails (corrupt audio: AudioError naming the
file) leaves no half-written entry. An entry that cannot be read or holds NaN/inf (a flipped
bit) is named in a ``BadCacheEntryWarning``, set aside as ``<entry>.npy.bad`` and recomputed.
Default folder: $ASCNB_CACHE if set, else <repo>/cache/features.

Parallel extraction (``compute_features``): the first missing clip is extracted in this
process (which imports and warms librosa and builds the filterbank), then the others in
``n_jobs`` worker processes forked from it (``ascnb.features.workers``), so that a worker
starts in milliseconds instead of re-importing librosa, scipy and numba (~2 s each, as long as
extracting 150 clips). Where forking is not safe (not Linux, or inside a daemonic process such
as a Dask worker) the workers are joblib's (loky). Whoever extracts a clip computes the same
bits (``ascnb.features.extract``: one BLAS thread).
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Callable, Iterator
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

import numpy as np

from ascnb.atomic import CorruptFileWarning, set_aside, write_with
from ascnb.features.config import FeatureConfig, feature_config
from ascnb.features.extract import NonFiniteFeaturesError, extract
from ascnb.features.workers import can_fork, resolve_n_jobs, worker_pool

# bump when extract() changes what it computes for the same config
# 2: the filterbank product with one BLAS thread (entries of a multi-threaded process differed)
FEATURES_CODE_VERSION = 2


class BadCacheEntryWarning(CorruptFileWarning):
    """A cache entry that could not be used was set aside and will be recomputed"""


def default_cache_dir() -> Path:
    """$ASCNB_CACHE if set, else <repo>/cache/features (``ascnb.paths.cache_dir``)"""
    from ascnb.paths import cache_dir

    return cache_dir()


@lru_cache(maxsize=1)
def _versions() -> tuple:
    import soundfile

    return tuple({"ascnb.features": FEATURES_CODE_VERSION, "librosa": version("librosa"),
            "spafe": version("spafe"), "soundfile": version("soundfile"),
            "libsndfile": soundfile.__libsndfile_version__}.items())


def library_versions() -> dict:
    """Versions that can change the features of the same audio and config"""
    return dict(_versions())


def key_digest(key: dict) -> str:
    """sha256 of the key as canonical JSON"""
    text = json.dumps(key, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def save_array(path: Path, array: np.ndarray) -> None:
    """np.save, atomically (``ascnb.atomic``): never a partial entry"""
    def write(tmp: Path) -> None:
        with open(tmp, "wb") as file:
            np.save(file, array)

    write_with(path, write)


class FeatureCache:
    """Arrays on disk keyed by a dict: ``get_or_compute(key, compute)``

    Reused by the augmentation code: key = anything JSON-serialisable that determines the array
    """

    def __init__(self, cache_dir: str | Path | None = None):
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()

    def __repr__(self) -> str:
        return f"FeatureCache({str(self.cache_dir)!r})"

    def path(self, key: dict) -> Path:
        digest = key_digest(key)
        return self.cache_dir / digest[:2] / f"{digest}.npy"

    def load(self, key: dict) -> np.ndarray | None:
        """The stored array, or None when absent; an unreadable entry or one holding NaN/inf
        is set aside (``set_aside``, with a warning naming it) and None returned: recomputed"""
        path = self.path(key)
        if not path.is_file():
            return None
        try:
            array = np.load(path)
        except (OSError, ValueError, EOFError) as error:
            self.set_aside(path, f"unreadable ({error})")
            return None
        if np.issubdtype(array.dtype, np.inexact) and not np.isfinite(array).all():
            bad = int(np.count_nonzero(~np.isfinite(array)))
            self.set_aside(path, f"holds {bad} NaN or infinite values of {array.size}")
            return None
        return array

    @staticmethod
    def set_aside(path: Path, why: str) -> None:
        """Rename a bad entry to <entry>.npy.bad (replacing an older one) and warn naming it"""
        set_aside(path, f"bad feature cache entry ({why})", suffix=".bad",
                  category=BadCacheEntryWarning, then="recomputing it", stacklevel=4)

    def store(self, key: dict, array: np.ndarray) -> Path:
        path = self.path(key)
        save_array(path, np.asarray(array))
        return path

    def get_or_compute(self, key: dict, compute: Callable[[], np.ndarray]) -> np.ndarray:
        """Load the array of ``key``, or compute it, store it atomically and return it"""
        array = self.load(key)
        if array is None:
            array = np.asarray(compute())
            self.store(key, array)
        return array


def clip_key(path: str | Path, config: FeatureConfig, *, clip_seconds: float | None,
             resample: bool = False) -> dict:
    """Cache key of one clip's features; raises AudioError when the file is missing"""
    from ascnb.data.audio import AudioError

    path = Path(path).resolve()
    try:
        stat = path.stat()
    except OSError as error:
        raise AudioError(f"{path}: audio file is missing ({error.strerror})") from error
    return {"audio": {"path": str(path), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns},
            "read": {"sample_rate": config.sample_rate, "clip_seconds": clip_seconds,
                     "resample": bool(resample)},
            "features": config.to_dict(), "versions": library_versions()}


def clip_features(path: str, config: FeatureConfig, clip_seconds: float | None, resample: bool) -> np.ndarray:
    """Read one clip (cropped/padded to clip_seconds) and extract its features"""
    from ascnb.data.audio import read_audio

    x = read_audio(path, config.sample_rate, duration=clip_seconds, resample=resample)
    try:
        return extract(config, x)
    except NonFiniteFeaturesError as error:
        raise NonFiniteFeaturesError(f"{path}: {error}") from error
    except Exception as error:
        raise ValueError(f"{path}: feature extraction failed ({error})") from error


def _compute_and_store(i: int, path: str, config: FeatureConfig, clip_seconds, resample,
                       cache_dir: str, key: dict) -> tuple[int, np.ndarray]:
    """One worker's job: features of clip ``i``, stored in the cache before returning"""
    cache = FeatureCache(cache_dir)
    return i, cache.get_or_compute(key, lambda: clip_features(path, config, clip_seconds, resample))


def _compute_chunk(jobs: list[tuple]) -> list[tuple[int, np.ndarray]]:
    """A forked worker's job: several clips, so that each round trip carries more work"""
    return [_compute_and_store(*job) for job in jobs]


def _forked(jobs: list[tuple], n_jobs: int) -> Iterator[tuple[int, np.ndarray]]:
    """(i, features) of every job from ``n_jobs`` processes forked from this one, as they finish"""
    from concurrent.futures import FIRST_COMPLETED, wait

    size = max(1, min(8, len(jobs) // (4 * n_jobs)))  # >= 4 chunks per worker: balanced ends
    chunks = [jobs[k:k + size] for k in range(0, len(jobs), size)]
    executor = worker_pool(n_jobs)
    with warnings.catch_warnings():
        # Python >= 3.12 warns on any fork of a process with threads (the workers fork on the
        # first submits); the children only read audio and run numpy/librosa: no OpenMP,
        # nothing the parent's threads work with
        warnings.simplefilter("ignore", DeprecationWarning)
        pending = {executor.submit(_compute_chunk, chunk) for chunk in chunks}
    try:
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield from future.result()
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def _extract_all(jobs: list[tuple], n_jobs: int) -> Iterator[tuple[int, np.ndarray]]:
    """(i, features) of every job: the first here, the others here (n_jobs 1) or in workers"""
    yield _compute_and_store(*jobs[0])  # warms this process before any worker is forked
    rest = jobs[1:]
    n_jobs = min(n_jobs, len(rest))
    if n_jobs <= 1:
        yield from (_compute_and_store(*job) for job in rest)
    elif can_fork():
        yield from _forked(rest, n_jobs)
    else:
        from joblib import Parallel, delayed

        parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
        yield from parallel(delayed(_compute_and_store)(*job) for job in rest)


def compute_features(dataset, config: FeatureConfig | str | dict, *, cache_dir=None, n_jobs: int | None = None,
                     progress: bool = True) -> list[np.ndarray]:
    """Features of every clip of ``dataset`` (an AudioDataset), aligned with dataset.clips rows

    config: a feature config, a kind ("logmel") or a to_dict() dict
    Clips already in the cache are loaded; the others are extracted in parallel over
    ``n_jobs`` processes (default: all cores; 1 = in this process) with a progress bar.
    Each array is float32 (channels, bands, frames), the same bits whatever ``n_jobs`` and
    whichever clips were cached. A clip that cannot be read raises AudioError naming its
    file, one whose features are not finite NonFiniteFeaturesError naming it; neither leaves
    a cache entry. A bad cache entry is set aside with a BadCacheEntryWarning and recomputed
    """
    from tqdm.auto import tqdm

    if isinstance(config, str):
        config = feature_config(config)
    elif isinstance(config, dict):
        config = feature_config(**config)
    if dataset.sample_rate != config.sample_rate:
        raise ValueError(f"{dataset.name}: clips are read at {dataset.sample_rate} Hz but the "
                         f"{config.kind} config expects input at {config.sample_rate} Hz")
    cache = FeatureCache(cache_dir)
    resample = bool(getattr(dataset, "resample", False))
    paths = [str(p) for p in dataset.clips["path"]]
    keys = [clip_key(p, config, clip_seconds=dataset.clip_seconds, resample=resample) for p in paths]

    features: list[np.ndarray | None] = [cache.load(key) for key in keys]
    missing = [i for i, array in enumerate(features) if array is None]
    if not missing:
        return features
    jobs = [(i, paths[i], config, dataset.clip_seconds, resample, str(cache.cache_dir), keys[i])
            for i in missing]
    bar = tqdm(total=len(missing), disable=not progress, unit="clip",
               desc=f"{config.kind} features ({len(paths) - len(missing)} cached)")
    with bar:
        for i, array in _extract_all(jobs, resolve_n_jobs(n_jobs)):
            features[i] = array
            bar.update(1)
    return features
