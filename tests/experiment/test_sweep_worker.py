"""A sweep's worker reads its own ASCNB_DATA when the client's folder is not on its machine,
and refuses data that is not what the client fingerprinted"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from ascnb.experiment import Experiment
from ascnb.sweep import fingerprint_of, run_task

SMALL = dict(dataset="esc10", model="acrnn", model_params={"rnn_units": 16},
             segmentation={"length": 32, "hop": 32}, profile="smoke", clips_per_class=0,
             folds=(1,), seeds=(0,), overrides={"batch_size": 4, "max_batches": 2})


@pytest.fixture
def worker(tmp_path, monkeypatch):
    """This process as a worker: its own runs and cache folders, no shared ESC-10"""
    monkeypatch.setenv("ASCNB_RUNS", str(tmp_path / "runs"))
    monkeypatch.setenv("ASCNB_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("ASCNB_SHARED", str(tmp_path / "no-shared"))
    return monkeypatch


def test_the_clients_folder_missing_here_means_the_workers_ascnb_data(esc50_download, tmp_path, worker):
    fingerprint = fingerprint_of(Experiment(**SMALL, data_root=str(esc50_download)))  # the client's
    worker.setenv("ASCNB_DATA", str(esc50_download))
    client_only = tmp_path / "on-the-client-only"
    assert not client_only.exists()
    record = run_task(Experiment(**SMALL, data_root=str(client_only)).to_dict(), 1, 0, fingerprint)
    assert record["data_fingerprint"] == fingerprint and record["dataset"] == "esc10"
    assert record["classes"] == ["dog", "crackling_fire"] and record["n_test_clips"] == 2
    assert not client_only.exists()


def test_other_data_under_the_workers_ascnb_data_is_refused(esc50_download, tmp_path, worker):
    fingerprint = fingerprint_of(Experiment(**SMALL, data_root=str(esc50_download)))
    other = tmp_path / "worker-data"
    shutil.copytree(esc50_download, other)
    csv = other / "ESC-50-master" / "meta" / "esc50.csv"
    pd.read_csv(csv).iloc[:-3].to_csv(csv, index=False)   # one ESC-10 clip fewer
    worker.setenv("ASCNB_DATA", str(other))
    with pytest.raises(RuntimeError, match=rf"on this worker \({other / 'ESC-50-master'}, fingerprint "
                                           r"\w+\) is not the data the client asked for"):
        run_task(Experiment(**SMALL, data_root=str(tmp_path / "gone")).to_dict(), 1, 0, fingerprint)
    assert not (tmp_path / "runs").exists()
