"""Feature configs: what each paper feeds its network, as small frozen dataclasses

Book: notebooks/02-features.ipynb ("From waveform to spectrogram"). A config is the full
recipe of one feature: ``extract`` follows it and the disk cache is keyed by ``to_dict()``.

Three kinds, all taking the dataset's 44.1 kHz mono clip as input (``sample_rate``):

- ``LogMelConfig`` (kind "logmel"): PB-CNN section 3.1.2. Hamming window of 40 ms (1764
  samples at 44.1 kHz), 50% hop (20 ms, 882 samples), power spectrum |STFT|^2, a mel filterbank
  of 60/128/256/512 bands (librosa's Slaney mel scale and area normalisation), log.
  The FFT size is not in the paper: we take the smallest power of two at or above the window
  for which every mel filter covers at least one FFT bin: 2048 for 60/128/256 bands (the window
  of 1764 samples zero-padded, as librosa does); 4096 for 512 bands, where at 2048 41 of the
  narrow low-frequency mel filters fall between bins and would give constant rows.
  Output (1, n_mels, frames); a 5 s ESC clip gives 251 frames, a 30 s DCASE clip 1501.
- ``GammatoneConfig`` (kind "gammatone"): ACRNN section 3.1. Hamming window of 1024 samples
  (23 ms at 44.1 kHz), hop 512 (50% overlap), power spectrum, the 128-band gammatone filterbank
  of spafe (4th-order filters, peaks normalised to 1), log, and the delta (first temporal
  derivative, librosa.feature.delta) as a second channel. The paper gives no frequency range:
  we use 50 Hz (the usual lowest centre of Ellis' gammatonegram; spafe's default 0 Hz would put
  a filter on DC) to the Nyquist frequency. Bandwidths: Glasberg & Moore's ERB,
  ``erb_exponent`` = 1 (see the class). Output (2, 128, frames); 431 frames for 5 s.
- ``PiczakConfig`` (kind "piczak"): Piczak (2015), the ACRNN paper's baseline. The clip is
  resampled to 22050 Hz, then a 1024-sample window (librosa's default Hann, as Piczak's code
  used librosa's defaults) with hop 512, 60 mel bands, log, delta. Output (2, 60, frames);
  216 frames for 5 s.

Log: ``log="db"`` (default) is 10·log10(max(S, amin)), librosa.power_to_db with ref=1 and no
top_db clipping, so the transform is pointwise and does not depend on the loudest frame of a
clip; ``log="ln"`` is ln(S + amin). Both differ only by a factor 10/ln(10) above the floor,
which the normalisation removes. amin = 1e-10 (-100 dB) is the floor for digital silence.

Frames: the STFT is centred (librosa's default, zero padding of n_fft // 2 at each end), so a
waveform of N samples gives 1 + N // hop frames (``n_frames``).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

LOG_KINDS = ("db", "ln")


def next_power_of_two(n: int) -> int:
    """Smallest power of two >= n"""
    return 1 << max(0, math.ceil(math.log2(n)))


class _FeatureConfig:
    """What all feature configs share: to_dict, frame arithmetic, validation helpers"""

    kind: str
    sample_rate: int

    def to_dict(self) -> dict:
        """Every field, "kind" included: ``feature_config(**config.to_dict()) == config``"""
        return dataclasses.asdict(self)

    @property
    def channels(self) -> int:
        return 2 if getattr(self, "delta", False) else 1

    @property
    def n_bands(self) -> int:
        raise NotImplementedError

    @property
    def analysis_rate(self) -> int:
        """Sample rate the STFT runs at (after any resampling)"""
        return self.sample_rate

    @property
    def hop_length(self) -> int:
        raise NotImplementedError

    @property
    def hop_seconds(self) -> float:
        """Time between frames (20 ms log-mel, 11.6 ms gammatone, 23.2 ms piczak)"""
        return self.hop_length / self.analysis_rate

    def n_frames(self, n_samples: int) -> int:
        """Frames of a waveform of ``n_samples`` at ``sample_rate`` (centred STFT: 1 + N // hop)"""
        if self.analysis_rate != self.sample_rate:
            # librosa.resample's output length
            n_samples = math.ceil(n_samples * self.analysis_rate / self.sample_rate)
        return 1 + n_samples // self.hop_length

    def output_shape(self, seconds: float) -> tuple[int, int, int]:
        """(channels, bands, frames) of a clip of ``seconds``, e.g. (1, 128, 251) for 5 s log-mel"""
        return (self.channels, self.n_bands, self.n_frames(round(seconds * self.sample_rate)))

    def _check(self) -> None:
        """Raise ValueError naming the parameter that is invalid"""
        name = type(self).__name__
        for key, value in self.to_dict().items():
            if key in ("kind", "log", "window", "fmax", "n_fft", "fmin"):
                continue
            if isinstance(value, bool):
                continue
            if isinstance(value, (int, float)) and not value > 0:
                raise ValueError(f"{name}: {key} must be positive, got {value!r}")
        for key in ("n_mels", "n_bands", "sample_rate", "resample_rate", "win_length",
                    "hop_length", "n_fft", "erb_exponent", "delta_width"):
            value = self.__dict__.get(key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise ValueError(f"{name}: {key} must be an integer, got {value!r}")
        if self.log not in LOG_KINDS:
            raise ValueError(f"{name}: log must be one of {LOG_KINDS}, got {self.log!r}")
        fmin, fmax, nyquist = self.fmin, self.fmax, self.analysis_rate / 2
        if fmin < 0:
            raise ValueError(f"{name}: fmin must be >= 0, got {fmin!r}")
        if fmax is not None and not fmin < fmax <= nyquist:
            raise ValueError(f"{name}: fmax must lie in (fmin={fmin}, {nyquist}] Hz, got {fmax!r}")
        if fmin >= nyquist:
            raise ValueError(f"{name}: fmin must be below the Nyquist frequency {nyquist} Hz, got {fmin!r}")
        if self.win_length > self.fft_size:
            raise ValueError(f"{name}: window ({self.win_length} samples) is longer than "
                             f"n_fft ({self.fft_size})")
        if getattr(self, "delta", False) and (self.delta_width < 3 or self.delta_width % 2 == 0):
            raise ValueError(f"{name}: delta_width must be odd and >= 3, got {self.delta_width!r}")


@dataclass(frozen=True)
class LogMelConfig(_FeatureConfig):
    """PB-CNN log-mel spectrogram (section 3.1.2) -> (1, n_mels, frames)

    window_ms / hop_ms: Hamming window of 40 ms and 50% hop (20 ms); in samples
      ``win_length`` (1764 at 44.1 kHz) and ``hop_length`` (882)
    n_fft: None = smallest power of two >= the window with no empty mel filter (``fft_size``:
      2048 at 44.1 kHz for up to 256 bands, 4096 for 512)
    n_mels: 60, 128 (default), 256 or 512 in the paper; any positive integer works
    fmin / fmax: mel range in Hz (fmax None = Nyquist)
    log: "db" or "ln" (module docstring); amin: floor of the power before the log
    """

    sample_rate: int = 44100
    window_ms: float = 40.0
    hop_ms: float = 20.0
    n_fft: int | None = None
    window: str = "hamming"
    n_mels: int = 128
    fmin: float = 0.0
    fmax: float | None = None
    log: str = "db"
    amin: float = 1e-10
    kind: str = field(default="logmel", init=False)

    def __post_init__(self):
        self._check()

    @property
    def win_length(self) -> int:
        return round(self.sample_rate * self.window_ms / 1000)

    @property
    def hop_length(self) -> int:
        return round(self.sample_rate * self.hop_ms / 1000)

    @property
    def fft_size(self) -> int:
        if self.n_fft is not None:
            return self.n_fft
        return mel_fft_size(self.sample_rate, self.win_length, self.n_mels, self.fmin, self.fmax)

    @property
    def n_bands(self) -> int:
        return self.n_mels


@lru_cache(maxsize=64)
def mel_fft_size(sample_rate: int, win_length: int, n_mels: int, fmin: float, fmax: float | None) -> int:
    """Smallest power of two >= win_length whose bins give every mel filter a non-zero weight"""
    import warnings

    import librosa

    n_fft = next_power_of_two(win_length)
    while n_fft < 2 ** 18:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # librosa warns about empty filters: what we test
            bank = librosa.filters.mel(sr=sample_rate, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax)
        if np.all(bank.max(axis=1) > 0):
            return n_fft
        n_fft *= 2
    return n_fft


@dataclass(frozen=True)
class GammatoneConfig(_FeatureConfig):
    """ACRNN log-gammatone spectrogram + delta (section 3.1) -> (2, n_bands, frames)

    win_length / hop_length: Hamming window of 1024 samples at 44.1 kHz, hop 512 (50% overlap)
    n_bands: 128 gammatone filters from spafe, centres fmin..fmax on the ERB scale
    erb_exponent: p in spafe's bandwidth formula (Slaney's), ERB(f) = ((f / 9.26449)^p +
      24.7^p)^(1/p), which spafe calls ``order`` (passed as ``order=``, the ``order`` property).
      It is not the filter order: spafe always builds 4th-order gammatones, with b = 1.019·ERB.
      p = 1 (default) is Glasberg & Moore's ERB = 24.7·(4.37 f/1000 + 1), the scale spafe
      spaces the centres on: each filter's power response |H|^2 then has exactly that
      equivalent rectangular bandwidth (84 Hz at 550 Hz, 131 Hz at 1 kHz; -3 dB width 0.89 ERB).
      spafe's default p = 4 narrows the low and middle bands (60 Hz instead of 84 Hz at 550 Hz,
      -29 %; 106 instead of 131 Hz at 1 kHz) and tends to f / 9.26 above ~3 kHz; the paper
      names no bandwidth, so the standard one is ours (tests/features/test_extract.py measures it)
    delta: add librosa.feature.delta(width=delta_width) of the log spectrogram as channel 1
    """

    sample_rate: int = 44100
    n_fft: int = 1024
    win_length: int = 1024
    hop_length: int = 512
    window: str = "hamming"
    n_bands: int = 128
    fmin: float = 50.0
    fmax: float | None = None
    erb_exponent: int = 1
    log: str = "db"
    amin: float = 1e-10
    delta: bool = True
    delta_width: int = 9
    kind: str = field(default="gammatone", init=False)

    def __post_init__(self):
        self._check()

    @property
    def fft_size(self) -> int:
        return self.n_fft

    @property
    def order(self) -> int:
        """spafe's name for ``erb_exponent`` (``gammatone_filter_banks(order=...)``), not a filter order"""
        return self.erb_exponent


@dataclass(frozen=True)
class PiczakConfig(_FeatureConfig):
    """Piczak (2015) log-mel + delta at 22.05 kHz -> (2, 60, frames)

    sample_rate: rate of the input clip (the dataset's 44.1 kHz); resample_rate: rate the
    spectrogram is computed at (22050 Hz, librosa.resample with soxr)
    """

    sample_rate: int = 44100
    resample_rate: int = 22050
    n_fft: int = 1024
    win_length: int = 1024
    hop_length: int = 512
    window: str = "hann"
    n_mels: int = 60
    fmin: float = 0.0
    fmax: float | None = None
    log: str = "db"
    amin: float = 1e-10
    delta: bool = True
    delta_width: int = 9
    kind: str = field(default="piczak", init=False)

    def __post_init__(self):
        self._check()

    @property
    def analysis_rate(self) -> int:
        return self.resample_rate

    @property
    def fft_size(self) -> int:
        return self.n_fft

    @property
    def n_bands(self) -> int:
        return self.n_mels


FeatureConfig = LogMelConfig | GammatoneConfig | PiczakConfig
FEATURE_CONFIGS: dict[str, type] = {"logmel": LogMelConfig, "gammatone": GammatoneConfig,
                                    "piczak": PiczakConfig}


def feature_config(kind: str, **overrides) -> FeatureConfig:
    """The config of ``kind`` ("logmel", "gammatone", "piczak") with some fields overridden

    ``feature_config("logmel", n_mels=60)``; ``feature_config(**config.to_dict())`` rebuilds a
    config. Unknown kind, unknown parameter or invalid value -> ValueError naming it
    """
    if isinstance(kind, _FeatureConfig):  # already a config
        return dataclasses.replace(kind, **overrides) if overrides else kind
    if kind not in FEATURE_CONFIGS:
        raise ValueError(f"unknown feature kind {kind!r}; known: {tuple(FEATURE_CONFIGS)}")
    cls = FEATURE_CONFIGS[kind]
    known = [f.name for f in dataclasses.fields(cls) if f.init]
    unknown = sorted(set(overrides) - set(known))
    if unknown:
        raise ValueError(f"unknown parameter(s) {unknown} for feature kind {kind!r}; known: {known}")
    return cls(**overrides)
