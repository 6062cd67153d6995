"""CRF sequence model (python-crfsuite) that finds Person / Place / Organization mentions."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path

import jieba
import pycrfsuite

from kg.extract.registry import register
from kg.model import Mention

__all__ = [
    "MODEL_PATH",
    "TYPE_MAP",
    "CRFTagger",
    "Lexicon",
    "load_lexicon",
    "sentence_features",
    "split_chunks",
    "spans_from_labels",
    "make_crf",
]

_PKG = Path(__file__).resolve().parent.parent
#: The shipped model, written by ``python -m kg.extract.train``.
MODEL_PATH: Path = _PKG / "models" / "ner_crf.crfsuite"
_LEXICONS = _PKG / "lexicons"

#: MSRA label types to ontology types.
TYPE_MAP: dict[str, str] = {"PER": "Person", "LOC": "Place", "ORG": "Organization"}

#: Chunks longer than this are cut (at a comma if possible) before tagging.
MAX_CHUNK = 150

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CHUNK = re.compile(r"[^\r\n。！？!?；;]+[。！？!?；;…]*[”’」』\"']?|[。！？!?；;…]+[”’」』\"']?")
_SOFT_BREAK = "，,、：: \t\u3000"


class Lexicon:
    """The word lists used as features: surnames, organization / place suffixes, titles."""

    def __init__(self, surnames: set[str], org_suffix: set[str], place_suffix: set[str],
                 titles: set[str]) -> None:
        self.surnames1 = {s for s in surnames if len(s) == 1}
        self.surnames2 = {s for s in surnames if len(s) >= 2}
        self.org_suffix = org_suffix
        self.place_suffix = place_suffix
        self.titles = titles
        self._org_lens = sorted({len(s) for s in org_suffix}, reverse=True)
        self._place_lens = sorted({len(s) for s in place_suffix}, reverse=True)

    def ends_org(self, word: str) -> bool:
        """True when ``word`` ends with an organization suffix."""
        return any(word[-n:] in self.org_suffix for n in self._org_lens if n <= len(word))

    def ends_place(self, word: str) -> bool:
        """True when ``word`` ends with a place suffix."""
        return any(word[-n:] in self.place_suffix for n in self._place_lens if n <= len(word))


def _read_list(path: Path) -> dict[str, set[str]]:
    sections: dict[str, set[str]] = {"": set()}
    current = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
            sections.setdefault(current, set())
        else:
            sections.setdefault(current, set()).add(line)
    return sections


def load_lexicon(directory: Path = _LEXICONS) -> Lexicon:
    """Read ``surnames.txt`` and ``ner_features.txt`` from ``directory``."""
    surnames = _read_list(directory / "surnames.txt")[""]
    lists = _read_list(directory / "ner_features.txt")
    return Lexicon(surnames, lists.get("org_suffix", set()), lists.get("place_suffix", set()),
                   lists.get("title", set()))


_NORM_CACHE: dict[str, str] = {}
_TYPE_CACHE: dict[str, str] = {}


def _norm(ch: str) -> str:
    """Fold full-width forms to half-width, digits to 0, Latin to lower case."""
    n = _NORM_CACHE.get(ch)
    if n is None:
        n = unicodedata.normalize("NFKC", ch)
        if len(n) != 1:
            n = ch
        if n.isdigit():
            n = "0"
        elif n.isascii():
            n = n.lower()
        _NORM_CACHE[ch] = n
    return n


def _ctype(ch: str) -> str:
    """Character class: H (CJK), D (digit), L (Latin), S (space), P (punctuation / other)."""
    t = _TYPE_CACHE.get(ch)
    if t is None:
        if _HAN.match(ch):
            t = "H"
        elif ch.isdigit() or ch in "〇零一二三四五六七八九十百千万亿":
            t = "D" if ch.isdigit() else "N"
        elif ch.isalpha():
            t = "L"
        elif ch.isspace():
            t = "S"
        else:
            t = "P"
        _TYPE_CACHE[ch] = t
    return t


class _Segmenter:
    """A private jieba tokenizer (unaffected by words other components add to jieba's default
    dictionary) and the part-of-speech tags of jieba's main dictionary."""

    def __init__(self) -> None:
        self.tokenizer = jieba.Tokenizer()
        self.tags: dict[str, str] = {}
        with jieba.get_dict_file() as fh:
            for raw in fh:
                parts = raw.decode("utf-8").split()
                if len(parts) >= 3:
                    self.tags[parts[0]] = parts[2]

    def cut(self, text: str) -> list[str]:
        return self.tokenizer.lcut(text, HMM=True)


