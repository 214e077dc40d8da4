"""records_of finds an experiment's records without its data, but never another data's"""

from __future__ import annotations

import dataclasses

from ascnb.atomic import write_json
from ascnb.experiment import Experiment, load_records
from ascnb.experiment.fingerprint import experiment_fingerprint
from ascnb.experiment.records import record_path, records_of


def fake_record(exp, fingerprint, fold, accuracy):
    """What run_experiment writes, as far as records_of reads it"""
    return {"experiment_hash": exp.experiment_hash(), "data_fingerprint": fingerprint,
            "config_hash": exp.config_hash(fingerprint), "fold": fold, "seed": 0,
            "accuracy": accuracy, "config": exp.to_dict()}


def write(results, record):
    write_json(record_path(results, record["config_hash"], record["fold"], record["seed"]), record)


def test_synthetic_records_of_other_scenes_are_not_this_experiments(tiny, tmp_path):
    """Scenes with another SNR share the experiment hash (the data is left out of it): their
    records must not be taken for these scenes'"""
    exp = Experiment.from_dict(tiny)
    louder = dataclasses.replace(exp, dataset_params={**exp.dataset_params, "snr_min": 3.0,
                                                      "snr_max": 9.0})
    assert louder.experiment_hash() == exp.experiment_hash()
    mine = experiment_fingerprint(exp)
    theirs = experiment_fingerprint(louder)
    assert mine != theirs
    results = tmp_path / "results"
    write(results, fake_record(exp, mine, 1, 0.5))
    for fold in (1, 2):     # more records: the old rule (most records wins) would pick these
        write(results, fake_record(louder, theirs, fold, 0.9))
    table = load_records(results)
    assert list(records_of(exp, table=table)["accuracy"]) == [0.5]
    assert list(records_of(louder, table=table)["accuracy"]) == [0.9, 0.9]


def test_real_data_records_with_other_dataset_parameters_are_left_out(tmp_path):
    exp = Experiment(dataset="esc10", model="acrnn", profile="cpu")
    resampled = dataclasses.replace(exp, dataset_params={"resample": True})
    assert resampled.experiment_hash() == exp.experiment_hash()
    results = tmp_path / "results"
    write(results, fake_record(exp, "aaaaaaaaaaaa", 1, 0.8))
    for fold in (1, 2):
        write(results, fake_record(resampled, "bbbbbbbbbbbb", fold, 0.6))
    table = load_records(results)
    assert list(records_of(exp, table=table)["accuracy"]) == [0.8]
    assert list(records_of(resampled, table=table)["accuracy"]) == [0.6, 0.6]
