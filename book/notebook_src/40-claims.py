# %% [markdown]
# # The claims, checked
#
# **Overview.** Both papers make claims of the form "this network beats that one": PB-CNN's
# pixel attention beats the plain CNN, attention helps the convolutional RNN, sigmoid scaling
# is at least as good as softmax at the convolutional layers, attention after the RNN (l10)
# is best. Each claim is written down once, in the catalogue file of its table (`configs/`,
# `claims:`), as a pair of rows: *better* and *worse*. This page gathers every claim of both
# papers with the paper's own difference and, for every protocol we have result records of,
# our difference and its verdict. Nothing on this page is typed: every number and every
# verdict is computed here from the committed records in `results/`, by the same function as
# on every other page (`ascnb.report.tables.compare`).
#
# **Prerequisites.** The intro's "How to read the tables"; the chapters of each table
# (linked below) say how its rows were trained.

# %% tags=["parameters"]
dataset = "synthetic"      # unused: this page reads committed records only
data_root = None           # unused
profile = "quick"          # unused; kept for the runner's interface

# %% tags=["fold"]
import pandas as pd
from IPython.display import Markdown, display

from ascnb.experiment import catalogue, load_records
from ascnb.report.tables import claim_outcomes, glue, profiles_side_by_side

PAGES = {"pbcnn-table1-mel-bands": "10-pbcnn-mel-bands", "pbcnn-table2-models": "11-pbcnn-models",
         "pbcnn-table3-segmentation": "12-pbcnn-segmentation",
         "acrnn-table1-comparison": "20-acrnn-comparison-cost",
         "acrnn-table3-attention-augmentation": "21-acrnn-attention-augmentation",
         "acrnn-table4-placement-scaling": "22-acrnn-placement-scaling"}
NO_RECORDS = "no records yet"

everything = load_records()                       # $ASCNB_RESULTS, else results/
parts, outcomes = [], []
for name, spec in catalogue().items():
    if not spec.claims:
        continue
    _, claims = profiles_side_by_side(name)
    claims = claims.reset_index()
    claims.insert(0, "table", spec.title.split(":")[0])
    parts.append(claims)
    outcomes.append(claim_outcomes(name, everything=everything))
claims = pd.concat(parts, ignore_index=True).fillna(NO_RECORDS)
claims = claims.replace(to_replace=r"^no runs.*", value=NO_RECORDS, regex=True)
outcomes = pd.concat(outcomes, ignore_index=True)
protocols = [c for c in claims.columns if c.startswith("ours")]
display(Markdown(f"**{len(claims)} claims** in {claims['table'].nunique()} tables; records of "
                 f"{len(protocols)} protocol(s): "
                 f"{'; '.join(p.removeprefix('ours, ') for p in protocols) or 'none'}."))

# %% [markdown]
# ## Every claim, the paper's difference and ours
#
# One row per claim. *paper: difference* is the paper's better row minus its worse row, in
# points of accuracy (the paper's first dataset column: ESC-10 for ACRNN, the DCASE 2016
# average for PB-CNN). Each protocol column gives our verdict and our paired difference:
# better minus worse on the same folds and seeds, mean ± the half-width of its 95 % interval,
# with the number of pairs n. A protocol column appears once any of its records is committed;
# a claim whose two rows have no records under it says so.

# %%
shown = claims.set_index(["table", "claim (paper)"])
glue("claims_table", shown, display=False)
shown

# %% [markdown]
# The same claims as a figure: the paper's difference (red diamond) beside ours under each
# protocol (a dot with its 95 % interval; a hollow dot is a single pair, which has no
# interval). A claim holds in our runs where the interval lies right of 0.

# %% mystnb={"figure": {"caption": "Every claim of both papers: the paper's difference between its better and worse row (red diamond) beside ours under each protocol with records, with its 95 % interval (a hollow dot is a single pair)."}}
import matplotlib.pyplot as plt
import numpy as np

labels = [f"{t}: {c}" for t, c in zip(claims["table"], claims["claim (paper)"])]
fig, ax = plt.subplots(figsize=(9, 0.32 * len(labels) + 1.5))
ax.axvline(0, color="black", lw=0.8)
ax.plot(claims["paper: difference (points)"], range(len(labels)), "D", color="#d62728",
        label="paper")
