"""The rule of tests/conftest.py: without ../shared only tests marked esc10 may skip for it"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from ascnb.paths import REPO


def run_pytest(tmp_path: Path, source: str) -> subprocess.CompletedProcess:
    """pytest on one test file beside a copy of tests/conftest.py, with ../shared absent; its
    temporary files stay inside this test's tmp_path (removed with it when this test passes)"""
    shutil.copy(REPO / "tests" / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_it.py").write_text(source)
    env = {**os.environ, "ASCNB_SHARED": str(tmp_path / "no-shared")}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o",
                           "markers=esc10: real ESC-10", "--basetemp", str(tmp_path / "basetemp"),
                           str(tmp_path / "test_it.py")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


def test_a_test_taking_the_real_esc10_without_the_marker_is_refused(tmp_path):
    done = run_pytest(tmp_path, "def test_unmarked(esc10_root):\n    pass\n")
    assert done.returncode != 0 and "without the esc10 marker" in done.stderr + done.stdout
    assert "test_it.py::test_unmarked" in done.stderr + done.stdout


def test_only_marked_tests_may_skip_for_the_missing_shared_folder(tmp_path):
    done = run_pytest(tmp_path, (
        "import pytest\n\n"
        "def test_unmarked():\n    pytest.skip('no ESC-10 (../shared is absent)')\n\n"
        "@pytest.mark.esc10\n"
        "def test_marked(esc10_root):\n    pass\n\n"
        "def test_other_reason():\n    pytest.skip('no compiler')\n\n"
        "def test_scenes(audio_dataset):\n    assert len(audio_dataset.clips) == 20\n"))
    out = done.stdout
    assert done.returncode == 1, out
    assert "1 failed, 1 passed, 3 skipped" in out, out  # scenes pass; its esc10 variant, marked, skips
    assert "test_unmarked skipped because ../shared is absent but is not marked esc10" in out
