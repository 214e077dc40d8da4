"""ascnb.experiment.catalogue: each paper table one file, rows shared by hash, files checked"""

from __future__ import annotations

import re
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


def test_notebooks_load_their_tables_from_the_catalogue_and_hash_equal_the_sweep():
    """Every notebook that trains names catalogue tables; the rows it runs for its knobs are the
    sweep's tasks for the same knobs (same config hashes), and no notebook builds experiments"""
    import nbformat
    import papermill

    from ascnb.experiment.config import Experiment

    tables = catalogue()
    for path in sorted((REPO / "notebooks").glob("*.ipynb")):
        source = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells
                           if c.cell_type == "code")
        assert "Experiment(" not in source and "make_experiment" not in source, path.name
        for name in re.findall(r"load_table\(\s*[\"']([^\"']+)[\"']", source):
            assert name in tables, f"{path.name} loads unknown table {name!r}"
            declared = papermill.inspect_notebook(str(path))
            knobs = {"dataset": "synthetic", "profile": "smoke"}
            for key in ("folds", "seeds", "epochs"):
                if key in declared:
                    knobs[key] = None
            rows = load_table(name, **knobs).rows
            tasks = expand([name], datasets=["synthetic"], profile="smoke")
            assert {exp.experiment_hash() for exp in rows.values()} == {
                Experiment.from_dict(t.experiment).experiment_hash() for t in tasks}, path.name


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
