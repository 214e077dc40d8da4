# %% [markdown]
# # ACRNN Tables 1 and 2: against PiczakCNN, and what it costs
#
# **Overview.** {cite:t}`zhang2021acrnn` compare ACRNN (attention at l10, with augmentation)
# with PiczakCNN {cite:p}`piczak2015cnn`: 93.7 vs 80.5% on ESC-10, 86.1 vs 64.9% on ESC-50
# (Table 1), with a tenth of the parameters (Table 2). We train both and count parameters and
# FLOPs with `ascnb.models.cost`.
#
# **Prerequisites.** {doc}`03-models`, {doc}`04-attention`.

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
from ascnb.models.cost import cost_table
from ascnb.report.tables import claims_table, glue, results_table

table = load_table("acrnn-table1-comparison", dataset=dataset, data_root=data_root,
                   profile=profile, folds=folds, seeds=seeds, epochs=epochs, device=device)
print(table.spec.title, "—", ", ".join(table.rows))

# %% [markdown]
# ## Table 1: PiczakCNN vs ACRNN
#
# `configs/acrnn-table1-comparison.yaml` names two rows: PiczakCNN on its own features and
# recipe, and ACRNN, which is Table 3's "+ attention + augment" row (attention at l10 and the
# paper's augmentation: the same experiment, so the same records as
# {doc}`21-acrnn-attention-augmentation`).

# %%
results = table.run(results_dir)
summary = results_table(table, results)
glue("acrnn_t1_table", summary, display=False)
summary

# %% [markdown]
# The same numbers as a figure: each grey dot is one run (one test fold of one seed), the
# blue bar our mean with its 95 % interval over the runs, the red diamond the paper's number
# and the dotted line chance.

# %% mystnb={"figure": {"caption": "Table 1 as a figure: each grey dot is a run, the blue bar our mean with its 95 % interval, the red diamond the paper's number, the dotted line chance."}}
import matplotlib.pyplot as plt

from ascnb.report.plots import plot_results

fig, ax = plt.subplots(figsize=(8.5, 0.55 * len(results) + 1.8), layout="constrained")
plot_results(ax, table, results)
plt.show()

# %%
verdicts = claims_table(table, results)
glue("acrnn_t1_verdict", verdicts.iloc[0]["verdict"] if len(verdicts) else "no runs")
verdicts

# %% [markdown]
# Read the *steps per run* column before the verdict: PiczakCNN's recipe takes batches of
# 1000 segments, ACRNN's 64, so the same number of epochs gives PiczakCNN about fifteen times
# fewer optimizer steps. The profiles correct for it in two ways (the sentence below is
# computed from `ascnb.experiment.profiles`; {doc}`05-choices` says why PiczakCNN's quick
# recipe differs from its own, {doc}`25-how-long-is-long-enough` how ACRNN's cpu epochs are
# measured). The `smoke` profile stops every network after two batches: its verdict is about
# the pipeline, not the networks.

# %%
from IPython.display import Markdown

from ascnb.experiment.profiles import PROFILES
from ascnb.train.presets import PRESETS

quick, cpu, own = PROFILES["quick"], PROFILES["cpu"], PRESETS["piczak"]
quick_piczak = {**own, **quick.preset_overrides["piczak"]}
Markdown(
    f"`quick` gives PiczakCNN batches of {quick_piczak['batch_size']} (about as many steps per "
    f"epoch as ACRNN's {PRESETS['acrnn']['batch_size']}) at lr {quick_piczak['lr']} for "
    f"{quick.epochs['piczak']} epochs, instead of its own {own['batch_size']} at lr {own['lr']}; "
    f"`cpu` runs PiczakCNN's own recipe for {cpu.epochs['piczak']} of its "
    f"{own['num_epochs']} epochs, while ACRNN's is compressed to {cpu.epochs['acrnn']} of "
    f"{PRESETS['acrnn']['num_epochs']} epochs.")
