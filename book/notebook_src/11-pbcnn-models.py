# %% [markdown]
# # PB-CNN Table 2, Fig. 7 and Fig. 8: four CNNs
#
# **Overview.** The central comparison of {cite:t}`pbcnn2020`: the same CNN without attention
# (CNN), with time attention (TB-CNN), with frequency attention (FB-CNN) and with pixel-based
# attention (PB-CNN), on 128-band log-mel segments of 3 s with 50% overlap. The paper reports
# 86.3, 87.3, 86.6 and 89.2% on DCASE 2016 (Table 2), per-class accuracies (Fig. 7) and
# confusion matrices (Fig. 8). We train the four networks and compare.
#
# **Prerequisites.** {doc}`04-attention` (time, frequency and pixel attention),
# {doc}`10-pbcnn-mel-bands`.

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
n_mels = 128
longer_epochs = 20         # the plain CNN once more with this many epochs (None: skip)

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ascnb.book import (accuracies, book_dataset, claims_table, confusion_matrix, dataset_label, glue,
                        make_experiment, plot_confusion, results_table, run_or_load,
                        training_steps)
from ascnb.reference import paper_table

data = book_dataset(dataset, data_root)
label = dataset_label(data)
paper = paper_table("pbcnn", "table2_models")
names = {"cnn": "CNN", "tb-cnn": "TB-CNN", "fb-cnn": "FB-CNN", "pb-cnn": "PB-CNN"}
common = dict(dataset=dataset, data_root=data_root, profile=profile, folds=folds, seeds=seeds,
              epochs=epochs, device=device)

# %% [markdown]
# ## Training the four CNNs

# %%
results = {}
for model in models:
    exp = make_experiment("pbcnn-models", model=model, preset="pbcnn",
                          features={"kind": "logmel", "n_mels": n_mels}, segmentation="overlap",
                          **common)
    results[names[model]] = run_or_load(exp, results_dir)

# %% [markdown]
# ## Table 2: paper vs ours

# %%
table = results_table(results, {m: paper.loc["average", m] for m in results}, dataset=label,
                      profile=profile)
glue("pbcnn_t2_table", table, display=False)
table

# %% [markdown]
# ## The paper's claims

# %%
claims = [(a, b, f"{a} beats {b}") for a, b in
          [("PB-CNN", "CNN"), ("PB-CNN", "TB-CNN"), ("PB-CNN", "FB-CNN"), ("TB-CNN", "CNN")]
          if a in results and b in results]
verdicts = claims_table(results, claims)
glue("pbcnn_t2_claims", verdicts, display=False)
for a, b, _ in claims:
    key = f"pbcnn_t2_verdict_{a}_{b}".lower().replace("-", "")
    glue(key, verdicts.loc[f"{a} beats {b}", "verdict"])
verdicts

# %% [markdown]
# ## Are the networks trained enough?
#
# A profile with few optimizer steps can leave all four networks short of what they can do,
# and then the table compares how fast they start rather than what they reach. The plain CNN
# trained once more with `longer_epochs` epochs (same fold, seed and recipe) shows how far
# from converged the profile's runs are.

# %%
if longer_epochs and "CNN" in results:
    longer = run_or_load(make_experiment("pbcnn-models", model="cnn", preset="pbcnn",
                                         features={"kind": "logmel", "n_mels": n_mels},
                                         segmentation="overlap",
                                         **{**common, "epochs": longer_epochs}), results_dir)
    convergence = pd.DataFrame(
        {"accuracy (%)": [accuracies(results["CNN"]).mean(), accuracies(longer).mean()],
         "steps per run": [training_steps(results["CNN"]), training_steps(longer)]},
        index=[f"CNN, the profile's epochs ({int(results['CNN']['epochs_run'].iloc[0])})",
               f"CNN, {longer_epochs} epochs"]).round(1)
    glue("pbcnn_t2_convergence", convergence, display=False)
    display(convergence)

# %% [markdown]
# ## Fig. 7: accuracy per class

# %%
def per_class(records):
    # per_class_accuracy: {class: accuracy} per record, averaged over records
    frame = pd.DataFrame(list(records["per_class_accuracy"]))
    values = frame.mean()
    return values * 100 if values.max() <= 1 else values


per_class_table = pd.DataFrame({name: per_class(r) for name, r in results.items()})
fig, ax = plt.subplots(figsize=(8, 3.2))
per_class_table.plot.bar(ax=ax, width=0.8)
ax.set_ylabel("accuracy (%)")
ax.set_title(f"per-class accuracy ({label}, {profile})", fontsize=10)
ax.legend(fontsize=8, ncol=4)
fig.tight_layout()
glue("pbcnn_fig7", fig, display=False)
plt.show()

# %% [markdown]
# ## Fig. 8: confusion matrices (summed over folds and seeds)

# %%
fig, axes = plt.subplots(1, len(results), figsize=(3.4 * len(results), 3.6))
for ax, (name, records) in zip(np.atleast_1d(axes), results.items()):
    plot_confusion(ax, confusion_matrix(records), data.classes, title=name)
fig.tight_layout()
glue("pbcnn_fig8", fig, display=False)
plt.show()

# %% [markdown]
# ## Summary
#
# The table and the verdicts say, for our data and profile, whether pixel-based attention
# beats the other three networks as the paper found on DCASE 2016. In the `quick` profile
# the Adam recipe gets few steps (five epochs of a small training fold) and the convergence
# check above shows how much the plain CNN still gains with more: the quick verdicts are about
# early training, and the `paper` profile (50 epochs on all folds) is the comparison that counts.
#
# ## What's next
#
# {doc}`12-pbcnn-segmentation` asks whether cutting the spectrogram into segments matters;
# {doc}`13-pbcnn-attention-overlay` shows where PBA looks.
