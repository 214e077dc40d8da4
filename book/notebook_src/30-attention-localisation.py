# %% [markdown]
# # Does attention look at the events? Localisation on synthetic scenes
#
# **Overview.** Neither paper can say whether attention looks at the sound that carries the
# class: real recordings come without that ground truth. The synthetic scenes have it. For each
# trained attention model we measure the share of attention mass on the frames of the
# ground-truth foreground events (and, for PBA, on their time–frequency boxes) and compare it
# with chance, the share those frames have of the clip.
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
max_clips = 40             # test clips scored per (fold, seed)

# %%
import pandas as pd

from ascnb.evaluate import mean_ci
from ascnb.experiment import experiment_dataset, load_table, trained_model
from ascnb.features import band_frequencies, extract
from ascnb.report.attention_maps import attention_mass, clip_attention, combined_map, event_mask
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
    config = exp.feature_config()                 # the features the model was trained on
    band_hz = band_frequencies(config)
    data = experiment_dataset(exp)                # the clips it was trained and tested on
    for record in results[row].to_dict("records"):
        model = trained_model(exp, record)        # with its training fold's normaliser
        _, test = data.split(record["fold"])
        for i in list(test.index[:max_clips]):
            X = extract(config, data.read(i))     # (channels, bands, frames)
            maps = clip_attention(model, X)       # {layer: (frames,) or (bands, frames)}
            weights = combined_map(maps, n_bands=X.shape[1])      # (bands, frames), sums to 1
            filename = data.clips.iloc[i]["filename"]
            frames = event_mask(data.events, filename, X.shape[-1], config.hop_seconds)
            scores = {"model": name, "fold": record["fold"], "seed": record["seed"],
                      "clip": filename, "mass on events": attention_mass(weights, frames),
                      "chance": float(frames.mean())}
            if any(m.ndim == 2 for m in maps.values()):
                boxes = event_mask(data.events, filename, X.shape[-1], config.hop_seconds, band_hz)
                scores.update({"mass in boxes": attention_mass(weights, boxes),
                               "chance (boxes)": float(boxes.mean())})
            rows.append(scores)
scores = pd.DataFrame(rows)

# %% [markdown]
# ## Above chance?
#
# The verdict comes from the same function as every verdict of the book
# (`ascnb.report.tables.compare`): each clip's attention mass is paired with its own chance
# level (matched on fold, seed and clip), and the claim "more mass on the events than chance"
# is *supported* when the 95 % interval of the paired difference lies above 0. Masses and
# differences are in percent of the clip's attention (differences to two decimals: an
# untrained map can sit a few hundredths of a point off chance, consistently enough over 20
# clips for an interval that excludes 0).

# %%
def paired(group, value, baseline):
    """The clips of one model as records of two 'configurations': the map and chance"""
    key = group["fold"].astype(str) + "/" + group["clip"]
    return (pd.DataFrame({"fold": key, "seed": group["seed"], "accuracy": group[value]}),
            pd.DataFrame({"fold": key, "seed": group["seed"], "accuracy": group[baseline]}))


def lift(outcome):
    """compare()'s paired difference, to two decimals"""
    return format_ci({"mean": outcome["mean_diff"], "half": outcome["half"], "n": outcome["n_pairs"]},
                     digits=2)


summary = []
for name, group in scores.groupby("model", sort=False):
    outcome = compare(*paired(group, "mass on events", "chance"))
    line = {"model": name, "mass on events (%)": format_ci(mean_ci(100 * group["mass on events"])),
            "chance (%)": f"{100 * group['chance'].mean():.1f}",
            "above chance (points)": lift(outcome), "verdict": outcome["verdict"]}
    if "mass in boxes" in group and group["mass in boxes"].notna().any():
        boxes = group.dropna(subset=["mass in boxes"])
        box_outcome = compare(*paired(boxes, "mass in boxes", "chance (boxes)"))
        line.update({"mass in boxes (%)": format_ci(mean_ci(100 * boxes["mass in boxes"])),
                     "chance, boxes (%)": f"{100 * boxes['chance (boxes)'].mean():.1f}",
                     "boxes: above chance (points)": lift(box_outcome),
                     "boxes: verdict": box_outcome["verdict"]})
    summary.append({**line, "data": dataset_label(data), "profile": profile})
localisation = pd.DataFrame(summary).set_index("model").fillna("")
localisation = localisation[[c for c in localisation if c not in ("data", "profile")] + ["data", "profile"]]
glue("localisation_table", localisation, display=False)
localisation

# %% [markdown]
# ## Summary
#
# A model whose attention mass on the events exceeds chance looks where the class is; one at
# chance classifies from elsewhere (the texture band, the background statistics). One caution:
# the events are louder than the background, and attention computed from activations follows
# energy even in a barely trained network, so compare the lift with the smoke profile's
# (one epoch of two batches) before reading it as learned localisation.
#
# ## What's next
#
# {doc}`../reproduce` runs all of this at the papers' scale.
#
# ## Exercises
#
# 1. Score a plain energy map the same way: `weights = X[0] - X[0].min()` in place of the
#    attention. Is the trained attention above it? *Solution:* pair each clip's attention mass
#    with the energy map's mass in `compare`; a model that only follows loudness ties with it.
