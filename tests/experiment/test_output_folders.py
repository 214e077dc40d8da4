"""Output folders that take no files are refused before training, by the pipeline and the
sweep; a record the sweep cannot write is a failed task naming the file"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from ascnb.cli import main as cli_main
from ascnb.experiment import pipeline
from ascnb.experiment.pipeline import check_writable
from ascnb.sweep import run_sweep

from .conftest import SYNTH


def one_task_table(folder: Path, synth_root: Path) -> Path:
    """One row, one fold of the tiny synthetic set: a sweep of one task"""
    path = folder / "one.yaml"
    path.write_text(yaml.safe_dump({
        "table": "one", "datasets": ["synthetic"],
        "base": {"data_root": str(synth_root), "dataset_params": SYNTH, "model": "acrnn",
                 "model_params": {"rnn_units": 16}, "segmentation": {"length": 32, "hop": 32},
                 "clips_per_class": 0, "folds": [1], "overrides": {"batch_size": 4, "max_batches": 2}},
        "rows": {"acrnn": {}}}))
    return path


def test_a_writable_folder_passes_and_keeps_no_probe(tmp_path):
    check_writable(tmp_path / "new" / "records", "result records")
    assert (tmp_path / "new" / "records").is_dir()
    assert not list((tmp_path / "new" / "records").iterdir())


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="chmod does not stop root from writing (simulated below)")
def test_a_read_only_folder_is_refused(tmp_path):
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(OSError, match=rf"{folder}: cannot write result records there \(Permission denied\)"):
            check_writable(folder, "result records")
    finally:
        folder.chmod(0o755)


@pytest.mark.parametrize("code, words", [(errno.EACCES, "Permission denied"),
                                         (errno.EROFS, "Read-only file system"),
                                         (errno.ENOSPC, "No space left on device")])
def test_a_folder_that_refuses_the_probe_is_refused(tmp_path, monkeypatch, code, words):
    """A read-only folder (what chmod 0o555 gives a user that is not root), a read-only file
    system, a full disk: the probe's write fails and the folder is named with the reason"""
    def refuse(path, *args, **kwargs):
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr(pipeline, "open", refuse, raising=False)
    with pytest.raises(OSError, match=rf"{tmp_path}: cannot write checkpoints there \({words}\)"):
        check_writable(tmp_path, "checkpoints")


def test_a_nearly_full_disk_is_refused(tmp_path, monkeypatch):
    """A probe of 64 KiB still fits: the free space says there is no room for a checkpoint"""
    monkeypatch.setattr(pipeline.os, "statvfs",
                        lambda path: SimpleNamespace(f_bavail=100, f_frsize=4096, f_blocks=10**6))
    with pytest.raises(OSError, match=rf"{tmp_path}: only 0.4 MiB free .* to write result records"):
        check_writable(tmp_path, "result records")
    check_writable(tmp_path, "result records", min_free=100 * 4096)  # what is asked is there


def test_a_sweep_into_a_folder_that_takes_no_files_stops_before_training(tmp_path, synth_root,
                                                                       monkeypatch, capsys):
    monkeypatch.setenv("ASCNB_RUNS", str(tmp_path / "runs"))
    monkeypatch.setenv("ASCNB_CACHE", str(tmp_path / "cache"))
    table = one_task_table(tmp_path, synth_root)
    blocker = tmp_path / "results"
    blocker.write_text("a file where the results folder should be")
    assert cli_main(["sweep", str(table), "--profile", "smoke", "--results-dir", str(blocker)]) == 2
    err = capsys.readouterr().err
    assert f"{blocker}: cannot write result records there" in err, err
    assert not (tmp_path / "runs").exists(), "a task ran"


def test_a_sweep_asking_for_a_device_that_is_not_here_stops_before_training(tmp_path, synth_root,
                                                                          monkeypatch, capsys):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this torch has CUDA")
    monkeypatch.setenv("ASCNB_RUNS", str(tmp_path / "runs"))
    monkeypatch.setenv("ASCNB_CACHE", str(tmp_path / "cache"))
    table = one_task_table(tmp_path, synth_root)
    assert cli_main(["sweep", str(table), "--profile", "smoke", "--device", "cuda",
                     "--results-dir", str(tmp_path / "results")]) == 2
    assert "no CUDA device is available" in capsys.readouterr().err
    assert not (tmp_path / "runs").exists(), "a task ran"
    assert not list((tmp_path / "results").rglob("*.json"))


@pytest.mark.slow
def test_a_record_the_sweep_cannot_write_is_a_failed_task_naming_the_file(tmp_path, synth_root,
                                                                        monkeypatch):
    """The disk fills while the task trains: the client's write fails, the task is counted
    failed, the log names the record's file, and nothing is half-written"""
    import ascnb.sweep

    monkeypatch.setenv("ASCNB_RUNS", str(tmp_path / "runs"))
    monkeypatch.setenv("ASCNB_CACHE", str(tmp_path / "cache"))

    def full_disk(path, payload, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(ascnb.sweep, "write_json", full_disk)
    log = []
    counts = run_sweep([one_task_table(tmp_path, synth_root)], results_dir=tmp_path / "results",
                       profile="smoke", n_workers=1, log=log.append)
    assert counts == {"total": 1, "skipped": 0, "ran": 0, "failed": 1}, log
    (failed,) = [line for line in log if "FAILED" in line]
    assert "its record could not be written to" in failed and str(tmp_path / "results") in failed
    assert "fold1-seed0.json" in failed and "No space left on device" in failed
    assert not list((tmp_path / "results").rglob("*.json"))
