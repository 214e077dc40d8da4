"""Result records on disk: where each lives, reading them back, and the trained weights

Book: book/reproduce.md ("What a record holds"). One JSON record per (experiment, fold,
seed) at ``results/<config hash>/fold<f>-seed<s>.json``: keyed by the config hash alone (the
experiment and the data's fingerprint), so two tables that share a row share its records;
the row's name and table are metadata inside. A record that cannot be read (truncated,
empty, not a record) is named, set aside as ``NAME.corrupt``, and treated as missing, so the
next run redoes it.

Weights live in ``runs/`` (not committed): ``load_trained_model`` reads them there. What
the book's pages read from the few networks they look inside is kept beside the record
instead: their attention maps (``ascnb.report.attention_maps.keep_attention``).
"""

from __future__ import annotations

import json
from pathlib import Path

from ascnb import paths
from ascnb.atomic import set_aside



REQUIRED = ("config_hash", "fold", "seed", "accuracy")


def record_path(results_dir: str | Path | None, config_hash: str, fold, seed) -> Path:
    return paths.results_dir(results_dir) / config_hash / f"fold{fold}-seed{seed}.json"


def read_record(path: str | Path) -> dict | None:
    """The record at ``path``; None when it is absent or unreadable (then set aside, with a warning)"""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        set_aside(path, f"unreadable result record ({error})")
        return None
    if not isinstance(record, dict) or any(key not in record for key in REQUIRED):
        missing = [k for k in REQUIRED if not isinstance(record, dict) or k not in record]
        set_aside(path, f"not a result record (missing {missing})")
        return None
    return record


def iter_records(results_dir: str | Path | None = None):
    """(path, record) of every readable record under results_dir"""
    root = paths.results_dir(results_dir)
    for path in sorted(root.glob("*/fold*-seed*.json")):
        record = read_record(path)
        if record is not None:
            yield path, record


def load_records(results_dir: str | Path | None = None, **filters):
    """Every record under results_dir as one tidy pandas DataFrame (one row per record)

    The record's own keys are columns; the config's fields are columns too (model, preset,
    features, …) and its mappings are flattened ("model_params.attention_at",
    "overrides.num_epochs"), as are package versions ("packages.torch").
    filters: column=value (or a list/tuple of accepted values), e.g. model="acrnn", fold=1
    """
    import pandas as pd

    rows = []
    for path, record in iter_records(results_dir):
        config = record.get("config", {})
        row = {k: v for k, v in record.items() if k != "config"}
        for key, value in config.items():
            if key in ("folds", "seeds"):
                continue
            row.setdefault(key, value)
        row["record_path"] = str(path)
        rows.append(row)
    if not rows:
        return pd.DataFrame()
    nested = ("dataset_params", "feature_params", "model_params", "overrides", "packages")
    table = pd.json_normalize(rows, max_level=0)
    for column in nested:
        if column in table.columns:
            flat = pd.json_normalize(table[column].tolist()).add_prefix(f"{column}.")
            flat.index = table.index
            table = pd.concat([table.drop(columns=[column]), flat], axis=1)
    for column, value in filters.items():
        if column not in table.columns:
            raise ValueError(f"load_records: unknown filter column {column!r}; columns: "
                             f"{', '.join(table.columns)}")
        accepted = list(value) if isinstance(value, (list, tuple, set)) else [value]
        table = table[table[column].isin(accepted)]
    return table.reset_index(drop=True)


def weights_path(record: dict, runs: str | Path | None = None) -> Path:
    """Where a record's trained weights are (or would be) on this machine"""
    return (paths.runs_dir(runs) / record["config_hash"] / f"fold{record['fold']}-seed{record['seed']}"
            / "model.pt")


def record_key(record) -> tuple[str, str, str]:
    """(config hash, fold, seed) as text, to tell whose weights or kept maps a file holds
    (folds are numbers or names: DCASE's evaluation protocol has one fold, "eval")"""
    get = record.get if hasattr(record, "get") else record.__getitem__
    return str(get("config_hash")), str(get("fold")), str(get("seed"))


def _check_weights_of(state: dict, record, path: Path) -> None:
    """Weights that are not the record's (another hash, fold or seed) are an error naming both"""
    mine, theirs = record_key(record), record_key(state)
    if theirs != mine:
        raise ValueError(f"{path}: these weights are of record {theirs[0]} fold {theirs[1]} seed "
                         f"{theirs[2]}, not of {mine[0]} fold {mine[1]} seed {mine[2]}")


