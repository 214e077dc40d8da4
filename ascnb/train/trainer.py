"""One training loop for every experiment: plain DataLoader path and fast path

Book: book/intro.md ("How the experiments are trained"). ``Trainer(preset).fit(model, X, y, seed=0)``
trains on segments X (n, C, F, T) with integer labels y (n,), one progress bar per epoch
(loss and accuracy), a checkpoint after every epoch and resumption from the last one.

Two paths over the same batches
- plain (the baseline): a DataLoader over CPU tensors, batches copied to the device, fp32
- fast: batches taken by index from the training set (resident on the device; no DataLoader,
  no workers), channels-last memory format, bf16 autocast. Default on CUDA, and on the CPU
  when amp="bf16" (the quick and cpu profiles): channels-last makes a bf16 CPU step of
  ACRNN or PB-CNN 1.5x faster (benchmarks/cpu_protocol.py measures each choice)
- compile (opt-in: ``compile=True`` or $ASCNB_COMPILE=1): the forward pass through
  ``torch.compile``, which fuses batch norm, ReLU and their backward passes over the large
  early feature maps. On the 2-core CPU it trains ACRNN ~15 % faster, PB-CNN no faster and
  PiczakCNN 25 % slower, and costs ~40 s per network and process the first time (~3 s once
  inductor's cache holds it): worth it for long ACRNN runs, not as a default

Reproducibility
- batch order and mixup draws of epoch e come from generators seeded with (seed, e), so
  both paths see the same batches, and a resumed run the same ones as an uninterrupted run
- dropout draws from torch's global generator: ``fit`` seeds it (seed_everything) on a fresh
  start, and a checkpoint (``ascnb.train.checkpoint``) stores the torch/numpy/python RNG
  states, restored on resume; the compiled forward draws its dropout masks as eager mode
  does (inductor fallback_random)
- torch.use_deterministic_algorithms(True, warn_only=True) when config.deterministic
Same seed, same machine, same thread count, same path -> the same weights, bit for bit, on
CPU. A checkpoint records the path (fast, amp, channels-last, compile) and is resumed only by
the same path.

A loss or weight that is not finite stops the run with ``NonFiniteLossError`` naming the
epoch and batch, before that epoch's checkpoint is written.

Over 300 lines: one class, d2l's ``fit -> fit_epoch -> epoch_batches`` read top to bottom, whose
two paths share every step (checkpoints are ``ascnb.train.checkpoint``'s).
"""

from __future__ import annotations

import os
import random
import shutil
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from ascnb.train.checkpoint import CHECKPOINT_NAME, load_checkpoint, save_checkpoint
from ascnb.train.presets import TrainConfig, train_config

# must be set before CUDA initialises for deterministic cuBLAS (harmless on CPU)
os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")


class NonFiniteLossError(FloatingPointError):
    """The training loss or the weights became NaN or infinite: the run stops, unsaved"""


def compiler_available() -> bool:
    """Whether torch.compile can build CPU kernels here (inductor needs a C++ compiler)"""
    return any(shutil.which(name) for name in (os.environ.get("CXX"), "g++", "c++", "clang++") if name)


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """"auto" -> cuda if available, else mps, else cpu; anything else as torch.device"""
    if isinstance(device, torch.device):
        return device
    if device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as error:
        raise ValueError(f"unknown device {device!r} (use 'auto', 'cpu', 'cuda', 'cuda:0', …)") from error
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {device!r}: no CUDA device is available to this torch "
                         f"({torch.__version__}); use device 'cpu' or 'auto'")
    if resolved.type == "cuda" and resolved.index is not None and resolved.index >= torch.cuda.device_count():
        raise ValueError(f"device {device!r}: only {torch.cuda.device_count()} CUDA device(s) here")
    if resolved.type == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise ValueError(f"device {device!r}: no Apple MPS device is available; use 'cpu' or 'auto'")
    return resolved


def seed_everything(seed: int) -> None:
    """Seed python, numpy and torch (CPU and CUDA) global generators"""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def epoch_generators(seed: int, epoch: int) -> tuple[torch.Generator, np.random.Generator]:
    """(torch generator for batch order and mixup partners, numpy generator for mixup lambda)"""
    g = torch.Generator().manual_seed(seed * 100_003 + epoch)
    return g, np.random.default_rng([seed, epoch])


