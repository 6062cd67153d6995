"""BiLSTM-CRF sequence model (NumPy inference) that finds Person / Place / Organization mentions."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from kg.errors import ModelError
from kg.extract.crf import (
    _HAN,
    TYPE_MAP,
    _norm,
    _resources,
    lexicon_codes,
    repair_labels,
    spans_from_labels,
    split_chunks,
    word_info,
)
from kg.extract.registry import register
from kg.model import Mention

__all__ = [
    "LSTM_MODEL_PATH",
    "COLUMNS",
    "FLAGS",
    "LABELS",
    "char_columns",
    "BiLSTMTagger",
    "viterbi",
    "marginals",
    "tag_chunks",
    "make_bilstm",
    "make_ner",
    "blas_threads",
    "BLAS_THREADS",
]

_PKG = Path(__file__).resolve().parent.parent
#: The shipped model, written by ``python -m training.train_lstm``.
LSTM_MODEL_PATH: Path = _PKG / "models" / "ner_bilstm.npz"

#: The categorical input columns, each embedded by the model: the character, the character
#: bigram starting at it, its position in its jieba word with the word's length bucket and
#: dictionary tag, the gazetteer match covering it, the organization / place suffix ending at it
#: and at the next character.
COLUMNS: tuple[str, ...] = ("ch", "bi", "wpt", "gz", "os", "ps")

#: Binary input flags (lexicon and word features, as in the CRF model).
FLAGS: tuple[str, ...] = (
    "abbr", "abbr-1", "abbr+1", "eth", "sur", "psur", "sur2", "psur2",
    "orgw", "locw", "norg", "nloc", "nnorg", "nnloc", "title", "ptitle", "ntitle",
)

#: The label set, in the model's order.
LABELS: tuple[str, ...] = ("O", *(f"{p}-{t}" for t in ("PER", "LOC", "ORG") for p in "BMES"))

_FLAG_INDEX = {f: k for k, f in enumerate(FLAGS)}


def char_columns(text: str) -> tuple[list[list[str]], np.ndarray]:
    """The model inputs for every character of ``text``: :data:`COLUMNS` (one list of strings
    each, ``len(text)`` long) and a ``(len(text), len(FLAGS))`` array of 0/1 :data:`FLAGS`.

    Examples
    --------
    >>> cols, flags = char_columns("张明在北京")
    >>> cols[0], cols[3][3], int(flags[0][FLAGS.index("sur")])
    (['张', '明', '在', '北', '京'], 'B2', 1)
    """
    seg, lex = _resources()
    n = len(text)
    flags = np.zeros((n, len(FLAGS)), dtype=np.float32)
    if n == 0:
        return [[] for _ in COLUMNS], flags
    chars = [_norm(ch) for ch in text]
    nxt = [*chars[1:], "</s>"]
    bi = [a + b for a, b in zip(chars, nxt, strict=True)]
    gz, o0, q0, eth = lexicon_codes(text)
    o = [*o0, "$"]
    q = [*q0, "$"]
    os_ = [o[i] + o[i + 1] for i in range(n)]
    ps = [q[i] + q[i + 1] for i in range(n)]
    fi = _FLAG_INDEX
    ab = lex.place_abbr
    abbr = np.fromiter((ch in ab for ch in text), dtype=bool, count=n)
    flags[:, fi["abbr"]] = abbr
    flags[1:, fi["abbr-1"]] = abbr[:-1]
    flags[:-1, fi["abbr+1"]] = abbr[1:]
    flags[:, fi["eth"]] = np.fromiter((x != "-" for x in eth), dtype=bool, count=n)
    sur1, sur2 = lex.surnames1, lex.surnames2
    sur = np.fromiter((c in sur1 for c in chars), dtype=bool, count=n)
    flags[:, fi["sur"]] = sur
    flags[1:, fi["psur"]] = sur[:-1]
    two = np.fromiter((a in sur2 for a in bi[:-1]), dtype=bool, count=n - 1)
    flags[:-1, fi["sur2"]] = two
    flags[1:, fi["psur2"]] = two

    words = seg.cut(text)
    infos = [word_info(w) for w in words]
    wpt: list[str] = []
    nw = len(words)
    pos = 0
    for wi, w in enumerate(words):
        L = len(w)
        lb = str(L) if L < 5 else "5"
        tag, is_org, is_place, is_title = infos[wi]
        on = [is_org and "orgw", is_place and "locw", is_title and "title"]
        if wi + 1 < nw:
            on += [infos[wi + 1][1] and "norg", infos[wi + 1][2] and "nloc",
                   infos[wi + 1][3] and "ntitle"]
            if wi + 2 < nw:
                on += [infos[wi + 2][1] and "nnorg", infos[wi + 2][2] and "nnloc"]
        if wi > 0 and infos[wi - 1][3]:
            on.append("ptitle")
        ks = [fi[f] for f in on if f]
        for k in range(L):
            p = "S" if L == 1 else ("B" if k == 0 else ("E" if k == L - 1 else "M"))
            wpt.append(p + lb + "|" + tag)
            if ks:
                flags[pos, ks] = 1
            pos += 1
    if pos != n:  # jieba must return a partition of the text
        raise RuntimeError("segmentation does not cover the text")
    return [chars, bi, wpt, gz, os_, ps], flags


def _allowed() -> np.ndarray:
    """``allowed[i, j]``: label j may follow label i in BMES."""
    k = len(LABELS)
    ok = np.zeros((k, k), dtype=bool)
    for i, a in enumerate(LABELS):
        for j, b in enumerate(LABELS):
            pa, ta = (a.split("-") + [""])[:2]
            pb, tb = (b.split("-") + [""])[:2]
            if pa in ("O", "E", "S"):
                ok[i, j] = pb in ("O", "B", "S")
            else:  # B or M
                ok[i, j] = pb in ("M", "E") and ta == tb
    return ok


_ALLOWED = _allowed()
_START_OK = np.array([lab == "O" or lab[0] in "BS" for lab in LABELS])
_END_OK = np.array([lab == "O" or lab[0] in "ES" for lab in LABELS])
_NEG = -1e4
#: Sequences run through the network together.
BATCH = 64
#: Columns with at most this many values have their input projection precomputed.
PROJECT_MAX_VOCAB = 10_000


def _stack(emissions: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Left-aligned ``(n_max, B, k)`` stack of ``(n_b, k)`` arrays (zeros after each end) and
    the lengths."""
    lens = np.array([len(e) for e in emissions], dtype=np.int64)
    k = len(LABELS)
    out = np.zeros((int(lens.max()) if len(lens) else 0, len(emissions), k))
    for b, e in enumerate(emissions):
        out[:len(e), b] = e
    return out, lens


