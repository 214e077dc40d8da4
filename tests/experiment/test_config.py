"""ascnb.experiment.config: what the hash covers, profiles, the papers' defaults, bad fields named"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import soundfile as sf

from ascnb.experiment import PROFILES, ConfigError, Experiment, catalogue
from ascnb.experiment.fingerprint import experiment_dataset

from .conftest import TINY


def test_hash_covers_what_changes_results_and_nothing_else(tiny):
    base = Experiment(**tiny)
    same = Experiment(**{**tiny, "name": "other", "table": "t", "folds": (2,), "seeds": (5, 6),
                         "device": "cpu"})
    assert base.config_hash() == same.config_hash()
    assert base.config_hash() != Experiment(**{**tiny, "overrides": {"lr": 0.1}}).config_hash()
    assert base.config_hash() != Experiment(**{**tiny, "model_params": {"rnn_units": 8}}).config_hash()
    assert base.config_hash() != Experiment(**{**tiny, "normalise": "band"}).config_hash()


def test_defaults_written_out_are_the_same_experiment(tiny):
    base = Experiment(**tiny)
    explicit = Experiment(**{**tiny, "model_params": {"rnn_units": 16, "attention_at": 10,
                                                      "attention_scale": "softmax"},
                             "overrides": {**tiny["overrides"], "momentum": 0.9},
                             "decision": "mean_prob", "normalise": "channel",
                             "features": "gammatone", "preset": "acrnn"})
    assert base.experiment_hash() == explicit.experiment_hash()


def test_the_data_is_part_of_the_key_wherever_it_lives(tiny, synth_root, tmp_path):
    exp = Experiment(**tiny)
    dataset = experiment_dataset(exp)
    moved = tmp_path / "moved"
    shutil.copytree(dataset.root, moved)
    elsewhere = Experiment(**{**tiny, "data_root": str(moved), "dataset_params": {}})
    assert elsewhere.config_hash() == exp.config_hash()  # same files, another folder
    # one clip changed (another size): other data, other records
    clip = sorted((moved / "audio").glob("*.wav"))[0]
    audio, rate = sf.read(clip)
    sf.write(clip, audio[: len(audio) // 2], rate)
    assert elsewhere.config_hash() != exp.config_hash()


def test_profiles_set_defaults_that_explicit_values_override(tiny):
    smoke = Experiment(**tiny).resolve()
    dataset = experiment_dataset(smoke)
    assert smoke.fold_list(dataset) == (1, 2) and smoke.overrides["num_epochs"] == 1
    assert Experiment(**{**tiny, "profile": "quick"}).fold_list(dataset) == (1,)
    assert Experiment(**{**tiny, "profile": "cpu"}).fold_list(dataset) == dataset.folds
    mine = Experiment(**{**tiny, "overrides": {"num_epochs": 3}, "folds": (2,)}).resolve()
    assert mine.overrides["num_epochs"] == 3 and mine.fold_list(dataset) == (2,)
    with pytest.raises(ConfigError, match=r"unknown fold\(s\) \[7\]"):
        Experiment(**{**tiny, "folds": (7,)}).fold_list(dataset)
    assert (mine.decision, mine.accuracy) == ("mean_prob", "overall")  # ACRNN's rules
    pbcnn = Experiment(**{**tiny, "model": "pb-cnn", "model_params": {}}).resolve()
    assert (pbcnn.decision, pbcnn.accuracy) == ("sum_log", "class_mean")
    assert (pbcnn.features, pbcnn.preset, pbcnn.segmentation) == ("logmel", "pbcnn", {"length": 32, "hop": 32})
    assert Experiment(model="piczak").resolve().segmentation == "piczak"


def test_cpu_profile_compresses_the_recipe_with_its_milestones():
    acrnn = Experiment(model="acrnn", profile="cpu").train_config()
    epochs = PROFILES["cpu"].epochs["acrnn"]
    assert acrnn.num_epochs == epochs and acrnn.lr_step == round(100 * epochs / 300)
    assert Experiment(model="acrnn", profile="paper").train_config().lr_step == 100
    kept = Experiment(model="acrnn", profile="cpu", overrides={"lr_step": 7}).train_config()
    assert kept.lr_step == 7
    quick = Experiment(model="acrnn", profile="quick").train_config()
    assert quick.lr_step == round(100 * quick.num_epochs / 300)  # quick compresses too
    quick_piczak = Experiment(model="piczak", profile="quick").train_config()
    assert (quick_piczak.batch_size, quick_piczak.lr) == (100, 0.01)   # choices: its quick recipe
    assert quick_piczak.num_epochs == PROFILES["quick"].epochs["piczak"]
    for model in ("cnn", "tb-cnn", "fb-cnn", "pb-cnn"):         # one quick recipe for the family
        family = Experiment(model=model, profile="quick").train_config()
        assert (family.batch_size, family.lr, family.num_epochs) == (16, 5e-4, PROFILES["quick"].epochs["pbcnn"])
    piczak = Experiment(model="piczak", profile="cpu").train_config()  # its full recipe
    assert (piczak.num_epochs, piczak.batch_size, piczak.lr) == (300, 1000, 0.002)


def test_every_table_row_normalises_as_its_paper_does():
    """Both papers: one mean and std per input channel over the training fold"""
    for name, spec in catalogue().items():
        for row, exp in spec.experiments(profile="paper").items():
            assert exp.resolve().normalise == "channel", (name, row)


@pytest.mark.parametrize("values, message", [
    ({"epochs": 3}, r"unknown key\(s\) \['epochs'\]"),
    ({"profile": "fast"}, "unknown profile 'fast'"),
    ({"seeds": ["a"]}, "seeds must be integers"),
    ({"folds": []}, "folds must be a non-empty list"),
    ({"clips_per_class": 2.5}, "clips_per_class must be an integer"),
    ({"normalise": "global"}, "normalise must be one of"),
    ({"model_params": [1]}, "model_params must be a mapping"),
    ({"model": 3}, "model must be a model name"),
])
def test_bad_fields_are_named(values, message):
    with pytest.raises(ConfigError, match=message):
        Experiment.from_dict(values, where="x.yaml")


@pytest.mark.parametrize("values, message", [
    ({"overrides": {"learning_rate": 1}}, "'learning_rate'"),
    ({"model_params": {"units": 1}}, "'units'"),
    ({"model": "resnet"}, "unknown model 'resnet'"),
    ({"dataset": "esc100"}, "unknown dataset 'esc100'"),
    ({"preset": "keras"}, "unknown training preset 'keras'"),
])
def test_bad_values_are_named_before_anything_runs(values, message):
    with pytest.raises(ConfigError, match=message):
        Experiment(**{**TINY, **values}).hashed_values()


def test_generated_sets_of_other_parameters_are_other_data(tiny):
    """Clips of one length have one size whatever their SNR: the generator's record tells them apart"""
    louder = {**tiny, "dataset_params": {**tiny["dataset_params"], "snr_min": 0.0, "snr_max": 6.0}}
    a, b = experiment_dataset(Experiment(**tiny)), experiment_dataset(Experiment(**louder))
    assert [p.stat().st_size for p in sorted(a.root.glob("audio/*"))] == [
        p.stat().st_size for p in sorted(b.root.glob("audio/*"))]
    assert Experiment(**tiny).config_hash() != Experiment(**louder).config_hash()


