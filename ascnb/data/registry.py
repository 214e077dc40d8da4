"""One spec per dataset: how to find it, load it, download it, and what its official folds hold

Book: notebooks/01-data.ipynb ("Clips, classes and folds"). The CLI, the experiment configs, the
notebooks and the tests enumerate ``DATASETS``; adding a corpus is one loader module plus one
``register_dataset(DatasetSpec(...))``.

Where a dataset is looked for when no root is given (``find_root``): each of the spec's
``folders`` under the data root ($ASCNB_DATA, else ./data), then its ``extra_roots`` (the
real ESC-10 of the workplace's shared folder). A root that is given is used as it is; the
ESC-50 loader also looks one level down for the extracted ``ESC-50-master/``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ascnb import paths
from ascnb.data.dataset import AudioDataset, DatasetError


@dataclass(frozen=True)
class DatasetSpec:
    """name: what configs and the CLI call it; title: what pages call it
    load(root, **params): the AudioDataset; params: what ``load`` accepts beyond root
    folders: where it is under a data root, in order; extra_roots: callables giving more places
    marker: a file (relative to a candidate folder) that says the dataset is there
    download: the ``ascnb.data.downloads`` archive name that fetches it (None: nothing to fetch)
    official_clips: {fold: test clips} of the official release (``data summary`` checks against
    it; None where we have not verified the count)
    paper: which paper evaluates on it; real: False for generated stand-ins
    """

    name: str
    title: str
    load: Callable[..., AudioDataset]
    params: tuple[str, ...] = ()
    folders: tuple[str, ...] = ()
    extra_roots: tuple[Callable[[], Path], ...] = ()
    marker: str | tuple[str, ...] = ()
    download: str | None = None
    official_clips: dict = field(default_factory=dict)
    paper: str = ""
    real: bool = True

    def candidates(self) -> list[Path]:
        """Where ``find_root`` looks when no root is given, in order"""
        root = paths.data_root()
        return [root / folder if folder else root for folder in self.folders] + [
            extra() for extra in self.extra_roots]

    def holds(self, folder: Path) -> bool:
        markers = (self.marker,) if isinstance(self.marker, str) else self.marker
        return any((folder / m).exists() for m in markers) if markers else folder.is_dir()

    def find_root(self, root: str | Path | None = None) -> Path:
        """``root`` as given, else the first candidate holding the dataset; else an error naming each place"""
        if root is not None and str(root) != "":
            return paths.project_path(root) if not Path(root).is_absolute() else Path(root)
        for candidate in self.candidates():
            if self.holds(candidate):
                return candidate
        looked = "\n  ".join(str(c) for c in self.candidates())
        hint = (f"; run `python -m ascnb data download {self.download}`" if self.download else "")
        raise DatasetError(f"{self.title} not found; looked in:\n  {looked}\n(pass data_root, "
                           f"set ASCNB_DATA{hint})")


DATASETS: dict[str, DatasetSpec] = {}


def register_dataset(spec: DatasetSpec) -> DatasetSpec:
    """Add (or replace) a dataset spec; returns it"""
    DATASETS[spec.name] = spec
    return spec


def dataset_spec(name: str) -> DatasetSpec:
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}")
    return DATASETS[name]


def load_dataset(name: str, root: str | Path | None = None, **params) -> AudioDataset:
    """The dataset ``name`` from ``root`` (None: found by its spec) with loader ``params``

    every dataset: ``resample``; synthetic: the generator's parameters too
    (``ascnb.data.synthetic.DEFAULTS``)
    """
    spec = dataset_spec(name)
    unknown = sorted(set(params) - set(spec.params))
    if unknown:
        raise ValueError(f"unknown parameter(s) {unknown} for dataset {name!r}; "
                         f"known: {list(spec.params)}")
    return spec.load(root, **params)


# ---- the four datasets of the book ----

def _esc(subset: str | None):
    def load(root, resample: bool = False):
        from ascnb.data.esc50 import load_esc50

        spec = DATASETS["esc10" if subset else "esc50"]
        return load_esc50(spec.find_root(root), subset=subset, resample=resample)
    return load


def _dcase(protocol: str):
    def load(root, resample: bool = False):
        from dataclasses import replace

        from ascnb.data.dcase2016 import load_dcase2016

        name = "dcase2016" if protocol == "cv" else "dcase2016-eval"
        dataset = load_dcase2016(DATASETS[name].find_root(root), protocol=protocol, resample=resample)
        return replace(dataset, name=name)
    return load


def _synthetic(root, resample: bool = False, **params):
    from ascnb.data.synthetic import ensure_synthetic, load_synthetic

    if root is not None and not params and (Path(root) / "meta" / "synthetic.json").is_file():
        return load_synthetic(root, resample=resample)  # a set written by `data synth`
    dataset = ensure_synthetic(root, **params)
    return dataset if not resample else load_synthetic(dataset.root, resample=True)


def _shared_esc10() -> Path:
    return paths.shared_dir() / "data" / "ESC-10"


_ESC_MARKERS = ("meta/esc50.csv", "ESC-50-master/meta/esc50.csv", "ESC-50/meta/esc50.csv")
_ESC_FOLDS = {fold: 400 for fold in range(1, 6)}

register_dataset(DatasetSpec(
    name="synthetic", title="synthetic scenes", load=_synthetic, folders=("",),
    params=("resample", "classes", "clips_per_class", "duration", "snr_min", "snr_max", "seed",
            "folds", "events_max", "distractors", "texture_snr", "events"),
    paper="", real=False))
register_dataset(DatasetSpec(
    name="esc10", title="ESC-10", load=_esc("esc10"), params=("resample",),
    folders=("ESC-10", "", "ESC-50-master"), extra_roots=(_shared_esc10,), marker=_ESC_MARKERS,
    download="esc50", official_clips={fold: 80 for fold in range(1, 6)}, paper="acrnn"))
register_dataset(DatasetSpec(
    name="esc50", title="ESC-50", load=_esc(None), params=("resample",),
    folders=("", "ESC-50-master"), marker=_ESC_MARKERS, download="esc50",
    official_clips=_ESC_FOLDS, paper="acrnn"))
_DCASE_MARKERS = ("TUT-acoustic-scenes-2016-development/meta.txt", "meta.txt")
register_dataset(DatasetSpec(
    name="dcase2016", title="DCASE 2016 Task 1 (development set, 4 official folds)",
    load=_dcase("cv"), params=("resample",), folders=("",), marker=_DCASE_MARKERS,
    download="dcase2016-development",
    official_clips={1: None, 2: None, 3: None, 4: None},  # 1,170 clips in all; per fold unverified
    paper="pbcnn"))
register_dataset(DatasetSpec(
    name="dcase2016-eval", title="DCASE 2016 Task 1 (development → evaluation set)",
    load=_dcase("eval"), params=("resample",), folders=("",), marker=_DCASE_MARKERS,
    download="dcase2016", official_clips={"eval": 390}, paper="pbcnn"))
