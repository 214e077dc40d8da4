# %% [markdown]
# # From waveform to spectrogram
#
# **Overview.** The two papers feed their networks different pictures of the same sound:
# PB-CNN a log-mel spectrogram (40 ms Hamming window, 20 ms hop, 60–512 mel bands), ACRNN a
# log-gammatone spectrogram with its delta (1024-sample window, 128 gammatone bands), and its
# baseline PiczakCNN a 60-band log-mel with delta at 22.05 kHz. This chapter computes all three
# with `ascnb.features`, cuts them into the papers' segments, shows the normalisation that
# uses the training fold only, and the cache that computes each clip's features once.
#
# **Prerequisites.** {doc}`01-data`.

# %% tags=["parameters"]
dataset = "synthetic"      # synthetic | esc10 | esc50 | dcase2016
data_root = None           # None: where the dataset registry finds it
profile = "quick"          # this chapter trains nothing
clip = 0                   # position of the clip to show

# %% tags=["fold"]
import tempfile
import time

import matplotlib.pyplot as plt
import pandas as pd

from ascnb.data import load_dataset
from ascnb.features import (Normaliser, band_frequencies, compute_features, extract,
                            feature_config, segment, segment_config)
from ascnb.report.plots import plot_spectrogram
from ascnb.report.tables import glue

data = load_dataset(dataset, data_root)
x = data.read(clip)                                # (samples,) mono, 44.1 kHz
print(data, "\nclip:", data.clips.iloc[clip]["filename"], x.shape)

# %% [markdown]
# ## Log-mel and log-gammatone spectrograms
#
# A feature config (`feature_config(kind, **changes)`) is the whole recipe: sample rate,
# window, hop, filterbank, log and delta. `extract(config, x)` applies it to one waveform.

# %% mystnb={"figure": {"caption": "One clip through the three front ends: log-mel with 128 bands (PB-CNN), log-gammatone with 128 bands (ACRNN) and Piczak's 60-band log-mel (its delta channel not shown)."}}
configs = {
    "log-mel, 128 bands (PB-CNN)": feature_config("logmel", n_mels=128),
    "log-gammatone, 128 bands (ACRNN)": feature_config("gammatone"),
    "log-mel + delta, 60 bands (PiczakCNN)": feature_config("piczak"),
}
fig, axes = plt.subplots(len(configs), 1, figsize=(8.5, 7.5))
shapes = {}
for ax, (name, config) in zip(axes, configs.items()):
    X = extract(config, x)                         # (channels, bands, frames)
    shapes[name] = X.shape
    plot_spectrogram(ax, X[0], hop_seconds=config.hop_seconds, band_hz=band_frequencies(config),
                     title=f"{name}: {X.shape}", label="log energy (dB)")
fig.tight_layout()
glue("features_three", fig, display=False)
plt.show()
pd.DataFrame({"shape (channels, bands, frames)": shapes})

# %% [markdown]
# ## Segments
#
# Both papers classify fixed-length segments and then decide per clip: PB-CNN cuts 3 s (150
# frames) with 50% overlap, or without, or keeps the whole clip (its Table 3); ACRNN cuts 128
# frames with 50% overlap. `segment` returns the segments and, for each, the clip it came from.

# %%
rows = []
features = {name: [extract(config, x)] for name, config in list(configs.items())[:2]}
for preset, feature in [("overlap", "log-mel, 128 bands (PB-CNN)"),
                        ("no-overlap", "log-mel, 128 bands (PB-CNN)"),
                        ("no-split", "log-mel, 128 bands (PB-CNN)"),
                        ("acrnn", "log-gammatone, 128 bands (ACRNN)")]:
    X_seg, clip_index = segment(features[feature], preset)     # (n, C, F, T), (n,)
    config = segment_config(preset)
    rows.append({"preset": preset, "length (frames)": config.length, "hop (frames)": config.hop,
                 "segments of this clip": len(X_seg), "segment shape": X_seg.shape[1:]})
glue("features_overlap_segments", int(rows[0]["segments of this clip"]))
pd.DataFrame(rows).set_index("preset")

# %% [markdown]
# ## Normalisation from the training fold only
#
# Both papers standardise with statistics of the training set (PB-CNN section 3.1.2, ACRNN
# section 4.1): one mean and one standard deviation per input channel
# (`Normaliser(per="channel")`, what every experiment of the book does); `per="band"` keeps
# one per frequency band instead. The statistics come from the training folds and are applied
# unchanged to the test fold, so no statistic of the test clips leaks into training.

# %%
train, test = data.split(data.folds[0])
config = configs["log-mel, 128 bands (PB-CNN)"]
few_train = [extract(config, data.read(i)) for i in train.index[:8]]
few_test = [extract(config, data.read(i)) for i in test.index[:4]]
X_train, _ = segment(few_train, "overlap")
X_test, _ = segment(few_test, "overlap")
normaliser = Normaliser(per="channel").fit(X_train)
Z_train, Z_test = normaliser.transform(X_train), normaliser.transform(X_test)
print(f"train: mean {Z_train.mean():+.3f}, std {Z_train.std():.3f}; "
      f"test: mean {Z_test.mean():+.3f}, std {Z_test.std():.3f} (close, not exactly 0 and 1)")

# %% [markdown]
# ## Computing features once
#
# An experiment needs the features of every clip, and every row of a table on the same
# features needs them again. `compute_features(dataset, config)` extracts them in parallel and
# keeps each clip's array on disk under a key made of the audio file, the full config and the
# code's version: the second call reads what the first wrote. (Here a temporary cache folder
# and the first clips only; experiments use `cache/features/`.)

# %%
few = data.restrict(data.clips.iloc[:8])
with tempfile.TemporaryDirectory() as cache:
    seconds = []
    for _ in range(2):
        start = time.perf_counter()
        arrays = compute_features(few, config, cache_dir=cache, n_jobs=1, progress=False)
        seconds.append(time.perf_counter() - start)
print(f"{len(arrays)} clips: extracted in {seconds[0]:.2f} s, read from the cache in {seconds[1]:.2f} s")

# %% [markdown]
# ## Summary
#
# - `extract(config, x)` gives (channels, bands, frames); the config is the whole recipe and
#   the key of the feature cache (`compute_features`).
# - `segment` cuts fixed-length pieces and remembers their clips; `Normaliser` learns its
#   statistics on the training fold.
#
# ## What's next
#
# {doc}`03-models` builds the networks that read these features; {doc}`04-attention`
# explains the attention modules inside them.
#
# ## Exercises
#
# 1. How many 3 s segments with 50% overlap does a 30 s DCASE clip give?
#
# :::{admonition} Solution
# :class: dropdown
#
# 1501 frames, `1 + (1501 - 150) // 75 = 19`.
# :::
#
# 2. Why does 512-band log-mel need a 4096-point FFT?
#
# :::{admonition} Solution
# :class: dropdown
#
# at 2048 points some narrow
# low mel filters fall between FFT bins and would give constant rows (see
# `ascnb.features.config`).
# :::
