"""Experiments: configs, the catalogue of paper tables, per-fold data, the pipeline, records

Book: book/intro.md ("How the experiments are trained") and book/reproduce.md.

    table = load_table("acrnn-table3-attention-augmentation", dataset="esc10", profile="cpu")
    results = table.run()               # {row: records}, trained where missing
    records = load_records()            # every record in results/, one row each

(the table is configs/acrnn-table3-attention-augmentation.yaml; ``catalogue()`` lists them all)

Modules: ``config`` (Experiment and its hash), ``profiles``, ``fingerprint`` (the data's identity),
``catalogue`` (configs/*.yaml -> tables and rows), ``fold`` (``prepare_fold``), ``pipeline``
(``run_experiment``, ``run_one``, ``trained_model``), ``records`` (paths, reading, weights),
``cli`` (``python -m ascnb run-experiment``).
"""

from ascnb.experiment.catalogue import (Table, TableSpec, catalogue, load_table, read_config_file,
                                        read_table)
from ascnb.experiment.config import ConfigError, Experiment
from ascnb.experiment.profiles import CPU_EPOCHS, PROFILES, QUICK_EPOCHS, Profile
from ascnb.experiment.fingerprint import data_fingerprint, experiment_dataset
from ascnb.experiment.fold import FoldData, SilentClipWarning, prepare_fold
from ascnb.experiment.pipeline import run_experiment, run_one, trained_model
from ascnb.experiment.records import load_records, load_trained_model, read_record, record_path

__all__ = [
    "Table", "TableSpec", "catalogue", "load_table", "read_table", "CPU_EPOCHS", "QUICK_EPOCHS", "PROFILES",
    "ConfigError", "Experiment", "Profile", "read_config_file", "data_fingerprint",
    "experiment_dataset", "FoldData", "SilentClipWarning", "prepare_fold", "run_experiment", "run_one",
    "trained_model", "load_records", "load_trained_model", "read_record", "record_path",
]
