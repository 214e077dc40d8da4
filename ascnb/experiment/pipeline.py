"""Train and evaluate: one record per (experiment, fold, seed)

Book: book/intro.md ("How the experiments are trained").

    records = run_experiment(Experiment(dataset="esc10", model="acrnn", profile="cpu"))

``run_experiment`` skips every (fold, seed) whose record exists, so a run stopped midway
resumes where it stopped (and inside a (fold, seed), the trainer resumes from its last
epoch's checkpoint). ``run_one`` does one (fold, seed) and returns its record without writing
it: the sweep sends records from its workers back to the machine that asked for them.

The pipeline of one (fold, seed): ``prepare_fold`` (split -> features [+ augmented copies] ->
segments -> normalisation fitted on the training fold) -> ``build_model`` with the segments'
shape -> ``Trainer`` (checkpoint every epoch in runs/<hash>/fold<f>-seed<s>/) -> segment
probabilities -> clip decisions and accuracy (``ascnb.evaluate``) -> the record, with
provenance. The final weights stay in runs/ (git-ignored) for the attention figures.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from ascnb import paths
from ascnb.atomic import write_json, write_with
from ascnb.experiment.config import ConfigError, Experiment
from ascnb.experiment.fingerprint import data_fingerprint, experiment_dataset
from ascnb.experiment.fold import check_split, prepare_fold
from ascnb.experiment.records import (load_trained_model, read_record, record_path,
                                      weights_path)

logger = logging.getLogger(__name__)  # retraining notes: not printed on the book's pages

CURVE_POINTS = 10  # test-fold accuracies recorded along each run


PROBE_BYTES = 64 * 1024                # written and removed: a full disk refuses it
MIN_FREE_BYTES = 16 * 1024 * 1024      # a record is kilobytes, a checkpoint up to megabytes


def check_writable(folder: str | Path, what: str, *, min_free: int = MIN_FREE_BYTES) -> None:
    """Fail now, naming the folder, if ``what`` could not be written there after training

    The folder is created if need be, a probe of PROBE_BYTES written into it and removed (a
    read-only folder or file system, a full disk or quota refuses it), and its file system
    must have ``min_free`` bytes free (os.statvfs, where there is one). Raises OSError
    """
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".write-test-{os.getpid()}-{time.time_ns()}"
        try:
            with open(probe, "wb") as file:
                file.write(bytes(PROBE_BYTES))
        finally:
            probe.unlink(missing_ok=True)
        stats = os.statvfs(folder) if hasattr(os, "statvfs") else None
    except OSError as error:
        raise OSError(f"{folder}: cannot write {what} there ({error.strerror or error})") from None
    free = stats.f_bavail * stats.f_frsize if stats is not None and stats.f_blocks else None
    if free is not None and free < min_free:
        raise OSError(f"{folder}: only {free / 2**20:.1f} MiB free on its file system, too little "
                      f"to write {what} there (at least {min_free / 2**20:.0f} MiB wanted)")


def check_model(exp: Experiment) -> None:
    """Build the experiment's network once at its model's default input shape, so that a bad
    model parameter (``attention_at=3``) is named before anything is extracted or written"""
    from ascnb.models import build_model

    try:
        build_model(exp.model, 2, None, **exp.model_params)
    except (TypeError, ValueError) as error:
        raise ConfigError(f"model_params of {exp.model!r}: {error}") from None


def run_experiment(exp: Experiment, results_dir: str | Path | None = None, *,
                   runs: str | Path | None = None, cache_dir: str | Path | None = None,
                   n_jobs: int | None = None, progress: bool = True, dataset=None) -> list[dict]:
    """Train and evaluate every (fold, seed) of ``exp``; one record each, existing ones skipped

    results_dir: records go to <results_dir>/<config hash>/fold<f>-seed<s>.json (default
    ``ascnb.paths.results_dir()``); runs: checkpoints and weights; cache_dir: features.
    Returns the records in (fold, seed) order
    """
    from ascnb.features import compute_features
    from ascnb.train import resolve_device

    exp = exp.resolve()
    resolve_device(exp.device)  # no CUDA here: say so now, not after extracting features
    exp.train_config()          # a wrongly typed training value: say so now
    check_model(exp)            # a bad model parameter: say so now, not after extracting features
    dataset = dataset if dataset is not None else experiment_dataset(exp)
    fingerprint = data_fingerprint(dataset)
    config_hash = exp.config_hash(fingerprint)
    folds = exp.fold_list(dataset)
    for fold in folds:  # a split no network can learn from: say so before extracting anything
        check_split(dataset, fold, *dataset.split(fold))
    exp = replace(exp, folds=folds)
    features = None  # computed once, only when a record is missing
    records = []
    for fold in folds:
        for seed in exp.seeds:
            path = record_path(results_dir, config_hash, fold, seed)
            record = read_record(path)
            if record is not None:
                records.append(record)
                continue
            if features is None:
                check_writable(path.parent, "result records")
                check_writable(paths.runs_dir(runs), "checkpoints")
                features = compute_features(dataset, exp.feature_config(), cache_dir=cache_dir,
                                            n_jobs=n_jobs, progress=progress)
            record = run_one(exp, dataset, features, fold, int(seed), runs=runs,
                             cache_dir=cache_dir, n_jobs=n_jobs, progress=progress,
                             fingerprint=fingerprint)
            write_json(path, record)
            records.append(record)
    return records


def run_one(exp: Experiment, dataset, features: list[np.ndarray], fold, seed: int, *,
            runs=None, cache_dir=None, n_jobs=None, progress=True,
            fingerprint: str | None = None) -> dict:
    """Train on the split of ``fold``, test on its test clips: the record (not written)"""
    import torch

    from ascnb.evaluate import evaluate_clips
    from ascnb.models import build_model
    from ascnb.provenance import provenance
    from ascnb.train import Trainer, seed_everything

    started = time.perf_counter()
    exp = exp.resolve()
    fingerprint = fingerprint or data_fingerprint(dataset)
    config_hash = exp.config_hash(fingerprint)
    recipe = exp.train_config()
    data = prepare_fold(exp, dataset, features, fold, cache_dir=cache_dir, n_jobs=n_jobs,
                        progress=progress)

    seed_everything(seed)
    model = build_model(exp.model, data.n_classes, data.input_shape, **exp.model_params)
    run_dir = paths.runs_dir(runs) / config_hash / f"fold{fold}-seed{seed}"
    trainer = Trainer(recipe, device=exp.device, checkpoint_dir=run_dir, progress=progress)
    every = max(1, recipe.num_epochs // CURVE_POINTS)

    def learning_curve(epoch: int, model) -> dict | None:
        # the test fold's accuracy at CURVE_POINTS points of the run: the record's learning
        # curve (for "how long is long enough"; never used to choose a model or an epoch)
        if (epoch + 1) % every and epoch + 1 != recipe.num_epochs:
            return None
        probs = trainer.predict_proba(model, data.X_test)
        return {"test_accuracy": evaluate_clips(probs, data.clip_of_test, data.y_test_clips,
                                                data.n_classes, decision=exp.decision,
                                                definition=exp.accuracy)["accuracy"]}

    history = trainer.fit(model, data.X_train, data.y_train, seed=seed, on_epoch_end=learning_curve)
    probs = trainer.predict_proba(model, data.X_test)  # (n_test_segments, K)
    metrics = evaluate_clips(probs, data.clip_of_test, data.y_test_clips, data.n_classes,
                             decision=exp.decision, definition=exp.accuracy)

    weights = {"model": exp.model, "model_params": exp.model_params, "n_classes": data.n_classes,
               "input_shape": data.input_shape,
               "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()},
               "normaliser": data.normaliser.state_dict(), "classes": list(data.classes),
               "feature_config": exp.feature_config().to_dict(),
               "segmentation": exp.segment_config().to_dict(), "config_hash": config_hash,
               "fold": fold, "seed": seed}
    model_path = run_dir / "model.pt"
    write_with(model_path, lambda tmp: torch.save(weights, tmp))
    return {
        "name": exp.name, "table": exp.table, "config_hash": config_hash,
        "experiment_hash": exp.experiment_hash(), "data_fingerprint": fingerprint,
        "config": exp.to_dict(), "profile": exp.profile, "dataset": dataset.name,
        "dataset_description": dataset.description, "fold": fold, "seed": seed,
        **{k: metrics[k] for k in ("accuracy", "accuracy_definition", "decision",
                                   "accuracy_class_mean", "accuracy_overall")},
        "per_class_accuracy": metrics["per_class_accuracy"], "classes": list(data.classes),
        "confusion": metrics["confusion"], "predictions": metrics["predictions"],
        "labels": metrics["labels"],
        "test_files": list(data.test_clips["filename"]),
        "n_train_clips": len(data.train_clips), "n_test_clips": len(data.test_clips),
        "n_train_segments": len(data.X_train), "n_test_segments": len(data.X_test),
        "input_shape": list(data.input_shape), "train_config": recipe.to_dict(),
        "epochs_run": len(history), "resumed_from_epoch": trainer.resumed_from,
        "history": history, "final_train_loss": history[-1]["loss"] if history else None,
        "test_curve": [{"epoch": h["epoch"], "accuracy": h["test_accuracy"]}
                       for h in history if "test_accuracy" in h],
        "train_seconds": float(sum(h["seconds"] for h in history)),
        "wall_seconds": time.perf_counter() - started,
        "fast_path": trainer.fast, "amp": str(trainer.amp_dtype), "compiled": trainer.compile,
        "train_path": trainer.path,
        **provenance(trainer.device),
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def trained_model(exp: Experiment, record: dict, *, runs=None, scratch: str | Path | None = None):
    """The trained network of one record, its weights recreated when they are not on disk

    Records are committed in results/; weights (runs/) are not. When they are missing, the
    record's (fold, seed) is trained again with the same configuration, its record written to a
    scratch results folder (default <repo>/_build/retrained/), which leaves the weights where
    ``load_trained_model`` finds them; the committed record is left as it is. Training is
    deterministic per seed on one kind of machine; the retrained accuracy is logged beside the
    record's (logger ``ascnb.experiment.pipeline``, level INFO: off the book's pages), so that a
    difference shows to whoever turns it on.
    """
    try:
        return load_trained_model(record, runs)
    except FileNotFoundError:
        pass
    one = replace(exp.resolve(), folds=(record["fold"],), seeds=(int(record["seed"]),))
    dataset = experiment_dataset(one)
    if one.config_hash(data_fingerprint(dataset)) != record["config_hash"]:
        raise ValueError(f"record {record['config_hash']} is not of experiment {one.name!r} "
                         f"on this data ({one.config_hash(data_fingerprint(dataset))})")
    scratch = Path(scratch) if scratch is not None else paths.REPO / "_build" / "retrained"
    path = record_path(scratch, record["config_hash"], record["fold"], record["seed"])
    path.unlink(missing_ok=True)  # a scratch record without its weights would be skipped
    again = run_experiment(one, scratch, runs=runs, progress=False, dataset=dataset)[0]
    logger.info("weights of %s fold %s seed %s were not on disk: retrained, accuracy %.4f "
                "(record: %.4f)", one.name or one.model, record["fold"], record["seed"],
                again["accuracy"], record["accuracy"])
    if not weights_path(again, runs).is_file():
        raise FileNotFoundError(f"{weights_path(again, runs)}: retraining wrote no weights")
    return load_trained_model(again, runs)
