"""Benchmark: feature extraction on the real ESC-10, against a naive per-file librosa loop

    python benchmarks/features.py [ROOT] [--n-jobs N] [--out benchmarks/out/features.json]

ROOT defaults to ../shared/data/ESC-10 beside the checkout ($ASCNB_SHARED overrides ../shared).
For the log-mel (PB-CNN) and the log-gammatone + delta (ACRNN) configs it times, in the same run:

  baseline   a naive loop, one process: librosa.load + librosa.feature.melspectrogram (log-mel)
             or librosa.stft + spafe's gammatone bank + delta (gammatone; the bank is built once,
             not per file, so the baseline is not handicapped), no cache
  cold-1     ascnb.features.compute_features into an empty temporary cache, one process
  cold       the same with all cores (workers forked from the warmed process, start-up included)
  cold-loky  the same with joblib's loky workers (fresh interpreters: what a Dask worker gets)
  cached     a second compute_features call on the filled cache

and writes seconds, CPU seconds (this process and its finished workers; the baseline's BLAS
threads count too), clips/s and speed-ups against the baseline to the JSON file, plus checks
that the baseline and ours compute the same features (max abs difference in dB) and that the
passes give the same bits. Timings on a shared machine vary; the load average at the start
and end of each kind is recorded with them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

import librosa
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's ascnb, not another one's

import ascnb.features.cache as cache_module  # noqa: E402
from ascnb.data import fit_length, load_dataset  # noqa: E402
from ascnb.features import compute_features, feature_config, gammatone_filterbank, library_versions  # noqa: E402
from ascnb.atomic import write_text  # noqa: E402
from ascnb.features.workers import default_n_jobs  # noqa: E402
from ascnb.paths import REPO, shared_dir  # noqa: E402

DEFAULT_ROOT = shared_dir() / "data" / "ESC-10"


def naive_logmel(path: str, config, seconds: float) -> np.ndarray:
    """What one would write first: load, melspectrogram, power_to_db, per file"""
    y, sr = librosa.load(path, sr=config.sample_rate, mono=True)
    y = fit_length(y, round(seconds * sr))
    S = librosa.feature.melspectrogram(y=y, sr=sr, n_fft=config.fft_size, hop_length=config.hop_length,
                                       win_length=config.win_length, window=config.window,
                                       n_mels=config.n_mels, power=2.0, pad_mode="constant")
    return librosa.power_to_db(S, ref=1.0, amin=config.amin, top_db=None)[np.newaxis]


def naive_gammatone(path: str, config, seconds: float) -> np.ndarray:
    """Load, power STFT, gammatone bank (built once), log, delta, per file"""
    y, sr = librosa.load(path, sr=config.sample_rate, mono=True)
    y = fit_length(y, round(seconds * sr))
    S = np.abs(librosa.stft(y, n_fft=config.n_fft, hop_length=config.hop_length,
                            win_length=config.win_length, window=config.window,
                            pad_mode="constant")) ** 2
    S = librosa.power_to_db(gammatone_filterbank(config) @ S, ref=1.0, amin=config.amin, top_db=None)
    return np.stack([S, librosa.feature.delta(S, width=config.delta_width)])


NAIVE = {"logmel": naive_logmel, "gammatone": naive_gammatone}


def cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended (the workers)"""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(function):
    """(wall seconds, CPU seconds, result)"""
    start, cpu = time.perf_counter(), cpu_seconds()
    result = function()
    return time.perf_counter() - start, cpu_seconds() - cpu, result


def loky_compute_features(*args, **kwargs):
    """compute_features with joblib's loky workers instead of forked ones"""
    fork = cache_module.can_fork
    cache_module.can_fork = lambda: False
    try:
        return compute_features(*args, **kwargs)
    finally:
        cache_module.can_fork = fork


