# %% [markdown]
# # PB-CNN Table 3: cutting the spectrogram
#
# **Overview.** {cite:t}`pbcnn2020` compare three ways of feeding a clip to each of the four
# CNNs: the whole clip (no split), 3 s segments with 50% overlap, and 3 s segments without
# overlap (its Table 3), and find overlap best or equal for every network. We repeat the grid;
# the overlap column reuses the records of {doc}`11-pbcnn-models` (same configuration).
#
# **Prerequisites.** {doc}`02-features` (segments), {doc}`11-pbcnn-models`.

# %% tags=["parameters"]
dataset = "synthetic"
data_root = None
profile = "quick"
folds = None
seeds = None
epochs = None
device = "auto"
results_dir = "results"
models = ["cnn", "tb-cnn", "fb-cnn", "pb-cnn"]
segmentations = ["no-split", "overlap", "no-overlap"]

# %%
import pandas as pd

from ascnb.book import (accuracies, book_dataset, claims_table, dataset_label, format_ci, glue,
                        make_experiment, mean_ci, run_or_load)
from ascnb.reference import paper_table

label = dataset_label(book_dataset(dataset, data_root))
paper = paper_table("pbcnn", "table3_segmentation")
names = {"cnn": "CNN", "tb-cnn": "TB-CNN", "fb-cnn": "FB-CNN", "pb-cnn": "PB-CNN"}
common = dict(dataset=dataset, data_root=data_root, profile=profile, folds=folds, seeds=seeds,
              epochs=epochs, device=device)

# %%
results = {}
for model in models:
    for cut in segmentations:
        exp = make_experiment("pbcnn-models", model=model, preset="pbcnn",
                              features={"kind": "logmel", "n_mels": 128}, segmentation=cut, **common)
        results[(names[model], cut)] = run_or_load(exp, results_dir)

# %% [markdown]
# ## Table 3: paper vs ours

# %%
rows = []
for (model, cut), records in results.items():
    rows.append({"model": model, "cut": cut, "paper (%)": paper.loc[model, cut],
                 "ours (%)": format_ci(*mean_ci(accuracies(records))), "dataset": label,
                 "profile": profile})
table = pd.DataFrame(rows).pivot(index="model", columns="cut", values=["paper (%)", "ours (%)"])
glue("pbcnn_t3_table", table, display=False)
table

# %% [markdown]
# ## The paper's claim: overlapping segments are at least as good

# %%
flat = {f"{m} {c}": r for (m, c), r in results.items()}
claims = [(f"{names[m]} overlap", f"{names[m]} no-overlap", f"{names[m]}: overlap beats no overlap")
          for m in models if "overlap" in segmentations and "no-overlap" in segmentations]
claims += [(f"{names[m]} overlap", f"{names[m]} no-split", f"{names[m]}: overlap beats no split")
           for m in models if "no-split" in segmentations and "overlap" in segmentations]
verdicts = claims_table(flat, claims)
glue("pbcnn_t3_claims", verdicts, display=False)
verdicts

# %% [markdown]
# ## Summary
#
# With 5 s clips (ESC, synthetic) a 3 s segment leaves few segments per clip, unlike the 19 of a
# 30 s DCASE clip, so the effect of overlap should be weaker here than in the paper.
#
# ## What's next
#
# {doc}`13-pbcnn-attention-overlay` looks inside the PB-CNN.
