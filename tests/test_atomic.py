"""atomic_write: whole files only, with the mode a plain open gives."""

from __future__ import annotations


def test_outputs_respect_the_umask(tmp_path):
    import os

    from kg.atomic import atomic_write

    old = os.umask(0o027)
    try:
        p = atomic_write(tmp_path / "kg.ttl", "x")
    finally:
        os.umask(old)
    assert p.stat().st_mode & 0o777 == 0o640
    old = os.umask(0o022)
    try:
        p = atomic_write(tmp_path / "kg.ttl", "y")
    finally:
        os.umask(old)
    assert p.stat().st_mode & 0o777 == 0o644
