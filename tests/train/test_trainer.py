"""ascnb.train: presets, the plain and fast paths, determinism, resume, mixup, augmentation"""

import numpy as np
import pytest
import torch
from torch import nn

from ascnb.train import (PRESETS, NonFiniteLossError, Trainer, augment_waveform,
                         augmentation_params, mixup_batch, resolve_device, train_config)


class TinyNet(nn.Module):
    """Conv + batch norm + dropout: every source of nondeterminism a real model has"""

    def __init__(self, n_classes=3, fail_at_call=None):
        super().__init__()
        self.n_classes = n_classes
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.norm = nn.BatchNorm2d(4)
        self.dropout = nn.Dropout(0.3)
        self.fc = nn.Linear(4, n_classes)
        self.calls, self.fail_at_call = 0, fail_at_call

    def forward(self, X):  # X: (batch, 1, F, T)
        self.calls += 1
        if self.fail_at_call is not None and self.calls == self.fail_at_call:
            raise KeyboardInterrupt("simulated interruption")
        h = self.norm(self.conv(X)).relu().mean(dim=(2, 3))  # (batch, 4)
        return self.fc(self.dropout(h))  # (batch, K)


def toy_data(n=96, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 1, 8, 10)).astype(np.float32)
    y = rng.integers(0, 3, n)
    X[y == 1] += 1.0
    X[y == 2] -= 1.0
    return X, y


def train(seed=0, model_seed=0, **overrides):
    torch.manual_seed(model_seed)
    model = TinyNet()
    options = dict(num_epochs=3, batch_size=16, device="cpu", progress=False)
    options.update(overrides)
    trainer = Trainer("acrnn", **options)
    X, y = toy_data()
    history = trainer.fit(model, X, y, seed=seed)
    return model, trainer, history


def weights(model):
    return torch.cat([p.detach().flatten().float() for p in model.state_dict().values()])


def test_presets_hold_the_papers_values():
    acrnn = train_config("acrnn")
    assert (acrnn.optimizer, acrnn.momentum, acrnn.nesterov) == ("sgd", 0.9, True)
    assert (acrnn.batch_size, acrnn.num_epochs, acrnn.lr, acrnn.lr_step, acrnn.lr_gamma) == (64, 300, 0.01, 100, 0.1)
    assert acrnn.l2 == 1e-4
    assert train_config("pbcnn").optimizer == "adam"
    piczak = train_config("piczak")
    assert (piczak.optimizer, piczak.momentum, piczak.nesterov, piczak.l2) == ("sgd", 0.9, True, 1e-3)
    assert set(PRESETS) == {"acrnn", "pbcnn", "piczak"}


def test_every_value_can_be_overridden_and_unknown_keys_are_named():
    config = train_config("acrnn", lr=0.1, num_epochs=2, mixup_alpha=0.2)
    assert (config.lr, config.num_epochs, config.mixup_alpha, config.momentum) == (0.1, 2, 0.2, 0.9)
    with pytest.raises(ValueError, match=r"unknown training override.*'learning_rate'"):
        train_config("acrnn", learning_rate=0.1)
    with pytest.raises(ValueError, match="unknown training preset 'adamw'"):
        train_config("adamw")
    with pytest.raises(ValueError, match="optimizer"):
        train_config("pbcnn", optimizer="rmsprop")


def test_l2_is_weight_decay_on_weights_only():
    trainer = Trainer("acrnn", device="cpu", progress=False)
    optimizer = trainer.make_optimizer(TinyNet())
    decays = {p.ndim > 1: g["weight_decay"] for g in optimizer.param_groups for p in g["params"]}
    assert decays == {True: pytest.approx(2e-4), False: 0.0}
    assert optimizer.param_groups[0]["nesterov"] is True


def test_step_schedule_divides_the_lr():
    _, _, history = train(num_epochs=3, lr_step=1, lr_gamma=0.1)
    assert [h["lr"] for h in history] == pytest.approx([0.01, 0.001, 0.0001])


def test_training_learns_the_toy_problem():
    _, trainer, history = train(num_epochs=8)
    assert history[-1]["loss"] < history[0]["loss"]
    X, y = toy_data(seed=1)
    torch.manual_seed(0)
    model, trainer, _ = train(num_epochs=8)
    probs = trainer.predict_proba(model, X)
    assert probs.shape == (len(X), 3)
    assert np.allclose(probs.sum(axis=1), 1.0)
    assert np.mean(probs.argmax(axis=1) == y) > 0.6


