"""Networks of both papers: the inputs they claim, their weights on the input grid, their cost"""

from __future__ import annotations

import io
from contextlib import redirect_stdout

import pandas as pd
import pytest
import torch

from ascnb.features import FEATURE_CONFIGS, feature_config
from ascnb.models import (MODELS, ModelSpec, build_model, default_input_shape, model_parameters,
                          register_model, unregister_model)
from ascnb.models.base import AudioClassifier
from ascnb.models.cost import cost_table, model_cost
from ascnb.train.presets import PRESETS

torch.set_num_threads(2)

LOGMEL_MODELS = [name for name, spec in MODELS.items() if spec.features == "logmel"]
ACRNN_VARIANTS = [(None, "softmax")] + [(at, scale) for at in (2, 4, 6, 8)
                                        for scale in ("softmax", "sigmoid")] + [(10, "softmax")]


def check_logits(model, X, n_classes):
    model.eval()
    with torch.no_grad():
        logits = model(X)
        logits2, weights = model(X, return_attention=True)
    assert logits.shape == (X.shape[0], n_classes)
    assert torch.isfinite(logits).all()
    torch.testing.assert_close(logits, logits2)
    return weights


@pytest.mark.parametrize("name", LOGMEL_MODELS)
@pytest.mark.parametrize("bands", [60, 128, 256, 512])
def test_logmel_models_take_every_band_count_segments_and_whole_clips(name, bands):
    model = build_model(name, 10, (1, bands, 150))
    for frames in (150, 251):  # 3 s segments and a whole 5 s clip
        X = torch.randn(2, 1, bands, frames)
        weights = check_logits(model, X, 10)
        for key, aligned in model.attention_on_input(weights, n_frames=frames).items():
            axes = [axis for axis, _ in model.attention_axes[key]]
            expected = tuple({"freq": bands, "time": frames}[axis] for axis in axes)
            assert aligned.shape == (2, *expected), key


@pytest.mark.parametrize("attention_at, attention_scale", ACRNN_VARIANTS)
def test_acrnn_variants_take_gammatone_segments(attention_at, attention_scale):
    model = build_model("acrnn", 10, (2, 128, 128), attention_at=attention_at,
                        attention_scale=attention_scale)
    weights = check_logits(model, torch.randn(2, 2, 128, 128), 10)
    if attention_at is None:
        assert weights == {}
        return
    A = weights[f"l{attention_at}"]
    if attention_scale == "softmax":
        torch.testing.assert_close(A.sum(dim=1), torch.ones(2))
    else:
        assert ((A > 0) & (A < 1)).all()
    assert model.attention_on_input(weights)[f"l{attention_at}"].shape == (2, 128)


def test_crnn_is_acrnn_without_attention():
    crnn = build_model("crnn", 10)
    assert crnn.attention_at is None and crnn.pooling is None
    assert build_model("acrnn", 10).attention_at == 10
    with pytest.raises(ValueError, match="attention_at"):
        build_model("acrnn", 10, attention_at=3)
    with pytest.raises(ValueError, match="l10"):
        build_model("acrnn", 10, attention_at=10, attention_scale="sigmoid")


def test_piczak_takes_its_segments_and_only_those():
    model = build_model("piczak", 10)
    check_logits(model, torch.randn(2, 2, 60, 41), 10)
    with pytest.raises(ValueError, match="41 frames"):
        model(torch.randn(1, 2, 60, 42))
    with pytest.raises(ValueError, match="60 bands"):
        build_model("cnn", 10, (1, 60, 150))(torch.randn(1, 1, 128, 150))


def test_unknown_names_and_parameters_are_named():
    with pytest.raises(ValueError, match="'resnet'"):
        build_model("resnet", 10)
    with pytest.raises(ValueError, match="'gamma'"):
        build_model("pb-cnn", 10, gamma=0.1)
    with pytest.raises(ValueError, match="attention"):  # fixed by the name "cnn"
        build_model("cnn", 10, attention="pixel")
    assert "gamma_init" in model_parameters("pb-cnn") and "attention" not in model_parameters("pb-cnn")
    with pytest.raises(ValueError, match="n_mel"):
        default_input_shape("pb-cnn", n_mel=60)
    assert default_input_shape("pb-cnn", n_mels=60, frames=251) == (1, 60, 251)
    assert set(MODELS) == {"valenti", "cnn", "tb-cnn", "fb-cnn", "pb-cnn", "crnn", "acrnn", "piczak"}


