"""Data augmentation: waveform time stretch + pitch shift (cached) and mixup

Book: notebooks/21-acrnn-attention-augmentation.ipynb. ACRNN section 3.4: time stretch by a
factor from [0.8, 1.3] and pitch shift by [-3.5, 3.5] semitones "to increase raw training
data size", plus mixup (``ascnb.train.trainer.mixup_batch``, lambda ~ Beta(alpha, alpha)).

Each augmented copy of a training clip gets its own stretch factor and pitch shift, drawn
from a generator seeded by (seed, copy, file name), so the copies are the same on every run;
its features are computed once and kept in the feature cache (``FeatureCache``) under a key
that adds the augmentation to the clip's own feature key. A stretched clip is cropped or
zero-padded back to the clip's length.
"""

from __future__ import annotations

import zlib
from importlib.metadata import version

import numpy as np

STRETCH_RANGE = (0.8, 1.3)
SEMITONE_RANGE = (-3.5, 3.5)
# bump when augment_waveform changes what it computes
AUGMENT_CODE_VERSION = 1


def augmentation_params(filename: str, copy: int, seed: int = 0) -> tuple[float, float]:
    """(stretch rate, semitones) of augmented copy ``copy`` of the clip ``filename``"""
    rng = np.random.default_rng([seed, copy, zlib.crc32(str(filename).encode())])
    return float(rng.uniform(*STRETCH_RANGE)), float(rng.uniform(*SEMITONE_RANGE))


def augment_waveform(x: np.ndarray, sample_rate: int, stretch: float, semitones: float) -> np.ndarray:
    """Time-stretch by ``stretch`` (>1 faster), pitch-shift by ``semitones``, keep len(x)"""
    import librosa

    from ascnb.data.audio import fit_length

    y = librosa.effects.time_stretch(x, rate=stretch)
    y = librosa.effects.pitch_shift(y, sr=sample_rate, n_steps=semitones)
    return fit_length(y.astype(np.float32), len(x))


def _augmented_clip(path: str, config, clip_seconds, resample: bool, stretch: float,
                    semitones: float, cache_dir: str, key: dict) -> np.ndarray:
    from ascnb.data.audio import read_audio
    from ascnb.features import FeatureCache, extract

    def compute():
        from ascnb.features.extract import NonFiniteFeaturesError

        x = read_audio(path, config.sample_rate, duration=clip_seconds, resample=resample)
        try:
            return extract(config, augment_waveform(x, config.sample_rate, stretch, semitones))
        except NonFiniteFeaturesError as error:
            raise NonFiniteFeaturesError(f"{path} (augmented copy: stretch {stretch:.3f}, "
                                         f"{semitones:+.2f} semitones): {error}") from None

    return FeatureCache(cache_dir).get_or_compute(key, compute)


def augmented_features(dataset, config, copies: int, *, seed: int = 0, cache_dir=None,
                       n_jobs: int | None = None, progress: bool = True
                       ) -> tuple[list[np.ndarray], np.ndarray]:
    """Features of ``copies`` augmented versions of every clip of ``dataset``

    Returns (features, source) with source[i] = position in dataset.clips of the clip that
    augmented features[i] came from (labels: dataset.clips["label"].to_numpy()[source])
    """
    from joblib import Parallel, delayed
    from tqdm.auto import tqdm

    from ascnb.features import FeatureCache, feature_config
    from ascnb.features.cache import clip_key
    from ascnb.features.workers import default_n_jobs

    if isinstance(config, str):
        config = feature_config(config)
    elif isinstance(config, dict):
        config = feature_config(**config)
    cache = FeatureCache(cache_dir)
    resample = bool(getattr(dataset, "resample", False))
    jobs, source = [], []
    for position, (filename, path) in enumerate(zip(dataset.clips["filename"], dataset.clips["path"])):
        for copy in range(copies):
            stretch, semitones = augmentation_params(filename, copy, seed)
            key = clip_key(path, config, clip_seconds=dataset.clip_seconds, resample=resample)
            key["augment"] = {"stretch": stretch, "semitones": semitones,
                              "code": AUGMENT_CODE_VERSION, "librosa": version("librosa")}
            jobs.append((str(path), config, dataset.clip_seconds, resample, stretch, semitones,
                         str(cache.cache_dir), key))
            source.append(position)
    if not jobs:
        return [], np.zeros(0, dtype=np.int64)
    n_jobs = min(n_jobs or default_n_jobs(), len(jobs))
    iterator = (Parallel(n_jobs=n_jobs, return_as="generator")(delayed(_augmented_clip)(*job) for job in jobs)
                if n_jobs > 1 else (_augmented_clip(*job) for job in jobs))
    features = list(tqdm(iterator, total=len(jobs), disable=not progress, unit="clip",
                         desc=f"augmented {config.kind} features"))
    return features, np.asarray(source, dtype=np.int64)
