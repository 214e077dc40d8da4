"""Benchmark: the CPU training path before and after issue 19, against this CPU's bf16 peak,
and the hours each ACRNN table takes under the paper's protocol and a short "cpu" protocol

    .venv/bin/python benchmarks/cpu_protocol.py [--epochs E] [--steps 6] [--threads N]
        [--no-variants] [--no-table4] [--no-compile-probe] [--out benchmarks/out/cpu_protocol.json]

In one run, on random segments of each network's real input shape and with its paper's recipe
(``ascnb.train.Trainer``, bf16 autocast on the CPU):
- before: the quick profile's path until now (DataLoader batches, contiguous tensors)
- after: the CPU default for bf16 now (index batches, channels-last)
- compiled: after, with the forward pass compiled (opt-in: ``compile=True``, ASCNB_COMPILE=1)
for ACRNN, the convolutional RNN, PB-CNN and PiczakCNN; segments/s is the best steady epoch
(the first one compiles and warms up). Each is set against the bf16 matmul peak measured in
the same run with the same threads (2048 x 2048, the best of several tries; a model's
training FLOPs are 3 x its forward FLOPs, ``ascnb.models.cost.model_cost``).

Variants (ACRNN and PB-CNN; ``--no-variants`` skips them): DataLoader vs index batches with
channels-last and no compilation, the new path with one thread (a Dask sweep runs one
single-threaded worker per core), batch 32 and 128. Compile time: in this process (first step
minus a steady step; after the first network of a class it is small: dynamo's cache) and, in
fresh processes (``--no-compile-probe`` skips), with an empty inductor cache and again with
the cache it left.

Projected hours (``projections``): every row of ACRNN Table 3 (4 rows), Table 4 (8 new rows,
attention at l2-l8, measured per placement; ``--no-table4`` uses ACRNN's speed) and Table 1
(PiczakCNN) on ESC-10 and ESC-50, 5 folds, under the paper's 300 epochs and the cpu
protocol's epochs (``--epochs``, else the cpu profile's per recipe: ``CPU_EPOCHS``); training segments per fold from the feature and segment configs
(ESC-10: 1,600 for ACRNN, twice that with one augmented copy per clip; ESC-50 four times as
many), plus one warm-cache compilation per run on the compiled path; "sweep" divides the
"after" hours by the gain of two single-threaded runs side by side. Evaluation is left out.

Output: benchmarks/out/cpu_protocol.json and cpu_protocol.md (a short table). On a shared
machine the figures are noisy: the load average before and after is recorded with them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from ascnb.atomic import write_text  # noqa: E402
from ascnb.experiment import CPU_EPOCHS, Experiment, read_table  # noqa: E402
from ascnb.features import feature_config, segment_config  # noqa: E402
from ascnb.models import build_model, default_input_shape  # noqa: E402
from ascnb.models.cost import model_cost  # noqa: E402
from ascnb.provenance import cpu_name, package_versions  # noqa: E402
from ascnb.train import Trainer  # noqa: E402
from ascnb.train.trainer import compiler_available  # noqa: E402

# the tables whose hours are projected: title -> catalogue table
PROJECTED = {"ACRNN Table 3": "acrnn-table3-attention-augmentation",
             "ACRNN Table 4": "acrnn-table4-placement-scaling",
             "ACRNN Table 1 (PiczakCNN)": "acrnn-table1-comparison"}


def measured(model: str, params: dict | None = None) -> tuple:
    """(model, model parameters, training preset, input shape, features, segmentation): the
    network as its experiments run it (``ascnb.models`` registry, ``Experiment.resolve``)"""
    exp = Experiment(model=model, model_params=dict(params or {}), profile="paper").resolve()
    return (model, dict(params or {}), exp.preset, default_input_shape(model), exp.features,
            exp.segmentation)


def attention_at(exp: Experiment) -> int | None:
    """Where ACRNN's attention sits when it is not at l10 (its RNN), else None"""
    at = exp.model_params.get("attention_at")
    return at if exp.model == "acrnn" and at not in (None, 10) else None


def placements() -> dict[str, tuple]:
    """acrnn-l{k}: ACRNN with attention after l{k}, one per placement of Table 4 (scaled by a
    softmax: the scale costs nothing measurable)"""
    rows = read_table(PROJECTED["ACRNN Table 4"]).experiments(profile="paper").values()
    ks = sorted({attention_at(exp) for exp in rows} - {None})
    return {f"acrnn-l{k}": measured("acrnn", {"attention_at": k, "attention_scale": "softmax"})
            for k in ks}


