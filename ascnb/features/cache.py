"""Features of a whole dataset, extracted in parallel once and kept on disk

Book: notebooks/02-features.ipynb ("Computing features once"). Each clip's features are one
.npy file whose name is a sha256 of a key: the audio file (absolute path, size, mtime_ns), how
it is read (sample rate, clip length, resampling), the full feature config (``to_dict()``) and
the versions of the code and libraries that compute it. Changing any of these gives a new
entry; nothing is ever overwritten with different content.

Entries are written to a temporary file in the cache folder and moved into place with
os.replace, so an interrupted run or a clip that fails (corrupt audio: AudioError naming the
file) leaves no half-written entry. Default folder: $ASCNB_CACHE if set, else <repo>/cache/features.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

import numpy as np

from ascnb.features.config import FeatureConfig, feature_config
from ascnb.features.extract import extract

REPO = Path(__file__).resolve().parents[2]
# bump when extract() changes what it computes for the same config
FEATURES_CODE_VERSION = 1


def default_cache_dir() -> Path:
    """$ASCNB_CACHE if set, else <repo>/cache/features"""
    if os.environ.get("ASCNB_CACHE"):
        return Path(os.environ["ASCNB_CACHE"]).expanduser()
    return REPO / "cache" / "features"


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


def save_atomic(path: Path, array: np.ndarray) -> None:
    """np.save to a temporary file beside ``path``, then os.replace: never a partial ``path``"""
    if not path.parent.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            np.save(file, array)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
        """The stored array, or None when absent or unreadable (then recomputed and replaced)"""
        path = self.path(key)
        if not path.is_file():
            return None
        try:
            return np.load(path)
        except (OSError, ValueError, EOFError):
            return None

    def store(self, key: dict, array: np.ndarray) -> Path:
        path = self.path(key)
        save_atomic(path, np.asarray(array))
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
    except Exception as error:
        raise ValueError(f"{path}: feature extraction failed ({error})") from error


def _compute_and_store(i: int, path: str, config: FeatureConfig, clip_seconds, resample,
                       cache_dir: str, key: dict) -> tuple[int, np.ndarray]:
    """One worker's job: features of clip ``i``, stored in the cache before returning"""
    cache = FeatureCache(cache_dir)
    return i, cache.get_or_compute(key, lambda: clip_features(path, config, clip_seconds, resample))


def default_n_jobs() -> int:
    """The cores this process may use"""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def compute_features(dataset, config: FeatureConfig | str | dict, *, cache_dir=None, n_jobs: int | None = None,
                     progress: bool = True) -> list[np.ndarray]:
    """Features of every clip of ``dataset`` (an AudioDataset), aligned with dataset.clips rows

    config: a feature config, a kind ("logmel") or a to_dict() dict
    Clips already in the cache are loaded; the others are extracted in parallel over
    ``n_jobs`` processes (default: all cores; 1 = in this process) with a progress bar.
    Each array is float32 (channels, bands, frames). A clip that cannot be read raises
    AudioError naming its file, and leaves no cache entry for it
    """
    from joblib import Parallel, delayed
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
    n_jobs = min(n_jobs or default_n_jobs(), len(missing))
    jobs = [(i, paths[i], config, dataset.clip_seconds, resample, str(cache.cache_dir), keys[i])
            for i in missing]
    bar = tqdm(total=len(missing), disable=not progress, unit="clip",
               desc=f"{config.kind} features ({len(paths) - len(missing)} cached)")
    with bar:
        if n_jobs == 1:
            results = (_compute_and_store(*job) for job in jobs)
        else:
            parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
            results = parallel(delayed(_compute_and_store)(*job) for job in jobs)
        for i, array in results:
            features[i] = array
            bar.update(1)
    return features
