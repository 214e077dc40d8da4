# %% [markdown]
# # PB-CNN Fig. 9: where pixel-based attention looks
#
# **Overview.** Fig. 9 of {cite:t}`pbcnn2020` lays the PBA weights of three clips over their
# log-mel spectrograms. We do the same with a trained PB-CNN (the "PB-CNN" row of Table 2 in
# {doc}`11-pbcnn-models`: the same experiment, so its records are reused) and, on
# the synthetic scenes, draw the ground-truth events on top. Then we read the learned γ of each
# PBA, the number that decides how much of the attended map is mixed into the network.
#
# **Prerequisites.** {doc}`04-attention`, {doc}`11-pbcnn-models`.

# %% tags=["parameters"]
dataset = "synthetic"      # dcase2016 for the paper's setting (4 folds); dcase2016-eval: tested
                           # on the evaluation set (one fold, "eval")
data_root = None           # None: where the dataset registry finds it
profile = "quick"          # smoke | quick | cpu | paper
folds = None               # None: the profile's folds
seeds = None               # None: the profile's seeds
epochs = None              # None: the profile's epochs
device = "auto"
results_dir = None         # None: $ASCNB_RESULTS, else results/
n_clips = 3                # test clips shown

# %% tags=["fold"]
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import display

from ascnb.experiment import experiment_dataset, load_table
from ascnb.features import band_frequencies, compute_features
from ascnb.report.attention_maps import RecordAttention
from ascnb.report.plots import draw_events, plot_spectrogram
from ascnb.report.tables import dataset_label, glue
from ascnb.report.widgets import audio_players

table = load_table("pbcnn-table2-models", rows=["PB-CNN"], dataset=dataset, data_root=data_root,
                   profile=profile, folds=folds, seeds=seeds, epochs=epochs, device=device)
exp = table.rows["PB-CNN"]
record = table.run(results_dir)["PB-CNN"].to_dict("records")[0]   # its first (fold, seed)
data = experiment_dataset(exp)                    # the clips it was trained and tested on
config = exp.feature_config()
features = compute_features(data, config, progress=False)   # the features it was trained on
attention = RecordAttention(exp, record, features, data)   # its maps: kept, else computed
test = attention.test_clips                       # the record's test clips (checked)
band_hz = band_frequencies(config)
print(f"PB-CNN, {dataset_label(data)}, fold {record['fold']}, seed {record['seed']}: "
      f"accuracy {100 * record['accuracy']:.1f} % on {len(test)} test clips")

# %% [markdown]
# ## Attention over three test clips
#
# The clips and their features are those of the record's test fold. Each clip is cut into
# 3 s segments as in
# training; the pixel weights $W_k$ of every segment and every stage are mapped back onto the
# input's grid (stage $s$ sees it pooled by $2^{s-1}$), averaged over the four stages, and
# averaged where segments overlap (`ascnb.report.attention_maps.clip_attention`). The maps
# of the record's first four test clips of each class are kept beside the record
# (`RecordAttention` reads them; `book/tools/keep_attention.py` writes them), so this page
# trains nothing; any other clip, profile or dataset is computed from the trained network
# (its weights in `runs/`, or retrained when they are not there).

# %% mystnb={"figure": {"caption": "Fig. 9 of the paper, ours: test clips as log-mel spectrograms (left) and the trained PB-CNN's pixel weights averaged over its PBA stages (right), with the ground-truth event boxes where the data has them."}}
chosen = list(test.groupby("label").head(1).index[:n_clips])
fig, axes = plt.subplots(len(chosen), 2, figsize=(13, 2.8 * len(chosen)), squeeze=False)
for row, i in zip(axes, chosen):
    X = features[i]                                              # (1, bands, frames)
    maps = attention.maps(i)                                     # {stage: (bands, frames)}
    pixel = np.mean([m for k, m in maps.items() if k.endswith(".pixel")], axis=0)
    clip = data.clips.iloc[i]
    plot_spectrogram(row[0], X[0], hop_seconds=config.hop_seconds, band_hz=band_hz,
                     title=f"{clip['category']}: log-mel", label="log energy (dB)")
    plot_spectrogram(row[1], pixel, hop_seconds=config.hop_seconds, band_hz=band_hz,
                     title="PBA pixel weights $W_k$, mean of the stages", cmap="viridis",
                     label="weight")
    if data.events is not None:
        for ax in row:
            draw_events(ax, data.events[data.events["filename"] == clip["filename"]], band_hz,
                        label_events=False)
fig.tight_layout()
glue("pbcnn_fig9", fig, display=False)
plt.show()
display(audio_players(data, chosen))              # the clips above, top to bottom

# %% [markdown]
# ## The learned γ of each stage
#
# Each PBA returns $\mathrm{ReLU}(X + \gamma \cdot (W_v \odot W_k) \odot W_s)$, with γ learned
# from a start at 0. At $\gamma = 0$ the attention branch is multiplied away and the block
# computes $\mathrm{ReLU}(X)$: that stage is a plain CNN stage, whatever its pixel weights
# look like. So a γ near 0 means the attention branch barely contributes to that stage, and
# the pictures above show weights the network hardly uses. One caution in reading a γ that is
# small but not 0: $W_v$ is a learned convolution too, and a small γ times a large $W_v$ is not
# a small branch. The second column measures the branch itself, $\lVert \gamma (W_v \odot W_k)
# \odot W_s \rVert / \lVert X \rVert$ over the test segments (`PBCNN.pba_branch_share`): 0 is
# a plain CNN stage, 1 a branch as large as the stage's own signal.

# %%
summaries = attention.summaries()                 # γ and branch share over the test segments
gammas, shares = summaries["γ"], summaries["branch share"]   # {"stage1": …, …}
gamma_table = pd.DataFrame({"γ": gammas, "branch share ‖γ·Wm⊙Ws‖ / ‖X‖": shares}).round(4)
gamma_table.index.name = "PBA"
glue("pbcnn_fig9_gamma", ", ".join(f"{g:.3f}" for g in gammas.values()))
glue("pbcnn_fig9_gamma_table", gamma_table, display=False)
gamma_table

# %% [markdown]
# ## Summary
#
# The right column is where the trained PBA puts weight; the γ table says how much of that
# weighting reaches the network's output. On the synthetic scenes the boxes show where the
# class evidence is; {doc}`30-attention-localisation` turns this picture into a number.
#
# ## What's next
#
# The ACRNN part, starting with {doc}`20-acrnn-comparison-cost`.
#
# ## Exercises
#
# 1. Take the trained network (`model = attention.model`: its weights from `runs/`, or
#    retrained) and the test segments (`X_test = torch.tensor(attention.fold_data.X_test)`), set every γ
#    to 0 (`for stage in model.stages: stage.attention.gamma.data.zero_()`) and compare the
#    segment predictions `model(X_test).argmax(1)` with those before. What does the share of
#    changed predictions tell you?
#
# :::{admonition} Solution
# :class: dropdown
#
# The share of changed predictions is what the attention branches decide in this trained
# network: few change when the branch shares above are small.
# :::
