"""`data summary`: per-fold counts against the official release, every file decoded on --check"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from ascnb.cli import main
from ascnb.data import DatasetError, load_dataset
from ascnb.paths import REPO


@pytest.fixture
def partial_esc10(tmp_path, esc50_layout) -> Path:
    """The official layout with 2 ESC-10 classes in folds 1 and 2 only (a partial download)"""
    return esc50_layout(tmp_path, ((0, "dog", True), (1, "rooster", True)))


def test_summary_names_missing_and_incomplete_folds(partial_esc10, capsys):
    assert main(["data", "summary", "--dataset", "esc10", "--root", str(partial_esc10)]) == 0
    out = capsys.readouterr().out
    assert "MISSING FOLDS: 3, 4, 5" in out
    assert "INCOMPLETE FOLDS: 1, 2" in out and "78 missing" in out


def test_check_decodes_every_file_and_names_each_problem(partial_esc10, capsys):
    audio = partial_esc10 / "audio"
    sf.write(audio / "1-100-A-0.wav", np.zeros(22050), 44100)                 # silent
    sf.write(audio / "2-100-A-0.wav", 0.1 * np.ones(22050), 22050)            # another rate
    data = (audio / "1-101-A-1.wav").read_bytes()
    (audio / "1-101-A-1.wav").write_bytes(data[: len(data) // 2])              # truncated
    assert main(["data", "summary", "--dataset", "esc10", "--root", str(partial_esc10)]) == 0
    out = capsys.readouterr().out
    assert "2-100-A-0.wav: sample rate 22050 Hz" in out  # named even without --check
    assert main(["data", "summary", "--dataset", "esc10", "--root", str(partial_esc10), "--check"]) == 1
    out = capsys.readouterr().out
    assert "3 problem(s)" in out
    assert "1-100-A-0.wav: every sample is zero" in out
    assert "1-101-A-1.wav: audio file is truncated" in out
    assert "2-100-A-0.wav: sample rate is 22050 Hz" in out


def test_summary_into_a_closed_pipe_ends_quietly(partial_esc10):
    result = subprocess.run(f"{sys.executable} -m ascnb data summary --dataset esc10 --root "
                            f"{partial_esc10} | head -1", shell=True, cwd=REPO, capture_output=True,
                            text=True)
    assert result.stdout.strip() and "BrokenPipeError" not in result.stderr
    assert "Traceback" not in result.stderr


def test_an_empty_filename_cell_is_named(partial_esc10):
    csv = partial_esc10 / "meta" / "esc50.csv"
    meta = pd.read_csv(csv)
    meta.loc[2, "filename"] = ""
    meta.to_csv(csv, index=False)
    with pytest.raises(DatasetError, match=r"esc50.csv: empty 'filename' cell on line\(s\) \[4\]"):
        load_dataset("esc10", partial_esc10)


def test_a_data_root_that_is_a_file_is_named(tmp_path, monkeypatch):
    not_a_folder = tmp_path / "data.txt"
    not_a_folder.write_text("")
    monkeypatch.setenv("ASCNB_DATA", str(not_a_folder))
    with pytest.raises(DatasetError, match="data.txt: the data root is a file"):
        load_dataset("synthetic")


def test_check_names_a_nan_sample_file_and_a_0_byte_file(partial_esc10, capsys):
    audio = partial_esc10 / "audio"
    x = 0.1 * np.ones(22050)
    x[100] = np.nan
    sf.write(audio / "2-101-A-1.wav", x, 44100, subtype="FLOAT")            # one NaN sample
    (audio / "1-100-A-0.wav").write_bytes(b"")                                # 0 bytes
    code = main(["data", "summary", "--dataset", "esc10", "--root", str(partial_esc10), "--check"])
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert code == 1
    assert "2-101-A-1.wav: audio holds NaN or infinite samples" in text, text
    assert "1-100-A-0.wav: audio file is empty (0 bytes)" in text, text
    # without --check the header read names the empty file and goes on with the others
    assert main(["data", "summary", "--dataset", "esc10", "--root", str(partial_esc10)]) == 1
    out = capsys.readouterr().out
    assert "UNREADABLE: 1 file(s)" in out and "1-100-A-0.wav: audio file is empty (0 bytes)" in out
    assert "3 clips at 44100 Hz" in out  # the other files are counted
