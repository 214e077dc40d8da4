# %% [markdown]
# # PB-CNN Table 1: how many mel bands?
#
# **Overview.** Before comparing attention mechanisms, the PB-CNN paper {cite:p}`pbcnn2020`
# chooses the number of mel bands with the baseline CNN of {cite:t}`valenti2017cnn`: 60, 128,
# 256 or 512 bands on DCASE 2016 (its Table 1), and keeps 128. This notebook trains the same
# baseline for each number of bands and sets our accuracies beside the paper's.
#
# **Prerequisites.** {doc}`02-features` (log-mel), {doc}`03-models` (the Valenti CNN).

# %% tags=["parameters"]
dataset = "synthetic"      # dcase2016 for the paper's setting
data_root = None
profile = "quick"          # smoke | quick | paper
folds = None               # None: the profile's folds
seeds = None               # None: the profile's seeds
epochs = None              # None: the profile's epochs
device = "auto"
results_dir = "results"
mel_bands = [60, 128, 256, 512]

# %%
import matplotlib.pyplot as plt

from ascnb.book import (accuracies, book_dataset, claims_table, dataset_label, glue, make_experiment,
                        results_table, run_or_load)
from ascnb.reference import paper_table

label = dataset_label(book_dataset(dataset, data_root))
paper = paper_table("pbcnn", "table1_mel_bands")
common = dict(dataset=dataset, data_root=data_root, profile=profile, folds=folds, seeds=seeds,
              epochs=epochs, device=device)

# %% [markdown]
# ## Training the baseline for each number of bands
#
# One experiment per number of bands: log-mel features, 3 s segments with 50% overlap, the
# PB-CNN training preset. Records already in `results/` are read, not retrained.

# %%
results = {}
for n_mels in mel_bands:
    exp = make_experiment("pbcnn-mel-bands", model="valenti", preset="pbcnn",
                          features={"kind": "logmel", "n_mels": n_mels}, segmentation="overlap",
                          **common)
    results[f"{n_mels} bands"] = run_or_load(exp, results_dir)

# %% [markdown]
# ## Paper vs ours

# %%
paper_values = {f"{n} bands": paper.loc[str(n), "average"] for n in mel_bands if str(n) in paper.index}
table = results_table(results, paper_values, dataset=label, profile=profile)
glue("pbcnn_t1_table", table, display=False)
table

# %% [markdown]
# ## The paper's claim: 128 bands is best

# %%
claims = [("128 bands", other, f"128 bands beat {other}") for other in results if other != "128 bands"]
verdicts = claims_table(results, claims) if "128 bands" in results else None
glue("pbcnn_t1_claims", verdicts, display=False)
verdicts

# %%
fig, ax = plt.subplots(figsize=(5, 3))
means = [accuracies(r).mean() for r in results.values()]
ax.plot(mel_bands, means, "o-", label=f"ours ({profile}, {label})")
ax.plot([int(n) for n in paper.index], paper["average"], "s--", label="paper (DCASE 2016)")
ax.set_xscale("log", base=2)
ax.set_xticks(mel_bands)
ax.set_xticklabels(mel_bands)
ax.set_xlabel("mel bands")
ax.set_ylabel("accuracy (%)")
ax.legend(fontsize=8)
glue("pbcnn_t1_figure", fig, display=False)
plt.show()
best = max(results, key=lambda k: accuracies(results[k]).mean())
glue("pbcnn_t1_best", best)

# %% [markdown]
# ## Summary
#
# The table sets the paper's average over its four folds beside our mean and 95% interval over
# folds × seeds; the verdicts say whether our runs support the choice of 128 bands. On the
# synthetic scenes and the quick profile, differences of a point or two are within noise.
#
# ## What's next
#
# {doc}`11-pbcnn-models` keeps 128 bands and compares the four CNNs.
