"""CRF sequence model (python-crfsuite) that finds Person / Place / Organization mentions."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path

import pycrfsuite

from kg.errors import ModelError
from kg.extract.registry import register
from kg.extract.tokens import _remember, segment
from kg.extract.tokens import _tags as _pos_tags
from kg.lexicons import chars
from kg.model import Mention
from kg.schema import ORGANIZATION, PERSON, PLACE

__all__ = [
    "MODEL_PATH",
    "TYPE_MAP",
    "CRFTagger",
    "Lexicon",
    "PrefixMatcher",
    "SuffixMatcher",
    "load_lexicon",
    "sentence_features",
    "split_chunks",
    "spans_from_labels",
    "make_crf",
    "lexicon_codes",
    "word_info",
]

_PKG = Path(__file__).resolve().parent.parent
#: The shipped model, written by ``python -m training.train_crf``.
MODEL_PATH: Path = _PKG / "models" / "ner_crf.crfsuite"
_LEXICONS = _PKG / "lexicons"

#: MSRA label types to ontology types.
TYPE_MAP: dict[str, str] = {"PER": PERSON, "LOC": PLACE, "ORG": ORGANIZATION}

#: Chunks longer than this are cut (at a comma if possible) before tagging.
MAX_CHUNK = 150

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CHUNK = re.compile(r"[^\r\n。！？!?；;]+[。！？!?；;…]*[”’」』\"']?|[。！？!?；;…]+[”’」』\"']?")
_SOFT_BREAK = "，,、：: \t\u3000"


class Lexicon:
    """The word lists used as features: surnames, organization / place suffixes, titles, and the
    character-level matchers (place names of the gazetteer, organization / place suffixes)."""

    def __init__(self, surnames: set[str], org_suffix: set[str], place_suffix: set[str],
                 titles: set[str], places: set[str] | None = None,
                 org_end: dict[str, bool] | None = None,
                 place_end: dict[str, bool] | None = None, place_abbr: set[str] | None = None,
                 ethnic: set[str] | None = None) -> None:
        self.surnames1 = {s for s in surnames if len(s) == 1}
        self.surnames2 = {s for s in surnames if len(s) >= 2}
        self.org_suffix = org_suffix
        self.place_suffix = place_suffix
        self.titles = titles
        self._org_lens = sorted({len(s) for s in org_suffix}, reverse=True)
        self._place_lens = sorted({len(s) for s in place_suffix}, reverse=True)
        self.places = PrefixMatcher({p: False for p in places or () if len(p) >= 2})
        self.org_end = SuffixMatcher(org_end or {})
        self.place_end = SuffixMatcher(place_end or {})
        self.place_abbr = frozenset(place_abbr or ())
        self.ethnic = PrefixMatcher({e: False for e in ethnic or () if len(e) >= 2})

    def ends_org(self, word: str) -> bool:
        """True when ``word`` ends with an organization suffix."""
        return any(word[-n:] in self.org_suffix for n in self._org_lens if n <= len(word))

    def ends_place(self, word: str) -> bool:
        """True when ``word`` ends with a place suffix."""
        return any(word[-n:] in self.place_suffix for n in self._place_lens if n <= len(word))


class PrefixMatcher:
    """Forward maximum matching of a word list: ``codes(text)`` gives every character the
    position of the longest match covering it (``B``/``M``/``E``/``S`` and the match length
    bucket ``2``/``3``/``4``) or ``-``; matches do not overlap.

    Examples
    --------
    >>> PrefixMatcher({"北京": False, "北京市": False}).codes("在北京市")
    ['-', 'B3', 'M3', 'E3']
    """

    def __init__(self, words: dict[str, bool]) -> None:
        self.words = words
        lens: dict[str, set[int]] = {}
        for w in words:
            lens.setdefault(w[0], set()).add(len(w))
        self.lens = {c: sorted(v, reverse=True) for c, v in lens.items()}

    def codes(self, text: str) -> list[str]:
        n = len(text)
        out = ["-"] * n
        words, lens = self.words, self.lens
        i = 0
        while i < n:
            ls = lens.get(text[i])
            if ls:
                for L in ls:
                    if i + L <= n and text[i:i + L] in words:
                        _mark(out, i, L)
                        i += L
                        break
                else:
                    i += 1
            else:
                i += 1
        return out


class SuffixMatcher:
    """Suffix lists: ``codes(text)`` marks the longest entry ending at each character that ends
    one (``B``/``M``/``E``/``S``; lower case for entries flagged ``weak``), later matches
    overwriting earlier ones.

    Examples
    --------
    >>> SuffixMatcher({"公司": False, "局": True}).codes("某公司分局")
    ['-', 'B', 'E', '-', 's']
    """

    def __init__(self, words: dict[str, bool]) -> None:
        self.words = words
        lens: dict[str, set[int]] = {}
        for w in words:
            lens.setdefault(w[-1], set()).add(len(w))
        self.lens = {c: sorted(v, reverse=True) for c, v in lens.items()}

    def codes(self, text: str) -> list[str]:
        out = ["-"] * len(text)
        words, lens = self.words, self.lens
        for i, ch in enumerate(text):
            ls = lens.get(ch)
            if ls:
                for L in ls:
                    if L <= i + 1:
                        w = text[i + 1 - L:i + 1]
                        weak = words.get(w)
                        if weak is not None:
                            a = i + 1 - L
                            if L == 1:
                                out[a] = "s" if weak else "S"
                            else:
                                out[a] = "b" if weak else "B"
                                for k in range(a + 1, i):
                                    out[k] = "m" if weak else "M"
                                out[i] = "e" if weak else "E"
                            break
        return out


def _mark(out: list[str], i: int, L: int) -> None:
    lb = str(L) if L < 4 else "4"
    if L == 1:
        out[i] = "S1"
        return
    out[i] = "B" + lb
    for k in range(i + 1, i + L - 1):
        out[k] = "M" + lb
    out[i + L - 1] = "E" + lb


def _read_weak_list(path: Path) -> dict[str, bool]:
    """``word[<TAB>weak]`` lines: word -> whether it is flagged ``weak``."""
    out: dict[str, bool] = {}
    if not path.is_file():
        return out
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        parts = line.split("\t")
        word = parts[0].strip()
        if word:
            out[word] = any(p.strip() == "weak" for p in parts[1:])
    return out


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
    """Read ``surnames.txt``, ``ner_features.txt``, ``org_suffixes.txt`` and
    ``place_suffixes.txt`` from ``directory``, and take the place names (full and short) of
    :func:`kg.gazetteer.gazetteer`."""
    from kg.gazetteer import gazetteer

    surnames = _read_list(directory / "surnames.txt")[""]
    lists = _read_list(directory / "ner_features.txt")
    groups = _read_list(directory / "ethnic_groups.txt")[""] if (
        directory / "ethnic_groups.txt").is_file() else set()
    ethnic = {g + "族" for g in groups} | {g for g in groups if len(g) >= 2}
    return Lexicon(surnames, lists.get("org_suffix", set()), lists.get("place_suffix", set()),
                   lists.get("title", set()), set(gazetteer().names()),
                   _read_weak_list(directory / "org_suffixes.txt"),
                   _read_weak_list(directory / "place_suffixes.txt"),
                   lists.get("place_abbr", set()), ethnic)


_NUMERALS = frozenset(chars("numerals"))
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
        elif ch.isdigit() or ch in _NUMERALS:
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
    """kg's jieba segmentation (`kg.extract.tokens.segment`: a private tokenizer, unaffected by
    words other components add to jieba's default dictionary; the rule components share its
    words) and the part-of-speech tags of jieba's main dictionary."""

    def __init__(self) -> None:
        self.tags: dict[str, str] = _pos_tags()

    def cut(self, text: str) -> list[str]:
        """jieba's words of ``text`` (the last few thousand texts are remembered: the CRF, the
        BiLSTM features and the rule components all segment the same sentence)."""
        return segment(text)