def test_pb_cnn_parameters_reach_the_modules():
    model = build_model("pb-cnn", 10, (1, 60, 150), pba_kernel=5, reduction=4, gamma_init=0.1,
                        channels=(8, 16, 32, 64))
    pba = model.stages[1].attention
    assert pba.value.kernel_size == (5, 5) and pba.se.fc1.out_features == 16 // 4
    assert pba.pba_ws == "tensor" and pba.transform.kernel_size == (5, 5)  # the default reading
    assert all(stage.attention.gamma.item() == pytest.approx(0.1) for stage in model.stages)
    assert model.classifier.in_features == 64
    channel = build_model("pb-cnn", 10, (1, 60, 150), pba_ws="channel")
    assert all(stage.attention.transform is None for stage in channel.stages)
    with pytest.raises(ValueError, match="pba_ws"):
        build_model("pb-cnn", 10, pba_ws="pixel")
    literal = build_model("fb-cnn", 10, rescale_softmax=False)  # X ⊙ α as eq. 13 writes it
    assert [stage.attention.rescale_softmax for stage in literal.stages] == [False] * 4
    assert build_model("tb-cnn", 10).stages[0].attention.rescale_softmax  # n·α by default


def test_pb_cnn_kernel_and_pool_sizes_are_parameters():
    model = build_model("tb-cnn", 10, (1, 64, 100), kernel_size=5, pool_size=3)
    assert all(stage.conv.kernel_size == (5, 5) for stage in model.stages)
    assert [axes[0][1] for axes in model.attention_axes.values()] == [1, 3, 9, 27]
    logits, weights = model(torch.randn(2, 1, 64, 100), return_attention=True)
    assert logits.shape == (2, 10)
    assert [w.shape[1] for w in weights.values()] == [100, 33, 11, 3]  # frames // 3 per stage
    assert model.attention_on_input(weights)["stage4"].shape == (2, 100)
    with pytest.raises(ValueError, match="27 bands"):
        build_model("cnn", 10, (1, 20, 100), pool_size=3)
    with pytest.raises(ValueError, match="kernel_size"):
        build_model("cnn", 10, kernel_size=4)


def test_pba_gammas_report_each_stage_and_the_branch_share_follows_gamma():
    torch.manual_seed(0)
    model = build_model("pb-cnn", 10, (1, 32, 40), channels=(8, 16, 32, 64))
    assert model.pba_gammas() == {f"stage{s}": 0.0 for s in (1, 2, 3, 4)}
    with torch.no_grad():
        for s, stage in enumerate(model.stages):
            stage.attention.gamma.fill_(0.1 * (s + 1))
    assert model.pba_gammas() == pytest.approx({"stage1": 0.1, "stage2": 0.2, "stage3": 0.3,
                                                "stage4": 0.4})
    assert build_model("cnn", 10).pba_gammas() == {}
    X = torch.randn(3, 1, 32, 40)
    share = model.pba_branch_share(X)
    assert set(share) == {"stage1", "stage2", "stage3", "stage4"} and all(v > 0 for v in share.values())
    with torch.no_grad():
        model.stages[0].attention.gamma.fill_(0.2)  # stage 1's input does not depend on γ
    assert model.pba_branch_share(X)["stage1"] == pytest.approx(2 * share["stage1"], rel=1e-5)
    assert model.training  # the measurement left the mode as it found it
    with torch.no_grad():
        for stage in model.stages:
            stage.attention.gamma.zero_()
    assert model.pba_branch_share(X) == {f"stage{s}": 0.0 for s in (1, 2, 3, 4)}


# batch norm (momentum, eps) by the framework of the paper whose experiments use the model:
# PB-CNN's PyTorch 1.0.1 defaults, ACRNN's Keras defaults (momentum 0.99 = PyTorch's 0.01)
FRAMEWORK_BN = {"pbcnn": (0.1, 1e-5), "acrnn": (0.01, 1e-3)}


@pytest.mark.parametrize("name", list(MODELS))
def test_batch_norm_layers_carry_their_papers_framework_defaults(name):
    model = build_model(name, 10)
    layers = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    if not layers:  # PiczakCNN has no batch norm, so no parameters for it
        assert "bn_momentum" not in model_parameters(name)
        return
    momentum, eps = FRAMEWORK_BN[MODELS[name].paper]
    assert all((bn.momentum, bn.eps) == (momentum, eps) for bn in layers)
    changed = build_model(name, 10, bn_momentum=0.3, bn_eps=1e-4)
    assert all((m.momentum, m.eps) == (0.3, 1e-4) for m in changed.modules()
               if isinstance(m, torch.nn.BatchNorm2d))


