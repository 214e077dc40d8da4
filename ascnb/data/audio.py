"""Reading audio clips: one function every dataset and feature goes through

Decision on sample rates: the official releases of ESC-50 and DCASE 2016 are all
44.1 kHz, so a file at another rate is refused with a clear error by default (it
usually means a converted or wrong download); ``resample=True`` resamples it
instead (librosa's soxr backend). Stereo is averaged to mono (PB-CNN section 3.1.2).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

SAMPLE_RATE = 44100


class AudioError(ValueError):
    """An audio file that cannot be used: missing, empty, corrupt, truncated or wrong rate"""


def read_audio(
    path: str | Path,
    sample_rate: int = SAMPLE_RATE,
    *,
    duration: float | None = None,
    resample: bool = False,
) -> np.ndarray:
    """Read ``path`` as mono float32 at ``sample_rate``

    duration: crop or zero-pad to this many seconds (ESC-50's 5.00 s), or keep as is
    resample: resample a file at another rate instead of refusing it
    Returns an array of shape (samples,)
    """
    path = Path(path)
    if not path.is_file():
        raise AudioError(f"{path}: audio file is missing")
    if path.stat().st_size == 0:
        raise AudioError(f"{path}: audio file is empty (0 bytes)")
    try:
        X, file_rate = sf.read(str(path), dtype="float32", always_2d=True)  # (samples, channels)
    except Exception as error:  # soundfile raises LibsndfileError, RuntimeError, TypeError…
        raise AudioError(f"{path}: cannot decode audio ({error})") from error
    if X.shape[0] == 0:
        raise AudioError(f"{path}: audio file holds no samples")
    if not np.all(np.isfinite(X)):
        raise AudioError(f"{path}: audio holds NaN or infinite samples")
    x = X.mean(axis=1)  # stereo averaged to mono
    if file_rate != sample_rate:
        if not resample:
            raise AudioError(
                f"{path}: sample rate is {file_rate} Hz, expected {sample_rate} Hz "
                "(pass resample=True to resample instead of refusing)"
            )
        import librosa

        x = librosa.resample(x, orig_sr=file_rate, target_sr=sample_rate).astype(np.float32)
    if duration is not None:
        x = fit_length(x, round(duration * sample_rate))
    return np.ascontiguousarray(x, dtype=np.float32)


def fit_length(x: np.ndarray, n_samples: int) -> np.ndarray:
    """Crop or zero-pad the last axis of ``x`` to ``n_samples``"""
    if x.shape[-1] >= n_samples:
        return x[..., :n_samples]
    pad = [(0, 0)] * (x.ndim - 1) + [(0, n_samples - x.shape[-1])]
    return np.pad(x, pad)