def test_every_committed_record_is_found_under_its_configuration():
    """Changing what the hash covers (a new training field, a new model default) must not
    orphan the committed records: each one's configuration still hashes to its key"""
    from ascnb.experiment import load_records
    from ascnb.paths import REPO

    records = load_records(REPO / "results")
    if len(records) == 0:
        pytest.skip("no committed records yet")
    import json

    for path in records["record_path"]:
        record = json.loads(Path(path).read_text())
        exp = Experiment.from_dict(record["config"], where=path)
        assert exp.experiment_hash() == record["experiment_hash"], path
        assert exp.config_hash(record["data_fingerprint"]) == record["config_hash"], path


def test_official_fold_list_cuts_the_official_folds_as_fold_list_cuts_the_data(tiny):
    # without the data: ESC-10's five official folds, cut by the profile, own folds kept
    esc10 = {**tiny, "dataset": "esc10", "data_root": None, "dataset_params": {}}
    assert Experiment(**{**esc10, "profile": "cpu"}).official_fold_list() == (1, 2, 3, 4, 5)
    assert Experiment(**{**esc10, "profile": "quick"}).official_fold_list() == (1,)
    assert Experiment(**{**esc10, "profile": "smoke"}).official_fold_list() == (1, 2)
    assert Experiment(**{**esc10, "folds": (4,)}).official_fold_list() == (4,)
