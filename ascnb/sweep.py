"""``python -m ascnb sweep configs/NAME.yaml …``: catalogue tables on a Dask cluster

Book: "Reproduce it yourself" (book/reproduce.md). The sweep reads the same catalogue files
as the notebooks and ``run-experiment`` (``ascnb.experiment.catalogue``): every row of every
table given, on each dataset (``--dataset``, else the table's own), over the profile's folds
and seeds, becomes one task per (row, dataset, fold, seed). A task is keyed by its record,
``<config hash>-fold<f>-seed<s>``: rows that are the same experiment (in one table or
several) are one task, and a task whose record exists is skipped, so a sweep stopped midway
resumes where it stopped.

Where the work runs and where records land: tasks run on a ``distributed.LocalCluster`` (one
worker per core, unless ``--workers``) or on the cluster of ``--scheduler ADDRESS`` (e.g.
started by dask-jobqueue on Slurm). A worker reads the data through its own ``ASCNB_DATA``
(or the ``--data-root`` given, if that path exists there), checks that it is the data the
client fingerprinted, trains, and RETURNS the record; the client writes every record
atomically into its own results folder. So a cluster without shared storage still ends
with every record on the machine that asked, and skip-if-recorded checks that machine's
disk. A worker that dies mid-task loses only that task, which Dask gives to another worker.

Before any task is submitted, the client checks that its results folder takes files (and, on
a LocalCluster, that the runs folder does and that the tasks' device is here); a record that
cannot be written after all (a disk filled meanwhile) is a failed task naming the file.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

from ascnb.atomic import write_json
from ascnb.experiment.catalogue import read_table
from ascnb.experiment.config import ConfigError, Experiment
from ascnb.experiment.records import read_record, record_path


class SweepError(ValueError):
    """A sweep that cannot be expanded or run (names the file and what is wrong)"""


@dataclass(frozen=True)
class Task:
    """One (experiment, fold, seed): its record's key and where the client keeps it"""

    key: str                 # <config hash>-fold<f>-seed<s>: unique per record
    experiment: dict         # Experiment fields, folds and seeds cut to this one
    fold: object
    seed: int
    fingerprint: str | None  # None: the data is not on this machine (a dry run lists it anyway)
    config_hash: str
    record: Path | None
    label: str
    no_data: str = ""        # why the data is not on this machine (a dry run says it)

    def done(self) -> bool:
        return self.record is not None and read_record(self.record) is not None


def fingerprint_of(exp: Experiment) -> str:
    """The fingerprint of the data ``exp`` runs on, on this machine (a worker or the client)"""
    from ascnb.experiment.fingerprint import data_fingerprint, experiment_dataset

    return data_fingerprint(experiment_dataset(exp))


