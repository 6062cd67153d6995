"""atomic_write: whole files only, with the mode a plain open gives."""

from __future__ import annotations

import os

import pytest

from kg.atomic import atomic_write


@pytest.mark.parametrize(("umask", "mode"), [(0o027, 0o640), (0o022, 0o644)])
def test_outputs_respect_the_umask(tmp_path, umask, mode):
    (tmp_path / "kg.ttl").write_text("old")
    (tmp_path / "kg.ttl").chmod(0o600)  # a rewrite takes the umask's mode too, not the old file's
    old = os.umask(umask)
    try:
        p = atomic_write(tmp_path / "kg.ttl", "x")
    finally:
        os.umask(old)
    assert p.stat().st_mode & 0o777 == mode