def viterbi_many(emissions: Sequence[np.ndarray], trans: np.ndarray, start: np.ndarray,
                 end: np.ndarray) -> list[list[int]]:
    """:func:`viterbi` of several sequences at once (one pass over the longest)."""
    if not emissions:
        return []
    em, lens = _stack(emissions)
    n, nb, k = em.shape
    t = np.where(_ALLOWED, trans, _NEG)
    score = em[0] + np.where(_START_OK, start, _NEG)
    scores = np.empty((n, nb, k))
    scores[0] = score
    back = np.zeros((n, nb, k), dtype=np.int64)
    for i in range(1, n):
        cand = score[:, :, None] + t  # (B, from, to)
        arg = cand.argmax(1)
        back[i] = arg
        score = np.take_along_axis(cand, arg[:, None, :], 1)[:, 0] + em[i]
        scores[i] = score
    end_s = np.where(_END_OK, end, _NEG)
    paths: list[list[int]] = []
    for b in range(nb):
        L = int(lens[b])
        if L == 0:
            paths.append([])
            continue
        best = [int((scores[L - 1, b] + end_s).argmax())]
        for i in range(L - 1, 0, -1):
            best.append(int(back[i, b, best[-1]]))
        paths.append(best[::-1])
    return paths


def viterbi(emissions: np.ndarray, trans: np.ndarray, start: np.ndarray, end: np.ndarray) -> list[int]:
    """Best label path (indices) for ``(n, k)`` emission scores and ``(k, k)`` transition scores,
    restricted to valid BMES sequences.

    Examples
    --------
    >>> e = np.zeros((2, len(LABELS))); e[0, LABELS.index("B-PER")] = 5; e[1, LABELS.index("S-LOC")] = 5
    >>> z = np.zeros(len(LABELS))
    >>> [LABELS[i] for i in viterbi(e, np.zeros((len(LABELS),) * 2), z, z)]
    ['B-PER', 'E-PER']
    """
    return viterbi_many([emissions], trans, start, end)[0]


