"""A run killed mid-training (SIGKILL, a real subprocess) resumes to the uninterrupted result

On the plain path (fp32), on the CPU fast path that bf16 autocast selects (resident index
batches, channels-last) and on that path with the compiled forward (ASCNB_COMPILE=1); on the
synthetic scenes and, as the esc10 extra, on the real ESC-10 (``audio_dataset``)
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from ascnb.paths import REPO
from ascnb.train.trainer import compiler_available

NUM_EPOCHS = 4
PATHS = {"plain": [], "cpu-fast": ["--set", "amp=bf16"], "cpu-compiled": ["--set", "amp=bf16"]}


def command(dataset, root: Path, cache: Path, path: str) -> list[str]:
    return [sys.executable, "-m", "ascnb", "run-experiment", "--dataset", dataset.name,
            "--data-root", str(dataset.root), "--features", "gammatone",
            "--segmentation", "{length: 32, hop: 32}", "--model", "acrnn",
            "--model-param", "rnn_units=16", "--preset", "acrnn", "--profile", "smoke",
            "--folds", "1", "--seeds", "0", "--epochs", str(NUM_EPOCHS), *PATHS[path],
            "--results-dir", str(root / "results"), "--runs-dir", str(root / "runs"),
            "--cache-dir", str(cache), "--jobs", "1", "--no-progress"]


def only(paths) -> Path:
    paths = list(paths)
    assert len(paths) == 1, paths
    return paths[0]


def run(args: list[str], env: dict) -> None:
    done = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.mark.slow
@pytest.mark.parametrize("path", list(PATHS))
def test_killed_run_resumes_to_the_same_record_and_weights(audio_dataset, tmp_path, path):
    if path == "cpu-compiled" and not compiler_available():
        pytest.skip("torch.compile needs a C++ compiler")
    cache = tmp_path / "cache"
    env = {**os.environ, "PYTHONHASHSEED": "0", "ASCNB_COMPILE": "1" if path == "cpu-compiled" else "0"}

    # the uninterrupted run
    whole = tmp_path / "whole"
    run(command(audio_dataset, whole, cache, path), env)

    # the same run, killed as soon as its first checkpoint is on disk
    killed = tmp_path / "killed"
    process = subprocess.Popen(command(audio_dataset, killed, cache, path), cwd=REPO, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    checkpoint = None
    while time.monotonic() < deadline and process.poll() is None:
        found = list((killed / "runs").glob("*/fold1-seed0/checkpoint.pt"))
        if found:
            checkpoint = found[0]
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.02)
    process.wait(timeout=60)
    assert checkpoint is not None, "the run ended before writing a checkpoint"
    assert process.returncode == -signal.SIGKILL
    assert not list((killed / "results").rglob("*.json")), "killed before the record"
    saved = torch.load(checkpoint, weights_only=False)
    stopped_at = saved["epoch"]
    assert 1 <= stopped_at < NUM_EPOCHS
    if path != "plain":
        assert saved["fingerprint"]["path"]["fast"] and saved["fingerprint"]["path"]["channels_last"]
        assert saved["fingerprint"]["path"]["compile"] == (path == "cpu-compiled")

    # resume: the same command again
    run(command(audio_dataset, killed, cache, path), env)
    a = json.loads(only((whole / "results").rglob("*.json")).read_text())
    b = json.loads(only((killed / "results").rglob("*.json")).read_text())
    assert a["resumed_from_epoch"] == 0 and b["resumed_from_epoch"] == stopped_at
    for key in ("accuracy", "accuracy_class_mean", "accuracy_overall", "per_class_accuracy",
                "confusion", "predictions", "epochs_run", "config_hash", "final_train_loss"):
        assert a[key] == b[key], key
    assert [h["loss"] for h in a["history"]] == [h["loss"] for h in b["history"]]
    weights_a = torch.load(only((whole / "runs").rglob("model.pt")), weights_only=False)["state_dict"]
    weights_b = torch.load(only((killed / "runs").rglob("model.pt")), weights_only=False)["state_dict"]
    assert weights_a.keys() == weights_b.keys()
    assert all(torch.equal(weights_a[k], weights_b[k]) for k in weights_a)
