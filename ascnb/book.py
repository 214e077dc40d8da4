"""What the book's notebooks share: datasets by name, spectrogram plots, paper-vs-ours tables

Book: every notebook in ``notebooks/`` imports from here, so that notebooks hold narrative
and plots, not logic. The tables follow one rule (book/intro.md, "How to read the tables"):
the paper's number beside ours as mean ± 95% CI over folds × seeds, the dataset and the
profile named, and a verdict per claim of the paper.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
SHARED_ESC10 = REPO.parent / "shared" / "data" / "ESC-10"
DATASET_CHOICES = ("synthetic", "esc10", "esc50", "dcase2016")


# ---- paths and datasets ----

def project_path(path: str | Path) -> Path:
    """A relative path taken from the repository root, whatever the notebook's working folder"""
    path = Path(path)
    return path if path.is_absolute() else REPO / path


def find_esc10(root: str | Path | None = None) -> Path | None:
    """Where the real ESC-10 is: root if given, else $ASCNB_DATA/ESC-10, else ../shared; or None"""
    candidates = [Path(root)] if root else []
    if os.environ.get("ASCNB_DATA"):
        candidates.append(Path(os.environ["ASCNB_DATA"]) / "ESC-10")
    candidates += [REPO / "data" / "ESC-10", SHARED_ESC10]
    for candidate in candidates:
        candidate = project_path(candidate)
        if (candidate / "meta" / "esc50.csv").is_file():
            return candidate
    if root:
        raise FileNotFoundError(f"ESC-10 not found at {root} (expected meta/esc50.csv and audio/)")
    return None


def book_dataset(dataset: str = "synthetic", data_root: str | Path | None = None):
    """The AudioDataset a notebook's ``dataset``/``data_root`` parameters name

    "synthetic": the embedded default (generated on first use under data_root);
    "esc10": the real ESC-10 (data_root, else found by ``find_esc10``);
    "esc50", "dcase2016": the official releases under data_root.
    """
    from ascnb.data import ensure_synthetic, load_dataset

    if dataset not in DATASET_CHOICES:
        raise ValueError(f"unknown dataset {dataset!r}; known: {DATASET_CHOICES}")
    if dataset == "synthetic":
        # a set written by `data synth`, or a data root holding the default set
        return load_dataset("synthetic", project_path(data_root)) if data_root else ensure_synthetic()
    if dataset == "esc10":
        root = find_esc10(data_root)
        if root is None:
            raise FileNotFoundError("real ESC-10 not found: pass data_root, set ASCNB_DATA, or "
                                    "`python -m ascnb data download esc50`")
        return load_dataset("esc50", root, subset="esc10")
    return load_dataset(dataset, project_path(data_root) if data_root else None)


def dataset_label(dataset) -> str:
    """How tables name the data: "real ESC-10 (400 clips)" or "synthetic scenes (stand-in, …)"."""
    if dataset.name == "synthetic":
        return dataset.description or "synthetic scenes (stand-in)"
    names = {"esc50": "ESC-50", "dcase2016": "DCASE 2016 Task 1"}
    name = "ESC-10" if len(dataset.classes) == 10 and dataset.name == "esc50" else names.get(
        dataset.name, dataset.name)
    return f"real {name} ({len(dataset)} clips)"


# ---- plots ----

def plot_spectrogram(ax, S: np.ndarray, *, hop_seconds: float, band_hz: np.ndarray | None = None,
                     title: str = "", cmap: str = "magma", colorbar: bool = False):
    """A (bands, frames) spectrogram with time in seconds and, if given, band centres in Hz"""
    S = np.asarray(S)
    n_bands, n_frames = S.shape
    extent = [0, n_frames * hop_seconds, 0, n_bands]
    image = ax.imshow(S, origin="lower", aspect="auto", extent=extent, cmap=cmap,
                      interpolation="nearest")
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
        ax.figure.colorbar(image, ax=ax, fraction=0.04)
    return image


def band_position(freq_hz: float, band_hz: np.ndarray) -> float:
    """Fractional band index of a frequency, for drawing ground-truth boxes on a spectrogram"""
    return float(np.interp(freq_hz, band_hz, np.arange(len(band_hz)) + 0.5))


