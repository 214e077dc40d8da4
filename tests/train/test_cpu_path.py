"""The CPU fast path that bf16 autocast selects: resident index batches and channels-last,
with an opt-in compiled forward pass (issue 19). Both must give the old path's results within
bf16 noise, the same weights for the same seed, and resume exactly

"Within bf16 noise", measured rather than assumed, after 12 steps of a small ACRNN:
- weights: the old bf16 path itself lands some distance from fp32; the new path may land no
  farther than twice that from the old bf16 path (both round to 8 significant bits, at other
  places: fused batch norm, channels-last convolutions). Measured ratio 0.9-1.1 over 4 seeds;
  another seed (other batches and dropout masks) lands 3.0 times as far: it fails (negative
  control). Longer runs are not compared: any perturbation grows until it is as large as a
  change of seed
- epoch losses: within 2^-8 relative (one bf16 step at the loss's magnitude) of the old
  path's; measured 1e-6 to 2e-4
"""

import numpy as np
import pytest
import torch

from ascnb.atomic import CorruptFileWarning
from ascnb.models import build_model
from ascnb.train import Trainer
from ascnb.train.trainer import compiler_available

SHAPE = (2, 32, 24)  # the smallest input ACRNN's layer table takes
OLD = dict(fast=False, channels_last=False, compile=False)  # the quick profile's path until now


def toy_segments(n=96, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 4, n)
    X = rng.normal(size=(n, *SHAPE)).astype(np.float32)
    for i, k in enumerate(y):
        X[i, :, 4 * k:4 * k + 4] += 1.5  # each class brightens its own bands
    return X, y


def train(seed=0, epochs=2, checkpoint_dir=None, trainer_class=Trainer, **path):
    torch.manual_seed(0)
    model = build_model("acrnn", 4, SHAPE, rnn_units=16)
    options = dict(device="cpu", progress=False, num_epochs=epochs, batch_size=16, amp="bf16",
                   checkpoint_dir=checkpoint_dir)
    options.update(path)
    trainer = trainer_class("acrnn", **options)
    X, y = toy_segments()
    history = trainer.fit(model, X, y, seed=seed)
    return model, trainer, history


def weights(model):
    return torch.cat([p.detach().flatten().float() for p in model.state_dict().values()])


needs_compiler = pytest.mark.skipif(not compiler_available(), reason="torch.compile needs a C++ compiler")
COMPILE = [False, pytest.param(True, marks=needs_compiler)]


def test_bf16_on_the_cpu_selects_the_fast_path(monkeypatch):
    trainer = Trainer("acrnn", device="cpu", amp="bf16")
    assert trainer.fast and trainer.channels_last and trainer.amp_dtype == torch.bfloat16
    assert not trainer.compile  # opt-in
    fp32 = Trainer("acrnn", device="cpu")  # fp32 keeps the plain path, bit for bit as before
    assert not (fp32.fast or fp32.channels_last or fp32.compile)
    monkeypatch.setenv("ASCNB_COMPILE", "1")
    monkeypatch.setattr("ascnb.train.trainer.compiler_available", lambda: False)
    with pytest.raises(ValueError, match="needs a C\\+\\+ compiler"):
        Trainer("acrnn", device="cpu", amp="bf16")
    monkeypatch.setattr("ascnb.train.trainer.compiler_available", lambda: True)
    assert Trainer("acrnn", device="cpu", amp="bf16").compile


@pytest.mark.parametrize("compile", COMPILE)
def test_the_fast_path_gives_the_old_paths_results_within_bf16_noise(compile):
    fp32, _, history_fp32 = train(amp="none", fast=False)
    old, old_trainer, history_old = train(**OLD)
    new, trainer, history_new = train(compile=compile)
    assert trainer.fast and trainer.channels_last and not old_trainer.fast
    assert trainer.compile == compile
    losses = {name: np.array([h["loss"] for h in history])
              for name, history in (("fp32", history_fp32), ("old", history_old), ("new", history_new))}
    bf16_noise = (weights(old) - weights(fp32)).norm()
    assert bf16_noise > 0  # bf16 rounds: a real yardstick
    assert (weights(new) - weights(old)).norm() <= 2 * bf16_noise
    assert np.abs(losses["new"] / losses["old"] - 1).max() <= 2 ** -8
    # negative control: another seed (other batches, dropout masks) fails the weights criterion
    other, _, _ = train(seed=1)
    assert (weights(other) - weights(old)).norm() > 2 * bf16_noise


@pytest.mark.parametrize("compile", COMPILE)
def test_the_fast_path_gives_the_same_weights_for_the_same_seed(compile):
    a, trainer, history_a = train(seed=3, compile=compile)
    b, _, history_b = train(seed=3, compile=compile)
    assert trainer.fast and trainer.compile == compile
    assert torch.equal(weights(a), weights(b))
    assert [h["loss"] for h in history_a] == [h["loss"] for h in history_b]


class StopAfter(Trainer):
    """A trainer killed right after writing the checkpoint of epoch ``stop_after``"""

    stop_after = 2

    def save_checkpoint(self, epoch, *args):
        super().save_checkpoint(epoch, *args)
        if epoch == self.stop_after:
            raise KeyboardInterrupt("simulated interruption")


@pytest.mark.parametrize("compile", COMPILE)
def test_the_fast_path_resumes_exactly_and_refuses_another_paths_checkpoint(tmp_path, compile):
    uninterrupted, _, history = train(epochs=3, compile=compile)
    with pytest.raises(KeyboardInterrupt):
        train(epochs=3, checkpoint_dir=tmp_path, trainer_class=StopAfter, compile=compile)
    torch.manual_seed(123)
    resumed, trainer, resumed_history = train(epochs=3, checkpoint_dir=tmp_path, compile=compile)
    assert trainer.resumed_from == 2
    assert [h["loss"] for h in resumed_history] == [h["loss"] for h in history]
    assert torch.equal(weights(resumed), weights(uninterrupted))
    # another path does not continue the run (its sums would differ): it starts afresh
    if compiler_available():
        with pytest.warns(CorruptFileWarning, match=r"checkpoint of a different run \(path.compile "
                                                    f"{compile} there, {not compile} here"):
            _, other, _ = train(epochs=4, checkpoint_dir=tmp_path, compile=not compile)
        assert other.resumed_from == 0


@needs_compiler
def test_a_compiled_run_leaves_a_plain_module_with_its_attention_outputs():
    model, trainer, _ = train(epochs=1, compile=True)
    assert trainer.compile and type(model).__name__ == "ACRNN"
    assert not any(key.startswith("_orig_mod") for key in model.state_dict())
    X = torch.as_tensor(toy_segments(8, seed=5)[0])
    model.eval()
    logits, attention = model(X, return_attention=True)
    compiled_logits, compiled_attention = torch.compile(model)(X, return_attention=True)
    assert torch.allclose(logits, compiled_logits, atol=1e-4)
    assert attention.keys() == compiled_attention.keys() == {"l10"}
    assert torch.allclose(attention["l10"], compiled_attention["l10"], atol=1e-5)
    assert torch.allclose(attention["l10"].sum(dim=1), torch.ones(8))
