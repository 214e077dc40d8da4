"""ascnb.sweep: every grid point run once, records returned to the client, a cluster that loses a worker"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

from ascnb.experiment import load_records
from ascnb.paths import REPO
from ascnb.sweep import expand, run_sweep

from .conftest import SYNTH


def grid_table(folder: Path, synth_root: Path, name: str = "grid") -> Path:
    """A 2 × 2 table: two models × two learning rates on the tiny synthetic set"""
    rows = {f"{model} lr {lr}": {"model": model, "overrides": {"lr": lr}}
            for model in ("acrnn", "crnn") for lr in (0.01, 0.02)}
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump({
        "table": name, "datasets": ["synthetic"],
        "base": {"data_root": str(synth_root), "dataset_params": SYNTH,
                 "model_params": {"rnn_units": 16}, "segmentation": {"length": 32, "hop": 32},
                 "clips_per_class": 0, "folds": [1], "overrides": {"batch_size": 4, "max_batches": 2}},
        "rows": rows}))
    return path


def test_the_shipped_table4_expands_to_distinct_tasks():
    tasks = expand([REPO / "configs" / "acrnn-table4-placement-scaling.yaml"], datasets=["esc10"],
                   profile="paper", seeds=[0, 1, 2], missing_data_ok=True)
    keys = [t.key for t in tasks]
    assert len(keys) == len(set(keys)) == 10 * 5 * 3  # 10 rows (2 of them Table 3's) x folds x seeds
    both = expand([REPO / "configs" / "acrnn-table3-attention-augmentation.yaml",
                   REPO / "configs" / "acrnn-table4-placement-scaling.yaml"], datasets=["esc10"],
                  profile="paper", missing_data_ok=True)
    assert len(both) == (4 + 10 - 2) * 5  # the two shared rows are one task each


def test_a_dry_run_on_missing_data_says_once_why_the_keys_are_pending(tmp_path):
    missing = tmp_path / "no-esc10-here"
    log = []
    counts = run_sweep([REPO / "configs" / "acrnn-table3-attention-augmentation.yaml"],
                       datasets=["esc10"], data_root=str(missing), profile="paper",
                       results_dir=tmp_path / "results", dry_run=True, log=log.append)
    assert counts["total"] == counts["ran"] + 20 and counts["ran"] == 0
    reasons = [line for line in log if line.lstrip().startswith("data not on this machine:")]
    assert len(reasons) == 1 and "'esc10'" in reasons[0] and str(missing) in reasons[0], log
    assert sum("key pending" in line for line in log) == 20
    assert not (tmp_path / "results").exists()  # a dry run writes nothing


def test_a_2x2_grid_writes_4_records_in_one_go(tmp_path, synth_root, monkeypatch):
    monkeypatch.setenv("ASCNB_RUNS", str(tmp_path / "runs"))
    table = grid_table(tmp_path, synth_root)
    log = []
    counts = run_sweep([table], results_dir=tmp_path / "results", profile="smoke", n_workers=2,
                       log=log.append)
    assert counts == {"total": 4, "skipped": 0, "ran": 4, "failed": 0}, log
    records = load_records(tmp_path / "results")
    assert len(records) == 4 and records["config_hash"].nunique() == 4
    again = run_sweep([table], results_dir=tmp_path / "results", profile="smoke", log=log.append)
    assert again == {"total": 4, "skipped": 4, "ran": 0, "failed": 0}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_a_cluster_without_shared_storage_returns_every_record_to_the_client(tmp_path, synth_root):
    """A dask scheduler and two workers on 127.0.0.1, each in its own folder with its own data
    and runs; one worker is killed mid-task. The client ends with every record, the same
    metrics as a LocalCluster run of the same grid"""
    table = grid_table(tmp_path, synth_root)
    port = free_port()
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    scheduler = subprocess.Popen([bin_dir / "dask", "scheduler", "--host", "127.0.0.1",
                                  "--port", str(port), "--no-dashboard"],
                                 cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
    workers = []
    try:
        for i in range(2):
            home = tmp_path / f"worker{i}"
            home.mkdir()
            workers.append(subprocess.Popen(
                [bin_dir / "dask", "worker", f"tcp://127.0.0.1:{port}", "--nthreads", "1",
                 "--no-dashboard", "--no-nanny", "--name", f"w{i}"], cwd=home,
                env={**env, "ASCNB_DATA": str(synth_root), "ASCNB_RUNS": str(home / "runs"),
                     "ASCNB_RESULTS": str(home / "results"), "ASCNB_CACHE": str(home / "cache")},
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        from distributed import Client

        with Client(f"tcp://127.0.0.1:{port}", timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
            pids = {f"w{i}": worker.pid for i, worker in enumerate(workers)}

            killed = {}

            def kill_a_busy_worker():
                deadline = time.monotonic() + 300
                while time.monotonic() < deadline and not killed:
                    for address, keys in client.processing().items():
                        if keys:
                            name = client.scheduler_info()["workers"][address]["name"]
                            time.sleep(0.5)  # let it start training
                            os.kill(pids[name], signal.SIGKILL)
                            killed[name] = list(keys)
                            return
                    time.sleep(0.05)

            killer = threading.Thread(target=kill_a_busy_worker)
            killer.start()
            client_results = tmp_path / "client-results"
            counts = run_sweep([table], scheduler=f"tcp://127.0.0.1:{port}",
                               results_dir=client_results, profile="smoke", log=lambda _: None)
            killer.join()
        assert killed, "no worker was killed mid-task"
        assert counts["ran"] == 4 and counts["failed"] == 0, counts
        for i in range(2):  # nothing landed in the workers' own results folders
            assert not list((tmp_path / f"worker{i}" / "results").rglob("*.json"))
        remote = load_records(client_results).sort_values("config_hash").reset_index(drop=True)

        local_results = tmp_path / "local-results"
        os.environ["ASCNB_RUNS"] = str(tmp_path / "local-runs")
        try:
            run_sweep([table], results_dir=local_results, profile="smoke", n_workers=2,
                      log=lambda _: None)
        finally:
            del os.environ["ASCNB_RUNS"]
        local = load_records(local_results).sort_values("config_hash").reset_index(drop=True)
        assert list(remote["config_hash"]) == list(local["config_hash"])
        for key in ("accuracy", "predictions", "final_train_loss"):
            assert list(remote[key]) == list(local[key]), key
    finally:
        for process in workers + [scheduler]:
            process.kill()
            process.wait(timeout=30)


def test_a_failing_task_is_one_line_and_the_others_run(tmp_path, synth_root, monkeypatch, capfd):
    monkeypatch.setenv("ASCNB_RUNS", str(tmp_path / "runs"))
    path = tmp_path / "mixed.yaml"
    path.write_text(yaml.safe_dump({
        "table": "mixed", "datasets": ["synthetic"],
        "base": {"data_root": str(synth_root), "dataset_params": SYNTH, "model": "acrnn",
                 "model_params": {"rnn_units": 16}, "segmentation": {"length": 32, "hop": 32},
                 "clips_per_class": 0, "folds": [1], "overrides": {"batch_size": 4, "max_batches": 2}},
        "rows": {"fine": {}, "diverges": {"overrides": {"lr": 1.0e30}}}}))
    log = []
    counts = run_sweep([path], results_dir=tmp_path / "results", profile="smoke", n_workers=1,
                       log=log.append)
    assert counts["ran"] == 1 and counts["failed"] == 1, log
    failed = [line for line in log if "FAILED" in line]
    assert len(failed) == 1 and "diverges" in failed[0] and "NonFiniteLossError" in failed[0]
    assert "epoch 1" in failed[0]
    out, err = capfd.readouterr()
    assert "Compute Failed" not in out + err
    assert len(load_records(tmp_path / "results")) == 1
