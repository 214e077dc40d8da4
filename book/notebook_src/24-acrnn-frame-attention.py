# %% [markdown]
# # ACRNN Fig. 5: frame attention, sigmoid vs softmax
#
# **Overview.** Fig. 5 of {cite:t}`zhang2021acrnn` shows the frame weights of attention at l2
# with a sigmoid and with a softmax over the log-gammatone spectrograms of a dog bark, a crying
# baby, a clock tick and rain. We train both models (the runs of
# {doc}`22-acrnn-placement-scaling`) and plot their weights on the same four classes of ESC-10
# (on the synthetic scenes: four classes, with the ground-truth events).
#
# **Prerequisites.** {doc}`04-attention`, {doc}`22-acrnn-placement-scaling`.

# %% tags=["parameters"]
dataset = "synthetic"      # esc10 for the paper's figure
data_root = None
profile = "quick"          # smoke | quick | paper
folds = None               # None: the profile's folds
seeds = None
epochs = None
device = "auto"
results_dir = "results"
categories = ["dog", "crying_baby", "clock_tick", "rain"]
attention_at = 2

# %%
import matplotlib.pyplot as plt
import numpy as np

from ascnb.book import (book_dataset, clip_attention, dataset_label, draw_events, glue,
                        make_experiment, plot_spectrogram, run_or_load, trained_model)
from ascnb.features import band_frequencies, extract, feature_config

data = book_dataset(dataset, data_root)
label = dataset_label(data)
models = {}
for scale in ["sigmoid", "softmax"]:
    exp = make_experiment("acrnn-placement-scaling", model="acrnn",
                          model_params={"attention_at": attention_at, "attention_scale": scale},
                          preset="acrnn", features={"kind": "gammatone"}, segmentation="acrnn",
                          augment=True, dataset=dataset, data_root=data_root,
                          profile=profile, folds=folds, seeds=seeds, epochs=epochs, device=device)
    record = run_or_load(exp, results_dir).iloc[0].to_dict()
    model = trained_model(exp, record, results_dir)   # with its training fold's normaliser
    models[scale] = (model, record["fold"])

# %%
config = feature_config("gammatone")
band_hz = band_frequencies(config)
wanted = [c for c in categories if c in data.classes] or list(data.classes[:4])
fold = models["sigmoid"][1]
_, test = data.split(fold)
fig, axes = plt.subplots(len(wanted), 1, figsize=(9, 2.6 * len(wanted)), squeeze=False)
for ax, category in zip(axes[:, 0], wanted):
    i = int(test.index[test["category"] == category][0])
    X = extract(config, data.read(i))                            # (2, 128, frames)
    plot_spectrogram(ax, X[0], hop_seconds=config.hop_seconds, band_hz=band_hz, title=category)
    twin = ax.twinx()
    for scale, colour in [("sigmoid", "cyan"), ("softmax", "orange")]:
        model = models[scale][0]
        w = next(iter(clip_attention(model, X).values()))      # (frames,): one attention layer
        w = w if w.ndim == 1 else w.mean(axis=0)
        t = np.arange(X.shape[-1]) * config.hop_seconds
        twin.plot(t, w / max(w.max(), 1e-12), color=colour, label=scale)
    twin.set_ylim(0, 1.05)
    twin.set_ylabel("weight (max 1)")
    twin.legend(fontsize=7, loc="upper right")
    if data.events is not None:
        draw_events(ax, data.events[data.events["filename"] == data.clips.iloc[i]["filename"]],
                    band_hz, label_events=False)
fig.tight_layout()
glue("acrnn_fig5", fig, display=False)
plt.show()

# %% [markdown]
# ## Summary
#
# The paper reads its figure as: the sigmoid keeps many frames of a long sound (rain) on, the
# softmax concentrates on a few; compare with our curves.
#
# ## What's next
#
# {doc}`30-attention-localisation` measures how much of the attention lands on the events.
