"""Where a result came from: git commit, package versions, device

Book: book/reproduce.md ("What a record holds"). Every result record carries
``provenance(device)``: the commit of the code (and whether the tree had uncommitted
changes), the versions of the packages that can change a number, Python, the platform and
the name of the device that trained the model.
"""

from __future__ import annotations

import platform
import subprocess
import sys
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from ascnb.paths import REPO
PACKAGES = ("ascnb", "torch", "numpy", "scipy", "pandas", "librosa", "spafe", "soundfile",
            "soxr", "scikit-learn")


def package_versions(packages=PACKAGES) -> dict[str, str | None]:
    """Installed version of each package (None when absent)"""
    versions = {}
    for name in packages:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return versions


@lru_cache(maxsize=1)
def git_state(repo: str | Path = REPO) -> dict:
    """{"commit": sha or None, "dirty": bool or None} (read-only git commands)"""

    def git(*args):
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                              timeout=10, check=True).stdout.strip()

    try:
        commit = git("rev-parse", "HEAD")
        dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    return {"commit": commit, "dirty": dirty}


def cpu_name() -> str:
    """The CPU model from /proc/cpuinfo, else platform.processor()"""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def device_name(device=None) -> str:
    """"NVIDIA H100 80GB HBM3" for a CUDA device, the CPU model for the CPU"""
    import torch

    device = torch.device(device) if device is not None else torch.device("cpu")
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    if device.type == "mps":
        return f"Apple MPS ({cpu_name()})"
    return f"CPU: {cpu_name()}"


def provenance(device=None) -> dict:
    """git commit and dirty flag, package versions, python, platform and device name"""
    state = git_state()
    return {"git_commit": state["commit"], "git_dirty": state["dirty"],
            "packages": package_versions(), "python": sys.version.split()[0],
            "platform": platform.platform(), "device": str(device or "cpu"),
            "device_name": device_name(device)}
