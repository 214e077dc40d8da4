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
    problem = truncation_problem(path)
    if problem:
        raise AudioError(f"{path}: audio file is truncated ({problem})")
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


def truncation_problem(path: str | Path) -> str | None:
    """Why ``path`` looks cut short, or None; libsndfile reads a cut file without complaint

    WAV: the data chunk declares more bytes than the file holds
    Ogg: the last page lacks the end-of-stream flag
    Other formats are not checked
    """
    path = Path(path)
    with open(path, "rb") as file:
        head = file.read(12)
        size = path.stat().st_size
        if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
            position = 12
            while position + 8 <= size:
                file.seek(position)
                chunk_id, chunk_size = file.read(4), int.from_bytes(file.read(4), "little")
                if chunk_id == b"data":
                    available = size - position - 8
                    if chunk_size not in (0, 0xFFFFFFFF) and chunk_size > available:
                        return f"header declares {chunk_size} bytes of samples, file holds {available}"
                    return None
                position += 8 + chunk_size + (chunk_size & 1)
            return None  # no data chunk: soundfile reports the file as undecodable
        if head[:4] == b"OggS":
            file.seek(max(0, size - 65536))
            tail = file.read()
            last_page = tail.rfind(b"OggS")
            if last_page < 0 or last_page + 5 >= len(tail) or not tail[last_page + 5] & 0x04:
                return "the last Ogg page does not end the stream"
    return None


def fit_length(x: np.ndarray, n_samples: int) -> np.ndarray:
    """Crop or zero-pad the last axis of ``x`` to ``n_samples``"""
    if x.shape[-1] >= n_samples:
        return x[..., :n_samples]
    pad = [(0, 0)] * (x.ndim - 1) + [(0, n_samples - x.shape[-1])]
    return np.pad(x, pad)
