"""Quality gates: ruff on all the code, mypy on every path that is type-clean.

Both run as ``python -m ruff`` / ``python -m mypy`` of the interpreter running the tests (they are
in the test extras), on the repository's own configuration (``pyproject.toml``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: What ruff checks.
RUFF_PATHS = ("kg", "tests", "training", "benchmarks")

#: The paths mypy must find clean: all of it.
MYPY_CLEAN = ("kg", "training")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=900)


def test_ruff() -> None:
    r = _run("ruff", "check", *RUFF_PATHS)
    assert r.returncode == 0, r.stdout + r.stderr


def test_mypy() -> None:
    # modules imported from outside MYPY_CLEAN are read for their types, their errors not reported
    r = _run("mypy", "--follow-imports=silent", *MYPY_CLEAN)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Success: no issues found" in r.stdout


def test_the_clean_paths_exist() -> None:
    missing = [p for p in MYPY_CLEAN if not (ROOT / p).exists()]
    assert missing == [], f"MYPY_CLEAN names paths that are gone: {missing}"
