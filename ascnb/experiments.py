"""Experiments: a small flat config in, one result record per (fold, seed) out

Book: book/intro.md ("How the experiments are trained") and book/reproduce.md.

    exp = Experiment(name="acrnn-esc10", dataset="esc50", subset="esc10", features="gammatone",
                     segmentation="acrnn", model="acrnn", preset="acrnn", profile="quick")
    records = run_experiment(exp)          # results/acrnn-esc10/<hash>/fold1-seed0.json, ...
    table = load_records(model="acrnn")    # one tidy row per record

The pipeline of one (fold, seed): dataset -> compute_features (cached) [+ augmented copies
of the training clips] -> segment train and test -> Normaliser fitted on the training fold
only -> build_model with the segments' shape -> Trainer (checkpoint every epoch in
runs/<hash>/fold<f>-seed<s>/, resumed when present) -> segment probabilities -> clip
decisions -> metrics, written with provenance to results/<name>/<hash>/fold<f>-seed<s>.json
(temp file + os.replace; a pair whose record exists is skipped). The final weights stay in
runs/ (git-ignored; $ASCNB_RUNS overrides) for attention plots: ``load_trained_model``.

The config hash is a sha256 of the canonical JSON of everything that changes a result (the
resolved dataset, feature, segmentation, model and training values) and leaves out the name,
the folds and seeds lists, the profile, the device and the data root.

Profiles only set defaults (clips per class and fold, folds, seeds, epochs, batch size);
anything given explicitly wins:
- smoke: 1 clip per class per fold, folds 1 and 2, 1 epoch of 2 batches of 8 (seconds, CI)
- quick: all clips, fold 1, 5 epochs, bfloat16 autocast (CPU minutes; the book's CPU build:
  bf16 trains ACRNN 3.2x and PB-CNN 2.7x faster than fp32 on an AVX512-BF16 CPU, weights and
  optimizer state stay fp32; pass overrides amp="none" on a CPU without bf16 support)
- paper: all clips, all folds, the preset's own epochs (the published protocol, a GPU)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]

PROFILES: dict[str, dict] = {
    "smoke": {"clips_per_class": 1, "folds": (1, 2), "seeds": (0,),
              "overrides": {"num_epochs": 1, "batch_size": 8, "max_batches": 2}},
    "quick": {"clips_per_class": 0, "folds": (1,), "seeds": (0,),
              "overrides": {"num_epochs": 5, "amp": "bf16"}},
    "paper": {"clips_per_class": 0, "folds": None, "seeds": (0,), "overrides": {}},
}

# fields that do not change a result: left out of the config hash
NOT_HASHED = ("name", "folds", "seeds", "profile", "device", "data_root")


def runs_dir(runs: str | Path | None = None) -> Path:
    """Where checkpoints and final weights go: ``runs``, else $ASCNB_RUNS, else <repo>/runs"""
    if runs is not None:
        return Path(runs).expanduser()
    if os.environ.get("ASCNB_RUNS"):
        return Path(os.environ["ASCNB_RUNS"]).expanduser()
    return REPO / "runs"


@dataclass(frozen=True)
class Experiment:
    """One experiment: what to train on what, how, over which folds and seeds

    dataset, subset, data_root, dataset_params: ``ascnb.data.load_dataset`` arguments
      (dataset_params: the synthetic generator's parameters)
    features, feature_params: ``ascnb.features.feature_config(kind, **params)``
    segmentation: a ``segment_config`` preset name or {"length": .., "hop": ..}
    normalise: Normaliser ``per`` ("band" or "channel")
    model, model_params: ``ascnb.models.build_model(name, **params)``
    preset, overrides: ``ascnb.train.train_config(preset, **overrides)``
    decision, accuracy: clip rule and accuracy definition (None = the preset's paper's)
    clips_per_class: keep this many clips per class in each fold (0 = all, None = profile's)
    folds, seeds: None = the profile's (folds None in the profile: all the dataset's)
    profile: "smoke" | "quick" | "paper"; device: "auto", "cpu", "cuda", …
    """

    name: str = "experiment"
    dataset: str = "esc50"
    subset: str | None = "esc10"
    data_root: str | None = None
    dataset_params: dict = field(default_factory=dict)
    features: str = "gammatone"
    feature_params: dict = field(default_factory=dict)
    segmentation: str | dict = "acrnn"
    normalise: str = "band"
    model: str = "acrnn"
    model_params: dict = field(default_factory=dict)
    preset: str = "acrnn"
    overrides: dict = field(default_factory=dict)
    decision: str | None = None
    accuracy: str | None = None
    clips_per_class: int | None = None
    folds: tuple | None = None
    seeds: tuple | None = None
    profile: str = "quick"
    device: str = "auto"

    def __post_init__(self):
        if self.profile not in PROFILES:
            raise ValueError(f"unknown profile {self.profile!r}; known: {', '.join(PROFILES)}")
        for name in ("folds", "seeds"):
            value = getattr(self, name)
            if value is not None:
                if isinstance(value, (str, int)):
                    value = (value,)
                object.__setattr__(self, name, tuple(value))
        if self.clips_per_class is not None and int(self.clips_per_class) < 0:
            raise ValueError(f"clips_per_class must be >= 0 (0 = all), got {self.clips_per_class!r}")
        for name in ("dataset_params", "feature_params", "model_params", "overrides"):
            if not isinstance(getattr(self, name), dict):
                raise ValueError(f"Experiment.{name} must be a mapping, got {getattr(self, name)!r}")

    @classmethod
    def from_dict(cls, values: dict, where: str = "experiment config") -> Experiment:
        known = [f.name for f in fields(cls)]
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ValueError(f"{where}: unknown key(s) {unknown}; known: {', '.join(known)}")
        return cls(**values)

    @classmethod
    def from_file(cls, path: str | Path) -> Experiment:
        """A YAML or JSON file holding a flat mapping of Experiment fields"""
        import yaml

        path = Path(path)
        try:
            values = yaml.safe_load(path.read_text())
        except OSError as error:
            raise ValueError(f"{path}: cannot read the experiment config ({error.strerror})") from error
        except yaml.YAMLError as error:
            raise ValueError(f"{path}: not valid YAML/JSON ({error})") from error
        if not isinstance(values, dict):
            raise ValueError(f"{path}: expected a mapping of experiment fields, got {type(values).__name__}")
        return cls.from_dict(values, where=str(path))

    def to_dict(self) -> dict:
        values = asdict(self)
        for name in ("folds", "seeds"):
            if values[name] is not None:
                values[name] = list(values[name])
        return values

    # -- resolution ---------------------------------------------------------------------------

    def resolve(self) -> Experiment:
        """The same experiment with the profile's defaults and the paper's rules filled in"""
        from ascnb.train import PAPER_RULES, PRESETS

        if self.preset not in PRESETS:
            raise ValueError(f"unknown training preset {self.preset!r}; known: {', '.join(PRESETS)}")
        profile = PROFILES[self.profile]
        rules = PAPER_RULES[self.preset]
        return replace(
            self,
            clips_per_class=self.clips_per_class if self.clips_per_class is not None
            else profile["clips_per_class"],
            folds=self.folds if self.folds is not None else profile["folds"],
            seeds=self.seeds if self.seeds is not None else profile["seeds"],
            overrides={**profile["overrides"], **self.overrides},
            decision=self.decision or rules["decision"],
            accuracy=self.accuracy or rules["accuracy"])

    def feature_config(self):
        from ascnb.features import feature_config

        return feature_config(self.features, **self.feature_params)

    def segment_config(self):
        from ascnb.features import segment_config

        return segment_config(self.segmentation)

    def train_config(self):
        from ascnb.train import train_config

        return train_config(self.preset, **self.overrides)

    def hashed_values(self) -> dict:
        """Everything that changes a result, resolved to its full values"""
        from ascnb.evaluate import ACCURACIES, DECISIONS, check_choice
        from ascnb.models import model_parameters

        exp = self.resolve()
        check_choice(exp.decision, DECISIONS, "clip decision")
        check_choice(exp.accuracy, ACCURACIES, "accuracy definition")
        unknown = sorted(set(exp.model_params) - set(model_parameters(exp.model)))
        if unknown:
            raise ValueError(f"unknown parameter(s) {unknown} for model {exp.model!r}; "
                             f"known: {model_parameters(exp.model)}")
        values = {k: v for k, v in exp.to_dict().items() if k not in NOT_HASHED}
        values["feature_params"] = exp.feature_config().to_dict()
        values["segmentation"] = exp.segment_config().to_dict()
        values["overrides"] = exp.train_config().to_dict()
        return values

    def config_hash(self) -> str:
        """12 hex digits of sha256 over the canonical JSON of ``hashed_values()``"""
        text = json.dumps(self.hashed_values(), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:12]


# -- data ---------------------------------------------------------------------------------------


def load_experiment_dataset(exp: Experiment):
    """The experiment's AudioDataset, cut to clips_per_class clips per class in each fold"""
    from ascnb.data import load_dataset

    if exp.dataset == "synthetic":
        dataset = load_dataset("synthetic", exp.data_root, **exp.dataset_params)
    else:
        if exp.dataset_params:
            raise ValueError(f"dataset_params are for the synthetic dataset only, got "
                             f"{exp.dataset_params} for {exp.dataset}")
        dataset = load_dataset(exp.dataset, exp.data_root, subset=exp.subset)
    if exp.clips_per_class:
        clips = dataset.clips.sort_values("filename", kind="stable")
        keep = clips.groupby(["fold", "label"], sort=False).head(int(exp.clips_per_class))
        dataset = dataset.restrict(dataset.clips.loc[sorted(keep.index)])
    return dataset


def record_path(results_dir: str | Path, exp: Experiment, fold, seed) -> Path:
    return Path(results_dir) / exp.name / exp.config_hash() / f"fold{fold}-seed{seed}.json"


def write_json_atomic(path: Path, record: dict) -> None:
    """json to a temporary file beside ``path``, then os.replace: never a partial ``path``"""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w") as file:
            json.dump(record, file, indent=1, default=_json_default)
            file.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


# -- running ------------------------------------------------------------------------------------


def run_experiment(exp: Experiment, results_dir: str | Path = "results", *,
                   runs: str | Path | None = None, cache_dir: str | Path | None = None,
                   n_jobs: int | None = None, progress: bool = True) -> list[dict]:
    """Train and evaluate every (fold, seed) of ``exp``; one record each, existing ones skipped

    results_dir: records go to results_dir/<name>/<config hash>/fold<f>-seed<s>.json;
    runs: checkpoints and weights (default $ASCNB_RUNS or <repo>/runs); cache_dir: features
    (default ``ascnb.features.default_cache_dir()``). Returns the records in (fold, seed) order
    """
    from ascnb.features import compute_features

    exp = exp.resolve()
    config_hash = exp.config_hash()
    dataset = load_experiment_dataset(exp)
    folds = exp.folds if exp.folds is not None else dataset.folds
    unknown = [f for f in folds if f not in dataset.folds]
    if unknown:
        raise ValueError(f"unknown fold(s) {unknown} for {dataset.name}; known: {dataset.folds}")
    exp = replace(exp, folds=tuple(folds))
    features = None  # computed once, only when a record is missing
    records = []
    for fold in folds:
        for seed in exp.seeds:
            path = record_path(results_dir, exp, fold, seed)
            if path.is_file():
                records.append(json.loads(path.read_text()))
                continue
            if features is None:
                features = compute_features(dataset, exp.feature_config(), cache_dir=cache_dir,
                                            n_jobs=n_jobs, progress=progress)
            record = run_one(exp, dataset, features, fold, int(seed), runs=runs,
                             cache_dir=cache_dir, n_jobs=n_jobs, progress=progress)
            write_json_atomic(path, record)
            records.append(record)
    return records


def run_one(exp: Experiment, dataset, features: list[np.ndarray], fold, seed: int, *,
            runs=None, cache_dir=None, n_jobs=None, progress=True) -> dict:
    """Train on every fold but ``fold`` (or the corpus's split), test on ``fold``: one record"""
    from ascnb.evaluate import evaluate_clips
    from ascnb.features import Normaliser, segment
    from ascnb.models import build_model
    from ascnb.provenance import provenance
    from ascnb.train import Trainer, augmented_features, seed_everything

    started = time.perf_counter()
    config_hash = exp.config_hash()
    tc = exp.train_config()
    labels = dataset.clips["label"].to_numpy()
    train_clips, test_clips = dataset.split(fold)
    train_pos, test_pos = train_clips.index.to_numpy(), test_clips.index.to_numpy()

    # training clips (+ augmented copies, computed once and cached) -> segments
    train_features = [features[i] for i in train_pos]
    y_train_clips = labels[train_pos]
    if tc.waveform_augment:
        extra, source = augmented_features(dataset.restrict(train_clips), exp.feature_config(),
                                           tc.waveform_augment, cache_dir=cache_dir,
                                           n_jobs=n_jobs, progress=progress)
        train_features += extra
        y_train_clips = np.concatenate([y_train_clips, y_train_clips[source]])
    X_train, clip_of_train = segment(train_features, exp.segment_config())  # (n, C, F, T)
    y_train = y_train_clips[clip_of_train]
    X_test, clip_of_test = segment([features[i] for i in test_pos], exp.segment_config())
    if exp.segment_config().length is None and X_test.shape[-1] != X_train.shape[-1]:
        raise ValueError("no-split segmentation needs clips of one length in train and test")

    normaliser = Normaliser(per=exp.normalise).fit(X_train)  # training fold only
    X_train, X_test = normaliser.transform(X_train), normaliser.transform(X_test)

    n_classes = len(dataset.classes)
    input_shape = tuple(int(s) for s in X_train.shape[1:])
    seed_everything(seed)
    model = build_model(exp.model, n_classes, input_shape, **exp.model_params)
    run_dir = runs_dir(runs) / config_hash / f"fold{fold}-seed{seed}"
    trainer = Trainer(tc, device=exp.device, checkpoint_dir=run_dir, progress=progress)
    history = trainer.fit(model, X_train, y_train, seed=seed)
    probs = trainer.predict_proba(model, X_test)  # (n_test_segments, K)
    metrics = evaluate_clips(probs, clip_of_test, labels[test_pos], n_classes,
                             decision=exp.decision, definition=exp.accuracy)

    from ascnb.train import save_atomic

    model_path = run_dir / "model.pt"
    save_atomic({"model": exp.model, "model_params": exp.model_params, "n_classes": n_classes,
                 "input_shape": input_shape,
                 "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()},
                 "normaliser": normaliser.state_dict(), "classes": list(dataset.classes),
                 "feature_config": exp.feature_config().to_dict(),
                 "segmentation": exp.segment_config().to_dict(), "config_hash": config_hash,
                 "fold": fold, "seed": seed}, model_path)
    origin = provenance(trainer.device)
    return {
        "name": exp.name, "config_hash": config_hash, "config": exp.to_dict(),
        "profile": exp.profile, "dataset": dataset.name,
        "dataset_description": dataset.description, "fold": fold, "seed": seed,
        **{k: metrics[k] for k in ("accuracy", "accuracy_definition", "decision",
                                   "accuracy_class_mean", "accuracy_overall")},
        "per_class_accuracy": metrics["per_class_accuracy"], "classes": list(dataset.classes),
        "confusion": metrics["confusion"], "predictions": metrics["predictions"],
        "test_files": list(test_clips["filename"]),
        "n_train_clips": len(train_pos), "n_test_clips": len(test_pos),
        "n_train_segments": len(X_train), "n_test_segments": len(X_test),
        "input_shape": list(input_shape), "train_config": tc.to_dict(),
        "epochs_run": len(history), "resumed_from_epoch": trainer.resumed_from,
        "history": history, "final_train_loss": history[-1]["loss"] if history else None,
        "train_seconds": float(sum(h["seconds"] for h in history)),
        "wall_seconds": time.perf_counter() - started,
        "fast_path": trainer.fast, "amp": str(trainer.amp_dtype),
        **origin, "model_path": str(model_path),
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


# -- reading back -------------------------------------------------------------------------------


def load_records(results_dir: str | Path = "results", **filters):
    """Every record under results_dir as one tidy pandas DataFrame (one row per record)

    The record's own keys are columns; the config's fields are columns too (model, preset,
    features, …) and its mappings are flattened ("model_params.attention_at",
    "overrides.num_epochs"), as are package versions ("packages.torch").
    filters: column=value (or a list/tuple of accepted values), e.g. model="acrnn", fold=1
    """
    import pandas as pd

    rows = []
    for path in sorted(Path(results_dir).glob("*/*/*.json")):
        try:
            record = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as error:
            raise ValueError(f"{path}: unreadable result record ({error})") from error
        config = record.get("config", {})
        row = {k: v for k, v in record.items() if k != "config"}
        for key, value in config.items():
            if key in ("folds", "seeds"):
                continue
            row.setdefault(key, value)
        row["record_path"] = str(path)
        rows.append(row)
    if not rows:
        return pd.DataFrame()
    nested = ("dataset_params", "feature_params", "model_params", "overrides", "packages")
    table = pd.json_normalize(rows, max_level=0)
    for column in nested:
        if column in table.columns:
            flat = pd.json_normalize(table[column].tolist()).add_prefix(f"{column}.")
            flat.index = table.index
            table = pd.concat([table.drop(columns=[column]), flat], axis=1)
    for column, value in filters.items():
        if column not in table.columns:
            raise ValueError(f"load_records: unknown filter column {column!r}; columns: "
                             f"{', '.join(table.columns)}")
        accepted = list(value) if isinstance(value, (list, tuple, set)) else [value]
        table = table[table[column].isin(accepted)]
    return table.reset_index(drop=True)


def load_trained_model(record, runs: str | Path | None = None, device: str = "cpu"):
    """The trained network of a record (a dict or a load_records row), in eval mode

    Attributes added: ``normaliser`` (Normaliser of its training fold), ``classes``,
    ``feature_config`` (dict), ``segmentation`` (dict), ``record_key`` (hash, fold, seed)
    """
    import torch

    from ascnb.features import Normaliser
    from ascnb.models import build_model

    path = Path(record["model_path"]) if record.get("model_path") else None
    if path is None or not path.is_file():
        path = runs_dir(runs) / record["config_hash"] / f"fold{record['fold']}-seed{record['seed']}" / "model.pt"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: trained weights not found (runs/ is not kept with the "
                                "results; rerun the experiment to recreate them)")
    state = torch.load(path, map_location=device, weights_only=False)
    model = build_model(state["model"], state["n_classes"], tuple(state["input_shape"]),
                        **state["model_params"])
    model.load_state_dict(state["state_dict"])
    model.to(device).eval()
    model.normaliser = Normaliser.from_state_dict(state["normaliser"])
    model.classes = tuple(state["classes"])
    model.feature_config = state["feature_config"]
    model.segmentation = state["segmentation"]
    model.record_key = (state["config_hash"], state["fold"], state["seed"])
    return model


# -- command line -------------------------------------------------------------------------------


def parse_assignments(items: list[str] | None, option: str) -> dict:
    """["lr=0.1", "mixup_alpha=0.2"] -> {"lr": 0.1, "mixup_alpha": 0.2} (values read as YAML)"""
    import yaml

    values = {}
    for item in items or []:
        if "=" not in item:
            raise ValueError(f"{option} expects KEY=VALUE, got {item!r}")
        key, text = item.split("=", 1)
        try:
            values[key.strip()] = yaml.safe_load(text)
        except yaml.YAMLError:
            values[key.strip()] = text
    return values


def parse_fold(text: str):
    return int(text) if text.lstrip("-").isdigit() else text


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "run-experiment", help="train and evaluate an experiment over its folds and seeds",
        description="Run an experiment from a YAML/JSON config file and/or flags (flags win); "
                    "one JSON record per (fold, seed) under RESULTS_DIR/<name>/<hash>/.")
    p.add_argument("config", nargs="?", help="YAML or JSON file of Experiment fields")
    p.add_argument("--name")
    p.add_argument("--profile", choices=tuple(PROFILES))
    p.add_argument("--dataset")
    p.add_argument("--subset")
    p.add_argument("--data-root")
    p.add_argument("--features")
    p.add_argument("--segmentation")
    p.add_argument("--normalise", choices=("band", "channel"))
    p.add_argument("--model")
    p.add_argument("--preset")
    p.add_argument("--decision", choices=("sum_log", "mean_prob"))
    p.add_argument("--accuracy", choices=("class_mean", "overall"))
    p.add_argument("--clips-per-class", type=int, help="clips per class in each fold (0 = all)")
    p.add_argument("--folds", nargs="+", type=parse_fold)
    p.add_argument("--seeds", nargs="+", type=int)
    p.add_argument("--device")
    p.add_argument("--set", action="append", metavar="KEY=VALUE", dest="overrides",
                   help="training override, e.g. --set num_epochs=3 --set lr=0.01")
    p.add_argument("--model-param", action="append", metavar="KEY=VALUE", dest="model_params")
    p.add_argument("--feature-param", action="append", metavar="KEY=VALUE", dest="feature_params")
    p.add_argument("--results-dir", default="results")
    p.add_argument("--runs-dir", default=None, help="checkpoints and weights (default $ASCNB_RUNS or runs/)")
    p.add_argument("--cache-dir", default=None, help="feature cache (default $ASCNB_CACHE or cache/features)")
    p.add_argument("--jobs", type=int, default=None, help="processes for feature extraction")
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(handler=main)


def experiment_from_args(args: argparse.Namespace) -> Experiment:
    values = Experiment.from_file(args.config).to_dict() if args.config else {}
    for key in ("name", "profile", "dataset", "subset", "data_root", "features", "segmentation",
                "normalise", "model", "preset", "decision", "accuracy", "clips_per_class",
                "folds", "seeds", "device"):
        if getattr(args, key, None) is not None:
            values[key] = getattr(args, key)
    if isinstance(values.get("segmentation"), str) and values["segmentation"].lstrip().startswith("{"):
        values["segmentation"] = parse_assignments([f"x={values['segmentation']}"], "--segmentation")["x"]
    for key in ("overrides", "model_params", "feature_params"):
        extra = parse_assignments(getattr(args, key), f"--{key.replace('_', '-')}")
        if extra:
            values[key] = {**values.get(key, {}), **extra}
    return Experiment.from_dict(values)


def main(args: argparse.Namespace) -> int:
    try:
        exp = experiment_from_args(args)
        print(f"experiment {exp.name} ({exp.profile}), config hash {exp.config_hash()}", file=sys.stderr)
        records = run_experiment(exp, args.results_dir, runs=args.runs_dir,
                                 cache_dir=args.cache_dir, n_jobs=args.jobs,
                                 progress=not args.no_progress)
    except (ValueError, FileNotFoundError) as error:
        print(f"run-experiment: {error}", file=sys.stderr)
        return 2
    for record in records:
        print(f"fold {record['fold']} seed {record['seed']}: {record['accuracy_definition']} "
              f"accuracy {100 * record['accuracy']:.2f}%  ({record['epochs_run']} epochs, "
              f"{record['wall_seconds']:.1f} s, {record['device_name']})")
    if records:
        mean = float(np.mean([r["accuracy"] for r in records]))
        print(f"mean over {len(records)} run(s): {100 * mean:.2f}%")
    return 0