@pytest.mark.parametrize("name", list(MODELS))
def test_every_registered_model_takes_its_features_and_says_whether_it_attends(name):
    spec = MODELS[name]
    assert spec.features in FEATURE_CONFIGS and spec.preset in PRESETS
    config = feature_config(spec.features)  # the feature's defaults give the model's input
    assert spec.input_shape[:2] == (config.channels, config.n_bands)
    shape = default_input_shape(name)
    weights = check_logits(build_model(name, 10), torch.randn(2, *shape), 10)
    assert bool(weights) == spec.has_attention


class TinyNet(AudioClassifier):
    """Global average over bands and frames, then a dense layer: the smallest registrable network"""

    def __init__(self, n_classes, input_shape, *, width: int = 8):
        super().__init__()
        self.input_shape, self.n_classes, self.attention_axes = tuple(input_shape), n_classes, {}
        self.hidden = torch.nn.Linear(input_shape[0], width)
        self.classifier = torch.nn.Linear(width, n_classes)

    def forward(self, X, return_attention=False):
        self.check_input(X)
        logits = self.classifier(torch.relu(self.hidden(X.mean(dim=(2, 3)))))  # (batch, n_classes)
        return (logits, {}) if return_attention else logits


@pytest.fixture
def tiny_model():
    spec = register_model(ModelSpec(name="tiny", cls=TinyNet, input_shape=(1, 16, 20),
                                    features="logmel", has_attention=False, paper="pbcnn",
                                    preset="pbcnn", cost_rows=(({}, None), ({"width": 2}, None))))
    yield spec
    if "tiny" in MODELS:
        unregister_model("tiny")


def test_a_registered_model_is_built_listed_and_costed(tiny_model):
    from ascnb.models import DEFAULT_INPUT_SHAPES, LOGMEL_MODELS

    model = build_model("tiny", 3)
    assert model(torch.randn(2, 1, 16, 20)).shape == (2, 3) and model.name == "tiny"
    assert model_parameters("tiny") == ["width"]
    assert build_model("tiny", 3, width=5).hidden.out_features == 5
    assert "tiny" in LOGMEL_MODELS and DEFAULT_INPUT_SHAPES["tiny"] == (1, 16, 20)
    rows = cost_table()
    tiny = rows[rows.model == "tiny"]
    assert list(tiny.variant) == ["", "width=2"]
    assert list(tiny.n_params) == [1 * 8 + 8 + 8 * 10 + 10, 1 * 2 + 2 + 2 * 10 + 10]
    with pytest.raises(ValueError, match="already registered"):
        register_model(tiny_model)
    unregister_model("tiny")
    with pytest.raises(ValueError, match="unknown model 'tiny'"):
        build_model("tiny", 3)


def test_register_model_refuses_specs_that_cannot_build():
    common = dict(input_shape=(1, 16, 20), features="logmel", has_attention=False, paper="pbcnn",
                  preset="pbcnn")
    with pytest.raises(ValueError, match="fixed parameter"):
        register_model(ModelSpec(name="bad", cls=TinyNet, fixed={"depth": 2}, **common))
    with pytest.raises(ValueError, match="cost row"):
        register_model(ModelSpec(name="bad", cls=TinyNet, cost_rows=(({"depth": 2}, None),), **common))
    with pytest.raises(ValueError, match="paper"):
        register_model(ModelSpec(name="bad", cls=TinyNet, **{**common, "paper": "dcase"}))
    assert "bad" not in MODELS


def calibrate_batch_norm(model, X):
    """Set every BN layer's running statistics to those of X, then eval mode

    Untrained running statistics (mean 0, variance 1) leave eval-mode activations unnormalised,
    e.g. ReLU(Wk) of the last PBA all zero, which says nothing about alignment
    """
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.reset_running_stats()
            module.momentum = None  # cumulative average: one pass gives the statistics of X
    model.train()
    with torch.no_grad():
        model(X)
    model.eval()


@pytest.mark.parametrize("name, params", [("tb-cnn", {"attention_scale": "sigmoid"}),
                                          ("pb-cnn", {}),
                                          ("acrnn", {"attention_at": 2, "attention_scale": "sigmoid"}),
                                          ("acrnn", {"attention_at": 8, "attention_scale": "sigmoid"})])
