"""DCASE 2016 Task 1 (TUT Acoustic Scenes 2016) in its official layout

Book: notebooks/01-data.ipynb ("Clips, classes and folds"). The zenodo archives extract
to two folders beside each other under the data root:

    TUT-acoustic-scenes-2016-development/
        meta.txt                           audio/a001_0_30.wav<TAB>residential_area[<TAB>a001]
        error.txt                          (optional) audio/…wav<TAB>onset<TAB>offset<TAB>note
        evaluation_setup/fold{1..4}_train.txt     file<TAB>label
        evaluation_setup/fold{1..4}_test.txt      file
        evaluation_setup/fold{1..4}_evaluate.txt  file<TAB>label
        audio/*.wav                        24-bit stereo 44.1 kHz, 30 s
    TUT-acoustic-scenes-2016-evaluation/
        evaluation_setup/test.txt, evaluate.txt
        audio/*.wav

Protocol "cv": the official 4 folds; ``split(k)`` returns exactly the clips of
``fold{k}_train.txt`` and ``fold{k}_evaluate.txt``, and ``clips.fold`` is the fold in which
a development clip is tested. Protocol "eval": train on the whole development set, test on
the evaluation set (``folds == ("eval",)``, evaluation clips have fold 0). Stereo is averaged
to mono (PB-CNN section 3.1.2).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ascnb.data.audio import SAMPLE_RATE
from ascnb.data.dataset import AudioDataset, DatasetError, check_files_exist

DEVELOPMENT = "TUT-acoustic-scenes-2016-development"
EVALUATION = "TUT-acoustic-scenes-2016-evaluation"
SCENES = (
    "beach", "bus", "cafe/restaurant", "car", "city_center", "forest_path", "grocery_store",
    "home", "library", "metro_station", "office", "park", "residential_area", "train", "tram",
)
CV_FOLDS = (1, 2, 3, 4)
PROTOCOLS = ("cv", "eval")
CLIP_SECONDS = 30.0


def read_list(path: Path, *, with_labels: bool, max_fields: int | None = None) -> pd.DataFrame:
    """A tab-separated list of files (and labels): columns filename[, category]; a line with
    more than ``max_fields`` fields (default 2 with labels, 1 without) is refused"""
    max_fields = max_fields or (2 if with_labels else 1)
    if not path.is_file():
        raise DatasetError(f"{path}: file is missing (expected the official DCASE 2016 layout)")
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        fields = [field.strip() for field in line.rstrip("\t").split("\t")]
        if with_labels and (len(fields) < 2 or not fields[1]):
            raise DatasetError(f"{path}, line {number}: expected file<TAB>label, got {line!r}")
        if len(fields) > max_fields:
            raise DatasetError(f"{path}, line {number}: {len(fields)} tab-separated fields, at most "
                               f"{max_fields} expected, got {line!r}")
        rows.append({"filename": fields[0], "category": fields[1]} if with_labels
                    else {"filename": fields[0]})
    if not rows:
        raise DatasetError(f"{path}: lists no files")
    table = pd.DataFrame(rows)
    duplicated = table["filename"].duplicated()
    if duplicated.any():
        raise DatasetError(f"{path}: file(s) listed twice: {table['filename'][duplicated].tolist()[:5]}")
    return table


def read_errors(path: Path, known: set[str] | None = None) -> pd.DataFrame:
    """error.txt: segments the authors marked as faulty (file, then onset/offset/note when given);
    a row naming a file that is not an ``audio/`` file of the set (``known``) is refused"""
    rows = []
    if path.is_file():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            fields = [field.strip() for field in line.split("\t") if field.strip()]
            if not fields:
                continue
            if not fields[0].startswith("audio/"):
                raise DatasetError(f"{path}, line {number}: expected audio/FILE<TAB>…, got {line!r}")
            if known is not None and fields[0] not in known:
                raise DatasetError(f"{path}, line {number}: {fields[0]} is not a file of meta.txt")
            rows.append({"filename": fields[0], "error": " ".join(fields[1:]) or "marked faulty"})
    return pd.DataFrame(rows, columns=["filename", "error"])


def find_dcase2016_folders(root: Path) -> tuple[Path | None, Path | None]:
    """(development folder, evaluation folder or None) under ``root``"""
    development = root / DEVELOPMENT
    if not development.is_dir() and (root / "meta.txt").is_file() and (root / "evaluation_setup").is_dir():
        development = root  # pointed at the development folder itself
    evaluation = root / EVALUATION
    if not evaluation.is_dir() and development == root:
        evaluation = root.parent / EVALUATION
    return (development if development.is_dir() else None,
            evaluation if evaluation.is_dir() else None)


def check_labels(table: pd.DataFrame, source: Path) -> None:
    unknown = table[~table["category"].isin(SCENES)]
    if not unknown.empty:
        rows = unknown.head(5).to_dict("records")
        raise DatasetError(f"{source}: unknown scene label(s) {rows}; known: {SCENES}")


def load_development(folder: Path) -> tuple[pd.DataFrame, dict]:
    """Development clips (with the fold each is tested in) and the official fold lists"""
    meta_path = folder / "meta.txt"
    meta = read_list(meta_path, with_labels=True, max_fields=3)  # file, scene, recording
    check_labels(meta, meta_path)
    label_of = dict(zip(meta["filename"], meta["category"]))
    meta["path"] = [str(folder / filename) for filename in meta["filename"]]
    meta["fold"] = 0
    splits = {}
    setup = folder / "evaluation_setup"
    for fold in CV_FOLDS:
        train = read_list(setup / f"fold{fold}_train.txt", with_labels=True)
        evaluate = read_list(setup / f"fold{fold}_evaluate.txt", with_labels=True)
        test_path = setup / f"fold{fold}_test.txt"
        if test_path.is_file():
            test = read_list(test_path, with_labels=False)
            if set(test["filename"]) != set(evaluate["filename"]):
                raise DatasetError(f"{test_path}: lists other files than {setup / f'fold{fold}_evaluate.txt'}")
        for listed, source in ((train, f"fold{fold}_train.txt"), (evaluate, f"fold{fold}_evaluate.txt")):
            unknown = sorted(set(listed["filename"]) - set(label_of))
            if unknown:
                raise DatasetError(f"{setup / source}: file(s) not in {meta_path}: {unknown[:5]}")
            wrong = [f for f, c in zip(listed["filename"], listed["category"]) if label_of[f] != c]
            if wrong:
                raise DatasetError(f"{setup / source}: label differs from {meta_path} for {wrong[:5]}")
        overlap = sorted(set(train["filename"]) & set(evaluate["filename"]))
        if overlap:
            raise DatasetError(f"{setup}: fold {fold} trains and tests on the same file(s) {overlap[:5]}")
        tested = meta["filename"].isin(set(evaluate["filename"]))
        twice = meta.loc[tested & (meta["fold"] > 0), "filename"].tolist()
        if twice:
            raise DatasetError(f"{setup}: file(s) tested in two folds: {twice[:5]}")
        meta.loc[tested, "fold"] = fold
        splits[fold] = (tuple(str(folder / f) for f in train["filename"]),
                        tuple(str(folder / f) for f in evaluate["filename"]))
    errors = read_errors(folder / "error.txt", known=set(meta["filename"]))
    notes = errors.groupby("filename")["error"].agg("; ".join).to_dict()
    meta["error"] = [notes.get(filename, "") for filename in meta["filename"]]
    meta["set"] = "development"
    return meta, splits


def load_evaluation(folder: Path) -> pd.DataFrame:
    """Evaluation clips with their labels (evaluation_setup/evaluate.txt)"""
    setup = folder / "evaluation_setup"
    evaluate_path = setup / "evaluate.txt"
    if not evaluate_path.is_file() and (folder / "meta.txt").is_file():
        evaluate_path = folder / "meta.txt"
    evaluate = read_list(evaluate_path, with_labels=True)
    check_labels(evaluate, evaluate_path)
    test_path = setup / "test.txt"
    if test_path.is_file():
        test = read_list(test_path, with_labels=False)
        if set(test["filename"]) != set(evaluate["filename"]):
            raise DatasetError(f"{test_path}: lists other files than {evaluate_path}")
    evaluate["path"] = [str(folder / filename) for filename in evaluate["filename"]]
    evaluate["fold"] = 0
    evaluate["error"] = ""
    evaluate["set"] = "evaluation"
    return evaluate


def load_dcase2016(root: str | Path, *, protocol: str = "cv", resample: bool = False) -> AudioDataset:
    """DCASE 2016 Task 1 under ``root`` (the folder holding the extracted archives)

    protocol "cv": 4 official folds on the development set; "eval": train on development,
    test on evaluation
    """
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown DCASE 2016 protocol {protocol!r}; known: {PROTOCOLS}")
    root = Path(root).expanduser().resolve()
    development, evaluation = find_dcase2016_folders(root)
    if development is None:
        deeper = sorted(root.glob(f"*/{DEVELOPMENT}")) if root.is_dir() else []
        # the same words fit every caller: `--data-root` is a flag of run-experiment, sweep
        # and the data commands (where `--root` is its older name); data_root of the API
        hint = (f"; found {deeper[0]} one folder down (an archive extracted one folder too "
                f"deep): use {deeper[0].parent} as the data root (--data-root "
                f"{deeper[0].parent}, or data_root= in Python and the notebooks)" if deeper else
                "; run `python -m ascnb data download dcase2016-development`")
        raise DatasetError(f"{root}: no {DEVELOPMENT}/ folder (with meta.txt and evaluation_setup/) "
                           f"here{hint}")
    clips, splits = load_development(development)
    folds: tuple = CV_FOLDS
    if protocol == "eval":
        if evaluation is None:
            raise DatasetError(f"{root}: protocol 'eval' needs the evaluation set in {root / EVALUATION}/; "
                               "run `python -m ascnb data download dcase2016-evaluation`")
        evaluation_clips = load_evaluation(evaluation)
        splits = {"eval": (tuple(clips["path"]), tuple(evaluation_clips["path"]))}
        clips = pd.concat([clips, evaluation_clips], ignore_index=True)
        folds = ("eval",)
    check_files_exist(clips["path"], root)

    classes = tuple(scene for scene in SCENES if scene in set(clips["category"]))
    clips["label"] = clips["category"].map({c: i for i, c in enumerate(classes)}).astype(int)
    clips["fold"] = clips["fold"].astype(int)
    clips = clips[["filename", "path", "fold", "label", "category", "set", "error"]]
    what = "4-fold cross-validation" if protocol == "cv" else "development → evaluation"
    return AudioDataset(
        name="dcase2016", root=root, clips=clips, classes=classes, sample_rate=SAMPLE_RATE,
        clip_seconds=CLIP_SECONDS, folds=folds,
        description=f"real DCASE 2016 Task 1 ({len(clips)} clips, {what})",
        splits=splits, resample=resample,
    )