def draw_events(ax, events: pd.DataFrame, band_hz: np.ndarray, *, label_events: bool = True):
    """Ground-truth boxes (onset..offset, fmin..fmax) of a clip's events over its spectrogram"""
    from matplotlib.patches import Rectangle

    colours = {"foreground": "cyan", "distractor": "white", "texture": "lime"}
    for event in events.itertuples():
        low, high = band_position(event.fmin, band_hz), band_position(event.fmax, band_hz)
        colour = colours.get(event.kind, "yellow")
        style = "--" if event.kind == "texture" else "-"
        ax.add_patch(Rectangle((event.onset, low), event.offset - event.onset, max(high - low, 0.5),
                               fill=False, edgecolor=colour, linewidth=1.2, linestyle=style))
        if label_events and event.kind == "foreground":
            ax.text(event.onset, min(high + 1, len(band_hz) - 4), str(event.label),
                    color=colour, fontsize=7)


# ---- numbers: mean ± 95% CI, paper vs ours, verdicts ----

def mean_ci(values) -> tuple[float, float, int]:
    """(mean, half-width of the 95% t-interval, n) of a sample; half-width nan for n < 2"""
    from scipy import stats

    values = np.asarray(pd.Series(values).dropna(), dtype=float)
    n = len(values)
    if n == 0:
        return float("nan"), float("nan"), 0
    mean = float(values.mean())
    if n < 2:
        return mean, float("nan"), n
    half = float(stats.t.ppf(0.975, n - 1) * values.std(ddof=1) / np.sqrt(n))
    return mean, half, n


def format_ci(mean: float, half: float, n: int, digits: int = 1) -> str:
    """"86.2 ± 1.3 (n=20)"; "—" when there is no run"""
    if n == 0 or np.isnan(mean):
        return "—"
    if np.isnan(half):
        return f"{mean:.{digits}f} (n=1)"
    return f"{mean:.{digits}f} ± {half:.{digits}f} (n={n})"


def paired_difference(a: pd.DataFrame, b: pd.DataFrame, *, metric: str = "accuracy",
                      on: tuple = ("fold", "seed")) -> tuple[float, float, int]:
    """Mean ± 95% CI of a - b over the (fold, seed) pairs both have"""
    on = [c for c in on if c in a.columns and c in b.columns]
    merged = a[on + [metric]].merge(b[on + [metric]], on=on, suffixes=("_a", "_b"))
    return mean_ci(merged[f"{metric}_a"] - merged[f"{metric}_b"])


def verdict(difference: tuple[float, float, int], *, claim_sign: int = 1) -> str:
    """Whether a paired difference supports a claim that it is > 0 (claim_sign 1) or < 0 (-1)

    "supported": the 95% CI lies on the claimed side of 0; "contradicted": on the other side;
    "inconclusive": it contains 0; "no runs" / "one run" when there is too little to say.
    """
    mean, half, n = difference
    if n == 0:
        return "no runs"
    if n < 2 or np.isnan(half):
        return "one run: inconclusive"
    low, high = claim_sign * mean - half, claim_sign * mean + half
    if low > 0:
        return "supported"
    if high < 0:
        return "contradicted"
    return "inconclusive"


def side_by_side(rows: list[dict]) -> pd.DataFrame:
    """A paper-vs-ours table from rows of {"row", "paper", "ours" (sample of accuracies), …}

    Extra keys become columns as they are (dataset, profile, verdict…).
    """
    table = []
    for row in rows:
        mean, half, n = mean_ci(row.get("ours", []))
        entry = {"": row["row"], "paper (%)": row.get("paper"), "ours (%)": format_ci(mean, half, n)}
        entry.update({k: v for k, v in row.items() if k not in ("row", "paper", "ours")})
        table.append(entry)
    return pd.DataFrame(table).set_index("")


def glue(name: str, value, display: bool = False):
    """myst_nb.glue, quiet by default (pages show the value where they refer to it)"""
    from myst_nb import glue as myst_glue

    return myst_glue(name, value, display=display)


# ---- widgets that work in the static book: precomputed views switched in the browser ----