#
# ## Table 2: parameters and FLOPs per segment

# %%
costs = cost_table(n_classes=10)
glue("acrnn_t2_table", costs, display=False)
costs[["model", "variant", "input_shape", "params_M", "paper_params_M", "flops_M", "paper_flops_M"]]

# %% [markdown]
# **Why our FLOPs and the paper's differ by two orders of magnitude for ACRNN.** We count one
# multiply and one add for every use of every weight: a convolution kernel is applied at every
# position of its feature map, so ACRNN's convolutions over 128 × 128 time–frequency maps cost
# hundreds of MFLOPs per segment. The paper's Table 2 figures are close to *two per
# parameter* (one multiply and one add per weight, not per use), which is what the line below
# computes from the same table. On that count PiczakCNN, with more weights, looks costlier
# than ACRNN, as the paper's text says; on ours ACRNN is the costlier network per segment.

# %%
from IPython.display import Markdown

paper_rows = costs.dropna(subset=["paper_flops_M"]).drop_duplicates("model")
Markdown("; ".join(
    f"{row.model}: paper {row.paper_flops_M:.2f} MFLOPs against 2 × {row.paper_params_M:.2f} M "
    f"parameters = {2 * row.paper_params_M:.2f} M; ours {row.flops_M:.0f} MFLOPs "
    f"({row.flops_M / row.paper_flops_M:.1f} × the paper's)"
    for row in paper_rows.itertuples()) + ".")

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
glue("acrnn_t1_profiles", every_protocol, display=False)
glue("acrnn_t1_profile_claims", every_claim, display=False)
display(every_protocol)
every_claim

# %% [markdown]
# The same claims clip by clip: the test clips only one row of each claim gets right, over the
# runs the two rows share, with the exact McNemar test ({doc}`../intro`, "How to read the
# tables": it says whether these runs differ, not whether the configurations would).

# %%
from ascnb.report.tables import clip_paired_claims

by_clip = clip_paired_claims(table.name, results_dir)
glue("acrnn_t1_clip_claims", by_clip, display=False)
by_clip

# %% [markdown]
# ## Summary
#
# The cost table is exact arithmetic on the networks, independent of data; the accuracies
# depend on data and profile, and the verdict says whether ours support the paper's ordering.
# In numbers, from this page's records:

# %%
from IPython.display import Markdown

from ascnb.report.tables import protocols_summary, results_summary

summary_text = results_summary(table, results)
other_protocols = protocols_summary(table.name, results_dir, skip=(profile, dataset))
glue("page20_summary", summary_text, display=False)
Markdown(summary_text + ("\n\nUnder every other protocol with records (the side-by-side table "
                         "above), one paragraph each:\n\n" + other_protocols if other_protocols else ""))

# %% [markdown]
#
# ## What's next
#
# {doc}`21-acrnn-attention-augmentation` separates what attention and augmentation each add.
#
# ## Exercises
#
# 1. Read the *steps per run* column. Why is it a fairer basis for comparing two networks'
#    accuracies under a short profile than the number of epochs?
#
# :::{admonition} Solution
# :class: dropdown
#
# An epoch is a pass over the data, but networks learn per optimizer step: PiczakCNN's
# recipe takes batches of 1000 segments, ACRNN's 64, so the same number of epochs gives
# PiczakCNN about fifteen times fewer updates. A short profile that stops both after the
# same epochs compares a nearly untrained PiczakCNN with a trained ACRNN.
# :::
#
# 2. The verdict of "ACRNN beats PiczakCNN" under a profile with one fold reads "one run:
#    inconclusive" even when the gap is twenty points. Why does the book refuse to call it?
#
# :::{admonition} Solution
# :class: dropdown
#
# With one pair of runs there is no spread to set the gap against: the same gap could come
# from the fold, the seed or the claim. The verdict needs the paired differences of several
# folds or seeds (`compare`), or, when they all agree exactly, enough pairs for a sign test.
# :::