def benchmark(dataset, kind: str, n_jobs: int) -> dict:
    config = feature_config(kind)
    paths = list(dataset.clips["path"])
    n = len(paths)
    naive = NAIVE[kind]
    rows, cpu = {}, {}
    load = [os.getloadavg()[0]]
    # warm-up, untimed: first calls of librosa (imports, filterbank caches) cost the same to both
    naive(paths[0], config, dataset.clip_seconds)
    with tempfile.TemporaryDirectory(prefix="ascnb-warm-") as warm_dir:
        compute_features(dataset.restrict(dataset.clips.iloc[:1]), config, cache_dir=warm_dir,
                         n_jobs=1, progress=False)
    rows["baseline"], cpu["baseline"], baseline = timed(
        lambda: [naive(p, config, dataset.clip_seconds) for p in paths])
    with tempfile.TemporaryDirectory(prefix="ascnb-bench-") as cache_dir:
        passes = {"cold-1": (compute_features, "one", 1), "cold": (compute_features, "all", n_jobs),
                  "cold-loky": (loky_compute_features, "loky", n_jobs),
                  "cached": (compute_features, "all", n_jobs)}
        results = {}
        for name, (function, folder, jobs) in passes.items():
            rows[name], cpu[name], results[name] = timed(
                lambda: function(dataset, config, cache_dir=Path(cache_dir) / folder, n_jobs=jobs,
                                 progress=False))
        cache_bytes = sum(p.stat().st_size for p in (Path(cache_dir) / "all").rglob("*.npy"))
    ours = results["cold-1"]
    load.append(os.getloadavg()[0])
    difference = max(float(np.abs(a - b).max()) for a, b in zip(baseline, ours))
    same_bits = {name: all(np.array_equal(a, b) for a, b in zip(ours, other))
                 for name, other in results.items() if name != "cold-1"}
    return {
        "config": config.to_dict(), "shape": list(ours[0].shape), "clips": n,
        "passes": {name: {"seconds": round(s, 3), "cpu_seconds": round(cpu[name], 3),
                          "clips_per_second": round(n / s, 1),
                          "speedup_vs_baseline": round(rows["baseline"] / s, 2)}
                   for name, s in rows.items()},
        "max_abs_difference_vs_baseline_db": difference,
        "same_bits_as_cold_1": same_bits,
        "cache_megabytes": round(cache_bytes / 2**20, 1),
        "load_average": load,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("root", nargs="?", default=str(DEFAULT_ROOT), help="ESC-10 (ESC-50 layout)")
    parser.add_argument("--n-jobs", type=int, default=default_n_jobs(), help="processes for 'cold'")
    parser.add_argument("--kinds", nargs="+", default=["logmel", "gammatone"], choices=sorted(NAIVE))
    parser.add_argument("--limit", type=int, default=None, help="first N clips only (a quick look)")
    parser.add_argument("--out", default=str(REPO / "benchmarks" / "out" / "features.json"))
    args = parser.parse_args(argv)

    dataset = load_dataset("esc10", args.root)
    if args.limit:
        dataset = dataset.restrict(dataset.clips.iloc[:args.limit])
    report = {
        "dataset": dataset.description or dataset.name, "root": str(Path(args.root).resolve()),
        "n_jobs": args.n_jobs, "cpu_count": os.cpu_count(), "load_average_at_start": os.getloadavg(),
        "python": platform.python_version(), "versions": library_versions(),
        "results": {},
    }
    for kind in args.kinds:
        print(f"benchmarking {kind} on {len(dataset)} clips …", file=sys.stderr)
        report["results"][kind] = benchmark(dataset, kind, args.n_jobs)

    out = Path(args.out)
    write_text(out, json.dumps(report, indent=2) + "\n")

    print(f"{'features':<10} {'pass':<10} {'seconds':>8} {'cpu s':>7} {'clips/s':>8} {'speed-up':>9}")
    for kind, result in report["results"].items():
        for name, row in result["passes"].items():
            print(f"{kind:<10} {name:<10} {row['seconds']:>8.2f} {row['cpu_seconds']:>7.2f} "
                  f"{row['clips_per_second']:>8.1f} {row['speedup_vs_baseline']:>8.2f}x")
        print(f"{'':<10} max |baseline - ours| = {result['max_abs_difference_vs_baseline_db']:.2g} dB, "
              f"same bits in every pass: {all(result['same_bits_as_cold_1'].values())}, "
              f"cache {result['cache_megabytes']} MB, load {result['load_average']}")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
