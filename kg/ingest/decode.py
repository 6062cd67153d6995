"""Read a source file's bytes and decode them, recording the encoding found.

The encoding is detected, never guessed: UTF-8 (with or without BOM), UTF-16/32 with a BOM,
UTF-16 without one, and the Chinese legacy encodings GB18030 (GBK, GB2312) and Big5 are read
when the decoded text reads as Chinese (its adjacent characters form words of jieba's
dictionary, where mojibake does not). Other text is named by charset-normalizer: Japanese
and Korean are refused as not Chinese, Western text (cp1252 / Latin-1) is read as what it is.
Anything else is refused with the reason; no file becomes mojibake.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.errors import SourceError

__all__ = ["MAX_BYTES", "Decoded", "decode", "read_text", "sha256"]

#: Files larger than this are refused: the size a build finishes. A build keeps about 2 kB of
#: graph a character and reads some 9,000 characters a second on two cores (measured: a 3 MB page,
#: one million characters, in 116 s and 2.4 GB; a 10 MB JSON Lines record in 349 s and 5.8 GB), so
#: 16 MiB of Chinese (5.6 million characters) takes about 10 minutes and 10 GB. A newspaper page
#: is a few tens of kB.
MAX_BYTES = 16 * 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# the Chinese encodings tried when a file is not UTF-8, in order of preference on a tie
_CHINESE = ("gb18030", "big5", "cp950", "big5hkscs")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
# characters that a wrong decoding makes and text does not hold: C1 controls, private use, unpaired
# surrogates, noncharacters, U+FFFD (C0 controls are the same bytes in every encoding kg reads)
_ODD = re.compile(r"[\x80-\x9f\ue000-\uf8ff\ud800-\udfff\ufdd0-\ufdef\ufffd-\uffff]")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_SAMPLE = 20_000  # characters a check looks at


@dataclass(frozen=True)
class Decoded:
    """Decoded text, the encoding it was read in, and what was repaired on the way."""

    text: str
    encoding: str
    warnings: tuple[str, ...] = ()


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > max(2, len(sample) // 100)


@lru_cache(maxsize=1)
def _words() -> dict[str, int]:
    """jieba's dictionary (words and their prefixes), loaded only when a file is not UTF-8."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba.dt.FREQ


def _chinese_score(text: str) -> tuple[float, int]:
    """``(share of adjacent Chinese character pairs that begin a dictionary word, pairs)``:
    about 0.5 for Chinese text (simplified or traditional), under 0.1 for mojibake."""
    from kg.ingest.simplify import to_simplified

    head = to_simplified(text[:_SAMPLE])
    words = _words()
    pairs = hits = 0
    for a, b in zip(head, head[1:], strict=False):
        if _HAN.match(a) and _HAN.match(b):
            pairs += 1
            hits += a + b in words
    return (hits / pairs if pairs else 0.0), pairs


def _char_score(text: str) -> float:
    """How common the text's Chinese characters are (mean log frequency as words of their own)."""
    import math

    from kg.ingest.simplify import to_simplified

    words = _words()
    chars = [c for c in to_simplified(text[:_SAMPLE]) if _HAN.match(c)]
    return sum(math.log1p(words.get(c, 0)) for c in chars) / max(1, len(chars))


def _reads_as_chinese(text: str) -> bool:
    score, pairs = _chinese_score(text)
    return (pairs >= 3 and score >= 0.25) or (0 < pairs < 3 and score >= 0.5)


def _odd_share(text: str) -> float:
    head = text[:_SAMPLE]
    return len(_ODD.findall(head)) / max(1, len(head))


def _script(text: str) -> str | None:
    """``"Japanese"`` or ``"Korean"`` when kana or hangul make up much of the text's letters."""
    head = text[:_SAMPLE]
    han, kana, hangul = len(_HAN.findall(head)), len(_KANA.findall(head)), len(_HANGUL.findall(head))
    if kana >= 5 and kana >= 0.1 * (han + kana):
        return "Japanese"
    if hangul >= 5 and hangul >= 0.3 * (han + hangul):
        return "Korean"
    return None


