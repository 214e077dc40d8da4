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
dataset = "synthetic"      # dcase2016 for the paper's setting (4 folds); dcase2016-eval: tested
                           # on the evaluation set (one fold, "eval")
data_root = None           # None: where the dataset registry finds it
profile = "quick"          # smoke | quick | cpu | paper
folds = None               # None: the profile's folds
seeds = None               # None: the profile's seeds
epochs = None              # None: the profile's epochs
device = "auto"
results_dir = None         # None: $ASCNB_RESULTS, else results/

# %% tags=["fold"]
import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from ascnb.experiment import load_table
from ascnb.report.tables import accuracies, claims_table, glue, results_table

table = load_table("pbcnn-table1-mel-bands", dataset=dataset, data_root=data_root,
                   profile=profile, folds=folds, seeds=seeds, epochs=epochs, device=device)
print(table.spec.title, "—", ", ".join(table.rows))

# %% [markdown]
# ## Training the baseline for each number of bands
#
# The table `configs/pbcnn-table1-mel-bands.yaml` names one experiment per number of bands:
# log-mel features, 3 s segments with 50% overlap, the PB-CNN training recipe. Records already
# on disk are read, not retrained.

# %%
results = table.run(results_dir)

# %% [markdown]
# ## Paper vs ours

# %%
summary = results_table(table, results)
glue("pbcnn_t1_table", summary, display=False)
summary

# %% [markdown]
# The paper column is Table 1's average over its four folds. A fold accuracy is a number of
# correct clips over the clips the fold tested, so the paper's fold accuracies tell how many
# clips it counted: below, each of Table 1's is written as the fraction that gives it to the
# paper's three decimals, out of the 290 test clips of a DCASE 2016 development fold or the 390
# of Table 2 ({doc}`11-pbcnn-models`), and the two sentences count them for Tables 1 and 2. Where
# the two tables' counts differ, they were not computed on the same test clips, which the paper
# does not explain. The PB-CNN chapter's section {ref}`pbcnn-inconsistencies` lists this with
# the paper's other inconsistencies.

# %%
from ascnb.reference import fold_clip_fractions, fold_clip_summary

display(Markdown(fold_clip_summary("pbcnn", "table1_mel_bands", "Table 1") + " "
                 + fold_clip_summary("pbcnn", "table2_models", "Table 2")))
fold_clip_fractions("pbcnn", "table1_mel_bands")

# %% [markdown]
# ## The paper's claim: 128 bands is best

# %%
verdicts = claims_table(table, results)
glue("pbcnn_t1_claims", verdicts, display=False)
verdicts

# %% mystnb={"figure": {"caption": "Accuracy against the number of mel bands: the paper's average over its folds and our mean over this page's runs."}}
bands = {row: exp.feature_config().n_mels for row, exp in table.rows.items()}
ours = [accuracies(results[row]).mean() for row in bands]
paper = [table.spec.paper_value(row, table.dataset) for row in bands]
fig, ax = plt.subplots(figsize=(7, 3), layout="constrained")
ax.plot(list(bands.values()), ours, "o-", label=f"ours ({profile}, {summary['data'].iloc[0]})")
ax.plot(list(bands.values()), paper, "s--", label=f"paper ({table.spec.paper_column_name(table.dataset)})")
ax.set_xscale("log", base=2)
ax.set_xticks(list(bands.values()))
ax.set_xticklabels(list(bands.values()))
ax.set_xlabel("mel bands")
ax.set_ylabel("accuracy (%)")
ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))  # off the data
glue("pbcnn_t1_figure", fig, display=False)
plt.show()
best = max(results, key=lambda row: accuracies(results[row]).mean())
glue("pbcnn_t1_best", best)

# %% [markdown]
# ## Every protocol we have run, beside the paper
#
# The tables above are this page's own run (its `dataset` and `profile`). Below are all the
# records of this table in `results/`, one column per protocol and dataset: DCASE 2016 when it
# was run, the real ESC-10 as a stand-in for it (labelled so: other recordings, other classes,
# the same networks and recipe), the quick profile on the synthetic scenes. Each cell is the
# mean ± the half-width of the 95 % interval over folds × seeds, with n; each verdict compares
# the same folds and seeds. Records are found by their configuration, so these columns appear
# whether or not the data is on this machine.

# %%
from ascnb.report.tables import profiles_side_by_side

every_protocol, every_claim = profiles_side_by_side(table.name, results_dir)
glue("pbcnn_t1_profiles", every_protocol, display=False)
glue("pbcnn_t1_profile_claims", every_claim, display=False)
display(every_protocol)
every_claim

# %% [markdown]
# The same claims clip by clip: the test clips only one row of each claim gets right, over the
# runs the two rows share, with the exact McNemar test ({doc}`../intro`, "How to read the
# tables": it says whether these runs differ, not whether the configurations would).

# %%
from ascnb.report.tables import clip_paired_claims

by_clip = clip_paired_claims(table.name, results_dir)
glue("pbcnn_t1_clip_claims", by_clip, display=False)
by_clip

# %% [markdown]
# ## Summary
#
# The table sets the paper's average over its four folds beside our mean and 95% interval over
# folds × seeds; the verdicts say whether our runs support the choice of 128 bands. In numbers,
# from this page's records:

# %%
from IPython.display import Markdown

from ascnb.report.tables import protocols_summary, results_summary

summary_text = results_summary(table, results)
other_protocols = protocols_summary(table.name, results_dir, skip=(profile, dataset))
glue("page10_summary", summary_text, display=False)
Markdown(summary_text + ("\n\nUnder every other protocol with records (the side-by-side table "
                         "above), one paragraph each:\n\n" + other_protocols if other_protocols else ""))

# %% [markdown]
#
# ## What's next
#
# {doc}`11-pbcnn-models` keeps 128 bands and compares the four CNNs.
#
# ## Exercises
#
# 1. Run the table on two more seeds (`-p seeds "[0, 1, 2]"`). Which verdicts change?
#
# :::{admonition} Solution
# :class: dropdown
#
# with three seeds the paired interval narrows; a verdict that stays
# "inconclusive" means the difference is smaller than the noise between runs.
# :::
