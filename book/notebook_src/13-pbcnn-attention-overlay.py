# %% [markdown]
# # PB-CNN Fig. 9: where pixel-based attention looks
#
# **Overview.** Fig. 9 of {cite:t}`pbcnn2020` lays the PBA weights of three clips over their
# log-mel spectrograms. We do the same with a trained PB-CNN (the model of
# {doc}`11-pbcnn-models`, same configuration, so its records and weights are reused) and, on
# the synthetic scenes, draw the ground-truth events on top.
#
# **Prerequisites.** {doc}`04-attention`, {doc}`11-pbcnn-models`.

# %% tags=["parameters"]
dataset = "synthetic"
data_root = None
profile = "quick"
folds = None
seeds = None
epochs = None
device = "auto"
results_dir = "results"
n_clips = 3

# %%
import matplotlib.pyplot as plt
import numpy as np

from ascnb.book import (book_dataset, clip_attention, dataset_label, draw_events, glue,
                        make_experiment, plot_spectrogram, run_or_load, trained_model)
from ascnb.features import band_frequencies, extract, feature_config

data = book_dataset(dataset, data_root)
label = dataset_label(data)
exp = make_experiment("pbcnn-models", model="pb-cnn", preset="pbcnn",
                      features={"kind": "logmel", "n_mels": 128}, segmentation="overlap",
                      dataset=dataset, data_root=data_root, profile=profile, folds=folds,
                      seeds=seeds, epochs=epochs, device=device)
records = run_or_load(exp, results_dir)
record = records.iloc[0].to_dict()
model = trained_model(exp, record, results_dir)   # with its training fold's normaliser
test_fold = record["fold"]

# %% [markdown]
# ## Attention over three test clips
#
# Each clip of the test fold is cut into 3 s segments as in training; the pixel weights $W_k$
# of every segment and every stage are mapped back onto the input's grid (stage $s$ sees it
# pooled by $2^{s-1}$), averaged over the four stages, and averaged where segments overlap.

# %%
config = feature_config("logmel", n_mels=128)
band_hz = band_frequencies(config)
_, test = data.split(test_fold)
chosen = list(test.groupby("label").head(1).index[:n_clips])
fig, axes = plt.subplots(len(chosen), 2, figsize=(12, 2.8 * len(chosen)), squeeze=False)
for row, i in zip(axes, chosen):
    X = extract(config, data.read(i))                             # (1, bands, frames)
    maps = clip_attention(model, X)                              # {stage: (bands, frames)}
    attention = np.mean([m for k, m in maps.items() if k.endswith(".pixel")], axis=0)
    clip = data.clips.iloc[i]
    plot_spectrogram(row[0], X[0], hop_seconds=config.hop_seconds, band_hz=band_hz,
                     title=f"{clip['category']}: log-mel")
    plot_spectrogram(row[1], attention, hop_seconds=config.hop_seconds, band_hz=band_hz,
                     title="PBA pixel weights", cmap="viridis")
    if data.events is not None:
        for ax in row:
            draw_events(ax, data.events[data.events["filename"] == clip["filename"]], band_hz,
                        label_events=False)
fig.tight_layout()
glue("pbcnn_fig9", fig, display=False)
plt.show()
gammas = [stage.attention.gamma.detach().item() for stage in model.stages]
print("learned γ per stage:", ", ".join(f"{g:.3f}" for g in gammas))
glue("pbcnn_fig9_gamma", ", ".join(f"{g:.3f}" for g in gammas))

# %% [markdown]
# ## Summary
#
# The right column is where the trained PBA puts weight. On the synthetic scenes the boxes show
# where the class evidence is; {doc}`30-attention-localisation` turns this picture into a number.
#
# ## What's next
#
# The ACRNN part, starting with {doc}`20-acrnn-comparison-cost`.
