"""ascnb.experiment.catalogue: each paper table one file, rows shared by hash, files checked"""

from __future__ import annotations

import ast
from collections import defaultdict

import pytest
import yaml

from ascnb.experiment import ConfigError, catalogue, load_table, read_table
from ascnb.paths import REPO
from ascnb.sweep import expand


def test_every_catalogue_file_loads_in_every_profile():
    tables = catalogue()
    assert {"acrnn-table3-attention-augmentation", "acrnn-table4-placement-scaling",
            "pbcnn-table2-models"} <= set(tables)
    for name in tables:
        for profile in ("smoke", "quick", "cpu", "paper"):
            assert load_table(name, profile=profile).rows


def test_each_experiment_is_written_down_once():
    """Two rows with the same values must be one row and a ``from`` reference, not two copies"""
    defined = defaultdict(list)
    for name, spec in catalogue().items():
        for row, exp in spec.experiments(profile="paper").items():
            if "from" not in spec.rows[row]:
                defined[exp.experiment_hash()].append(f"{name}/{row}")
    copies = {h: where for h, where in defined.items() if len(where) > 1}
    assert not copies, f"experiments defined twice (use from: TABLE/ROW): {copies}"


def test_rows_from_another_table_are_the_same_experiment():
    t3 = load_table("acrnn-table3-attention-augmentation", profile="cpu").rows
    t4 = load_table("acrnn-table4-placement-scaling", profile="cpu").rows
    t1 = load_table("acrnn-table1-comparison", profile="cpu").rows
    assert t4["l10 (RNN, softmax)"].experiment_hash() == t3["+ attention + augment"].experiment_hash()
    assert t1["ACRNN"].experiment_hash() == t3["+ attention + augment"].experiment_hash()
    assert t4["no attention"].experiment_hash() == t3["+ augment"].experiment_hash()
    assert len({e.experiment_hash() for e in t4.values()}) == len(t4)


def test_paper_numbers_follow_the_dataset_column():
    spec = read_table("acrnn-table3-attention-augmentation")
    assert spec.paper_value("+ attention", "esc10") == 91.7
    assert spec.paper_value("+ attention", "esc50") == 81.3
    assert read_table("pbcnn-table2-models").paper_value("PB-CNN", "dcase2016") == pytest.approx(89.231)
    assert read_table("pbcnn-table3-segmentation").paper_value("CNN, no split", "dcase2016") == 85.69


NOTEBOOK_SRC = REPO / "book" / "notebook_src"
# what a notebook's load_table arguments may use beside its parameters and plain assignments
SAFE_BUILTINS = {"list": list, "dict": dict, "tuple": tuple}
# notebook calls that no sweep of their table at the notebook's dataset and profile makes
# ("NOTEBOOK: TARGET" -> why); each must still be a sweep task for the call's own knobs
# (none today: page 11's longer_table trains only when a reader sets longer_epochs)
NOT_SWEPT: dict[str, str] = {}


def parameters_cell(source: str) -> dict:
    """The defaults of the cell tagged ``parameters`` of a notebook source (py:percent)"""
    lines = source.splitlines()
    start = next(i for i, line in enumerate(lines)
                 if line.startswith("# %%") and '"parameters"' in line)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("# %%")), len(lines))
    cell = ast.parse("\n".join(lines[start + 1:end]))
    return {node.targets[0].id: ast.literal_eval(node.value) for node in cell.body
            if isinstance(node, ast.Assign)}


def evaluate(node: ast.expr, names: dict):
    return eval(compile(ast.Expression(node), "<notebook>", "eval"),  # our own sources, no builtins
                {"__builtins__": SAFE_BUILTINS}, dict(names))


def load_table_calls(source: str, stem: str) -> list[tuple[str, str, dict]]:
    """("NOTEBOOK: TARGET", table, keyword arguments) of every ``load_table(...)`` of a notebook
    source, its arguments evaluated with the parameters cell's defaults and the plain
    assignments before it (``row = "..."``, ``knobs = dict(...)``)"""
    names = parameters_cell(source)
    tree = ast.parse(source)
    every = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
             and getattr(node.func, "id", None) == "load_table"]
    calls = []
    for node in sorted((n for n in ast.walk(tree) if isinstance(n, ast.Assign)),
                       key=lambda n: (n.lineno, n.col_offset)):
        for call in (c for c in ast.walk(node.value) if c in every):
            try:
                args = [evaluate(arg, names) for arg in call.args]
                kwargs = {}
                for keyword in call.keywords:
                    value = evaluate(keyword.value, names)
                    kwargs.update(value if keyword.arg is None else {keyword.arg: value})
            except Exception as error:
                pytest.fail(f"{stem}.py:{call.lineno}: cannot evaluate {ast.unparse(call)} ({error})")
            if len(args) > 1:
                kwargs["rows"] = args[1]
            calls.append((f"{stem}: {ast.unparse(node.targets[0])}", args[0], kwargs))
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                names[node.targets[0].id] = evaluate(node.value, names)
            except Exception:  # table.run(...) and the like: not a plain value
                names.pop(node.targets[0].id, None)
    assert len(calls) == len(every), f"{stem}: a load_table(...) whose result is not assigned"
    return calls


def run_keys(rows) -> set[str]:
    """What Table.run trains or reads: <config hash>-fold<f>-seed<s> of each row, or
    <experiment hash>-nodata for data that is not on this machine"""
    from ascnb.data import DatasetError
    from ascnb.experiment import data_fingerprint, experiment_dataset

    keys = set()
    for exp in rows:
        exp = exp.resolve()
        try:
            dataset = experiment_dataset(exp)
        except (DatasetError, FileNotFoundError):
            keys.add(f"{exp.experiment_hash()}-nodata")
            continue
        config_hash = exp.config_hash(data_fingerprint(dataset))
        keys |= {f"{config_hash}-fold{fold}-seed{seed}"
                 for fold in exp.fold_list(dataset) for seed in exp.seeds}
    return keys