_SEGMENTER: _Segmenter | None = None
_LEXICON: Lexicon | None = None
_INIT_LOCK = threading.Lock()
_WORD_CACHE: dict[str, tuple[str, bool, bool, bool]] = {}


def word_info(word: str) -> tuple[str, bool, bool, bool]:
    """Of a jieba word: its dictionary tag (``unk`` for words the HMM made up, the character class
    for a lone non-Han character), and whether it ends with an organization suffix, ends with a
    place suffix, is a title (remembered per word; the CRF and the BiLSTM features share it)."""
    seg, lex = _resources()
    return _remember(_WORD_CACHE, word, lambda: (
        seg.tags.get(word, "unk") if len(word) > 1 or _HAN.match(word) else _ctype(word),
        lex.ends_org(word), lex.ends_place(word), word in lex.titles), 500_000)


def _resources() -> tuple[_Segmenter, Lexicon]:
    global _SEGMENTER, _LEXICON
    with _INIT_LOCK:
        if _SEGMENTER is None:
            _SEGMENTER = _Segmenter()
        if _LEXICON is None:
            _LEXICON = load_lexicon()
    return _SEGMENTER, _LEXICON


_CODES_CACHE: dict[str, tuple[list[str], list[str], list[str], list[str]]] = {}


def lexicon_codes(text: str) -> tuple[list[str], list[str], list[str], list[str]]:
    """Character-level lexicon matches of ``text``: gazetteer places, organization suffixes,
    place suffixes, ethnic groups (see :class:`PrefixMatcher`, :class:`SuffixMatcher`); the last
    few thousand texts are remembered (the CRF and the BiLSTM features read the same ones)."""
    lex = _resources()[1]
    return _remember(_CODES_CACHE, text, lambda: (
        lex.places.codes(text), lex.org_end.codes(text), lex.place_end.codes(text),
        lex.ethnic.codes(text)), 4096)