def test_same_seed_twice_gives_the_same_weights_and_another_seed_does_not():
    a, _, history_a = train(seed=3)
    b, _, history_b = train(seed=3)
    assert torch.equal(weights(a), weights(b))
    assert history_a[-1]["loss"] == history_b[-1]["loss"]
    c, _, _ = train(seed=4)
    assert not torch.equal(weights(a), weights(c))


def test_fast_path_takes_the_same_batches_as_the_plain_path():
    # fp32 on the CPU: resident tensors + index batches == DataLoader, bit for bit
    plain, _, history_plain = train(fast=False, mixup_alpha=0.4)
    fast, trainer, history_fast = train(fast=True, amp="none", mixup_alpha=0.4)
    assert trainer.fast and trainer.amp_dtype is None
    assert [h["loss"] for h in history_plain] == [h["loss"] for h in history_fast]
    assert torch.equal(weights(plain), weights(fast))


def test_fast_path_with_bf16_autocast_and_channels_last_runs_close_to_fp32():
    fp32, _, history_fp32 = train(fast=True, amp="none")
    bf16, trainer, history_bf16 = train(fast=True, amp="bf16", channels_last=True)
    assert trainer.amp_dtype == torch.bfloat16 and trainer.channels_last
    assert history_bf16[0]["loss"] == pytest.approx(history_fp32[0]["loss"], rel=0.05)
    X, _ = toy_data(seed=2)
    probs = trainer.predict_proba(bf16, X)
    assert probs.dtype == np.float64 and np.allclose(probs.sum(axis=1), 1.0)


def test_device_auto_and_fast_default():
    expected = "cuda" if torch.cuda.is_available() else None
    device = resolve_device("auto")
    if expected:
        assert device.type == expected
    trainer = Trainer("pbcnn", device="cpu")
    assert not trainer.fast and trainer.amp_dtype is None and not trainer.channels_last
    assert not trainer.compile
    with pytest.raises(ValueError, match="unknown device"):
        resolve_device("tpu-ish")


def test_interrupted_training_resumes_to_the_uninterrupted_result(tmp_path):
    uninterrupted, _, history = train(num_epochs=4)
    # stop during epoch 3 (batches 1-6 are epoch 1, 7-12 epoch 2)
    torch.manual_seed(0)
    model = TinyNet(fail_at_call=14)
    trainer = Trainer("acrnn", num_epochs=4, batch_size=16, device="cpu", progress=False,
                      checkpoint_dir=tmp_path)
    X, y = toy_data()
    with pytest.raises(KeyboardInterrupt):
        trainer.fit(model, X, y, seed=0)
    assert torch.load(tmp_path / "checkpoint.pt", weights_only=False)["epoch"] == 2
    torch.manual_seed(123)  # a fresh model: everything must come from the checkpoint
    resumed_model = TinyNet()
    resumed = Trainer("acrnn", num_epochs=4, batch_size=16, device="cpu", progress=False,
                      checkpoint_dir=tmp_path)
    resumed_history = resumed.fit(resumed_model, X, y, seed=0)
    assert resumed.resumed_from == 2
    assert [h["loss"] for h in resumed_history] == [h["loss"] for h in history]
    assert torch.equal(weights(resumed_model), weights(uninterrupted))


def test_a_checkpoint_of_another_run_is_set_aside_and_the_run_starts_afresh(tmp_path):
    from ascnb.atomic import CorruptFileWarning

    X, y = toy_data()
    Trainer("acrnn", num_epochs=1, batch_size=16, device="cpu", progress=False,
            checkpoint_dir=tmp_path).fit(TinyNet(), X, y, seed=0)
    other = Trainer("acrnn", num_epochs=2, batch_size=32, device="cpu", progress=False,
                    checkpoint_dir=tmp_path)
    with pytest.warns(CorruptFileWarning, match=r"checkpoint.pt: checkpoint of a different run "
                                                r"\(config.batch_size 16 there, 32 here\)"):
        history = other.fit(TinyNet(), X, y, seed=0)
    assert other.resumed_from == 0 and len(history) == 2
    assert (tmp_path / "checkpoint.pt.corrupt").is_file()


