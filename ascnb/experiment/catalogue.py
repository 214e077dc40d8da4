"""The experiment catalogue: each paper table is one file in configs/, read by everything

Book: book/reproduce.md ("One table, one file"). The notebooks (``load_table``), the sweep
(``python -m ascnb sweep configs/NAME.yaml``) and ``python -m ascnb run-experiment
configs/NAME.yaml`` read the same files, so an experiment is written down once. A file:

    table: acrnn-table3-attention-augmentation   # its name (= the file name)
    title: "ACRNN Table 3: attention × augmentation"
    paper:                              # where the published numbers are (ascnb.reference)
      source: acrnn/table3_attention_augment
      column: {esc10: ESC-10, esc50: ESC-50}   # which column for which dataset
    datasets: [esc10, esc50]            # the paper's datasets (the sweep's default)
    base: {preset: acrnn}               # fields every row shares (ascnb.experiment.Experiment)
    rows:                               # row name -> the fields that make it
      convolutional RNN: {model: crnn}
      + attention: {model: acrnn}
    claims:                             # the paper's claims over rows (ascnb.report.tables)
      - {claim: "attention helps", better: "+ attention", worse: "convolutional RNN"}

Rows are merged onto ``base`` key by key (mappings merged recursively). A row may name its
place in the published table with ``paper_row`` / ``paper_column`` when it differs from the
row's name / the dataset's column; ``paper.row`` fixes the published row for every row (the
row's name is then the column, as in PB-CNN Table 2). What a reader changes (dataset,
profile, folds, seeds, epochs, device, data root) is not in the file: ``load_table`` and the
CLIs take it, so the same table runs in the smoke, quick, cpu and paper profiles. Two rows
(of one table or two) with the same values are the same experiment: same hash, same records.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

from ascnb import paths
from ascnb.experiment.config import ConfigError, Experiment

CONFIGS_DIR = paths.REPO / "configs"
TABLE_KEYS = {"table", "title", "description", "paper", "datasets", "base", "rows", "claims"}
ROW_KEYS = {"paper_row", "paper_column", "from"}
CLAIM_KEYS = {"claim", "better", "worse"}
# what a reader turns: load_table's keywords, the notebooks' parameters, the CLIs' flags
KNOBS = ("dataset", "data_root", "profile", "folds", "seeds", "epochs", "device",
         "clips_per_class")


def merge(base: dict, update: dict) -> dict:
    """``update`` onto a copy of ``base``, mappings merged key by key"""
    out = copy.deepcopy(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


@dataclass(frozen=True)
class TableSpec:
    """One file of the catalogue, checked (see the module docstring)"""

    name: str
    title: str
    source: Path
    rows: dict
    base: dict = field(default_factory=dict)
    paper: dict | None = None
    datasets: tuple = ()
    claims: tuple = ()
    description: str = ""

    def row_fields(self, row: str, _seen: tuple = ()) -> dict:
        """The row's experiment fields: base, the row it is ``from`` (TABLE/ROW), its own"""
        if row not in self.rows:
            raise ConfigError(f"{self.source}: no row {row!r}; rows: {list(self.rows)}")
        spec = self.rows[row]
        values = {k: v for k, v in spec.items() if k not in ROW_KEYS}
        if "from" not in spec:
            return merge(self.base, values)
        source = str(spec["from"])
        if "/" not in source:
            raise ConfigError(f"{self.source}, row {row!r}: 'from' must be TABLE/ROW, got {source!r}")
        table, other = source.split("/", 1)
        if (table, other) in _seen:
            raise ConfigError(f"{self.source}, row {row!r}: 'from' loops through {source!r}")
        origin = self if table == self.name else read_table(table)
        return merge(origin.row_fields(other, _seen + ((self.name, row),)), values)

    def experiments(self, rows=None, **knobs) -> dict[str, Experiment]:
        """{row: Experiment} for the reader's knobs (dataset, profile, folds, seeds, epochs, …)"""
        unknown = sorted(set(knobs) - set(KNOBS))
        if unknown:
            raise ConfigError(f"unknown knob(s) {unknown}; known: {', '.join(KNOBS)}")
        knobs = {k: v for k, v in knobs.items() if v is not None}
        epochs = knobs.pop("epochs", None)
        out = {}
        for row in rows or self.rows:
            values = self.row_fields(row)
            if epochs is not None:
                if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
                    raise ConfigError(f"epochs must be a positive integer, got {epochs!r}")
                values = merge(values, {"overrides": {"num_epochs": epochs}})
            values = {**values, **knobs, "name": row, "table": self.name}
            exp = Experiment.from_dict(values, where=f"{self.source}, row {row!r}")
            try:
                exp.hashed_values()  # every field valid now, not after training
            except ValueError as error:
                raise ConfigError(f"{self.source}, row {row!r}: {error}") from None
            out[row] = exp
        return out

    def paper_value(self, row: str, dataset: str) -> float | None:
        """The published number of ``row`` for ``dataset`` (None: the paper has none)"""
        from ascnb.reference import paper_table

        if not self.paper or row not in self.rows:
            return None
        paper_name, table_name = self.paper["source"].split("/")
        published = paper_table(paper_name, table_name)
        spec = self.rows[row]
        columns = self.paper.get("column")
        if "row" in self.paper:
            paper_row = str(spec.get("paper_row", self.paper["row"]))
            column = spec.get("paper_column", row)
        else:
            paper_row = str(spec.get("paper_row", row))
            column = spec.get("paper_column")
            if column is None and isinstance(columns, dict):
                column = columns.get(dataset, columns.get("default"))
            elif column is None:
                column = columns
        if paper_row not in published.index or column not in published.columns:
            return None
        return float(published.loc[paper_row, column])

    def paper_column_name(self, dataset: str) -> str:
        """What the paper column holds, e.g. "ESC-10" or "DCASE 2016, mean of 4 folds" """
        if not self.paper:
            return ""
        columns = self.paper.get("column")
        if isinstance(columns, dict):
            return str(columns.get(dataset, columns.get("default", "")))
        return str(self.paper.get("label", columns or ""))


