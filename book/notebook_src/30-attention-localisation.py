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
data_root = None
profile = "quick"
folds = None
seeds = None
epochs = None
device = "auto"
results_dir = "results"
max_clips = 40

# %%
import numpy as np
import pandas as pd

from ascnb.book import (book_dataset, clip_attention, dataset_label, format_ci, glue,
                        make_experiment, mean_ci, run_or_load, trained_model)
from ascnb.features import band_frequencies, extract, feature_config

data = book_dataset(dataset, data_root)
if data.events is None:
    raise ValueError(f"{dataset_label(data)} has no ground-truth events: use dataset='synthetic'")
common = dict(dataset=dataset, data_root=data_root, profile=profile, folds=folds, seeds=seeds,
              epochs=epochs, device=device)
candidates = {
    "TB-CNN (time)": dict(name="pbcnn-models", model="tb-cnn", preset="pbcnn",
                          features={"kind": "logmel", "n_mels": 128}, segmentation="overlap"),
    "PB-CNN (pixel)": dict(name="pbcnn-models", model="pb-cnn", preset="pbcnn",
                           features={"kind": "logmel", "n_mels": 128}, segmentation="overlap"),
    "ACRNN l2 sigmoid": dict(name="acrnn-placement-scaling", model="acrnn", preset="acrnn",
                             model_params={"attention_at": 2, "attention_scale": "sigmoid"},
                             features={"kind": "gammatone"}, segmentation="acrnn",
                             augment=True),
    "ACRNN l2 softmax": dict(name="acrnn-placement-scaling", model="acrnn", preset="acrnn",
                             model_params={"attention_at": 2, "attention_scale": "softmax"},
                             features={"kind": "gammatone"}, segmentation="acrnn",
                             augment=True),
}

# %% [markdown]
# ## Attention mass on event frames (and boxes)
#
# For a clip, the attention over time is normalised to sum to one; its mass on event frames is
# the sum over frames inside any foreground event. Chance is the fraction of such frames. For
# pixel attention the map over bands × frames is normalised the same way and its mass inside
# the events' time–frequency boxes is compared with the boxes' share of the grid. Stages are
# averaged after each stage's map is normalised (``ascnb.book.clip_attention`` maps them onto
# the clip and averages overlapping segments).

# %%
def event_mask(filename, n_frames, hop_seconds, band_hz=None):
    """Frames (n_frames,) or cells (bands, n_frames) inside any foreground event of a clip"""
    t = np.arange(n_frames) * hop_seconds
    events = data.events[(data.events["filename"] == filename) & (data.events["kind"] == "foreground")]
    shape = (n_frames,) if band_hz is None else (len(band_hz), n_frames)
    mask = np.zeros(shape, dtype=bool)
    for e in events.itertuples():
        frames = (t >= e.onset) & (t < e.offset)
        if band_hz is None:
            mask |= frames
        else:
            bands = (band_hz >= e.fmin) & (band_hz <= e.fmax)
            mask |= bands[:, None] & frames[None, :]
    return mask


rows = []
for name, spec in candidates.items():
    spec = dict(spec)
    exp = make_experiment(spec.pop("name"), **spec, **common)
    config = feature_config(**spec["features"])
    band_hz = band_frequencies(config)
    for record in run_or_load(exp, results_dir).to_dict("records"):
        model = trained_model(exp, record, results_dir)   # with its training fold's normaliser
        _, test = data.split(record["fold"])
        for i in list(test.index[:max_clips]):
            X = extract(config, data.read(i))                 # (channels, bands, frames)
            T = X.shape[-1]
            maps = list(clip_attention(model, X).values())    # one per attention layer
            pixel = maps[0].ndim == 2
            maps = [m if pixel else np.broadcast_to(m, (X.shape[1], T)) for m in maps]
            weights = np.mean([m / max(m.sum(), 1e-12) for m in maps], axis=0)  # (bands, frames)
            filename = data.clips.iloc[i]["filename"]
            over_time = weights.sum(axis=0) / max(weights.sum(), 1e-12)
            mask = event_mask(filename, T, config.hop_seconds)
            row = {"model": name, "fold": record["fold"], "seed": record["seed"],
                   "mass on events": float(over_time[mask].sum()), "chance": float(mask.mean())}
            if pixel:
                boxes = event_mask(filename, T, config.hop_seconds, band_hz)
                row.update({"mass in boxes": float(weights[boxes].sum() / max(weights.sum(), 1e-12)),
                            "chance (boxes)": float(boxes.mean())})
            rows.append(row)
scores = pd.DataFrame(rows)

# %%
summary = []
for name, group in scores.groupby("model", sort=False):
    lift = group["mass on events"] - group["chance"]
    summary.append({"model": name, "mass on events": format_ci(*mean_ci(group["mass on events"]), digits=3),
                    "chance": f"{group['chance'].mean():.3f}",
                    "above chance": format_ci(*mean_ci(lift), digits=3),
                    "verdict": "above chance" if mean_ci(lift)[0] - mean_ci(lift)[1] > 0 else "not above chance",
                    "dataset": dataset_label(data), "profile": profile})
    if "mass in boxes" in group and group["mass in boxes"].notna().any():
        box_lift = group["mass in boxes"] - group["chance (boxes)"]
        summary[-1].update({"mass in boxes": format_ci(*mean_ci(group["mass in boxes"]), digits=3),
                            "chance (boxes)": f"{group['chance (boxes)'].mean():.3f}",
                            "boxes: above chance": format_ci(*mean_ci(box_lift), digits=3)})
table = pd.DataFrame(summary).set_index("model").fillna("")
glue("localisation_table", table, display=False)
table

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