def expand(configs: list[str | Path], *, results_dir=None, datasets=None, client=None,
           missing_data_ok: bool = False, **knobs) -> list[Task]:
    """Every task of the tables ``configs`` (see the module docstring), duplicates removed

    datasets: None: each table's own datasets; knobs: profile, folds, seeds, epochs, …
    client: a dask Client to fingerprint datasets the client cannot read itself;
    missing_data_ok: list tasks on data that is nowhere to be found (a dry run), keyed by the
    experiment hash and "nodata" instead of the record's key
    """
    from ascnb.data import DatasetError

    from ascnb.experiment.fingerprint import data_fingerprint, experiment_dataset

    tasks, seen, fingerprints, loaded, missing = [], set(), {}, {}, {}
    for config in configs:
        try:
            spec = read_table(config)
        except ConfigError as error:
            raise SweepError(str(error)) from None
        for dataset in datasets or spec.datasets or ["synthetic"]:
            try:
                rows = spec.experiments(None, dataset=dataset, **knobs)
            except ConfigError as error:
                raise SweepError(str(error)) from None
            for row, exp in rows.items():
                exp = exp.resolve()
                data_key = (exp.dataset, exp.data_root, repr(sorted(exp.dataset_params.items())),
                            exp.clips_per_class)
                if data_key not in fingerprints:
                    fingerprints[data_key], loaded[data_key] = None, None
                    try:
                        loaded[data_key] = experiment_dataset(exp)
                        fingerprints[data_key] = data_fingerprint(loaded[data_key])
                    except (DatasetError, FileNotFoundError) as error:
                        if client is not None:  # the data is on the workers only
                            fingerprints[data_key] = client.submit(fingerprint_of, exp, pure=False).result()
                        elif not missing_data_ok:
                            raise SweepError(f"{spec.source}: dataset {dataset!r}: {error}") from None
                        else:
                            missing[data_key] = f"dataset {dataset!r}: {error}"
                fingerprint, local = fingerprints[data_key], loaded[data_key]
                config_hash = (exp.config_hash(fingerprint) if fingerprint is not None
                               else f"{exp.experiment_hash()}-nodata")
                if local is not None:
                    try:
                        folds = exp.fold_list(local)
                    except ConfigError as error:
                        raise SweepError(f"{spec.source}, row {row!r}: {error}") from None
                else:  # no data here: the official folds, cut as the profile cuts
                    folds = exp.official_fold_list()
                for fold in folds:
                    for seed in exp.seeds:
                        key = f"{config_hash}-fold{fold}-seed{seed}"
                        if key in seen:
                            continue
                        seen.add(key)
                        one = replace(exp, folds=(fold,), seeds=(int(seed),))
                        where = (record_path(results_dir, config_hash, fold, seed)
                                 if fingerprint is not None else None)
                        tasks.append(Task(key, one.to_dict(), fold, int(seed), fingerprint,
                                          config_hash, where,
                                          f"{spec.name} / {row} · {dataset} · fold {fold} · seed {seed}",
                                          missing.get(data_key, "")))
    return tasks


def run_task(experiment: dict, fold, seed: int, fingerprint: str, threads: int | None = None) -> dict:
    """On a worker: train one (experiment, fold, seed) on this worker's data; return the record"""
    import torch

    from ascnb.experiment.fingerprint import data_fingerprint, experiment_dataset
    from ascnb.experiment.pipeline import run_one
    from ascnb.features import compute_features

    if threads:
        torch.set_num_threads(threads)
    exp = Experiment.from_dict(experiment)
    if exp.data_root is not None and not Path(exp.data_root).exists():
        exp = replace(exp, data_root=None)  # the client's path: this worker uses its ASCNB_DATA
    dataset = experiment_dataset(exp)
    here = data_fingerprint(dataset)
    if here != fingerprint:
        raise RuntimeError(f"the data of {exp.dataset} on this worker ({dataset.root}, fingerprint "
                           f"{here}) is not the data the client asked for (fingerprint {fingerprint})")
    features = compute_features(dataset, exp.feature_config(), n_jobs=1, progress=False)
    return run_one(exp, dataset, features, fold, seed, progress=False, n_jobs=1,
                   fingerprint=fingerprint)


def check_before_training(tasks: list[Task], results_dir, *, local: bool) -> None:
    """Refuse now what would fail every task after training: a results folder that takes no
    files; on a LocalCluster (workers on this machine) also a runs folder that takes none and
    a device that is not here. Raises OSError or SweepError naming the folder or device"""
    from ascnb import paths
    from ascnb.experiment.pipeline import check_writable

    from ascnb.train import resolve_device

    if local:
        for device in sorted({str(task.experiment.get("device", "auto")) for task in tasks}):
            try:
                resolve_device(device)
            except ValueError as error:
                raise SweepError(f"{error} (a LocalCluster's workers run on this machine)") from None
    check_writable(paths.results_dir(results_dir), "result records")
    if local:  # a remote cluster's workers have their own runs folder
        check_writable(paths.runs_dir(), "checkpoints")


