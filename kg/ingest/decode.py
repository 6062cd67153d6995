"""Read a source file's bytes and decode them, recording the encoding that worked."""

from __future__ import annotations

import codecs
import hashlib
from pathlib import Path

from kg.errors import SourceError

__all__ = ["MAX_BYTES", "decode", "read_text", "sha256"]

#: Files larger than this are refused (a newspaper page is a few tens of kB).
MAX_BYTES = 64 * 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > max(2, len(sample) // 100)


def decode(data: bytes, path: str = "<bytes>") -> tuple[str, str]:
    """Decode ``data`` as UTF-8 (with or without BOM), UTF-16/32 with BOM, or GB18030.

    Returns ``(text, encoding)``. Raises :class:`SourceError` for empty, binary or
    undecodable data.

    Examples
    --------
    >>> decode("工人日报".encode("gb18030"))
    ('工人日报', 'gb18030')
    >>> decode(b"\\xef\\xbb\\xbfok")
    ('ok', 'utf-8-sig')
    """
    if not data.strip():
        raise SourceError(path, "empty file")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as e:
                raise SourceError(path, f"undecodable {enc} text at byte {e.start}") from None
    if _looks_binary(data):
        raise SourceError(path, "binary file, not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as e:
        raise SourceError(path, f"not UTF-8 or GB18030 text (bad byte at offset {e.start})") from None
    # GB18030 decodes almost any byte string; accept it only if it reads as Chinese text.
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff" or ch in "，。、；：？！“”（）")
    odd = sum(1 for ch in text if not ch.isprintable() and ch not in "\r\n\t")
    if odd > len(text) // 50 or (cjk == 0 and any(b > 127 for b in data)):
        raise SourceError(path, "not UTF-8 or GB18030 text")
    return text, "gb18030"


def sha256(text: str) -> str:
    """Hex SHA-256 of ``text`` encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_text(path: Path, max_bytes: int = MAX_BYTES) -> tuple[str, str]:
    """Read and decode a file; raise :class:`SourceError` with a clear reason when it cannot be."""
    try:
        size = path.stat().st_size
    except OSError as e:
        raise SourceError(str(path), f"cannot read: {e.strerror or e}") from None
    if size > max_bytes:
        raise SourceError(str(path), f"file too large ({size / 1e6:.1f} MB > {max_bytes / 1e6:.0f} MB limit)")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise SourceError(str(path), f"cannot read: {e.strerror or e}") from None
    text, enc = decode(data, str(path))
    # Normalise line ends to \n so offsets are stable whatever the platform wrote.
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, enc
