# %% [markdown]
# # The data: synthetic scenes and real ESC-10
#
# **Overview.** Every experiment in this book runs on one of four datasets through the same
# loader, `ascnb.data.load_dataset(name, root)`. This chapter shows what they look like: the
# *synthetic scenes*, the embedded default that builds on any machine in seconds and comes with
# the ground truth of every event, and the *real ESC-10* (400 five-second clips of dog barks,
# rain, crying babies…) on which the ACRNN paper reports its ESC-10 column. DCASE 2016 (PB-CNN)
# and the full ESC-50 are downloaded on demand (see {doc}`../reproduce`).
#
# **Prerequisites.** None beyond Python; the features are explained in the next chapter.

# %% tags=["parameters"]
dataset = "synthetic"      # synthetic | esc10 | esc50 | dcase2016 (ascnb.data.DATASETS)
data_root = None           # None: where the dataset registry finds it (ASCNB_DATA, ./data, …)
esc10_root = None          # None: ASCNB_DATA/ESC-10, ./data/ESC-10 or ../shared/data/ESC-10
profile = "quick"          # smoke | quick | cpu | paper (the shortcut check's training)
results_dir = None         # None: $ASCNB_RESULTS, else results/
n_examples = 4             # clips shown per dataset

# %% tags=["fold"]
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import display

from ascnb.data import DATASETS, DatasetError, load_dataset
from ascnb.features import band_frequencies, extract, feature_config
from ascnb.report.plots import draw_events, plot_spectrogram
from ascnb.report.tables import dataset_label, glue
from ascnb.report.widgets import audio_players

data = load_dataset(dataset, data_root)
logmel = feature_config("logmel", n_mels=128)
print(data)

# %% [markdown]
# ## Datasets and folds
#
# Each dataset is one entry of a registry (`ascnb.data.DATASETS`): its name in configs and on
# the command line, which paper evaluates on it, and where it is looked for when no root is
# given. The table says which of them this machine has.

# %%
def where(spec):
    if not spec.real:
        return "generated on first use"
    try:
        return str(spec.find_root())
    except DatasetError:
        return f"not here (python -m ascnb data download {spec.download})"


registry = pd.DataFrame([{"dataset": name, "title": spec.title, "paper": spec.paper or "—",
                          "real": spec.real, "on this machine": where(spec)}
                         for name, spec in DATASETS.items()]).set_index("dataset")
registry

# %% [markdown]
# ## Clips, classes and folds
#
# A dataset is a table of clips with a label and a fold; experiments train on all folds but one
# and test on the one left out. The table below counts clips per class and fold.

# %%
counts = pd.crosstab(data.clips["category"], data.clips["fold"], margins=True, margins_name="total")
glue("data_label", dataset_label(data))
glue("data_n_clips", len(data))
glue("data_n_classes", len(data.classes))
glue("data_clip_seconds", float(data.clip_seconds or 0))
counts

# %% [markdown]
# ## What a clip looks like
#
# Log-mel spectrograms (the PB-CNN feature: 40 ms Hamming window, 20 ms hop, 128 bands) of one
# clip per class. On the synthetic scenes the boxes are the ground truth written by the
# generator: pink boxes are the class's *foreground events*, white boxes the *distractors*
# shared by every class, and the dashed green band the weak class-specific texture.

# %% mystnb={"figure": {"caption": "The first clip of each of several classes of the default dataset: its log-mel spectrogram (colour: log energy) with the ground-truth event boxes, foreground events (which carry the class) in pink and distractors (shared by every class) in white."}}
def show_clips(data, positions, config, *, with_events=True):
    band_hz = band_frequencies(config)
    n = len(positions)
    cols = min(n, 2)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(6.4 * cols, 2.8 * rows), squeeze=False)
    for ax, i in zip(axes.flat, positions):
        clip = data.clips.iloc[i]
        S = extract(config, data.read(i))[0]                      # (bands, frames)
        plot_spectrogram(ax, S, hop_seconds=config.hop_seconds, band_hz=band_hz,
                         title=f"{clip['category']} ({clip['filename']})", label="log energy (dB)")
        if with_events and data.events is not None:
            draw_events(ax, data.events[data.events["filename"] == clip["filename"]], band_hz)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    fig.tight_layout()
    return fig


first_of_class = data.clips.groupby("label").head(1).index[:n_examples]
fig = show_clips(data, list(first_of_class), logmel)
glue("data_examples", fig, display=False)
plt.show()
display(audio_players(data, list(first_of_class)))   # one player per clip shown

# %% [markdown]
# ## The ground truth of the synthetic scenes
#
# Only the synthetic scenes say where the evidence is. The attention chapters score attention
# maps against these events; the fraction of a clip's frames covered by its foreground events
# is the *chance level* of that score: an attention that ignores the signal puts this much mass
# on the events.

# %%
if data.events is not None:
    events = data.events
    per_clip = events[events["kind"] == "foreground"].groupby("filename")
    frames_on_events = per_clip.apply(
        lambda e: np.clip(e["offset"] - e["onset"], 0, None).sum()) / float(data.clip_seconds)
    summary = pd.DataFrame({
        "events per clip": events.groupby(["filename", "kind"]).size().unstack(fill_value=0).mean(),
        "mean duration (s)": (events["offset"] - events["onset"]).groupby(events["kind"]).mean(),
    })
    glue("data_event_fraction", float(frames_on_events.mean()))
    display(summary.round(2))
    display(events.head(8))
else:
    glue("data_event_fraction", float("nan"))
    print(f"{dataset_label(data)} has no event ground truth")

