# %% [markdown]
# # ACRNN Table 4: where attention goes, and how it is scaled
#
# **Overview.** Table 4 of {cite:t}`zhang2021acrnn` places frame attention after convolutional
# layer l2, l4, l6 or l8 with a sigmoid or a softmax, or on the recurrent layer l10 (softmax),
# all with augmentation; l10 is best (93.7% on ESC-10, 86.1% on ESC-50). The sigmoid beats the
# softmax at every convolutional layer on ESC-50 and at l4, l6 and l8 on ESC-10; at l2 on
# ESC-10 the two tie (93.5 = 93.5). We train the same grid (the quick profile trains a subset:
# the `placements` parameter).
#
# **Prerequisites.** {doc}`04-attention` (scaling functions), {doc}`21-acrnn-attention-augmentation`.

# %% tags=["parameters"]
dataset = "synthetic"      # esc10 / esc50 for the paper's setting
data_root = None
profile = "quick"          # smoke | quick | paper
folds = None               # None: the profile's folds
seeds = None
epochs = None
device = "auto"
results_dir = "results"
placements = [2, 4, 6, 8]
scales = ["sigmoid", "softmax"]

# %%
from ascnb.book import (book_dataset, claims_table, dataset_label, glue, make_experiment,
                        results_table, run_or_load)
from ascnb.reference import paper_table

label = dataset_label(book_dataset(dataset, data_root))
column = "ESC-50" if dataset == "esc50" else "ESC-10"
paper = paper_table("acrnn", "table4_placement_scaling")
common = dict(dataset=dataset, data_root=data_root, profile=profile, folds=folds, seeds=seeds,
              epochs=epochs, device=device)


def train(model, **model_params):
    # the rows without a placement are Table 3's augmented runs (same config: same records)
    exp = make_experiment("acrnn-placement-scaling" if model_params else "acrnn-attention-augmentation",
                          model=model, model_params=model_params, preset="acrnn",
                          features={"kind": "gammatone"}, segmentation="acrnn",
                          augment=True, **common)
    return run_or_load(exp, results_dir)


results = {"no attention": train("crnn")}
for at in placements:
    for scale in scales:
        results[f"l{at} {scale}"] = train("acrnn", attention_at=at, attention_scale=scale)
results["l10 (RNN, softmax)"] = train("acrnn")   # ACRNN's default: attention at l10, softmax

# %% [markdown]
# ## Table 4: paper vs ours

# %%
table = results_table(results, {k: paper.loc[k, column] for k in results if k in paper.index},
                      dataset=label, profile=profile)
glue("acrnn_t4_table", table, display=False)
table

# %%
claims = [(f"l{at} sigmoid", f"l{at} softmax", f"l{at}: sigmoid beats softmax")
          for at in placements if {"sigmoid", "softmax"} <= set(scales)]
claims += [("l10 (RNN, softmax)", "no attention", "attention at l10 beats no attention")]
verdicts = claims_table(results, claims)
glue("acrnn_t4_claims", verdicts, display=False)
verdicts

# %% [markdown]
# ## Summary
#
# The sigmoid lets several frames be fully on, the softmax makes them compete; the verdicts
# say whether that matters on our data.
#
# ## What's next
#
# {doc}`23-acrnn-confusion` and {doc}`24-acrnn-frame-attention`.