_SEGMENTER: _Segmenter | None = None
_LEXICON: Lexicon | None = None
_INIT_LOCK = threading.Lock()
_WORD_CACHE: dict[str, tuple[str, bool, bool, bool]] = {}


def _resources() -> tuple[_Segmenter, Lexicon]:
    global _SEGMENTER, _LEXICON
    with _INIT_LOCK:
        if _SEGMENTER is None:
            _SEGMENTER = _Segmenter()
        if _LEXICON is None:
            _LEXICON = load_lexicon()
    return _SEGMENTER, _LEXICON


def sentence_features(text: str) -> list[list[str]]:
    """Feature strings for every character of ``text`` (one sentence or chunk).

    Char window (±2 unigrams, bigrams, the centred trigram), character classes, the previous and
    next jieba words, the position of the character in
    its jieba word with the word's length bucket and dictionary tag, and lexicon flags (surname,
    organization / place suffix of this or the next words, title word before or after).

    Examples
    --------
    >>> fs = sentence_features("张明在北京")
    >>> len(fs), "u0=张" in fs[0], "sur" in fs[0]
    (5, True, True)
    """
    seg, lex = _resources()
    n = len(text)
    if n == 0:
        return []
    chars = [_norm(c) for c in text]
    types = [_ctype(c) for c in chars]
    c = ["<s2>", "<s1>", *chars, "</s1>", "</s2>"]
    t = ["B", "B", *types, "E", "E"]

    words = seg.cut(text)
    nw = len(words)
    wtag: list[str] = []
    worg: list[bool] = []
    wplace: list[bool] = []
    wtitle: list[bool] = []
    cache = _WORD_CACHE
    for w in words:
        info = cache.get(w)
        if info is None:
            if len(cache) > 500_000:
                cache.clear()
            info = cache[w] = (
                seg.tags.get(w, "unk") if len(w) > 1 or _HAN.match(w) else _ctype(w),
                lex.ends_org(w), lex.ends_place(w), w in lex.titles)
        wtag.append(info[0])
        worg.append(info[1])
        wplace.append(info[2])
        wtitle.append(info[3])

    sur1 = lex.surnames1
    sur2 = lex.surnames2
    feats: list[list[str]] = []
    for wi, w in enumerate(words):
        L = len(w)
        lb = str(L) if L < 5 else "5"
        tag = wtag[wi]
        ptag = wtag[wi - 1] if wi > 0 else "BOS"
        ntag = wtag[wi + 1] if wi + 1 < nw else "EOS"
        wfeat = [
            "pwt=" + ptag, "nwt=" + ntag,
            "pnwt=" + ptag + "|" + ntag,
        ]
        if L > 1:
            wfeat.append("w=" + w)
        wfeat.append("pw=" + (words[wi - 1] if wi > 0 else "BOS"))
        wfeat.append("nw=" + (words[wi + 1] if wi + 1 < nw else "EOS"))
        if worg[wi]:
            wfeat.append("orgw")
        if wplace[wi]:
            wfeat.append("locw")
        if wi + 1 < nw:
            if worg[wi + 1]:
                wfeat.append("norg")
            if wplace[wi + 1]:
                wfeat.append("nloc")
            if wtitle[wi + 1]:
                wfeat.append("ntitle")
            if wi + 2 < nw:
                if worg[wi + 2]:
                    wfeat.append("nnorg")
                if wplace[wi + 2]:
                    wfeat.append("nnloc")
        if wi > 0 and wtitle[wi - 1]:
            wfeat.append("ptitle")
        if wtitle[wi]:
            wfeat.append("title")
        for k in range(L):
            p = "S" if L == 1 else ("B" if k == 0 else ("E" if k == L - 1 else "M"))
            i = len(feats) + 2
            c0 = c[i]
            cm1 = c[i - 1]
            cp1 = c[i + 1]
            cm2 = c[i - 2]
            cp2 = c[i + 2]
            f = [
                "bias",
                "u0=" + c0, "u-1=" + cm1, "u1=" + cp1, "u-2=" + cm2, "u2=" + cp2,
                "b-1=" + cm1 + c0, "b0=" + c0 + cp1, "b-2=" + cm2 + cm1, "b1=" + cp1 + cp2,
                "j=" + cm1 + cp1, "tri=" + cm1 + c0 + cp1,
                "t=" + t[i], "tt=" + t[i - 1] + t[i] + t[i + 1],
                "wp=" + p + lb, "wt=" + tag + p,
            ]
            f.extend(wfeat)
            if c0 in sur1:
                f.append("sur")
                f.append("sur|" + p + lb)
            if cm1 in sur1:
                f.append("psur")
            if c0 + cp1 in sur2:
                f.append("sur2")
            if cm1 + c0 in sur2:
                f.append("psur2")
            feats.append(f)
    if len(feats) != n:  # jieba must return a partition of the text
        raise RuntimeError("segmentation does not cover the text")
    return feats


