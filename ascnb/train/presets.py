"""The papers' training recipes as named presets; every value can be overridden

Book: book/intro.md ("How the experiments are trained"). ``train_config("acrnn", lr=0.1)``
gives the ACRNN recipe with one change; an unknown key is a ValueError naming it.

Sources and choices
- "acrnn": ACRNN section 4.1: cross-entropy, mini-batch SGD with Nesterov momentum 0.9,
  batches of 64 segments drawn without repetition, 300 epochs, lr 0.01 divided by 10 every
  100 epochs; section 3.1: L2 regularisation 1e-4 on the weights of each layer. Weights
  N(0, 0.05) are the model's own initialisation (ascnb.models.acrnn, init_std). The paper's
  "augment" rows add time stretch, pitch shift and mixup; its mixup alpha is not given:
  mixup_alpha=0.2 and waveform_augment=1 switch them on (off in the preset).
- "pbcnn": PB-CNN section 3.2 names only Adam and categorical cross-entropy (PyTorch 1.0.1).
  Our choice: PyTorch's Adam defaults (lr 1e-3, betas 0.9/0.999), batch 64 (as ACRNN),
  50 epochs, no L2, no schedule. A DCASE 2016 training fold holds ~880 of the 1,170 clips,
  ~16,700 segments of 3 s with 50% overlap (19 per clip), 262 batches of 64: about 13,000
  steps in 50 epochs. (The paper's "about 22,000" segments count all 1,170 clips.)
- "piczak": Piczak 2015 (MLSP), section 3: SGD with Nesterov momentum 0.9, L2 0.001 for each
  layer; learning rate 0.002, batches of 1000 segments and 300 epochs are the values we
  recall from that paper for ESC-10/ESC-50 (it is not among ../shared/papers: unverified).

``l2`` is the coefficient of the L2 penalty added to the loss, as the papers (Keras,
Lasagne) state it: l2 * sum(w ** 2) over weight matrices and kernels (not biases or batch
norm), i.e. a gradient 2 * l2 * w. The trainer applies it as SGD/Adam weight decay 2 * l2.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace


@dataclass(frozen=True)
class TrainConfig:
    """One training recipe (see the module docstring for where each value comes from)

    optimizer: "sgd" | "adam"; lr: initial learning rate; batch_size: segments per batch;
    num_epochs; momentum, nesterov: SGD only; l2: L2 penalty coefficient on weights;
    lr_step: multiply the lr by lr_gamma every lr_step epochs (0 = constant);
    mixup_alpha: lambda ~ Beta(alpha, alpha) per batch (0 = no mixup);
    waveform_augment: stretched + pitch-shifted copies of each training clip (0 = none);
    fast: GPU fast path (resident data, index batches) - None = on when the device is CUDA;
    amp: "bf16" autocast, "none", or "auto" (bf16 on the fast path on CUDA);
    channels_last: True/False or "auto" (on with the fast path on CUDA);
    deterministic: torch.use_deterministic_algorithms (warn_only); eval_batch_size;
    max_batches: train on only the first max_batches batches of each epoch (0 = all; the
    smoke profile's cap, so that a smoke run checks the pipeline in seconds);
    bn_recalibrate: after the last epoch, set every batch norm's running mean and variance to
    the training set's statistics under the final weights (one pass, no gradient). Off in the
    papers' recipes (their networks keep the running averages); the quick profile switches it
    on, because a recipe compressed to a few hundred steps leaves running averages that still
    remember the first epochs (ACRNN's Keras momentum, 0.99, forgets with a time constant of
    ~100 steps): its test accuracy would measure that lag, not the network
    """

    optimizer: str = "adam"
    lr: float = 1e-3
    batch_size: int = 64
    num_epochs: int = 50
    momentum: float = 0.0
    nesterov: bool = False
    l2: float = 0.0
    lr_step: int = 0
    lr_gamma: float = 0.1
    mixup_alpha: float = 0.0
    waveform_augment: int = 0
    fast: bool | None = None
    amp: str = "auto"
    channels_last: bool | str = "auto"
    deterministic: bool = True
    eval_batch_size: int = 256
    max_batches: int = 0
    bn_recalibrate: bool = False

    def __post_init__(self):
        for name in ("batch_size", "eval_batch_size", "num_epochs", "lr_step", "waveform_augment",
                     "max_batches"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"TrainConfig: {name} must be an integer, got {value!r} "
                                 f"({type(value).__name__})")
        for name in ("nesterov", "deterministic", "bn_recalibrate"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"TrainConfig: {name} must be true or false, got {getattr(self, name)!r}")
        if self.fast not in (None, True, False):
            raise ValueError(f"TrainConfig: fast must be true, false or null, got {self.fast!r}")
        if self.optimizer not in ("sgd", "adam"):
            raise ValueError(f"TrainConfig: optimizer must be 'sgd' or 'adam', got {self.optimizer!r}")
        for name in ("batch_size", "eval_batch_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"TrainConfig: {name} must be >= 1, got {getattr(self, name)!r}")
        for name in ("num_epochs", "lr_step", "waveform_augment", "max_batches"):
            if getattr(self, name) < 0:
                raise ValueError(f"TrainConfig: {name} must be >= 0, got {getattr(self, name)!r}")
        import math
        import numbers

        for name in ("lr", "l2", "mixup_alpha", "momentum", "lr_gamma"):  # NaN passes every < test
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
                raise ValueError(f"TrainConfig: {name} must be a finite number, got {value!r}")
        if self.lr <= 0:
            raise ValueError(f"TrainConfig: lr must be positive, got {self.lr!r}")
        for name in ("mixup_alpha", "l2", "momentum"):
            if getattr(self, name) < 0:
                raise ValueError(f"TrainConfig: {name} must be >= 0, got {getattr(self, name)!r}")
        if self.amp not in ("auto", "bf16", "none"):
            raise ValueError(f"TrainConfig: amp must be 'auto', 'bf16' or 'none', got {self.amp!r}")
        if self.channels_last not in (True, False, "auto"):
            raise ValueError(f"TrainConfig: channels_last must be True, False or 'auto', "
                             f"got {self.channels_last!r}")

    def to_dict(self) -> dict:
        return asdict(self)


PRESETS: dict[str, dict] = {
    "acrnn": dict(optimizer="sgd", lr=0.01, batch_size=64, num_epochs=300, momentum=0.9,
                  nesterov=True, l2=1e-4, lr_step=100, lr_gamma=0.1),
    "pbcnn": dict(optimizer="adam", lr=1e-3, batch_size=64, num_epochs=50),
    "piczak": dict(optimizer="sgd", lr=0.002, batch_size=1000, num_epochs=300, momentum=0.9,
                   nesterov=True, l2=1e-3),
}


TRAIN_KEYS = tuple(f.name for f in fields(TrainConfig))


def check_overrides(overrides: dict, where: str = "training override") -> None:
    unknown = sorted(set(overrides) - set(TRAIN_KEYS))
    if unknown:
        raise ValueError(f"unknown {where}(s) {unknown}; known: {', '.join(TRAIN_KEYS)}")


def train_config(preset: str | TrainConfig = "pbcnn", **overrides) -> TrainConfig:
    """The recipe ``preset`` ("pbcnn", "acrnn", "piczak") with ``overrides`` applied"""
    check_overrides(overrides)
    if isinstance(preset, TrainConfig):
        return replace(preset, **overrides)
    if preset not in PRESETS:
        raise ValueError(f"unknown training preset {preset!r}; known: {', '.join(PRESETS)}")
    return TrainConfig(**{**PRESETS[preset], **overrides})