def _not_chinese(path: str, text: str, encoding: str) -> None:
    lang = _script(text)
    if lang:
        raise SourceError(path, f"{lang} text ({encoding}), not Chinese")


def _utf16(data: bytes, enc: str) -> str | None:
    try:
        text = data.decode(enc)
    except UnicodeDecodeError:
        return None
    return text if _odd_share(text) < 0.01 else None


def _utf16_without_bom(data: bytes) -> Decoded | None:
    """UTF-16 without a byte order mark: the byte order in which the text reads as Chinese, or
    for other text the one that puts the zero high bytes of its ASCII characters on their side."""
    if len(data) < 4 or len(data) % 2:
        return None
    best: tuple[float, str, str] | None = None
    for enc in ("utf-16-le", "utf-16-be"):
        text = _utf16(data, enc)
        if text is not None and _reads_as_chinese(text):
            score = _chinese_score(text)[0]
            if best is None or score > best[0]:
                best = (score, enc, text)
    if best is not None:
        return Decoded(best[2], best[1])
    sample = data[:8192]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    pairs = len(sample) // 2
    for enc, high, low in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if high >= 0.3 * pairs and low <= 0.01 * pairs:
            text = _utf16(data, enc)
            if text is not None and not _CONTROLS.search(text[:_SAMPLE]):
                return Decoded(text, enc)
    return None


def _count_errors(data: bytes) -> tuple[str, int, int]:
    """UTF-8 text with each invalid sequence replaced by U+FFFD, their number, and the first's offset."""
    try:
        data.decode("utf-8")
        first = -1
    except UnicodeDecodeError as e:
        first = e.start
    text = data.decode("utf-8", errors="replace")
    return text, text.count("\ufffd") - data.count("\ufffd".encode()), first


