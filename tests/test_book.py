"""The book's sources: notebooks in sync with their sources, parameters cells, toc, table helpers"""

from __future__ import annotations

import importlib.util
import math
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
import yaml

from ascnb import book

REPO = Path(__file__).resolve().parents[1]
COMMON = {"dataset", "data_root", "profile"}
EXPERIMENT = COMMON | {"folds", "seeds", "epochs", "device"}


def notebooks() -> list[Path]:
    return sorted((REPO / "notebooks").glob("*.ipynb"))


def parameters_cell(path: Path):
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    return nb, cells


def test_notebooks_are_in_sync_with_their_sources():
    result = subprocess.run([sys.executable, "book/tools/make_notebooks.py", "--check"], cwd=REPO,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.stem)
def test_notebook_opens_with_its_purpose_and_has_one_parameters_cell(path):
    import papermill

    nb, cells = parameters_cell(path)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    assert "**Overview.**" in nb.cells[0].source and "**Prerequisites.**" in nb.cells[0].source
    assert len(cells) == 1, f"{path.name}: expected one cell tagged 'parameters'"
    declared = set(papermill.inspect_notebook(str(path)))
    needed = EXPERIMENT if path.stem[:1] in "123" else COMMON
    assert needed <= declared, f"{path.name}: parameters cell lacks {sorted(needed - declared)}"
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "## Summary" in text and "## What's next" in text
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), "committed with outputs"


def test_toc_lists_a_notebook_for_every_generated_page_and_existing_pages():
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc["parts"]:
        for chapter in part["chapters"]:
            files.append(chapter["file"])
            files += [s["file"] for s in chapter.get("sections", [])]
    run_notebooks = importlib.util.spec_from_file_location(
        "run_notebooks", REPO / "book" / "tools" / "run_notebooks.py")
    module = importlib.util.module_from_spec(run_notebooks)
    run_notebooks.loader.exec_module(module)
    generated = [f.rsplit("/", 1)[1] for f in files if f.startswith("book/_generated/")]
    assert generated == list(module.NOTEBOOKS), "toc and run_notebooks.py list the same notebooks"
    for name in generated:
        assert (REPO / "notebooks" / f"{name}.ipynb").is_file(), name
    for f in files:
        if not f.startswith("book/_generated/"):
            assert (REPO / f"{f}.md").is_file(), f


def test_mean_ci_matches_the_t_interval():
    mean, half, n = book.mean_ci([80.0, 82.0, 84.0, 86.0])
    assert (mean, n) == (83.0, 4)
    # t(0.975, 3) = 3.182; sd = 2.582; half = 3.182 * 2.582 / 2
    assert half == pytest.approx(3.1824 * np.std([80, 82, 84, 86], ddof=1) / 2, rel=1e-3)
    assert math.isnan(book.mean_ci([81.0])[1])
    assert book.mean_ci([])[2] == 0
    assert book.format_ci(*book.mean_ci([])) == "—"


def test_verdicts_follow_the_paired_interval():
    a = pd.DataFrame({"fold": [1, 2, 3, 4], "seed": 0, "accuracy": [90.0, 91.0, 92.0, 90.5]})
    b = a.assign(accuracy=a["accuracy"] - [3.0, 2.5, 3.5, 3.0])
    diff = book.paired_difference(a, b)
    assert diff[0] == pytest.approx(3.0) and diff[2] == 4
    assert book.verdict(diff) == "supported"
    assert book.verdict(diff, claim_sign=-1) == "contradicted"
    noisy = b.assign(accuracy=a["accuracy"] + [3.0, -3.0, 2.0, -2.5])
    assert book.verdict(book.paired_difference(a, noisy)) == "inconclusive"
    assert book.verdict((1.0, float("nan"), 1)).startswith("one run")
    assert book.verdict((float("nan"), float("nan"), 0)) == "no runs"
    # only the pairs both sides have count
    assert book.paired_difference(a, b.iloc[:2])[2] == 2


def test_side_by_side_table_has_paper_ours_and_extra_columns():
    table = book.side_by_side([
        {"row": "PB-CNN", "paper": 89.2, "ours": [70.0, 72.0], "dataset": "synthetic", "verdict": "x"},
        {"row": "CNN", "paper": 86.3, "ours": []},
    ])
    assert list(table.columns[:2]) == ["paper (%)", "ours (%)"]
    assert table.loc["PB-CNN", "ours (%)"].startswith("71.0 ± ") and "(n=2)" in table.loc["PB-CNN", "ours (%)"]
    assert table.loc["CNN", "ours (%)"] == "—"
    assert table.loc["PB-CNN", "dataset"] == "synthetic"


def test_launch_buttons_point_at_the_source_notebooks():
    spec = importlib.util.spec_from_file_location("launch_source", REPO / "book" / "_ext" / "launch_source.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    buttons = [{"type": "group", "buttons": [
        {"url": "https://colab.research.google.com/github/o/r/blob/main/book/_generated/11-x.ipynb"},
        {"url": "../../_sources/book/_generated/11-x.ipynb"}]}]
    module.rewrite_urls(buttons)
    assert buttons[0]["buttons"][0]["url"].endswith("/blob/main/notebooks/11-x.ipynb")
    assert buttons[0]["buttons"][1]["url"] == "../../_sources/book/_generated/11-x.ipynb"


def test_book_dataset_refuses_unknown_names():
    with pytest.raises(ValueError, match="unknown dataset 'esc100'"):
        book.book_dataset("esc100")


@pytest.mark.parametrize("name, pixel", [("pb-cnn", True), ("tb-cnn", False)])
def test_clip_attention_covers_a_whole_clip_on_the_input_grid(name, pixel):
    import torch

    from ascnb.features import Normaliser
    from ascnb.models import build_model

    torch.manual_seed(0)
    model = build_model(name, 10, (1, 64, 150)).eval()
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1, 64, 251)).astype(np.float32)  # a 5 s clip: 251 frames
    model.normaliser = Normaliser().fit(X[None, :, :, :150])
    maps = book.clip_attention(model, X)
    assert set(maps) == set(model.attention_axes)
    for key, m in maps.items():
        assert m.shape == ((64, 251) if pixel else (251,)), key
        assert np.all(np.isfinite(m))
        if not pixel:  # softmax frame weights are > 0 wherever a segment covered the frame
            assert np.all(m > 0), f"{key}: frames left uncovered"
    # a clip shorter than the hop: one segment, the rest of the grid untouched
    short = book.clip_attention(model, X[..., :150])
    assert all(m.shape[-1] == 150 for m in short.values())


def test_training_steps_count_batches_per_epoch_with_the_smoke_cap():
    runs = pd.DataFrame({"epochs_run": [5, 5], "n_train_segments": [1440, 1440],
                         "train_config": [{"batch_size": 1000}, {"batch_size": 1000}]})
    assert book.training_steps(runs) == 10          # 2 batches (1000 + 440) x 5 epochs
    flat = pd.DataFrame({"epochs_run": [1], "n_train_segments": [400],
                         "train_config.batch_size": [8], "train_config.max_batches": [2]})
    assert book.training_steps(flat) == 2           # the smoke profile's cap
    assert book.training_steps(pd.DataFrame()) is None
    table = book.results_table({"A": runs.assign(accuracy=[0.5, 0.6])}, {"A": 80.0},
                               dataset="d", profile="quick")
    assert table.loc["A", "steps per run"] == 10
