"""The book's sources and what its pages are made of (ascnb.report): notebooks in sync with their
sources, parameters cells, toc, paper-vs-ours tables and verdicts, attention maps"""

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

from ascnb.evaluate import mean_ci
from ascnb.paths import REPO
from ascnb.report import attention_maps, tables

COMMON = {"dataset", "data_root", "profile"}
EXPERIMENT = COMMON | {"folds", "seeds", "epochs", "device"}
# what selects rows or builds experiments belongs in configs/, not in a parameters cell
NOT_KNOBS = {"models", "placements", "scales", "augmentations", "mel_bands", "n_mels",
             "segmentations", "attention_at"}


def notebooks() -> list[Path]:
    return sorted((REPO / "notebooks").glob("*.ipynb"))


def parameters_cell(path: Path):
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    return nb, cells


def test_notebooks_are_in_sync_with_their_sources():
    result = subprocess.run([sys.executable, "book/tools/sync_notebooks.py", "--check"], cwd=REPO,
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
    assert not declared & NOT_KNOBS, f"{path.name}: rows are chosen in configs/: {declared & NOT_KNOBS}"
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "## Summary" in text and "## What's next" in text
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), "committed with outputs"


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.stem)
def test_notebooks_use_the_report_and_experiment_modules(path):
    code = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
    assert "ascnb.book" not in code and "ascnb.experiments" not in code, path.name


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


def test_pages_glue_only_keys_their_notebooks_glue():
    """A {glue:text}`NB.ipynb::key` on a page names a key that the notebook's source glues"""
    import re

    for page in sorted((REPO / "book").glob("*.md")):
        for notebook, key in re.findall(r"\{glue:[a-z]+\}`_generated/([\w-]+)\.ipynb::(\w+)", page.read_text()):
            source = (REPO / "book" / "notebook_src" / f"{notebook}.py").read_text()
            assert f'glue("{key}"' in source, f"{page.name}: {notebook} glues no {key!r}"


# ---- ascnb.report.tables: formatting, verdicts, paper vs ours ----

def test_format_ci_shows_the_t_interval_and_n():
    values = [80.0, 82.0, 84.0, 86.0]
    # t(0.975, 3) = 3.182; sd = 2.582; half = 3.182 * 2.582 / 2 = 4.1
    assert tables.format_ci(values) == "83.0 ± 4.1 (n=4)"
    assert tables.format_ci(mean_ci(values)) == "83.0 ± 4.1 (n=4)"
    assert tables.format_ci([81.0]) == "81.0 (n=1)"
    assert tables.format_ci([]) == "—"
    assert math.isnan(mean_ci([81.0])["half"])


def test_verdicts_follow_the_paired_interval():
    better = pd.DataFrame({"fold": [1, 2, 3, 4], "seed": 0, "accuracy": [0.90, 0.91, 0.92, 0.905]})
    worse = better.assign(accuracy=better["accuracy"] - [0.03, 0.025, 0.035, 0.03])
    outcome = tables.compare(better, worse)
    assert outcome["mean_diff"] == pytest.approx(3.0) and outcome["n_pairs"] == 4   # in points
    assert outcome["verdict"] == "supported"
    assert tables.compare(worse, better)["verdict"] == "contradicted"
    noisy = better.assign(accuracy=better["accuracy"] + [0.03, -0.03, 0.02, -0.025])
    assert tables.compare(better, noisy)["verdict"] == "inconclusive"
    assert tables.compare(better.iloc[:1], worse.iloc[:1])["verdict"].startswith("one run")
    assert tables.compare(better, worse.iloc[:0])["verdict"] == "no runs"
    # only the pairs both sides have count
    assert tables.compare(better, worse.iloc[:2])["n_pairs"] == 2


def fake_records(accuracies: list[float], **extra) -> pd.DataFrame:
    n = len(accuracies)
    return pd.DataFrame({"fold": range(1, n + 1), "seed": 0, "accuracy": accuracies,
                         "epochs_run": 5, "n_train_segments": 1440,
                         "train_config": [{"batch_size": 1000}] * n,
                         "dataset_description": "synthetic scenes (stand-in)", "profile": "quick",
                         **extra})


def test_results_and_claims_tables_set_the_paper_beside_ours():
    from ascnb.experiment import load_table

    table = load_table("pbcnn-table2-models", rows=["PB-CNN", "CNN", "TB-CNN"], profile="smoke")
    results = {"PB-CNN": fake_records([0.70, 0.72]), "CNN": fake_records([0.60, 0.61]),
               "TB-CNN": fake_records([])}
    summary = tables.results_table(table, results)
    paper = "paper (%) [DCASE 2016, mean of 4 folds]"
    assert list(summary.columns[:2]) == [paper, "ours (%)"]
    assert summary.loc["PB-CNN", paper] == pytest.approx(89.231)
    assert summary.loc["PB-CNN", "ours (%)"].startswith("71.0 ± ") and "(n=2)" in summary.loc["PB-CNN", "ours (%)"]
    assert summary.loc["TB-CNN", "ours (%)"] == "—"
    assert summary.loc["PB-CNN", "steps per run"] == 10          # 2 batches (1000 + 440) x 5 epochs
    assert summary.loc["PB-CNN", "data"] == "synthetic scenes (stand-in)"
    assert summary.loc["PB-CNN", "profile"] == "quick"

    claims = tables.claims_table(table, results)
    # only claims whose two rows were run: FB-CNN was not loaded
    assert set(claims.index) == {"PB-CNN beats CNN", "PB-CNN beats TB-CNN", "TB-CNN beats CNN"}
    assert claims.loc["PB-CNN beats CNN", "paper: difference (points)"] == pytest.approx(2.95)
    assert claims.loc["PB-CNN beats CNN", "verdict"] == tables.compare(results["PB-CNN"], results["CNN"])["verdict"]
    assert claims.loc["PB-CNN beats TB-CNN", "verdict"] == "no runs"


