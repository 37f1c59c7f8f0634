"""ssa, its tests and its benchmarks pass the ruff configuration in pyproject.toml
(``ruff check ssa tests benchmarks``); skipped when ruff is not installed."""
import subprocess
import sys

import pytest

from paths import REPO


def test_ruff_check_passes():
    pytest.importorskip("ruff", reason="ruff is not installed (pip install -e '.[test]')")
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "ssa", "tests", "benchmarks"],
                            cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