MODELS = {name: measured(name) for name in ("acrnn", "crnn", "pb-cnn", "piczak")}
TABLE4 = placements()
PATHS = {
    "before": dict(fast=False, amp="bf16", channels_last=False, compile=False),
    "after": dict(amp="bf16", compile=False),
    "compiled": dict(amp="bf16", compile=True),
}
VARIANTS = {
    "loader+channels-last": dict(fast=False, amp="bf16", channels_last=True, compile=False),
    "index+channels-last": dict(fast=True, amp="bf16", channels_last=True, compile=False),
    "after, 1 thread": dict(amp="bf16", compile=False, threads=1),
    "after, batch 32": dict(amp="bf16", compile=False, batch_size=32),
    "after, batch 128": dict(amp="bf16", compile=False, batch_size=128),
    "compiled, 1 thread": dict(amp="bf16", compile=True, threads=1),
}
PAPER_EPOCHS, FOLDS = 300, 5
TRAIN_CLIPS = {"esc10": 320, "esc50": 1600}  # clips of four folds of five


def matmul_peak(threads: int, n: int = 2048, reps: int = 10) -> float:
    """GFLOP/s of a bf16 n x n matmul with ``threads`` threads, best of 3"""
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    a, b = torch.randn(n, n).bfloat16(), torch.randn(n, n).bfloat16()
    a @ b
    best = 0.0
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(reps):
            a @ b
        best = max(best, 2 * n ** 3 * reps / (time.perf_counter() - start) / 1e9)
    torch.set_num_threads(previous)
    return best


def throughput(spec: tuple, path: dict, steps: int, epochs: int = 3) -> dict:
    """segments/s of the best steady epoch, and the first step's seconds (compilation)"""
    model_name, params, preset, shape, _, _ = spec
    path = dict(path)
    threads = path.pop("threads", None)
    compile_ = path.pop("compile", None)
    previous = torch.get_num_threads()
    if threads:
        torch.set_num_threads(threads)
    try:
        trainer = Trainer(preset, device="cpu", progress=False, num_epochs=epochs,
                          deterministic=False, compile=compile_, **path)
        batch = trainer.config.batch_size
        n = max(2, steps) * batch
        rng = np.random.default_rng(0)
        X = rng.normal(size=(n, *shape)).astype(np.float32)
        y = rng.integers(0, 10, n)
        torch.manual_seed(0)
        model = build_model(model_name, 10, shape, **params)
        history = trainer.fit(model, X, y, seed=0)
    finally:
        torch.set_num_threads(previous)
    rate = max(h["segments"] / h["seconds"] for h in history[1:])
    step = batch / rate
    return {"segments_per_s": round(rate, 1), "batch_size": batch, "threads": threads or previous,
            "fast": trainer.fast, "channels_last": trainer.channels_last,
            "compile": trainer.compile,
            "first_step_seconds": round(trainer.first_step_seconds, 2),
            "compile_seconds": round(max(0.0, trainer.first_step_seconds - step), 2)
            if trainer.compile else None}


