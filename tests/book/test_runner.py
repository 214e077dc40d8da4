"""The notebook runner: strict parameters, notebook errors, atomic executed copies

(The sweep over catalogue tables is tested in tests/experiment/test_sweep.py.)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from ascnb import runner
from ascnb.paths import REPO


def write_notebook(path: Path) -> Path:
    """A tiny notebook: appends its parameters to a log file, raises when fail is True"""
    nb = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell('x = 1\nfail = False\nlog_file = "runs.log"')
    parameters.metadata["tags"] = ["parameters"]
    body = nbformat.v4.new_code_cell(
        "with open(log_file, 'a') as f:\n"
        "    f.write(f'{x}\\n')\n"
        "if fail:\n"
        "    raise ValueError(f'boom from the notebook with x={x}')\n"
        "y = x * 2")
    nb.cells = [nbformat.v4.new_markdown_cell("# tiny"), parameters, body]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def runs_logged(log_file: Path) -> list[int]:
    return [int(line) for line in log_file.read_text().split()] if log_file.exists() else []


@pytest.fixture
def tiny(tmp_path) -> Path:
    return write_notebook(tmp_path / "tiny.ipynb")


def test_unknown_parameter_is_refused_before_running(tiny, tmp_path):
    log_file = tmp_path / "runs.log"
    with pytest.raises(runner.ParameterError) as error:
        runner.run_notebook(tiny, {"x": 2, "epochz": 3, "log_file": str(log_file)},
                            output_dir=tmp_path / "out")
    assert "epochz" in str(error.value) and "log_file" in str(error.value)
    assert not log_file.exists()                     # nothing ran
    assert not (tmp_path / "out" / "tiny.ipynb").exists()


def test_executed_copy_has_the_parameters_and_outputs(tiny, tmp_path):
    log_file = tmp_path / "runs.log"
    output = runner.run_notebook(tiny, {"x": 21, "log_file": str(log_file)}, output_dir=tmp_path / "out")
    assert output == tmp_path / "out" / "tiny.ipynb"
    nb = nbformat.read(output, as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and "x = 21" in injected[0].source
    assert runs_logged(log_file) == [21]
    assert not list((tmp_path / "out").glob(".*running*"))   # no temporary left behind


def test_failing_cell_fails_with_the_notebook_error(tiny, tmp_path):
    out = tmp_path / "out"
    log_file = tmp_path / "runs.log"
    runner.run_notebook(tiny, {"x": 1, "log_file": str(log_file)}, output_dir=out)
    good = (out / "tiny.ipynb").read_bytes()
    with pytest.raises(runner.NotebookError) as error:
        runner.run_notebook(tiny, {"x": 7, "fail": True, "log_file": str(log_file)}, output_dir=out)
    message = str(error.value)
    assert "ValueError" in message and "boom from the notebook with x=7" in message
    assert (out / "tiny.ipynb").read_bytes() == good        # the last good copy is kept
    assert (out / "tiny.failed.ipynb").exists()


def test_command_line_reads_values_as_yaml_and_exits_nonzero(tiny, tmp_path):
    log_file = tmp_path / "runs.log"
    command = [sys.executable, "-m", "ascnb", "run", str(tiny), "--output-dir", str(tmp_path / "out"),
               "-p", "log_file", str(log_file)]
    ok = subprocess.run(command + ["-p", "x", "5"], capture_output=True, text=True, cwd=REPO)
    assert ok.returncode == 0, ok.stderr
    assert runs_logged(log_file) == [5]
    unknown = subprocess.run(command + ["-p", "nope", "1"], capture_output=True, text=True, cwd=REPO)
    assert unknown.returncode != 0 and "unknown parameter(s) ['nope']" in unknown.stderr
    failing = subprocess.run(command + ["-p", "fail", "true"], capture_output=True, text=True, cwd=REPO)
    assert failing.returncode != 0 and "boom from the notebook" in failing.stderr


def test_parse_value():
    assert runner.parse_value("3") == 3
    assert runner.parse_value("[1, 2]") == [1, 2]
    assert runner.parse_value("cpu") == "cpu"
    assert runner.parse_value("true") is True
