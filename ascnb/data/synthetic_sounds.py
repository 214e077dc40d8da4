"""The sounds of the synthetic scenes: class event shapes, shared distractors, backgrounds

Book: notebooks/01-data.ipynb ("The ground truth of the synthetic scenes"). Each shape
returns (waveform, fmin, fmax) for the times ``t`` of an event, jittered by ``j`` (about 1);
``distractor`` draws a class-independent event; ``background`` a clip's class-independent
bed of coloured noise and babble. ``ascnb.data.synthetic`` mixes them into clips.
"""

from __future__ import annotations

import numpy as np
import scipy.fft

from ascnb.data.audio import SAMPLE_RATE


# ---- event shapes: each returns (waveform, fmin, fmax) for a duration in samples ----

def white_spectrum(rng, n):
    """Spectrum of white Gaussian noise of n samples, drawn directly (one FFT saved)"""
    m = n // 2 + 1
    spectrum = np.empty(m, dtype=np.complex64)
    spectrum.real = rng.standard_normal(m, dtype=np.float32)
    spectrum.imag = rng.standard_normal(m, dtype=np.float32)
    return spectrum


def band_noise(rng, n, fmin, fmax, sr=SAMPLE_RATE):
    """Gaussian noise restricted to [fmin, fmax] Hz, unit-free; draws only the in-band bins"""
    freqs = np.fft.rfftfreq(n, 1 / sr)
    inside = (freqs >= fmin) & (freqs <= fmax)
    k = int(inside.sum())
    spectrum = np.zeros(len(freqs), dtype=np.complex64)
    spectrum.real[inside] = rng.standard_normal(k, dtype=np.float32)
    spectrum.imag[inside] = rng.standard_normal(k, dtype=np.float32)
    return scipy.fft.irfft(spectrum, n)


def chirp(t, f0, f1):
    """Exponential sweep from f0 to f1 Hz over t"""
    duration = t[-1] + 1 / SAMPLE_RATE
    k = np.log(f1 / f0) / duration
    return np.sin(2 * np.pi * f0 * (np.exp(k * t) - 1) / k)


def shape_up_chirp(rng, t, j):
    f0, f1 = 700 * j, 3500 * j
    return chirp(t, f0, f1), f0, f1


def shape_down_chirp(rng, t, j):
    f0, f1 = 3500 * j, 700 * j
    return chirp(t, f0, f1), f1, f0


def shape_harmonic_stack(rng, t, j):
    f0 = 330 * j
    x = sum(np.sin(2 * np.pi * h * f0 * t) / h for h in range(1, 7))
    return x, f0, 6 * f0


def shape_click_train(rng, t, j):
    n, rate = len(t), 25 * j
    impulses = np.zeros(n)
    impulses[(np.arange(0, t[-1], 1 / rate) * SAMPLE_RATE).astype(int)] = 1.0
    spectrum = scipy.fft.rfft(impulses)
    freqs = np.fft.rfftfreq(n, 1 / SAMPLE_RATE)
    spectrum[(freqs < 2000) | (freqs > 6000)] = 0
    return scipy.fft.irfft(spectrum, n), 2000.0, 6000.0


def shape_noise_burst(rng, t, j):
    fmin, fmax = 4500 * j, 7000 * j
    return band_noise(rng, len(t), fmin, fmax), fmin, fmax


def shape_am_tone(rng, t, j):
    carrier, rate = 1800 * j, 14.0
    x = np.sin(2 * np.pi * carrier * t) * (0.5 + 0.5 * np.sin(2 * np.pi * rate * t))
    return x, carrier - 2 * rate, carrier + 2 * rate


def shape_vibrato(rng, t, j):
    centre, depth, rate = 1100 * j, 150 * j, 7.0
    phase = 2 * np.pi * centre * t - depth / rate * np.cos(2 * np.pi * rate * t)
    return np.sin(phase), centre - depth, centre + depth


def shape_trill(rng, t, j):
    low, high, rate = 2300 * j, 2900 * j, 12.0
    frequency = np.where(np.sin(2 * np.pi * rate * t) >= 0, high, low)
    return np.sin(2 * np.pi * np.cumsum(frequency) / SAMPLE_RATE), low, high