def compile_probe(name: str, steps: int, cache_dir: str) -> dict:
    """The new path's first step in a fresh process with the inductor cache ``cache_dir``"""
    env = {**os.environ, "TORCHINDUCTOR_CACHE_DIR": cache_dir}
    done = subprocess.run([sys.executable, __file__, "--probe", name, "--steps", str(steps)],
                          env=env, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        return {"error": done.stderr[-2000:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def segments_per_fold(spec: tuple, dataset: str) -> int:
    """Training segments of one fold: clips of four folds x segments per 5 s clip"""
    _, _, _, _, features, segmentation = spec
    frames = feature_config(features).output_shape(5.0)[2]
    return TRAIN_CLIPS[dataset] * segment_config(segmentation).n_segments(frames)


def table_rows(models: dict) -> dict[str, list[tuple]]:
    """{table: [(row, measured model key, copies of the training set)]}: each table's own rows
    (a row ``from`` another table is counted there); an augmented row trains on its clips and
    their ``waveform_augment`` copies; a placement not measured counts at ACRNN's speed"""
    out = {}
    for title, name in PROJECTED.items():
        spec = read_table(name)
        own = [row for row, fields in spec.rows.items() if "from" not in fields]
        out[title] = []
        for row, exp in spec.experiments(own, profile="paper").items():
            key = f"acrnn-l{attention_at(exp)}" if attention_at(exp) else exp.model
            copies = 1 + exp.train_config().waveform_augment
            out[title].append((row, key if key in models else exp.model, copies))
    return out


def projections(results: dict, specs: dict, paths: list[str], cpu_epochs: int | None,
                compile_warm: float, sweep_factor: float) -> dict:
    """Hours of each table, 5 folds, per dataset, protocol and path; the cpu protocol's epochs
    are ``cpu_epochs`` or, when None, the cpu profile's epochs of each row's recipe (CPU_EPOCHS)"""
    out = {}
    for table, rows in table_rows(results).items():
        out[table] = {}
        for dataset in TRAIN_CLIPS:
            for protocol in ("paper", "cpu"):
                # epochs per row: the paper's 300, or the cpu protocol's of the row's recipe
                epochs = [PAPER_EPOCHS if protocol == "paper"
                          else cpu_epochs or CPU_EPOCHS[specs[key][2]] for _, key, _ in rows]
                hours = {}
                for path in paths:
                    seconds = 0.0
                    for (_, key, copies), row_epochs in zip(rows, epochs):
                        segments = copies * segments_per_fold(specs[key], dataset) * row_epochs * FOLDS
                        seconds += segments / results[key][path]["segments_per_s"]
                        if results[key][path]["compile"]:
                            seconds += FOLDS * compile_warm
                    hours[path] = round(seconds / 3600, 2)
                hours["after, sweep of 2 x 1 thread"] = round(hours["after"] / sweep_factor, 2)
                label = "/".join(map(str, dict.fromkeys(epochs)))
                out[table][f"{dataset}, {protocol} ({label} epochs)"] = hours
    return out


def markdown(report: dict) -> str:
    peak, paths = report["bf16_peak_gflops"], report["path_names"]
    lines = [f"# CPU training path ({report['cpu']}, {report['threads']} threads)", "",
             f"bf16 2048² matmul peak in this run: {peak:.0f} GFLOP/s; load average "
             f"{report['load_average'][0]:.2f} before, {report['load_average'][1]:.2f} after "
             "(a shared machine: figures are noisy)", "",
             "| model | " + " | ".join(f"{p} (segments/s)" for p in paths) + " | after / before | "
             "% of bf16 peak (" + ", ".join(paths) + ") | compile (s, in process) |",
             "|---|" + "---:|" * (len(paths) + 3)]
    for name, entry in report["models"].items():
        rates = [entry[p]["segments_per_s"] for p in paths]
        compiled = entry.get("compiled", {}).get("compile_seconds")
        lines.append(f"| {name} | " + " | ".join(f"{r:.1f}" for r in rates) + " | "
                     f"{entry['after']['segments_per_s'] / entry['before']['segments_per_s']:.2f}× | "
                     + " / ".join(f"{100 * entry[p]['fraction_of_peak']:.1f}" for p in paths) + " | "
                     f"{compiled if compiled is not None else '-'} |")
    if report.get("variants"):
        lines += ["", "| variant (segments/s) | " + " | ".join(report["variants"]) + " |",
                  "|---|" + "---:|" * len(report["variants"])]
        names = list(next(iter(report["variants"].values())))
        for variant in names:
            lines.append(f"| {variant} | " + " | ".join(
                f"{report['variants'][m][variant]['segments_per_s']:.1f}" for m in report["variants"]) + " |")
    if report.get("compile_probe"):
        probe = report["compile_probe"]
        lines += ["", "Compilation of ACRNN's first step in a fresh process: "
                      f"{probe.get('cold', {}).get('compile_seconds')} s with an empty inductor cache, "
                      f"{probe.get('warm', {}).get('compile_seconds')} s with the cache it left"]
    if report.get("projections"):
        columns = [*paths, "after, sweep of 2 x 1 thread"]
        lines += ["", "| table | setting | " + " | ".join(f"hours {c}" for c in columns) + " |",
                  "|---|---|" + "---:|" * len(columns)]
        for table, settings in report["projections"].items():
            for setting, hours in settings.items():
                lines.append(f"| {table} | {setting} | " + " | ".join(str(hours[c]) for c in columns) + " |")
    return "\n".join(lines) + "\n"


def probe_main(name: str, steps: int) -> int:
    result = throughput(MODELS[name], PATHS["compiled"], steps, epochs=2)
    print(json.dumps(result))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=None,
                        help="epochs of the cpu protocol (default: the cpu profile's, per recipe)")
    parser.add_argument("--steps", type=int, default=6, help="batches per measured epoch")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    parser.add_argument("--no-variants", action="store_true")
    parser.add_argument("--no-table4", action="store_true")
    parser.add_argument("--no-compile-probe", action="store_true")
    parser.add_argument("--probe", choices=list(MODELS), help=argparse.SUPPRESS)
    parser.add_argument("--out", default=str(HERE / "out" / "cpu_protocol.json"))
    args = parser.parse_args(argv)
    if args.probe:
        return probe_main(args.probe, args.steps)

    torch.set_num_threads(args.threads)
    started = time.perf_counter()
    load = [os.getloadavg()[0]]
    specs = {**MODELS, **({} if args.no_table4 else TABLE4)}
    peaks, models = [], {}
    for name, spec in specs.items():
        if name in MODELS and name not in args.models:
            continue
        peaks.append(matmul_peak(args.threads))
        model_name, params, _, shape, _, _ = spec
        flops = model_cost(build_model(model_name, 10, shape, **params), shape)["flops"]
        models[name] = {"input_shape": list(shape), "forward_flops_per_segment": flops}
        for path, options in PATHS.items():
            models[name][path] = throughput(spec, options, args.steps)
            print(f"{name:10s} {path:7s} {models[name][path]['segments_per_s']:8.1f} segments/s",
                  file=sys.stderr, flush=True)
    peak = max(peaks)
    for entry in models.values():
        for path in PATHS:
            entry[path]["fraction_of_peak"] = round(
                3 * entry["forward_flops_per_segment"] * entry[path]["segments_per_s"] / (peak * 1e9), 4)

    variants = {}
    if not args.no_variants:
        for name in ("acrnn", "pb-cnn"):
            if name not in models:
                continue
            variants[name] = {path: models[name][path] for path in PATHS}
            for variant, options in VARIANTS.items():
                variants[name][variant] = throughput(MODELS[name], options, args.steps)
                print(f"{name:10s} {variant:22s} {variants[name][variant]['segments_per_s']:8.1f} "
                      "segments/s", file=sys.stderr, flush=True)

    probe = {}
    if not args.no_compile_probe and compiler_available():
        with tempfile.TemporaryDirectory(prefix="ascnb-inductor-") as cache_dir:
            probe = {"cold": compile_probe("acrnn", args.steps, cache_dir),
                     "warm": compile_probe("acrnn", args.steps, cache_dir)}
    table = {"acrnn", "crnn", "piczak"} <= set(models)
    compile_warm = (probe.get("warm", {}).get("compile_seconds")
                    or (models["acrnn"]["compiled"]["compile_seconds"] if table else None) or 0.0)
    one_thread = variants.get("acrnn", {}).get("after, 1 thread")
    sweep_factor = (2 * one_thread["segments_per_s"] / models["acrnn"]["after"]["segments_per_s"]
                    if one_thread else 1.0)
    load.append(os.getloadavg()[0])
    report = {
        "cpu": cpu_name(), "threads": args.threads, "cpu_count": os.cpu_count(),
        "torch_interop_threads": torch.get_num_interop_threads(),
        "packages": package_versions(("torch", "numpy")), "bf16_peak_gflops": round(peak, 1),
        "bf16_peak_tries_gflops": [round(p, 1) for p in peaks], "load_average": load,
        "steps_per_epoch": args.steps, "cpu_protocol_epochs": args.epochs or dict(CPU_EPOCHS),
        "paths": PATHS, "path_names": list(PATHS),
        "models": models, "variants": variants, "compile_probe": probe,
        "sweep_factor_2x1_thread": round(sweep_factor, 3),
        "projections": (projections(models, {**MODELS, **TABLE4}, list(PATHS), args.epochs,
                                    compile_warm, sweep_factor) if table else {}),
        "benchmark_seconds": round(time.perf_counter() - started, 1),
    }
    out = Path(args.out)
    write_text(out, json.dumps(report, indent=1) + "\n")
    write_text(out.with_suffix(".md"), markdown(report))
    print(markdown(report))
    print(f"wrote {out} and {out.with_suffix('.md')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