def figure_png(fig, dpi: int = 72) -> bytes:
    """A matplotlib figure as PNG bytes (and closed)"""
    import io

    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def figure_slider(figures: dict, description: str, *, dpi: int = 72, value=None):
    """A slider over precomputed figures {value: fig}, linked in the browser (jslink)

    The slider and the pictures are ipywidgets whose state is saved in the executed notebook,
    so the static book switches pictures without a kernel (the book loads the widget manager
    from its own files); in Jupyter it works the same.
    """
    import ipywidgets as widgets

    labels = list(figures)
    images = [widgets.Image(value=figure_png(figures[k], dpi), format="png") for k in labels]
    stack = widgets.Stack(images, selected_index=labels.index(value) if value in labels else 0)
    slider = widgets.SelectionSlider(options=[(str(k), k) for k in labels],
                                     value=value if value in labels else labels[0],
                                     description=description, continuous_update=True,
                                     style={"description_width": "initial"},
                                     layout=widgets.Layout(width="420px"))
    widgets.jslink((slider, "index"), (stack, "selected_index"))
    return widgets.VBox([slider, stack])


def figure_grid(figures: dict, row_name: str, column_name: str, *, dpi: int = 72):
    """Buttons over the first key and a slider over the second of {(row, column): fig}"""
    import ipywidgets as widgets

    rows = list(dict.fromkeys(k[0] for k in figures))
    columns = list(dict.fromkeys(k[1] for k in figures))
    buttons = widgets.ToggleButtons(options=[str(r) for r in rows], description=row_name,
                                    style={"description_width": "initial"})
    slider = widgets.SelectionSlider(options=[str(c) for c in columns], description=column_name,
                                     style={"description_width": "initial"},
                                     layout=widgets.Layout(width="420px"))
    inner = []
    for r in rows:
        stack = widgets.Stack([widgets.Image(value=figure_png(figures[(r, c)], dpi), format="png")
                               for c in columns], selected_index=0)
        widgets.jslink((slider, "index"), (stack, "selected_index"))
        inner.append(stack)
    outer = widgets.Stack(inner, selected_index=0)
    widgets.jslink((buttons, "index"), (outer, "selected_index"))
    return widgets.VBox([buttons, slider, outer])


# ---- experiments: every notebook runs (or reads) its records through these two functions ----

def dataset_fields(dataset: str, data_root: str | Path | None = None) -> dict:
    """The dataset fields of an Experiment for a notebook's ``dataset``/``data_root``"""
    if dataset not in DATASET_CHOICES:
        raise ValueError(f"unknown dataset {dataset!r}; known: {DATASET_CHOICES}")
    if dataset == "esc10":
        root = find_esc10(data_root)
        return {"dataset": "esc50", "subset": "esc10", "data_root": str(root) if root else None}
    return {"dataset": dataset, "subset": None,
            "data_root": str(project_path(data_root)) if data_root else None}


# the ACRNN paper's "augment" rows: time stretch + pitch shift copies and mixup (ascnb.train.presets)
AUGMENT = {"mixup_alpha": 0.2, "waveform_augment": 1}


def experiment_fields(config: dict) -> dict:
    """Book shorthands -> ``Experiment`` fields: ``features: {kind: .., **params}``, ``augment``

    ``features`` may be a mapping with a "kind" key (the rest become ``feature_params``);
    ``augment: true`` (top level or in ``overrides``) switches on ``AUGMENT``; ``epochs`` is
    ``overrides.num_epochs``. Everything else is passed as it is.
    """
    config = dict(config)
    overrides = dict(config.pop("overrides", None) or {})
    augment = config.pop("augment", None)
    augment = overrides.pop("augment", augment)
    if augment:
        overrides = {**AUGMENT, **overrides}
    epochs = config.pop("epochs", None)
    if epochs is not None:
        overrides["num_epochs"] = int(epochs)
    features = config.get("features")
    if isinstance(features, dict):
        features = dict(features)
        if "kind" not in features:
            raise ValueError(f"features {features!r}: a mapping needs a 'kind' key")
        config["features"] = features.pop("kind")
        config["feature_params"] = {**features, **(config.get("feature_params") or {})}
    config["overrides"] = overrides
    for key in ("folds", "seeds"):
        value = config.get(key)
        if isinstance(value, (int, str)):
            config[key] = [value]
    return config


