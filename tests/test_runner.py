"""The notebook runner and the sweep: strict parameters, notebook errors, grids, resuming"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from ascnb import runner, sweep
REPO = Path(__file__).resolve().parents[1]


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


# ---- sweeps ----

def test_grid_expansion_with_dotted_keys_and_runs():
    points = sweep.expand_grid(
        {"model": "acrnn", "model_params": {"attention_scale": "softmax"}},
        {"model_params.attention_at": [2, 4], "model_params.attention_scale": ["sigmoid", "softmax"]},
        runs=[{}, {"model": "crnn"}])
    assert len(points) == 8
    assert {"model": "acrnn", "model_params": {"attention_scale": "sigmoid", "attention_at": 4}} in points
    assert sum(p["model"] == "crnn" for p in points) == 4
    # duplicates collapse
    assert len(sweep.expand_grid({"a": 1}, {"b": [1, 1]})) == 1
    with pytest.raises(sweep.SweepError, match="non-empty list"):
        sweep.expand_grid({}, {"b": 3})


def test_sweep_refuses_unknown_notebook_parameter(tiny, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(json.dumps({"kind": "notebook", "notebook": str(tiny), "grid": {"epochz": [1]}}))
    with pytest.raises(sweep.SweepError, match="epochz"):
        sweep.expand_sweep(sweep.load_sweep(path), results_dir=tmp_path / "results")


def test_sweep_stopped_midway_resumes_without_redoing_finished_runs(tiny, tmp_path):
    log_file = tmp_path / "runs.log"
    results = tmp_path / "results"
    out = tmp_path / "executed"
    spec = {"name": "tiny-sweep", "kind": "notebook", "notebook": str(tiny),
            "parameters": {"log_file": str(log_file)}, "grid": {"x": [1, 2, 3, 4]}}
    path = _dump(tmp_path / "sweep.yaml", spec)
    tasks = sweep.expand_sweep(sweep.load_sweep(path), results_dir=results, output_dir=out)
    assert [t.config["x"] for t in tasks] == [1, 2, 3, 4]
    # the sweep stops after two runs (as if killed): their records exist, the others' do not
    sweep.run_task(tasks[0])
    sweep.run_task(tasks[1])
    assert sorted(runs_logged(log_file)) == [1, 2]
    assert [t.done() for t in tasks] == [True, True, False, False]

    # resume on a LocalCluster: only 3 and 4 run
    counts = sweep.run_sweep(path, results_dir=results, output_dir=out, processes=False,
                             n_workers=2, log=lambda *a: None)
    assert counts == {"total": 4, "skipped": 2, "ran": 2, "failed": 0}
    assert sorted(runs_logged(log_file)) == [1, 2, 3, 4]
    assert all(t.done() for t in tasks)
    record = json.loads(tasks[2].record.read_text())
    assert record["parameters"]["x"] == 3 and Path(record["output"]).exists()

    # a third call runs nothing
    counts = sweep.run_sweep(path, results_dir=results, output_dir=out, log=lambda *a: None)
    assert counts["ran"] == 0 and counts["skipped"] == 4
    assert sorted(runs_logged(log_file)) == [1, 2, 3, 4]


def test_sweep_counts_a_failing_run_and_keeps_going(tiny, tmp_path):
    log_file = tmp_path / "runs.log"
    spec = {"name": "failing", "kind": "notebook", "notebook": str(tiny),
            "parameters": {"log_file": str(log_file)}, "grid": {"x": [1, 2]},
            "runs": [{"fail": False}, {"fail": True}]}
    path = _dump(tmp_path / "failing.yaml", spec)
    counts = sweep.run_sweep(path, results_dir=tmp_path / "results", output_dir=tmp_path / "out",
                             processes=False, n_workers=2, log=lambda *a: None)
    assert counts["ran"] == 2 and counts["failed"] == 2
    assert sorted(runs_logged(log_file)) == [1, 1, 2, 2]


def test_committed_sweep_files_expand():
    files = sorted((REPO / "configs").glob("*.yaml"))
    assert files, "configs/ holds the grids of every table"
    for path in files:
        spec = sweep.load_sweep(path)
        assert sweep.expand_grid(spec["base"], spec.get("grid"), spec.get("runs")), path
        if spec["kind"] == "experiment":
            # every point is a valid Experiment, and distinct points are distinct configs
            tasks = sweep.expand_sweep(spec, results_dir=REPO / "results")
            assert len({t.record for t in tasks}) == len(tasks), path
            assert all(t.record.parent.parent.name == spec["name"] for t in tasks), path


def _dump(path: Path, spec: dict) -> Path:
    path.write_text(json.dumps(spec))
    return path
