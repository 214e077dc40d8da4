"""Writing files so that a reader never sees half of one: temp file beside it, then os.replace

Book: book/reproduce.md ("What a record holds"). Every record, checkpoint, weight file and
cache entry of the project is written through ``atomic_write``: a process killed mid-write
leaves the previous file (or none) and at most a hidden ``.NAME.*.tmp`` beside it, which
``atomic_write`` removes when the write fails in-process.
"""

from __future__ import annotations

import json
import os
import tempfile
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np


@contextmanager
def atomic_write(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one step

        with atomic_write(target) as tmp:
            torch.save(obj, tmp)
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as error:
        raise OSError(f"{path.parent}: cannot create the folder for {path.name} "
                      f"(a file is in the way: {error.filename})") from error
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def json_default(value):
    """json.dump's fallback: numpy scalars and arrays, paths"""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def write_json(path: str | Path, payload, *, indent: int = 1) -> None:
    """``payload`` as JSON at ``path``, atomically; non-finite floats are refused (NaN is no JSON)"""
    text = json.dumps(payload, indent=indent, default=json_default, allow_nan=False) + "\n"
    write_text(path, text)


def write_text(path: str | Path, text: str) -> None:
    with atomic_write(path) as tmp:
        tmp.write_text(text)


def write_with(path: str | Path, writer: Callable[[Path], None]) -> None:
    """``writer(tmp)`` writes the file (torch.save, np.save, …); it lands at ``path`` atomically"""
    with atomic_write(path) as tmp:
        writer(tmp)


class CorruptFileWarning(UserWarning):
    """A record, checkpoint or weight file that could not be used was set aside"""


def set_aside(path: str | Path, why: str, *, suffix: str = ".corrupt",
              category: type[Warning] = CorruptFileWarning, then: str = "redone from the start",
              stacklevel: int = 3) -> Path:
    """Rename an unusable file to NAME + ``suffix`` (replacing an older one) and warn naming
    both, so that what needs it starts afresh and the file stays for a look"""
    path = Path(path)
    aside = path.with_name(path.name + suffix)
    try:
        path.replace(aside)
    except FileNotFoundError:  # another process set it aside first
        pass
    except OSError:
        aside = path
    warnings.warn(f"{path}: {why}; set aside as {aside.name}, {then}", category,
                  stacklevel=stacklevel)
    return aside