def make_experiment(name: str, *, dataset: str, data_root=None, profile: str = "quick",
                    folds=None, seeds=None, epochs=None, device: str = "auto",
                    clips_per_class=None, augment: bool = False, **fields):
    """An ``ascnb.experiments.Experiment`` from a notebook's parameters

    folds/seeds/epochs/clips_per_class None: the profile's defaults (ascnb.experiments.PROFILES);
    augment: the paper's augmentation (``AUGMENT``). ``fields``: model, model_params,
    features ("logmel" or {"kind": "logmel", "n_mels": 60}), segmentation, preset, overrides, …
    The config hash leaves out name, folds, seeds, profile, device and data root, so records
    made by a sweep (configs/*.yaml) with the same values are found here.
    """
    from ascnb.experiments import Experiment

    config = {"name": name, "profile": profile, "device": device or "auto",
              **dataset_fields(dataset, data_root), **fields, "augment": augment, "epochs": epochs}
    if clips_per_class is not None:
        config["clips_per_class"] = int(clips_per_class)
    if folds is not None:
        config["folds"] = folds
    if seeds is not None:
        config["seeds"] = seeds
    return Experiment.from_dict(experiment_fields(config))


def run_or_load(experiment, results_dir: str | Path = "results", *,
                progress: bool = False) -> pd.DataFrame:
    """The records of an experiment, one row per (fold, seed): read when on disk, else trained

    ``run_experiment`` skips every (fold, seed) whose record exists, so a notebook whose
    records are in results/ (from a sweep, a GPU run, an earlier build) only reads them.
    progress: progress bars of feature extraction and training (off: the book shows no bars)
    """
    from ascnb import experiments

    records = experiments.run_experiment(experiment, results_dir=project_path(results_dir),
                                         progress=progress)
    return pd.json_normalize(records)


def trained_model(experiment, record: dict, results_dir: str | Path = "results"):
    """The trained network of one record, its weights recreated when they are not on disk

    Records are committed in results/; weights (runs/) are not. When they are missing, the
    record's (fold, seed) is trained again with the same configuration into a scratch results
    folder (_build/retrained/), which writes the weights where ``load_trained_model`` finds
    them; the committed record is left as it is. On the same kind of machine the retrained
    network is the recorded one (training is deterministic per seed on CPU); the accuracy of
    the retrained copy is printed beside the record's so a difference is visible.
    """
    from dataclasses import replace

    from ascnb import experiments

    try:
        return experiments.load_trained_model(record)
    except FileNotFoundError:
        pass
    one = replace(experiment, folds=(record["fold"],), seeds=(int(record["seed"]),))
    if one.resolve().config_hash() != record["config_hash"]:
        raise ValueError(f"record {record['config_hash']} is not of experiment {one.name!r} "
                         f"({one.resolve().config_hash()})")
    scratch = REPO / "_build" / "retrained"
    path = experiments.record_path(scratch, one.resolve(), record["fold"], record["seed"])
    path.unlink(missing_ok=True)  # a scratch record without its weights would be skipped
    again = experiments.run_experiment(one, results_dir=scratch, progress=False)[0]
    print(f"weights of {one.name} fold {record['fold']} seed {record['seed']} were not on disk: "
          f"retrained, accuracy {again['accuracy']:.4f} (record: {record['accuracy']:.4f})")
    return experiments.load_trained_model(again)