def sentence_features(text: str) -> list[list[str]]:
    """Feature strings for every character of ``text`` (one sentence or chunk).

    Char window (±3 unigrams, the bigrams within ±2 and the centred trigram), character classes
    (this one and the ±1 pattern), the previous and next jieba
    words, the position of the character in its jieba word with the word's length bucket and
    dictionary tag (``unk`` for words jieba's HMM made up), lexicon flags (surname, organization /
    place suffix of this or the next words, title word before or after) and character-level
    lexicon matches that do not depend on jieba: the longest gazetteer place name covering the
    character (:mod:`kg.gazetteer`, forward maximum matching) and the longest organization / place
    suffix (``org_suffixes.txt``, ``place_suffixes.txt``) ending at it, with their neighbours.

    Examples
    --------
    >>> fs = sentence_features("张明在北京")
    >>> len(fs), "u0=张" in fs[0], "sur" in fs[0], "gz=B2" in fs[3]
    (5, True, True, True)
    """
    seg, lex = _resources()
    n = len(text)
    if n == 0:
        return []
    normed = [_norm(ch) for ch in text]
    types = [_ctype(ch) for ch in normed]
    c = ["<s3>", "<s2>", "<s1>", *normed, "</s1>", "</s2>", "</s3>"]
    t = ["B", "B", "B", *types, "E", "E", "E"]
    gz0, o0, q0, e = lexicon_codes(text)
    g = ["^", *gz0, "$"]
    feats = _char_features(text, lex, c, t, g, o0, q0, e)
    words = seg.cut(text)
    infos = [word_info(w) for w in words]
    pos = 0
    for wi, w in enumerate(words):
        wfeat = _word_context(words, infos, wi)
        pos = _add_word(feats, lex, w, infos[wi][0], wfeat, pos, c, t, g)
    if pos != n:  # jieba must return a partition of the text
        raise RuntimeError("segmentation does not cover the text")
    return feats


