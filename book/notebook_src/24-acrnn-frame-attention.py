# %% [markdown]
# # ACRNN Fig. 5: frame attention, sigmoid vs softmax
#
# **Overview.** Fig. 5 of {cite:t}`zhang2021acrnn` shows the frame weights of attention at l2
# with a sigmoid and with a softmax over the log-gammatone spectrograms of a dog bark, a crying
# baby, a clock tick and rain. We take both trained models (the records of
# {doc}`22-acrnn-placement-scaling`) and plot their weights on the same four classes of ESC-10
# (on the synthetic scenes: four classes, with the ground-truth events).
#
# **Prerequisites.** {doc}`04-attention`, {doc}`22-acrnn-placement-scaling`.

# %% tags=["parameters"]
dataset = "synthetic"      # esc10 for the paper's figure
data_root = None           # None: where the dataset registry finds it
profile = "quick"          # smoke | quick | cpu | paper
folds = None               # None: the profile's folds
seeds = None               # None: the profile's seeds
epochs = None              # None: the profile's epochs
device = "auto"
results_dir = None         # None: $ASCNB_RESULTS, else results/
categories = ["dog", "crying_baby", "clock_tick", "rain"]   # classes shown (else the first four)

# %% tags=["fold"]
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

from ascnb.experiment import experiment_dataset, load_table
from ascnb.features import band_frequencies, compute_features
from ascnb.report.attention_maps import RecordAttention
from ascnb.report.plots import draw_events, plot_spectrogram
from ascnb.report.tables import dataset_label, glue
from ascnb.report.widgets import audio_players

rows = {"sigmoid": "l2 sigmoid", "softmax": "l2 softmax"}   # Table 4's rows with attention at l2
table = load_table("acrnn-table4-placement-scaling", rows=list(rows.values()), dataset=dataset,
                   data_root=data_root, profile=profile, folds=folds, seeds=seeds, epochs=epochs,
                   device=device)
results = table.run(results_dir)
exp = table.rows[rows["sigmoid"]]
data = experiment_dataset(exp)                    # the clips both were trained and tested on
config = exp.feature_config()                     # log-gammatone + delta, as in training
features = compute_features(data, config, progress=False)   # the features both were trained on
attention = {}
for scale, row in rows.items():
    record = results[row].to_dict("records")[0]   # its first (fold, seed)
    # its maps: kept beside the record, else computed from the trained network
    attention[scale] = RecordAttention(table.rows[row], record, features, data)
fold = record["fold"]                             # the same split for both
print(f"{dataset_label(data)}, test fold {fold}")

# %% [markdown]
# ## Frame weights over four test clips
#
# The test clips and their features are those of the records' test fold. Each test clip is
# cut into the
# 128-frame segments of training; the frame weights of the attention after l2 are mapped back
# onto the clip's frames and averaged where segments overlap
# (`ascnb.report.attention_maps.clip_attention`), and plotted as they are, each scaling on its
# own axis (sigmoid weights lie in [0, 1]; softmax weights sum to 1 over a segment's frames).
# The maps of the records' first four test clips of each class are kept beside the records
# (`RecordAttention` reads them), so this page trains nothing; other clips, profiles or
# datasets are computed from the trained networks (weights in `runs/`, or retrained).

# %% mystnb={"figure": {"caption": "Fig. 5 of the paper, ours: four test clips (log-gammatone spectrograms), the sigmoid weights of attention at l2 (middle row of each clip) and the softmax weights (bottom row), each at its own size."}}
band_hz = band_frequencies(config)
test = attention["sigmoid"].test_clips
wanted = [c for c in categories if c in set(test["category"])] or list(test["category"].unique()[:4])
fig, axes = plt.subplots(3 * len(wanted), 1, figsize=(9, 4.2 * len(wanted)), sharex=True,
                         layout="constrained", gridspec_kw={"height_ratios": [3, 1, 1] * len(wanted)})
for (top, middle, bottom), category in zip(axes.reshape(-1, 3), wanted):
    i = int(test.index[test["category"] == category][0])
    X = features[i]                                              # (2, 128, frames)
    image = plot_spectrogram(top, X[0], hop_seconds=config.hop_seconds, band_hz=band_hz,
                             title=category, colorbar=False)
    fig.colorbar(image, ax=[top, middle, bottom], fraction=0.03, pad=0.01).set_label(
        "log energy (dB)", fontsize=8)
    top.set_xlabel("")
    if data.events is not None:
        draw_events(top, data.events[data.events["filename"] == data.clips.iloc[i]["filename"]],
                    band_hz, label_events=False)
    t = (np.arange(X.shape[-1]) + 0.5) * config.hop_seconds
    # the weights as they are, one row per scaling (as the paper's second and third rows):
    # sigmoid weights lie in [0, 1] each; softmax weights sum to 1 over a segment's frames,
    # so each is small (the paper: "too small") - a shared or normalised axis would hide that
    for ax, scale, colour in [(middle, "sigmoid", "tab:blue"), (bottom, "softmax", "tab:orange")]:
        w = attention[scale].maps(i)["l2"]                       # (frames,)
        ax.plot(t, w, color=colour)
        ax.set_ylim(0, max(float(w.max()) * 1.1, 1e-6))
        ax.set_ylabel(f"{scale}\nweight", fontsize=8)
axes[-1].set_xlabel("time (s)")
glue("acrnn_fig5", fig, display=False)
plt.show()
display(audio_players(data, [int(test.index[test["category"] == c][0]) for c in wanted]))

# %% [markdown]
# ## Summary
#
# The paper reads its Fig. 5 as: frame-level attention focuses on the important temporal
# events and reduces the impact of background noise; the softmax weights are "too small"
# (they sum to one over the frames, so each frame gets little); and the attention for *rain*
# "only focus[es] on a few frames, which may reduce model robustness". The figure above keeps
# each scaling's weights on its own axis and at their own size, so the first two readings can
# be checked on our curves: compare the height of the softmax row with the sigmoid row, and
# where each puts its peaks against the events.
#
# ## What's next
#
# {doc}`30-attention-localisation` measures how much of the attention lands on the events.
#
# ## Exercises
#
# 1. Plot the softmax weights of one clip multiplied by the number of frames at l2. What is
#    the value of a weight that is "as large as average", and how do the peaks compare with
#    the sigmoid weights then?
#
# :::{admonition} Solution
# :class: dropdown
#
# Softmax weights sum to one over the n frames, so n × weight is 1 on average; peaks well
# above 1 are frames the softmax prefers. On that scale the two scalings can be compared
# by shape: where each puts its mass, rather than by size, which the sum-to-one rule fixes.
# :::
#
# 2. The paper worries that attention on *rain* "only focus[es] on a few frames". How would
#    you measure that for our models instead of reading it off one clip?
#
# :::{admonition} Solution
# :class: dropdown
#
# For each test clip of the class, compute the share of frames holding, say, 80 % of the
# attention mass (fewer frames = more focused), and compare the distribution over clips
# between sigmoid and softmax and between classes (rain against dog bark);
# {doc}`30-attention-localisation` does the same kind of measurement against event frames.
# :::