def clip_attention(model, X: np.ndarray) -> dict[str, np.ndarray]:
    """A trained model's attention over a whole clip, on the clip's own bands × frames grid

    X: features of one clip (channels, bands, frames). The clip is cut into the segments the
    model was trained on (its input length, hop half of it), each normalised with the model's
    training-fold ``normaliser`` (plus one segment ending at the clip's end when the hops miss
    its tail); every attention map is mapped back onto the input grid
    (``attention_on_input``) and averaged where segments overlap. Returns {key: array}: frame
    weights (frames,) or pixel maps (bands, frames), keys as ``model.attention_axes``.
    """
    import torch

    length = model.input_shape[-1]
    n_frames = X.shape[-1]
    sums, counts = {}, np.zeros(n_frames)
    starts = list(range(0, max(n_frames - length, 0) + 1, max(length // 2, 1)))
    if starts[-1] + length < n_frames:
        starts.append(n_frames - length)  # the clip's tail gets a segment of its own
    for start in starts:
        segment = model.normaliser.transform(X[None, :, :, start:start + length])
        with torch.no_grad():
            _, weights = model(torch.tensor(segment, dtype=torch.float32), return_attention=True)
            on_input = model.attention_on_input(weights)
        width = min(length, n_frames - start)
        for key, value in on_input.items():
            w = value[0].float().numpy()[..., :width]  # (frames,) or (bands, frames)
            total = sums.setdefault(key, np.zeros(w.shape[:-1] + (n_frames,)))
            total[..., start:start + width] += w
        counts[start:start + width] += 1
    return {key: total / np.maximum(counts, 1) for key, total in sums.items()}


def accuracies(records: pd.DataFrame) -> pd.Series:
    """Clip accuracy of each record in percent (records may store fractions or percents)"""
    if records is None or len(records) == 0:
        return pd.Series(dtype=float)
    values = records["accuracy"].astype(float)
    return values * 100 if values.max() <= 1.0 else values


def training_steps(records: pd.DataFrame) -> int | None:
    """Optimizer steps of a run (the median over the records): epochs × batches per epoch

    Recipes differ a lot here: in the quick profile ACRNN (batch 64) gets 12 times the steps
    of PiczakCNN (batch 1000), which a table of accuracies alone would hide.
    """
    if records is not None and "train_config" in records and "train_config.batch_size" not in records:
        records = records.assign(**{  # load_records keeps train_config as one dict column
            "train_config.batch_size": records["train_config"].map(lambda c: c["batch_size"]),
            "train_config.max_batches": records["train_config"].map(lambda c: c.get("max_batches", 0))})
    needed = {"epochs_run", "n_train_segments", "train_config.batch_size"}
    if records is None or len(records) == 0 or not needed <= set(records.columns):
        return None
    batches = np.ceil(records["n_train_segments"] / records["train_config.batch_size"])
    if "train_config.max_batches" in records:
        cap = records["train_config.max_batches"].fillna(0)
        batches = np.where(cap > 0, np.minimum(batches, cap), batches)
    return int(np.median(records["epochs_run"] * batches))


def results_table(results: dict, paper: dict, *, dataset: str, profile: str) -> pd.DataFrame:
    """Paper vs ours for {row: records}: the paper's number beside mean ± 95% CI of ours,
    with the dataset, the profile and the optimizer steps of each run"""
    return side_by_side([{"row": row, "paper": paper.get(row), "ours": accuracies(records),
                          "dataset": dataset, "profile": profile,
                          "steps per run": training_steps(records)}
                         for row, records in results.items()])


def claims_table(results: dict, claims: list[tuple[str, str, str]]) -> pd.DataFrame:
    """One row per claim "a beats b": paper's statement, our paired difference, verdict"""
    rows = []
    for a, b, statement in claims:
        ra, rb = results[a].assign(accuracy=accuracies(results[a])), results[b].assign(
            accuracy=accuracies(results[b]))
        difference = paired_difference(ra, rb)
        rows.append({"claim (paper)": statement, "ours: difference (points)": format_ci(*difference),
                     "verdict": verdict(difference)})
    return pd.DataFrame(rows).set_index("claim (paper)")


def confusion_matrix(records: pd.DataFrame) -> np.ndarray:
    """Sum of the records' confusion matrices (rows: true class, columns: predicted)"""
    return np.sum([np.asarray(c) for c in records["confusion"]], axis=0)


def plot_confusion(ax, matrix: np.ndarray, classes, title: str = ""):
    """Row-normalised confusion matrix with class names"""
    normalised = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    ax.imshow(normalised, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(classes)))
    ax.set_xticklabels(classes, rotation=90, fontsize=7)
    ax.set_yticks(range(len(classes)))
    ax.set_yticklabels(classes, fontsize=7)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if title:
        ax.set_title(title, fontsize=10)