def _char_features(text: str, lex: Lexicon, c: list[str], t: list[str], g: list[str], o0: list[str],
                   q0: list[str], e: list[str]) -> list[list[str]]:
    """The features of each character that do not depend on jieba (window, classes, lexicon codes)."""
    n = len(text)
    o = [*o0, "$"]
    q = [*q0, "$"]
    ab = lex.place_abbr
    a = ["^", *("A" if ch in ab else "-" for ch in text), "$"]

    # position-wise columns (index j in c / t is character j - 3)
    r = range(3, n + 3)
    bg = [c[j] + c[j + 1] for j in range(n + 5)]  # bg[j] = c[j] c[j+1]
    cols = [
        ["u0=" + c[j] for j in r],
        ["u-1=" + c[j - 1] for j in r],
        ["u1=" + c[j + 1] for j in r],
        ["u-2=" + c[j - 2] for j in r],
        ["u2=" + c[j + 2] for j in r],
        ["u-3=" + c[j - 3] for j in r],
        ["u3=" + c[j + 3] for j in r],
        ["b-1=" + bg[j - 1] for j in r],
        ["b0=" + bg[j] for j in r],
        ["b-2=" + bg[j - 2] for j in r],
        ["b1=" + bg[j + 1] for j in r],
        ["tri=" + bg[j - 1] + c[j + 1] for j in r],
        ["t=" + t[j] for j in r],
        ["tt=" + t[j - 1] + t[j] + t[j + 1] for j in r],
        ["gz=" + g[i] for i in range(1, n + 1)],
        ["gzw=" + g[i - 1][0] + g[i][0] + g[i + 1][0] for i in range(1, n + 1)],
        ["os=" + o[i] + o[i + 1] for i in range(n)],
        ["ps=" + q[i] + q[i + 1] for i in range(n)],
        ["ab=" + a[i - 1] + a[i] + a[i + 1] for i in range(1, n + 1)],
        ["eth=" + x[0] for x in e],
    ]
    return [["bias", *row] for row in zip(*cols, strict=True)]


#: word_info flags of the words around a word: (offset, flag index, feature).
_NEIGHBOUR_FLAGS = ((1, 1, "norg"), (1, 2, "nloc"), (1, 3, "ntitle"), (2, 1, "nnorg"), (2, 2, "nnloc"))


def _word_context(words: list[str], infos: list[tuple[str, bool, bool, bool]], wi: int) -> list[str]:
    """Features every character of word ``wi`` shares: the words around it and lexicon flags."""
    nw = len(words)
    w = words[wi]
    ptag = infos[wi - 1][0] if wi > 0 else "BOS"
    ntag = infos[wi + 1][0] if wi + 1 < nw else "EOS"
    wfeat = [
        "pwt=" + ptag, "nwt=" + ntag, "pnwt=" + ptag + "|" + ntag,
        "pw=" + (words[wi - 1] if wi > 0 else "BOS"),
        "nw=" + (words[wi + 1] if wi + 1 < nw else "EOS"),
    ]
    if len(w) > 1:
        wfeat.append("w=" + w)
    if infos[wi][1]:
        wfeat.append("orgw")
    if infos[wi][2]:
        wfeat.append("locw")
    wfeat.extend(f for off, k, f in _NEIGHBOUR_FLAGS if wi + off < nw and infos[wi + off][k])
    if wi > 0 and infos[wi - 1][3]:
        wfeat.append("ptitle")
    if infos[wi][3]:
        wfeat.append("title")
    return wfeat


def _add_word(feats: list[list[str]], lex: Lexicon, w: str, tag: str, wfeat: list[str], pos: int,
              c: list[str], t: list[str], g: list[str]) -> int:
    """Add the features of word ``w`` (starting at character ``pos``) to its characters; the next ``pos``."""
    n = len(feats)
    L = len(w)
    lb = str(L) if L < 5 else "5"
    sur1 = lex.surnames1
    sur2 = lex.surnames2
    for k in range(L):
        if pos >= n:
            break
        p = "S" if L == 1 else ("B" if k == 0 else ("E" if k == L - 1 else "M"))
        f = feats[pos]
        f.append("wp=" + p + lb)
        f.append("wt=" + tag + p)
        f.extend(wfeat)
        j = pos + 3
        c0 = c[j]
        cm1 = c[j - 1]
        if c0 in sur1:
            f.append("sur")
            f.append("sur|" + p + lb)
            f.append("surg|" + g[pos + 2][0] + t[j + 1] + t[j + 2])
        if cm1 in sur1:
            f.append("psur")
        if c0 + c[j + 1] in sur2:
            f.append("sur2")
        if cm1 + c0 in sur2:
            f.append("psur2")
        pos += 1
    return pos


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