def test_model_weights_align_with_input_frames(name, params):
    """Perturbing late input frames changes the weights of late input frames, not early ones"""
    torch.manual_seed(0)
    shape = default_input_shape(name)
    model = build_model(name, 10, shape, **params)
    calibrate_batch_norm(model, torch.randn(4, *shape))  # eval mode with trained-like BN statistics
    # PB-CNN keeps γ = 0 here: once γ moves, the SE block's global channel weights make every
    # later stage depend on every frame, by design; the pixel maps Wk themselves stay local
    frames = shape[2]
    X = torch.randn(1, *shape)
    X2 = X.clone()
    X2[..., frames - 10:] += 5 * torch.randn_like(X2[..., frames - 10:])
    with torch.no_grad():
        before = model.attention_on_input(model(X, return_attention=True)[1])
        after = model.attention_on_input(model(X2, return_attention=True)[1])
    assert before
    for key in before:
        difference = (before[key] - after[key]).abs()
        if difference.dim() == 3:  # pixel maps: (batch, bands, frames)
            difference = difference.amax(dim=1)
        changed = difference[0] > 1e-6
        assert changed[frames // 2:].any(), key  # late weights moved (ReLU(Wk) may be 0 at the very end)
        assert not changed[: frames // 3].any(), key  # far-away frames did not


def acrnn_count(n_bands_at_l9: int, n_classes: int = 10) -> int:
    """The docstring arithmetic of ascnb.models.acrnn, term by term"""
    conv = 2 * 32 * 15 + 32 + 32 * 32 * 15 + 32 + 32 * 64 * 3 + 64 + 64 * 64 * 3 + 64 \
        + 64 * 128 * 5 + 128 + 128 * 128 * 5 + 128 + 128 * 256 * 9 + 256 + 256 * 256 * 9 + 256
    batch_norm = 2 * (32 + 32 + 64 + 64 + 128 + 128 + 256 + 256)
    l9 = 2 * 3 * (256 * 256 * n_bands_at_l9 + 256 * 256 + 2 * 256)
    l10 = 2 * 3 * (256 * 512 + 256 * 256 + 2 * 256)
    return conv + batch_norm + l9 + l10 + 512 * n_classes + n_classes


def test_acrnn_reading_nearest_the_published_parameter_count():
    published = 3.81e6
    counts = {}
    for padding in ("same", "valid"):
        for axes in ("freq-time", "time-freq"):
            model = build_model("crnn", 10, padding=padding, axes=axes)
            counts[padding, axes] = model_cost(model, (2, 128, 128))["params"]
            assert counts[padding, axes] == acrnn_count(model.rnn_bands)
    # with "same" padding the (freq, time) reading is nearest: our default
    default = build_model("crnn", 10)
    assert (default.padding, default.axes) == ("same", "freq-time") and default.rnn_bands == 4
    same = {axes: counts["same", axes] for axes in ("freq-time", "time-freq")}
    assert min(same, key=lambda a: abs(same[a] - published)) == "freq-time"
    assert abs(same["freq-time"] / published - 1) < 0.12
    # the exact match of Table 2 over all four readings, and what it costs: one GRU step
    nearest = min(counts, key=lambda k: abs(counts[k] - published))
    assert nearest == ("valid", "time-freq") and abs(counts[nearest] / published - 1) < 0.005
    assert build_model("crnn", 10, padding="valid", axes="time-freq").rnn_steps == 1
    assert default.rnn_steps == 7


def test_piczak_parameter_count_against_table_2():
    assert model_cost(build_model("piczak", 10), (2, 60, 41))["params"] == 26_334_090
    same = model_cost(build_model("piczak", 10, pool_padding="same"), (2, 60, 41))["params"]
    assert abs(same / 31.53e6 - 1) < 0.001


def test_model_cost_counts_forward_flops_per_segment():
    small = model_cost(build_model("cnn", 10, (1, 60, 150)), (1, 60, 150))
    whole = model_cost(build_model("cnn", 10, (1, 60, 150)), (1, 60, 251))
    assert small["params"] == whole["params"] > 0
    assert 1.5 < whole["flops"] / small["flops"] < 1.8  # about 251 / 150 more frames
    # the GRUs are counted: ACRNN costs more than its convolutions alone
    acrnn = build_model("crnn", 10)
    total = model_cost(acrnn, (2, 128, 128))["flops"]
    gru_in = 2 * 3 * 256 * (1024 + 256) * 2 * 7  # l9 matrix products, 7 steps, two directions
    assert total > gru_in > 0


def test_cost_table_and_cli():
    from ascnb.cli import main

    table = cost_table()
    assert {"model", "params_M", "flops_M", "paper_params_M", "paper_flops_M"} <= set(table.columns)
    acrnn = table[(table.model == "acrnn") & (table.variant == "")].iloc[0]
    assert acrnn.paper_params_M == 3.81 and acrnn.paper_flops_M == 9.18
    assert set(table.model) == set(MODELS)
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["models", "--csv"]) == 0
    csv = pd.read_csv(io.StringIO(out.getvalue()))
    assert len(csv) == len(table) and "flops_M" in csv.columns
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["models"]) == 0
    assert "PiczakCNN" in out.getvalue() and "two per parameter" in out.getvalue()
