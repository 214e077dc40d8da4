"""A run killed mid-training (SIGKILL, a real subprocess) resumes to the uninterrupted result"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
import yaml

REPO = Path(__file__).resolve().parents[1]
NUM_EPOCHS = 4


def command(config: Path, root: Path, cache: Path) -> list[str]:
    return [sys.executable, "-m", "ascnb", "run-experiment", str(config),
            "--results-dir", str(root / "results"), "--runs-dir", str(root / "runs"),
            "--cache-dir", str(cache), "--jobs", "1", "--no-progress"]


def only(paths) -> Path:
    paths = list(paths)
    assert len(paths) == 1, paths
    return paths[0]


@pytest.mark.slow
def test_killed_run_resumes_to_the_same_record_and_weights(esc10_root, tmp_path):
    config = tmp_path / "resume.yaml"
    config.write_text(yaml.safe_dump({
        "name": "resume", "dataset": "esc50", "subset": "esc10", "data_root": str(esc10_root),
        "features": "gammatone", "segmentation": {"length": 32, "hop": 32}, "model": "acrnn",
        "model_params": {"rnn_units": 16}, "preset": "acrnn", "profile": "smoke",
        "folds": [1], "seeds": [0], "overrides": {"num_epochs": NUM_EPOCHS}}))
    cache = tmp_path / "cache"
    env = {**os.environ, "PYTHONHASHSEED": "0"}

    # the uninterrupted run
    whole = tmp_path / "whole"
    subprocess.run(command(config, whole, cache), cwd=REPO, env=env, check=True,
                   capture_output=True, timeout=600)

    # the same run, killed as soon as its first checkpoint is on disk
    killed = tmp_path / "killed"
    process = subprocess.Popen(command(config, killed, cache), cwd=REPO, env=env,
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
    stopped_at = torch.load(checkpoint, weights_only=False)["epoch"]
    assert 1 <= stopped_at < NUM_EPOCHS

    # resume: the same command again
    subprocess.run(command(config, killed, cache), cwd=REPO, env=env, check=True,
                   capture_output=True, timeout=600)
    a = json.loads(only((whole / "results").rglob("*.json")).read_text())
    b = json.loads(only((killed / "results").rglob("*.json")).read_text())
    assert a["resumed_from_epoch"] == 0 and b["resumed_from_epoch"] == stopped_at
    for key in ("accuracy", "accuracy_class_mean", "accuracy_overall", "per_class_accuracy",
                "confusion", "predictions", "epochs_run", "config_hash", "final_train_loss"):
        assert a[key] == b[key], key
    assert [h["loss"] for h in a["history"]] == [h["loss"] for h in b["history"]]
    weights_a = torch.load(a["model_path"], weights_only=False)["state_dict"]
    weights_b = torch.load(b["model_path"], weights_only=False)["state_dict"]
    assert weights_a.keys() == weights_b.keys()
    assert all(torch.equal(weights_a[k], weights_b[k]) for k in weights_a)