def split_chunks(text: str, max_len: int = MAX_CHUNK) -> Iterator[tuple[int, int]]:
    """Spans ``(start, end)`` of ``text`` to tag one at a time: sentences (cut at sentence
    punctuation and line ends), whitespace-trimmed, at most ``max_len`` characters long.

    Examples
    --------
    >>> t = "甲乙。丙丁！\\n 戊己"
    >>> [t[a:b] for a, b in split_chunks(t)]
    ['甲乙。', '丙丁！', '戊己']
    """
    for m in _CHUNK.finditer(text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        while e - s > max_len:
            cut = -1
            for j in range(s + max_len, s + max_len // 2, -1):
                if text[j - 1] in _SOFT_BREAK:
                    cut = j
                    break
            if cut < 0:
                cut = s + max_len
            b = cut
            while b > s and text[b - 1].isspace():
                b -= 1
            if b > s:
                yield s, b
            s = cut
            while s < e and text[s].isspace():
                s += 1
        if e > s:
            yield s, e


def spans_from_labels(labels: Sequence[str]) -> list[tuple[int, int, str]]:
    """Entity spans ``(start, end, type)`` from BMES labels (lenient about broken sequences).

    Examples
    --------
    >>> spans_from_labels(["B-PER", "E-PER", "O", "S-LOC", "B-ORG", "M-ORG"])
    [(0, 2, 'PER'), (3, 4, 'LOC'), (4, 6, 'ORG')]
    """
    spans: list[tuple[int, int, str]] = []
    start = -1
    typ = ""
    for i, label in enumerate(labels):
        if label == "O" or "-" not in label:
            if start >= 0:
                spans.append((start, i, typ))
                start = -1
            continue
        pos, t = label.split("-", 1)
        if start >= 0 and (pos in "BS" or t != typ):
            spans.append((start, i, typ))
            start = -1
        if start < 0:
            start, typ = i, t
        if pos in "ES":
            spans.append((start, i + 1, typ))
            start = -1
    if start >= 0:
        spans.append((start, len(labels), typ))
    return spans


class CRFTagger:
    """Loads the CRF model once and tags texts with Person / Place / Organization mentions."""

    def __init__(self, model_path: str | Path = MODEL_PATH, component: str = "crf") -> None:
        path = Path(model_path)
        if not path.is_file():
            raise FileNotFoundError(f"CRF model not found: {path} (train it: python -m kg.extract.train)")
        self.component = component
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(str(path))
        self._lock = threading.Lock()
        _resources()

    def labels(self, text: str) -> list[str]:
        """BMES labels for every character of ``text`` (tagged as a single sequence)."""
        if not text:
            return []
        xseq = sentence_features(text)
        with self._lock:
            return list(self._tagger.tag(xseq))

    def tag(self, text: str) -> list[Mention]:
        """Mentions in ``text``; offsets point into ``text`` and ``text[m.start:m.end] == m.text``.

        ``confidence`` is the mean marginal probability of the predicted labels over the span.
        """
        mentions: list[Mention] = []
        if not text:
            return mentions
        for s, e in split_chunks(text):
            chunk = text[s:e]
            if not _HAN.search(chunk):
                continue
            xseq = sentence_features(chunk)
            with self._lock:
                labels = self._tagger.tag(xseq)
                spans = spans_from_labels(labels)
                probs = [
                    [self._tagger.marginal(labels[i], i) for i in range(a, b)] for a, b, _ in spans
                ]
            for (a, b, typ), ps in zip(spans, probs, strict=True):
                kind = TYPE_MAP.get(typ)
                if kind is None:
                    continue
                conf = min(1.0, max(1e-6, sum(ps) / len(ps)))
                mentions.append(Mention(text[s + a:s + b], kind, s + a, s + b, conf, self.component))
        return mentions

    __call__ = tag


@register("crf", "CRF sequence model for Person/Place/Organization trained on MSRA")
def make_crf() -> CRFTagger:
    """The ``crf`` component: a :class:`CRFTagger` on the shipped model."""
    return CRFTagger()