@pytest.mark.parametrize("damage", [lambda b: b[: len(b) // 2], lambda b: b"", lambda b: b"not a zip"])
def test_an_unreadable_checkpoint_is_named_set_aside_and_the_run_redone(tmp_path, damage):
    from ascnb.atomic import CorruptFileWarning

    X, y = toy_data()

    def fresh():
        torch.manual_seed(7)
        return TinyNet()

    whole = Trainer("acrnn", num_epochs=2, batch_size=16, device="cpu", progress=False)
    expected = whole.fit(fresh(), X, y, seed=0)
    Trainer("acrnn", num_epochs=1, batch_size=16, device="cpu", progress=False,
            checkpoint_dir=tmp_path).fit(fresh(), X, y, seed=0)
    checkpoint = tmp_path / "checkpoint.pt"
    checkpoint.write_bytes(damage(checkpoint.read_bytes()))
    again = Trainer("acrnn", num_epochs=2, batch_size=16, device="cpu", progress=False,
                    checkpoint_dir=tmp_path)
    with pytest.warns(CorruptFileWarning, match=r"checkpoint.pt: unreadable checkpoint"):
        history = again.fit(fresh(), X, y, seed=0)
    assert again.resumed_from == 0
    assert [h["loss"] for h in history] == [h["loss"] for h in expected]


def test_on_epoch_end_adds_to_the_history_and_survives_a_resume(tmp_path):
    X, y = toy_data()
    seen = []

    def curve(epoch, model):
        seen.append((epoch, model.training))
        return {"test_accuracy": epoch / 10} if epoch % 2 == 1 else None

    Trainer("acrnn", num_epochs=2, batch_size=16, device="cpu", progress=False,
            checkpoint_dir=tmp_path).fit(TinyNet(), X, y, seed=0, on_epoch_end=curve)
    history = Trainer("acrnn", num_epochs=4, batch_size=16, device="cpu", progress=False,
                      checkpoint_dir=tmp_path).fit(TinyNet(), X, y, seed=0, on_epoch_end=curve)
    assert [h.get("test_accuracy") for h in history] == [None, 0.1, None, 0.3]
    assert [e for e, _ in seen] == [0, 1, 2, 3]


def test_mixup_mixes_features_and_one_hot_targets_with_the_same_lambda():
    X = torch.arange(3.0).reshape(3, 1, 1, 1)
    targets = torch.eye(3)
    partner = torch.tensor([1, 2, 0])
    X_mixed, y_mixed = mixup_batch(X, targets, 0.7, partner)
    assert X_mixed.flatten().tolist() == pytest.approx([0.3, 1.3, 1.4])
    assert y_mixed[0].tolist() == pytest.approx([0.7, 0.3, 0.0])
    assert torch.allclose(y_mixed.sum(dim=1), torch.ones(3))


def test_augmentation_parameters_are_in_the_papers_ranges_and_reproducible():
    params = [augmentation_params(f"clip{i}.wav", copy=0) for i in range(50)]
    stretches, semitones = np.array(params).T
    assert stretches.min() >= 0.8 and stretches.max() <= 1.3
    assert semitones.min() >= -3.5 and semitones.max() <= 3.5
    assert augmentation_params("a.wav", 1) == augmentation_params("a.wav", 1)
    assert augmentation_params("a.wav", 1) != augmentation_params("a.wav", 2)


def test_augment_waveform_keeps_the_length_and_changes_the_pitch():
    sr = 22050
    t = np.arange(sr) / sr
    x = np.sin(2 * np.pi * 440 * t).astype(np.float32)
    y = augment_waveform(x, sr, stretch=1.2, semitones=3.0)
    assert y.shape == x.shape and y.dtype == np.float32
    peak = np.argmax(np.abs(np.fft.rfft(y[: sr // 2]))) * 2  # Hz (0.5 s window)
    assert peak == pytest.approx(440 * 2 ** (3 / 12), rel=0.03)


def test_max_batches_caps_each_epoch_and_rejects_negative():
    _, _, full = train(num_epochs=2)
    _, _, capped = train(num_epochs=2, max_batches=2)
    assert [h["segments"] for h in full] == [96, 96]
    assert [h["segments"] for h in capped] == [32, 32]
    with pytest.raises(ValueError, match="max_batches"):
        train_config("acrnn", max_batches=-1)


# ---- NaN and inf never become a record (issue 12, item 4) ----

class NaNNet(TinyNet):
    """TinyNet whose output (or an unused weight) turns NaN at one call"""

    def __init__(self, nan_at_call=None, nan_weight_at_call=None):
        super().__init__()
        self.unused = nn.Parameter(torch.zeros(2))
        self.nan_at_call, self.nan_weight_at_call = nan_at_call, nan_weight_at_call

    def forward(self, X):
        logits = super().forward(X)
        if self.calls == self.nan_weight_at_call:
            with torch.no_grad():
                self.unused.fill_(float("inf"))
        return logits * float("nan") if self.calls == self.nan_at_call else logits


def test_a_nan_loss_stops_the_run_naming_epoch_and_batch_before_its_checkpoint(tmp_path):
    X, y = toy_data()
    trainer = Trainer("acrnn", num_epochs=3, batch_size=16, device="cpu", progress=False,
                      checkpoint_dir=tmp_path)
    # 6 batches per epoch: call 9 is batch 3 of epoch 2
    with pytest.raises(NonFiniteLossError, match=r"epoch 2, batch 3 of 6: the training loss is nan"):
        trainer.fit(NaNNet(nan_at_call=9), X, y, seed=0)
    assert torch.load(tmp_path / "checkpoint.pt", weights_only=False)["epoch"] == 1
    assert len(trainer.history) == 1


def test_a_diverging_lr_stops_the_run_with_no_checkpoint_after_it(tmp_path):
    X, y = toy_data()
    trainer = Trainer("acrnn", num_epochs=3, batch_size=16, device="cpu", progress=False,
                      checkpoint_dir=tmp_path, lr=1e30)
    with pytest.raises(NonFiniteLossError, match=r"epoch 1, batch \d+ of 6.*lr=1e\+30"):
        trainer.fit(TinyNet(), X, y, seed=0)
    assert not (tmp_path / "checkpoint.pt").exists()


def test_weights_that_turn_infinite_stop_the_run_naming_them(tmp_path):
    X, y = toy_data()
    trainer = Trainer("acrnn", num_epochs=2, batch_size=16, device="cpu", progress=False,
                      checkpoint_dir=tmp_path)
    with pytest.raises(NonFiniteLossError, match=r"epoch 1: weights unused hold NaN or infinite"):
        trainer.fit(NaNNet(nan_weight_at_call=6), X, y, seed=0)  # the loss stays finite
    assert not (tmp_path / "checkpoint.pt").exists()


@pytest.mark.parametrize("field", ["lr", "l2", "mixup_alpha"])
@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_non_finite_hyperparameters_are_refused_naming_the_field(field, value):
    with pytest.raises(ValueError, match=f"TrainConfig: {field} must be a finite number, got {value}"):
        train_config("acrnn", **{field: value})


def test_batch_norm_recalibration_sets_the_training_statistics_and_nothing_else():
    """After the last epoch the running mean is the mean of the training inputs of each BN
    (here the first one sees the data itself); weights and the RNG stream are untouched"""
    X, y = toy_data()
    torch.manual_seed(0)
    plain_model = TinyNet()
    torch.manual_seed(0)
    calibrated_model = TinyNet()
    plain = Trainer("acrnn", num_epochs=2, batch_size=16, device="cpu", progress=False)
    plain.fit(plain_model, X, y, seed=0)
    after_plain = torch.get_rng_state()
    calibrated = Trainer("acrnn", num_epochs=2, batch_size=16, device="cpu", progress=False,
                         bn_recalibrate=True)
    calibrated.fit(calibrated_model, X, y, seed=0)
    assert torch.equal(torch.get_rng_state(), after_plain)
    for name, value in plain_model.state_dict().items():
        if "running" in name or "num_batches" in name:
            continue
        assert torch.equal(value, calibrated_model.state_dict()[name]), name
    norms = [m for m in calibrated_model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert norms, "TinyNet has batch norm"
    first = norms[0]
    with torch.no_grad():
        inputs = []
        first.register_forward_hook(lambda m, i, o: inputs.append(i[0]))
        calibrated_model.eval()
        calibrated_model(torch.as_tensor(X))
    expected = inputs[0].mean(dim=(0, 2, 3))
    assert torch.allclose(first.running_mean, expected, atol=1e-4)
    assert not torch.allclose(norms[0].running_mean, [m for m in plain_model.modules()
                                                     if isinstance(m, torch.nn.BatchNorm2d)][0].running_mean)
