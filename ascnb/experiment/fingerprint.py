"""What identifies the data of a run, wherever its folder lives

Book: book/reproduce.md ("What a record holds"). A record is keyed by the experiment AND the
data it saw: the same experiment on a completed download, a re-folded copy or another
release must not find the old records. The fingerprint is a sha256 over the sorted clip
list the run uses (file name, fold, label, size in bytes), the class names, where the
corpus fixes its splits (DCASE 2016) the file names of each split, and, for generated data,
the generator's record (``meta/synthetic.json``: its version and parameters — clips of the
same length have the same sizes whatever their SNR). It leaves out the folder, so committed
records still match a reader's own copy of the same files. What it cannot see: a real file
changed in place to another of exactly the same size.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

def data_fingerprint(dataset) -> str:
    """12 hex digits identifying the clips of an AudioDataset (see the module docstring)"""
    clips = dataset.clips.sort_values("filename", kind="stable")
    rows = []
    for filename, path, fold, label in zip(clips["filename"], clips["path"], clips["fold"],
                                          clips["label"]):
        try:
            size = os.path.getsize(path)
        except OSError as error:
            raise FileNotFoundError(f"{path}: listed in {dataset.name} but cannot be read "
                                    f"({error.strerror})") from None
        rows.append([str(filename), str(fold), int(label), int(size)])
    splits = None
    if dataset.splits is not None:
        name_of = dict(zip(dataset.clips["path"], dataset.clips["filename"]))
        splits = {str(fold): [sorted(name_of.get(p, os.path.basename(p)) for p in part)
                              for part in dataset.splits[fold]] for fold in dataset.folds}
    payload = {"classes": list(dataset.classes), "clips": rows, "splits": splits}
    generator = Path(dataset.root) / "meta" / "synthetic.json"
    if generator.is_file():
        payload["generator"] = json.loads(generator.read_text())
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def experiment_dataset(exp):
    """The AudioDataset an experiment runs on: loaded by name, cut to clips_per_class per fold"""
    from ascnb.data import load_dataset

    exp = exp.resolve()
    dataset = load_dataset(exp.dataset, exp.data_root, **exp.dataset_params)
    if exp.clips_per_class:
        clips = dataset.clips.sort_values("filename", kind="stable")
        keep = clips.groupby(["fold", "label"], sort=False).head(int(exp.clips_per_class))
        dataset = dataset.restrict(dataset.clips.loc[sorted(keep.index)])
    return dataset


def experiment_fingerprint(exp, dataset=None) -> str:
    """The fingerprint of the data ``exp`` runs on (``dataset``: already loaded by
    ``experiment_dataset(exp)``, to spare loading it again)"""
    return data_fingerprint(dataset if dataset is not None else experiment_dataset(exp))