#: Generic place words that end a place name and never start one (江北 | 省青禾县 -> 江北省 | 青禾县).
_PLACE_GENERIC = frozenset(chars("place_generic"))


def repair_labels(text: str, labels: Sequence[str]) -> list[str]:
    """Move a generic place character (省, 市, 县, ...) that the model put at the start of a place
    right after another place to the end of that place: the gazetteer feature can cut an unknown
    full name after its known short form.

    Examples
    --------
    >>> repair_labels("江北省青禾县", ["B-LOC", "E-LOC", "B-LOC", "M-LOC", "M-LOC", "E-LOC"])
    ['B-LOC', 'M-LOC', 'E-LOC', 'B-LOC', 'M-LOC', 'E-LOC']
    >>> repair_labels("江北省", ["B-LOC", "E-LOC", "S-LOC"])
    ['B-LOC', 'M-LOC', 'E-LOC']
    """
    out = list(labels)
    for i in range(1, len(out)):
        lab = out[i]
        if (lab in ("B-LOC", "S-LOC") and text[i] in _PLACE_GENERIC
                and out[i - 1] in ("E-LOC", "S-LOC")):
            out[i - 1] = "M-LOC" if out[i - 1] == "E-LOC" else "B-LOC"
            out[i] = "E-LOC"
            if lab == "B-LOC" and i + 1 < len(out):
                nxt = out[i + 1]
                if nxt == "M-LOC":
                    out[i + 1] = "B-LOC"
                elif nxt == "E-LOC":
                    out[i + 1] = "S-LOC"
    return out


class CRFTagger:
    """Loads the CRF model once and tags texts with Person / Place / Organization mentions."""

    def __init__(self, model_path: str | Path = MODEL_PATH, component: str = "crf") -> None:
        path = Path(model_path)
        if not path.is_file():
            raise ModelError(f"CRF model not found: {path} (train it: python -m training.train_crf)")
        self.component = component
        self._tagger = pycrfsuite.Tagger()
        try:
            self._tagger.open(str(path))
        except (OSError, ValueError) as e:  # crfsuite cannot read the file
            raise ModelError(f"{path}: not a readable CRF model ({e})") from e
        self._lock = threading.Lock()
        _resources()

    def labels(self, text: str) -> list[str]:
        """BMES labels for every character of ``text`` (tagged as a single sequence)."""
        if not text:
            return []
        xseq = sentence_features(text)
        with self._lock:
            return repair_labels(text, self._tagger.tag(xseq))

    def label_marginals(self, text: str, labels: Sequence[str]) -> list[list[float]]:
        """Marginal probability of each of ``labels`` at every character of ``text`` (tagged as
        one sequence): ``out[k][i]`` for ``labels[k]`` and character ``i`` (one row per label);
        a label the model does not know gets 0."""
        if not text:
            return [[] for _ in labels]
        xseq = sentence_features(text)
        n = len(text)
        positions = range(n)
        with self._lock:
            tagger = self._tagger
            known = set(tagger.labels())
            tagger.set(xseq)
            marginal = tagger.marginal
            return [list(map(marginal, [lab] * n, positions)) if lab in known else [0.0] * n
                    for lab in labels]

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
                labels = repair_labels(chunk, self._tagger.tag(xseq))
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


@register("crf", "CRF sequence model for Person/Place/Organization trained on MSRA", statistical=True)
def make_crf() -> CRFTagger:
    """The ``crf`` component: a :class:`CRFTagger` on the shipped model."""
    return CRFTagger()
