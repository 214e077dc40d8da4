"""Extraction of one clip's features: waveform -> (channels, bands, frames)

Book: notebooks/02-features.ipynb ("Log-mel and log-gammatone spectrograms"). The recipe of each
kind is in ``ascnb.features.config``; filterbanks are built once per config (lru_cache).

The same clip gives the same features, bit for bit, whoever computes them: the filterbank
product runs with one BLAS thread (threadpoolctl), so the main process (which may hold several
BLAS threads) and the extraction workers (one each) sum in the same order; with two threads
OpenBLAS gave features ~1e-5 dB apart, enough to change a trained network (issue 12).
Features that are not finite (a waveform whose power overflows float32, NaN input) raise
``NonFiniteFeaturesError`` instead of reaching a network.
"""

from __future__ import annotations

from functools import lru_cache

import librosa
import numpy as np
from spafe.fbanks.gammatone_fbanks import gammatone_filter_banks
from threadpoolctl import ThreadpoolController

from ascnb.features.config import FeatureConfig, GammatoneConfig, LogMelConfig, PiczakConfig


class NonFiniteFeaturesError(ValueError):
    """Features holding NaN or infinite values: the clip (or cache entry) cannot be used"""


@lru_cache(maxsize=16)
def mel_filterbank(config: LogMelConfig | PiczakConfig) -> np.ndarray:
    """librosa's mel filterbank of ``config``, (n_mels, n_fft // 2 + 1)"""
    return librosa.filters.mel(sr=config.analysis_rate, n_fft=config.fft_size, n_mels=config.n_mels,
                               fmin=config.fmin, fmax=config.fmax).astype(np.float32)


@lru_cache(maxsize=16)
def gammatone_filterbank(config: GammatoneConfig) -> np.ndarray:
    """spafe's gammatone filterbank of ``config``, (n_bands, n_fft // 2 + 1), each peak 1"""
    fbank, _centres_erb = gammatone_filter_banks(
        nfilts=config.n_bands, nfft=config.n_fft, fs=config.sample_rate, low_freq=config.fmin,
        high_freq=config.fmax or config.sample_rate / 2, scale="constant", order=config.order)
    return fbank.astype(np.float32)


def band_frequencies(config: FeatureConfig) -> np.ndarray:
    """Centre frequency in Hz of every band, low to high (for axes and checks)"""
    if config.kind == "gammatone":
        from spafe.fbanks.gammatone_fbanks import generate_center_frequencies

        return generate_center_frequencies(config.fmin, config.fmax or config.sample_rate / 2,
                                           config.n_bands)
    fmax = config.fmax or config.analysis_rate / 2
    return librosa.mel_frequencies(n_mels=config.n_mels + 2, fmin=config.fmin, fmax=fmax)[1:-1]


def power_spectrogram(config: FeatureConfig, x: np.ndarray) -> np.ndarray:
    """|STFT|^2 with the config's window and hop, (n_fft // 2 + 1, frames)"""
    X = librosa.stft(x, n_fft=config.fft_size, hop_length=config.hop_length,
                     win_length=config.win_length, window=config.window, center=True,
                     pad_mode="constant")
    return np.abs(X) ** 2


def log_compress(config: FeatureConfig, S: np.ndarray) -> np.ndarray:
    """10·log10(max(S, amin)) for log="db", ln(S + amin) for log="ln" """
    if config.log == "db":
        return librosa.power_to_db(S, ref=1.0, amin=config.amin, top_db=None)
    return np.log(S + config.amin)


def with_delta(config: FeatureConfig, S: np.ndarray) -> np.ndarray:
    """Stack the log spectrogram and its delta: (bands, frames) -> (2, bands, frames)

    A clip shorter than delta_width frames uses mode="nearest" (librosa's "interp" needs
    at least delta_width frames)
    """
    mode = "interp" if S.shape[-1] >= config.delta_width else "nearest"
    D = librosa.feature.delta(S, width=config.delta_width, order=1, axis=-1, mode=mode)
    return np.stack([S, D])


def filterbank(config: FeatureConfig) -> np.ndarray:
    """The config's filterbank, (bands, n_fft // 2 + 1)"""
    return gammatone_filterbank(config) if config.kind == "gammatone" else mel_filterbank(config)


@lru_cache(maxsize=1)
def blas_controller() -> ThreadpoolController:
    """The BLAS libraries loaded in this process (numpy's among them), found once: 2 ms a call"""
    return ThreadpoolController()


def apply_filterbank(config: FeatureConfig, S: np.ndarray) -> np.ndarray:
    """Filterbank x power spectrogram, (bands, frames), with one BLAS thread whoever calls

    OpenBLAS splits the product differently over 1 and 2 threads and the sums round
    differently: one thread makes the result independent of the caller's thread count.
    The limit is process-wide while it lasts (threads of one process extracting at once may
    see it lifted by another: extract in processes, as compute_features does)
    """
    with blas_controller().limit(limits=1, user_api="blas"):
        return filterbank(config) @ S  # (bands, frames)


def check_finite(S: np.ndarray, x: np.ndarray) -> None:
    """Raise NonFiniteFeaturesError if the features S hold NaN or inf (x: the waveform, for the message)"""
    bad = ~np.isfinite(S)
    if bad.any():
        finite = np.isfinite(x)
        peak = float(np.abs(x[finite]).max()) if finite.any() else float("nan")
        raise NonFiniteFeaturesError(
            f"features hold {int(bad.sum())} NaN or infinite values of {S.size}; the waveform "
            f"has {int(x.size - finite.sum())} non-finite samples and peaks at {peak:.3g} "
            "(the float32 power spectrum overflows for samples above ~1e16; audio is expected in "
            "[-1, 1])")


def extract(config: FeatureConfig, x: np.ndarray) -> np.ndarray:
    """Features of one mono waveform ``x`` at config.sample_rate -> float32 (channels, bands, frames)

    The piczak config resamples to 22.05 kHz itself, so ``x`` is always the dataset's 44.1 kHz clip.
    Bit-identical whatever the caller's BLAS threads; NonFiniteFeaturesError if not finite
    """
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 1:
        raise ValueError(f"extract expects a mono waveform (samples,), got shape {x.shape}")
    if x.size == 0:
        raise ValueError("extract got an empty waveform")
    if config.analysis_rate != config.sample_rate:
        x = librosa.resample(x, orig_sr=config.sample_rate, target_sr=config.analysis_rate)
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is checked just below
        S = power_spectrogram(config, x)  # (n_fft // 2 + 1, frames)
        S = apply_filterbank(config, S)  # (bands, frames)
        S = log_compress(config, S)
    check_finite(S, x)  # before the delta, whose edge fit refuses NaN with a vaguer message
    S = with_delta(config, S) if config.channels == 2 else S[np.newaxis]  # (channels, bands, frames)
    S = np.ascontiguousarray(S, dtype=np.float32)
    check_finite(S, x)
    return S
