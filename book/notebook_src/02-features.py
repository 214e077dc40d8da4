# %% [markdown]
# # From waveform to spectrogram: the papers' features
#
# **Overview.** The two papers feed their networks different pictures of the same sound:
# PB-CNN a log-mel spectrogram (40 ms Hamming window, 20 ms hop, 60–512 mel bands), ACRNN a
# log-gammatone spectrogram with its delta (1024-sample window, 128 gammatone bands), and its
# baseline PiczakCNN a 60-band log-mel with delta at 22.05 kHz. This chapter computes all three
# with `ascnb.features`, cuts them into the papers' segments, and shows the normalisation that
# uses the training fold only.
#
# **Prerequisites.** {doc}`01-data`.

# %% tags=["parameters"]
dataset = "synthetic"      # synthetic | esc10 | esc50 | dcase2016
data_root = None
profile = "quick"          # this chapter trains nothing
clip = 0                   # position of the clip to show

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ascnb.book import book_dataset, dataset_label, glue, plot_spectrogram
from ascnb.features import (Normaliser, band_frequencies, extract, feature_config, segment,
                            segment_config)

data = book_dataset(dataset, data_root)
x = data.read(clip)                                # (samples,) mono, 44.1 kHz
print(data, "\nclip:", data.clips.iloc[clip]["filename"], x.shape)

# %% [markdown]
# ## Three features of one clip

# %%
configs = {
    "log-mel, 128 bands (PB-CNN)": feature_config("logmel", n_mels=128),
    "log-gammatone, 128 bands (ACRNN)": feature_config("gammatone"),
    "log-mel + delta, 60 bands (PiczakCNN)": feature_config("piczak"),
}
fig, axes = plt.subplots(len(configs), 1, figsize=(8, 7.5))
shapes = {}
for ax, (name, config) in zip(axes, configs.items()):
    X = extract(config, x)                         # (channels, bands, frames)
    shapes[name] = X.shape
    plot_spectrogram(ax, X[0], hop_seconds=config.hop_seconds, band_hz=band_frequencies(config),
                     title=f"{name}: {X.shape}")
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
# The mean and standard deviation per band are computed on the training folds and applied to
# the test fold, so no statistic of the test clips leaks into training.

# %%
train, test = data.split(data.folds[0])
config = configs["log-mel, 128 bands (PB-CNN)"]
few_train = [extract(config, data.read(i)) for i in train.index[:8]]
few_test = [extract(config, data.read(i)) for i in test.index[:4]]
X_train, _ = segment(few_train, "overlap")
X_test, _ = segment(few_test, "overlap")
normaliser = Normaliser().fit(X_train)
Z_train, Z_test = normaliser.transform(X_train), normaliser.transform(X_test)
print(f"train: mean {Z_train.mean():+.3f}, std {Z_train.std():.3f}; "
      f"test: mean {Z_test.mean():+.3f}, std {Z_test.std():.3f} (close, not exactly 0 and 1)")

# %% [markdown]
# ## Summary
#
# - `extract(config, x)` gives (channels, bands, frames); the config is the whole recipe and
#   the key of the feature cache.
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
# 1. How many 3 s segments with 50% overlap does a 30 s DCASE clip give? *Solution:*
#    1501 frames, `1 + (1501 - 150) // 75 = 19`.
# 2. Why does 512-band log-mel need a 4096-point FFT? *Solution:* at 2048 points some narrow
#    low mel filters fall between FFT bins and would give constant rows (see
#    `ascnb.features.config`).