def shape_thump(rng, t, j):
    fmin, fmax = 120 * j, 450 * j
    x = band_noise(rng, len(t), fmin, fmax) * np.exp(-t / 0.08) * 4
    return x, fmin, fmax


def shape_siren_stack(rng, t, j):
    f0 = 500 * j * (1 + 0.6 * t / t[-1])  # rising pitch with 3 harmonics
    phase = 2 * np.pi * np.cumsum(f0) / SAMPLE_RATE
    x = sum(np.sin(h * phase) / h for h in range(1, 4))
    return x, f0[0], 3 * f0[-1]


def shape_double_chirp(rng, t, j):
    half = len(t) // 2
    up, _, _ = shape_up_chirp(rng, t[:half], j)
    down, _, _ = shape_down_chirp(rng, t[: len(t) - half], j)
    return np.concatenate([up, down]), 700 * j, 3500 * j


def shape_pulse_tone(rng, t, j):
    carrier, rate = 5000 * j, 6.0
    gate = (np.sin(2 * np.pi * rate * t) > 0.3).astype(float)
    return np.sin(2 * np.pi * carrier * t) * gate, carrier - 50, carrier + 50


SHAPES = {
    "up_chirp": shape_up_chirp,
    "down_chirp": shape_down_chirp,
    "harmonic_stack": shape_harmonic_stack,
    "click_train": shape_click_train,
    "noise_burst": shape_noise_burst,
    "am_tone": shape_am_tone,
    "vibrato": shape_vibrato,
    "trill": shape_trill,
    "thump": shape_thump,
    "siren_stack": shape_siren_stack,
    "double_chirp": shape_double_chirp,
    "pulse_tone": shape_pulse_tone,
}


def distractor(rng, n):
    """A class-independent event: (waveform, fmin, fmax, shape)"""
    t = np.arange(n) / SAMPLE_RATE
    kind = rng.integers(3)
    if kind == 0:  # knock: a few damped low impulses
        x = np.zeros(n)
        for start in rng.uniform(0, 0.7, size=3) * n:
            s = int(start)
            x[s:] += np.exp(-(t[: n - s]) / 0.015) * np.sin(2 * np.pi * 250 * t[: n - s])
        return x, 150.0, 400.0, "knock"
    if kind == 1:  # blip: a tone at a random frequency
        frequency = rng.uniform(400, 8000)
        return np.sin(2 * np.pi * frequency * t), frequency - 30, frequency + 30, "blip"
    fmin = rng.uniform(300, 2000)  # whoosh: wide noise band with a slow swell
    return band_noise(rng, n, fmin, 4 * fmin) * np.sin(np.pi * t / t[-1]), fmin, 4 * fmin, "whoosh"


def fade(x, seconds=0.01):
    """Raised-cosine fade in and out, so events start and end without clicks"""
    m = min(int(seconds * SAMPLE_RATE), len(x) // 2)
    ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(m) / m)
    x = x.copy()
    x[:m] *= ramp
    x[len(x) - m:] *= ramp[::-1]
    return x


def background(rng, n):
    """Class-independent background: coloured noise plus babble-like noise, (samples,)"""
    freqs = np.fft.rfftfreq(n, 1 / SAMPLE_RATE)
    slope = rng.uniform(0.0, 2.0)  # 0 white, 1 pink, 2 brown
    spectrum = white_spectrum(rng, n) / np.maximum(freqs, 20.0).astype(np.float32) ** np.float32(slope / 2)
    coloured = scipy.fft.irfft(spectrum, n)
    coloured /= coloured.std()
    t = np.arange(n) / SAMPLE_RATE
    babble = np.zeros(n)
    for _ in range(rng.integers(2, 4)):  # voices: speech-band noise with syllable-rate envelopes
        voice = band_noise(rng, n, 150, 3500)
        rate = rng.uniform(3, 6)
        babble += voice * (0.5 + 0.5 * np.sin(2 * np.pi * rate * t + rng.uniform(0, 2 * np.pi))) ** 2
    babble /= babble.std()
    return coloured + rng.uniform(0.3, 1.0) * babble
