"""The notebook runner refuses wrongly typed parameters and cleans up after killed runs"""

from __future__ import annotations

import os

import pytest

from ascnb.runner import ParameterError, check_parameters, remove_stale_partials


def test_a_wrongly_typed_parameter_is_refused_naming_it():
    with pytest.raises(ParameterError, match=r"parameter 'dataset' expects a str .* got 5 \(int\)"):
        check_parameters("01-data", {"dataset": 5})
    with pytest.raises(ParameterError, match=r"parameter 'profile' expects a str"):
        check_parameters("21-acrnn-attention-augmentation", {"profile": ["quick"]})
    check_parameters("21-acrnn-attention-augmentation", {"profile": "cpu", "folds": [1, 2],
                                                        "epochs": 3, "data_root": None})


def test_partial_notebooks_of_killed_runs_are_removed(tmp_path):
    output = tmp_path / "21-acrnn.ipynb"
    dead = tmp_path / ".21-acrnn.running-999999999.ipynb"   # no such process
    alive = tmp_path / f".21-acrnn.running-{os.getpid()}.ipynb"  # this process: still running
    for path in (dead, alive):
        path.write_text("{}")
    assert remove_stale_partials(output) == [dead]
    assert not dead.exists() and alive.exists()


def test_the_rendered_page_hides_papermill_set_up(tmp_path):
    import nbformat

    from ascnb.runner import run_notebook

    output = run_notebook("05-choices", {"dataset": "synthetic"}, output_dir=tmp_path)
    nb = nbformat.read(output, as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    parameters = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert injected and all("remove-cell" in c.metadata["tags"] for c in injected)
    assert parameters and all("hide-input" in c.metadata["tags"] for c in parameters)


def test_figures_reach_the_notebook_even_when_the_caller_sets_mplbackend_agg(tmp_path, monkeypatch):
    """CI exports MPLBACKEND=Agg; the kernel inherits it, and without the runner's override
    plt.show() draws nothing into the notebook (every page of the book lost its figures)"""
    import nbformat

    from ascnb.runner import run_notebook

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("import matplotlib.pyplot as plt\n"
                                          "plt.plot([0, 1], [x, 2])\nplt.show()")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    source = tmp_path / "figure.ipynb"
    nbformat.write(nb, source)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    output = run_notebook(source, {"x": 2}, output_dir=tmp_path / "out")
    executed = nbformat.read(output, as_version=4)
    images = [o for c in executed.cells for o in c.get("outputs", [])
              if "image/png" in o.get("data", {})]
    assert len(images) == 1
    assert os.environ["MPLBACKEND"] == "Agg"      # the caller's setting is restored
