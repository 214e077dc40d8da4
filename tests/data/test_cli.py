"""`python -m ascnb data …`: summary, synth and download from the command line"""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from ascnb.cli import main
from ascnb.data import load_dataset


def test_summary_counts_the_clips_per_class_and_fold(audio_dataset, capsys):
    """On the synthetic scenes and, as the esc10 extra, on the real ESC-10"""
    clips = audio_dataset.clips
    argv = ["data", "summary", "--dataset", audio_dataset.name, "--root", str(audio_dataset.root)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert f"clips: {len(clips)} " in out and f"{len(clips)} clips at 44100 Hz" in out
    counts = pd.crosstab(clips["category"], clips["fold"])
    first = counts.index[0]
    table = [line.split() for line in out.splitlines() if line.startswith((f"{first} ", "total  "))]
    assert table == [[first, *map(str, counts.loc[first]), str(counts.loc[first].sum())],
                     ["total", *map(str, counts.sum()), str(len(clips))]]


@pytest.mark.esc10
def test_summary_of_the_real_esc10(esc10_root, capsys):
    assert main(["data", "summary", "--dataset", "esc10", "--root", str(esc10_root)]) == 0
    out = capsys.readouterr().out
    assert "clips: 400" in out and "400 clips at 44100 Hz" in out
    assert "total duration: 2003.5 s" in out  # headers, not the cropped 5.00 s
    table = [line.split() for line in out.splitlines() if line.startswith(("dog ", "total  "))]
    assert table == [["dog", "8", "8", "8", "8", "8", "40"], ["total", "80", "80", "80", "80", "80", "400"]]


def test_synth_then_summary(tmp_path, capsys):
    out_dir = tmp_path / "scenes"
    argv = ["data", "synth", "--out", str(out_dir), "--classes", "3", "--clips-per-class", "2",
            "--duration", "2", "--folds", "2", "--snr-min", "-3", "--snr-max", "3", "--seed", "5"]
    assert main(argv) == 0
    assert "wrote 6 clips" in capsys.readouterr().out
    dataset = load_dataset("synthetic", out_dir)
    assert len(dataset.clips) == 6 and dataset.clip_seconds == 2.0
    assert dataset.events["snr_db"][dataset.events["kind"] == "foreground"].between(-3, 3).all()
    assert main(argv) == 1  # refuses to write over it
    assert "not empty" in capsys.readouterr().err
    assert main([*argv, "--overwrite"]) == 0
    assert main(["data", "summary", "--dataset", "synthetic", "--root", str(out_dir)]) == 0
    assert "total duration: 12.0 s" in capsys.readouterr().out


def test_summary_of_a_missing_dataset(tmp_path, capsys):
    assert main(["data", "summary", "--dataset", "dcase2016", "--root", str(tmp_path)]) == 1
    assert "no TUT-acoustic-scenes-2016-development/ folder" in capsys.readouterr().err


def test_download_refuses_unknown_names(capsys):
    with pytest.raises(SystemExit):
        main(["data", "download", "imagenet", "--root", "/nonexistent"])
    assert "invalid choice: 'imagenet'" in capsys.readouterr().err


def test_module_entry_point():
    result = subprocess.run([sys.executable, "-m", "ascnb", "data", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "summary" in result.stdout and "download" in result.stdout