def mixup_batch(X: torch.Tensor, targets: torch.Tensor, lam: float,
                partner: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """x = lam x_i + (1 - lam) x_j, y = lam y_i + (1 - lam) y_j with j = partner[i] (ACRNN eq. 5)"""
    X = lam * X + (1 - lam) * X[partner]  # (batch, C, F, T)
    targets = lam * targets + (1 - lam) * targets[partner]  # (batch, K)
    return X, targets


class Trainer:
    """Train a model on segments with one of the papers' recipes

    config: a TrainConfig or a preset name ("pbcnn", "acrnn", "piczak"); overrides: any
    TrainConfig field. checkpoint_dir: where ``checkpoint.pt`` is written after every epoch
    and resumed from (None = no checkpoints). device: "auto" picks CUDA when there is one.
    compile: torch.compile the model's forward pass (None = $ASCNB_COMPILE=1, else off); it
    changes the speed (and bf16 rounding), not the recipe; needs a C++ compiler on the CPU
    """

    def __init__(self, config: TrainConfig | str = "pbcnn", *, device: str | torch.device = "auto",
                 checkpoint_dir: str | Path | None = None, progress: bool = True,
                 compile: bool | None = None, **overrides):
        self.config = train_config(config, **overrides)
        self.device = resolve_device(device)
        on_cuda, on_cpu = self.device.type == "cuda", self.device.type == "cpu"
        amp = self.config.amp
        use_bf16 = amp == "bf16" or (amp == "auto" and on_cuda and self.config.fast is not False)
        self.amp_dtype = torch.bfloat16 if use_bf16 else None
        # the fast path on CUDA, and on the CPU with bf16 (fp32 on the CPU keeps the plain path)
        self.fast = self.config.fast if self.config.fast is not None else (on_cuda or (on_cpu and use_bf16))
        channels_last = self.config.channels_last
        self.channels_last = ((self.fast and (on_cuda or use_bf16)) if channels_last == "auto"
                              else bool(channels_last))
        if compile is None:
            compile = os.environ.get("ASCNB_COMPILE", "0") == "1"
        self.compile = bool(compile)
        if self.compile and on_cpu and not compiler_available():
            raise ValueError("Trainer: compile=True (or ASCNB_COMPILE=1) needs a C++ compiler on "
                             "the CPU (g++, c++ or clang++, or $CXX); none was found")
        self.checkpoint_dir = Path(checkpoint_dir) if checkpoint_dir is not None else None
        self.progress = progress
        self.history: list[dict] = []
        self.resumed_from = 0  # epochs already done when fit() started
        self.first_step_seconds: float | None = None  # includes compilation when compiled

    def __repr__(self) -> str:
        return (f"Trainer({self.config.optimizer}, lr={self.config.lr}, "
                f"batch_size={self.config.batch_size}, num_epochs={self.config.num_epochs}, "
                f"device={self.device}, fast={self.fast}, amp={self.amp_dtype}, "
                f"channels_last={self.channels_last}, compile={self.compile})")

    @property
    def path(self) -> dict:
        """How this trainer computes (not what): a checkpoint is resumed only by the same path"""
        return {"fast": bool(self.fast), "amp": str(self.amp_dtype),
                "channels_last": bool(self.channels_last), "compile": self.compile}

    @property
    def checkpoint_path(self) -> Path | None:
        return self.checkpoint_dir / CHECKPOINT_NAME if self.checkpoint_dir is not None else None

    # -- setup --------------------------------------------------------------------------------

    def make_optimizer(self, model: nn.Module) -> torch.optim.Optimizer:
        """SGD (Nesterov) or Adam; L2 as weight decay 2 * l2 on weights, none on biases/norms"""
        c = self.config
        weights = [p for p in model.parameters() if p.requires_grad and p.ndim > 1]
        others = [p for p in model.parameters() if p.requires_grad and p.ndim <= 1]
        groups = [{"params": weights, "weight_decay": 2 * c.l2},
                  {"params": others, "weight_decay": 0.0}]
        if c.optimizer == "sgd":
            return torch.optim.SGD(groups, lr=c.lr, momentum=c.momentum,
                                   nesterov=c.nesterov and c.momentum > 0)
        return torch.optim.Adam(groups, lr=c.lr)

    def make_scheduler(self, optimizer) -> torch.optim.lr_scheduler.LRScheduler:
        c = self.config
        step = c.lr_step if c.lr_step > 0 else 10**9  # 0 = constant lr
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=step, gamma=c.lr_gamma)

    def autocast(self):
        if self.amp_dtype is None:
            return torch.autocast(self.device.type, enabled=False)
        return torch.autocast(self.device.type, dtype=self.amp_dtype)

    def prepare_model(self, model: nn.Module) -> nn.Module:
        model = model.to(self.device)
        if self.channels_last:
            model = model.to(memory_format=torch.channels_last)
        return model

    def compiled(self, model: nn.Module) -> nn.Module:
        """The module that runs the training steps: ``model`` itself, or its compiled forward
        (sharing its parameters: checkpoints and attention outputs come from ``model``)"""
        if not self.compile:
            return model
        import warnings

        with warnings.catch_warnings():  # torch's own modules, imported by the first compile
            warnings.filterwarnings("ignore", "`torch.jit.script_method` is deprecated",
                                    DeprecationWarning)
            import torch._inductor.config as inductor_config
            import torch.fx.experimental.optimization  # noqa: F401

        # dropout masks from torch's generator, as in eager mode: the same masks, resumable
        inductor_config.fallback_random = True
        return torch.compile(model, dynamic=False)

    def to_device(self, X: torch.Tensor) -> torch.Tensor:
        X = X.to(self.device, non_blocking=True)
        if self.channels_last and X.ndim == 4:
            X = X.contiguous(memory_format=torch.channels_last)
        return X

    # -- checkpoints -------------------------------------------------------------------------

    def fingerprint(self, seed: int, n: int, model: nn.Module) -> dict:
        """What a checkpoint must match to be resumed by this fit(); num_epochs may differ
        (training can be extended)"""
        config = {k: v for k, v in self.config.to_dict().items() if k != "num_epochs"}
        return {"config": config, "seed": int(seed), "n_train": int(n),
                "n_parameters": sum(p.numel() for p in model.parameters()), "path": self.path}

    def save_checkpoint(self, epoch: int, model, optimizer, scheduler, fingerprint: dict) -> None:
        if self.checkpoint_path is not None:
            save_checkpoint(self.checkpoint_path, epoch, model, optimizer, scheduler,
                            self.history, fingerprint)

    def load_checkpoint(self, model, optimizer, scheduler, fingerprint: dict) -> int:
        """Restore the last checkpoint if there is one; returns the epochs it had completed"""
        if self.checkpoint_path is None:
            return 0
        restored = load_checkpoint(self.checkpoint_path, model, optimizer, scheduler, fingerprint)
        if restored is None:
            return 0
        epoch, self.history = restored
        return epoch

    # -- training ----------------------------------------------------------------------------

    def batches(self, n: int, g: torch.Generator) -> list[torch.Tensor]:
        """Index batches of one epoch: a random permutation without repetition, split in
        batch_size; a last batch of a single segment is dropped (batch norm needs two);
        with ``max_batches`` only the first max_batches (the smoke profile's cap)"""
        order = torch.randperm(n, generator=g)
        parts = list(order.split(self.config.batch_size))
        if len(parts) > 1 and len(parts[-1]) == 1:
            parts = parts[:-1]
        if self.config.max_batches:
            parts = parts[:self.config.max_batches]
        return parts

    def fit(self, model: nn.Module, X, y, *, seed: int = 0, on_epoch_end=None) -> list[dict]:
        """Train ``model`` on X (n, C, F, T) float32 and labels y (n,); returns the history

        Resumes from ``checkpoint_dir/checkpoint.pt`` when present (the same run: config,
        seed, training-set size and path must match; a checkpoint that cannot be read or is of
        another run is set aside with a warning naming it, and training starts afresh). One
        dict per epoch: epoch, loss, accuracy (on the training batches, mixed targets counted by
        their larger share), lr, seconds. ``on_epoch_end(epoch, model)`` may return a dict that
        is added to the epoch's entry (e.g. the test accuracy of a learning curve); it runs
        before the checkpoint, so a resumed run keeps it. A loss or weight that is not finite
        raises NonFiniteLossError (epoch and batch named) before the epoch's checkpoint is written
        """
        c = self.config
        X = torch.as_tensor(np.asarray(X, dtype=np.float32))  # (n, C, F, T)
        y = torch.as_tensor(np.asarray(y, dtype=np.int64))  # (n,)
        if X.ndim != 4 or y.shape != (X.shape[0],) or X.shape[0] < 2:
            raise ValueError(f"Trainer.fit expects X (n, C, F, T) and y (n,) with n >= 2, got "
                             f"{tuple(X.shape)} and {tuple(y.shape)}")
        if c.deterministic:
            torch.use_deterministic_algorithms(True, warn_only=True)
            torch.backends.cudnn.benchmark = False
        model = self.prepare_model(model)
        optimizer = self.make_optimizer(model)
        scheduler = self.make_scheduler(optimizer)
        fingerprint = self.fingerprint(seed, len(X), model)
        self.history = []
        seed_everything(seed)
        self.resumed_from = self.load_checkpoint(model, optimizer, scheduler, fingerprint)
        step_model = self.compiled(model)
        data = self.prepare_data(X, y)
        for epoch in range(self.resumed_from, c.num_epochs):
            self.history.append(self.fit_epoch(model, step_model, optimizer, data, seed, epoch))
            scheduler.step()
            self.check_weights(model, epoch)
            if c.bn_recalibrate and epoch + 1 == c.num_epochs:
                self.recalibrate_batch_norm(model, data)
            if on_epoch_end is not None:
                self.history[-1].update(on_epoch_end(epoch, model) or {})
            self.save_checkpoint(epoch + 1, model, optimizer, scheduler, fingerprint)
        return self.history

    @torch.no_grad()
    def recalibrate_batch_norm(self, model: nn.Module, data) -> None:
        """Every batch norm's running statistics recomputed over the training set under the
        final weights (cumulative averages over one pass in the epoch-0 batch order); the
        weights do not change, and no random number is drawn"""
        norms = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
        if not norms:
            return
        momenta = [m.momentum for m in norms]
        for m in norms:
            m.reset_running_stats()
            m.momentum = None  # cumulative moving average: the mean over all batches seen
        model.train()
        n = len(data[0]) if self.fast else len(data)
        order = torch.arange(n).split(self.config.batch_size)
        state = torch.get_rng_state()  # dropout draws in train mode: leave the stream as it was
        for X_b, _ in self.epoch_batches(data, list(order)):
            with self.autocast():
                model(X_b)
        torch.set_rng_state(state)
        for m, momentum in zip(norms, momenta):
            m.momentum = momentum
        model.eval()

    def prepare_data(self, X: torch.Tensor, y: torch.Tensor):
        """The training set as the path reads it: resident on the device (fast; on CUDA in
        channels-last once, on the CPU per batch, so that no second copy is kept) or a dataset"""
        if not self.fast:
            return TensorDataset(X, y)
        if self.device.type == "cpu":
            return X, y
        return self.to_device(X), y.to(self.device)

    def epoch_batches(self, data, batches: list[torch.Tensor]):
        """(X_b, y_b) on the device, in the order of ``batches`` (index tensors)"""
        if self.fast:
            X, y = data
            for idx in batches:
                idx = idx.to(X.device)
                yield self.to_device(X[idx]), y[idx].to(self.device)
            return
        # sampler set per epoch; the loader's own generator is fixed so that it never draws
        # from torch's global generator (dropout's)
        loader = DataLoader(data, batch_size=self.config.batch_size, num_workers=0,
                            sampler=torch.cat(batches).tolist(),
                            generator=torch.Generator().manual_seed(0),
                            pin_memory=self.device.type == "cuda")
        for X_b, y_b in loader:
            yield self.to_device(X_b), y_b.to(self.device)

    def fit_epoch(self, model: nn.Module, step_model: nn.Module, optimizer, data, seed: int,
                  epoch: int) -> dict:
        """One epoch of training steps; its history entry"""
        from tqdm.auto import tqdm

        c = self.config
        start = time.perf_counter()
        g, rng = epoch_generators(seed, epoch)
        n = len(data[0]) if self.fast else len(data)
        batches = self.batches(n, g)
        model.train()
        losses = torch.zeros(len(batches), device=self.device)  # (batches,) per-batch loss
        sizes = torch.tensor([len(b) for b in batches], device=self.device, dtype=torch.float32)
        correct = torch.zeros((), device=self.device, dtype=torch.int64)
        check_each_step = self.device.type == "cpu"  # no device sync to wait for on the CPU
        bar = tqdm(self.epoch_batches(data, batches), total=len(batches),
                   desc=f"epoch {epoch + 1}/{c.num_epochs}", disable=not self.progress,
                   unit="batch", leave=True)
        for step, (X_b, y_b) in enumerate(bar):
            if c.mixup_alpha > 0:
                lam = float(rng.beta(c.mixup_alpha, c.mixup_alpha))
                partner = torch.randperm(len(y_b), generator=g).to(self.device)
                with torch.no_grad():
                    targets = F.one_hot(y_b, model_output_size(model)).float()  # (batch, K)
                    X_b, targets = mixup_batch(X_b, targets, lam, partner)
                y_major = y_b if lam >= 0.5 else y_b[partner]
            else:
                targets, y_major = y_b, y_b
            stepped = time.perf_counter()
            with self.autocast():
                logits = step_model(X_b)  # (batch, K)
            loss = F.cross_entropy(logits.float(), targets)
            losses[step] = loss.detach()
            if check_each_step and not torch.isfinite(losses[step]):
                self.stop(epoch, step, len(batches), losses[step].item())
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            if self.first_step_seconds is None:
                self.first_step_seconds = time.perf_counter() - stepped
            correct += (logits.detach().argmax(dim=1) == y_major).sum()
            if self.progress and (step % (50 if self.fast else 10) == 0 or step == len(batches) - 1):
                seen = float(sizes[:step + 1].sum())
                bar.set_postfix(loss=f"{float((losses[:step + 1] * sizes[:step + 1]).sum()) / seen:.4f}",
                                acc=f"{correct.item() / seen:.3f}")
        bar.close()
        bad = (~torch.isfinite(losses)).nonzero()
        if len(bad):  # on an accelerator, checked once per epoch
            step = int(bad[0])
            self.stop(epoch, step, len(batches), losses[step].item())
        seen = int(sizes.sum())
        return {"epoch": epoch + 1, "loss": float((losses * sizes).sum()) / seen,
                "accuracy": correct.item() / seen, "lr": optimizer.param_groups[0]["lr"],
                "segments": seen, "seconds": time.perf_counter() - start}

    def stop(self, epoch: int, step: int, n_batches: int, loss: float):
        raise NonFiniteLossError(
            f"epoch {epoch + 1}, batch {step + 1} of {n_batches}: the training loss is {loss} "
            f"(not finite); training stopped before the checkpoint of epoch {epoch + 1} "
            f"(lr={self.config.lr}; check the features and the learning rate)")

    def check_weights(self, model: nn.Module, epoch: int) -> None:
        """NonFiniteLossError naming the parameters that are NaN or infinite after ``epoch``"""
        finite = torch.stack([torch.isfinite(p).all() for p in model.parameters()])
        if not bool(finite.all()):
            names = [name for (name, _), ok in zip(model.named_parameters(), finite.tolist()) if not ok]
            raise NonFiniteLossError(
                f"epoch {epoch + 1}: weights {', '.join(names[:5])}{' …' if len(names) > 5 else ''} "
                f"hold NaN or infinite values; training stopped before the checkpoint of epoch "
                f"{epoch + 1} (lr={self.config.lr})")

    @torch.no_grad()
    def predict_proba(self, model: nn.Module, X, batch_size: int | None = None) -> np.ndarray:
        """Class probabilities (n, K) float64 of segments X (n, C, F, T), model in eval mode"""
        X = torch.as_tensor(np.asarray(X, dtype=np.float32))
        batch_size = batch_size or self.config.eval_batch_size
        model = self.prepare_model(model)
        model.eval()
        resident = self.fast and self.device.type != "cpu"  # the CPU converts batch by batch
        if resident:
            X = self.to_device(X)
        outputs = []
        for start in range(0, len(X), batch_size):
            X_b = X[start:start + batch_size]
            X_b = X_b if resident else self.to_device(X_b)
            with self.autocast():
                logits = model(X_b)  # (batch, K)
            outputs.append(logits.double().cpu())
        return torch.softmax(torch.cat(outputs), dim=1).numpy()


def model_output_size(model: nn.Module) -> int:
    """Number of classes of a classifier (its ``n_classes`` or the last Linear's outputs)"""
    n = getattr(model, "n_classes", None)
    if n is not None:
        return int(n)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if not linears:
        raise ValueError("cannot tell the number of classes of the model: give it an "
                         "n_classes attribute")
    return linears[-1].out_features
