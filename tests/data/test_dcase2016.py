"""DCASE 2016 Task 1 reader on a tiny folder in the official TUT Acoustic Scenes 2016 layout"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from ascnb.data import AudioError, DatasetError, load_dataset
from ascnb.data.dcase2016 import DEVELOPMENT, EVALUATION, SCENES
from ascnb.paths import REPO

SR = 44100
SECONDS = 0.2
SCENES_USED = ("beach", "bus", "cafe/restaurant")  # "/" in a label, as the real set has
RECORDINGS = 4  # per scene; recording k is tested in fold k


def write_stereo(path: Path, seed: int) -> np.ndarray:
    """24-bit stereo 44.1 kHz, as the official release; returns (samples, 2)"""
    X = 0.3 * np.random.default_rng(seed).uniform(-1, 1, size=(int(SECONDS * SR), 2))
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, X, SR, subtype="PCM_24")
    return X


def lines(path: Path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join("\t".join(row) + "\n" for row in rows))


def build_development(root: Path) -> Path:
    folder = root / DEVELOPMENT
    meta = []
    for s, scene in enumerate(SCENES_USED):
        for r in range(RECORDINGS):
            recording = f"{'abc'[s]}{r:03d}"
            for segment in (0, 30):
                filename = f"audio/{recording}_{segment}_{segment + 30}.wav"
                write_stereo(folder / filename, seed=100 * s + 10 * r + segment)
                meta.append((filename, scene, recording))
    lines(folder / "meta.txt", meta)
    setup = folder / "evaluation_setup"
    for fold in (1, 2, 3, 4):
        tested = [row for row in meta if int(row[2][1:]) == fold - 1]
        trained = [row for row in meta if row not in tested]
        lines(setup / f"fold{fold}_train.txt", [row[:2] for row in trained])
        lines(setup / f"fold{fold}_test.txt", [row[:1] for row in tested])
        lines(setup / f"fold{fold}_evaluate.txt", [row[:2] for row in tested])
    lines(folder / "error.txt", [("audio/a001_0_30.wav", "10.000", "12.500", "mic handling noise")])
    return folder


def build_evaluation(root: Path) -> Path:
    folder = root / EVALUATION
    rows = []
    for i, scene in enumerate(SCENES_USED + ("tram",)):
        filename = f"audio/{i + 1}.wav"
        write_stereo(folder / filename, seed=1000 + i)
        rows.append((filename, scene))
    lines(folder / "evaluation_setup" / "test.txt", [row[:1] for row in rows])
    lines(folder / "evaluation_setup" / "evaluate.txt", rows)
    return folder


@pytest.fixture()
def dcase_root(tmp_path) -> Path:
    build_development(tmp_path)
    build_evaluation(tmp_path)
    return tmp_path


def test_cv_protocol_follows_the_official_folds(dcase_root):
    dataset = load_dataset("dcase2016", dcase_root)
    clips = dataset.clips
    assert dataset.name == "dcase2016" and dataset.folds == (1, 2, 3, 4)
    assert len(clips) == len(SCENES_USED) * RECORDINGS * 2
    assert dataset.classes == SCENES_USED  # official order, classes present only
    assert all(dataset.classes[label] == category for label, category in zip(clips["label"], clips["category"]))
    assert clips["filename"].str.startswith("audio/").all()
    # clips.fold: the fold in which each clip is tested
    for fold in dataset.folds:
        train, test = dataset.split(fold)
        evaluate = (dcase_root / DEVELOPMENT / "evaluation_setup" / f"fold{fold}_evaluate.txt").read_text()
        assert sorted(test["filename"]) == sorted(line.split("\t")[0] for line in evaluate.splitlines())
        assert (test["fold"] == fold).all()
        assert len(train) == len(clips) - len(test)
        assert set(train["path"]).isdisjoint(test["path"])


def test_split_reads_the_train_list_not_the_complement(dcase_root):
    train_list = dcase_root / DEVELOPMENT / "evaluation_setup" / "fold2_train.txt"
    rows = train_list.read_text().splitlines()
    dropped = rows.pop(3).split("\t")[0]
    train_list.write_text("\n".join(rows) + "\n")
    dataset = load_dataset("dcase2016", dcase_root)
    train, test = dataset.split(2)
    assert dropped not in set(train["filename"]) and dropped not in set(test["filename"])
    assert len(train) == len(rows)
    assert dropped in set(dataset.split(1)[0]["filename"])  # other folds untouched


def test_stereo_24_bit_is_averaged_to_mono(dcase_root):
    dataset = load_dataset("dcase2016", dcase_root)
    X = sf.read(dataset.clips["path"].iloc[5], dtype="float64")[0]
    x = dataset.read(5)
    assert dataset.clip_seconds == 30.0 and x.shape == (30 * SR,) and x.dtype == np.float32
    np.testing.assert_allclose(x[: len(X)], X.mean(axis=1), atol=1e-6)
    assert not x[len(X):].any()


def test_error_txt_marks_clips(dcase_root):
    clips = load_dataset("dcase2016", dcase_root).clips
    marked = clips[clips["error"] != ""]
    assert marked["filename"].tolist() == ["audio/a001_0_30.wav"]
    assert "mic handling" in marked["error"].iloc[0]
    (dcase_root / DEVELOPMENT / "error.txt").unlink()  # optional
    assert (load_dataset("dcase2016", dcase_root).clips["error"] == "").all()


def test_eval_protocol(dcase_root):
    dataset = load_dataset("dcase2016-eval", dcase_root)
    assert dataset.folds == ("eval",)
    train, test = dataset.split("eval")
    assert len(train) == len(SCENES_USED) * RECORDINGS * 2 and (train["set"] == "development").all()
    assert len(test) == 4 and (test["set"] == "evaluation").all()
    assert dataset.classes == ("beach", "bus", "cafe/restaurant", "tram")
    assert test["category"].tolist() == ["beach", "bus", "cafe/restaurant", "tram"]
    assert dataset.read(int(test.index[0])).shape == (30 * SR,)


def test_development_only(tmp_path):
    build_development(tmp_path)
    assert len(load_dataset("dcase2016", tmp_path).clips) == 24
    # pointing at the development folder itself works too
    assert len(load_dataset("dcase2016", tmp_path / DEVELOPMENT).clips) == 24
    with pytest.raises(DatasetError, match="protocol 'eval' needs the evaluation set"):
        load_dataset("dcase2016-eval", tmp_path)


def test_the_protocol_is_the_dataset_name(dcase_root):
    with pytest.raises(ValueError, match=r"unknown parameter\(s\) \['protocol'\] for dataset 'dcase2016'"):
        load_dataset("dcase2016", dcase_root, protocol="eval")
    with pytest.raises(ValueError, match=r"unknown DCASE 2016 protocol 'holdout'.*'cv', 'eval'"):
        from ascnb.data.dcase2016 import load_dcase2016

        load_dcase2016(dcase_root, protocol="holdout")
    assert load_dataset("dcase2016-eval", dcase_root).name == "dcase2016-eval"


def test_no_dataset_here(tmp_path):
    with pytest.raises(DatasetError, match="no TUT-acoustic-scenes-2016-development/ folder"):
        load_dataset("dcase2016", tmp_path)


def test_listed_but_missing_audio(dcase_root):
    (dcase_root / DEVELOPMENT / "audio" / "b002_30_60.wav").unlink()
    with pytest.raises(DatasetError, match=r"missing:\n.*b002_30_60\.wav"):
        load_dataset("dcase2016", dcase_root)


def test_missing_setup_file(dcase_root):
    (dcase_root / DEVELOPMENT / "evaluation_setup" / "fold3_evaluate.txt").unlink()
    with pytest.raises(DatasetError, match=r"fold3_evaluate\.txt: file is missing"):
        load_dataset("dcase2016", dcase_root)


def test_meta_line_without_label(dcase_root):
    meta = dcase_root / DEVELOPMENT / "meta.txt"
    meta.write_text(meta.read_text() + "audio/z000_0_30.wav\n")
    with pytest.raises(DatasetError, match=r"meta\.txt, line 25: expected file<TAB>label"):
        load_dataset("dcase2016", dcase_root)


def test_unknown_scene_label(dcase_root):
    meta = dcase_root / DEVELOPMENT / "meta.txt"
    meta.write_text(meta.read_text().replace("\tbus\t", "\tairport\t", 1))
    with pytest.raises(DatasetError, match=r"meta\.txt: unknown scene label.*airport"):
        load_dataset("dcase2016", dcase_root)


def test_setup_label_disagrees_with_meta(dcase_root):
    train_list = dcase_root / DEVELOPMENT / "evaluation_setup" / "fold1_train.txt"
    train_list.write_text(train_list.read_text().replace("\tbus", "\tbeach", 1))
    with pytest.raises(DatasetError, match=r"fold1_train\.txt: label differs"):
        load_dataset("dcase2016", dcase_root)


def test_wrong_sample_rate_in_dcase(dcase_root):
    dataset = load_dataset("dcase2016", dcase_root)
    path = Path(dataset.clips["path"].iloc[0])
    sf.write(path, np.zeros((4800, 2)), 48000, subtype="PCM_24")
    with pytest.raises(AudioError, match=rf"{path.name}: sample rate is 48000 Hz"):
        dataset.read(0)


def test_official_scene_list():
    assert len(SCENES) == 15 and list(SCENES) == sorted(SCENES)


def test_summary_counts_per_set_and_fold(dcase_root):
    from ascnb.data import summarise

    text = summarise(load_dataset("dcase2016-eval", dcase_root))
    assert "development" in text and "evaluation" in text and "fold eval: 24 / 4" in text
    text = summarise(load_dataset("dcase2016", dcase_root))
    assert "channels: 24 clips with 2" in text and "fold 3: 18 / 6" in text


# ---- the shipped PB-CNN tables on a DCASE 2016 folder built here (smoke) ----

def build_matching_evaluation(root: Path) -> Path:
    """An evaluation set whose scenes the development set has (as the real one)"""
    folder = root / EVALUATION
    rows = []
    for i, scene in enumerate(SCENES_USED):
        filename = f"audio/{i + 1}.wav"
        write_stereo(folder / filename, seed=2000 + i)
        rows.append((filename, scene))
    lines(folder / "evaluation_setup" / "test.txt", [row[:1] for row in rows])
    lines(folder / "evaluation_setup" / "evaluate.txt", rows)
    return folder


# (bands, frames, segments per 30 s test clip) each row's record must show
SHAPE_OF_ROW = {"60 bands": (60, 150, 19), "CNN": (128, 150, 19), "PB-CNN": (128, 150, 19),
                "CNN, no split": (128, 1501, 1), "PB-CNN, no overlap": (128, 150, 10)}


@pytest.mark.slow
@pytest.mark.parametrize("config, rows, dataset, folds", [
    ("pbcnn-table1-mel-bands", ["60 bands"], "dcase2016", [1]),
    ("pbcnn-table2-models", ["CNN", "PB-CNN"], "dcase2016", [1, 2]),
    ("pbcnn-table2-models", ["CNN", "PB-CNN"], "dcase2016-eval", ["eval"]),
    ("pbcnn-table3-segmentation", ["CNN, no split", "PB-CNN, no overlap"], "dcase2016", [1]),
])
def test_the_shipped_pbcnn_table_runs_on_dcase2016(tmp_path, config, rows, dataset, folds):
    """Every shipped PB-CNN table, both protocols, from the catalogue file and the CLI, the
    smoke profile, a row or two each (one fold where two add nothing)"""
    import json

    from ascnb.cli import main as cli_main

    build_development(tmp_path / "data")
    build_matching_evaluation(tmp_path / "data")
    path = REPO / "configs" / f"{config}.yaml"
    argv = ["run-experiment", str(path), "--dataset", dataset,
            "--data-root", str(tmp_path / "data"), "--profile", "smoke",
            "--results-dir", str(tmp_path / "results"), "--runs-dir", str(tmp_path / "runs"),
            "--cache-dir", str(tmp_path / "cache"), "--no-progress", "--jobs", "1"]
    argv += [flag for row in rows for flag in ("--row", row)]
    argv += ["--folds", *map(str, folds)] if len(folds) == 1 and dataset == "dcase2016" else []
    assert cli_main(argv) == 0
    records = [json.loads(p.read_text()) for p in sorted((tmp_path / "results").rglob("*.json"))]
    assert len(records) == len(rows) * len(folds)
    assert {r["fold"] for r in records} == set(folds) and {r["name"] for r in records} == set(rows)
    assert {r["dataset"] for r in records} == {dataset} and {r["table"] for r in records} == {config}
    assert all(r["decision"] == "sum_log" and r["accuracy_definition"] == "class_mean" for r in records)
    for r in records:
        bands, frames, segments = SHAPE_OF_ROW[r["name"]]
        assert r["input_shape"] == [1, bands, frames], r["name"]
        assert r["n_test_segments"] == segments * r["n_test_clips"], r["name"]


def test_meta_lines_with_extra_columns_are_refused(dcase_root):
    meta = dcase_root / DEVELOPMENT / "meta.txt"
    lines_ = meta.read_text().splitlines()
    lines_[3] += "\textra"
    meta.write_text("\n".join(lines_) + "\n")
    with pytest.raises(DatasetError, match=r"meta.txt, line 4: 4 tab-separated fields, at most 3"):
        load_dataset("dcase2016", dcase_root)


@pytest.mark.parametrize("row, message", [
    ("a001_0_30.wav\t1.0\t2.0\tnoise", "expected audio/FILE"),
    ("audio/z999_0_30.wav\t1.0\t2.0\tnoise", "audio/z999_0_30.wav is not a file of meta.txt"),
])
def test_error_rows_must_name_files_of_the_set(dcase_root, row, message):
    (dcase_root / DEVELOPMENT / "error.txt").write_text(row + "\n")
    with pytest.raises(DatasetError, match=r"error.txt, line 1: " + message):
        load_dataset("dcase2016", dcase_root)


def test_an_archive_extracted_one_folder_too_deep_gets_a_hint(tmp_path):
    build_development(tmp_path / "downloads")
    with pytest.raises(DatasetError, match=r"found .*downloads/TUT-acoustic-scenes-2016-development "
                                           r"one folder down .*: use .*downloads as the data root"):
        load_dataset("dcase2016", tmp_path)


@pytest.mark.parametrize("command", [
    ["data", "summary", "--dataset", "dcase2016"],
    ["run-experiment", "--dataset", "dcase2016", "--profile", "smoke"],
    ["sweep", "configs/pbcnn-table2-models.yaml", "--profile", "smoke"],
])
def test_the_hint_names_a_flag_each_command_has(tmp_path, capsys, command):
    """Each command shows the hint, and the flag it names takes the folder it names"""
    from ascnb.cli import main as cli_main

    build_development(tmp_path / "downloads")
    results = [] if command[0] == "data" else ["--results-dir", str(tmp_path / "results")]
    assert cli_main(command + ["--data-root", str(tmp_path)] + results) == (1 if command[0] == "data" else 2)
    hint = f"--data-root {tmp_path / 'downloads'}"
    assert hint in capsys.readouterr().err
    if command[0] == "data":
        assert cli_main(command + hint.split()) == 0, capsys.readouterr().err
    elif command[0] == "sweep":  # a dry run: the tasks on the data found there, nothing trained
        assert cli_main(command + hint.split() + results + ["--dry-run"]) == 0
        out = capsys.readouterr().out
        assert "10 to run" in out and "nodata" not in out
    # (run-experiment would train: its --data-root is parsed as the sweep's, add_knob_arguments)
    assert not (tmp_path / "results").exists()


@pytest.mark.slow
def test_the_evaluation_protocol_runs_from_a_notebook(tmp_path, monkeypatch):
    """PB-CNN's attention page, trained on the development set and shown on the evaluation
    set, from the notebook runner on a DCASE folder built here (smoke profile)"""
    import nbformat

    from ascnb.runner import run_notebook

    build_development(tmp_path / "data")
    build_matching_evaluation(tmp_path / "data")
    for variable, folder in (("ASCNB_RUNS", "runs"), ("ASCNB_CACHE", "cache")):
        monkeypatch.setenv(variable, str(tmp_path / folder))   # the kernel inherits them
    output = run_notebook("13-pbcnn-attention-overlay",
                          {"dataset": "dcase2016-eval", "data_root": str(tmp_path / "data"),
                           "profile": "smoke", "results_dir": str(tmp_path / "results")},
                          output_dir=tmp_path / "out")
    executed = nbformat.read(output, as_version=4)
    text = "\n".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
                     for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "dcase2016-eval" in text or "DCASE 2016" in text
    records = list((tmp_path / "results").rglob("fold*-seed*.json"))
    assert records and all(p.name.startswith("foldeval-") for p in records)
