# %% [markdown]
# # Where we had to choose
#
# **Overview.** A reproduction meets three kinds of gaps: places where a paper is *silent* (the
# PB-CNN paper gives no layer table, the ACRNN paper no mixup α), places where it is
# *ambiguous* (PBA's $W_s$ can be read as a tensor or as channel weights; ACRNN's layer table
# fits its own parameter count only in a reading that leaves the RNN one time step), and
# places where we *deviate* on purpose (TB-CNN and FB-CNN multiply by $n\alpha$ instead of
# $\alpha$). This page lists every one of them with the choice the code makes by default, the
# alternative, the parameter that switches it, and where in the paper the question arises.
# The table is read from one file in the package, `ascnb/choices.yaml` (`ascnb.choices`), and
# a test checks that every parameter it names exists, so the page and the code cannot drift
# apart.
#
# **Prerequisites.** {doc}`03-models` and {doc}`04-attention` name the networks and modules
# the table refers to.

# %% tags=["parameters"]
dataset = "synthetic"      # unused: this page trains nothing and reads no data
data_root = None           # unused
profile = "quick"          # unused; kept for the runner's interface
paper = None               # None: both papers; "PB-CNN" or "ACRNN" to show one

# %% tags=["fold"]
import pandas as pd
from IPython.display import Markdown, display

from ascnb.choices import choices_table

table = choices_table()
print(f"{len(table)} choices:", table["status"].value_counts().to_dict())

# %% [markdown]
# ## How to read the table
#
# *status* says why there is a choice at all: the paper is **silent**, **ambiguous** (two
# readings fit its words), we **deviate** from it knowingly, or the value is **unverified**
# (it comes from a paper that is not among the two reproduced here). *switches* are written as
# `model:<name>:<parameter>` (a keyword of `build_model`), `features:<kind>:<field>` (a
# feature config field), `train:<key>` (a training recipe key) or `experiment:<field>` (a
# field of the experiment config); "fixed in code" means there is no switch and *code* says
# where to change it.

# %%
def show(rows: pd.DataFrame) -> None:
    columns = ["topic", "source", "status", "choice", "alternative", "switches"]
    shown = rows[columns].assign(switches=rows["switches"].map(lambda s: f"`{s}`"))
    shown = shown.map(lambda text: text.replace("|", "\\|"))  # |H| would end a table cell
    display(Markdown(shown.to_markdown(index=False)))


papers = ["PB-CNN", "ACRNN", "both"] if paper is None else [paper, "both"]

# %% [markdown]
# ## PB-CNN (J. Audio Eng. Soc. 2020)

# %%
if "PB-CNN" in papers:
    show(table[table["paper"] == "PB-CNN"])

# %% [markdown]
# ## ACRNN (Neurocomputing 2020) and its baseline PiczakCNN

# %%
if "ACRNN" in papers:
    show(table[table["paper"] == "ACRNN"])

# %% [markdown]
# ## Both papers

# %%
show(table[table["paper"] == "both"])

# %% [markdown]
# ## Where each choice lives in the code

# %%
table[["topic", "code"]].set_index("topic")

# %% [markdown]
# ## Summary
#
# - Every gap between the papers' text and runnable code is decided once, in the package, and
#   listed here with its alternative; the default follows the paper's words where they decide
#   (PBA's $W_s$ as a tensor, the text's reading of ACRNN's kernels) and a stated reason where
#   they do not.
# - Each alternative is one parameter away, so an experiment can test whether a choice matters.
#
# ## What's next
#
# The two parts that follow train the networks with these defaults: {doc}`10-pbcnn-mel-bands`
# starts the PB-CNN paper, {doc}`20-acrnn-comparison-cost` the ACRNN paper.
#
# ## Exercises
#
# 1. Build PB-CNN with both readings of $W_s$ and count their parameters.
#
# :::{admonition} Solution
# :class: dropdown
#
# `from ascnb.models import build_model`; `sum(p.numel() for p in build_model("pb-cnn", 10,
# pba_ws=w).parameters())` for `w` in `("tensor", "channel")`: the tensor reading adds one
# C → C convolution ($F_{tr}$) per PBA, about 0.78 M parameters over the four stages.
# :::
#
# 2. Which reading of ACRNN's layer table reproduces Table 2's 3.81 M parameters, and what does
#    it cost the network?
#
# :::{admonition} Solution
# :class: dropdown
#
# `build_model("crnn", 10, padding="valid", axes="time-freq")`: 3,809,034 parameters, but
# `model.rnn_steps == 1`, so the Bi-GRUs see one time step and attention over time has
# nothing to weight.
# :::
