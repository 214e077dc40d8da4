"""``python -m ascnb run-experiment``: run a catalogue table (or one experiment) here, in order

Book: book/reproduce.md. ``run-experiment configs/acrnn-table3-attention-augmentation.yaml
--dataset esc10 --profile cpu`` trains every row of the table over the profile's folds and
seeds (``--row NAME`` for one); records that exist are skipped. Without a file, the flags describe one experiment:
``run-experiment --dataset esc10 --model acrnn --set num_epochs=3``. Field flags (--model,
--set, …) given with a file change every row. ``python -m ascnb sweep`` runs the same files on
a Dask cluster.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from ascnb.experiment.catalogue import KNOBS, merge, read_table
from ascnb.experiment.config import NORMALISE, ConfigError, Experiment
from ascnb.experiment.profiles import PROFILES


def parse_assignments(items: list[str] | None, option: str) -> dict:
    """["lr=0.1", "mixup_alpha=0.2"] -> {"lr": 0.1, "mixup_alpha": 0.2} (values read as YAML)"""
    import yaml

    values = {}
    for item in items or []:
        if "=" not in item:
            raise ConfigError(f"{option} expects KEY=VALUE, got {item!r}")
        key, text = item.split("=", 1)
        try:
            values[key.strip()] = yaml.safe_load(text)
        except yaml.YAMLError:
            values[key.strip()] = text
    return values


def parse_fold(text: str):
    return int(text) if text.lstrip("-").isdigit() else text


def one_of(names) -> str:
    """Help naming a registry's entries ("one of a, b, c"), read when the parser is built so
    that a newly registered model or dataset is listed; an unknown name is refused by the
    config, whose message names it and the known ones (argparse's choices would exit first)"""
    return "one of " + ", ".join(names)


def add_knob_arguments(p: argparse.ArgumentParser) -> None:
    """The reader's knobs, shared by run-experiment and sweep"""
    from ascnb.data import DATASETS

    p.add_argument("--dataset", help=f"{one_of(DATASETS)} (default: each of the table's "
                                     "datasets for a sweep, synthetic otherwise)")
    p.add_argument("--data-root", help="the dataset's folder (default: found under $ASCNB_DATA or ./data)")
    p.add_argument("--profile", choices=tuple(PROFILES))
    p.add_argument("--folds", nargs="+", type=parse_fold)
    p.add_argument("--seeds", nargs="+", type=int)
    p.add_argument("--epochs", type=int, help="training epochs (default: the profile's)")
    p.add_argument("--clips-per-class", type=int, help="clips per class in each fold (0 = all)")
    p.add_argument("--device")
    p.add_argument("--row", action="append", dest="rows", metavar="ROW",
                   help="only this row of the table (repeatable)")


def add_field_arguments(p: argparse.ArgumentParser) -> None:
    """The experiment's fields, with the names each registry knows"""
    from ascnb.evaluate import ACCURACIES, DECISIONS
    from ascnb.features import FEATURE_CONFIGS, SEGMENT_PRESETS
    from ascnb.models import MODELS
    from ascnb.train import PRESETS

    p.add_argument("--model", help=f"{one_of(MODELS)} (default: acrnn, or the table's)")
    p.add_argument("--features", help=f"{one_of(FEATURE_CONFIGS)} (default: the model's)")
    p.add_argument("--segmentation", help=f"{one_of(SEGMENT_PRESETS)}, or '{{length: L, hop: H}}' "
                                          "in frames (default: the features')")
    p.add_argument("--normalise", choices=NORMALISE)
    p.add_argument("--preset", help=f"training recipe, {one_of(PRESETS)} (default: the model's)")
    p.add_argument("--decision", choices=DECISIONS)
    p.add_argument("--accuracy", choices=ACCURACIES)
    p.add_argument("--set", action="append", metavar="KEY=VALUE", dest="overrides",
                   help="training override, e.g. --set num_epochs=3 --set lr=0.01")
    p.add_argument("--model-param", action="append", metavar="KEY=VALUE", dest="model_params")
    p.add_argument("--feature-param", action="append", metavar="KEY=VALUE", dest="feature_params")
    p.add_argument("--dataset-param", action="append", metavar="KEY=VALUE", dest="dataset_params")


def knobs_from_args(args: argparse.Namespace) -> dict:
    return {k: getattr(args, k) for k in KNOBS if getattr(args, k, None) is not None}


def fields_from_args(args: argparse.Namespace) -> dict:
    values = {k: getattr(args, k) for k in ("model", "features", "segmentation", "normalise",
                                             "preset", "decision", "accuracy")
              if getattr(args, k, None) is not None}
    segmentation = values.get("segmentation")
    if isinstance(segmentation, str) and segmentation.lstrip().startswith("{"):
        values["segmentation"] = parse_assignments([f"x={segmentation}"], "--segmentation")["x"]
    for key in ("overrides", "model_params", "feature_params", "dataset_params"):
        extra = parse_assignments(getattr(args, key, None), f"--{key.replace('_', '-')}")
        if extra:
            values[key] = extra
    return values


def experiments_from_args(args: argparse.Namespace) -> dict[str, Experiment]:
    """{row: Experiment} from a catalogue file and/or flags"""
    knobs, changes = knobs_from_args(args), fields_from_args(args)
    if args.config:
        spec = read_table(args.config)
        rows = spec.experiments(args.rows, **knobs)
        if changes:
            rows = {row: Experiment.from_dict(merge(exp.to_dict(), changes), where=f"--flags, row {row!r}")
                    for row, exp in rows.items()}
        return rows
    if args.rows:
        raise ConfigError("--row needs a table file")
    epochs = knobs.pop("epochs", None)
    if epochs is not None:
        changes = merge(changes, {"overrides": {"num_epochs": epochs}})
    return {"experiment": Experiment.from_dict({**changes, **knobs, "name": "experiment"},
                                               where="command line")}


def register(subparsers) -> None:
    p = subparsers.add_parser("run-experiment", help="train and evaluate a table's rows here",
                              description=__doc__.splitlines()[0])
    p.add_argument("config", nargs="?", help="a catalogue table, e.g. configs/acrnn-table3-attention-augmentation.yaml")
    add_knob_arguments(p)
    add_field_arguments(p)
    p.add_argument("--results-dir", default=None, help="where records go (default results/)")
    p.add_argument("--runs-dir", default=None, help="checkpoints and weights (default $ASCNB_RUNS or runs/)")
    p.add_argument("--cache-dir", default=None, help="feature cache (default $ASCNB_CACHE or cache/features)")
    p.add_argument("--jobs", type=int, default=None, help="processes for feature extraction")
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from ascnb.experiment.pipeline import run_experiment

    try:
        experiments = experiments_from_args(args)
        for row, exp in experiments.items():
            print(f"{row}: {exp.model} on {exp.dataset} ({exp.resolve().profile}), "
                  f"experiment {exp.experiment_hash()}", file=sys.stderr)
            try:
                records = run_experiment(exp, args.results_dir, runs=args.runs_dir,
                                         cache_dir=args.cache_dir, n_jobs=args.jobs,
                                         progress=not args.no_progress)
            except ConfigError as error:
                where = f"{args.config}, row {row!r}" if args.config else "command line"
                raise ConfigError(f"{where}: {error}") from None
            for record in records:
                print(f"{row} fold {record['fold']} seed {record['seed']}: "
                      f"{record['accuracy_definition']} accuracy {100 * record['accuracy']:.2f}% "
                      f"({record['epochs_run']} epochs, {record['wall_seconds']:.1f} s, "
                      f"{record['device_name']}) -> {record['config_hash']}")
            if records:
                mean = float(np.mean([r["accuracy"] for r in records]))
                print(f"{row}: mean over {len(records)} run(s): {100 * mean:.2f}%")
    except (ConfigError, ValueError, FileNotFoundError, OSError) as error:
        print(f"run-experiment: {error}", file=sys.stderr)
        return 2
    return 0
