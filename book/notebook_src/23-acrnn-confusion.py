# %% [markdown]
# # ACRNN Fig. 4: which classes are confused
#
# **Overview.** Fig. 4 of {cite:t}`zhang2021acrnn` is the confusion matrix of ACRNN on ESC-50.
# We draw ours, summed over folds and seeds, from the records of the full ACRNN
# (attention at l10 and augmentation: the same runs as {doc}`21-acrnn-attention-augmentation`).
#
# **Prerequisites.** {doc}`21-acrnn-attention-augmentation`.

# %% tags=["parameters"]
dataset = "synthetic"      # esc50 for the paper's figure (esc10 works too)
data_root = None           # None: where the dataset registry finds it
profile = "quick"          # smoke | quick | cpu | paper
folds = None               # None: the profile's folds
seeds = None               # None: the profile's seeds
epochs = None              # None: the profile's epochs
device = "auto"
results_dir = None         # None: $ASCNB_RESULTS, else results/

# %% tags=["fold"]
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ascnb.evaluate import summed_confusion
from ascnb.experiment import load_table
from ascnb.report.plots import plot_confusion
from ascnb.report.tables import accuracies, glue, runs_label

row = "+ attention + augment"                     # the full ACRNN: attention at l10, augmentation
table = load_table("acrnn-table3-attention-augmentation", rows=[row], dataset=dataset,
                   data_root=data_root, profile=profile, folds=folds, seeds=seeds, epochs=epochs,
                   device=device)
records = table.run(results_dir)[row]
classes = list(records["classes"].iloc[0])
matrix = summed_confusion(records)                # (true, predicted) clip counts

# %% mystnb={"figure": {"caption": "Fig. 4 of the paper, ours: ACRNN's confusion matrix summed over the test folds and seeds of the records, with clip counts; each row is shared out over the predicted classes."}}
fig, ax = plt.subplots(figsize=(6, 5.2), layout="constrained")
image = plot_confusion(ax, matrix, classes,
                       title=f"ACRNN, {records['dataset_description'].iloc[0]}, {profile}, "
                             f"{runs_label(records)}")
fig.colorbar(image, ax=ax, fraction=0.046, pad=0.03).set_label("share of the true class", fontsize=8)
glue("acrnn_fig4", fig, display=False)
plt.show()

# %% [markdown]
# ## The most confused pairs

# %%
off = matrix.astype(float).copy()
np.fill_diagonal(off, 0)
pairs = [(classes[i], classes[j], int(off[i, j]))
         for i, j in zip(*np.unravel_index(np.argsort(off, axis=None)[::-1][:5], off.shape))
         if off[i, j] > 0]
confused = pd.DataFrame(pairs, columns=["true", "predicted", "clips"])
glue("acrnn_fig4_pairs", confused, display=False)
glue("acrnn_fig4_accuracy", float(accuracies(records).mean()))
confused

# %% [markdown]
# ## Summary
#
# Computed from the matrix above: how many test clips it sums, how many were misclassified,
# and whether any confusion repeats (a pair with a single clip is one mistake, not a pattern).

# %%
from IPython.display import Markdown

total, wrong = int(matrix.sum()), int(off.sum())
repeated = confused[confused["clips"] >= 2]
summary = (f"The matrix sums {total} test clips of {runs_label(records)}; {wrong} of them "
           f"({100 * wrong / max(total, 1):.1f} %) were misclassified. ")
if len(repeated):
    top = repeated.iloc[0]
    summary += (f"The most frequent confusion is {top['true']} taken for {top['predicted']} "
                f"({int(top['clips'])} clips); {len(repeated)} pair(s) repeat at least twice.")
elif wrong:
    summary += "No confusion repeats: every misclassified pair holds a single clip, too few to read a pattern."
else:
    summary += "No clip was misclassified."
glue("acrnn_fig4_summary", summary, display=False)
Markdown(summary)

# %% [markdown]
#
# ## What's next
#
# {doc}`24-acrnn-frame-attention` shows the frame weights behind these decisions.
#
# ## Exercises
#
# 1. The confusion matrix sums the test folds of every run. Why do its off-diagonal counts
#    say little when the runs hold a few dozen test clips?
#
# :::{admonition} Solution
# :class: dropdown
#
# Each off-diagonal cell then holds zero, one or two clips: one mistaken clip makes a
# "most confused pair". A pattern needs counts that repeat across folds and seeds; read
# the pairs table with its counts, and distrust any pair with one clip.
# :::
#
# 2. Normalise the matrix by rows (`matrix / matrix.sum(axis=1, keepdims=True)`). What do
#    the rows then show, and what does the diagonal become?
#
# :::{admonition} Solution
# :class: dropdown
#
# Each row becomes the distribution of predictions for the clips of one true class; the
# diagonal is then each class's recall, the per-class accuracy of the record.
# :::
