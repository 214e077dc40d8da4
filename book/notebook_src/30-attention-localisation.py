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
import torch

from ascnb.book import (book_dataset, dataset_label, format_ci, glue, make_experiment, mean_ci,
                        run_or_load)
from ascnb.experiments import load_trained_model
from ascnb.features import extract, feature_config

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
                             overrides={"augment": True}),
    "ACRNN l10 softmax": dict(name="acrnn-attention-augmentation", model="acrnn", preset="acrnn",
                              features={"kind": "gammatone"}, segmentation="acrnn",
                              overrides={"augment": True}),
}

# %% [markdown]
# ## Attention mass on event frames
#
# For a clip, the attention over time is normalised to sum to one; its mass on event frames is
# the sum over frames inside any foreground event. Chance is the fraction of such frames.

# %%
def event_mask(filename, n_frames, hop_seconds):
    t = np.arange(n_frames) * hop_seconds
    events = data.events[(data.events["filename"] == filename) & (data.events["kind"] == "foreground")]
    mask = np.zeros(n_frames, dtype=bool)
    for e in events.itertuples():
        mask |= (t >= e.onset) & (t < e.offset)
    return mask


rows = []
for name, spec in candidates.items():
    spec = dict(spec)
    exp = make_experiment(spec.pop("name"), **spec, **common)
    for record in run_or_load(exp, results_dir).to_dict("records"):
        model, normaliser = load_trained_model(record)
        model.eval()
        config = feature_config(**record.get("features", spec["features"])) if isinstance(
            record.get("features"), dict) else feature_config(**spec["features"])
        _, test = data.split(record["fold"])
        length = 150 if spec["model"] in ("tb-cnn", "pb-cnn") else 128
        for i in list(test.index[:max_clips]):
            X = extract(config, data.read(i))
            T = X.shape[-1]
            weights, count = np.zeros(T), np.zeros(T)
            for start in range(0, max(T - length, 0) + 1, length // 2):
                segment = normaliser.transform(X[None, :, :, start:start + length])
                with torch.no_grad():
                    _, attention = model(torch.tensor(segment, dtype=torch.float32), return_attention=True)
                    on_input = model.attention_on_input(attention)
                w = next(iter(on_input.values()))[0].numpy()
                w = w if w.ndim == 1 else w.mean(axis=0)          # pixel weights -> over time
                weights[start:start + len(w)] += w
                count[start:start + len(w)] += 1
            weights = weights / np.maximum(count, 1)
            weights = weights / max(weights.sum(), 1e-12)
            mask = event_mask(data.clips.iloc[i]["filename"], T, config.hop_seconds)
            rows.append({"model": name, "fold": record["fold"], "seed": record["seed"],
                         "mass on events": float(weights[mask].sum()), "chance": float(mask.mean())})
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
table = pd.DataFrame(summary).set_index("model")
glue("localisation_table", table, display=False)
table

# %% [markdown]
# ## Summary
#
# A model whose attention mass on the events exceeds chance looks where the class is; one at
# chance classifies from elsewhere (the texture band, the background statistics).
#
# ## What's next
#
# {doc}`../reproduce` runs all of this at the papers' scale.
