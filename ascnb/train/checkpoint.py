"""Checkpoints: a training run's state after an epoch, written atomically, resumed only by the same run

Book: book/intro.md ("How the experiments are trained"). ``Trainer`` writes ``checkpoint.pt``
after every epoch (model, optimizer, scheduler, history, the torch/numpy/python RNG states and
a fingerprint of the run) and, when it starts, resumes from it. A checkpoint that cannot be
read (truncated, empty, foreign) or whose fingerprint differs from this run's (another config,
seed, training set or path) is set aside with a warning naming it (``ascnb.atomic.set_aside``)
and training starts afresh.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ascnb.atomic import set_aside, write_with

CHECKPOINT_NAME = "checkpoint.pt"


def rng_states() -> dict:
    """The torch (and CUDA, once initialised), numpy and python global generators' states"""
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


def fingerprint_differences(saved: dict, current: dict) -> dict[str, tuple]:
    """{"path.compile": (saved value, current value), ...} for every entry that differs"""
    differ = {}
    for key in sorted(set(saved) | set(current)):
        a, b = saved.get(key), current.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            differ.update({f"{key}.{k}": v for k, v in fingerprint_differences(a, b).items()})
        elif a != b:
            differ[key] = (a, b)
    return differ


def save_checkpoint(path: str | Path, epoch: int, model: nn.Module, optimizer, scheduler,
                    history: list[dict], fingerprint: dict) -> None:
    """The state after ``epoch`` completed epochs at ``path``, atomically (torch.save)"""
    state = {"epoch": epoch, "model": model.state_dict(), "optimizer": optimizer.state_dict(),
             "scheduler": scheduler.state_dict(), "rng": rng_states(),
             "history": history, "fingerprint": fingerprint}
    write_with(path, lambda tmp: torch.save(state, tmp))


def load_checkpoint(path: str | Path, model: nn.Module, optimizer, scheduler,
                    fingerprint: dict) -> tuple[int, list[dict]] | None:
    """Restore model, optimizer, scheduler and RNG states from ``path``: (epochs done, history)

    None when there is no checkpoint, or when it is unreadable or of another run (it is then
    set aside as ``checkpoint.pt.corrupt`` with a CorruptFileWarning naming why)
    """
    path = Path(path)
    if not path.is_file():
        return None
    try:
        state = torch.load(path, map_location="cpu", weights_only=False)  # RNG states stay on the CPU
    except Exception as error:  # truncated, empty or foreign: start afresh, keep it for a look
        set_aside(path, f"unreadable checkpoint ({type(error).__name__}: {error})", stacklevel=4)
        return None
    saved = state.get("fingerprint") or {} if isinstance(state, dict) else {}
    if saved != fingerprint:
        differ = fingerprint_differences(saved, fingerprint)
        set_aside(path, "checkpoint of a different run (" + "; ".join(
            f"{k} {a!r} there, {b!r} here" for k, (a, b) in differ.items()) + ")", stacklevel=4)
        return None
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    set_rng_states(state["rng"])
    return int(state["epoch"]), list(state["history"])
