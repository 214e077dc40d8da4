"""Figures the pages share: spectrograms with colour bars, event boxes, confusion matrices

Book: notebooks/01-data, 02-features, 12, 13, 20-24 and 30. Like libfmp's ``b_plot``: each function
draws on an ``ax`` it is given and returns what a caller may want to adjust.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# event kinds of the synthetic scenes -> box colour (chosen not to collide with the viridis /
# magma maps underneath nor with the attention curves of the frame-attention figures)
EVENT_COLOURS = {"foreground": "#ff4f9a", "distractor": "white", "texture": "#9cff57"}


def plot_spectrogram(ax, S: np.ndarray, *, hop_seconds: float, band_hz: np.ndarray | None = None,
                     title: str = "", cmap: str = "magma", colorbar: bool = True,
                     label: str = "dB", vmin=None, vmax=None):
    """A (bands, frames) array with time in seconds, band centres in kHz and a labelled colour bar"""
    S = np.asarray(S)
    n_bands, n_frames = S.shape
    extent = [0, n_frames * hop_seconds, 0, n_bands]
    image = ax.imshow(S, origin="lower", aspect="auto", extent=extent, cmap=cmap,
                      interpolation="nearest", vmin=vmin, vmax=vmax)
    ax.set_xlabel("time (s)")
    if band_hz is not None:
        ticks = np.linspace(0, n_bands - 1, 5).astype(int)
        ax.set_yticks(ticks + 0.5)
        ax.set_yticklabels([f"{band_hz[t] / 1000:.1f}" for t in ticks])
        ax.set_ylabel("band centre (kHz)")
    else:
        ax.set_ylabel("band")
    if title:
        ax.set_title(title, fontsize=10)
    if colorbar:
        bar = ax.figure.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
        bar.set_label(label, fontsize=8)
        bar.ax.tick_params(labelsize=7)
    return image


def band_position(freq_hz: float, band_hz: np.ndarray) -> float:
    """Fractional band index of a frequency, for drawing ground-truth boxes on a spectrogram"""
    return float(np.interp(freq_hz, band_hz, np.arange(len(band_hz)) + 0.5))


def draw_events(ax, events: pd.DataFrame, band_hz: np.ndarray, *, label_events: bool = True):
    """Ground-truth boxes (onset..offset, fmin..fmax) of a clip's events over its spectrogram"""
    from matplotlib.patches import Rectangle

    for event in events.itertuples():
        low, high = band_position(event.fmin, band_hz), band_position(event.fmax, band_hz)
        colour = EVENT_COLOURS.get(event.kind, "yellow")
        style = "--" if event.kind == "texture" else "-"
        ax.add_patch(Rectangle((event.onset, low), event.offset - event.onset, max(high - low, 0.5),
                               fill=False, edgecolor=colour, linewidth=1.2, linestyle=style))
        if label_events and event.kind == "foreground":
            ax.text(event.onset, min(high + 1, len(band_hz) - 4), str(event.label),
                    color=colour, fontsize=7)


def plot_confusion(ax, matrix: np.ndarray, classes, title: str = "", counts: bool = True):
    """Row-normalised confusion matrix with class names, and the counts in the cells"""
    matrix = np.asarray(matrix)
    normalised = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    image = ax.imshow(normalised, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(classes)))
    ax.set_xticklabels(classes, rotation=90, fontsize=7)
    ax.set_yticks(range(len(classes)))
    ax.set_yticklabels(classes, fontsize=7)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if counts and len(classes) <= 20:
        for i in range(matrix.shape[0]):
            for j in range(matrix.shape[1]):
                if matrix[i, j]:
                    ax.text(j, i, str(int(matrix[i, j])), ha="center", va="center", fontsize=6,
                            color="white" if normalised[i, j] > 0.5 else "black")
    if title:
        ax.set_title(title, fontsize=10)
    return image


def plot_results(ax, table, results: dict, *, title: str | None = None):
    """Paper vs ours for a catalogue table, one row per line: every run as a dot, our mean
    with its 95 % interval over runs (folds × seeds) as a bar, the paper's number as a
    diamond. ``table`` is an ``ascnb.experiment.Table``, ``results`` its {row: records}.
    Returns the rows in the order drawn (top to bottom)."""
    from ascnb.evaluate import mean_ci

    rows = list(results)
    dataset = table.dataset
    chance = None
    for y, row in enumerate(rows):
        records = results[row]
        values = (records["accuracy"].astype(float) * 100).to_numpy() if len(records) else np.array([])
        if len(values):
            jitter = np.linspace(-0.15, 0.15, len(values)) if len(values) > 1 else np.zeros(1)
            ax.scatter(values, y + jitter, s=14, color="#7f7f7f", alpha=0.7, zorder=2,
                       label="one run (fold × seed)" if y == 0 else None)
            stats = mean_ci(values)
            if stats["n"] >= 2:
                ax.errorbar(stats["mean"], y, xerr=stats["half"], fmt="o", color="#1f77b4",
                            capsize=4, zorder=3, label="ours: mean ± 95 % CI" if y == 0 else None)
            else:
                ax.plot(stats["mean"], y, "o", color="#1f77b4", zorder=3,
                        label="ours: one run" if y == 0 else None)
            if chance is None and "classes" in records:
                chance = 100.0 / len(records["classes"].iloc[0])
        paper = table.spec.paper_value(row, dataset)
        if paper is not None:
            ax.plot(paper, y, "D", color="#d62728", zorder=4,
                    label="paper" if not any(h.get_label() == "paper" for h in ax.lines) else None)
    if chance is not None:
        ax.axvline(chance, color="black", lw=0.8, ls=":", label="chance")
    ax.set_yticks(range(len(rows)), rows)
    ax.invert_yaxis()
    ax.set_xlabel("clip accuracy on the test fold (%)")
    ax.set_xlim(0, 100)
    ax.grid(axis="x", alpha=0.3)
    profile = next(iter(table.rows.values())).profile
    ax.set_title(title or f"{table.spec.title}: paper vs ours ({profile} profile, {dataset})")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)   # off the data
    return rows