colours = ["#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
for k, protocol in enumerate(protocols):
    mine = outcomes[(outcomes["protocol"] == protocol) & (outcomes["n"] > 0)]
    for _, row in mine.iterrows():
        y = labels.index(f"{row['table']}: {row['claim']}") + 0.2 * (k + 1)
        single = row["n"] < 2 or np.isnan(row["half"])
        ax.errorbar(row["mean"], y, xerr=None if single else row["half"], fmt="o", capsize=3,
                    color=colours[k % len(colours)], mfc="white" if single else None)
    ax.plot([], [], "o", color=colours[k % len(colours)], label=protocol)
ax.set_yticks(range(len(labels)), labels, fontsize=8)
ax.invert_yaxis()
ax.set_xlabel("better row minus worse row (points of accuracy)")
ax.grid(axis="x", alpha=0.3)
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
ax.set_title("Every claim: the paper's difference and ours", fontsize=10)
plt.show()

# %% [markdown]
# ## The verdicts, counted
#
# How many claims each protocol supports, contradicts or leaves open. A verdict needs both
# rows of a claim on the same folds and seeds; with one pair it is "one run: inconclusive",
# whatever the difference.

# %%
def verdict_of(cell: str) -> str:
    return cell if cell == NO_RECORDS else cell.rsplit(": ", 1)[0]   # "verdict: difference"


counts = pd.DataFrame({protocol: claims[protocol].map(verdict_of).value_counts()
                       for protocol in protocols}).fillna(0).astype(int)
counts.index.name = "verdict"
glue("claims_counts", counts, display=False)
def counted(protocol: str) -> str:
    column = counts[protocol]
    return f"under *{protocol.removeprefix('ours, ')}*, " + ", ".join(
        f"{n} {verdict}" for verdict, n in column[column > 0].items())


if protocols:
    display(counts)
    display(Markdown("Counted: " + "; ".join(counted(p) for p in protocols) + "."))
else:
    display(Markdown("No result records are committed yet: no verdict to count."))

# %% [markdown]
# ## The same claims, clip by clip
#
# The verdicts ask whether the *configurations* differ, over folds and seeds. A narrower
# question has an answer even for one run: do *these runs* differ? The two rows of a claim
# classify the same test clips, so we count the clips only one of them gets right, pooled
# over the runs they share, with the exact McNemar test of the two counts ({doc}`../intro`,
# "How to read the tables"). A difference the clips do not show is not in our runs at all;
# one they do show may still be one lucky seed.

# %%
from ascnb.report.tables import clip_paired_claims

by_clip = pd.concat([clip_paired_claims(name, everything=everything).assign(
                         table=spec.title.split(":")[0])
                     for name, spec in catalogue().items() if spec.claims], ignore_index=True)
if len(by_clip):
    by_clip["these runs"] = np.select(
        [by_clip["McNemar p"] >= 0.05, by_clip["net (points)"] > 0],
        ["no difference shown", "the runs differ as claimed"], "the runs differ against the claim")
    by_clip = by_clip.set_index(["protocol", "table", "claim"])
    glue("claims_by_clip", by_clip, display=False)
    tally = by_clip.groupby(level="protocol")["these runs"].value_counts().unstack(fill_value=0)
    display(by_clip)
    display(Markdown("Claims counted clip by clip (a difference at p < 0.05): " + "; ".join(
        f"under *{protocol.removeprefix('ours, ')}*, "
        + ", ".join(f"{what}: {n}" for what, n in row[row > 0].items())
        for protocol, row in tally.iterrows()) + "."))
else:
    display(Markdown("No committed record keeps its clips' classes: nothing to pair clip by clip."))

# %% [markdown]
# ## Where each claim is trained and discussed

# %% mystnb={"markdown_format": "myst"}
display(Markdown("\n".join(
    f"- **{spec.title}**: {{doc}}`{PAGES[name]}` ({len(spec.claims)} claim"
    f"{'s' * (len(spec.claims) != 1)}; catalogue file `configs/{name}.yaml`)"
    for name, spec in catalogue().items() if name in PAGES)))

# %% [markdown]
# ## Summary
#
# The table above is the book's answer to "do the papers' claims hold?", protocol by
# protocol. Read a verdict with its protocol: the `quick` column comes from the synthetic
# scenes (a stand-in with ground truth, not the papers' data) and from one fold; the `cpu`
# column from real ESC-10 with the papers' recipes compressed in time
# ({doc}`25-how-long-is-long-enough`); only a `paper` column would repeat the papers'
# protocol, and it needs a GPU ({doc}`../reproduce`). "Inconclusive" is not "contradicted":
# it says that the runs we have cannot tell the two rows apart.
#
# ## What's next
#
# {doc}`../reproduce` says how to add records under another protocol (more folds and seeds,
# the paper's protocol on a GPU); this page shows them as soon as they are in `results/`.
#
# ## Exercises
#
# 1. A claim is *supported* under the quick profile and *no records yet* under the cpu
#    profile. What does the first verdict say about the papers' data?
#
# :::{admonition} Solution
# :class: dropdown
#
# nothing
# directly: it says the difference holds on the synthetic scenes, at a compressed recipe,
# on one fold. It is a check that the mechanism can work, not a reproduction.
# :::
#
# 2. Add a claim of your own, e.g. "PB-CNN with the tensor reading of $W_s$ beats the channel
#    reading", to a catalogue file and rebuild this page.
#
# :::{admonition} Solution
# :class: dropdown
#
# add
# `{claim: ..., better: <row>, worse: <row>}` under `claims:` of a table that has both rows
# (add the row first if needed); the page picks it up, and the test of the catalogue
# checks that both rows exist.
# :::
