# %% [markdown]
# # ACRNN Table 4: where attention goes, and how it is scaled
#
# **Overview.** Table 4 of {cite:t}`zhang2021acrnn` places frame attention after convolutional
# layer l2, l4, l6 or l8 with a sigmoid or a softmax, or on the recurrent layer l10 (softmax),
# all with augmentation; l10 is best (93.7% on ESC-10, 86.1% on ESC-50). The sigmoid beats the
# softmax at every convolutional layer on ESC-50 and at l4, l6 and l8 on ESC-10; at l2 on
# ESC-10 the two tie (93.5 = 93.5). We train the same grid.
#
# **Prerequisites.** {doc}`04-attention` (scaling functions), {doc}`21-acrnn-attention-augmentation`.

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

table = load_table("acrnn-table4-placement-scaling", dataset=dataset, data_root=data_root,
                   profile=profile, folds=folds, seeds=seeds, epochs=epochs, device=device)
print(table.spec.title, "—", ", ".join(table.rows))

# %% [markdown]
# ## Training the grid
#
# `configs/acrnn-table4-placement-scaling.yaml` names ten rows, all with augmentation: frame
# attention after l2, l4, l6 or l8 with each scaling, and two rows that are Table 3's
# ({doc}`21-acrnn-attention-augmentation`): "no attention" is its "+ augment" and "l10 (RNN,
# softmax)" its "+ attention + augment", the same experiments with the same records. To train
# fewer rows, name them: `load_table("acrnn-table4-placement-scaling", rows=["l2 sigmoid",
# "l2 softmax"], …)`.

# %%
results = table.run(results_dir)

# %% [markdown]
# ## Table 4: paper vs ours

# %%
summary = results_table(table, results)
glue("acrnn_t4_table", summary, display=False)
summary

# %% [markdown]
# The same numbers as a figure: each grey dot is one run (one test fold of one seed), the
# blue bar our mean with its 95 % interval over the runs, the red diamond the paper's number
# and the dotted line chance.

# %% mystnb={"figure": {"caption": "Table 4 as a figure: each grey dot is a run, the blue bar our mean with its 95 % interval, the red diamond the paper's number, the dotted line chance."}}
import matplotlib.pyplot as plt

from ascnb.report.plots import plot_results

fig, ax = plt.subplots(figsize=(8.5, 0.55 * len(results) + 1.8), layout="constrained")
plot_results(ax, table, results)
plt.show()

# %% [markdown]
# ## The paper's claims

# %%
verdicts = claims_table(table, results)
glue("acrnn_t4_claims", verdicts, display=False)
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
glue("acrnn_t4_profiles", every_protocol, display=False)
glue("acrnn_t4_profile_claims", every_claim, display=False)
display(every_protocol)
every_claim

# %% [markdown]
# The same claims clip by clip: the test clips only one row of each claim gets right, over the
# runs the two rows share, with the exact McNemar test ({doc}`../intro`, "How to read the
# tables": it says whether these runs differ, not whether the configurations would).

# %%
from ascnb.report.tables import clip_paired_claims

by_clip = clip_paired_claims(table.name, results_dir)
glue("acrnn_t4_clip_claims", by_clip, display=False)
by_clip

# %% [markdown]
# ## Summary
#
# The sigmoid lets several frames be fully on, the softmax makes them compete; the verdicts
# say whether that matters on our data. The paper reports l2 softmax as good as l2 sigmoid
# on ESC-10 (the table's paper column). A row that sits near chance here is named in the summary
# below: that network did not learn under this protocol (one seed, a short schedule), a fact
# about the run rather than a verdict on the scaling. The size of the softmax weights (about
# 1/128 each at l2) does not explain it alone: the next block's batch norm removes their
# overall scale (the model's notes in `ascnb/models/acrnn.py`). Other seeds, or the cpu
# profile's longer schedule, tell a stalled run from a property of the scaling. In numbers,
# from this page's records:

# %%
from IPython.display import Markdown

from ascnb.report.tables import protocols_summary, results_summary

summary_text = results_summary(table, results)
other_protocols = protocols_summary(table.name, results_dir, skip=(profile, dataset))
glue("page22_summary", summary_text, display=False)
Markdown(summary_text + ("\n\nUnder every other protocol with records (the side-by-side table "
                         "above), one paragraph each:\n\n" + other_protocols if other_protocols else ""))

# %% [markdown]
#
# ## What's next
#
# {doc}`23-acrnn-confusion` and {doc}`24-acrnn-frame-attention`.
#
# ## Exercises
#
# 1. Softmax weights over a layer's frames sum to one; sigmoid weights do not. What does
#    each do to a segment in which the sound lasts the whole time (rain), and to one with a
#    single short event (a dog bark)?
#
# :::{admonition} Solution
# :class: dropdown
#
# For rain, the softmax has to spread a total of one over many equally useful frames, so
# each gets little, or it picks a few and ignores the rest; the sigmoid can keep every
# frame near one. For a single bark both can concentrate on the bark's frames; the softmax
# does so by construction. This is the paper's argument for sigmoid at the convolutional
# layers.
# :::
#
# 2. Which rows would you run, with the fewest runs, to test only the claim "l10 beats the
#    best convolutional placement"?
#
# :::{admonition} Solution
# :class: dropdown
#
# "l10 (RNN, softmax)" and "l2 sigmoid" (the claim's two rows, as `configs/` writes it):
# `load_table("acrnn-table4-placement-scaling", rows=["l10 (RNN, softmax)", "l2 sigmoid"])`,
# on several folds or seeds so that `compare` has pairs to work with.
# :::