def test_training_steps_count_batches_per_epoch_with_the_smoke_cap():
    runs = pd.DataFrame({"epochs_run": [5, 5], "n_train_segments": [1440, 1440],
                         "train_config": [{"batch_size": 1000}, {"batch_size": 1000}]})
    assert tables.training_steps(runs) == 10          # 2 batches (1000 + 440) x 5 epochs
    flat = pd.DataFrame({"epochs_run": [1], "n_train_segments": [400],
                         "train_config.batch_size": [8], "train_config.max_batches": [2]})
    assert tables.training_steps(flat) == 2           # the smoke profile's cap
    assert tables.training_steps(pd.DataFrame()) is None


def test_unknown_datasets_are_refused_by_name():
    from ascnb.data import load_dataset

    with pytest.raises(ValueError, match="unknown dataset 'esc100'"):
        load_dataset("esc100")


# ---- ascnb.report.attention_maps: clip attention and the localisation metric ----

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
    maps = attention_maps.clip_attention(model, X)
    assert set(maps) == set(model.attention_axes)
    for key, m in maps.items():
        assert m.shape == ((64, 251) if pixel else (251,)), key
        assert np.all(np.isfinite(m))
        if not pixel:  # softmax frame weights are > 0 wherever a segment covered the frame
            assert np.all(m > 0), f"{key}: frames left uncovered"
    # a clip shorter than the hop: one segment, the rest of the grid untouched
    short = attention_maps.clip_attention(model, X[..., :150])
    assert all(m.shape[-1] == 150 for m in short.values())


EVENTS = pd.DataFrame([
    {"filename": "a.wav", "kind": "foreground", "onset": 1.0, "offset": 2.0, "fmin": 100.0, "fmax": 300.0},
    {"filename": "a.wav", "kind": "distractor", "onset": 3.0, "offset": 4.0, "fmin": 100.0, "fmax": 300.0},
    {"filename": "b.wav", "kind": "foreground", "onset": 0.0, "offset": 5.0, "fmin": 0.0, "fmax": 1e5},
])


def test_event_mask_marks_the_frames_and_boxes_of_one_clips_foreground_events():
    frames = attention_maps.event_mask(EVENTS, "a.wav", n_frames=10, hop_seconds=0.5)
    assert frames.tolist() == [False, False, True, True] + [False] * 6   # t = 1.0 and 1.5 s
    band_hz = np.array([50.0, 200.0, 400.0])
    boxes = attention_maps.event_mask(EVENTS, "a.wav", 10, 0.5, band_hz)
    assert boxes.shape == (3, 10)
    assert boxes[1].tolist() == frames.tolist() and not boxes[[0, 2]].any()
    distractors = attention_maps.event_mask(EVENTS, "a.wav", 10, 0.5, kind="distractor")
    assert distractors[6:8].all() and distractors.sum() == 2
    assert not attention_maps.event_mask(EVENTS, "c.wav", 10, 0.5).any()


def test_attention_mass_is_one_on_the_events_and_chance_for_a_uniform_map():
    mask = attention_maps.event_mask(EVENTS, "a.wav", n_frames=10, hop_seconds=0.5)
    on_events = mask.astype(float)
    assert attention_maps.attention_mass(on_events, mask) == 1.0
    assert attention_maps.attention_mass(np.ones(10), mask) == pytest.approx(mask.mean())
    assert attention_maps.attention_mass(1 - on_events, mask) == 0.0          # negative control
    # a (bands, frames) map against a frames mask: summed over bands first
    assert attention_maps.attention_mass(np.ones((3, 10)), mask) == pytest.approx(mask.mean())
    assert math.isnan(attention_maps.attention_mass(np.zeros(10), mask))
    with pytest.raises(ValueError, match="non-negative"):
        attention_maps.attention_mass(on_events - 0.5, mask)
    with pytest.raises(ValueError, match="differ"):
        attention_maps.attention_mass(np.ones(9), mask)


def test_combined_map_weighs_each_layer_equally_and_spreads_frame_weights_over_bands():
    frames = np.array([0.0, 2.0, 2.0, 0.0])              # (frames,), sums to 4
    pixels = np.zeros((2, 4))
    pixels[0, 0] = 10.0                                  # (bands, frames), sums to 10
    combined = attention_maps.combined_map({"l2": frames, "stage1.pixel": pixels}, n_bands=2)
    assert combined.shape == (2, 4) and combined.sum() == pytest.approx(1.0)
    assert combined[0, 0] == pytest.approx(0.5)          # half of the mass: the pixel layer
    assert combined[:, 1:3] == pytest.approx(np.full((2, 2), 0.125))  # the frame layer, spread
