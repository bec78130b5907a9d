"""The benchmark script runs and prints its figures (figures are judged by people, not asserted)."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_bench_clean_prints_figures():
    p = subprocess.run([sys.executable, "-m", "casebook.dev.bench_clean", "--mb", "0.1", "--rounds", "1"],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "MB/s per core" in p.stdout and "trafilatura" in p.stdout
