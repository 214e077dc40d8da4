# %% [markdown]
# # Does attention look at the events? Localisation on synthetic scenes
#
# **Overview.** Neither paper can say whether attention looks at the sound that carries the
# class: real recordings come without that ground truth. The synthetic scenes have it. For each
# trained attention model we measure the share of attention mass on the frames of the
# ground-truth foreground events (and, for PBA, on their time–frequency boxes) and set it
# against three baselines: chance (the share those frames have of the clip), the same network
# untrained (what the architecture computes before learning anything), and a plain energy map
# of the input (what loudness alone finds: the events are louder than the background). Only a
# lift over all three says that attention *learned* to find the events.
#
# **Prerequisites.** {doc}`01-data` (the events), {doc}`13-pbcnn-attention-overlay`,
# {doc}`24-acrnn-frame-attention`.

# %% tags=["parameters"]
dataset = "synthetic"      # only the synthetic scenes have ground truth
data_root = None           # None: where the dataset registry finds it
profile = "quick"          # smoke | quick | cpu | paper
folds = None               # None: the profile's folds
seeds = None               # None: the profile's seeds
epochs = None              # None: the profile's epochs
device = "auto"
results_dir = None         # None: $ASCNB_RESULTS, else results/
per_class = 4              # test clips scored per class and (fold, seed): the first of each

# %% tags=["fold"]
import pandas as pd

from ascnb.evaluate import mean_ci
from ascnb.experiment import experiment_dataset, load_table
from ascnb.features import band_frequencies, compute_features
from ascnb.report.attention_maps import (RecordAttention, attention_mass, clip_attention,
                                         combined_map, energy_map, event_mask, first_per_class)
from ascnb.report.tables import compare, dataset_label, format_ci, glue

knobs = dict(dataset=dataset, data_root=data_root, profile=profile, folds=folds, seeds=seeds,
             epochs=epochs, device=device)
pbcnn = load_table("pbcnn-table2-models", rows=["TB-CNN", "PB-CNN"], **knobs)
acrnn = load_table("acrnn-table4-placement-scaling", rows=["l2 sigmoid", "l2 softmax"], **knobs)
candidates = {                                    # name on this page: (table, row)
    "TB-CNN (time)": (pbcnn, "TB-CNN"),
    "PB-CNN (pixel)": (pbcnn, "PB-CNN"),
    "ACRNN l2 sigmoid": (acrnn, "l2 sigmoid"),
    "ACRNN l2 softmax": (acrnn, "l2 softmax"),
}
data = experiment_dataset(pbcnn.rows["PB-CNN"])
if data.events is None:
    raise ValueError(f"{dataset_label(data)} has no ground-truth events: use dataset='synthetic'")
results = {**pbcnn.run(results_dir), **acrnn.run(results_dir)}

# %% [markdown]
# ## Attention mass on event frames (and boxes)
#
# The clips are the first `per_class` test clips of each class in each record's fold (every
# class counted alike: a fold's test clips are sorted by class) and their features those the
# network was tested on.
# The trained networks' maps of those clips are kept beside their records (`RecordAttention`
# reads them), so this page trains nothing; other clips, profiles or datasets are computed
# from the trained networks (weights in `runs/`, or retrained when they are not there).
# For a clip, each attention layer's map over the clip (`clip_attention`: segments mapped back
# onto the clip, overlaps averaged) is normalised to sum to one and the layers are averaged
# (`combined_map`; frame weights spread evenly over the bands). Its mass on event frames
# (`attention_mass` with an `event_mask` over frames) is the share inside any foreground event;
# chance is the share of such frames. For pixel attention the mass inside the events'
# time–frequency boxes is compared the same way with the boxes' share of the grid.

# %%
rows = []
for name, (table, row) in candidates.items():
    exp = table.rows[row]
    config = exp.feature_config()
    band_hz = band_frequencies(config)
    data = experiment_dataset(exp)                # the clips it was trained and tested on
    features = compute_features(data, config, progress=False)   # the features it was trained on
    for record in results[row].to_dict("records"):   # in (fold, seed) order
        attention = RecordAttention(exp, record, features, data)   # kept maps, else computed
        untrained = attention.untrained(seed=int(record["seed"]))   # fresh weights, same network
        for i in first_per_class(attention.test_clips, per_class):
            X = features[i]                       # (channels, bands, frames)
            maps = attention.maps(i)              # {layer: (frames,) or (bands, frames)}
            weights = combined_map(maps, n_bands=X.shape[1])      # (bands, frames), sums to 1
            before = combined_map(clip_attention(untrained, X), n_bands=X.shape[1])
            energy = energy_map(X)                                # (bands, frames), sums to 1
            filename = data.clips.iloc[i]["filename"]
            frames = event_mask(data.events, filename, X.shape[-1], config.hop_seconds)
            scores = {"model": name, "fold": record["fold"], "seed": record["seed"],
                      "clip": filename, "mass on events": attention_mass(weights, frames),
                      "untrained": attention_mass(before, frames),
                      "energy": attention_mass(energy, frames), "chance": float(frames.mean())}
            if any(m.ndim == 2 for m in maps.values()):
                boxes = event_mask(data.events, filename, X.shape[-1], config.hop_seconds, band_hz)
                scores.update({"mass in boxes": attention_mass(weights, boxes),
                               "untrained (boxes)": attention_mass(before, boxes),
                               "energy (boxes)": attention_mass(energy, boxes),
                               "chance (boxes)": float(boxes.mean())})
            rows.append(scores)