def marginals_many(emissions: Sequence[np.ndarray], trans: np.ndarray, start: np.ndarray,
                   end: np.ndarray) -> list[np.ndarray]:
    """:func:`marginals` of several sequences at once."""
    if not emissions:
        return []
    em, lens = _stack(emissions)
    n, nb, k = em.shape
    # scaled forward-backward in probability space (each step renormalized: no underflow)
    et = np.where(_ALLOWED, np.exp(trans - trans.max()), 0.0)
    pe = np.exp(em - em.max(2, keepdims=True))
    # the backward pass runs over each sequence reversed, left-aligned like the forward one
    rev = np.ones_like(pe)
    for b in range(nb):
        L = int(lens[b])
        rev[:L, b] = pe[L - 1::-1, b] if L else rev[:0, b]
    s0 = np.where(_START_OK, start, _NEG)
    s1 = np.where(_END_OK, end, _NEG)
    alpha = np.empty((n, nb, k))
    beta_r = np.empty((n, nb, k))
    a = np.exp(s0 - s0.max()) * pe[0]
    alpha[0] = a = a / a.sum(1, keepdims=True)
    b_ = np.broadcast_to(np.exp(s1 - s1.max()), (nb, k))
    beta_r[0] = b_ = b_ / b_.sum(1, keepdims=True)
    ett = et.T
    for i in range(1, n):
        a = (a @ et) * pe[i]
        alpha[i] = a = a / a.sum(1, keepdims=True)
        b_ = (b_ * rev[i - 1]) @ ett
        beta_r[i] = b_ = b_ / b_.sum(1, keepdims=True)
    out = []
    for b in range(nb):
        L = int(lens[b])
        p = alpha[:L, b] * beta_r[L - 1::-1, b] if L else np.zeros((0, k))
        out.append(p / p.sum(1, keepdims=True) if L else p)
    return out