def load_trained_model(record, runs: str | Path | None = None, device: str = "cpu"):
    """The trained network of a record (a dict or a load_records row), in eval mode

    Attributes added: ``normaliser`` (Normaliser of its training fold), ``classes``,
    ``feature_config`` (dict), ``segmentation`` (dict), ``build_params`` (the model's
    parameters), ``record_key`` (hash, fold, seed).
    The weights are read from ``runs/``; weights of another record are an error naming the
    file. FileNotFoundError when they are not there (``ascnb.experiment.trained_model`` then
    retrains them)
    """
    import torch

    from ascnb.features import Normaliser
    from ascnb.models import build_model

    path = weights_path(record, runs)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: trained weights not found (runs/ is not kept with the "
                                "results; rerun the experiment to recreate them)")
    try:
        state = torch.load(path, map_location=device, weights_only=False)
    except Exception as error:  # truncated or foreign file
        set_aside(path, f"unreadable weights ({type(error).__name__}: {error})")
        raise FileNotFoundError(f"{path}: unreadable weights, set aside") from None
    _check_weights_of(state, record, path)
    model = build_model(state["model"], state["n_classes"], tuple(state["input_shape"]),
                        **state["model_params"])
    model.load_state_dict(state["state_dict"])
    model.to(device).eval()
    model.normaliser = Normaliser.from_state_dict(state["normaliser"])
    model.classes = tuple(state["classes"])
    model.feature_config = state["feature_config"]
    model.segmentation = state["segmentation"]
    model.build_params = dict(state["model_params"])
    model.record_key = (state["config_hash"], state["fold"], state["seed"])
    return model


def records_of(exp, results_dir: str | Path | None = None, *, table=None):
    """The records of ``exp`` whatever data they were made on, without needing the data:
    every record whose experiment hash (the config without the data) is ``exp``'s and whose
    dataset parameters are ``exp``'s (for the synthetic scenes, whose fingerprint is always at
    hand: whose data fingerprint is theirs). Where records of several copies of the data
    exist (several fingerprints), those of the copy with the most records. ``table``: a ``load_records`` DataFrame to search (saves reading again)"""
    import pandas as pd

    table = load_records(results_dir) if table is None else table
    if len(table) == 0 or "experiment_hash" not in table:
        return pd.DataFrame()
    mine = table[table["experiment_hash"] == exp.experiment_hash()]
    if len(mine) and exp.dataset == "synthetic":
        # the scenes are generated from their parameters, so their fingerprint is always at
        # hand: only records of exactly these scenes (other SNRs, event counts, generator
        # versions share the experiment hash)
        from ascnb.experiment.fingerprint import experiment_fingerprint

        mine = mine[mine["data_fingerprint"] == experiment_fingerprint(exp)]
    elif len(mine):
        # the same dataset parameters (a subset, a clip count) as ``exp``
        wanted = _canonical(exp.dataset_params)
        mine = mine[[_canonical(params) == wanted for params in _params_of(mine)]]
    if mine["data_fingerprint"].nunique() > 1:
        mine = mine[mine["data_fingerprint"] == mine["data_fingerprint"].value_counts().idxmax()]
    return mine.sort_values(["fold", "seed"], key=lambda c: c.astype(str)).reset_index(drop=True)


def _params_of(records) -> list:
    """Each record's dataset parameters as given: from the flattened columns of
    ``load_records`` ("dataset_params.NAME") or of a json_normalized record list
    ("config.dataset_params.NAME"), or from a "config" column of dicts"""
    if "config" in records:
        return [(c if isinstance(c, dict) else {}).get("dataset_params") or {}
                for c in records["config"]]
    for prefix in ("dataset_params.", "config.dataset_params."):
        columns = [c for c in records.columns if c.startswith(prefix)]
        if columns:
            return [{c[len(prefix):]: v for c, v in row.items() if not _missing(v)}
                    for row in records[columns].to_dict("records")]
    return [{}] * len(records)


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _canonical(params) -> str:
    """The parameters as one comparable string (5 and 5.0 alike)"""
    import json

    def number(v):
        return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v

    return json.dumps({k: number(v) for k, v in (params or {}).items()}, sort_keys=True, default=str)
