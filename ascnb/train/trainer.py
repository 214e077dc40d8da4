"""One training loop for every experiment: plain DataLoader path and GPU fast path

Book: book/intro.md ("How the experiments are trained"). ``Trainer(preset).fit(model, X, y, seed=0)``
trains on segments X (n, C, F, T) with integer labels y (n,), one progress bar per epoch
(loss and accuracy), a checkpoint after every epoch and resumption from the last one.

Two paths over the same batches
- plain (the baseline): a DataLoader over CPU tensors, batches copied to the device, fp32
- fast (default on CUDA): the whole training set resident on the device, batches taken by
  index there (no DataLoader, no workers), bf16 autocast, channels-last memory format

Reproducibility
- batch order and mixup draws of epoch e come from generators seeded with (seed, e), so
  both paths see the same batches, and a resumed run the same ones as an uninterrupted run
- dropout draws from torch's global generator: ``fit`` seeds it (seed_everything) on a fresh
  start, and a checkpoint stores the torch/numpy/python RNG states, restored on resume
- torch.use_deterministic_algorithms(True, warn_only=True) when config.deterministic
Same seed, same machine, same thread count -> the same weights, bit for bit, on CPU.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from ascnb.train.presets import TrainConfig, train_config

# must be set before CUDA initialises for deterministic cuBLAS (harmless on CPU)
os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")

CHECKPOINT_NAME = "checkpoint.pt"


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
        return torch.device(device)
    except RuntimeError as error:
        raise ValueError(f"unknown device {device!r} (use 'auto', 'cpu', 'cuda', 'cuda:0', …)") from error


def seed_everything(seed: int) -> None:
    """Seed python, numpy and torch (CPU and CUDA) global generators"""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def epoch_generators(seed: int, epoch: int) -> tuple[torch.Generator, np.random.Generator]:
    """(torch generator for batch order and mixup partners, numpy generator for mixup lambda)"""
    g = torch.Generator().manual_seed(seed * 100_003 + epoch)
    return g, np.random.default_rng([seed, epoch])


def rng_states() -> dict:
    states = {"torch": torch.get_rng_state(), "numpy": np.random.get_state(),
              "python": random.getstate()}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        states["cuda"] = torch.cuda.get_rng_state_all()
    return states


def set_rng_states(states: dict) -> None:
    torch.set_rng_state(states["torch"])
    np.random.set_state(states["numpy"])
    random.setstate(states["python"])
    if "cuda" in states and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(states["cuda"])


def save_atomic(obj, path: Path) -> None:
    """torch.save to a temporary file beside ``path``, then os.replace"""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        torch.save(obj, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
    and resumed from (None = no checkpoints). device: "auto" picks CUDA when there is one
    """

    def __init__(self, config: TrainConfig | str = "pbcnn", *, device: str | torch.device = "auto",
                 checkpoint_dir: str | Path | None = None, progress: bool = True, **overrides):
        self.config = train_config(config, **overrides)
        self.device = resolve_device(device)
        on_cuda = self.device.type == "cuda"
        self.fast = self.config.fast if self.config.fast is not None else on_cuda
        amp = self.config.amp
        use_bf16 = amp == "bf16" or (amp == "auto" and self.fast and on_cuda)
        self.amp_dtype = torch.bfloat16 if use_bf16 else None
        channels_last = self.config.channels_last
        self.channels_last = (self.fast and on_cuda) if channels_last == "auto" else bool(channels_last)
        self.checkpoint_dir = Path(checkpoint_dir) if checkpoint_dir is not None else None
        self.progress = progress
        self.history: list[dict] = []
        self.resumed_from = 0  # epochs already done when fit() started

    def __repr__(self) -> str:
        return (f"Trainer({self.config.optimizer}, lr={self.config.lr}, "
                f"batch_size={self.config.batch_size}, num_epochs={self.config.num_epochs}, "
                f"device={self.device}, fast={self.fast}, amp={self.amp_dtype}, "
                f"channels_last={self.channels_last})")

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
                "n_parameters": sum(p.numel() for p in model.parameters())}

    def save_checkpoint(self, epoch: int, model, optimizer, scheduler, fingerprint: dict) -> None:
        if self.checkpoint_path is None:
            return
        save_atomic({"epoch": epoch, "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                     "scheduler": scheduler.state_dict(), "rng": rng_states(),
                     "history": self.history, "fingerprint": fingerprint}, self.checkpoint_path)

    def load_checkpoint(self, model, optimizer, scheduler, fingerprint: dict) -> int:
        """Restore the last checkpoint if there is one; returns the epochs it had completed"""
        path = self.checkpoint_path
        if path is None or not path.is_file():
            return 0
        state = torch.load(path, map_location="cpu", weights_only=False)  # RNG states stay on the CPU
        if state.get("fingerprint") != fingerprint:
            raise ValueError(f"{path}: checkpoint of a different run (config, seed, training set "
                             "size or model differ); delete it or choose another checkpoint_dir")
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        set_rng_states(state["rng"])
        self.history = list(state["history"])
        return int(state["epoch"])

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

    def fit(self, model: nn.Module, X, y, *, seed: int = 0) -> list[dict]:
        """Train ``model`` on X (n, C, F, T) float32 and labels y (n,); returns the history

        Resumes from ``checkpoint_dir/checkpoint.pt`` when present (the same run: config,
        seed and training-set size must match). One dict per epoch: epoch, loss, accuracy
        (on the training batches, mixed targets counted by their larger share), lr, seconds
        """
        from tqdm.auto import tqdm

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

        if self.fast:  # the whole training set on the device once
            X_resident, y_resident = self.to_device(X), y.to(self.device)
        else:
            # sampler set per epoch; the loader's own generator is fixed so that it never
            # draws from torch's global generator (dropout's)
            dataset = TensorDataset(X, y)

        for epoch in range(self.resumed_from, c.num_epochs):
            start = time.perf_counter()
            g, rng = epoch_generators(seed, epoch)
            batches = self.batches(len(X), g)
            if self.fast:
                stream = ((X_resident[idx], y_resident[idx])
                          for idx in (b.to(self.device) for b in batches))
            else:
                loader = DataLoader(dataset, batch_size=c.batch_size, num_workers=0,
                                    sampler=torch.cat(batches).tolist(),
                                    generator=torch.Generator().manual_seed(0),
                                    pin_memory=self.device.type == "cuda")
                stream = ((self.to_device(X_b), y_b.to(self.device)) for X_b, y_b in loader)
            model.train()
            loss_sum = torch.zeros((), device=self.device)
            correct = torch.zeros((), device=self.device, dtype=torch.int64)
            seen = 0
            bar = tqdm(stream, total=len(batches), desc=f"epoch {epoch + 1}/{c.num_epochs}",
                       disable=not self.progress, unit="batch", leave=True)
            for step, (X_b, y_b) in enumerate(bar):
                b = len(y_b)
                if c.mixup_alpha > 0:
                    lam = float(rng.beta(c.mixup_alpha, c.mixup_alpha))
                    partner = torch.randperm(b, generator=g).to(self.device)
                    with torch.no_grad():
                        n_classes = model_output_size(model)
                        targets = F.one_hot(y_b, n_classes).float()  # (batch, K)
                        X_b, targets = mixup_batch(X_b, targets, lam, partner)
                    y_major = y_b if lam >= 0.5 else y_b[partner]
                else:
                    targets, y_major = y_b, y_b
                with self.autocast():
                    logits = model(X_b)  # (batch, K)
                loss = F.cross_entropy(logits.float(), targets)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                loss_sum += loss.detach() * b
                correct += (logits.detach().argmax(dim=1) == y_major).sum()
                seen += b
                if self.progress and (step % (50 if self.fast else 10) == 0 or step == len(batches) - 1):
                    bar.set_postfix(loss=f"{loss_sum.item() / seen:.4f}",
                                    acc=f"{correct.item() / seen:.3f}")
            bar.close()
            lr = optimizer.param_groups[0]["lr"]
            scheduler.step()
            self.history.append({"epoch": epoch + 1, "loss": loss_sum.item() / seen,
                                 "accuracy": correct.item() / seen, "lr": lr, "segments": seen,
                                 "seconds": time.perf_counter() - start})
            self.save_checkpoint(epoch + 1, model, optimizer, scheduler, fingerprint)
        return self.history

    @torch.no_grad()
    def predict_proba(self, model: nn.Module, X, batch_size: int | None = None) -> np.ndarray:
        """Class probabilities (n, K) float64 of segments X (n, C, F, T), model in eval mode"""
        X = torch.as_tensor(np.asarray(X, dtype=np.float32))
        batch_size = batch_size or self.config.eval_batch_size
        model = self.prepare_model(model)
        model.eval()
        if self.fast:
            X = self.to_device(X)
        outputs = []
        for start in range(0, len(X), batch_size):
            X_b = X[start:start + batch_size]
            X_b = X_b if self.fast else self.to_device(X_b)
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
