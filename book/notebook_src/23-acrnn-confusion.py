# %% [markdown]
# # ACRNN Fig. 4: which classes are confused
#
# **Overview.** Fig. 4 of {cite:t}`zhang2021acrnn` is the confusion matrix of ACRNN on ESC-50.
# We draw ours, summed over folds and seeds, from the records of the full ACRNN
# (attention at l10 and augmentation: the same runs as {doc}`21-acrnn-attention-augmentation`).
#
# **Prerequisites.** {doc}`21-acrnn-attention-augmentation`.

# %% tags=["parameters"]
dataset = "synthetic"      # esc10 / esc50 for the paper's setting
data_root = None
profile = "quick"          # smoke | quick | paper
folds = None               # None: the profile's folds
seeds = None
epochs = None
device = "auto"
results_dir = "results"

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ascnb.book import (accuracies, book_dataset, confusion_matrix, dataset_label, glue,
                        make_experiment, plot_confusion, run_or_load)

data = book_dataset(dataset, data_root)
label = dataset_label(data)
exp = make_experiment("acrnn-attention-augmentation", model="acrnn", preset="acrnn",
                      features={"kind": "gammatone"}, segmentation="acrnn",
                      augment=True, dataset=dataset, data_root=data_root,
                      profile=profile, folds=folds, seeds=seeds, epochs=epochs, device=device)
records = run_or_load(exp, results_dir)
matrix = confusion_matrix(records)

# %%
fig, ax = plt.subplots(figsize=(5.5, 5))
plot_confusion(ax, matrix, data.classes, title=f"ACRNN, {label}, {profile}")
fig.tight_layout()
glue("acrnn_fig4", fig, display=False)
plt.show()

# %% [markdown]
# ## The most confused pairs

# %%
off = matrix.astype(float).copy()
np.fill_diagonal(off, 0)
pairs = [(data.classes[i], data.classes[j], int(off[i, j]))
         for i, j in zip(*np.unravel_index(np.argsort(off, axis=None)[::-1][:5], off.shape))]
table = pd.DataFrame(pairs, columns=["true", "predicted", "clips"])
glue("acrnn_fig4_pairs", table, display=False)
glue("acrnn_fig4_accuracy", float(accuracies(records).mean()))
table

# %% [markdown]
# ## Summary
#
# Confusions concentrate on classes whose events share bands or shapes.
#
# ## What's next
#
# {doc}`24-acrnn-frame-attention` shows the frame weights behind these decisions.
