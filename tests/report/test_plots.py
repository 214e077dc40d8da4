"""The results figure draws every run, our interval and the paper's number where they are"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from matplotlib.collections import PathCollection  # noqa: E402

from ascnb.experiment import load_table  # noqa: E402
from ascnb.report.plots import plot_results  # noqa: E402


def fake_records(accuracies):
    return pd.DataFrame({"accuracy": accuracies, "fold": range(1, len(accuracies) + 1),
                         "seed": 0, "classes": [list("abcdefghij")] * len(accuracies)})


def test_every_run_our_interval_and_the_papers_number_are_drawn():
    table = load_table("acrnn-table3-attention-augmentation", dataset="esc10", profile="cpu")
    rows = list(table.rows)
    results = {rows[0]: fake_records([0.80, 0.85, 0.90]), rows[1]: fake_records([0.70])}
    fig, ax = plt.subplots()
    drawn = plot_results(ax, table, results)
    assert drawn == rows[:2]
    # runs: 3 + 1 dots at their accuracies (percent), in their rows
    dots = np.concatenate([c.get_offsets() for c in ax.collections
                           if isinstance(c, PathCollection)])
    assert sorted(np.round(dots[:, 0], 6)) == [70.0, 80.0, 85.0, 90.0]
    # the paper's diamonds at the paper's numbers of both rows (ESC-10 column)
    diamonds = [line for line in ax.lines if line.get_marker() == "D"]
    paper = sorted(float(line.get_xdata()[0]) for line in diamonds)
    assert paper == sorted(table.spec.paper_value(r, "esc10") for r in rows[:2])
    # chance: 10 classes -> 10 %
    assert any(line.get_linestyle() == ":" and line.get_xdata()[0] == 10.0 for line in ax.lines)
    # one error bar (the row with three runs): its half-width is the t-interval's
    bars = [c for c in ax.containers if hasattr(c, "has_xerr") and c.has_xerr]
    assert len(bars) == 1
    plt.close(fig)
