"""Shared fixtures: where the real ESC-10 lives, and small helpers every test file may use"""

from __future__ import annotations

from pathlib import Path

import pytest

from ascnb.paths import shared_dir

# ../shared beside the checkout (CI clones main with shared/ beside it); ASCNB_SHARED overrides
ESC10_ROOT = shared_dir() / "data" / "ESC-10"


@pytest.fixture(scope="session")
def esc10_root() -> Path:
    """The real ESC-10 (400 Ogg clips, ESC-50 layout); skips only when ../shared is absent"""
    if not (ESC10_ROOT / "meta" / "esc50.csv").is_file():
        pytest.skip(f"real ESC-10 not found at {ESC10_ROOT} (../shared is absent)")
    return ESC10_ROOT