scores = pd.DataFrame(rows)

# %% [markdown]
# ## Above the baselines?
#
# Every verdict comes from the same function as every verdict of the book
# (`ascnb.report.tables.compare`): each clip's attention mass is paired with the same clip's
# baseline (matched on fold, seed and clip), and "more mass on the events than the baseline"
# is *supported* when the 95 % interval of the paired difference lies above 0. Masses are in
# percent of the clip's attention, ± the half-width of the 95 % interval over clips × seeds;
# differences to two decimals (an untrained map can sit a few hundredths of a point off
# chance, consistently enough over many clips for an interval that excludes 0).

# %%
def paired(group, value, baseline):
    """The clips of one model as records of two 'configurations': the map and a baseline"""
    key = group["fold"].astype(str) + "/" + group["clip"]
    return (pd.DataFrame({"fold": key, "seed": group["seed"], "accuracy": group[value]}),
            pd.DataFrame({"fold": key, "seed": group["seed"], "accuracy": group[baseline]}))


def lift(outcome):
    """compare()'s paired difference, to two decimals, with its verdict"""
    shown = format_ci({"mean": outcome["mean_diff"], "half": outcome["half"],
                       "n": outcome["n_pairs"]}, digits=2)
    return f"{shown}: {outcome['verdict']}"


def baselines(group, value, suffix=""):
    """Mass of the trained map and each baseline, and the map's lift over each"""
    group = group.dropna(subset=[value])
    line = {f"attention{suffix} (%)": format_ci(mean_ci(100 * group[value]))}
    for baseline in ("chance", "untrained", "energy"):
        column = baseline + (" (boxes)" if suffix else "")
        line[f"{baseline}{suffix} (%)"] = format_ci(mean_ci(100 * group[column]))
        line[f"over {baseline}{suffix} (points)"] = lift(compare(*paired(group, value, column)))
    return line


summary = []
for name, group in scores.groupby("model", sort=False):
    line = {"model": name, **baselines(group, "mass on events")}
    if "mass in boxes" in group and group["mass in boxes"].notna().any():
        line.update(baselines(group, "mass in boxes", suffix=", boxes"))
    summary.append({**line, "clips × seeds": len(group), "data": dataset_label(data),
                    "profile": profile})
localisation = pd.DataFrame(summary).set_index("model").fillna("")
glue("localisation_table", localisation, display=False)
localisation.T

# %% [markdown]
# The frame masses as a figure: for each model, the trained attention's mass on the event
# frames beside its three baselines, each a mean over clips × seeds with its 95 % interval.

# %% mystnb={"figure": {"caption": "Localisation: the share of each model's attention on the event frames beside its untrained twin, an energy map of the input and chance, each a mean over clips and seeds with its 95 % interval."}}
import matplotlib.pyplot as plt
import numpy as np

columns = {"mass on events": "trained attention", "untrained": "untrained twin",
           "energy": "energy map", "chance": "chance (event frames' share)"}
colours = ["#1f77b4", "#9467bd", "#ff7f0e", "#7f7f7f"]
models = list(dict.fromkeys(scores["model"]))
fig, ax = plt.subplots(figsize=(9, 0.9 * len(models) + 1.6), layout="constrained")
for k, (column, label) in enumerate(columns.items()):
    for y, name in enumerate(models):
        stats = mean_ci(100 * scores.loc[scores["model"] == name, column])
        half = 0 if np.isnan(stats["half"]) else stats["half"]
        ax.errorbar(stats["mean"], y + (k - 1.5) * 0.18, xerr=half, fmt="o", color=colours[k],
                    capsize=3, label=label if y == 0 else None)
ax.set_yticks(range(len(models)), models)
ax.invert_yaxis()
ax.set_xlabel("share of the clip's attention on event frames (%)")
ax.set_xlim(0, 100)
ax.grid(axis="x", alpha=0.3)
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)  # off the data
ax.set_title(f"Localisation ({profile} profile, {dataset_label(data)})", fontsize=9)
plt.show()

# %% [markdown]
# ## Summary
#
# A model whose attention mass on the events exceeds chance looks where the events are; whether
# it *learned* to look there is the lift over its untrained twin, and whether it does more
# than follow loudness is the lift over the energy map. The table gives all three for every
# model, each with its verdict.
#
# ## What's next
#
# {doc}`40-claims` gathers every claim of both papers with its verdicts; {doc}`../reproduce` runs
# all of this at the papers' scale.
#
# ## Exercises
#
# 1. The energy map scores clips by their loud frames. Why can attention beat it on these
#    scenes at all?
#
# :::{admonition} Solution
# :class: dropdown
#
# The distractors are as loud as the events; a map that follows
# loudness puts as much mass on them as on the events, while attention trained to classify
# has a reason to ignore them.
# :::
#
# 2. Score the untrained twin with another seed (`attention.untrained(seed=1)`): does the
#    baseline move?
#
# :::{admonition} Solution
# :class: dropdown
#
# A little; the architecture's own bias (e.g. towards loud,
# high-contrast frames after ReLUs) is what the untrained column measures.
# :::
