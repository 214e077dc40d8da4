# %% [markdown]
# # PB-CNN Table 3: cutting the spectrogram
#
# **Overview.** {cite:t}`pbcnn2020` compare three ways of feeding a clip to each of the four
# CNNs: the whole clip (no split), 3 s segments with 50% overlap, and 3 s segments without
# overlap (its Table 3), and find overlap best or equal for every network. We repeat the grid;
# the overlap column is the runs of {doc}`11-pbcnn-models` (the same experiments, so the same
# records).
#
# **Prerequisites.** {doc}`02-features` (segments), {doc}`11-pbcnn-models`.

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
import pandas as pd

from ascnb.experiment import load_table
from ascnb.report.tables import claims_table, glue, results_table

table = load_table("pbcnn-table3-segmentation", dataset=dataset, data_root=data_root,
                   profile=profile, folds=folds, seeds=seeds, epochs=epochs, device=device)
print(table.spec.title, "—", len(table.rows), "rows")

# %% [markdown]
# ## Training every network with every cut
#
# `configs/pbcnn-table3-segmentation.yaml` names twelve rows, "network, cut"; the four
# overlap rows point at Table 2's (`from: pbcnn-table2-models/…`).

# %%
results = table.run(results_dir)

# %% [markdown]
# ## Table 3: paper vs ours

# %%
summary = results_table(table, results)
glue("pbcnn_t3_table", summary, display=False)
summary

# %% [markdown]
# The paper column is Table 3's. Its "overlap" column is the setting of Table 2
# ({doc}`11-pbcnn-models`: 3 s segments with 50 % overlap, 128 bands), and our overlap rows are
# Table 2's runs, yet the paper's overlap values are not Table 2's averages for every network:
# the table below sets them beside Table 2's printed averages and the means of its folds.
# We show Table 3's numbers here and Table 2's on its page. The PB-CNN chapter's section
# {ref}`pbcnn-inconsistencies` lists this with the paper's other inconsistencies.

# %%
from ascnb.reference import pbcnn_table2_against_table3

pbcnn_table2_against_table3()

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
# The same numbers laid out as the paper prints them, one network per row and one cut per
# column:

# %%
paper_column = next(c for c in summary.columns if c.startswith("paper"))
grid = summary[[paper_column, "ours (%)"]].rename(columns={paper_column: "paper (%)"})
grid.index = pd.MultiIndex.from_tuples([tuple(row.split(", ", 1)) for row in grid.index],
                                       names=["network", "cut"])
networks = list(dict.fromkeys(grid.index.get_level_values("network")))   # the table's order
grid = grid.unstack("cut").reindex(networks).reindex(columns=["no split", "overlap", "no overlap"],
                                                     level="cut")
glue("pbcnn_t3_grid", grid, display=False)
grid

# %% [markdown]
# ## The paper's claim: overlapping segments are at least as good

# %%
verdicts = claims_table(table, results)
glue("pbcnn_t3_claims", verdicts, display=False)
verdicts

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
glue("pbcnn_t3_profiles", every_protocol, display=False)
glue("pbcnn_t3_profile_claims", every_claim, display=False)
display(every_protocol)
every_claim

# %% [markdown]
# The same claims clip by clip: the test clips only one row of each claim gets right, over the
# runs the two rows share, with the exact McNemar test ({doc}`../intro`, "How to read the
# tables": it says whether these runs differ, not whether the configurations would).

# %%
from ascnb.report.tables import clip_paired_claims

by_clip = clip_paired_claims(table.name, results_dir)
glue("pbcnn_t3_clip_claims", by_clip, display=False)
by_clip

# %% [markdown]
# ## Summary
#
# With 5 s clips (ESC, synthetic) a 3 s segment leaves few segments per clip, unlike the 19 of a
# 30 s DCASE clip, so the effect of overlap should be weaker here than in the paper. In numbers,
# from this page's records:

# %%
from IPython.display import Markdown

from ascnb.report.tables import protocols_summary, results_summary

summary_text = results_summary(table, results)
other_protocols = protocols_summary(table.name, results_dir, skip=(profile, dataset))
glue("page12_summary", summary_text, display=False)
Markdown(summary_text + ("\n\nUnder every other protocol with records (the side-by-side table "
                         "above), one paragraph each:\n\n" + other_protocols if other_protocols else ""))

# %% [markdown]
#
# ## What's next
#
# {doc}`13-pbcnn-attention-overlay` looks inside the PB-CNN.
#
# ## Exercises
#
# 1. How many segments does a 5 s clip give with each cut?
#
# :::{admonition} Solution
# :class: dropdown
#
# 251 frames: no split
# 1, overlap `1 + (251 - 150) // 75 = 2`, no overlap `1 + (251 - 150) // 150 = 1`
# (`ascnb.features.segment`, see {doc}`02-features`).
# :::