def read_config_file(path: str | Path):
    """A YAML/JSON file as Python values; errors name the file"""
    import yaml

    path = Path(path)
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a config file") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the config ({error.strerror})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML ({error})") from None


def check_table(values, source: Path) -> TableSpec:
    """A TableSpec from a file's values; errors name the file and what is wrong"""
    if not isinstance(values, dict) or not values:
        raise ConfigError(f"{source}: expected a table (keys {sorted(TABLE_KEYS)}), "
                          f"got {type(values).__name__ if values is not None else 'an empty file'}")
    unknown = sorted(set(values) - TABLE_KEYS)
    if unknown:
        raise ConfigError(f"{source}: unknown key(s) {unknown}; known: {sorted(TABLE_KEYS)}")
    name = values.get("table", source.stem)
    if name != source.stem:
        raise ConfigError(f"{source}: table {name!r} must be named as its file ({source.stem!r})")
    rows = values.get("rows")
    if not isinstance(rows, dict) or not rows:
        raise ConfigError(f"{source}: 'rows' must map row names to experiment fields")
    for row, spec in rows.items():
        if not isinstance(spec, dict):
            raise ConfigError(f"{source}, row {row!r}: expected a mapping of fields, got {spec!r}")
    base = values.get("base") or {}
    if not isinstance(base, dict):
        raise ConfigError(f"{source}: 'base' must be a mapping of experiment fields")
    claims = values.get("claims") or []
    for claim in claims:
        if not isinstance(claim, dict) or set(claim) - CLAIM_KEYS or not {"claim", "better", "worse"} <= set(claim):
            raise ConfigError(f"{source}: a claim needs exactly 'claim', 'better', 'worse', got {claim!r}")
        for key in ("better", "worse"):
            if claim[key] not in rows:
                raise ConfigError(f"{source}: claim {claim['claim']!r} names row {claim[key]!r}, "
                                  f"which the table does not have")
    paper = values.get("paper")
    if paper is not None and (not isinstance(paper, dict) or "source" not in paper):
        raise ConfigError(f"{source}: 'paper' must be a mapping with 'source: PAPER/TABLE'")
    datasets = values.get("datasets") or []
    return TableSpec(name=name, title=str(values.get("title", name)), source=source, rows=rows,
                     base=base, paper=paper, datasets=tuple(datasets), claims=tuple(claims),
                     description=str(values.get("description", "")))


def table_path(name: str | Path) -> Path:
    """A catalogue file by name ("acrnn-table3-attention-augmentation") or path"""
    path = Path(name)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return path
    candidate = CONFIGS_DIR / f"{name}.yaml"
    if not candidate.is_file():
        raise ConfigError(f"no table {str(name)!r} in the catalogue; configs/ holds: "
                          f"{', '.join(sorted(p.stem for p in CONFIGS_DIR.glob('*.yaml')))}")
    return candidate


def read_table(name: str | Path) -> TableSpec:
    """The checked table of one catalogue file"""
    path = table_path(name)
    return check_table(read_config_file(path), path)


def catalogue() -> dict[str, TableSpec]:
    """Every table in configs/"""
    return {spec.name: spec for spec in map(read_table, sorted(CONFIGS_DIR.glob("*.yaml")))}


@dataclass(frozen=True)
class Table:
    """A table's experiments for one reader's knobs: what notebooks, sweeps and CLIs run"""

    spec: TableSpec
    rows: dict
    knobs: dict

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def dataset(self) -> str:
        return next(iter(self.rows.values())).dataset

    def run(self, results_dir=None, **kwargs) -> dict:
        """{row: records DataFrame}: read when on disk, else trained (``run_experiment``)"""
        import pandas as pd

        from ascnb.experiment.fingerprint import experiment_dataset
        from ascnb.experiment.pipeline import run_experiment

        kwargs.setdefault("progress", False)
        datasets = {}
        out = {}
        for row, exp in self.rows.items():
            key = (exp.dataset, exp.data_root, repr(sorted(exp.dataset_params.items())),
                   exp.resolve().clips_per_class)
            if key not in datasets:
                datasets[key] = experiment_dataset(exp)
            records = run_experiment(exp, results_dir, dataset=datasets[key], **kwargs)
            out[row] = pd.json_normalize(records)
        return out

    def paper_values(self) -> dict:
        return {row: self.spec.paper_value(row, self.dataset) for row in self.rows}


def load_table(name: str | Path, rows=None, **knobs) -> Table:
    """A catalogue table's experiments for the reader's knobs

    ``load_table("acrnn-table3-attention-augmentation", dataset="esc10", profile="cpu")``;
    rows: only these rows (None: all); knobs: dataset, data_root, profile, folds, seeds, epochs,
    device, clips_per_class (None: the table's or profile's)
    """
    spec = read_table(name)
    experiments = spec.experiments(rows, **knobs)
    return Table(spec=spec, rows=experiments, knobs={k: v for k, v in knobs.items() if v is not None})
