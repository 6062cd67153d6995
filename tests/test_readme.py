"""Every command the README shows runs on a build of the bundled sample and prints something.

The README's first block builds the sample (``pip install -e . && kg build``: its ``kg build``
runs here in a folder holding a copy of ``source/``); then each ``$ kg …`` line of its fenced
blocks runs there as written, through bash, with ``--open`` left out (no browser in a test).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SAMPLE = ROOT / "source"

_BLOCK = re.compile(r"^```[^\n]*\n(.*?)^```", re.M | re.S)


def _blocks() -> list[str]:
    return _BLOCK.findall(README.read_text(encoding="utf-8"))


def _examples() -> list[str]:
    """The ``$ …`` lines of the README's fenced blocks, without the ``$ ``."""
    return [line[2:].strip() for block in _blocks() for line in block.splitlines() if line.startswith("$ ")]


def _first_build() -> str:
    """The ``kg build`` of the README's first block (after ``pip install -e . &&``)."""
    first = _blocks()[0].strip()
    command = first.split("&&")[-1].strip()
    assert command.startswith("kg build"), first
    return command


def _bash(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # `kg` is this interpreter's kg, whatever the PATH says
    script = f'kg() {{ "{sys.executable}" -m kg "$@"; }}\n{command}\n'
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONUTF8": "1"}
    env.pop("BROWSER", None)
    return subprocess.run(["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=300)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    if not SAMPLE.is_dir():
        pytest.fail("the bundled sample source/ is missing")
    root = tmp_path_factory.mktemp("readme")
    shutil.copytree(SAMPLE, root / "source")
    done = _bash(_first_build(), root)
    assert done.returncode == 0, done.stderr
    assert (root / "exports" / "store").exists()
    return root


def test_the_readme_shows_examples_of_every_command():
    examples = _examples()
    assert len(examples) >= 10
    shown = {m.group(1) for e in examples for m in re.finditer(r"(?:^|\|\s*)kg (\w+)", e)}
    shown.add(_first_build().split()[1])
    synopsis = next(b for b in _blocks() if "kg build [SOURCES" in b)
    commands = {m.group(1) for m in re.finditer(r"^kg (\w+)", synopsis, re.M)}
    assert commands and commands <= shown, commands - shown
    assert all(re.search(r"(?:^|\|\s*)kg ", e) for e in examples), examples


@pytest.mark.parametrize("command", _examples(), ids=lambda c: c.split("  #")[0].strip())
def test_a_readme_example_runs_on_the_sample(workdir: Path, command: str):
    headless = re.sub(r"\s--open\b", "", command)
    done = _bash(headless, workdir)
    assert done.returncode == 0, (headless, done.stderr)
    assert done.stdout.strip(), (headless, done.stderr)
    assert "(0 rows)" not in done.stdout, headless
    assert "kg: error" not in done.stderr, done.stderr
    if "--format csv" in command:
        assert len(done.stdout.strip().splitlines()) > 1, done.stdout
    for line in done.stdout.splitlines():  # what a command says it wrote is there
        m = re.match(r"wrote (\S+)$|wrote (\S+) \(", line)
        if m:
            assert (workdir / (m.group(1) or m.group(2))).exists(), line
