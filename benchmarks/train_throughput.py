"""Training throughput (segments/s) of ACRNN and PB-CNN: plain path against fast path

    .venv/bin/python benchmarks/train_throughput.py [--segments N] [--epochs E] [--device auto]

For each model, in one run and on the same random segments (the real input shapes: ACRNN
2 x 128 x 128 log-gammatone + delta, PB-CNN 1 x 128 x 150 log-mel), ``ascnb.train.Trainer``
trains with
- "plain": DataLoader over CPU tensors, batches copied to the device, fp32 (the baseline)
- "fast": the device's fast path defaults (CUDA: data resident on the GPU, index batches,
  bf16 autocast, channels-last; CPU: resident tensors and index batches in fp32)
- "fast-bf16" (CPU only): the fast path with bf16 autocast (and channels-last: the CPU
  default for bf16; benchmarks/cpu_protocol.py compares the CPU paths in detail)
Throughput is taken from the last epoch (the first one warms up kernels and allocators):
trained segments / epoch seconds. On a GPU it also reports model FLOPs utilisation,
MFU = 3 x forward FLOPs per segment (``ascnb.models.cost.model_cost``) x segments/s / peak,
with the peak given by --peak-tflops (default 989: H100 SXM dense bf16; the fp32 plain path is
measured against the same bf16 peak). Output: benchmarks/out/train_throughput.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from ascnb.atomic import write_text  # noqa: E402
from ascnb.models import MODELS as REGISTRY  # noqa: E402
from ascnb.models import build_model  # noqa: E402
from ascnb.models.cost import model_cost  # noqa: E402
from ascnb.provenance import device_name, package_versions  # noqa: E402
from ascnb.train import Trainer, resolve_device  # noqa: E402

# name -> (model, training preset, input shape), from the models registry
MODELS = {name: (name, REGISTRY[name].preset, tuple(REGISTRY[name].input_shape))
          for name in ("acrnn", "pb-cnn")}


def measure(model_name: str, preset: str, input_shape, X, y, device, variant: str,
            epochs: int, batch_size: int) -> dict:
    overrides = {"plain": dict(fast=False, amp="none", channels_last=False),
                 "fast": dict(fast=True),
                 "fast-bf16": dict(fast=True, amp="bf16")}[variant]
    torch.manual_seed(0)
    model = build_model(model_name, 10, input_shape)
    trainer = Trainer(preset, device=device, progress=False, num_epochs=epochs,
                      batch_size=batch_size, deterministic=False, **overrides)
    history = trainer.fit(model, X, y, seed=0)
    seconds = history[-1]["seconds"]
    trained = (len(X) // batch_size) * batch_size + (len(X) % batch_size if len(X) % batch_size > 1 else 0)
    return {"segments_per_s": trained / seconds, "epoch_seconds": seconds,
            "fast": trainer.fast, "amp": str(trainer.amp_dtype),
            "channels_last": trainer.channels_last, "final_loss": history[-1]["loss"]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--segments", type=int, default=None,
                        help="training segments per epoch (default 8192 on CUDA, 128 on CPU)")
    parser.add_argument("--epochs", type=int, default=2, help="epochs per measurement (last one timed)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    parser.add_argument("--peak-tflops", type=float, default=989.0,
                        help="device peak for MFU (bf16 dense TFLOP/s; H100 SXM 989)")
    parser.add_argument("--out", default=str(HERE / "out" / "train_throughput.json"))
    args = parser.parse_args(argv)

    device = resolve_device(args.device)
    on_cuda = device.type == "cuda"
    n = args.segments or (8192 if on_cuda else 128)
    variants = ["plain", "fast"] + ([] if on_cuda else ["fast-bf16"])
    results = {"device": str(device), "device_name": device_name(device),
               "torch_threads": torch.get_num_threads(), "segments": n,
               "batch_size": args.batch_size, "epochs": args.epochs,
               "load_average_at_start": os.getloadavg()[0],
               "packages": package_versions(("torch", "numpy")), "models": {}}
    rng = np.random.default_rng(0)
    for name in args.models:
        model_name, preset, shape = MODELS[name]
        X = rng.normal(size=(n, *shape)).astype(np.float32)
        y = rng.integers(0, 10, n)
        flops = model_cost(build_model(model_name, 10, shape), shape)["flops"]
        entry = {"input_shape": list(shape), "forward_flops_per_segment": flops}
        for variant in variants:
            started = time.perf_counter()
            entry[variant] = measure(model_name, preset, shape, X, y, device, variant,
                                     args.epochs, args.batch_size)
            if on_cuda:
                achieved = 3 * flops * entry[variant]["segments_per_s"]
                entry[variant]["mfu"] = achieved / (args.peak_tflops * 1e12)
            print(f"{name:7s} {variant:9s} {entry[variant]['segments_per_s']:10.1f} segments/s"
                  + (f"  MFU {100 * entry[variant]['mfu']:.1f}%" if on_cuda else "")
                  + f"  ({time.perf_counter() - started:.1f} s)", flush=True)
        for variant in variants[1:]:
            entry[f"speedup_{variant}"] = entry[variant]["segments_per_s"] / entry["plain"]["segments_per_s"]
        results["models"][name] = entry
    if on_cuda:
        results["peak_tflops"] = args.peak_tflops
    out = Path(args.out)
    write_text(out, json.dumps(results, indent=1) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