def unswept(calls, not_swept: dict) -> list[str]:
    """The calls whose runs are not tasks of a sweep of their table at their dataset and
    profile (documented exceptions: not tasks of that sweep, but of one with their knobs)"""
    sweeps, problems = {}, []

    def sweep_keys(name, **knobs):
        key = (name, repr(sorted(knobs.items())))
        if key not in sweeps:
            dataset = knobs.pop("dataset")
            tasks = expand([name], datasets=[dataset], missing_data_ok=True, **knobs)
            sweeps[key] = {t.key for t in tasks} | {t.config_hash for t in tasks}
        return sweeps[key]

    for where, name, kwargs in calls:
        knobs = {k: v for k, v in kwargs.items() if k != "rows"}
        keys = run_keys(load_table(name, **kwargs).rows.values())
        missing = keys - sweep_keys(name, dataset=knobs["dataset"], profile=knobs["profile"])
        if where in not_swept:
            swept = {k: v for k, v in knobs.items() if v is not None and k not in ("device",)}
            if not missing:
                problems.append(f"{where}: documented as not swept, but it is: drop the exception")
            elif keys - sweep_keys(name, **swept):
                problems.append(f"{where}: not a task even of a sweep with its knobs {swept}")
        elif missing:
            problems.append(f"{where}: load_table({name!r}, {kwargs}) runs {sorted(missing)}, "
                            f"which `sweep {name} --dataset {knobs['dataset']} --profile "
                            f"{knobs['profile']}` does not")
    return problems


def test_what_the_notebooks_run_is_what_the_sweep_runs():
    """Every load_table(...) of every notebook, with its parameters' defaults, rows= and knobs
    as written, runs (config hash, fold, seed) that a sweep of its table at its dataset and
    profile runs too, or is a documented exception; no notebook builds experiments itself"""
    tables = catalogue()
    calls = []
    for path in sorted(NOTEBOOK_SRC.glob("*.py")):
        source = path.read_text()
        assert "Experiment(" not in source and "make_experiment" not in source, path.name
        calls += load_table_calls(source, path.stem)
    assert len(calls) >= 14, "the notebooks' load_table calls were not found"
    assert set(NOT_SWEPT) <= {where for where, _, _ in calls}, "an exception names no call"
    for where, name, _ in calls:
        assert name in tables, f"{where} loads unknown table {name!r}"
    problems = unswept(calls, NOT_SWEPT)
    assert not problems, "\n".join(problems)


def test_a_notebook_call_that_the_sweep_does_not_make_is_caught():
    """Negative controls: a call changed to other epochs, or to clips the sweep does not cut,
    is reported; an exception that is no longer needed is reported too"""
    source = (NOTEBOOK_SRC / "21-acrnn-attention-augmentation.py").read_text()
    assert "epochs=epochs" in source
    for change in ("epochs=7", "clips_per_class=2"):
        calls = load_table_calls(source.replace("epochs=epochs", change, 1), "21-changed")
        problems = unswept(calls, {})
        assert len(problems) == 1 and "21-changed: table" in problems[0], (change, problems)
    calls = load_table_calls(source, "21-as-written")
    assert unswept(calls, {}) == []
    assert "drop the exception" in unswept(calls, {"21-as-written: table": "no reason"})[0]


@pytest.mark.parametrize("text, message", [
    ("", "an empty file"),
    ("rows: [1, 2]", "'rows' must map row names"),
    ("rows: {a: {model: acrnn}}\nextra: 1", r"unknown key\(s\) \['extra'\]"),
    ("rows: {a: {modle: acrnn}}", r"row 'a': unknown key\(s\) \['modle'\]"),
    ("rows: {a: {model: acrnn}}\nclaims: [{claim: x, better: a, worse: b}]", "names row 'b'"),
    ("rows: {a: {from: nowhere}}", "'from' must be TABLE/ROW"),
    ("rows: {a: {model: acrnn, overrides: {lr: fast}}}", "row 'a'"),
    ("rows: {a: [model: acrnn}", "not valid YAML"),
])
def test_bad_table_files_are_named(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as error:
        read_table(path).experiments(profile="smoke")
    assert "bad.yaml" in str(error.value)


def test_table_name_must_match_its_file(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump({"table": "other", "rows": {"a": {"model": "acrnn"}}}))
    with pytest.raises(ConfigError, match="must be named as its file"):
        read_table(path)


@pytest.mark.parametrize("epochs", [30, 60])
def test_convergence_rows_are_table3s_attention_rows_at_their_epochs(epochs):
    """The cpu profile's E is picked by the convergence runs; Table 3's records at a new E are
    made with --epochs E before the profile moves, so a convergence row and Table 3's row at
    the same epochs must be one experiment (one record, one checkpoint)"""
    convergence = read_table("cpu-protocol-convergence").experiments(profile="cpu", dataset="esc10")
    t3 = read_table("acrnn-table3-attention-augmentation").experiments(
        profile="cpu", dataset="esc10", epochs=epochs)
    assert convergence[f"{epochs} epochs"].experiment_hash() == t3["+ attention"].experiment_hash()
    assert (convergence[f"{epochs} epochs + augment"].experiment_hash()
            == t3["+ attention + augment"].experiment_hash())
    # and the rows without attention are other experiments
    assert t3["convolutional RNN"].experiment_hash() != t3["+ attention"].experiment_hash()