# %% [markdown]
# ## Is the class only in the events? The shortcut check
#
# The scenes are built so that nothing but the foreground events depends on a clip's class:
# backgrounds and distractors are drawn the same way for every class, and every clip's
# background sits at one level. The check: the generator writes the same clips with their
# foreground events removed (identical elsewhere, sample for sample), and the networks of the
# book are trained and tested on them exactly as on the full scenes
# (`configs/synthetic-events-removed.yaml`). With the events gone they should score at chance
# (one class in ten); a score above it would mean a cue outside the events. The verdict pools
# the runs' test clips and asks the exact binomial test whether they beat chance.

# %% mystnb={"figure": {"caption": "The shortcut check: the same networks trained on the scenes and on the same scenes with their foreground events removed; each dot is a run, the dotted line chance."}}
from ascnb.evaluate import against_chance
from ascnb.experiment import load_table
from ascnb.report.tables import format_ci, accuracies

if dataset == "synthetic":
    check = load_table("synthetic-events-removed", dataset="synthetic", profile=profile)
    removed = check.run(results_dir)
    with_events = load_table("acrnn-table3-attention-augmentation", dataset="synthetic",
                             profile=profile, rows=["convolutional RNN", "+ attention"]).run(results_dir)
    with_events["CNN"] = load_table("pbcnn-table2-models", dataset="synthetic", profile=profile,
                                    rows=["CNN"]).run(results_dir)["CNN"]
    lines = []
    for (row, records), full in zip(removed.items(), with_events.values()):
        verdict = against_chance(records)
        lines.append({"network, events removed": row,
                      "accuracy (%)": format_ci(accuracies(records)),
                      "95 % interval over its test clips (%)":
                          f"{100 * verdict['ci_low']:.1f}–{100 * verdict['ci_high']:.1f}",
                      "chance (%)": round(100 * verdict["chance"], 1),
                      "verdict": verdict["verdict"],
                      "same network with the events (%)": format_ci(accuracies(full))})
    shortcut = pd.DataFrame(lines).set_index("network, events removed")
    glue("data_shortcut_check", shortcut, display=False)
    glue("data_shortcut_verdicts", ", ".join(sorted(set(shortcut["verdict"]))))
    fig, ax = plt.subplots(figsize=(6.5, 2.6))
    names = list(shortcut.index)
    ax.barh(names, [100 * against_chance(r)["accuracy"] for r in removed.values()],
            color="#7f7f7f", label="events removed")
    ax.barh(names, [accuracies(r).mean() for r in with_events.values()], height=0.35,
            color="#1f77b4", label="with the events")
    ax.axvline(100 / len(data.classes), color="#d62728", linestyle="--", label="chance")
    ax.set_xlabel("test accuracy (%)")
    ax.set_xlim(0, 100)
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title("the same networks with and without the foreground events", fontsize=10)
    fig.tight_layout()
    glue("data_shortcut_figure", fig, display=False)
    display(shortcut)
    plt.show()
else:
    print("the shortcut check is about the synthetic scenes; this page shows", dataset_label(data))

# %% [markdown]
# ## Real ESC-10
#
# The real recordings are messier: the sound of the class fills the clip (rain), comes in
# bursts (dog barks, clock ticks) or in a few long events (crying baby), over whatever
# background was recorded. These are the four classes of the ACRNN paper's Fig. 5.

# %% mystnb={"figure": {"caption": "Real ESC-10: one clip each of dog, crying baby, clock tick and rain (the classes of ACRNN's Fig. 5), as log-mel spectrograms."}}
try:
    esc10 = load_dataset("esc10", esc10_root)
except DatasetError as error:
    if esc10_root is not None:
        raise                                   # a folder was named: say what is wrong with it
    esc10 = None
    print(error)
glue("data_esc10_available", "available" if esc10 is not None else "not available on this machine")
if esc10 is not None:
    glue("data_esc10_label", dataset_label(esc10))
    wanted = ["dog", "crying_baby", "clock_tick", "rain"]
    positions = [int(esc10.clips.index[esc10.clips["category"] == c][0])
                 for c in wanted if (esc10.clips["category"] == c).any()][:n_examples]
    fig = show_clips(esc10, positions, logmel, with_events=False)
    glue("data_esc10_examples", fig, display=False)
    plt.show()
    display(audio_players(esc10, positions))
    display(pd.crosstab(esc10.clips["category"], esc10.clips["fold"], margins=True,
                        margins_name="total"))
else:
    glue("data_esc10_label", "real ESC-10 (not found)")

# %% [markdown]
# ## Summary
#
# - Every dataset is a table of clips with labels and folds, read at 44.1 kHz mono, and loaded
#   by name: `load_dataset("esc10")` finds the data where the registry looks, or names every
#   place it looked.
# - The synthetic scenes put the class in short events whose times and bands are known; the
#   real ESC-10 does not tell where the sound is.
#
# ## What's next
#
# {doc}`02-features` turns these clips into the spectrograms each paper feeds its network.
#
# ## Exercises
#
# 1. Find the class whose foreground events are longest on average.
#
# :::{admonition} Solution
# :class: dropdown
#
# `events[events.kind == "foreground"].assign(d=lambda e: e.offset - e.onset).groupby("label").d.mean().idxmax()`.
# :::
#
# 2. Generate a harder set with `python -m ascnb data synth --out data/hard --snr-min -12 --snr-max 0`
#    and rerun this notebook with `-p dataset synthetic -p data_root data/hard`. What changes in the
#    spectrograms?
#
# :::{admonition} Solution
# :class: dropdown
#
# the events fade into the background; the boxes still mark them.
# :::
