# %% [markdown]
# # ACRNN Table 3: attention × augmentation
#
# **Overview.** Table 3 of {cite:t}`zhang2021acrnn` adds attention (at l10) and augmentation
# (time stretch, pitch shift, mixup {cite:p}`zhang2018mixup`) to the convolutional RNN one at
# a time: 89.2 % without either on ESC-10, 91.7 with attention, 93.0 with augmentation and
# 93.7 with both. We train the four combinations.
#
# **Prerequisites.** {doc}`04-attention`, {doc}`20-acrnn-comparison-cost`.

# %% tags=["parameters"]
dataset = "synthetic"      # esc10 / esc50 for the paper's setting
data_root = None           # None: where the dataset registry finds it
profile = "quick"          # smoke | quick | cpu | paper
folds = None               # None: the profile's folds
seeds = None               # None: the profile's seeds
epochs = None              # None: the profile's epochs
device = "auto"
results_dir = None         # None: $ASCNB_RESULTS, else results/

# %% tags=["fold"]
from ascnb.experiment import load_table
from ascnb.report.tables import claims_table, glue, results_table

table = load_table("acrnn-table3-attention-augmentation", dataset=dataset, data_root=data_root,
                   profile=profile, folds=folds, seeds=seeds, epochs=epochs, device=device)
print(table.spec.title, "—", ", ".join(table.rows))

# %% [markdown]
# ## Training the four combinations
#
# `configs/acrnn-table3-attention-augmentation.yaml` names the rows: the convolutional RNN
# (`crnn`), the same with attention at l10 (`acrnn`), and each with the paper's augmentation
# (time-stretched and pitch-shifted copies of every training clip, and mixup).

# %%
results = table.run(results_dir)

# %% [markdown]
# ## Table 3: paper vs ours

# %%
summary = results_table(table, results)
glue("acrnn_t3_table", summary, display=False)
summary

# %% [markdown]
# The same numbers as a figure: each grey dot is one run (one test fold of one seed), the
# blue bar our mean with its 95 % interval over the runs, the red diamond the paper's number
# and the dotted line chance.

# %% mystnb={"figure": {"caption": "Table 3 as a figure: each grey dot is a run, the blue bar our mean with its 95 % interval, the red diamond the paper's number, the dotted line chance."}}
import matplotlib.pyplot as plt

from ascnb.report.plots import plot_results

fig, ax = plt.subplots(figsize=(8.5, 0.55 * len(results) + 1.8), layout="constrained")
plot_results(ax, table, results)
plt.show()

# %% [markdown]
# ## The paper's claims

# %%
verdicts = claims_table(table, results)
glue("acrnn_t3_claims", verdicts, display=False)
verdicts

# %% [markdown]
# ## Every protocol we have run, beside the paper
#
# The tables above are this page's own run (its `dataset` and `profile`). Below are all the
# records of this table in `results/`, one column per protocol and dataset: the paper's
# protocol on a GPU, the cpu protocol on the real data (the papers' recipes compressed,
# {doc}`25-how-long-is-long-enough`), the quick profile on the synthetic scenes. Each cell is
# the mean ± the half-width of the 95 % interval over folds × seeds, with n; each verdict
# compares the same folds and seeds. Records are found by their configuration, so these
# columns appear whether or not the data is on this machine.

# %%
from ascnb.report.tables import profiles_side_by_side

every_protocol, every_claim = profiles_side_by_side(table.name, results_dir)
glue("acrnn_t3_profiles", every_protocol, display=False)
glue("acrnn_t3_profile_claims", every_claim, display=False)
display(every_protocol)
every_claim

# %% [markdown]
# The same claims clip by clip: the test clips only one row of each claim gets right, over the
# runs the two rows share, with the exact McNemar test ({doc}`../intro`, "How to read the
# tables": it says whether these runs differ, not whether the configurations would).

# %%
from ascnb.report.tables import clip_paired_claims

by_clip = clip_paired_claims(table.name, results_dir)
glue("acrnn_t3_clip_claims", by_clip, display=False)
by_clip

# %% [markdown]
# ## Summary
#
# Each verdict compares the same folds and seeds with and without one ingredient. In numbers,
# from this page's records:

# %%
from IPython.display import Markdown

from ascnb.report.tables import protocols_summary, results_summary

summary_text = results_summary(table, results)
other_protocols = protocols_summary(table.name, results_dir, skip=(profile, dataset))
glue("page21_summary", summary_text, display=False)
Markdown(summary_text + ("\n\nUnder every other protocol with records (the side-by-side table "
                         "above), one paragraph each:\n\n" + other_protocols if other_protocols else ""))

# %% [markdown]
#
# ## What's next
#
# {doc}`22-acrnn-placement-scaling` moves the attention through the network.
#
# ## Exercises
#
# 1. Which of the four claims can a run without augmentation test at all?
#
# :::{admonition} Solution
# :class: dropdown
#
# only
# "attention helps without augmentation"; `claims_table` leaves out a claim whose rows were
# not loaded, e.g. with `load_table(…, rows=["convolutional RNN", "+ attention"])`.
# :::
