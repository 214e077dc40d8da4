"""``python -m ascnb sweep configs/NAME.yaml``: a grid of runs on a Dask cluster

Book: "Reproduce it yourself" (book/reproduce.md). A sweep file names what to run and a grid:

    name: acrnn-table4-placement-scaling
    kind: experiment            # or: notebook
    base:                       # experiment: the fields of ascnb.experiments.Experiment
      dataset: esc50            # notebook: its parameters (key "parameters" also accepted)
      model: acrnn
    grid:                       # cartesian product; dotted keys reach into nested dicts
      model_params.attention_at: [2, 4, 6, 8]
      model_params.attention_scale: [sigmoid, softmax]
    runs:                       # optional: extra points, each merged onto base (then the grid)
      - {model_params.attention_at: 10}
    notebook: 10-pbcnn-mel-bands  # kind notebook only

Each point of the grid becomes tasks: one per (fold, seed) for an experiment, one per point
for a notebook. A task whose record exists is skipped, so a sweep stopped midway resumes
where it stopped (experiment records: results/<name>/<hash>/fold<f>-seed<s>.json; notebook
runs: results/sweeps/<sweep>/<key>.json, written after the notebook succeeded).

Tasks run on a ``distributed.LocalCluster`` (one single-threaded worker per core) unless
``--scheduler ADDRESS`` names a running scheduler, e.g. one started by dask-jobqueue on Slurm.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
KINDS = ("experiment", "notebook")
SWEEP_KEYS = {"name", "description", "kind", "base", "parameters", "grid", "runs", "notebook",
              "results_dir"}


class SweepError(ValueError):
    """A sweep file that cannot be expanded (names the file and what is wrong)"""


@dataclass
class Task:
    """One unit of work: an experiment at one (fold, seed), or one notebook run"""
    kind: str
    key: str
    config: dict
    record: Path                  # exists once the task is done
    label: str = ""
    extra: dict = field(default_factory=dict)

    def done(self) -> bool:
        return self.record.is_file()


# ---- grid expansion ----

def set_dotted(config: dict, dotted: str, value) -> None:
    """config["a"]["b"] = value for dotted == "a.b", creating dicts on the way"""
    *parents, last = dotted.split(".")
    node = config
    for name in parents:
        node = node.setdefault(name, {})
        if not isinstance(node, dict):
            raise SweepError(f"grid key {dotted!r}: {name!r} is not a mapping")
    node[last] = value


def expand_grid(base: dict, grid: dict | None = None, runs: list[dict] | None = None) -> list[dict]:
    """Every point: (each of runs, or base alone) x the cartesian product of grid

    >>> [p["n_mels"] for p in expand_grid({"model": "valenti"}, {"n_mels": [60, 128]})]
    [60, 128]
    """
    grid = grid or {}
    for key, values in grid.items():
        if not isinstance(values, list) or not values:
            raise SweepError(f"grid key {key!r}: expected a non-empty list, got {values!r}")
    starts = []
    for run in runs or [{}]:
        start = copy.deepcopy(base)
        for key, value in run.items():
            set_dotted(start, key, copy.deepcopy(value))
        starts.append(start)
    points = []
    for start in starts:
        for values in itertools.product(*grid.values()):
            point = copy.deepcopy(start)
            for key, value in zip(grid, values):
                set_dotted(point, key, copy.deepcopy(value))
            if point not in points:
                points.append(point)
    return points


def point_key(point: dict) -> str:
    """A short stable hash of one point of the grid"""
    text = json.dumps(point, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def load_sweep(path: str | Path) -> dict:
    """Read and check a sweep file"""
    path = Path(path)
    if not path.is_file():
        known = sorted(p.name for p in (REPO / "configs").glob("*.yaml"))
        raise SweepError(f"sweep file {str(path)!r} not found; configs/ holds: {known}")
    spec = yaml.safe_load(path.read_text()) or {}
    if not isinstance(spec, dict):
        raise SweepError(f"{path}: expected a mapping at the top level")
    unknown = sorted(set(spec) - SWEEP_KEYS)
    if unknown:
        raise SweepError(f"{path}: unknown key(s) {unknown}; known: {sorted(SWEEP_KEYS)}")
    kind = spec.get("kind", "experiment")
    if kind not in KINDS:
        raise SweepError(f"{path}: unknown kind {kind!r}; known: {KINDS}")
    if kind == "notebook" and "notebook" not in spec:
        raise SweepError(f"{path}: a notebook sweep needs 'notebook: NAME'")
    spec["kind"] = kind
    spec.setdefault("name", path.stem)
    spec["base"] = {**(spec.get("parameters") or {}), **(spec.get("base") or {})}
    spec["source"] = str(path)
    return spec


def expand_sweep(spec: dict, *, results_dir: str | Path | None = None,
                 output_dir: str | Path | None = None) -> list[Task]:
    """The tasks of a sweep (see the module docstring), in grid order

    output_dir: where executed notebooks go (default book/_generated/sweeps/<name>/)
    """
    results_dir = Path(results_dir or spec.get("results_dir") or REPO / "results")
    points = expand_grid(spec["base"], spec.get("grid"), spec.get("runs"))
    if spec["kind"] == "notebook":
        from ascnb.runner import GENERATED_DIR

        output_dir = Path(output_dir or GENERATED_DIR / "sweeps" / spec["name"])
        return [notebook_task(spec, point, results_dir, output_dir) for point in points]
    return [task for point in points for task in experiment_tasks(spec, point, results_dir)]


def notebook_task(spec: dict, point: dict, results_dir: Path, output_dir: Path) -> Task:
    from ascnb.runner import check_parameters

    try:
        check_parameters(spec["notebook"], point)
    except Exception as error:
        raise SweepError(f"{spec['source']}: {error}") from None
    key = point_key({"notebook": spec["notebook"], **point})
    record = results_dir / "sweeps" / spec["name"] / f"{key}.json"
    label = ", ".join(f"{k}={v}" for k, v in point.items() if k in (spec.get("grid") or {}))
    return Task("notebook", key, point, record, label or key,
                extra={"notebook": spec["notebook"], "sweep": spec["name"],
                         "output_dir": str(output_dir)})


def experiment_tasks(spec: dict, point: dict, results_dir: Path) -> list[Task]:
    """One task per (fold, seed) of the experiment a point describes"""
    from ascnb.book import experiment_fields
    from ascnb.experiments import Experiment, record_path

    try:
        values = experiment_fields({"name": spec["name"], **point})
        exp = Experiment.from_dict(values, where=spec["source"]).resolve()
        exp.config_hash()  # checks the model parameters, decision and accuracy now
    except (TypeError, ValueError) as error:
        raise SweepError(f"{spec['source']}: {error}") from None
    if exp.folds is None:
        raise SweepError(f"{spec['source']}: name the folds (the profile {exp.profile!r} uses "
                         "all the dataset's)")
    tasks = []
    for fold in exp.folds:
        for seed in exp.seeds:
            one = Experiment.from_dict({**exp.to_dict(), "folds": [fold], "seeds": [seed]})
            record = record_path(results_dir, one, fold, seed)
            tasks.append(Task("experiment", record.stem, one.to_dict(), record,
                              f"{exp.name} fold {fold} seed {seed}",
                              extra={"results_dir": str(results_dir)}))
    return tasks


# ---- running one task (on a worker) ----

def write_json_atomic(path: Path, payload: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        json.dump(payload, f, indent=2, default=str)
    os.replace(tmp, path)


def run_notebook_subprocess(task: Task) -> Path:
    """``python -m ascnb run`` in a fresh process (a kernel per task, safe on threaded workers)"""
    notebook = Path(task.extra["notebook"])
    output_name = f"{notebook.stem}-{task.key}.ipynb"
    command = [sys.executable, "-m", "ascnb", "run", str(notebook),
               "--output-dir", task.extra["output_dir"], "--output-name", output_name]
    for name, value in task.config.items():
        command += ["-p", name, json.dumps(value)]   # JSON is YAML: the runner reads it back
    result = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
    if result.returncode != 0:
        # the runner's own message (the notebook's error), without the kernel's chatter
        stderr = result.stderr
        start = stderr.rfind("python -m ascnb run:")
        raise RuntimeError(stderr[start:].strip() if start >= 0
                           else stderr.strip()[-2000:] or f"exit code {result.returncode}")
    return Path(task.extra["output_dir"]) / output_name


def run_task(task: Task) -> dict:
    """Run one task where it lands (a Dask worker); return a small summary"""
    start = time.perf_counter()
    if task.done():
        return {"key": task.key, "status": "skipped", "seconds": 0.0}
    if task.kind == "notebook":
        output = run_notebook_subprocess(task)
        seconds = time.perf_counter() - start
        write_json_atomic(task.record, {"sweep": task.extra["sweep"], "notebook": task.extra["notebook"],
                                        "parameters": task.config, "output": str(output),
                                        "seconds": round(seconds, 2),
                                        "finished": time.strftime("%Y-%m-%dT%H:%M:%S")})
    else:
        from ascnb.experiments import Experiment, run_experiment

        run_experiment(Experiment.from_dict(task.config), results_dir=task.extra["results_dir"],
                       progress=False)
    return {"key": task.key, "status": "ran", "seconds": time.perf_counter() - start}


# ---- running a sweep ----

def run_sweep(path: str | Path, *, scheduler: str | None = None, n_workers: int | None = None,
              processes: bool = True, results_dir: str | Path | None = None,
              output_dir: str | Path | None = None, dry_run: bool = False, log=print) -> dict:
    """Run every task of a sweep not done yet; return counts {"ran", "skipped", "failed"}

    A failing task does not stop the others; its error is logged and counted.
    """
    spec = load_sweep(path)
    tasks = expand_sweep(spec, results_dir=results_dir, output_dir=output_dir)
    todo = [task for task in tasks if not task.done()]
    counts = {"total": len(tasks), "skipped": len(tasks) - len(todo), "ran": 0, "failed": 0}
    log(f"sweep {spec['name']}: {len(tasks)} task(s), {counts['skipped']} already done, "
        f"{len(todo)} to run")
    if dry_run or not todo:
        for task in todo:
            log(f"  to run: {task.label}")
        return counts

    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler is None:
        workers = n_workers or min(len(todo), os.cpu_count() or 1)
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes,
                               dashboard_address=None)
    client = Client(scheduler or cluster)
    try:
        futures = {client.submit(run_task, task, key=f"{spec['name']}-{task.key}", pure=False): task
                   for task in todo}
        for future in as_completed(futures):
            task = futures[future]
            try:
                summary = future.result()
            except Exception as error:
                counts["failed"] += 1
                log(f"  FAILED {task.label}: {type(error).__name__}: {error}")
                continue
            counts["ran" if summary["status"] == "ran" else "skipped"] += 1
            log(f"  done {task.label} ({summary['seconds']:.1f} s)")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    log(f"sweep {spec['name']}: ran {counts['ran']}, skipped {counts['skipped']}, "
        f"failed {counts['failed']}")
    return counts


def register(subparsers) -> None:
    p = subparsers.add_parser("sweep", help="run a grid of experiments or notebooks on Dask",
                              description=__doc__.splitlines()[0])
    p.add_argument("config", help="a sweep file, e.g. configs/acrnn-table4-placement-scaling.yaml")
    p.add_argument("--scheduler", default=None,
                   help="address of a running Dask scheduler (default: a LocalCluster)")
    p.add_argument("--workers", type=int, default=None,
                   help="LocalCluster workers (default: one per core, at most one per task)")
    p.add_argument("--results-dir", default=None, help="where records go (default results/)")
    p.add_argument("--dry-run", action="store_true", help="list the tasks still to run, run none")
    p.set_defaults(handler=sweep_command)


def sweep_command(args: argparse.Namespace) -> int:
    try:
        counts = run_sweep(args.config, scheduler=args.scheduler, n_workers=args.workers,
                           results_dir=args.results_dir, dry_run=args.dry_run)
    except SweepError as error:
        print(f"python -m ascnb sweep: {error}", file=sys.stderr)
        return 2
    return 1 if counts["failed"] else 0
