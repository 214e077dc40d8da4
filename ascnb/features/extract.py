"""Extraction of one clip's features: waveform -> (channels, bands, frames)

Book: notebooks/02-features.ipynb ("Log-mel and log-gammatone spectrograms"). The recipe of each
kind is in ``ascnb.features.config``; filterbanks are built once per config (lru_cache).
"""

from __future__ import annotations

from functools import lru_cache

import librosa
import numpy as np
from spafe.fbanks.gammatone_fbanks import gammatone_filter_banks

from ascnb.features.config import FeatureConfig, GammatoneConfig, LogMelConfig, PiczakConfig


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


def extract(config: FeatureConfig, x: np.ndarray) -> np.ndarray:
    """Features of one mono waveform ``x`` at config.sample_rate -> float32 (channels, bands, frames)

    The piczak config resamples to 22.05 kHz itself, so ``x`` is always the dataset's 44.1 kHz clip
    """
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 1:
        raise ValueError(f"extract expects a mono waveform (samples,), got shape {x.shape}")
    if x.size == 0:
        raise ValueError("extract got an empty waveform")
    if config.analysis_rate != config.sample_rate:
        x = librosa.resample(x, orig_sr=config.sample_rate, target_sr=config.analysis_rate)
    S = power_spectrogram(config, x)  # (n_fft // 2 + 1, frames)
    if config.kind == "gammatone":
        S = gammatone_filterbank(config) @ S  # (bands, frames)
    else:
        S = mel_filterbank(config) @ S  # (bands, frames)
    S = log_compress(config, S)
    S = with_delta(config, S) if config.channels == 2 else S[np.newaxis]  # (channels, bands, frames)
    return np.ascontiguousarray(S, dtype=np.float32)