def run_sweep(configs: list[str | Path], *, scheduler: str | None = None,
              n_workers: int | None = None, results_dir=None, dry_run: bool = False,
              datasets=None, log=print, **knobs) -> dict:
    """Run every task not done yet; return counts {"total", "skipped", "ran", "failed"}

    A failing task does not stop the others: its error is logged (one line) and counted.
    """
    client = cluster = None
    try:
        if scheduler is not None and not dry_run:
            from distributed import Client

            client = Client(scheduler)
        tasks = expand(configs, results_dir=results_dir, datasets=datasets, client=client,
                       missing_data_ok=dry_run, **knobs)
        todo = [task for task in tasks if not task.done()]
        counts = {"total": len(tasks), "skipped": len(tasks) - len(todo), "ran": 0, "failed": 0}
        log(f"sweep: {len(tasks)} task(s), {counts['skipped']} already recorded, {len(todo)} to run")
        if dry_run or not todo:
            for reason in dict.fromkeys(task.no_data for task in todo if task.no_data):
                log(f"  data not on this machine: {reason}")
            for task in todo:
                note = "" if task.fingerprint else "  (data not on this machine: key pending)"
                log(f"  to run: {task.label}  [{task.key}]{note}")
            return counts

        check_before_training(todo, results_dir, local=client is None)

        from distributed import Client, LocalCluster, as_completed

        threads = None
        if client is None:
            workers = n_workers or min(len(todo), os.cpu_count() or 1)
            threads = max(1, (os.cpu_count() or 1) // workers)
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.CRITICAL)
            client = Client(cluster)
        futures = {client.submit(run_task, task.experiment, task.fold, task.seed,
                                 task.fingerprint, threads, key=task.key, pure=False): task
                   for task in todo}
        for future in as_completed(futures):
            task = futures[future]
            start = time.perf_counter()
            try:
                record = future.result()
            except Exception as error:
                counts["failed"] += 1
                message = str(error).strip().splitlines()[-1] if str(error).strip() else ""
                log(f"  FAILED {task.label}: {type(error).__name__}: {message}")
                continue
            if record.get("config_hash") != task.config_hash:
                counts["failed"] += 1
                log(f"  FAILED {task.label}: the worker's record has hash {record.get('config_hash')}")
                continue
            try:
                write_json(task.record, record)
            except (OSError, ValueError) as error:  # a full disk, a folder gone read-only, NaN
                counts["failed"] += 1
                log(f"  FAILED {task.label}: its record could not be written to {task.record} "
                    f"({getattr(error, 'strerror', None) or error})")
                continue
            counts["ran"] += 1
            log(f"  done {task.label}: accuracy {100 * record['accuracy']:.1f}% "
                f"({record['wall_seconds']:.0f} s on {record.get('device_name', '?')}; "
                f"written in {time.perf_counter() - start:.2f} s)")
        log(f"sweep: ran {counts['ran']}, skipped {counts['skipped']}, failed {counts['failed']}")
        return counts
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()


def register(subparsers) -> None:
    from ascnb.experiment.cli import add_knob_arguments

    p = subparsers.add_parser("sweep", help="run catalogue tables on a Dask cluster",
                              description=__doc__.splitlines()[0])
    p.add_argument("configs", nargs="+", help="catalogue tables, e.g. configs/acrnn-table3-attention-augmentation.yaml")
    add_knob_arguments(p)
    p.add_argument("--scheduler", default=None,
                   help="address of a running Dask scheduler (default: a LocalCluster)")
    p.add_argument("--workers", type=int, default=None,
                   help="LocalCluster workers (default: one per core, at most one per task)")
    p.add_argument("--results-dir", default=None, help="where records go (default results/)")
    p.add_argument("--dry-run", action="store_true", help="list the tasks still to run, run none")
    p.set_defaults(handler=sweep_command)


def sweep_command(args: argparse.Namespace) -> int:
    from ascnb.experiment.cli import knobs_from_args

    knobs = knobs_from_args(args)
    datasets = [knobs.pop("dataset")] if "dataset" in knobs else None
    if args.rows:
        print("python -m ascnb sweep: --row is for run-experiment; a sweep runs whole tables",
              file=sys.stderr)
        return 2
    try:
        counts = run_sweep(args.configs, scheduler=args.scheduler, n_workers=args.workers,
                           results_dir=args.results_dir, dry_run=args.dry_run,
                           datasets=datasets, **knobs)
    except (SweepError, ConfigError, OSError) as error:
        print(f"python -m ascnb sweep: {error}", file=sys.stderr)
        return 2
    return 1 if counts["failed"] else 0


__all__ = ["SweepError", "Task", "expand", "run_sweep", "run_task"]
