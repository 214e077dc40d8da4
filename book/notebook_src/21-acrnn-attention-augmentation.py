# %% [markdown]
# # ACRNN Table 3: attention × augmentation
#
# **Overview.** Table 3 of {cite:t}`zhang2021acrnn` adds attention (at l10) and augmentation
# (time stretch, pitch shift, mixup {cite:p}`zhang2018mixup`) to the convolutional RNN one at
# a time: 89.2 → 91.7 (attention) → 93.0 (augmentation) → 93.7% (both) on ESC-10. We train the
# four combinations.
#
# **Prerequisites.** {doc}`04-attention`, {doc}`20-acrnn-comparison-cost`.

# %% tags=["parameters"]
dataset = "synthetic"      # esc10 / esc50 for the paper's setting
data_root = None
profile = "quick"          # smoke | quick | paper
folds = None               # None: the profile's folds
seeds = None
epochs = None
device = "auto"
results_dir = "results"
augmentations = [False, True]

# %%
from ascnb.book import (book_dataset, claims_table, dataset_label, glue, make_experiment,
                        results_table, run_or_load)
from ascnb.reference import paper_table

label = dataset_label(book_dataset(dataset, data_root))
column = "ESC-50" if dataset == "esc50" else "ESC-10"
paper = paper_table("acrnn", "table3_attention_augment")
common = dict(dataset=dataset, data_root=data_root, profile=profile, folds=folds, seeds=seeds,
              epochs=epochs, device=device)
rows = {("crnn", False): "convolutional RNN", ("acrnn", False): "+ attention",
        ("crnn", True): "+ augment", ("acrnn", True): "+ attention + augment"}

# %%
results = {}
for (model, augment), name in rows.items():
    if augment not in augmentations:
        continue
    exp = make_experiment("acrnn-attention-augmentation", model=model, preset="acrnn",
                          features={"kind": "gammatone"}, segmentation="acrnn",
                          augment=augment, **common)
    results[name] = run_or_load(exp, results_dir)

# %% [markdown]
# ## Table 3: paper vs ours

# %%
table = results_table(results, {k: paper.loc[k, column] for k in results}, dataset=label,
                      profile=profile)
glue("acrnn_t3_table", table, display=False)
table

# %%
claims = [(a, b, s) for a, b, s in [
    ("+ attention", "convolutional RNN", "attention helps without augmentation"),
    ("+ attention + augment", "+ augment", "attention helps with augmentation"),
    ("+ augment", "convolutional RNN", "augmentation helps without attention"),
    ("+ attention + augment", "+ attention", "augmentation helps with attention")]
    if a in results and b in results]
verdicts = claims_table(results, claims)
glue("acrnn_t3_claims", verdicts, display=False)
verdicts

# %% [markdown]
# ## Summary
#
# Each verdict compares the same folds and seeds with and without one ingredient.
#
# ## What's next
#
# {doc}`22-acrnn-placement-scaling` moves the attention through the network.
