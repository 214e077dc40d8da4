"""A notebook asked for ESC-10 reads it where `data download esc50` puts it, and one asked for
a dataset that is nowhere fails naming where it looked (no synthetic stand-in instead)"""

from __future__ import annotations

import nbformat
import pytest

from ascnb.runner import NotebookError, run_notebook


def outputs_text(path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "\n".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
                     for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))


@pytest.fixture
def kernel_env(tmp_path, monkeypatch):
    """Outputs in tmp_path and no shared ESC-10: the kernel inherits these variables"""
    for variable, folder in (("ASCNB_RESULTS", "results"), ("ASCNB_RUNS", "runs"),
                             ("ASCNB_CACHE", "cache"), ("ASCNB_SHARED", "no-shared")):
        monkeypatch.setenv(variable, str(tmp_path / folder))
    return monkeypatch


@pytest.mark.slow
def test_an_esc10_notebook_reads_the_esc50_download_under_ascnb_data(esc50_download, tmp_path, kernel_env):
    kernel_env.setenv("ASCNB_DATA", str(esc50_download))
    output = run_notebook("04-attention", {"dataset": "esc10", "profile": "smoke"},
                          output_dir=tmp_path / "out")
    # ESC-10's 2 classes x 2 folds of the tiny ESC-50-master, its first dog clip
    assert "real ESC-10 (4 clips): dog, 1-7000-A-0.wav, features (2, 128," in outputs_text(output)


def test_a_notebook_asked_for_a_missing_dataset_names_where_it_looked(tmp_path, kernel_env):
    data = tmp_path / "data"
    data.mkdir()
    kernel_env.setenv("ASCNB_DATA", str(data))
    with pytest.raises(NotebookError) as error:
        run_notebook("04-attention", {"dataset": "esc10", "profile": "smoke"},
                     output_dir=tmp_path / "out")
    message = str(error.value)
    assert "DatasetError: ESC-10 not found; looked in:" in message, message
    for place in (data / "ESC-10", data / "ESC-50-master", tmp_path / "no-shared" / "data" / "ESC-10"):
        assert str(place) in message, place
    assert "data download esc50" in message
    assert not list(data.iterdir()), "something was generated in the data root instead"
    assert not (tmp_path / "out" / "04-attention.ipynb").exists()
    assert (tmp_path / "out" / "04-attention.failed.ipynb").exists()
