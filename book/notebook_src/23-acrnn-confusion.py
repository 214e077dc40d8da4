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
from ascnb.report.tables import confused_pairs

confused = confused_pairs(matrix, classes)        # the five largest off-diagonal cells
glue("acrnn_fig4_pairs", confused, display=False)
glue("acrnn_fig4_accuracy", float(accuracies(records).mean()))
confused

# %% [markdown]
# ## On real audio: the cpu protocol's records on ESC-10
#
# The matrix above is this page's own run (its `dataset` and `profile`). Records carry their
# confusion matrices, so the committed runs of the full ACRNN on the real ESC-10 under the
# cpu protocol ({doc}`25-how-long-is-long-enough`) give Fig. 4 on real clips without the data
# or any training: summed over the folds recorded so far. ESC-10, not the paper's ESC-50.

# %%
from IPython.display import Markdown

from ascnb.experiment import load_records, read_table
from ascnb.experiment.records import records_of

real_exp = read_table(table.name).experiments(profile="cpu", dataset="esc10")[row]
real = records_of(real_exp, table=load_records(results_dir))
if len(real) and not (profile == "cpu" and dataset == "esc10"):
    real_classes = list(real["classes"].iloc[0])
    real_matrix = summed_confusion(real)
    display(Markdown(f"{len(real)} record(s) of the full ACRNN (cpu protocol, real ESC-10): "
                     f"{runs_label(real)}, mean accuracy {accuracies(real).mean():.1f} %."))
else:
    real_matrix = None
    display(Markdown("No cpu-protocol records of the full ACRNN on the real ESC-10 in the "
                     "results folder (or this page's own run is that protocol): nothing more to draw."))

# %% mystnb={"figure": {"caption": "Fig. 4 on real audio: the full ACRNN's confusion matrix on ESC-10 under the cpu protocol, summed over the folds of the committed records, with clip counts."}}
if real_matrix is not None:
    fig, ax = plt.subplots(figsize=(6, 5.2), layout="constrained")
    image = plot_confusion(ax, real_matrix, real_classes,
                           title=f"ACRNN, real ESC-10, cpu protocol, {runs_label(real)}")
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.03).set_label("share of the true class", fontsize=8)
    plt.show()

# %%
confused_pairs(real_matrix, real_classes) if real_matrix is not None else None

# %% [markdown]
# ## Summary
#
# Computed from the matrices above: how many test clips each sums, how many were
# misclassified, and whether any confusion repeats (a pair with a single clip is one mistake,
# not a pattern).

# %%
from ascnb.report.tables import confusion_summary

summary = confusion_summary(matrix, classes, runs_label(records))
glue("acrnn_fig4_summary", summary, display=False)
if real_matrix is not None:
    summary += ("\n\nOn the real ESC-10 (cpu protocol): "
                + confusion_summary(real_matrix, real_classes, runs_label(real)))
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