def decode(data: bytes, path: str = "<bytes>") -> Decoded:
    """Decode ``data``, detecting its encoding (see the module's description).

    Raises :class:`SourceError` for empty, binary or undecodable data, and for text that is
    not Chinese in a Chinese encoding (Japanese, Korean). Repairs are listed in ``warnings``:
    an incomplete UTF-8 character at the end is dropped, and in UTF-8 Chinese text a few invalid
    byte sequences (one in 200 characters at most) become U+FFFD.

    Examples
    --------
    >>> decode("工人日报".encode("gb18030"))
    Decoded(text='工人日报', encoding='gb18030', warnings=())
    >>> decode("臺灣新聞報導".encode("big5")).encoding
    'big5'
    >>> decode(b"\\xef\\xbb\\xbfok").text
    'ok'
    >>> decode("新闻".encode("utf-8") + "报".encode("utf-8")[:2]).warnings
    ('an incomplete UTF-8 character at the end (byte 6) was dropped',)
    """
    if not data.strip():
        raise SourceError(path, "empty file")
    with_bom = _with_bom(data, path)
    if with_bom is not None:
        return with_bom
    if _looks_binary(data):  # zero bytes or controls: UTF-16 (whose Chinese has byte values < 32) or binary
        utf16 = _utf16_without_bom(data)
        if utf16 is None:
            raise SourceError(path, "binary file, not text")
        _not_chinese(path, utf16.text, utf16.encoding)
        return utf16
    found = _utf8(data, path)
    if found is not None:
        return found
    best, lone = _chinese_decoding(data)
    if best is not None:
        return best
    # UTF-8 Chinese text with a few damaged bytes
    text, bad, first = _count_errors(data)
    if bad <= max(1, len(text) // 200) and _reads_as_chinese(text):
        return Decoded(text, "utf-8", (f"{bad} invalid UTF-8 byte sequence{'s' if bad > 1 else ''} replaced "
                                       f"by U+FFFD (the first at byte {first})",))
    return _other(data, path, first, lone)


def _with_bom(data: bytes, path: str) -> Decoded | None:
    """The text of ``data`` when it starts with a byte order mark, else None."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            if enc == "utf-8-sig":
                found = _utf8(data[len(bom):], path, bom_length=len(bom))
                if found is not None:
                    return Decoded(found.text, enc, found.warnings)
            try:
                text = data.decode(enc)
            except UnicodeDecodeError as e:
                raise SourceError(path, f"undecodable {enc} text at byte {e.start}") from None
            if _odd_share(text) >= 0.01:
                raise SourceError(path, f"not {enc} text (control or unassigned characters after its byte order mark)")
            _not_chinese(path, text, enc)
            return Decoded(text, enc)
    return None


def _chinese_decoding(data: bytes) -> tuple[Decoded | None, Decoded | None]:
    """Not UTF-8: the Chinese encoding whose text reads best as Chinese (UTF-16 of Chinese without
    ASCII has no zero byte), and, when none does, the decoding of a text with too few Chinese
    characters side by side to tell (2025年第3版) whose characters are the most common."""
    best: tuple[float, str, str] | None = None
    lone: tuple[float, Decoded] | None = None
    for enc in _CHINESE + (("utf-16-le", "utf-16-be") if len(data) % 2 == 0 else ()):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _odd_share(text) > 0.001 or _script(text):
            continue
        score, pairs = _chinese_score(text)
        ok = (pairs >= 3 and score >= 0.25) or (0 < pairs < 3 and score >= 0.5)
        if ok and (best is None or score > best[0]):
            best = (score, enc, text)
        if not ok and pairs < 3 and _HAN.search(text):  # too few characters side by side (2025年第3版)
            common = _char_score(text)
            if lone is None or common > lone[0]:
                lone = (common, Decoded(text, enc))
    return (Decoded(best[2], best[1]) if best is not None else None), (lone[1] if lone else None)


def _utf8(data: bytes, path: str, bom_length: int = 0) -> Decoded | None:
    """UTF-8 text (an incomplete character at the very end dropped), or None if it is not UTF-8."""
    warnings: tuple[str, ...] = ()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.end != len(data) or e.reason != "unexpected end of data":
            return None
        text = data[:e.start].decode("utf-8")
        warnings = (f"an incomplete UTF-8 character at the end (byte {e.start + bom_length}) was dropped",)
    _not_chinese(path, text, "utf-8")
    return Decoded(text, "utf-8", warnings)


def _other(data: bytes, path: str, first_error: int, lone: Decoded | None = None) -> Decoded:
    """Text in no encoding kg reads as Chinese: name it (charset-normalizer), read Western text;
    else ``lone``, the Chinese decoding of a text with too few Chinese characters in a row to tell."""
    from charset_normalizer import from_bytes

    guess = from_bytes(data[:65536]).best()
    if guess is not None:
        text = str(guess)
        lang = _script(text)
        if lang:
            raise SourceError(path, f"{lang} text ({guess.encoding}), not Chinese")
        head = text[:_SAMPLE]
        letters = len(_LATIN.findall(head))
        if letters >= 0.5 * sum(1 for c in head if not c.isspace()) and not _HAN.search(head):
            for enc in ("cp1252", "latin-1"):  # the Western encodings, whichever family the guess named
                try:
                    text = data.decode(enc)
                except UnicodeDecodeError:
                    continue
                if _odd_share(text) == 0:
                    return Decoded(text, enc)
    if lone is not None:
        return lone
    raise SourceError(path, f"not text in an encoding kg reads (UTF-8, UTF-16, GB18030, Big5, cp1252): "
                            f"invalid UTF-8 at byte {first_error}")


def sha256(text: str) -> str:
    """Hex SHA-256 of ``text`` encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_text(path: Path, max_bytes: int = MAX_BYTES) -> Decoded:
    """Read and decode a file; raise :class:`SourceError` with a clear reason when it cannot be.

    Line ends are normalised to ``\\n``.
    """
    try:
        size = path.stat().st_size
    except OSError as e:
        raise SourceError(str(path), f"cannot read: {e.strerror or e}") from None
    if size > max_bytes:
        raise SourceError(str(path), f"file too large ({size / 1e6:.1f} MB > {max_bytes / 1e6:.1f} MB limit; "
                                     "split it into smaller files)")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise SourceError(str(path), f"cannot read: {e.strerror or e}") from None
    found = decode(data, str(path))
    text = found.text
    # Normalise line ends to \n so offsets are stable whatever the platform wrote.
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Decoded(text, found.encoding, found.warnings)