def marginals(emissions: np.ndarray, trans: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """``(n, k)`` label marginal probabilities of the linear-chain CRF (forward-backward)."""
    if len(emissions) == 0:
        return np.zeros((0, len(LABELS)))
    return marginals_many([emissions], trans, start, end)[0]


#: BLAS threads the models use. The matrices are small (a batch of 64 sentences by a few hundred
#: units), so one thread is as fast as two on an idle machine and far faster on a busy one, where
#: BLAS threads wait for each other; a build scales over cores with worker processes instead.
BLAS_THREADS = 1
_CONTROLLER = None


def blas_threads(limit: int = BLAS_THREADS):
    """A context manager that limits BLAS / OpenMP to ``limit`` threads (threadpoolctl) while
    the models compute, and restores the previous limits afterwards.

    Examples
    --------
    >>> with blas_threads():
    ...     _ = np.ones((4, 4)) @ np.ones((4, 4))
    """
    global _CONTROLLER
    from threadpoolctl import ThreadpoolController

    if _CONTROLLER is None:
        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER.limit(limits=limit)


class BiLSTMTagger:
    """Loads the BiLSTM-CRF weights once and tags texts (pure NumPy; no deep-learning runtime).
    A tagger holds no state between calls, so threads may share one."""

    def __init__(self, model_path: str | Path = LSTM_MODEL_PATH, component: str = "bilstm") -> None:
        path = Path(model_path)
        if not path.is_file():
            raise ModelError(f"BiLSTM model not found: {path} (train it: python -m training.student)")
        self.component = component
        try:
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(str(z["meta"]))
                w = {k: z[k].astype(np.float32) for k in z.files if k != "meta"}
        except (OSError, ValueError, KeyError) as e:  # not an npz, truncated, or no metadata
            raise ModelError(f"{path}: not a readable BiLSTM model ({e})") from e
        for key in [k for k in w if k.endswith("_q")]:  # int8 rows with one scale each
            base = key[:-2]
            w[base] = w.pop(key) * w.pop(base + "_scale")[:, None]
        if tuple(meta["labels"]) != LABELS or tuple(meta["columns"]) != COLUMNS or tuple(
                meta["flags"]) != FLAGS:
            raise ModelError(f"{path}: model inputs do not match this version of kg")
        self.vocab = [{s: i for i, s in enumerate(v)} for v in meta["vocab"]]
        self.emb = [w[f"emb_{c}"] for c in COLUMNS]
        h = meta["hidden"]
        self.hidden = h
        # Gates i, f, o are scaled by 1/2 so that one tanh gives them all: sigmoid(x) =
        # (tanh(x / 2) + 1) / 2. Directions are stacked: forward [0], backward [1].
        scale = np.ones(4 * h, dtype=np.float32)
        scale[:2 * h] = 0.5
        scale[3 * h:] = 0.5
        w_in = np.stack([w["w_ih_f"].T * scale, w["w_ih_b"].T * scale], axis=1)  # (d, 2, 4h)
        self.b_in = np.stack([w["b_f"] * scale, w["b_b"] * scale])  # (2, 4h)
        # The input projection is linear in the embeddings: for the columns with small
        # vocabularies it is looked up (a table of every value's projection), not multiplied.
        self._proj: list[tuple[bool, np.ndarray, np.ndarray]] = []
        at = 0
        for table in self.emb:
            part = w_in[at:at + table.shape[1]]
            at += table.shape[1]
            if table.shape[0] <= PROJECT_MAX_VOCAB:
                look = (table @ part.reshape(part.shape[0], -1)).reshape(table.shape[0], *part.shape[1:])
                self._proj.append((True, look, part))
            else:
                self._proj.append((False, table, part.reshape(part.shape[0], -1)))
        self._w_flags = w_in[at:].reshape(w_in.shape[0] - at, -1)
        self.w_rec = np.stack([w["w_hh_f"].T * scale, w["w_hh_b"].T * scale])  # (2, h, 4h)
        self.w_out = w["w_out"].T
        self.b_out = w["b_out"]
        self.trans = w["trans"].astype(np.float64)
        self.start = w["start"].astype(np.float64)
        self.end = w["end"].astype(np.float64)

    def _inputs(self, text: str) -> np.ndarray:
        """``(len(text), 2, 4h)`` input pre-activations of both directions' gates."""
        cols, flags = char_columns(text)
        n = len(text)
        gx = (flags @ self._w_flags).reshape(n, 2, -1)
        gx += self.b_in
        for vocab, (looked_up, table, part), col in zip(self.vocab, self._proj, cols, strict=True):
            ids = np.fromiter((vocab.get(s, 1) for s in col), dtype=np.int64, count=n)
            if looked_up:
                gx += table[ids]
            else:
                gx += (table[ids] @ part).reshape(n, 2, -1)
        return gx

    def emissions_many(self, texts: Sequence[str]) -> list[np.ndarray]:
        """:meth:`emissions` of several texts, run together in batches of similar length."""
        out: list[np.ndarray] = [np.zeros((0, len(LABELS)))] * len(texts)
        order = sorted((i for i in range(len(texts)) if texts[i]), key=lambda i: len(texts[i]))
        with blas_threads():
            for g in range(0, len(order), BATCH):
                group = order[g:g + BATCH]
                for i, e in zip(group, self._run([self._inputs(texts[i]) for i in group]), strict=True):
                    out[i] = e
        return out

    def _run(self, xs: list[np.ndarray]) -> list[np.ndarray]:
        """The BiLSTM over ``(n_b, 2, 4h)`` input pre-activations: both directions of every sequence in one loop;
        each sequence is left-aligned in its own reading order, so padding only follows it."""
        h = self.hidden
        h2, h3 = 2 * h, 3 * h
        nb = len(xs)
        lens = [len(x) for x in xs]
        n = max(lens)
        gx = np.zeros((n, 2, nb, 4 * h), dtype=np.float32)
        for b, xb in enumerate(xs):
            gx[:lens[b], 0, b] = xb[:, 0]
            gx[:lens[b], 1, b] = xb[::-1, 1]
        hs = np.empty((n, 2, nb, h), dtype=np.float32)
        hh = np.zeros((2, nb, h), dtype=np.float32)
        c = np.zeros((2, nb, h), dtype=np.float32)
        w_rec = self.w_rec
        for t in range(n):
            g = np.matmul(hh, w_rec)
            g += gx[t]
            tg = np.tanh(g)
            sg = tg * 0.5
            sg += 0.5
            # torch gate order: input, forget, cell, output
            c = sg[..., h:h2] * c + sg[..., :h] * tg[..., h2:h3]
            hh = sg[..., h3:] * np.tanh(c)
            hs[t] = hh
        res = []
        for b, L in enumerate(lens):
            both = np.concatenate([hs[:L, 0, b], hs[L - 1::-1, 1, b]], axis=1)
            res.append((both @ self.w_out + self.b_out).astype(np.float64))
        return res

    def emissions(self, text: str) -> np.ndarray:
        """``(len(text), len(LABELS))`` emission scores for ``text`` tagged as one sequence."""
        return self.emissions_many([text])[0]

    def label_marginals(self, text: str) -> np.ndarray:
        """``(len(text), len(LABELS))`` label probabilities for ``text`` as one sequence."""
        return self.label_marginals_many([text])[0]

    def label_marginals_many(self, texts: Sequence[str]) -> list[np.ndarray]:
        """:meth:`label_marginals` of several texts at once."""
        return marginals_many(self.emissions_many(texts), self.trans, self.start, self.end)

    def labels(self, text: str) -> list[str]:
        """BMES labels for every character of ``text`` (tagged as a single sequence)."""
        if not text:
            return []
        path = viterbi(self.emissions(text), self.trans, self.start, self.end)
        return repair_labels(text, [LABELS[i] for i in path])

    def batch(self, texts: Sequence[str]) -> list[list[Mention]]:
        """:meth:`tag` of several texts, their sentences run through the network together."""

        def decode(chunks: list[str]) -> tuple[list[list[int]], list[np.ndarray]]:
            ems = self.emissions_many(chunks)
            return (viterbi_many(ems, self.trans, self.start, self.end),
                    marginals_many(ems, self.trans, self.start, self.end))

        return tag_chunks(texts, decode, self.component)

    def tag(self, text: str) -> list[Mention]:
        """Mentions in ``text``; offsets point into ``text``. ``confidence`` is the mean marginal
        probability of the predicted labels over the span."""
        return self.batch([text])[0]

    __call__ = tag


def tag_chunks(texts: Sequence[str],
               decode: Callable[[list[str]], tuple[list[list[int]], list[np.ndarray]]],
               component: str) -> list[list[Mention]]:
    """Mentions of each of ``texts``: every chunk with Han script (:func:`split_chunks`) of every
    text goes to ``decode`` in one call, which gives each chunk's label path (indices into
    :data:`LABELS`) and its ``(n, k)`` label probabilities."""
    jobs = [(ti, s, e) for ti, t in enumerate(texts) for s, e in split_chunks(t or "")
            if _HAN.search(t, s, e)]
    chunks = [texts[ti][s:e] for ti, s, e in jobs]
    paths, probs = decode(chunks)
    out: list[list[Mention]] = [[] for _ in texts]
    for (ti, s, _e), chunk, path, p in zip(jobs, chunks, paths, probs, strict=True):
        labels = repair_labels(chunk, [LABELS[i] for i in path])
        out[ti].extend(chunk_mentions(texts[ti], s, labels, p, component))
    return out


_INDEX = {lab: i for i, lab in enumerate(LABELS)}


def chunk_mentions(text: str, offset: int, labels: list[str], probs: np.ndarray,
                   component: str) -> list[Mention]:
    """Mentions of one tagged chunk starting at ``offset`` in ``text``; the confidence is the
    mean probability of the chosen labels over the span."""
    out = []
    for a, b, typ in spans_from_labels(labels):
        kind = TYPE_MAP.get(typ)
        if kind is None:
            continue
        conf = float(np.mean([probs[i, _INDEX[labels[i]]] for i in range(a, b)]))
        out.append(Mention(text[offset + a:offset + b], kind, offset + a, offset + b,
                           min(1.0, max(1e-6, conf)), component))
    return out


@register("bilstm", "BiLSTM-CRF sequence model for Person/Place/Organization (the model of ner)",
          statistical=True)
def make_bilstm() -> BiLSTMTagger:
    """The ``bilstm`` component: a :class:`BiLSTMTagger` on the shipped model."""
    return BiLSTMTagger()


@register("ner", "BiLSTM-CRF trained on MSRA, teacher-labelled news, Weibo and Resume (Person/Place/Organization)",
          statistical=True)
def make_ner() -> BiLSTMTagger:
    """The ``ner`` component, the default model: a :class:`BiLSTMTagger` on the shipped model
    (distilled from the CRF + BiLSTM ensemble and LAC on unlabelled news, and trained on three
    gold sets; see ``kg/models/README.md``). It is better than the ensemble with the MSRA-only CRF
    on every development set but MSRA's, and faster."""
    return BiLSTMTagger(component="ner")
