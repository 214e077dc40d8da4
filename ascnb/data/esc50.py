"""ESC-50 and its ESC-10 subset in the official release layout

Book: notebooks/01-data.ipynb ("Real ESC-10"). The layout is ``audio/`` plus
``meta/esc50.csv`` (filename, fold, target, category, esc10, src_file, take); the reader
follows the file names in the CSV, so the official WAV release and the Ogg ESC-10 copy in
``../shared/data/ESC-10`` are read unchanged. Every clip is cropped or zero-padded to
5.00 s (220,500 samples at 44.1 kHz), as the WAV release is.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ascnb.data.audio import SAMPLE_RATE
from ascnb.data.dataset import AudioDataset, DatasetError, check_columns, check_files_exist

COLUMNS = ["filename", "fold", "target", "category", "esc10", "src_file", "take"]
CLIP_SECONDS = 5.0
FOLDS = (1, 2, 3, 4, 5)
SUBSETS = ("esc10",)


def find_esc50_root(root: Path) -> Path:
    """The folder holding meta/esc50.csv: ``root`` itself or the extracted ESC-50-master/"""
    for candidate in (root, root / "ESC-50-master", root / "ESC-50"):
        if (candidate / "meta" / "esc50.csv").is_file():
            return candidate
    raise DatasetError(f"{root}: no meta/esc50.csv here nor in {root / 'ESC-50-master'} "
                       "(expected the official ESC-50 layout: audio/ + meta/esc50.csv)")


def read_esc50_meta(csv_path: Path, valid_folds: tuple | None = FOLDS) -> pd.DataFrame:
    """meta/esc50.csv, checked: every column present, folds in ``valid_folds``, targets integers

    valid_folds None accepts any fold >= 1 (the synthetic scenes choose their number of folds)
    """
    try:
        meta = pd.read_csv(csv_path, dtype={"filename": str, "category": str, "src_file": str,
                                            "take": str})
    except Exception as error:
        raise DatasetError(f"{csv_path}: cannot read the metadata CSV ({error})") from error
    check_columns(meta, COLUMNS, csv_path)
    if meta.empty:
        raise DatasetError(f"{csv_path}: the metadata lists no clips")
    for column in ("filename", "category"):
        empty = meta[column].isna() | (meta[column].astype(str).str.strip() == "")
        if empty.any():
            rows = (empty[empty].index + 2).tolist()[:5]  # +2: the header, 1-based lines
            raise DatasetError(f"{csv_path}: empty {column!r} cell on line(s) {rows}")
    for column in ("fold", "target"):
        values = pd.to_numeric(meta[column], errors="coerce")
        if values.isna().any() or (values != values.round()).any():
            bad = meta.loc[values.isna() | (values != values.round()), "filename"].tolist()
            raise DatasetError(f"{csv_path}: column {column!r} must hold integers; bad rows: {bad[:5]}")
        meta[column] = values.astype(int)
    bad_folds = ~meta["fold"].isin(valid_folds) if valid_folds else meta["fold"] < 1
    if bad_folds.any():
        rows = meta.loc[bad_folds, ["filename", "fold"]].head(5).to_dict("records")
        expected = valid_folds or "integers >= 1"
        raise DatasetError(f"{csv_path}: folds must be in {expected}; bad rows: {rows}")
    meta["esc10"] = meta["esc10"].astype(str).str.strip().str.lower().map(
        {"true": True, "false": False, "1": True, "0": False})
    if meta["esc10"].isna().any():
        raise DatasetError(f"{csv_path}: column 'esc10' must hold True/False")
    meta["esc10"] = meta["esc10"].astype(bool)
    if meta["filename"].duplicated().any():
        raise DatasetError(f"{csv_path}: file(s) listed twice: "
                           f"{meta['filename'][meta['filename'].duplicated()].tolist()[:5]}")
    return meta


def load_esc50(root: str | Path, *, subset: str | None = None, resample: bool = False,
               name: str = "esc50", description: str | None = None,
               valid_folds: tuple | None = FOLDS,
               clip_seconds: float | None = CLIP_SECONDS) -> AudioDataset:
    """ESC-50 (or ESC-10 with ``subset="esc10"``) from the official layout under ``root``

    Labels are contiguous 0..K-1 in the order of the ESC-50 ``target``; ``classes`` keeps
    the category names (ESC-10: dog, rooster, rain, sea_waves, crackling_fire, …)
    """
    if subset not in (None, *SUBSETS):
        raise ValueError(f"unknown ESC-50 subset {subset!r}; known: {SUBSETS} (or None)")
    root = find_esc50_root(Path(root).expanduser().resolve())
    csv_path = root / "meta" / "esc50.csv"
    meta = read_esc50_meta(csv_path, valid_folds)
    if subset == "esc10":
        meta = meta[meta["esc10"]]
        if meta.empty:
            raise DatasetError(f"{csv_path}: no clip has esc10 == True")

    # contiguous labels in the order of the ESC-50 target, names kept
    names = meta.groupby("target")["category"].unique()
    for target, categories in names.items():
        if len(categories) != 1:
            raise DatasetError(f"{csv_path}: target {target} has several categories {list(categories)}")
    targets = sorted(names.index)
    label_of_target = {target: label for label, target in enumerate(targets)}
    classes = tuple(names[target][0] for target in targets)

    clips = meta.sort_values(["fold", "filename"], kind="stable").reset_index(drop=True)
    clips.insert(1, "path", [str(root / "audio" / filename) for filename in clips["filename"]])
    clips["label"] = clips["target"].map(label_of_target).astype(int)
    check_files_exist(clips["path"], csv_path)

    is_esc10 = subset == "esc10"
    dataset_name = "esc10" if is_esc10 else name
    if description is None:
        corpus = "ESC-10" if is_esc10 else "ESC-50"
        description = f"real {corpus} ({len(clips)} clips)"
    return AudioDataset(
        name=dataset_name, root=root, clips=clips, classes=classes, sample_rate=SAMPLE_RATE,
        clip_seconds=clip_seconds, folds=tuple(sorted(clips["fold"].unique().tolist())),
        description=description, resample=resample,
    )
