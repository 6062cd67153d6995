"""The ``ensemble`` component: the CRF and the BiLSTM-CRF models voting per character."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from kg.extract.crf import CRFTagger, repair_labels
from kg.extract.lstm import LABELS, BiLSTMTagger, tag_chunks, viterbi_many
from kg.extract.registry import register
from kg.model import Mention

__all__ = ["EnsembleTagger", "make_ensemble", "DEFAULT_WEIGHT", "DEFAULT_SURE"]

#: Weight of the CRF's marginals (the BiLSTM-CRF gets the rest).
DEFAULT_WEIGHT = 0.5
#: A sentence whose every character the BiLSTM labels with at least this probability is not
#: given to the CRF (1.0: always ask the CRF).
DEFAULT_SURE = 0.99

_ZERO_T = np.zeros((len(LABELS), len(LABELS)))
_ZERO = np.zeros(len(LABELS))


def _best_paths(probs: Sequence[np.ndarray]) -> list[list[int]]:
    """The valid BMES label path of highest summed log probability, for each ``(n, k)`` array."""
    return viterbi_many([np.log(p + 1e-9) for p in probs], _ZERO_T, _ZERO, _ZERO)


class EnsembleTagger:
    """Averages the label marginals of a :class:`~kg.extract.crf.CRFTagger` and a
    :class:`~kg.extract.lstm.BiLSTMTagger` and decodes the best valid BMES sequence of the
    averaged probabilities (the two models err in different places: the CRF on long-range
    context, the BiLSTM on rare names its embeddings have not seen)."""

    def __init__(self, crf: CRFTagger | None = None, lstm: BiLSTMTagger | None = None,
                 weight: float = DEFAULT_WEIGHT, component: str = "ner",
                 sure: float = DEFAULT_SURE) -> None:
        if not 0.0 <= weight <= 1.0:
            raise ValueError(f"weight must be within [0, 1], not {weight}")
        self.crf = crf or CRFTagger()
        self.lstm = lstm or BiLSTMTagger()
        self.weight = weight
        self.sure = sure
        self.component = component

    def label_marginals(self, text: str) -> np.ndarray:
        """``(len(text), len(LABELS))`` averaged label probabilities (``text`` as one sequence)."""
        return self.label_marginals_many([text])[0]

    def label_marginals_many(self, texts: Sequence[str]) -> list[np.ndarray]:
        """:meth:`label_marginals` of several texts (the BiLSTM runs them together)."""
        ps = self.lstm.label_marginals_many(texts)
        w = self.weight
        if w:
            # the CRF is asked where the BiLSTM is unsure of some character's label
            ps = [(1.0 - w) * p + w * np.array(self.crf.label_marginals(t, LABELS)).T
                  if len(t) and p.max(1).min() < self.sure else p
                  for p, t in zip(ps, texts, strict=True)]
        return ps

    def labels(self, text: str) -> list[str]:
        """BMES labels for every character of ``text`` (tagged as a single sequence)."""
        if not text:
            return []
        path = _best_paths([self.label_marginals(text)])[0]
        return repair_labels(text, [LABELS[i] for i in path])

    def batch(self, texts: Sequence[str]) -> list[list[Mention]]:
        """:meth:`tag` of several texts."""

        def decode(chunks: list[str]) -> tuple[list[list[int]], list[np.ndarray]]:
            probs = self.label_marginals_many(chunks)
            return _best_paths(probs), probs

        return tag_chunks(texts, decode, self.component)

    def tag(self, text: str) -> list[Mention]:
        """Mentions in ``text``; offsets point into ``text``. ``confidence`` is the mean averaged
        probability of the chosen labels over the span.

        Examples
        --------
        >>> from kg.extract.registry import get
        >>> [(m.text, m.type) for m in get("ensemble")("海河市总工会主席林晓峰在青州市考察。")]
        [('海河市总工会', 'Organization'), ('林晓峰', 'Person'), ('青州市', 'Place')]
        """
        return self.batch([text])[0]

    __call__ = tag


@register("ensemble", "CRF + BiLSTM-CRF models voting per character (Person/Place/Organization)",
          statistical=True)
def make_ensemble() -> EnsembleTagger:
    """The ``ensemble`` component: an :class:`EnsembleTagger` on the shipped models."""
    from kg.extract.registry import get

    return EnsembleTagger(get("crf"), get("bilstm"), component="ensemble")  # type: ignore[arg-type]
