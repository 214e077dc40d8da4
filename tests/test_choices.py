"""The choices list (ascnb/choices.yaml): every switch and code path it names exists"""

from __future__ import annotations

import dataclasses

import pytest

from ascnb import choices
from ascnb.choices import check_code, check_switch, choices_table, experiment_config_class, load_choices

ALL_SWITCHES = sorted({s for c in load_choices() for s in c.switches})


@pytest.mark.parametrize("switch", ALL_SWITCHES)
def test_every_switch_names_a_real_parameter(switch):
    check_switch(switch)


@pytest.mark.parametrize("code", sorted({c.code for c in load_choices()}))
def test_every_code_path_imports(code):
    check_code(code)


@pytest.mark.parametrize("switch, unknown", [
    ("model:pb-cnn:pba_wz", "no parameter 'pba_wz'"),
    ("model:resnet", "unknown model 'resnet'"),
    ("model:pb-cnn:pba_ws:tensor", "expected model:<name>"),
    ("features:gammatone:order", "unknown features parameter 'order'"),  # renamed erb_exponent
    ("features:mfcc:n_mfcc", "unknown feature kind 'mfcc'"),
    ("train:mixup", "unknown train parameter 'mixup'"),
    ("experiment:normalize", "unknown experiment parameter 'normalize'"),
    ("experiment", "expected experiment:<name>"),
    ("optimizer:lr", "kind must be one of"),
])
def test_a_bad_switch_is_refused_naming_what_is_unknown(switch, unknown):
    with pytest.raises(ValueError, match=unknown):
        check_switch(switch)


def test_a_bad_code_path_is_refused():
    with pytest.raises(ValueError, match="has no 'PixelAtention'"):
        check_code("ascnb.models.attention.PixelAtention")
    with pytest.raises(ValueError, match="no importable module"):
        check_code("ascnb_nowhere.models")


def test_the_list_covers_the_choices_the_faithfulness_review_named():
    named = set(ALL_SWITCHES)
    required = {
        "model:pb-cnn:pba_ws", "model:pb-cnn:gamma_init",            # PBA's Ws, γ
        "model:acrnn:padding", "model:acrnn:axes",                   # 4.20 M vs 3.81 M
        "model:acrnn:attention_at",                                  # convolutional RNN's pooling
        "train:mixup_alpha", "train:waveform_augment",               # mixup α, copies per clip
        "features:gammatone:fmin", "features:gammatone:erb_exponent",  # gammatone range, bandwidth
        "model:pb-cnn:bn_momentum", "model:acrnn:bn_momentum",       # batch norm defaults
        "train:optimizer", "train:batch_size", "train:num_epochs",   # PB-CNN and Piczak recipes
        "model:valenti:bands_left", "model:piczak:pool_padding",     # Valenti, PiczakCNN pooling
        "model:cnn", "model:valenti",                                # Table 2's "CNN"
        "experiment:normalise",                                      # normalisation
        "model:fb-cnn:rescale_softmax", "model:tb-cnn:attention_scale",  # n·α, TB-CNN's form
    }
    assert required <= named, sorted(required - named)


def test_choices_have_known_status_and_paper_and_render_as_a_table():
    entries = load_choices()
    assert all(c.status in choices.STATUSES and c.paper in choices.PAPERS for c in entries)
    assert len({c.topic for c in entries}) == len(entries)  # one entry per topic
    table = choices_table()
    assert len(table) == len(entries)
    assert list(table.columns) == [f.name for f in dataclasses.fields(choices.Choice)]
    fixed = table[table.topic == "Gammatone weights on the energy spectrogram"]
    assert list(fixed.switches) == ["fixed in code"]


def test_experiment_switches_name_fields_of_the_experiment_config():
    found = experiment_config_class()
    assert dataclasses.is_dataclass(found) and "normalise" in {f.name for f in dataclasses.fields(found)}